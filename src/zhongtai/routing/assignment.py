"""Assignment with the database: gather the lanes for ``assign.choose``, apply and record
what it decided.

A unit turns it on with ``RoutingSettings.auto_assign``. Then:

- a new ticket goes, once routing has set its team, to an available agent who can take it
  (``assign_at_intake``); one nobody can take waits in its team's queue;
- a ticket waiting in a queue is handed out as soon as someone can take it: when an agent
  becomes available, when a ticket closes and frees capacity, and every minute
  (``team_queue_drain``);
- when an agent goes offline, their tickets not started yet (new, no response) return to
  the queue and are handed out again (``unstarted_return``).

The person is the ticket's owner at L1 and its engineer above. Decisions within a unit
take turns (``core.locks``) so that two at once never give an agent more than their
capacity. Each one is on the ticket's timeline with its lane, the best candidates and
their load, and how many could not take it and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.models import Team, Tier
from zhongtai.core.locks import unit_lock
from zhongtai.core.models import Tenant
from zhongtai.routing.assign import (
    Agent,
    Decision,
    Lane,
    Need,
    Overflow,
    choose,
    lanes_for,
    language_of,
)
from zhongtai.routing.models import AgentProfile, TeamRouting
from zhongtai.routing.roster import epoch_sql, roster_read
from zhongtai.routing.rules import category_ancestors
from zhongtai.routing.state import TEAM_ROUTING, RoutingState, routing_state
from zhongtai.tickets import events
from zhongtai.tickets.choices import EventType, TicketStatus
from zhongtai.tickets.models import WAITING, Ticket

NO_ROUTING: tuple[Any, ...] = ("", None, None, None, False)  # no overflow rule, surge off
DRAIN_BATCH = 200  # tickets looked at per team and drain
DRAIN_MISSES = 20  # a drain stops after this many tickets in a row that nobody could take


def person_field(tier: str) -> str:
    """Who holds a ticket at its tier: the owner at L1, the engineer above."""
    return "assignee" if tier == Tier.L1 else "engineer"


def need_of(ticket: Ticket, state: RoutingState) -> Need:
    customer = ticket.customer if ticket.customer_id else None
    asset = ticket.asset if ticket.asset_id else None
    return Need(
        channel=ticket.channel,
        category_ids=frozenset(category_ancestors(ticket.category_id, state.parents)),
        language=language_of(f"{ticket.subject}\n{ticket.description}"),
        customer_tier=customer.tier if customer else "",
        product_line=asset.product_line.strip().lower() if asset else "",
    )


def waiting_tickets(tenant_id: int, team_id: int) -> QuerySet[Ticket]:
    """The team's queue: open tickets nobody holds at their tier, triage done. The
    partial index ``ticket_waiting`` holds exactly these."""
    return Ticket.objects.filter(WAITING, tenant_id=tenant_id, team_id=team_id)


# ``WAITING`` in SQL, term for term as the partial index ``ticket_waiting`` has it, so that
# both databases count from that index alone (the ORM would cost more than the count).
WAITING_SQL = """
    SELECT COUNT(*), {oldest} FROM tickets_ticket
    WHERE tenant_id = %s AND team_id = %s
      AND ("is_open" AND "merged_into_id" IS NULL AND NOT "needs_triage"
           AND (("assignee_id" IS NULL AND "tier" = 'l1')
                OR (NOT ("tier" = 'l1') AND "engineer_id" IS NULL)))"""


def queue_of(tenant_id: int, team_id: int, *, besides: int | None = None) -> tuple[int, float]:
    """How many tickets wait in the team's queue (besides one ticket), and the oldest
    one's wait in minutes."""
    sql = WAITING_SQL.format(oldest=epoch_sql("MIN(created_at)"))
    params: list[Any] = [tenant_id, team_id]
    if besides is not None:
        sql += " AND id <> %s"
        params.append(besides)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        waiting, oldest = cursor.fetchone()
    minutes = (timezone.now().timestamp() - oldest) / 60 if oldest is not None else 0.0
    return waiting, minutes


