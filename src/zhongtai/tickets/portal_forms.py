"""Input validation of the customer portal's forms (UI only; the services check again).

The limits come from settings at form creation, so that a deployment (or a test) that
changes them is obeyed without a restart of this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from zhongtai.core.errors import ApplicationError
from zhongtai.tickets.attachments import attachment_check
from zhongtai.tickets.choices import TicketType

MAX_FILES_PER_MESSAGE = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Zero or more files, each checked against the size limit and the allowed types."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > MAX_FILES_PER_MESSAGE:
            raise forms.ValidationError(
                _("Attach at most %(n)d files.") % {"n": MAX_FILES_PER_MESSAGE}
            )
        errors = []
        for upload in uploads:
            super().clean(upload, initial)
            try:
                attachment_check(upload)
            except ApplicationError as exc:
                errors.append(exc.message)
        if errors:
            raise forms.ValidationError(errors)
        return uploads


def _attachments_help() -> str:
    return str(
        _("Up to %(size)d MB per file. Allowed types: %(types)s.")
        % {
            "size": settings.MAX_ATTACHMENT_BYTES // (1024 * 1024),
            "types": ", ".join(settings.ALLOWED_ATTACHMENT_EXTENSIONS),
        }
    )


def _limit_length(field: forms.Field) -> None:
    limit = settings.MAX_DESCRIPTION_CHARS
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)


def _accept() -> str:
    return ",".join(f".{ext}" for ext in settings.ALLOWED_ATTACHMENT_EXTENSIONS)


class PortalFormMixin:
    """Shared set-up: Bootstrap classes, limits from settings, service errors on fields."""

    fields: dict[str, forms.Field]

    def _set_up(self) -> None:
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if name == "attachments":
                field.help_text = _attachments_help()
                field.widget.attrs["accept"] = _accept()

    def add_error(self, field: str | None, error: Any) -> None:
        """Record the error (Django's way) and mark the field's widget invalid for Bootstrap."""
        super().add_error(field, error)  # type: ignore[misc]
        if field in self.fields:
            widget = self.fields[field].widget
            classes = widget.attrs.get("class", "")
            if "is-invalid" not in classes:
                widget.attrs["class"] = f"{classes} is-invalid".strip()

    def add_service_error(self, exc: ApplicationError, fields: Sequence[str]) -> None:
        """Put a service's field errors next to the matching fields, the rest on top."""
        placed = False
        for error in exc.errors:
            field = error.get("field", "")
            if field in fields:
                self.add_error(field, error.get("message") or exc.message)
                placed = True
        if not placed:
            self.add_error(None, exc.message)


class PortalTicketCreateForm(PortalFormMixin, forms.Form):
    """A new request from a customer contact."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        # search-as-you-type: matching help articles appear under the field
        widget=forms.TextInput(
            attrs={
                "hx-get": reverse_lazy("help:suggest"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#help-suggest",
                "hx-swap": "innerHTML",
                "autocomplete": "off",
            }
        ),
    )
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices, initial="question")
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Describe what happened, what you expected and any error message."),
    )
    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_length(self.fields["description"])
        self._set_up()


class PortalReplyForm(PortalFormMixin, forms.Form):
    """A customer's reply on one of their requests."""

    body = forms.CharField(
        label=_("Add a reply"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_length(self.fields["body"])
        self._set_up()


class PortalTicketFilterForm(forms.Form):
    """Query parameters of the request list: which requests, which page."""

    STATE_OPEN = "open"
    STATE_SOLVED = "solved"
    STATE_ALL = "all"

    state = forms.ChoiceField(
        choices=[(STATE_OPEN, _("Open")), (STATE_SOLVED, _("Solved")), (STATE_ALL, _("All"))],
        required=False,
    )
    cursor = forms.CharField(required=False, max_length=200)

    def clean_state(self) -> str:
        return str(self.cleaned_data.get("state") or self.STATE_OPEN)
