"""Customers (companies served), their contacts and the assets they run. Customer 360
extends these later."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhongtai.core.models import TenantScopedModel


class CustomerTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PREMIUM = "premium", _("Premium")
    VIP = "vip", _("VIP")


class Customer(TenantScopedModel):
    """A company (or a person buying for themselves) that the business unit serves."""

    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(
        _("tier"), max_length=20, choices=CustomerTier.choices, default=CustomerTier.STANDARD
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"], name="customer_name_unique_per_tenant"
            )
        ]

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
            )
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
    external_id = models.CharField(
        _("external id"),
        max_length=120,
        blank=True,
        help_text=_("The asset's id in the CRM or ERP it comes from."),
    )

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
