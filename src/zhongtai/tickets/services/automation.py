"""Changes the platform makes on its own (SLA breach actions), with no person as the actor.

Each takes a ticket already locked by the caller's transaction, changes it like the
matching manual service would, writes the same timeline event with ``actor=None`` (the
timeline shows "System") and the reason, and returns whether it changed anything.
"""

from __future__ import annotations

from django.db import transaction

from zhongtai.accounts.models import Team, Tier
from zhongtai.tickets import events
from zhongtai.tickets.choices import EventType, TicketPriority
from zhongtai.tickets.models import Ticket
from zhongtai.tickets.services._base import (
    TIER_ORDER,
    notify_after_commit,
    save_with_version,
    team_ref,
    user_ref,
)

PRIORITY_STEPS = [
    TicketPriority.LOW,
    TicketPriority.NORMAL,
    TicketPriority.HIGH,
    TicketPriority.URGENT,
]


def _check_locked(ticket: Ticket) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("automation services run inside the caller's transaction")


def ticket_priority_raise(*, ticket: Ticket, reason: str) -> bool:
    """One step up (low → normal → high → urgent); an urgent ticket stays urgent."""
    _check_locked(ticket)
    index = PRIORITY_STEPS.index(TicketPriority(ticket.priority))
    if index == len(PRIORITY_STEPS) - 1:
        return False
    old, ticket.priority = ticket.priority, PRIORITY_STEPS[index + 1]
    save_with_version(ticket, ["priority"])
    events.event_record(
        ticket=ticket,
        actor=None,
        type=EventType.FIELD_CHANGE,
        body=reason,
        data={"changes": {"priority": {"from": old, "to": ticket.priority}}},
    )
    return True


def ticket_escalate_next_tier(*, ticket: Ticket, reason: str) -> bool:
    """To the first team of the next tier (L1 → L2 → L3); at L3, or without one, nothing."""
    _check_locked(ticket)
    next_tier = {TIER_ORDER[tier]: tier for tier in Tier}.get(TIER_ORDER[Tier(ticket.tier)] + 1)
    if next_tier is None:
        return False
    team = Team.objects.filter(tenant_id=ticket.tenant_id, tier=next_tier).order_by("pk").first()
    if team is None:
        return False
    old_team, old_tier = ticket.team, ticket.tier
    ticket.team, ticket.tier, ticket.engineer = team, team.tier, None
    save_with_version(ticket, ["team", "tier", "engineer"])
    event = events.event_record(
        ticket=ticket,
        actor=None,
        type=EventType.ESCALATION,
        body=reason,
        data={
            "from_team": team_ref(old_team),
            "to_team": team_ref(team),
            "from_tier": old_tier,
            "to_tier": team.tier,
        },
    )
    notify_after_commit(event)
    return True


def ticket_reassign_to_lead(*, ticket: Ticket, reason: str) -> bool:
    """Give the ticket to its team's lead (as owner at L1, as engineer above)."""
    _check_locked(ticket)
    lead = ticket.team.lead if ticket.team else None
    if lead is None or not lead.is_active:
        return False
    field = "assignee" if ticket.tier == Tier.L1 else "engineer"
    old = getattr(ticket, field)
    if old == lead:
        return False
    setattr(ticket, field, lead)
    save_with_version(ticket, [field])
    event = events.event_record(
        ticket=ticket,
        actor=None,
        type=EventType.ASSIGNMENT,
        body=reason,
        data={
            "role": field,
            "from": user_ref(old),
            "to": user_ref(lead),
            "from_team": team_ref(ticket.team),
            "to_team": team_ref(ticket.team),
        },
    )
    notify_after_commit(event)
    return True
