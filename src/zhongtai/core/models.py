"""Tenancy and the base models every domain model inherits."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


class BaseModel(models.Model):
    """Creation and modification times, stored in UTC."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Tenant(BaseModel):
    """A business unit (事业部) served by the platform, with its own data and settings."""

    class Language(models.TextChoices):
        EN = "en", _("English")
        ZH_HANS = "zh-hans", _("Simplified Chinese")

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("default language"), max_length=10, choices=Language.choices, default=Language.EN
    )
    ticket_prefix = models.CharField(
        _("ticket number prefix"),
        max_length=6,
        validators=[RegexValidator(r"^[A-Z]{1,6}$", _("Use 1 to 6 capital letters."))],
    )
    ticket_seq = models.PositiveBigIntegerField(_("last ticket number"), default=0)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business unit")
        verbose_name_plural = _("business units")

    def __str__(self) -> str:
        return self.name

    def local_today(self, now: datetime | None = None) -> date:
        """The unit's calendar day at ``now`` (by default this moment), in its time zone:
        contracts, warranties and imports count by the unit's days, not the server's."""
        return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(self.time_zone)).date()


class TenantQuerySet(models.QuerySet[Any]):
    def for_tenant(self, tenant: Tenant) -> TenantQuerySet:
        return self.filter(tenant=tenant)


class TenantScopedModel(BaseModel):
    """A row that belongs to exactly one tenant; always read through a tenant-scoped selector."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, verbose_name=_("business unit"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class IdempotencyRecord(BaseModel):
    """The first answer to a create request, replayed when the same Idempotency-Key comes again."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE)
    scope = models.CharField(max_length=60)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user", "scope", "key"], name="idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
