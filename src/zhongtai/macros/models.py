"""Macros (canned responses): a reply text in English and/or Simplified Chinese with
placeholders (``zhongtai.macros.placeholders``), and optional field actions that are
applied through the ticket services when the macro is used.

A macro is shared (the unit's whole staff sees it), a team's (its members and lead) or
personal (its owner alone). Its name is unique within what it belongs to: the unit for a
shared macro, the team, or the owner.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhongtai.core.models import TenantScopedModel
from zhongtai.macros.choices import MacroLanguage, MacroScope
from zhongtai.tickets.choices import TicketStatus

MAX_BODY = 10_000


class Macro(TenantScopedModel):
    name = models.CharField(_("name"), max_length=120)
    scope = models.CharField(
        _("scope"), max_length=10, choices=MacroScope.choices, default=MacroScope.PERSONAL
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    body_en = models.TextField(_("text in English"), max_length=MAX_BODY, blank=True)
    body_zh = models.TextField(_("text in Simplified Chinese"), max_length=MAX_BODY, blank=True)
    # actions, applied through the ticket services when the macro is used
    set_status = models.CharField(
        _("set status"), max_length=20, choices=TicketStatus.choices, blank=True
    )
    add_tags = models.JSONField(_("add tags"), default=list, blank=True)
    set_category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set category"),
    )
    use_count = models.PositiveIntegerField(_("times used"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["tenant", "name"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                condition=Q(scope=MacroScope.SHARED),
                name="macro_shared_name_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "team", "name"],
                condition=Q(scope=MacroScope.TEAM),
                name="macro_team_name_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "owner", "name"],
                condition=Q(scope=MacroScope.PERSONAL),
                name="macro_personal_name_unique",
            ),
            models.CheckConstraint(
                condition=Q(scope=MacroScope.SHARED, team__isnull=True, owner__isnull=True)
                | Q(scope=MacroScope.TEAM, team__isnull=False, owner__isnull=True)
                | Q(scope=MacroScope.PERSONAL, team__isnull=True, owner__isnull=False),
                name="macro_scope_names_its_holder",
            ),
            models.CheckConstraint(
                condition=~Q(body_en="") | ~Q(body_zh=""), name="macro_has_a_text"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "scope", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def languages(self) -> list[str]:
        """The languages it has a text in, English first."""
        found = [(MacroLanguage.EN, self.body_en), (MacroLanguage.ZH_HANS, self.body_zh)]
        return [str(language) for language, body in found if body.strip()]

    def text_in(self, language: str) -> tuple[str, str]:
        """``(language, text)``: the text in ``language``, or in the other one it has."""
        languages = self.languages or [language]
        chosen = language if language in languages else languages[0]
        return chosen, self.body_en if chosen == MacroLanguage.EN else self.body_zh

    @property
    def has_actions(self) -> bool:
        return bool(self.set_status or self.add_tags or self.set_category_id)
