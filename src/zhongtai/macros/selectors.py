"""Reads of macros, scoped to the actor's unit and to the macros the actor may see.

A member of the staff sees the unit's shared macros, the macros of the teams they are a
member or the lead of, and their own personal macros; whoever writes shared macros
(``macros.manage``) also sees every team's. Nobody sees another person's personal macros,
and customer contacts see none (``PermissionDenied``); another unit's macro, or one the
actor may not see, is ``NotFound``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team
from zhongtai.core.errors import NotFound
from zhongtai.core.permissions import ensure_can
from zhongtai.macros.choices import MacroScope
from zhongtai.macros.models import Macro
from zhongtai.macros.placeholders import LazyValues, values_compute
from zhongtai.sla.choices import Target
from zhongtai.sla.countdown import ticket_clocks
from zhongtai.tickets.models import Ticket
from zhongtai.tickets.presenters import ticket_reference

MENU_LIMIT = 200  # the composer's menu lists at most this many macros


@dataclass(frozen=True)
class MacroFilter:
    scope: str = ""
    active: bool | None = None
    text: str = ""  # a plain filter on the name


def _my_teams(actor: Actor) -> QuerySet[Team]:
    return Team.objects.filter(tenant=actor.tenant).filter(
        Q(members=actor.user) | Q(lead=actor.user)
    )


def _visible(actor: Actor) -> Q:
    team_q = Q(scope=MacroScope.TEAM)
    if not actor.can("macros.manage"):
        team_q &= Q(team__in=_my_teams(actor).values("pk"))
    return Q(scope=MacroScope.SHARED) | Q(scope=MacroScope.PERSONAL, owner=actor.user) | team_q


def macro_list(*, actor: Actor, filters: MacroFilter | None = None) -> QuerySet[Macro]:
    """The unit's macros the actor may see, by scope (shared, team, personal) and name."""
    ensure_can(actor, "macros.use")
    filters = filters or MacroFilter()
    macros = (
        Macro.objects.filter(tenant=actor.tenant)
        .filter(_visible(actor))
        .select_related("team", "owner", "set_category__parent")
    )
    if filters.scope:
        macros = macros.filter(scope=filters.scope)
    if filters.active is not None:
        macros = macros.filter(is_active=filters.active)
    if filters.text:
        macros = macros.filter(name__icontains=filters.text)
    scope_order = Case(
        When(scope=MacroScope.SHARED, then=Value(0)),
        When(scope=MacroScope.TEAM, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return macros.order_by(scope_order, "name", "id")


def macro_get(*, actor: Actor, macro_id: int) -> Macro:
    """A macro the actor may see (``NotFound`` otherwise)."""
    macro = macro_list(actor=actor).filter(pk=macro_id).first()
    if macro is None:
        raise NotFound()
    return macro


def macro_menu(*, actor: Actor) -> list[Macro]:
    """The active macros the actor may use on a ticket (shared, then team, then personal)."""
    if not actor.can("macros.use"):
        return []
    return list(macro_list(actor=actor, filters=MacroFilter(active=True))[:MENU_LIMIT])


def macro_teams_for(*, actor: Actor) -> QuerySet[Team]:
    """Teams whose macros the actor may write: every team for ``macros.manage``, else the
    teams the actor leads."""
    teams = Team.objects.filter(tenant=actor.tenant)
    if actor.can("macros.manage"):
        return teams
    return teams.filter(lead=actor.user)


def due_text(moment: datetime | None, time_zone: str) -> str:
    """A due time as people read it, in the unit's time zone: ``2025-06-03 17:00 UTC+8``."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(time_zone))
    offset = local.utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    zone = "UTC" if minutes == 0 else f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def _resolution_due(actor: Actor, ticket: Ticket) -> str:
    for clock in ticket_clocks(actor=actor, ticket=ticket):
        if clock.target == Target.RESOLUTION and clock.due_at is not None:
            return due_text(clock.due_at, actor.tenant.time_zone)
    return ""


def placeholder_values(*, actor: Actor, ticket: Ticket, names: set[str]) -> dict[str, str]:
    """The value of each named placeholder for this ticket and agent (empty when the
    ticket has none). Only documented fields are read; only used ones are computed."""
    getters: LazyValues = {
        "customer.name": lambda: ticket.customer.name if ticket.customer else "",
        "contact.name": lambda: ticket.contact.name if ticket.contact else "",
        "ticket.number": lambda: ticket_reference(actor.tenant, ticket.number),
        "ticket.subject": lambda: ticket.subject,
        "ticket.due": lambda: _resolution_due(actor, ticket),
        "agent.name": lambda: str(actor.user),
    }
    return values_compute(names, getters)
