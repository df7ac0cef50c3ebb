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

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.models import Membership, Team, Tier
from zhongtai.core.locks import unit_lock
from zhongtai.routing.assign import (
    AVAILABLE,
    Agent,
    Decision,
    Lane,
    Need,
    Overflow,
    choose,
    lanes_for,
    language_of,
)
from zhongtai.routing.loads import loads_of
from zhongtai.routing.models import AgentProfile, SurgeEnrolment, TeamRouting
from zhongtai.routing.rules import category_ancestors
from zhongtai.routing.state import RoutingState, routing_state
from zhongtai.tickets import events
from zhongtai.tickets.choices import EventType, TicketStatus
from zhongtai.tickets.models import Ticket

DRAIN_BATCH = 200  # tickets looked at per team and drain
DRAIN_MISSES = 20  # a drain stops after this many tickets in a row that nobody could take
# Nobody holds it at its tier: waiting in its team's queue.
UNASSIGNED = Q(tier=Tier.L1, assignee__isnull=True) | (~Q(tier=Tier.L1) & Q(engineer__isnull=True))


def person_field(tier: str) -> str:
    """Who holds a ticket at its tier: the owner at L1, the engineer above."""
    return "assignee" if tier == Tier.L1 else "engineer"


def need_of(ticket: Ticket, state: RoutingState) -> Need:
    customer = ticket.customer if ticket.customer_id else None
    return Need(
        channel=ticket.channel,
        category_ids=frozenset(category_ancestors(ticket.category_id, state.parents)),
        language=language_of(f"{ticket.subject}\n{ticket.description}"),
        customer_tier=customer.tier if customer else "",
    )


def _members(team_ids: Iterable[int]) -> dict[int, list[int]]:
    through = Team.members.through
    rows = through.objects.filter(team_id__in=list(team_ids)).values_list("team_id", "user_id")
    members: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in rows:
        members[team_id].append(user_id)
    return members


def agents_of(tenant_id: int, user_ids: Iterable[int]) -> dict[int, Agent]:
    """The profiles of these people in the unit, with the load of those available."""
    active = Membership.objects.filter(
        tenant_id=tenant_id, user_id=OuterRef("user_id"), is_active=True
    )
    rows = list(
        AgentProfile.objects.filter(
            tenant_id=tenant_id, user_id__in=list(user_ids), user__is_active=True
        )
        .filter(Exists(active))
        .values_list(
            "user_id",
            "user__display_name",
            "user__username",
            "status",
            "max_open",
            "channel_caps",
            "categories",
            "languages",
            "customer_tiers",
            "last_assigned_at",
        )
    )
    available = [row[0] for row in rows if row[3] == AVAILABLE]
    loads = loads_of(tenant_id, available)
    agents = {}
    for user_id, display, username, status, max_open, caps, cats, langs, tiers, last in rows:
        by_channel = loads.get(user_id, Counter())
        agents[user_id] = Agent(
            user_id=user_id,
            name=display or username,
            status=status,
            max_open=max_open,
            channel_caps=caps or {},
            categories=frozenset(cats or ()),
            languages=frozenset(langs or ()),
            customer_tiers=frozenset(tiers or ()),
            open=sum(by_channel.values()),
            open_by_channel=by_channel,
            last_assigned=last.timestamp() if last else 0.0,
        )
    return agents


def queue_of(tenant_id: int, team_id: int, *, besides: int | None = None) -> tuple[int, float]:
    """How many unassigned open tickets wait in the team's queue (besides one ticket),
    and the oldest one's wait in minutes."""
    rows = Ticket.objects.filter(tenant_id=tenant_id, team_id=team_id, is_open=True).filter(
        UNASSIGNED
    )
    if besides is not None:
        rows = rows.exclude(pk=besides)
    row = rows.aggregate(n=Count("id"), oldest=Min("created_at"))
    oldest = row["oldest"]
    minutes = (timezone.now() - oldest).total_seconds() / 60 if oldest else 0.0
    return row["n"], minutes


