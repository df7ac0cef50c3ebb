"""The bulk path of the demo: the ticket services' rules applied in memory, then inserted
with ``bulk_create``. It must leave exactly the rows the services would (the tests compare).

Mirrored rules (see ``tickets/services.py``): numbers come from the caller; every write
bumps ``version``; ``is_open`` follows the status; an agent's first public reply sets
``first_response_at`` and opens a new ticket; a customer's reply reopens a resolved or
pending-customer ticket; resolving sets ``resolved_at``, reopening clears it, closing sets
``closed_at``; escalation moves team and tier and clears the engineer; hand-back returns
to the team that escalated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from zhongtai.accounts.models import Team, Tier, User
from zhongtai.core.demo.stories import Step, TicketPlan
from zhongtai.core.rows import rows_update
from zhongtai.tickets.choices import OPEN_STATUSES, EventType, TicketStatus
from zhongtai.tickets.models import Category, Ticket, TicketEvent
from zhongtai.tickets.workflow import Cause, transition_error


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _team_ref(team: Team | None) -> dict[str, Any] | None:
    return {"id": team.pk, "name": team.name, "tier": team.tier} if team is not None else None


def _plain(value: Any) -> Any:
    if isinstance(value, Category):
        return {"id": value.pk, "name": str(value)}
    return value


@dataclass
class BulkTicket:
    """A ticket and its timeline built in memory from a plan."""

    ticket: Ticket
    events: list[TicketEvent] = field(default_factory=list)
    tag_ids: list[int] = field(default_factory=list)
    initial: dict[str, Any] = field(default_factory=dict)  # fields at creation (SLA replay)

    @classmethod
    def play(cls, plan: TicketPlan) -> BulkTicket:
        bulk = cls(ticket=cls._new_ticket(plan))
        if not plan.creator.is_customer:
            bulk.tag_ids = [tag.pk for tag in plan.tags]
        for step in plan.steps[1:]:
            bulk.apply(step, plan)
        return bulk

    @staticmethod
    def _new_ticket(plan: TicketPlan) -> Ticket:
        unit, creator = plan.unit, plan.creator
        customer_made = creator.is_customer
        team = unit.teams[Tier.L1]
        return Ticket(
            tenant=unit.tenant,
            number=plan.number,
            subject=plan.subject,
            description=plan.description,
            type=plan.type,
            priority="normal" if customer_made else plan.priority,
            channel="portal" if customer_made else plan.channel,
            category=None if customer_made else plan.category,
            customer=plan.contact.customer,
            contact=plan.contact,
            team=team,
            tier=team.tier,
            requester=creator.user,
            created_at=plan.created_at,
            updated_at=plan.created_at,
        )

    def __post_init__(self) -> None:
        ticket = self.ticket
        self.initial = {
            "priority": ticket.priority,
            "type": ticket.type,
            "category_id": ticket.category_id,
            "channel": ticket.channel,
            "team_id": ticket.team_id,
            "tier": ticket.tier,
            "assignee_id": ticket.assignee_id,
        }
        self.event(
            ticket.created_at,
            ticket.requester,
            EventType.CREATED,
            body=ticket.description,
            is_public=True,
            data={"channel": ticket.channel, "priority": ticket.priority, "type": ticket.type},
        )

    def event(
        self,
        at: datetime,
        actor: User | None,
        type: str,
        *,
        body: str = "",
        is_public: bool = False,
        data: dict[str, Any] | None = None,
    ) -> TicketEvent:
        event = TicketEvent(
            tenant_id=self.ticket.tenant_id,
            type=type,
            actor=actor,
            body=body,
            is_public=is_public,
            data=data or {},
            created_at=at,
            updated_at=at,
        )
        self.events.append(event)
        return event

    def _save(self, at: datetime) -> None:
        self.ticket.version += 1
        self.ticket.updated_at = at

    def apply(self, step: Step, plan: TicketPlan) -> None:
        handler = getattr(self, f"_{step.kind}")
        handler(step, plan)

    # --- one method per service -------------------------------------------------------
    def _triage(self, step: Step, plan: TicketPlan) -> None:
        ticket = self.ticket
        diff: dict[str, tuple[Any, Any]] = {}
        if plan.tags:
            self.tag_ids = [tag.pk for tag in plan.tags]
            diff["tags"] = ([], sorted(tag.name for tag in plan.tags))
        for name, value in (("priority", plan.priority), ("category", plan.category)):
            old = getattr(ticket, name)
            if old != value:
                setattr(ticket, name, value)
                diff[name] = (_plain(old), _plain(value))
        if not diff:
            return
        self._save(step.at)
        changes = {name: {"from": old, "to": new} for name, (old, new) in diff.items()}
        self.event(step.at, step.actor.user, EventType.FIELD_CHANGE, data={"changes": changes})

    def _assign(self, step: Step, plan: TicketPlan, *, as_engineer: bool = False) -> None:
        ticket, role = self.ticket, "engineer" if as_engineer else "assignee"
        old = getattr(ticket, role)
        if old == step.assignee:
            return
        setattr(ticket, role, step.assignee)
        self._save(step.at)
        self.event(
            step.at,
            step.actor.user,
            EventType.ASSIGNMENT,
            data={
                "role": role,
                "from": _user_ref(old),
                "to": _user_ref(step.assignee),
                "from_team": _team_ref(ticket.team),
                "to_team": _team_ref(ticket.team),
            },
        )

    def _take(self, step: Step, plan: TicketPlan) -> None:
        as_engineer = self.ticket.tier != Tier.L1 and step.actor.role in ("l2", "l3")
        step.assignee = step.actor.user
        self._assign(step, plan, as_engineer=as_engineer)

    def _status(self, step: Step, to_status: str, reason: str, cause: Cause) -> None:
        ticket = self.ticket
        error = transition_error(
            from_status=ticket.status, to_status=to_status, cause=cause, open_blocking_children=0
        )
        if error:
            raise ValueError(f"demo plan of #{ticket.number}: {error}")
        old, ticket.status = ticket.status, to_status
        ticket.is_open = to_status in OPEN_STATUSES
        if to_status == TicketStatus.RESOLVED:
            ticket.resolved_at = step.at
        elif to_status == TicketStatus.CLOSED:
            ticket.closed_at = step.at
        elif old == TicketStatus.RESOLVED:
            ticket.resolved_at = None
        data = {"from": old, "to": to_status, "cause": str(cause)}
        self.event(step.at, step.actor.user, EventType.STATUS_CHANGE, body=reason, data=data)

    def _reply(self, step: Step, plan: TicketPlan, *, public: bool = True) -> None:
        ticket, customer = self.ticket, step.actor.is_customer
        reopen = (TicketStatus.RESOLVED, TicketStatus.PENDING_CUSTOMER)
        if customer and ticket.status in reopen:
            self._status(step, TicketStatus.OPEN, _("The customer replied."), Cause.CUSTOMER_REPLY)
        kind = EventType.PUBLIC_REPLY if public else EventType.INTERNAL_NOTE
        self.event(step.at, step.actor.user, kind, body=step.body.strip(), is_public=public)
        then_status = step.then_status
        if public and not customer:
            if ticket.first_response_at is None:
                ticket.first_response_at = step.at
            if ticket.status == TicketStatus.NEW and then_status is None:
                then_status = TicketStatus.OPEN
        if then_status and then_status != ticket.status and not customer:
            self._status(step, then_status, "", Cause.REPLY)
        self._save(step.at)

    def _note(self, step: Step, plan: TicketPlan) -> None:
        self._reply(step, plan, public=False)

    def _transition(self, step: Step, plan: TicketPlan) -> None:
        self._status(step, step.to_status, step.body.strip(), Cause.MANUAL)
        self._save(step.at)

    def _escalate(self, step: Step, plan: TicketPlan) -> None:
        ticket, team = self.ticket, step.team
        assert team is not None  # noqa: S101
        old_team, old_tier = ticket.team, ticket.tier
        ticket.team, ticket.tier, ticket.engineer = team, team.tier, None
        self._save(step.at)
        data = {
            "from_team": _team_ref(old_team),
            "to_team": _team_ref(team),
            "from_tier": old_tier,
            "to_tier": team.tier,
        }
        self.event(step.at, step.actor.user, EventType.ESCALATION, body=step.body, data=data)

    def _handback(self, step: Step, plan: TicketPlan) -> None:
        ticket = self.ticket
        escalations = [
            e
            for e in self.events
            if e.type == EventType.ESCALATION and e.data.get("to_tier") == ticket.tier
        ]
        back_id = (escalations[-1].data.get("from_team") or {}).get("id") if escalations else None
        teams = {team.pk: team for team in plan.unit.teams.values()}
        back = teams.get(back_id) if isinstance(back_id, int) else None
        back = back or plan.unit.teams[Tier.L1]
        old_team, old_tier = ticket.team, ticket.tier
        ticket.team, ticket.tier, ticket.engineer = back, back.tier, None
        self._save(step.at)
        data = {
            "from_team": _team_ref(old_team),
            "to_team": _team_ref(back),
            "from_tier": old_tier,
            "to_tier": ticket.tier,
        }
        self.event(step.at, step.actor.user, EventType.HANDBACK, body=step.body, data=data)


def bulk_insert(tickets: list[BulkTicket]) -> None:
    """Insert tickets, their events and tags; then restore the historic timestamps that
    ``auto_now``/``auto_now_add`` overwrote on insert."""
    if not tickets:
        return
    ticket_times = [(t.ticket.created_at, t.ticket.updated_at) for t in tickets]
    rows = Ticket.objects.bulk_create([t.ticket for t in tickets], batch_size=500)
    events = []
    links = []
    through = Ticket.tags.through
    for bulk, row in zip(tickets, rows, strict=True):
        for event in bulk.events:
            event.ticket = row
            events.append(event)
        links += [through(ticket_id=row.pk, tag_id=tag_id) for tag_id in bulk.tag_ids]
    times = [(e.created_at, e.updated_at) for e in events]
    TicketEvent.objects.bulk_create(events, batch_size=1000)
    through.objects.bulk_create(links, batch_size=1000)
    _restore_times(Ticket, [(r.pk, *t) for r, t in zip(rows, ticket_times, strict=True)])
    _restore_times(TicketEvent, [(e.pk, *t) for e, t in zip(events, times, strict=True)])
    restored = [*zip(rows, ticket_times, strict=True), *zip(events, times, strict=True)]
    for obj, (created, updated) in restored:
        obj.created_at, obj.updated_at = created, updated  # the objects too, not just rows


def _restore_times(model: type[Model], rows: list[tuple[int, datetime, datetime]]) -> None:
    """One parametrized UPDATE run for every row (``bulk_update``'s CASE expressions cost
    seconds at this size)."""
    rows_update(model, ("created_at", "updated_at"), [(c, u, pk) for pk, c, u in rows])