@dataclass
class TeamLanes:
    """Everyone a ticket of one team may go to, read at once: for one decision at intake,
    or for a whole drain, where each ticket given out is then counted in memory
    (``given``) instead of reading the lanes again."""

    tenant_id: int
    team_id: int
    vip_id: int | None
    backup_id: int | None
    overflow: Overflow
    surge_on: bool
    members: dict[int, list[int]]
    surge_ids: list[int]
    agents: dict[int, Agent]
    waiting: int = 0  # tickets waiting in the team's queue besides the one decided
    oldest_wait_minutes: float = 0.0

    def overflowing(self) -> bool:
        return self.overflow.passed(self.waiting, self.oldest_wait_minutes)

    def decide(self, need: Need) -> tuple[Decision, dict[str, Any]]:
        """Who takes a ticket with ``need`` (nobody: it waits), and the overflow state."""
        overflowing = self.overflowing()
        context: dict[str, Any] = {}
        if self.overflow.to:
            context = {
                "waiting": self.waiting,
                "oldest_wait_minutes": round(self.oldest_wait_minutes, 1),
            }
            if overflowing:
                context["overflow"] = self.overflow.to

        def lane(kind: str, team_id: int | None, users: Iterable[int]) -> Lane | None:
            if team_id is None:
                return None
            return Lane(kind, team_id, [self.agents[u] for u in users if u in self.agents])

        home = self.members.get(self.team_id, [])
        vip = self.vip_id if need.customer_tier == "vip" else None
        surge = [u for u in self.surge_ids if u not in set(home)]
        lanes = lanes_for(
            vip=lane("vip", vip, self.members.get(vip, []) if vip else []),
            team=lane("team", self.team_id, home),
            surge=lane("surge", self.team_id, surge) if surge else None,
            backup=lane("backup", self.backup_id, self.members.get(self.backup_id or 0, [])),
            surge_on=self.surge_on,
            overflowing=overflowing,
            overflow_to=self.overflow.to,
        )
        return choose(lanes, need), context

    def given(self, decision: Decision, channel: str, *, at: datetime) -> None:
        """Count a ticket given out by ``decision`` in memory, as the next read would."""
        agent = self.agents[decision.user_id] if decision.user_id is not None else None
        if agent is None:
            return
        by_channel = Counter(agent.open_by_channel)
        by_channel[channel] += 1
        self.agents[agent.user_id] = replace(
            agent, open=agent.open + 1, open_by_channel=by_channel, last_assigned=at.timestamp()
        )


def team_lanes(
    tenant: Tenant,
    team_id: int,
    state: RoutingState,
    *,
    at: datetime,
    vip: bool = True,
    besides: int | None = None,
    channel: str | None = None,
    every_lane: bool = False,
    routing: tuple[Any, ...] | None = None,
) -> TeamLanes:
    """Read the lanes of a team's tickets. Only what a decision can use is read: the VIP
    lane for a VIP customer (``vip``), the waiting count where the team has an overflow
    rule, the surge pool while surge mode is on or the team overflows into it, the backup
    team while it overflows into that; ``every_lane`` reads them all (a drain). Loads are
    read for ``channel``, or for every channel when it is None. The team's overflow rule
    and surge switch are read unless given as ``routing`` (``RoutingState.team_routing``)."""
    if routing is None:
        routing = (
            TeamRouting.objects.filter(team_id=team_id)
            .order_by()
            .values_list(*TEAM_ROUTING[1:])
            .first()
        )
    overflow_to, backup_id, max_waiting, max_wait, surge_on = routing or NO_ROUTING
    lanes = TeamLanes(
        tenant_id=tenant.pk,
        team_id=team_id,
        vip_id=state.vip_team_id if state.vip_team_id != team_id else None,
        backup_id=backup_id if overflow_to == "backup" else None,
        overflow=Overflow(overflow_to, max_waiting, max_wait),
        surge_on=surge_on,
        members={},
        surge_ids=[],
        agents={},
    )
    if overflow_to:
        lanes.waiting, lanes.oldest_wait_minutes = queue_of(tenant.pk, team_id, besides=besides)
    overflowing = every_lane or lanes.overflowing()
    surge = surge_on or (overflowing and overflow_to == "surge")
    if not overflowing:
        lanes.backup_id = None
    if not (vip or every_lane):
        lanes.vip_id = None
    roster = roster_read(
        tenant_id=tenant.pk,
        team_ids=[t for t in (lanes.vip_id, team_id, lanes.backup_id) if t is not None],
        surge_team_id=team_id if surge else None,
        surge_day=timezone.localtime(at, ZoneInfo(tenant.time_zone)).date() if surge else None,
        channel=channel,
    )
    lanes.members, lanes.surge_ids, lanes.agents = roster.members, roster.surge_ids, roster.agents
    return lanes


