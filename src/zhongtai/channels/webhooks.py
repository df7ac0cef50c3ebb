"""Emitting webhook events: a transactional outbox.

A delivery row is written for each subscription that chose the event, inside the
transaction of the change that caused it: if that transaction commits, the deliveries
exist (nothing lost); if it rolls back, none do (nothing sent for a change that never
happened). After the commit, the deliveries are queued for sending; were that lost (a
crash between the commit and the queue), the minute's retry scan finds them anyway
(``zhongtai.channels.delivery``).

The ticket timeline calls in centrally (``zhongtai.tickets.events``): ``ticket_event_emit``
for an event written as a model, ``ticket_rows_emit`` for the rows the SLA sweep and
routing write in bulk. An event that maps to no webhook event costs nothing; one that does
costs one indexed query for the unit's active subscriptions, per event or per batch, and
no more when the unit has none. Other apps call ``webhook_emit`` (``customer.updated``).

Payload (small, documented in ``docs/webhooks.md``)::

    {"id": "<event uuid>", "type": "ticket.updated", "created_at": "…Z", "tenant": "<slug>",
     "data": {"ticket": {…}, "event": {"type": "<timeline type>", "data": {…}, "actor_id": …}}}
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhongtai.channels.choices import WebhookEvent
from zhongtai.channels.models import WebhookDelivery, WebhookSubscription
from zhongtai.tickets.choices import EventType, TicketStatus
from zhongtai.tickets.models import Ticket, TicketEvent

SEND_CHUNK = 10  # deliveries per sending job
MAX_EVENT_DATA = 4096  # characters of a timeline event's data carried in a payload

# Timeline events that are a change of the ticket worth telling a receiver about; internal
# notes, attachments, routing explanations and child links are not sent.
_UPDATES = frozenset(
    {
        EventType.FIELD_CHANGE,
        EventType.STATUS_CHANGE,
        EventType.ASSIGNMENT,
        EventType.PUBLIC_REPLY,
        EventType.HANDBACK,
        EventType.MERGE,
    }
)
_SLA_ACTIONS = {"warning": WebhookEvent.SLA_WARNING, "breach": WebhookEvent.SLA_BREACH}


def webhook_event_for(type: str, data: Mapping[str, Any]) -> str | None:
    """The webhook event of a timeline event of ``type`` with ``data`` (``None``: none)."""
    if type == EventType.CREATED:
        return WebhookEvent.TICKET_CREATED
    if type == EventType.ESCALATION:
        return WebhookEvent.TICKET_ESCALATED
    if type == EventType.STATUS_CHANGE and data.get("to") == TicketStatus.RESOLVED:
        return WebhookEvent.TICKET_RESOLVED
    if type == EventType.SLA:
        return _SLA_ACTIONS.get(str(data.get("action", "")))
    if type in _UPDATES:
        return WebhookEvent.TICKET_UPDATED
    return None


@dataclass(frozen=True)
class Unit:
    """A business unit with active subscriptions: what a payload says of it, and who
    chose which event."""

    tenant_id: int
    slug: str
    ticket_prefix: str
    subscriptions: tuple[tuple[int, frozenset[str]], ...]

    def subscribers(self, event: str) -> list[int]:
        return [pk for pk, events in self.subscriptions if event in events]


def units_subscribed(tenant_ids: Iterable[int]) -> dict[int, Unit]:
    """The units among ``tenant_ids`` with active subscriptions (one indexed query)."""
    found: dict[int, list[tuple[int, frozenset[str], str, str]]] = {}
    rows = (
        WebhookSubscription.objects.filter(tenant_id__in=set(tenant_ids), is_active=True)
        .order_by("pk")
        .values_list("tenant_id", "pk", "events", "tenant__slug", "tenant__ticket_prefix")
    )
    for tenant_id, pk, events, slug, prefix in rows:
        found.setdefault(tenant_id, []).append((pk, frozenset(events or ()), slug, prefix))
    return {
        tenant_id: Unit(
            tenant_id=tenant_id,
            slug=subs[0][2],
            ticket_prefix=subs[0][3],
            subscriptions=tuple((pk, events) for pk, events, _s, _p in subs),
        )
        for tenant_id, subs in found.items()
    }


@dataclass(frozen=True)
class Occurrence:
    """One event to deliver to the unit's subscribers of ``event``."""

    unit: Unit
    event: str
    at: datetime
    data: dict[str, Any]


