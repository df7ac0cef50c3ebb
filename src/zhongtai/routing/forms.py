"""The routing rule form of the workspace (its data goes to ``routing.rule_services``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhongtai.customers.models import CustomerTier, WarrantyStatus
from zhongtai.routing.models import RoutingRule
from zhongtai.routing.rule_services import DRY_RUN_MAX_DAYS, RuleInput
from zhongtai.tickets.choices import Channel, TicketPriority, TicketType

ANY = _("None ticked: any.")


def _words(text: str) -> list[str]:
    """Comma-separated words (a Chinese comma or 、 too)."""
    cleaned = text.replace("，", ",").replace("、", ",")
    return [part.strip() for part in cleaned.split(",") if part.strip()]


def _ticks(label: Any, choices: Any, help_text: Any = ANY) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas; any of them in the subject or description."),
    )
    pattern = forms.CharField(
        label=_("Regular expression"),
        required=False,
        max_length=200,
        help_text=_("Searched in the subject and description, any case; e.g. E-?10[0-9]."),
    )
    channels = _ticks(_("Channels"), Channel.choices)
    customer_tiers = _ticks(_("Customer tiers"), CustomerTier.choices)
    categories = _ticks(
        _("Categories"), [], _("None ticked: any. A category covers its sub-categories.")
    )
    contact_domains = forms.CharField(
        label=_("Contact e-mail domains"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas, e.g. bigcustomer.com."),
    )
    asset_product_lines = forms.CharField(
        label=_("Asset product lines"),
        required=False,
        max_length=1000,
        help_text=_("Of the asset the ticket is about; separated by commas, any case."),
    )
    asset_models = forms.CharField(
        label=_("Asset product models"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas, any case."),
    )
    asset_warranty = forms.ChoiceField(
        label=_("Asset warranty"),
        required=False,
        choices=[("", _("Any")), *WarrantyStatus.choices],
        help_text=_("As it stood the day the ticket came in."),
    )
    set_category = forms.TypedChoiceField(
        label=_("Set the category"), required=False, coerce=int, empty_value=None
    )
    set_type = forms.ChoiceField(
        label=_("Set the type"), required=False, choices=[("", "—"), *TicketType.choices]
    )
    set_priority = forms.ChoiceField(
        label=_("Set the priority"), required=False, choices=[("", "—"), *TicketPriority.choices]
    )
    set_team = forms.TypedChoiceField(
        label=_("Give it to the team"), required=False, coerce=int, empty_value=None
    )
    add_tags = forms.CharField(
        label=_("Add tags"), required=False, max_length=500, help_text=_("Separated by commas.")
    )
    days = forms.IntegerField(
        label=_("Try on the last … days"),
        required=False,
        min_value=1,
        max_value=DRY_RUN_MAX_DAYS,
        initial=30,
    )

    def __init__(
        self,
        *args: Any,
        categories: Sequence[tuple[int, str]],
        teams: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(str(pk), name) for pk, name in categories]  # type: ignore[attr-defined]
        self.fields["set_category"].choices = [("", "—"), *categories]  # type: ignore[attr-defined]
        self.fields["set_team"].choices = [("", "—"), *teams]  # type: ignore[attr-defined]

    def to_input(self) -> RuleInput:
        data = self.cleaned_data
        return RuleInput(
            name=data["name"],
            is_active=data["is_active"],
            keywords=_words(data["keywords"] or ""),
            pattern=data["pattern"] or "",
            channels=data["channels"],
            customer_tiers=data["customer_tiers"],
            category_ids=[int(pk) for pk in data["categories"]],
            contact_domains=_words(data["contact_domains"] or ""),
            asset_product_lines=_words(data["asset_product_lines"] or ""),
            asset_models=_words(data["asset_models"] or ""),
            asset_warranty=data["asset_warranty"] or "",
            set_category_id=data["set_category"],
            set_type=data["set_type"] or "",
            set_priority=data["set_priority"] or "",
            set_team_id=data["set_team"],
            add_tags=_words(data["add_tags"] or ""),
        )

    @staticmethod
    def initial_of(rule: RoutingRule | None) -> dict[str, Any]:
        if rule is None:
            return {"is_active": True, "days": 30}
        return {
            "name": rule.name,
            "is_active": rule.is_active,
            "keywords": ", ".join(rule.keywords),
            "pattern": rule.pattern,
            "channels": rule.channels,
            "customer_tiers": rule.customer_tiers,
            "categories": [str(c.pk) for c in rule.categories.all()],
            "contact_domains": ", ".join(rule.contact_domains),
            "asset_product_lines": ", ".join(rule.asset_product_lines),
            "asset_models": ", ".join(rule.asset_models),
            "asset_warranty": rule.asset_warranty,
            "set_category": rule.set_category_id,
            "set_type": rule.set_type,
            "set_priority": rule.set_priority,
            "set_team": rule.set_team_id,
            "add_tags": ", ".join(rule.add_tags),
            "days": 30,
        }


class ProfileForm(forms.Form):
    """A person's capacity and skills (``routing.people.agent_profile_save``)."""

    max_open = forms.IntegerField(label=_("Open tickets at most"), min_value=1, max_value=500)
    categories = _ticks(_("Categories"), [])
    languages = _ticks(_("Languages"), [("zh", "中文"), ("en", "English")])
    customer_tiers = _ticks(_("Customer tiers"), CustomerTier.choices)
    product_lines = forms.CharField(
        label=_("Product lines"),
        required=False,
        max_length=2000,
        help_text=_("Of the ticket's asset; separated by commas. Empty: any."),
    )

    def __init__(
        self, *args: Any, categories: Sequence[tuple[int, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(str(pk), name) for pk, name in categories]  # type: ignore[attr-defined]
        for value, label in Channel.choices:
            self.fields[f"cap_{value}"] = forms.IntegerField(
                label=label, min_value=0, max_value=500, required=False
            )

    def channel_fields(self) -> list[forms.BoundField]:
        return [self[f"cap_{value}"] for value in Channel.values]

    def to_input(self) -> Any:
        from zhongtai.routing.people import ProfileInput  # (people imports the services)

        data = self.cleaned_data
        return ProfileInput(
            max_open=data["max_open"],
            channel_caps={
                value: data[f"cap_{value}"]
                for value in Channel.values
                if data.get(f"cap_{value}") is not None
            },
            categories=[int(pk) for pk in data["categories"]],
            languages=data["languages"],
            customer_tiers=data["customer_tiers"],
            product_lines=_words(data["product_lines"] or ""),
        )

    @staticmethod
    def initial_of(profile: Any) -> dict[str, Any]:
        initial = {
            "max_open": profile.max_open,
            "categories": [str(pk) for pk in profile.categories],
            "languages": profile.languages,
            "customer_tiers": profile.customer_tiers,
            "product_lines": ", ".join(profile.product_lines),
        }
        for channel, cap in (profile.channel_caps or {}).items():
            initial[f"cap_{channel}"] = cap
        return initial