def decide(ticket: Ticket, state: RoutingState, *, at: datetime) -> tuple[Decision, dict[str, Any]]:
    """Who takes ``ticket`` now (nobody: it waits), and the overflow state that went in."""
    if ticket.team_id is None:
        return Decision(user_id=None, team_id=None, lane=None), {}
    need = need_of(ticket, state)
    lanes = team_lanes(
        ticket.tenant,
        ticket.team_id,
        state,
        at=at,
        vip=need.customer_tier == "vip",
        besides=ticket.pk,
        channel=need.channel,
        routing=state.team_routing.get(ticket.team_id, NO_ROUTING),
    )
    return lanes.decide(need)


def _apply(ticket: Ticket, decision: Decision, *, at: datetime) -> list[str]:
    """Give ``ticket`` (not saved) to the decided person, in the decided lane's team."""
    changed: list[str] = []
    if decision.team_id is not None and decision.team_id != ticket.team_id:
        team = Team.objects.get(pk=decision.team_id, tenant_id=ticket.tenant_id)
        ticket.team, ticket.tier = team, team.tier
        changed += ["team", "tier"]
    field = person_field(ticket.tier)
    user_id = decision.user_id
    if user_id is None:  # (the callers check)
        raise ValueError("nobody to give the ticket to")
    setattr(ticket, f"{field}_id", user_id)
    changed.append(field)
    AgentProfile.objects.filter(tenant_id=ticket.tenant_id, user_id=user_id).update(
        last_assigned_at=at
    )
    return changed