def decide(ticket: Ticket, state: RoutingState, *, at: datetime) -> tuple[Decision, dict[str, Any]]:
    """Who takes ``ticket`` now (nobody: it waits), and the overflow state that went in."""
    need = need_of(ticket, state)
    team_id = ticket.team_id
    vip_id = state.vip_team_id if need.customer_tier == "vip" else None
    if vip_id == team_id:
        vip_id = None
    routing = (
        TeamRouting.objects.filter(team_id=team_id)
        .values_list("overflow_to", "backup_team_id", "max_waiting", "max_wait_minutes", "surge_on")
        .first()
        if team_id
        else None
    )
    overflow_to, backup_id, max_waiting, max_wait, surge_on = routing or (
        "",
        None,
        None,
        None,
        False,
    )
    context: dict[str, Any] = {}
    overflowing = False
    if overflow_to and team_id is not None:
        waiting, oldest = queue_of(ticket.tenant_id, team_id, besides=ticket.pk)
        overflowing = Overflow(overflow_to, max_waiting, max_wait).passed(waiting, oldest)
        context = {"waiting": waiting, "oldest_wait_minutes": round(oldest, 1)}
        if overflowing:
            context["overflow"] = overflow_to
    if overflow_to != "backup":
        backup_id = None
    surge_ids: list[int] = []
    if team_id is not None and (surge_on or (overflowing and overflow_to == "surge")):
        day = timezone.localtime(at, ZoneInfo(ticket.tenant.time_zone)).date()
        surge_ids = list(
            SurgeEnrolment.objects.filter(team_id=team_id, day=day).values_list(
                "user_id", flat=True
            )
        )
    teams = [t for t in (vip_id, team_id, backup_id) if t is not None]
    members = _members(teams)
    everyone = {u for users in members.values() for u in users} | set(surge_ids)
    agents = agents_of(ticket.tenant_id, everyone)

    def lane(kind: str, lane_team: int | None, users: Iterable[int]) -> Lane | None:
        if lane_team is None:
            return None
        return Lane(kind, lane_team, [agents[u] for u in users if u in agents])

    home = set(members.get(team_id, [])) if team_id is not None else set()
    lanes = lanes_for(
        vip=lane("vip", vip_id, members.get(vip_id, []) if vip_id else []),
        team=lane("team", team_id, home),
        surge=lane("surge", team_id, [u for u in surge_ids if u not in home])
        if surge_ids
        else None,
        backup=lane("backup", backup_id, members.get(backup_id, []) if backup_id else []),
        surge_on=surge_on,
        overflowing=overflowing,
        overflow_to=overflow_to,
    )
    return choose(lanes, need), context


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
    ticket: Ticket, field: str, from_team: Any, explain: dict[str, Any] | None, at: datetime
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
            "to": user_ref(getattr(ticket, field)),
            "from_team": team_ref(from_team),
            "to_team": team_ref(ticket.team),
            **({"routing": explain} if explain is not None else {}),
        },
    )


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
    Returns how many were assigned."""
    from zhongtai.tickets.services._base import save_with_version  # (they import routing)

    state = routing_state(tenant_id)
    if not state.auto_assign:
        return 0
    assigned = misses = 0
    with transaction.atomic():
        unit_lock("assignment", tenant_id)
        tickets = (
            Ticket.objects.filter(
                tenant_id=tenant_id,
                team_id=team_id,
                is_open=True,
                needs_triage=False,
                merged_into__isnull=True,
            )
            .filter(UNASSIGNED)
            .select_related("tenant", "customer", "team")
            .select_for_update(of=("self",))
            .order_by("created_at", "id")[:limit]
        )
        rows = []
        for ticket in tickets:
            at = timezone.now()
            from_team = ticket.team
            decision, context = decide(ticket, state, at=at)
            if decision.user_id is None:
                misses += 1
                if misses >= DRAIN_MISSES:
                    break
                continue
            misses = 0
            changed = _apply(ticket, decision, at=at)
            save_with_version(ticket, changed)
            field = person_field(ticket.tier)
            explain = {**decision.explain(), **context}
            rows.append(_assignment_row(ticket, field, from_team, explain, at))
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
            Ticket.objects.filter(
                tenant_id=tenant_id, is_open=True, needs_triage=False, team__isnull=False
            )
            .filter(UNASSIGNED)
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
