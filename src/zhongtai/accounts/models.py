"""Users, their roles in business units, teams with a support tier, and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhongtai.core.models import BaseModel, TenantScopedModel
from zhongtai.core.permissions import Role


class User(AbstractUser):
    """A person who logs in: staff of a business unit or a customer contact."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)

    class Meta(AbstractUser.Meta):
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Membership(TenantScopedModel):
    """A user's role in one business unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["tenant", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.get_role_display()})"


class Tier(models.TextChoices):
    L1 = "l1", _("L1 frontline")
    L2 = "l2", _("L2 service engineering")
    L3 = "l3", _("L3 R&D")


class Team(TenantScopedModel):
    """A team at one support tier; tickets are routed to teams and escalate between tiers."""

    name = models.CharField(_("name"), max_length=120)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.L1)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="teams", blank=True, verbose_name=_("members")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("team lead"),
    )

    class Meta:
        ordering = ["tier", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="team_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_tier_display()})"


class ApiToken(BaseModel):
    """A personal API token for one membership. Only a SHA-256 hash of the secret is kept."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("membership")
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