def _assignment_row(
    ticket: Ticket,
    field: str,
    from_team: Any,
    explain: dict[str, Any] | None,
    at: datetime,
    *,
    to: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from zhongtai.tickets.services._base import team_ref, user_ref  # (they import routing)

    return events.event_row(
        tenant_id=ticket.tenant_id,
        ticket_id=ticket.pk,
        type=EventType.ASSIGNMENT,
        at=at,
        data={
            "role": field,
            "from": None,
            "to": to or user_ref(getattr(ticket, field)),
            "from_team": team_ref(from_team),
            "to_team": team_ref(ticket.team),
            **({"routing": explain} if explain is not None else {}),
        },
    )


def _person(decision: Decision) -> dict[str, Any] | None:
    """The person a decision named, as the timeline names them (without reading them)."""
    for candidate in decision.candidates:
        if candidate["id"] == decision.user_id:
            return {"id": candidate["id"], "name": candidate["name"]}
    return None


def _notify(event_ids: list[int]) -> None:
    from zhongtai.tickets.tasks import ticket_event_notify_task

    def send(event_id: int) -> None:
        transaction.on_commit(lambda: ticket_event_notify_task(event_id))

    for event_id in event_ids:
        send(event_id)


def assign_at_intake(
    ticket: Ticket, state: RoutingState
) -> tuple[list[str], dict[str, Any] | None]:
    """Inside ``ticket_route``: give the new ticket to someone if the unit assigns
    automatically and nobody was named. Returns the changed fields (the caller saves) and
    the explanation for the routing event."""
    if not state.auto_assign or ticket.needs_triage or ticket.team_id is None:
        return [], None
    if getattr(ticket, f"{person_field(ticket.tier)}_id") is not None:
        return [], None
    unit_lock("assignment", ticket.tenant_id)
    at = timezone.now()
    decision, context = decide(ticket, state, at=at)
    explain = {**decision.explain(), **context}
    if decision.user_id is None:
        return [], explain
    return _apply(ticket, decision, at=at), explain


def assignment_recorded(ticket: Ticket, changed: list[str], from_team: Any) -> None:
    """The assignment event of an intake decision, after the ticket was saved: the
    assignee hears of it once the ticket is committed."""
    field = person_field(ticket.tier)
    if field not in changed:
        return
    at = timezone.now()
    # (the routing event just before it says why)
    ids = events.events_insert(
        [_assignment_row(ticket, field, from_team, None, at)], returning=True
    )
    _notify(ids)


def team_queue_drain(*, tenant_id: int, team_id: int, limit: int = DRAIN_BATCH) -> int:
    """Hand the team's waiting tickets, oldest first, to whoever can take them now.
    Returns how many were assigned.

    The lanes are read once; each ticket given out is counted in memory, so a drain costs
    about one write per ticket. It holds the unit's assignment lock meanwhile."""
    from zhongtai.tickets.services._base import save_with_version  # (they import routing)

    state = routing_state(tenant_id)
    if not state.auto_assign:
        return 0
    assigned = misses = 0
    with transaction.atomic():
        unit_lock("assignment", tenant_id)
        tickets = list(
            waiting_tickets(tenant_id, team_id)
            .select_related("tenant", "customer", "team", "asset")
            .select_for_update(of=("self",))
            .order_by("created_at", "id")[:limit]
        )
        if not tickets:
            return 0
        now = timezone.now()
        lanes = team_lanes(tickets[0].tenant, team_id, state, at=now, every_lane=True)
        waiting = lanes.waiting if lanes.overflow.to else len(tickets)
        missed: list[datetime] = []  # the created times of the tickets still waiting
        rows = []
        for position, ticket in enumerate(tickets):
            at = timezone.now()
            later = tickets[position + 1].created_at if position + 1 < len(tickets) else None
            oldest = missed[0] if missed else later
            lanes.waiting = waiting - 1
            lanes.oldest_wait_minutes = (at - oldest).total_seconds() / 60 if oldest else 0.0
            from_team = ticket.team
            decision, context = lanes.decide(need_of(ticket, state))
            if decision.user_id is None:
                missed.append(ticket.created_at)
                misses += 1
                if misses >= DRAIN_MISSES:
                    break
                continue
            misses = 0
            waiting -= 1
            changed = _apply(ticket, decision, at=at)
            save_with_version(ticket, changed)
            lanes.given(decision, ticket.channel, at=at)
            field = person_field(ticket.tier)
            explain = {**decision.explain(), **context}
            rows.append(
                _assignment_row(ticket, field, from_team, explain, at, to=_person(decision))
            )
            assigned += 1
        _notify(events.events_insert(rows, returning=True))
    return assigned


def queues_drain() -> int:
    """Drain every team queue with waiting tickets, in every unit that assigns
    automatically (the periodic task). Returns how many were assigned."""
    from zhongtai.routing.models import RoutingSettings

    assigned = 0
    units = RoutingSettings.objects.filter(auto_assign=True).values_list("tenant_id", flat=True)
    for tenant_id in units:
        teams = (
            Ticket.objects.filter(WAITING, tenant_id=tenant_id, team__isnull=False)
            .order_by()
            .values_list("team_id", flat=True)
            .distinct()
        )
        for team_id in list(teams):
            assigned += team_queue_drain(tenant_id=tenant_id, team_id=team_id)
    return assigned


def unstarted_return(*, tenant_id: int, user_id: int, reason: str) -> list[int]:
    """Take back the person's tickets not started yet (new, nobody answered): they go
    back to their team's queue. Returns the teams whose queues got tickets back."""
    from zhongtai.tickets.services._base import save_with_version, team_ref, user_ref

    tickets = (
        Ticket.objects.filter(
            tenant_id=tenant_id,
            is_open=True,
            status=TicketStatus.NEW,
            first_response_at__isnull=True,
        )
        .filter(Q(tier=Tier.L1, assignee_id=user_id) | (~Q(tier=Tier.L1) & Q(engineer_id=user_id)))
        .select_related("team", "assignee", "engineer")
        .select_for_update(of=("self",))
        .order_by("id")
    )
    teams: set[int] = set()
    rows = []
    at = timezone.now()
    for ticket in tickets:
        field = person_field(ticket.tier)
        old = getattr(ticket, field)
        setattr(ticket, field, None)
        save_with_version(ticket, [field])
        rows.append(
            events.event_row(
                tenant_id=tenant_id,
                ticket_id=ticket.pk,
                type=EventType.ASSIGNMENT,
                at=at,
                body=reason,
                data={
                    "role": field,
                    "from": user_ref(old),
                    "to": None,
                    "from_team": team_ref(ticket.team),
                    "to_team": team_ref(ticket.team),
                    "returned": True,
                },
            )
        )
        if ticket.team_id is not None:
            teams.add(ticket.team_id)
    events.events_insert(rows)
    return sorted(teams)


def drain_after_commit(tenant_id: int, team_ids: Iterable[int]) -> None:
    """Hand out the teams' waiting tickets in a task, once this transaction committed."""
    from zhongtai.routing.tasks import team_queue_drain_task

    ids = sorted(set(team_ids))
    if ids and routing_state(tenant_id).auto_assign:
        transaction.on_commit(lambda: team_queue_drain_task(tenant_id, ids))


def capacity_freed(ticket: Ticket) -> None:
    """A held ticket closed (the caller's transaction): its team's queue may move."""
    if ticket.team_id is not None and (ticket.assignee_id or ticket.engineer_id):
        drain_after_commit(ticket.tenant_id, [ticket.team_id])


def offline_message(name: str) -> str:
    return _("Returned to the queue: %(name)s went offline.") % {"name": name}
