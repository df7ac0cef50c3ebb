"""The webhook editor's input (validation of the form only; the service checks the rest)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhongtai.channels.choices import SUBSCRIBABLE_EVENTS, WebhookEvent
from zhongtai.channels.models import MAX_DESCRIPTION, MAX_URL, WebhookSubscription
from zhongtai.channels.services import WebhookInput


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.CharField(
        label=_("Target URL"),
        max_length=MAX_URL,
        help_text=_("An http:// or https:// address; every event is POSTed to it as JSON."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(event, WebhookEvent(event).label) for event in SUBSCRIBABLE_EVENTS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events this receiver is sent."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("A switched-off webhook is sent nothing.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name == "events":
                continue
            css = "form-check-input" if isinstance(field, forms.BooleanField) else "form-control"
            field.widget.attrs["class"] = css
            field.widget.attrs["data-testid"] = f"webhook-{name}"

    @staticmethod
    def initial_of(webhook: WebhookSubscription | None) -> dict[str, Any]:
        if webhook is None:
            return {"is_active": True, "events": []}
        return {
            "name": webhook.name,
            "url": webhook.url,
            "events": list(webhook.events),
            "description": webhook.description,
            "is_active": webhook.is_active,
        }

    def to_input(self) -> WebhookInput:
        data = self.cleaned_data
        return WebhookInput(
            name=data["name"],
            url=data["url"].strip(),
            events=list(data["events"]),
            description=data["description"],
            is_active=data["is_active"],
        )
