"""A month of SLA timers with known outcomes, for the report tests (selector, API, page).

Business unit A works in Asia/Shanghai (UTC+8); the report month is May 2024 there, i.e.
2024-04-30T16:00Z up to 2024-05-31T16:00Z. Timers are written directly (the report only
reads them), one ticket per running timer (a ticket has one running timer per target),
reported under their ticket's team, assignee, tier, priority and type as the clocks do.

In May, not cancelled (9 timers): met 6, breached 2, open 1, so 6 / 8 = 75 % met. Tickets
(team and tier, assignee, priority: timers with their business minutes):

- a: Frontline (L1), agent, high: FR met 10, RES breached then fulfilled 600, NR met 5
- b: Frontline (L1), agent2, normal: FR met 20, RES open
- c: Service engineering (L2), l2, urgent: FR breached (not fulfilled), RES met 300
- d: Frontline (L1), unassigned, low: FR met 40, RES cancelled (fulfilled 1: ignored)
- g: Frontline (L1), agent, normal: FR met 30, started May 1 00:00 local

Outside: e (Apr 30 23:59 local), f (Jun 1 00:00 local), and one timer of business unit B.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tests import factories
from zhongtai.accounts.actors import Actor
from zhongtai.core.models import Tenant
from zhongtai.sla.choices import Target
from zhongtai.sla.clocks import report_groups
from zhongtai.sla.models import BusinessCalendar, SlaTimer
from zhongtai.tickets.models import Ticket

MAY_FROM = date(2024, 5, 1)
MAY_TO = date(2024, 6, 1)  # exclusive
MAY_START = datetime(2024, 4, 30, 16, 0, tzinfo=UTC)  # May 1 00:00 in Shanghai
MID_MAY = datetime(2024, 5, 15, 2, 0, tzinfo=UTC)

FR, NR, RES = Target.FIRST_RESPONSE, Target.NEXT_RESPONSE, Target.RESOLUTION


@dataclass
class Scene:
    tickets: dict[str, Ticket]
    calendar: BusinessCalendar


def calendar_for(tenant: Tenant) -> BusinessCalendar:
    calendar, _created = BusinessCalendar.objects.get_or_create(
        tenant=tenant, name="Around the clock", defaults={"always_open": True}
    )
    return calendar


def timer(
    ticket: Ticket,
    target: str,
    *,
    started: datetime = MID_MAY,
    met: float | None = None,
    breached: bool = False,
    fulfilled_minutes: float | None = None,
    cancelled: bool = False,
) -> SlaTimer:
    """A timer of ``ticket``: ``met=minutes`` fulfilled in time; ``breached`` (and
    ``fulfilled_minutes`` when fulfilled late); neither: running."""
    minutes = met if met is not None else fulfilled_minutes
    return SlaTimer.objects.create(
        tenant=ticket.tenant,
        ticket=ticket,
        target=target,
        calendar=calendar_for(ticket.tenant),
        target_minutes=60,
        started_at=started,
        due_at=started + timedelta(hours=1),
        fulfilled_at=started + timedelta(minutes=minutes) if minutes is not None else None,
        breached_at=started + timedelta(hours=1) if breached else None,
        cancelled_at=started + timedelta(minutes=2) if cancelled else None,
        business_minutes=minutes,
        **report_groups(ticket),
    )


def _ticket(by: Actor, **kwargs: object) -> Ticket:
    return factories.ticket(by, **kwargs)


def build(world: factories.World) -> Scene:
    agent, agent2, l2 = world.agent.user, world.agent2.user, world.l2.user
    t = {
        "a": _ticket(world.agent, team=world.l1_team, assignee=agent, priority="high"),
        "b": _ticket(world.agent, team=world.l1_team, assignee=agent2, type="incident"),
        "c": _ticket(world.agent, team=world.l2_team, assignee=l2, priority="urgent"),
        "d": _ticket(world.agent, team=world.l1_team, priority="low"),
        "g": _ticket(world.agent, team=world.l1_team, assignee=agent),
        "e": _ticket(world.agent, team=world.l1_team, assignee=agent),
        "f": _ticket(world.agent, team=world.l1_team, assignee=agent),
    }
    timer(t["a"], FR, met=10)
    timer(t["a"], RES, breached=True, fulfilled_minutes=600)
    timer(t["a"], NR, met=5)
    timer(t["b"], FR, met=20)
    timer(t["b"], RES)
    timer(t["c"], FR, breached=True)
    timer(t["c"], RES, met=300)
    timer(t["d"], FR, met=40)
    timer(t["d"], RES, cancelled=True, fulfilled_minutes=1)
    timer(t["g"], FR, started=MAY_START, met=30)
    timer(t["e"], FR, started=MAY_START - timedelta(minutes=1), met=1)
    timer(t["f"], FR, started=MAY_START + timedelta(days=31), met=1)
    other = _ticket(world.other_agent)
    timer(other, FR, met=1)
    timer(other, RES, breached=True)
    return Scene(tickets=t, calendar=calendar_for(world.tenant))
