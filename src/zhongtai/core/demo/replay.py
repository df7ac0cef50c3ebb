"""Play ticket plans: a rich subset through the real ticket services, the rest in bulk.

The services run under a simulated clock (``django.utils.timezone.now`` patched to the
step's time), so every timestamp they write (``created_at``, ``first_response_at``,
``resolved_at``…) is historic and consistent. The bulk path (``BulkTicket``) applies the
same rules as the services in memory and inserts the rows with ``bulk_create``; the tests
play one plan both ways and compare the results.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from unittest import mock

from django.utils import timezone, translation

from zhongtai.accounts.models import Team
from zhongtai.core.demo.bulk import BulkTicket, bulk_insert
from zhongtai.core.demo.stories import Step, TicketPlan
from zhongtai.core.models import Tenant
from zhongtai.sla import clocks
from zhongtai.sla.standards import standards_for
from zhongtai.tickets import services
from zhongtai.tickets.choices import OPEN_STATUSES, EventType, TicketStatus
from zhongtai.tickets.models import Ticket, TicketEvent
from zhongtai.tickets.services.intake import POLICY_FIELDS


class SimulatedClock:
    """A settable stand-in for ``timezone.now`` while historic services run."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def simulated_time(clock: SimulatedClock) -> Iterator[None]:
    with mock.patch.object(timezone, "now", clock):
        yield


def _timeline(plans: list[TicketPlan]) -> list[tuple[datetime, int, TicketPlan, Step | None]]:
    """Creations of bulk tickets and every step of service tickets, in time order."""
    entries: list[tuple[datetime, int, TicketPlan, Step | None]] = []
    for plan in plans:
        if not plan.via_services:
            entries.append((plan.created_at, len(entries), plan, None))
            continue
        for step in plan.steps:
            entries.append((step.at, len(entries), plan, step))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return entries


def plans_play(plans: list[TicketPlan]) -> int:
    """Create the tickets of ``plans`` (one tenant); numbers follow creation time.

    Returns the number of tickets created. Child plans are opened by their parent's step.
    """
    tenant = plans[0].unit.tenant
    counter = Tenant.objects.values_list("ticket_seq", flat=True).get(pk=tenant.pk)
    clock = SimulatedClock(plans[0].created_at)
    bulk: list[BulkTicket] = []
    with translation.override(tenant.language), simulated_time(clock):
        for at, _seq, plan, step in _timeline(plans):
            if step is None:
                counter += 1
                plan.number = counter
                bulk.append(BulkTicket.play(plan))
                continue
            if step.kind in ("create", "child"):
                Tenant.objects.filter(pk=tenant.pk).update(ticket_seq=counter)
                counter += 1
            clock.now = at
            _service_step(plan, step)
    bulk_insert(bulk)
    with translation.override(tenant.language), simulated_time(clock):
        clocks_replay(bulk, clock)
    Tenant.objects.filter(pk=tenant.pk).update(ticket_seq=counter)
    return len(bulk) + sum(1 for plan in plans if plan.via_services)


def clocks_replay(bulk: list[BulkTicket], clock: SimulatedClock) -> None:
    """Give bulk tickets their SLA clocks: each ticket's history, event by event, through the
    real clock hooks (``zhongtai.sla.clocks``) at the event's time, as the services call them.

    Only the ticket's state at each moment is rebuilt here (status, first response and
    the fields policies match on); the rules themselves are the hooks'.
    """
    if not bulk or not standards_for(bulk[0].ticket.tenant_id).policies:
        return
    for item in bulk:
        shadow = copy.copy(item.ticket)
        for name, value in item.initial.items():
            setattr(shadow, name, value)
        shadow.status, shadow.is_open, shadow.first_response_at = TicketStatus.NEW, True, None
        contact_user_id = shadow.contact.user_id if shadow.contact else None
        for event in item.events:
            clock.now = event.created_at
            _clock_hook(shadow, event, by_customer=event.actor_id == contact_user_id)


