"""Customers (companies served) and their contacts. Customer 360 extends these later."""

from __future__ import annotations

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
