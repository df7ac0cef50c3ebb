"""Customer 360 (客户档案): the companies served, their contacts and the identities by
which they reach us (emails, phones, WeCom ids), their contracts and subscriptions,
purchases, installed assets, owner, tier, lifecycle stage, tags and the unit's own custom
fields, and the profile's own timeline (notes, tier changes, imports).

A customer's ``tier`` is what the SLA and routing read: the tier the unit's rules compute
(``tier_computed``) unless a person overrode it (``tier_override``), which is recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhongtai.core.models import TenantScopedModel


class CustomerTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PREMIUM = "premium", _("Premium")
    VIP = "vip", _("VIP")


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    RENEWAL = "renewal", _("Up for renewal")
    AT_RISK = "at_risk", _("At risk")
    CHURNED = "churned", _("Churned")


def _external_id(verbose: Any = "") -> models.CharField:  # type: ignore[type-arg]
    return models.CharField(
        _("external id"),
        max_length=120,
        blank=True,
        help_text=verbose or _("The id in the CRM or ERP it comes from."),
    )


def _external_id_unique(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["tenant", "external_id"],
        condition=~models.Q(external_id=""),
        name=f"{model}_external_id_unique",
    )


class Customer(TenantScopedModel):
    """A company (or a person buying for themselves) that the business unit serves."""

    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(
        _("tier"), max_length=20, choices=CustomerTier.choices, default=CustomerTier.STANDARD
    )
    tier_computed = models.CharField(
        _("tier by the rules"),
        max_length=20,
        choices=CustomerTier.choices,
        default=CustomerTier.STANDARD,
    )
    tier_override = models.CharField(
        _("tier set by hand"), max_length=20, choices=CustomerTier.choices, blank=True
    )
    tier_override_reason = models.CharField(_("why"), max_length=300, blank=True)
    tier_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    tier_override_at = models.DateTimeField(_("set at"), null=True, blank=True)
    external_id = _external_id()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers_owned",
        verbose_name=_("owner"),
        help_text=_("The customer success manager or account manager."),
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.ACTIVE,
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    domains = models.JSONField(
        _("email domains"),
        default=list,
        blank=True,
        help_text=_("Mail from these domains belongs to this customer (e.g. example.com)."),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"], name="customer_name_unique_per_tenant"
            ),
            _external_id_unique("customer"),
        ]
        indexes = [models.Index(fields=["tenant", "owner"], name="customer_owner")]

    def __str__(self) -> str:
        return self.name


class Contact(TenantScopedModel):
    """A person at a customer; with a linked user they log in to the portal."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    external_id = _external_id()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("portal login"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user"],
                condition=models.Q(user__isnull=False),
                name="contact_user_unique_per_tenant",
            ),
            _external_id_unique("contact"),
        ]

    def __str__(self) -> str:
        return self.name


class WarrantyStatus(models.TextChoices):
    ACTIVE = "active", _("Under warranty")
    EXPIRED = "expired", _("Out of warranty")
    UNKNOWN = "unknown", _("Warranty unknown")


def warranty_status(ends_on: date | None, on: date) -> str:
    """An asset's warranty on a day: under warranty through ``ends_on`` inclusive."""
    if ends_on is None:
        return WarrantyStatus.UNKNOWN
    return WarrantyStatus.ACTIVE if on <= ends_on else WarrantyStatus.EXPIRED


class Asset(TenantScopedModel):
    """A product a customer runs: its model and product line, serial number, site,
    installation and warranty. A ticket may name the asset it is about; routing rules
    and agents' skills read its product line and warranty."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="assets", verbose_name=_("customer")
    )
    product_line = models.CharField(
        _("product line"), max_length=100, blank=True, help_text=_("e.g. Printers")
    )
    product_model = models.CharField(_("product model"), max_length=120)
    serial_number = models.CharField(_("serial number"), max_length=120)
    site = models.CharField(_("site"), max_length=200, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    warranty_ends_on = models.DateField(_("warranty ends on"), null=True, blank=True)
    external_id = _external_id(_("The asset's id in the CRM or ERP it comes from."))

    class Meta:
        ordering = ["serial_number"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "serial_number"], name="asset_serial_unique"),
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~models.Q(external_id=""),
                name="asset_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_model} {self.serial_number}"

    def warranty_on(self, day: date) -> str:
        return warranty_status(self.warranty_ends_on, day)


class IdentityKind(models.TextChoices):
    EMAIL = "email", pgettext_lazy("address kind", "Email")
    PHONE = "phone", _("Phone")
    WECOM_USERID = "wecom_userid", _("WeCom user id")
    WECOM_EXTERNAL_USERID = "wecom_external_userid", _("WeCom external user id")
    WECOM_UNIONID = "wecom_unionid", _("WeChat union id")
    OTHER_CHAT = "chat", _("Other chat id")


class Identity(TenantScopedModel):
    """One way a contact reaches us: an address, a number or a chat id. A value of a kind
    belongs to one contact of the unit, so that a message resolves to one person."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="identities", verbose_name=_("contact")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=IdentityKind.choices)
    value = models.CharField(_("value"), max_length=200)
    label = models.CharField(
        _("label"), max_length=60, blank=True, help_text=_("e.g. the chat tool's name")
    )

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "value"], name="identity_unique_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ContractKind(models.TextChoices):
    CONTRACT = "contract", _("Service contract")
    SUBSCRIPTION = "subscription", _("Subscription")