def iso_utc(moment: datetime) -> str:
    """``2026-05-01T08:30:00.123Z``: the payload's times, always UTC."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def payload_of(*, event_id: uuid.UUID, occurrence: Occurrence) -> dict[str, Any]:
    return {
        "id": str(event_id),
        "type": occurrence.event,
        "created_at": iso_utc(occurrence.at),
        "tenant": occurrence.unit.slug,
        "data": occurrence.data,
    }


def outbox_write(occurrences: Sequence[Occurrence]) -> list[int]:
    """Write a delivery per occurrence and subscriber (one event id per occurrence, shared
    by its subscribers) and queue them after the commit. Returns their ids.

    Precondition: inside the transaction of the change that caused the occurrences.
    """
    now = timezone.now()
    deliveries: list[WebhookDelivery] = []
    for occurrence in occurrences:
        subscribers = occurrence.unit.subscribers(occurrence.event)
        if not subscribers:
            continue
        event_id = uuid.uuid4()
        payload = payload_of(event_id=event_id, occurrence=occurrence)
        deliveries += [
            WebhookDelivery(
                tenant_id=occurrence.unit.tenant_id,
                subscription_id=pk,
                event=occurrence.event,
                event_id=event_id,
                payload=payload,
                next_attempt_at=now,
            )
            for pk in subscribers
        ]
    if not deliveries:
        return []
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in deliveries if d.pk is not None]
    deliveries_send_after_commit(ids)
    return ids


def deliveries_send_after_commit(delivery_ids: Sequence[int]) -> None:
    """Queue the sending of the deliveries once the transaction commits, a few per job.
    A queue that cannot be reached costs the caller nothing (``robust``): the minute's
    retry scan sends what was not queued."""
    for start in range(0, len(delivery_ids), SEND_CHUNK):
        chunk = list(delivery_ids[start : start + SEND_CHUNK])
        transaction.on_commit(functools.partial(_enqueue, chunk), robust=True)


def _enqueue(delivery_ids: list[int]) -> None:
    from zhongtai.channels.tasks import webhook_deliveries_send_task  # (tasks import us)

    webhook_deliveries_send_task(delivery_ids)


# --- ticket events ----------------------------------------------------------------------------


def _event_data(type: str, data: Mapping[str, Any], actor_id: int | None) -> dict[str, Any]:
    """The timeline event as a payload tells it: its type, its data when small (a routing
    explanation or a long change is left out, marked ``truncated``), and its actor."""
    text = json.dumps(data, default=str)
    small = len(text) <= MAX_EVENT_DATA
    return {
        "type": type,
        "data": dict(data) if small else {"truncated": True},
        "actor_id": actor_id,
    }


def ticket_data(unit: Unit, facts: Mapping[str, Any]) -> dict[str, Any]:
    """What a payload says of a ticket (``facts``: the fields of ``TICKET_FACTS``)."""
    customer = None
    if facts["customer_id"] is not None:
        customer = {"id": facts["customer_id"], "name": facts["customer__name"]}
    return {
        "number": facts["number"],
        "reference": f"{unit.ticket_prefix}-{facts['number']:06d}",
        "subject": facts["subject"],
        "status": facts["status"],
        "priority": facts["priority"],
        "type": facts["type"],
        "customer": customer,
    }


TICKET_FACTS = ("pk", "number", "subject", "status", "priority", "type", "customer_id")


def ticket_event_emit(*, event: TicketEvent, ticket: Ticket) -> list[int]:
    """Deliveries for one timeline event just written (``events.event_record``), with the
    ticket as the caller holds it (its changes applied)."""
    name = webhook_event_for(event.type, event.data)
    if name is None:
        return []
    unit = units_subscribed([ticket.tenant_id]).get(ticket.tenant_id)
    if unit is None or not unit.subscribers(name):
        return []
    facts: dict[str, Any] = {f: getattr(ticket, f) for f in TICKET_FACTS}
    facts["customer__name"] = ticket.customer.name if ticket.customer is not None else None
    data = {
        "ticket": ticket_data(unit, facts),
        "event": _event_data(event.type, event.data, event.actor_id),
    }
    return outbox_write([Occurrence(unit=unit, event=name, at=event.created_at, data=data)])


def ticket_rows_emit(rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Deliveries for timeline events written as rows (``events.events_insert``: the SLA
    sweep's warnings and breaches, routing's assignments). Rows that map to no webhook
    event cost nothing; the rest one query for the units' subscriptions, and one for the
    tickets only if some unit subscribed."""
    wanted = [(row, name) for row in rows if (name := webhook_event_for(row["type"], row["data"]))]
    if not wanted:
        return []
    units = units_subscribed(row["tenant_id"] for row, _name in wanted)
    chosen = [
        (units[row["tenant_id"]], row, name)
        for row, name in wanted
        if row["tenant_id"] in units and units[row["tenant_id"]].subscribers(name)
    ]
    if not chosen:
        return []
    tickets = _ticket_facts({row["ticket_id"] for _unit, row, _name in chosen})
    occurrences = []
    for unit, row, name in chosen:
        facts = tickets.get(row["ticket_id"])
        if facts is None:
            continue
        data = {
            "ticket": ticket_data(unit, facts),
            "event": _event_data(row["type"], row["data"], row.get("actor_id")),
        }
        occurrences.append(Occurrence(unit=unit, event=name, at=row["created_at"], data=data))
    return outbox_write(occurrences)


def _ticket_facts(ticket_ids: set[int]) -> dict[int, dict[str, Any]]:
    rows = Ticket.objects.filter(pk__in=ticket_ids).values(*TICKET_FACTS, "customer__name")
    return {row["pk"]: row for row in rows}


# --- other apps ---------------------------------------------------------------------------------


def webhook_emit(
    *, tenant_id: int, event: str, data: dict[str, Any], at: datetime | None = None
) -> list[int]:
    """Deliver ``event`` with payload ``data`` (JSON-ready, small) to the unit's
    subscribers of it; returns the deliveries' ids. For apps other than tickets, e.g. the
    customers app after a customer's change: ``webhook_emit(tenant_id=…,
    event="customer.updated", data={"customer": {"id": …, "name": …}, "changes": […]})``.

    Precondition: inside the transaction of the change (the outbox's promise). Raises
    ``ValueError`` for an event that is not one of ``WebhookEvent``.
    """
    if event not in WebhookEvent.values or event == WebhookEvent.PING:
        raise ValueError(f"not a webhook event: {event!r}")
    unit = units_subscribed([tenant_id]).get(tenant_id)
    if unit is None:
        return []
    occurrence = Occurrence(unit=unit, event=event, at=at or timezone.now(), data=data)
    return outbox_write([occurrence])
