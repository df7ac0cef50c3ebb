"""The Customer 360 pages' inputs (the form checks shapes; the services check the rest)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhongtai.customers import services
from zhongtai.customers.models import (
    ContractKind,
    Customer,
    CustomerTier,
    CustomField,
    FieldKind,
    IdentityKind,
    LifecycleStage,
)

_SPLIT = re.compile(r"[,，\s]+")


def _words(text: str) -> list[str]:
    return [w for w in _SPLIT.split(text or "") if w]


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    owner = forms.TypedChoiceField(
        label=_("Owner"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The customer success manager or account manager."),
    )
    lifecycle_stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=LifecycleStage.choices)
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=1000, help_text=_("Separated by commas.")
    )
    domains = forms.CharField(
        label=_("Email domains"),
        required=False,
        max_length=1000,
        help_text=_("Mail from these domains belongs to this customer, e.g. acme.com."),
    )
    industry = forms.CharField(label=_("Industry"), required=False, max_length=100)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    external_id = forms.CharField(
        label=_("External id"),
        required=False,
        max_length=120,
        help_text=_("The id in the CRM or ERP it comes from."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        owners: list[tuple[int, str]],
        fields: list[CustomField],
        language: str,
        customer: Customer | None = None,
    ) -> None:
        initial: dict[str, Any] = {}
        if customer is not None:
            initial = {
                "name": customer.name,
                "owner": customer.owner_id,
                "lifecycle_stage": customer.lifecycle_stage,
                "tags": ", ".join(customer.tags),
                "domains": ", ".join(customer.domains),
                "industry": customer.industry,
                "region": customer.region,
                "external_id": customer.external_id,
                **{f"custom_{k}": v for k, v in customer.custom.items()},
            }
        super().__init__(data, initial=initial)
        self.fields["owner"].choices = [("", "—"), *owners]  # type: ignore[attr-defined]
        self.custom_fields = fields
        for definition in fields:
            self.fields[f"custom_{definition.key}"] = _custom_form_field(definition, language)

    def custom_bound(self) -> list[forms.BoundField]:
        return [self[f"custom_{d.key}"] for d in self.custom_fields]

    def to_input(self) -> services.CustomerInput:
        data = self.cleaned_data
        custom = {}
        for definition in self.custom_fields:
            value = data.get(f"custom_{definition.key}")
            if isinstance(value, date):
                value = value.isoformat()
            if value not in (None, ""):
                custom[definition.key] = value
        return services.CustomerInput(
            name=data["name"],
            owner_id=data["owner"],
            lifecycle_stage=data["lifecycle_stage"],
            tags=_words(data["tags"]),
            domains=_words(data["domains"]),
            industry=data["industry"],
            region=data["region"],
            custom=custom,
            external_id=data["external_id"],
        )


def _custom_form_field(definition: CustomField, language: str) -> forms.Field:
    label = definition.label(language)
    required = definition.required
    if definition.kind == FieldKind.NUMBER:
        return forms.DecimalField(label=label, required=required, max_digits=18)
    if definition.kind == FieldKind.DATE:
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )
    if definition.kind == FieldKind.BOOLEAN:
        return forms.TypedChoiceField(
            label=label,
            required=required,
            choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))],
            coerce=lambda v: v == "true",
            empty_value=None,
        )
    if definition.kind == FieldKind.CHOICE:
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[("", "—"), *[(c, c) for c in definition.choices]],
        )
    return forms.CharField(label=label, required=required, max_length=500)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"), max_length=services.MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )


class OverrideForm(forms.Form):
    tier = forms.ChoiceField(label=_("Customer tier"), choices=CustomerTier.choices)
    reason = forms.CharField(label=_("Why"), max_length=300)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=pgettext_lazy("address kind", "Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    title = forms.CharField(label=_("Job title"), required=False, max_length=100)

    def to_input(self) -> services.ContactInput:
        return services.ContactInput(**self.cleaned_data)


class IdentityForm(forms.Form):
    contact = forms.IntegerField(label=_("Contact"), min_value=1)
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentityKind.choices)
    value = forms.CharField(label=_("Value"), max_length=200)


class ContractForm(forms.Form):
    plan = forms.CharField(label=_("Plan"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    number = forms.CharField(label=_("Number"), required=False, max_length=100)
    value_per_year = forms.DecimalField(
        label=_("Value per year"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    renews_on = forms.DateField(
        label=_("Renewal date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    auto_renew = forms.BooleanField(label=_("Renews automatically"), required=False)

    def to_input(self) -> services.ContractInput:
        return services.ContractInput(**self.cleaned_data)


class TierRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    tier = forms.ChoiceField(label=_("Customer tier"), choices=CustomerTier.choices)
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=10_000, initial=0)
    min_value_per_year = forms.DecimalField(
        label=_("Yearly contract value at least"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    tag = forms.CharField(label=_("Has the tag"), required=False, max_length=50)
    lifecycle_stage = forms.ChoiceField(
        label=_("In the lifecycle stage"),
        required=False,
        choices=[("", "—"), *LifecycleStage.choices],
    )
    min_assets = forms.IntegerField(
        label=_("At least this many assets"), required=False, min_value=0
    )

    def to_input(self) -> services.TierRuleInput:
        return services.TierRuleInput(**self.cleaned_data)


class CustomFieldForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=50, help_text=_("e.g. erp_code"))
    label_en = forms.CharField(label=_("Label (English)"), max_length=100)
    label_zh = forms.CharField(label=_("Label (Chinese)"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=FieldKind.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=2000,
        help_text=_("For a choice field, separated by commas."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)

    def to_input(self) -> services.CustomFieldInput:
        data = dict(self.cleaned_data)
        data["choices"] = [c.strip() for c in re.split(r"[,，]", data["choices"]) if c.strip()]
        return services.CustomFieldInput(**data)