def _clock_hook(ticket: Ticket, event: TicketEvent, *, by_customer: bool) -> None:
    data = event.data or {}
    if event.type == EventType.CREATED:
        clocks.clocks_start(ticket=ticket)
    elif event.type == EventType.FIELD_CHANGE:
        changes = data.get("changes") or {}
        for name in ("priority", "type"):
            if name in changes:
                setattr(ticket, name, changes[name]["to"])
        if "category" in changes:
            ticket.category_id = (changes["category"]["to"] or {}).get("id")
        if changes.keys() & POLICY_FIELDS:
            clocks.clocks_recompute(ticket=ticket, reason="fields")
    elif event.type == EventType.STATUS_CHANGE:
        old, new = data["from"], data["to"]
        ticket.status, ticket.is_open = new, new in OPEN_STATUSES
        clocks.clocks_status_change(
            ticket=ticket, old=old, new=new, at=event.created_at, merge=data["cause"] == "merge"
        )
    elif event.type in (EventType.ASSIGNMENT, EventType.ESCALATION, EventType.HANDBACK):
        moved = ["team", "tier"]
        if event.type == EventType.ASSIGNMENT and data["role"] == "assignee":
            ticket.assignee_id = (data["to"] or {}).get("id")
            moved.append("assignee")
        team = data.get("to_team") or {}
        ticket.team_id, ticket.tier = team.get("id"), team.get("tier", ticket.tier)
        clocks.clocks_groups_follow(ticket=ticket, fields=moved)
    elif event.type == EventType.PUBLIC_REPLY:
        clocks.clocks_public_reply(ticket=ticket, by_customer=by_customer, at=event.created_at)
        if not by_customer and ticket.first_response_at is None:
            ticket.first_response_at = event.created_at


def _ticket(plan: TicketPlan | None) -> Ticket:
    if plan is None or plan.ticket is None:
        raise ValueError("A demo step ran before its ticket was created.")
    return plan.ticket


def _team(step: Step) -> Team:
    if step.team is None:
        raise ValueError("A demo escalation has no team.")
    return step.team


def _service_step(plan: TicketPlan, step: Step) -> None:
    """Perform one step through the ticket services, as its actor."""
    actor, kind = step.actor, step.kind
    if kind == "create":
        plan.ticket = services.ticket_create(
            actor=actor,
            subject=plan.subject,
            description=plan.description,
            type=plan.type,
            priority=plan.priority,
            channel=plan.channel,
            category=plan.category,
            contact=plan.contact,
            tags=[tag.name for tag in plan.tags],
        )
        plan.number = plan.ticket.number
        return
    ticket = _ticket(plan)
    handlers: dict[str, Any] = {
        "triage": lambda: services.ticket_update(
            actor=actor, ticket=ticket, changes=triage_changes(plan)
        ),
        "assign": lambda: services.ticket_assign(
            actor=actor, ticket=ticket, assignee=step.assignee
        ),
        "take": lambda: services.ticket_take(actor=actor, ticket=ticket),
        "reply": lambda: services.ticket_reply(
            actor=actor, ticket=ticket, body=step.body, then_status=step.then_status
        ),
        "note": lambda: services.ticket_reply(
            actor=actor, ticket=ticket, body=step.body, public=False
        ),
        "transition": lambda: services.ticket_transition(
            actor=actor, ticket=ticket, to_status=step.to_status, reason=step.body
        ),
        "escalate": lambda: services.ticket_escalate(
            actor=actor, ticket=ticket, team=_team(step), reason=step.body
        ),
        "handback": lambda: services.ticket_handback(actor=actor, ticket=ticket, reason=step.body),
        "merge": lambda: services.ticket_merge(
            actor=actor,
            source=ticket,
            target=_ticket(step.target),
            reason=step.body,
        ),
        "child": lambda: _child_open(step, ticket),
    }
    handlers[kind]()


def _child_open(step: Step, parent: Ticket) -> None:
    child = step.child
    assert child is not None  # noqa: S101
    child.ticket = services.ticket_child_create(
        actor=step.actor,
        parent=parent,
        subject=child.subject,
        description=child.description,
        team=step.team,
        blocks_parent=True,
    )
    child.number = child.ticket.number


def triage_changes(plan: TicketPlan) -> dict[str, Any]:
    """What an agent sets on a ticket a customer opened on the portal."""
    return {
        "category": plan.category,
        "priority": plan.priority,
        "tags": [tag.name for tag in plan.tags],
    }
