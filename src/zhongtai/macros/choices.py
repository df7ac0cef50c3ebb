"""Scopes of macros, the languages of their text, and the statuses a macro may set."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhongtai.tickets.choices import TicketStatus
from zhongtai.tickets.workflow import TRANSITIONS


class MacroScope(models.TextChoices):
    """Who sees a macro: everyone on the unit's staff, one team, or its owner alone."""

    SHARED = "shared", _("Shared")
    TEAM = "team", _("Team")
    PERSONAL = "personal", _("Personal")


SCOPE_BADGES: dict[str, str] = {
    MacroScope.SHARED: "primary",
    MacroScope.TEAM: "info",
    MacroScope.PERSONAL: "secondary",
}


class MacroLanguage(models.TextChoices):
    """The languages a macro's text is written in (the units' languages)."""

    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


# A macro may set a status that the workflow can reach (every one but "new"); whether the
# ticket may go there from where it is, the workflow decides when the macro is applied.
REACHABLE_STATUSES: tuple[str, ...] = tuple(
    status
    for status in TicketStatus.values
    if any(status in targets for targets in TRANSITIONS.values())
)
