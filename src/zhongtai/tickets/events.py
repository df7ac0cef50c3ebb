"""Writers of timeline events. Every change to a ticket goes through one of these."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from zhongtai.accounts.models import User
from zhongtai.core.rows import rows_insert
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
    """Append one immutable event to the ticket's timeline (inside the caller's transaction),
    and the webhook deliveries it causes (in the same transaction: an outbox)."""
    event = TicketEvent.objects.create(
        tenant_id=ticket.tenant_id,
        ticket=ticket,
        type=type,
        actor=actor,
        body=body,
        is_public=is_public,
        data=data or {},
    )
    from zhongtai.channels.webhooks import ticket_event_emit  # (channels reads tickets)

    ticket_event_emit(event=event, ticket=ticket)
    return event


def event_row(
    *,
    tenant_id: int,
    ticket_id: int,
    type: EventType,
    at: datetime,
    data: dict[str, Any],
    actor_id: int | None = None,
    body: str = "",
    is_public: bool = False,
) -> dict[str, Any]:
    """One event as a plain row, for ``events_insert`` (the system's own frequent events)."""
    return {
        "created_at": at,
        "updated_at": at,
        "tenant_id": tenant_id,
        "ticket_id": ticket_id,
        "type": type,
        "actor_id": actor_id,
        "is_public": is_public,
        "body": body,
        "data": data,
    }


def events_insert(rows: Sequence[dict[str, Any]], *, returning: bool = False) -> list[int]:
    """Append events written by ``event_row`` without building models (the SLA clocks and
    sweep: every ticket create, and thousands of breaches a minute in a backlog); with
    ``returning``, their ids in order. The webhook deliveries they cause are written with
    them: at most one query per call when the unit has no subscription (none at all when
    no row maps to a webhook event)."""
    ids = rows_insert(TicketEvent, rows, returning=returning)
    from zhongtai.channels.webhooks import ticket_rows_emit  # (channels reads tickets)

    ticket_rows_emit(rows)
    return ids


def field_change_event(
    *,
    ticket: Ticket,
    actor: User,
    changes: dict[str, tuple[Any, Any]],
    extra: dict[str, Any] | None = None,
) -> TicketEvent:
    """One event for a set of field changes, each with its value before and after (and
    ``extra`` data, such as the classifier's prediction that a person corrected)."""
    data: dict[str, Any] = {
        "changes": {name: {"from": old, "to": new} for name, (old, new) in changes.items()}
    }
    return event_record(
        ticket=ticket, actor=actor, type=EventType.FIELD_CHANGE, data={**data, **(extra or {})}
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
