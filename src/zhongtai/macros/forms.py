"""The macro editor's input (validation of the form only; the service checks the rest)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhongtai.macros.choices import MacroScope
from zhongtai.macros.models import MAX_BODY, Macro
from zhongtai.macros.services import MacroInput


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    scope = forms.ChoiceField(
        label=_("Who may use it"),
        help_text=_("Shared: the whole staff of the unit. Team: its members. Personal: you."),
    )
    team = forms.TypedChoiceField(
        label=_("Team"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For a team macro."),
    )
    body_en = forms.CharField(
        label=_("Text in English"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    body_zh = forms.CharField(
        label=_("Text in Simplified Chinese"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    set_status = forms.ChoiceField(label=_("Then set status"), required=False)
    add_tags = forms.CharField(
        label=_("Add tags"), required=False, max_length=1000, help_text=_("Separated by commas.")
    )
    set_category = forms.TypedChoiceField(
        label=_("Set category"), required=False, coerce=int, empty_value=None
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Only active macros are offered.")
    )

    def __init__(
        self,
        *args: Any,
        scopes: list[tuple[str, str]],
        teams: list[tuple[int, str]],
        statuses: list[tuple[str, str]],
        categories: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[Any, Any]]] = {
            "scope": scopes,
            "team": [("", "—"), *teams],
            "set_status": [("", _("Keep the status")), *statuses],
            "set_category": [("", _("Keep the category")), *categories],
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101
            field.choices = values
        if not teams:  # someone who writes no team's macros is not asked for a team
            del self.fields["team"]
        for name, widget_field in self.fields.items():
            widget = widget_field.widget
            if isinstance(widget_field, forms.BooleanField):
                css = "form-check-input"
            elif isinstance(widget_field, forms.ChoiceField):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css
            widget.attrs["data-testid"] = f"macro-{name}"

    @staticmethod
    def initial_of(macro: Macro | None) -> dict[str, Any]:
        if macro is None:
            return {"scope": MacroScope.PERSONAL, "is_active": True}
        return {
            "name": macro.name,
            "scope": macro.scope,
            "team": macro.team_id,
            "body_en": macro.body_en,
            "body_zh": macro.body_zh,
            "set_status": macro.set_status,
            "add_tags": ", ".join(macro.add_tags),
            "set_category": macro.set_category_id,
            "is_active": macro.is_active,
        }

    def to_input(self) -> MacroInput:
        data = self.cleaned_data
        tags = [t.strip() for t in re.split(r"[,，]", data["add_tags"]) if t.strip()]
        scope = data["scope"]
        return MacroInput(
            name=data["name"],
            scope=scope,
            team_id=data.get("team") if scope == MacroScope.TEAM else None,
            body_en=data["body_en"],
            body_zh=data["body_zh"],
            set_status=data["set_status"],
            add_tags=tags,
            set_category_id=data["set_category"],
            is_active=data["is_active"],
        )