class ContractStatus(models.TextChoices):
    FUTURE = "future", _("Not started")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Contract(TenantScopedModel):
    """A service contract or a subscription: plan, yearly value, term and renewal date."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contracts", verbose_name=_("customer")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ContractKind.choices, default=ContractKind.CONTRACT
    )
    number = models.CharField(_("number"), max_length=100, blank=True)
    plan = models.CharField(_("plan"), max_length=120)
    value_per_year = models.DecimalField(
        _("value per year"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    renews_on = models.DateField(_("renewal date"), null=True, blank=True)
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    external_id = _external_id()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            _external_id_unique("contract"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.number or self.plan

    def status_on(self, day: date) -> str:
        if day < self.starts_on:
            return ContractStatus.FUTURE
        if self.ends_on is not None and day > self.ends_on:
            return ContractStatus.ENDED
        return ContractStatus.ACTIVE


class Purchase(TenantScopedModel):
    """An order: what the customer bought, when and for how much."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="purchases", verbose_name=_("customer")
    )
    order_number = models.CharField(_("order number"), max_length=100)
    ordered_on = models.DateField(_("ordered on"))
    product = models.CharField(_("product"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    external_id = _external_id()

    class Meta:
        ordering = ["-ordered_on", "-id"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        constraints = [_external_id_unique("purchase")]

    def __str__(self) -> str:
        return f"{self.order_number} {self.product}"


class FieldKind(models.TextChoices):
    TEXT = "text", pgettext_lazy("field kind", "Text")
    NUMBER = "number", pgettext_lazy("field kind", "Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    BOOLEAN = "boolean", _("Yes / no")


class CustomField(TenantScopedModel):
    """A field the unit adds to its customers' profiles; values live in ``Customer.custom``
    under ``key`` and are checked against this definition on every write."""

    key = models.SlugField(_("key"), max_length=50)
    label_en = models.CharField(_("label (English)"), max_length=100)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=FieldKind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="custom_field_key_unique")
        ]

    def __str__(self) -> str:
        return self.label_en

    def label(self, language: str) -> str:
        return self.label_zh if language.startswith("zh") and self.label_zh else self.label_en


class TierRule(TenantScopedModel):
    """When a customer gets a tier: every condition set must hold; the first rule (by
    position) that matches wins, and a customer no rule matches is standard."""

    name = models.CharField(_("name"), max_length=100)
    tier = models.CharField(_("tier"), max_length=20, choices=CustomerTier.choices)
    position = models.PositiveIntegerField(_("position"), default=0)
    min_value_per_year = models.DecimalField(
        _("yearly contract value at least"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("The sum of the active contracts' values per year."),
    )
    tag = models.CharField(_("has the tag"), max_length=50, blank=True)
    lifecycle_stage = models.CharField(
        _("in the lifecycle stage"), max_length=20, choices=LifecycleStage.choices, blank=True
    )
    min_assets = models.PositiveIntegerField(_("at least this many assets"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")

    def __str__(self) -> str:
        return self.name


class ProfileEventType(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Profile changed")
    TIER = "tier", _("Tier changed")
    OVERRIDE = "override", _("Tier set by hand")
    NOTE = "note", _("Note")
    IMPORTED = "imported", _("Imported")


class ProfileEvent(TenantScopedModel):
    """One entry on a customer profile's own timeline: notes (from the workspace or the
    chat sidebar), tier changes and who made them, imports."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="events", verbose_name=_("customer")
    )
    type = models.CharField(_("type"), max_length=20, choices=ProfileEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("profile event")
        verbose_name_plural = _("profile events")
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="profile_event_recent")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.type}"
