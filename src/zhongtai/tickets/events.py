"""Writers of timeline events. Every change to a ticket goes through one of these."""

from __future__ import annotations

from typing import Any

from zhongtai.accounts.models import User
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket, TicketEvent


def event_record(
    *,
    ticket: Ticket,
    actor: User | None,
    type: EventType,
    body: str = "",
    is_public: bool = False,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append one immutable event to the ticket's timeline (inside the caller's transaction)."""
    return TicketEvent.objects.create(
        tenant_id=ticket.tenant_id,
        ticket=ticket,
        type=type,
        actor=actor,
        body=body,
        is_public=is_public,
        data=data or {},
    )


def field_change_event(
    *, ticket: Ticket, actor: User, changes: dict[str, tuple[Any, Any]]
) -> TicketEvent:
    """One event for a set of field changes, each with its value before and after."""
    return event_record(
        ticket=ticket,
        actor=actor,
        type=EventType.FIELD_CHANGE,
        data={"changes": {name: {"from": old, "to": new} for name, (old, new) in changes.items()}},
    )


def status_change_event(
    *, ticket: Ticket, actor: User | None, old: str, new: str, reason: str, cause: str
) -> TicketEvent:
    return event_record(
        ticket=ticket,
        actor=actor,
        type=EventType.STATUS_CHANGE,
        body=reason,
        data={"from": old, "to": new, "cause": cause},
    )
