"""Macros as the pages show them: the list's rows and the composer's menu for one ticket,
each macro's text already filled in for that ticket (templates hold no logic, R10.5)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.macros import selectors
from zhongtai.macros.choices import SCOPE_BADGES, MacroLanguage, MacroScope
from zhongtai.macros.models import Macro
from zhongtai.macros.placeholders import placeholder_names, placeholders_fill
from zhongtai.tickets.choices import TicketStatus
from zhongtai.tickets.models import Ticket


def actions_text(macro: Macro) -> str:
    """What using the macro changes on the ticket, in words ("" when nothing)."""
    parts = []
    if macro.set_status:
        parts.append(_("status → %(s)s") % {"s": TicketStatus(macro.set_status).label})
    if macro.add_tags:
        parts.append(_("tags + %(t)s") % {"t": ", ".join(macro.add_tags)})
    if macro.set_category_id is not None and macro.set_category is not None:
        parts.append(_("category → %(c)s") % {"c": macro.set_category})
    return " · ".join(parts)


def holder_text(macro: Macro) -> str:
    """Whose macro it is: the unit's, a team's, or a person's."""
    if macro.scope == MacroScope.TEAM and macro.team is not None:
        return macro.team.name
    if macro.scope == MacroScope.PERSONAL and macro.owner is not None:
        return str(macro.owner)
    return _("Everyone")


def language_labels(macro: Macro) -> str:
    return ", ".join(str(MacroLanguage(language).label) for language in macro.languages)


@dataclass(frozen=True)
class MenuItem:
    """One macro in the composer's menu, its text filled in for the ticket."""

    id: int
    name: str
    scope: str
    scope_label: str
    badge: str
    language: str
    text: str
    actions: str
    has_actions: bool
    other_language: str = ""  # the macro's other language, when it has a text in it
    other_label: str = ""
    other_text: str = ""


def macro_menu(*, actor: Actor, ticket: Ticket) -> list[MenuItem]:
    """The macros the actor may use, each filled in for ``ticket`` in the unit's language
    (the other language offered when the macro has it). One query for the macros; the due
    time is read only when a macro uses it."""
    macros = selectors.macro_menu(actor=actor)
    if not macros:
        return []
    names: set[str] = set()
    for macro in macros:
        names |= placeholder_names(macro.body_en) | placeholder_names(macro.body_zh)
    values = selectors.placeholder_values(actor=actor, ticket=ticket, names=names)
    items = []
    for macro in macros:
        language, text = macro.text_in(actor.tenant.language)
        other = next((found for found in macro.languages if found != language), "")
        items.append(
            MenuItem(
                id=macro.pk,
                name=macro.name,
                scope=macro.scope,
                scope_label=str(MacroScope(macro.scope).label),
                badge=SCOPE_BADGES[macro.scope],
                language=language,
                text=placeholders_fill(text, values),
                actions=actions_text(macro),
                has_actions=macro.has_actions,
                other_language=other,
                other_label=str(MacroLanguage(other).label) if other else "",
                other_text=placeholders_fill(macro.text_in(other)[1], values) if other else "",
            )
        )
    return items
