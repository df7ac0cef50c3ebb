"""Input validation of the agent workspace's forms (UI only; rules live in services).

Forms that offer related objects (teams, agents, categories) take the actor and build
their choices from tenant-scoped selectors, so another tenant's id is simply invalid.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team, User
from zhongtai.core.errors import NotFound
from zhongtai.customers import selectors as customer_selectors
from zhongtai.customers.models import Asset, Contact, Customer
from zhongtai.tickets import selectors
from zhongtai.tickets.choices import (
    Channel,
    PresenceState,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from zhongtai.tickets.models import Category

MAX_FILES = 10
QS_NONE: Any = None  # the real queryset comes from a selector in ``__init__``
_NUMBER = re.compile(r"^\s*(?:[A-Za-z]{1,6}-|#)?0*(\d{1,12})\s*$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more uploaded files under one field name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most %(n)d files at once.") % {"n": MAX_FILES})
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def _choices_from(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (a programming error)
    field.queryset = queryset


class VersionedForm(forms.Form):
    """A form that changes a ticket carries the version it was rendered from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReplyForm(VersionedForm):
    KIND_REPLY = "reply"
    KIND_NOTE = "note"

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(KIND_REPLY, _("Public reply")), (KIND_NOTE, _("Internal note"))],
    )
    body = forms.CharField(label=_("Message"), widget=forms.Textarea, strip=True)
    then_status = forms.ChoiceField(
        label=_("Then set status"),
        choices=[("", _("Keep the status")), *TicketStatus.choices],
        required=False,
    )
    attachments = MultipleFileField(label=_("Attachments"))
    macro = forms.IntegerField(  # a macro picked in the composer: its field actions apply
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1
    )

    @property
    def public(self) -> bool:
        return bool(self.cleaned_data["kind"] == self.KIND_REPLY)


class TicketUpdateForm(VersionedForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=TicketPriority.choices)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=_("Category"), queryset=QS_NONE, required=False
    )
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_from(self, "category", selectors.category_list(actor=actor))

    def clean_tags(self) -> list[str]:
        raw: str = self.cleaned_data["tags"]
        names = [name.strip() for name in re.split(r"[,，]", raw) if name.strip()]
        if any(len(name) > 50 for name in names):
            raise forms.ValidationError(_("A tag has at most 50 characters."))
        return names


class TransitionForm(VersionedForm):
    to_status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class AssignForm(VersionedForm):
    ROLE_ASSIGNEE = "assignee"
    ROLE_ENGINEER = "engineer"

    role = forms.ChoiceField(
        choices=[(ROLE_ASSIGNEE, _("Assignee")), (ROLE_ENGINEER, _("Engineer"))],
        initial=ROLE_ASSIGNEE,
    )
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Assignee"), queryset=QS_NONE, required=False
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_from(self, "assignee", selectors.agent_list(actor=actor))


class EscalateForm(VersionedForm):
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(label=_("Team"), queryset=QS_NONE)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_from(self, "team", selectors.team_list(actor=actor))


class HandbackForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea)


def parse_ticket_number(value: str) -> int | None:
    """``123``, ``#123`` and ``SH-000123`` all mean ticket number 123."""
    match = _NUMBER.match(value or "")
    return int(match.group(1)) if match else None


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Merge into ticket"), max_length=20)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def clean_into(self) -> int:
        number = parse_ticket_number(self.cleaned_data["into"])
        if number is None:
            raise forms.ValidationError(_("Enter a ticket number, e.g. 123 or SH-000123."))
        return number


class ChildTicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea)
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label=_("Team"), queryset=QS_NONE, required=False
    )
    blocks_parent = forms.BooleanField(label=_("Blocks resolving this ticket"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_from(self, "team", selectors.team_list(actor=actor))


class NumberListField(forms.Field):
    """A list of ticket numbers from repeated fields (the queue's row checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Choose tickets from the list.")) from exc


class BulkAssignForm(forms.Form):
    numbers = NumberListField(label=_("Tickets"))
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Assignee"), queryset=QS_NONE, required=False
    )
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label=_("Team"), queryset=QS_NONE, required=False
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_from(self, "assignee", selectors.agent_list(actor=actor))
        _choices_from(self, "team", selectors.team_list(actor=actor))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("assignee") and not data.get("team"):
            raise forms.ValidationError(_("Choose an assignee or a team."))
        return data


class PresenceForm(forms.Form):
    state = forms.ChoiceField(choices=PresenceState.choices, initial=PresenceState.VIEWING)


AGENT_TICKET_FIELDS = (
    "subject",
    "description",
    "channel",
    "type",
    "priority",
    "customer",
    "contact",
    "asset",
    "category",
    "team",
    "assignee",
    "tags",
)
AGENT_CHANNELS = [
    (value, label)
    for value, label in Channel.choices
    if value in (Channel.PHONE, Channel.EMAIL, Channel.CHAT, Channel.WEB_FORM)
]


class AgentTicketForm(forms.Form):
    """A ticket an agent opens for a customer (a phone call, a mail, a chat)."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea)
    channel = forms.ChoiceField(label=_("Channel"), choices=AGENT_CHANNELS, initial=Channel.PHONE)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL
    )
    customer: forms.ModelChoiceField[Customer] = forms.ModelChoiceField(
        label=_("Customer"), queryset=QS_NONE, required=False
    )
    contact: forms.ModelChoiceField[Contact] = forms.ModelChoiceField(
        label=_("Contact"), queryset=QS_NONE, required=False
    )
    asset = forms.CharField(
        label=_("Asset serial number"),
        required=False,
        max_length=120,
        help_text=_("The product the ticket is about; it also names the customer."),
    )
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=_("Category"), queryset=QS_NONE, required=False
    )
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label=_("Team"), queryset=QS_NONE, required=False
    )
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Assignee"), queryset=QS_NONE, required=False
    )
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500)
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        _choices_from(self, "customer", customer_selectors.customer_list(actor=actor))
        _choices_from(self, "contact", customer_selectors.contact_list(actor=actor))
        _choices_from(self, "category", selectors.category_list(actor=actor))
        _choices_from(self, "team", selectors.team_list(actor=actor))
        _choices_from(self, "assignee", selectors.agent_list(actor=actor))

    clean_tags = TicketUpdateForm.clean_tags

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        customer, contact = data.get("customer"), data.get("contact")
        if contact is not None and customer is not None and contact.customer_id != customer.pk:
            self.add_error("contact", _("This contact belongs to another customer."))
        return data

    def clean_asset(self) -> Asset | None:
        serial = (self.cleaned_data.get("asset") or "").strip()
        if not serial:
            return None
        try:
            return customer_selectors.asset_get(actor=self.actor, serial_number=serial)
        except NotFound:
            raise forms.ValidationError(
                _("No asset of this unit has this serial number.")
            ) from None
