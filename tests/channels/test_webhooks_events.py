"""Which changes become which webhook events, written in the transaction of the change:
real ticket service calls, the SLA sweep, other apps' events; nothing for units, events or
webhooks that did not ask; and the hook's cost on the sweep's bulk path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tests.channels.webhook_support import subscribe
from tests.factories import World
from zhongtai.channels import webhooks
from zhongtai.channels.models import WebhookDelivery
from zhongtai.sla import sweep
from zhongtai.sla.models import BusinessCalendar, SlaPolicy
from zhongtai.tickets import events, services
from zhongtai.tickets.choices import EventType, TicketPriority
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "https://erp.example.com/hooks"
T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)


def _events(**filters: Any) -> list[str]:
    return list(
        WebhookDelivery.objects.filter(**filters).order_by("pk").values_list("event", flat=True)
    )


def _new_events(seen: list[str]) -> list[str]:
    now = _events()
    new = now[len(seen) :]
    seen[:] = now
    return new


def _payload(event: str) -> dict[str, Any]:
    payload: dict[str, Any] = WebhookDelivery.objects.filter(event=event).latest("pk").payload
    return payload


def test_ticket_service_calls_become_webhook_events(world: World) -> None:
    subscribe(world.admin, URL)
    seen: list[str] = []

    ticket = factories.ticket(world.customer, subject="Printer on fire")
    assert _new_events(seen)[:1] == ["ticket.created"]
    services.ticket_reply(actor=world.agent, ticket=ticket, body="Internal", public=False)
    assert _new_events(seen) == []  # an internal note is not sent out
    services.ticket_reply(actor=world.agent, ticket=ticket, body="We are on it.", public=True)
    assert "ticket.updated" in _new_events(seen)
    ticket.refresh_from_db()
    services.ticket_update(actor=world.agent, ticket=ticket, changes={"priority": "high"})
    assert _new_events(seen) == ["ticket.updated"]
    services.ticket_escalate(actor=world.agent, ticket=ticket, team=world.l2_team, reason="Hard")
    assert _new_events(seen) == ["ticket.escalated"]
    ticket.refresh_from_db()
    services.ticket_transition(actor=world.agent, ticket=ticket, to_status="resolved")
    assert _new_events(seen)[:1] == ["ticket.resolved"]

    created = _payload("ticket.created")
    assert created["tenant"] == "sh"
    assert created["data"]["ticket"] == {
        "number": ticket.number,
        "reference": f"SH-{ticket.number:06d}",
        "subject": "Printer on fire",
        "status": "new",
        "priority": "normal",
        "type": "question",
        "customer": {"id": ticket.customer_id, "name": "Acme"},
    }
    assert created["data"]["event"]["type"] == "created"
    escalated = _payload("ticket.escalated")["data"]
    assert escalated["event"]["data"]["to_tier"] == "l2"
    assert escalated["event"]["actor_id"] == world.agent.user.pk
    assert escalated["ticket"]["priority"] == "high"
    resolved = _payload("ticket.resolved")["data"]
    assert resolved["ticket"]["status"] == "resolved"
    assert resolved["event"]["data"]["to"] == "resolved"


def test_a_status_change_that_does_not_resolve_is_an_update(world: World) -> None:
    subscribe(world.admin, URL, ["ticket.updated", "ticket.resolved"])
    ticket = factories.ticket(world.agent)
    WebhookDelivery.objects.all().delete()

    services.ticket_transition(actor=world.agent, ticket=ticket, to_status="pending_customer")

    assert _events() == ["ticket.updated"]
    assert _payload("ticket.updated")["data"]["event"]["data"]["to"] == "pending_customer"


def _policy(world: World) -> SlaPolicy:
    calendar = BusinessCalendar.objects.create(
        tenant=world.tenant, name="24×7", always_open=True, holiday_source=""
    )
    return SlaPolicy.objects.create(
        tenant=world.tenant,
        name="Default",
        calendar=calendar,
        first_response_minutes=60,
        resolution_minutes=480,
        warn_at_percent=[75],
        breach_actions=[],
    )


def test_the_sla_sweep_sends_warnings_and_breaches(world: World) -> None:
    _policy(world)
    subscribe(world.admin, URL, ["sla.warning", "sla.breach"])
    with time_machine.travel(T0, tick=False):
        ticket = factories.ticket(world.customer)
    assert _events() == []  # the clocks' start is not an event for receivers

    sweep.sla_sweep(now=T0 + timedelta(minutes=46))
    sweep.sla_sweep(now=T0 + timedelta(minutes=61))

    assert _events() == ["sla.warning", "sla.breach"]
    warning = _payload("sla.warning")["data"]
    assert warning["ticket"]["number"] == ticket.number
    assert warning["event"]["type"] == EventType.SLA
    assert warning["event"]["data"]["percent"] == 75
    breach = _payload("sla.breach")["data"]["event"]["data"]
    assert breach["timers"][0]["target"] == "first_response"


def test_nothing_is_written_for_who_did_not_ask(world: World) -> None:
    other_admin = factories.actor(world.other_tenant, "admin", "other_admin")
    subscribe(other_admin, URL, name="Other unit's ERP")  # another unit: every event
    subscribe(world.admin, URL, ["sla.breach"], name="Only breaches")
    subscribe(world.admin, URL, name="Switched off", is_active=False)

    factories.ticket(world.customer)

    assert WebhookDelivery.objects.count() == 0


def test_each_subscriber_gets_the_event_with_one_event_id(world: World) -> None:
    first = subscribe(world.admin, URL, ["ticket.created"], name="ERP")
    second = subscribe(world.admin, URL + "/2", ["ticket.created"], name="Data warehouse")
    other_admin = factories.actor(world.other_tenant, "admin", "other_admin")
    subscribe(other_admin, URL, ["ticket.created"], name="Other unit's ERP")

    factories.ticket(world.customer)

    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [d.subscription_id for d in deliveries] == [first.pk, second.pk]
    assert deliveries[0].event_id == deliveries[1].event_id
    assert {d.tenant_id for d in deliveries} == {world.tenant.pk}


def test_large_event_data_is_left_out_of_the_payload(world: World) -> None:
    subscribe(world.admin, URL, ["ticket.updated"])
    ticket = factories.ticket(world.agent)

    events.event_record(
        ticket=ticket,
        actor=world.agent.user,
        type=EventType.FIELD_CHANGE,
        data={"changes": {"notes": {"from": "", "to": "x" * 10_000}}},
    )

    assert _payload("ticket.updated")["data"]["event"]["data"] == {"truncated": True}


def test_other_apps_emit_through_webhook_emit(world: World) -> None:
    subscribe(world.admin, URL, ["customer.updated"])
    data = {"customer": {"id": 7, "name": "Acme"}, "changes": ["tier"]}

    [delivery_id] = webhooks.webhook_emit(
        tenant_id=world.tenant.pk, event="customer.updated", data=data
    )
    none = webhooks.webhook_emit(tenant_id=world.other_tenant.pk, event="customer.updated", data={})

    assert none == []
    payload = WebhookDelivery.objects.get(pk=delivery_id).payload
    assert (payload["type"], payload["tenant"], payload["data"]) == ("customer.updated", "sh", data)
    with pytest.raises(ValueError, match="not a webhook event"):
        webhooks.webhook_emit(tenant_id=world.tenant.pk, event="customer.deleted", data={})
    with pytest.raises(ValueError, match="not a webhook event"):
        webhooks.webhook_emit(tenant_id=world.tenant.pk, event="ping", data={})


# --- the cost of the hook on the bulk path ------------------------------------------------------


def _breach_rows(tickets: list[Ticket]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        events.event_row(
            tenant_id=t.tenant_id,
            ticket_id=t.pk,
            type=EventType.SLA,
            at=now,
            data={"action": "breach", "timers": [], "people": [], "notify": False},
        )
        for t in tickets
    ]


def test_the_bulk_hook_costs_one_query_per_batch_without_subscribers(world: World) -> None:
    tickets = [factories.ticket(world.agent, subject=f"T{i}") for i in range(30)]
    other_admin = factories.actor(world.other_tenant, "admin", "other_admin")
    subscribe(other_admin, URL)  # another unit subscribes: still one query here
    rows = _breach_rows(tickets)
    starts = [{**row, "data": {"action": "start", "timers": []}} for row in rows]

    with CaptureQueriesContext(connection) as unmapped:
        webhooks.ticket_rows_emit(starts)
    with CaptureQueriesContext(connection) as unsubscribed:
        webhooks.ticket_rows_emit(rows)

    assert len(unmapped) == 0
    assert len(unsubscribed) == 1
    assert WebhookDelivery.objects.count() == 0


def test_the_bulk_hook_with_a_subscriber_costs_a_fixed_number_of_queries(world: World) -> None:
    tickets = [
        factories.ticket(world.agent, subject=f"T{i}", priority=TicketPriority.HIGH)
        for i in range(30)
    ]
    subscribe(world.admin, URL, ["sla.breach"])

    with CaptureQueriesContext(connection) as queries:
        ids = webhooks.ticket_rows_emit(_breach_rows(tickets))

    assert len(ids) == 30
    assert len(queries) <= 4  # subscriptions, tickets, one insert (+ a savepoint at most)
    numbers = sorted(d.payload["data"]["ticket"]["number"] for d in WebhookDelivery.objects.all())
    assert numbers == sorted(t.number for t in tickets)
