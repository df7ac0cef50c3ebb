"""Sending webhooks to a real receiver on loopback: signed, logged with status codes,
retried with backoff, given up after the last attempt, replayed with the same event id,
and safe when workers race or die."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from tests import factories
from tests.channels.webhook_support import (
    Receiver,
    refused_url,
    signature_valid,
    subscribe,
)
from tests.factories import World
from tests.support import huey_drain
from zhongtai.channels import delivery, services
from zhongtai.channels.choices import DeliveryState
from zhongtai.channels.delivery import BACKOFF, LEASE, MAX_ATTEMPTS
from zhongtai.channels.models import WebhookAttempt, WebhookDelivery
from zhongtai.channels.tasks import webhook_deliveries_purge_task, webhook_deliveries_retry_task
from zhongtai.core.permissions import Role


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver.running() as server:
        yield server


def _only_delivery(**filters: Any) -> WebhookDelivery:
    return WebhookDelivery.objects.get(**filters)


def _attempt_due(item: WebhookDelivery) -> str | None:
    """Make the delivery's next attempt at the time it is due (as the retry scan would)."""
    item.refresh_from_db()
    assert item.next_attempt_at is not None
    with time_machine.travel(item.next_attempt_at + timedelta(seconds=1), tick=False):
        return delivery.delivery_attempt(delivery_id=item.pk)


# --- the whole path: a ticket, the commit, the queue, the receiver ---------------------------


@pytest.mark.django_db(transaction=True)
def test_a_new_ticket_reaches_the_receiver_signed_after_the_commit(
    world: World, receiver: Receiver, queue: Any
) -> None:
    webhook = subscribe(world.admin, receiver.url, ["ticket.created"])

    ticket = factories.ticket(world.customer, subject="Printer on fire")
    assert receiver.received == []  # nothing is sent inside the request
    huey_drain()

    [request] = receiver.received
    headers = request.headers
    assert request.path == "/hooks/zhongtai"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Zhongtai-Webhooks/1"
    assert headers["X-Zhongtai-Event"] == "ticket.created"
    assert signature_valid(headers["X-Zhongtai-Signature"], request.body, webhook.secret)
    assert not signature_valid(headers["X-Zhongtai-Signature"], request.body + b" ", webhook.secret)
    assert not signature_valid(headers["X-Zhongtai-Signature"], request.body, "whsec_other")
    payload = request.json
    assert headers["X-Zhongtai-Delivery"] == payload["id"]
    assert (payload["type"], payload["tenant"]) == ("ticket.created", "sh")
    assert payload["created_at"].endswith("Z")
    assert payload["data"]["ticket"]["number"] == ticket.number
    assert payload["data"]["ticket"]["reference"] == f"SH-{ticket.number:06d}"
    assert payload["data"]["ticket"]["subject"] == "Printer on fire"
    assert payload["data"]["ticket"]["customer"]["name"] == "Acme"
    assert payload["data"]["event"]["type"] == "created"
    sent = _only_delivery()
    assert (sent.state, sent.attempts, sent.last_status_code) == ("succeeded", 1, 200)
    assert str(sent.event_id) == payload["id"]
    assert sent.delivered_at is not None
    assert sent.next_attempt_at is None
    [attempt] = WebhookAttempt.objects.all()
    assert (attempt.number, attempt.status_code, attempt.response_excerpt) == (1, 200, "ok")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_delivery_and_sends_nothing(
    world: World, receiver: Receiver, queue: Any
) -> None:
    subscribe(world.admin, receiver.url, ["ticket.created"])

    written = []

    def open_then_fail() -> None:
        with transaction.atomic():
            factories.ticket(world.customer)
            written.append(WebhookDelivery.objects.count())
            raise RuntimeError("the request failed after the ticket was written")

    with pytest.raises(RuntimeError):
        open_then_fail()
    huey_drain()

    assert written == [1]  # written with the ticket…
    assert WebhookDelivery.objects.count() == 0  # …and gone with it
    assert receiver.received == []


@pytest.mark.django_db(transaction=True)
def test_a_lost_job_is_sent_by_the_minute_scan(
    world: World, receiver: Receiver, queue: Any
) -> None:
    subscribe(world.admin, receiver.url, ["ticket.created"])
    factories.ticket(world.customer)
    queue.flush()  # the worker died with the job: only the row is left

    assert webhook_deliveries_retry_task.call_local() == 0  # its job may still be queued
    later = timezone.now() + delivery.FIRST_TRY_GRACE + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert webhook_deliveries_retry_task.call_local() == 1
        huey_drain()

    assert len(receiver.received) == 1
    assert _only_delivery().state == DeliveryState.SUCCEEDED


# --- failures, backoff, giving up -------------------------------------------------------------


@pytest.mark.django_db
def test_a_500_is_retried_with_backoff_and_each_code_is_logged(
    world: World, receiver: Receiver
) -> None:
    webhook = subscribe(world.admin, receiver.url)
    receiver.answers = [(500, "database down"), (503, "busy")]
    item = services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)

    assert delivery.delivery_attempt(delivery_id=item.pk) == DeliveryState.FAILED
    item.refresh_from_db()
    assert (item.attempts, item.last_status_code, item.response_excerpt) == (
        1,
        500,
        "database down",
    )
    assert item.next_attempt_at is not None
    wait = item.next_attempt_at - timezone.now()
    assert BACKOFF[0] - timedelta(seconds=5) < wait <= BACKOFF[0]
    assert delivery.delivery_attempt(delivery_id=item.pk) is None  # not due yet
    assert _attempt_due(item) == DeliveryState.FAILED
    item.refresh_from_db()
    assert item.next_attempt_at is not None
    assert item.last_status_code == 503
    assert _attempt_due(item) == DeliveryState.SUCCEEDED

    codes = list(WebhookAttempt.objects.order_by("number").values_list("number", "status_code"))
    assert codes == [(1, 500), (2, 503), (3, 200)]
    bodies = [r.body for r in receiver.received]
    assert bodies[0] == bodies[1] == bodies[2]  # the same event, byte for byte
    ids = {r.headers["X-Zhongtai-Delivery"] for r in receiver.received}
    assert len(ids) == 1


@pytest.mark.django_db
def test_connection_refused_is_retried_then_the_delivery_is_dead(world: World) -> None:
    webhook = subscribe(world.admin, refused_url())
    item = services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)

    states = [delivery.delivery_attempt(delivery_id=item.pk)]
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        item.refresh_from_db()
        before = item.next_attempt_at
        assert before is not None
        waits.append(before)
        states.append(_attempt_due(item))

    assert states == [DeliveryState.FAILED] * (MAX_ATTEMPTS - 1) + [DeliveryState.DEAD]
    item.refresh_from_db()
    assert (item.attempts, item.next_attempt_at, item.last_status_code) == (8, None, None)
    assert item.last_error  # the socket's error, e.g. "[Errno 111] Connection refused"
    gaps = [later - earlier for earlier, later in itertools.pairwise(waits)]
    assert [round(g / timedelta(minutes=1)) for g in gaps] == [5, 30, 120, 360, 720, 1440]
    assert WebhookAttempt.objects.filter(delivery=item, status_code__isnull=True).count() == 8
    assert delivery.deliveries_due(now=timezone.now() + timedelta(days=30)) == []


@pytest.mark.django_db
def test_a_redirect_is_a_failure_and_is_not_followed(world: World, receiver: Receiver) -> None:
    webhook = subscribe(world.admin, receiver.url)
    receiver.answers = [(302, "moved")]
    item = services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)

    assert delivery.delivery_attempt(delivery_id=item.pk) == DeliveryState.FAILED

    assert [r.path for r in receiver.received] == ["/hooks/zhongtai"]  # not /elsewhere
    item.refresh_from_db()
    assert item.last_status_code == 302


@pytest.mark.django_db
def test_a_long_answer_is_kept_to_its_start(world: World, receiver: Receiver) -> None:
    webhook = subscribe(world.admin, receiver.url)
    receiver.answers = [(200, "x" * 10_000 + "\x00")]
    item = services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)

    delivery.delivery_attempt(delivery_id=item.pk)

    item.refresh_from_db()
    assert item.response_excerpt == "x" * 2048
    assert item.duration_ms is not None


@pytest.mark.django_db
def test_a_switched_off_webhook_is_sent_nothing_but_test_events(
    world: World, receiver: Receiver
) -> None:
    webhook = subscribe(world.admin, receiver.url, ["ticket.created"])
    factories.ticket(world.customer)
    item = _only_delivery(event="ticket.created")
    services.webhook_update(
        actor=world.admin,
        webhook_id=webhook.pk,
        data=services.WebhookInput(
            name="ERP", url=receiver.url, events=["ticket.created"], is_active=False
        ),
    )

    assert delivery.delivery_attempt(delivery_id=item.pk) == DeliveryState.DEAD
    ping = services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)
    assert delivery.delivery_attempt(delivery_id=ping.pk) == DeliveryState.SUCCEEDED

    assert [r.headers["X-Zhongtai-Event"] for r in receiver.received] == ["ping"]
    item.refresh_from_db()
    assert "switched off" in item.last_error


# --- replay -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_replay_sends_the_same_event_again_whatever_the_state(
    world: World, receiver: Receiver
) -> None:
    webhook = subscribe(world.admin, receiver.url)
    first = services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)
    delivery.delivery_attempt(delivery_id=first.pk)

    replay = services.delivery_replay(actor=world.admin, delivery_id=first.pk)
    delivery.delivery_attempt(delivery_id=replay.pk)
    again = services.delivery_replay(actor=world.admin, delivery_id=replay.pk)

    assert (replay.replay_of_id, again.replay_of_id) == (first.pk, replay.pk)
    assert replay.event_id == first.event_id == again.event_id
    assert replay.payload == first.payload
    one, two = receiver.received
    assert one.body == two.body
    assert one.headers["X-Zhongtai-Delivery"] == two.headers["X-Zhongtai-Delivery"]
    replay.refresh_from_db()
    assert (replay.state, replay.attempts) == (DeliveryState.SUCCEEDED, 1)


# --- workers that race or die -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_worker_killed_mid_attempt_leaves_the_delivery_due_after_its_lease(
    world: World, receiver: Receiver
) -> None:
    webhook = subscribe(world.admin, refused_url())
    item = services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)
    assert delivery._claim(item.pk, timezone.now()) is not None  # …and the worker dies here

    assert delivery.delivery_attempt(delivery_id=item.pk) is None  # leased: nobody sends
    assert delivery.deliveries_due(now=timezone.now()) == []
    after_lease = timezone.now() + LEASE + timedelta(seconds=1)
    assert delivery.deliveries_due(now=after_lease) == [item.pk]
    webhook.url = receiver.url
    webhook.save(update_fields=["url"])
    with time_machine.travel(after_lease, tick=False):
        assert delivery.delivery_attempt(delivery_id=item.pk) == DeliveryState.SUCCEEDED

    item.refresh_from_db()
    assert item.attempts == 2  # the lost attempt counts
    assert list(WebhookAttempt.objects.values_list("number", flat=True)) == [2]


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite's in-memory test database has no real locks"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_attempt(world: World, receiver: Receiver) -> None:
    webhook = subscribe(world.admin, receiver.url)
    item = services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)
    outcomes: list[str | None] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        try:
            outcomes.append(delivery.delivery_attempt(delivery_id=item.pk))
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(outcomes, key=str) == [None, None, None, DeliveryState.SUCCEEDED]
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_the_claim_is_won_once(world: World) -> None:
    webhook = subscribe(world.admin, refused_url())
    item = services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)
    now = timezone.now()

    first = delivery._claim(item.pk, now)
    second = delivery._claim(item.pk, now)

    assert first is not None
    assert first.attempts == 1
    assert second is None


# --- the documentation's verification snippet ---------------------------------------------------


def _documented_check() -> Any:
    """The ``python`` block under "Verifying the signature" in docs/webhooks.md."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    section = text.split("## Verifying the signature", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 (our own docs)
    return namespace["zhongtai_signature_ok"]


@pytest.mark.django_db
def test_the_documented_check_accepts_our_requests_and_refuses_others(
    world: World, receiver: Receiver
) -> None:
    check = _documented_check()
    webhook = subscribe(world.admin, receiver.url)
    item = services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)
    delivery.delivery_attempt(delivery_id=item.pk)
    [request] = receiver.received
    header = request.headers["X-Zhongtai-Signature"]

    assert check(header, request.body, webhook.secret)
    assert not check(header, request.body.replace(b"ping", b"pong"), webhook.secret)
    assert not check(header, request.body, "whsec_wrong")
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert not check(header, request.body, webhook.secret)  # too old: a replayed request


# --- keeping the log --------------------------------------------------------------------


def _logged(world: World, subscription: Any, state: str, age_days: int, **fields: Any) -> Any:
    item = WebhookDelivery.objects.create(
        tenant=subscription.tenant,
        subscription=subscription,
        event="ticket.created",
        payload={"n": age_days},
        state=state,
        **fields,
    )
    WebhookDelivery.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - timedelta(days=age_days)
    )
    WebhookAttempt.objects.create(
        tenant=subscription.tenant, delivery=item, number=1, status_code=200, duration_ms=5
    )
    return item


def test_the_nightly_purge_keeps_recent_and_unfinished_deliveries(world: World) -> None:
    ours = subscribe(world.admin, "https://erp.example/hook")
    their_admin = factories.actor(world.other_tenant, Role.ADMIN, "their.admin")
    theirs = subscribe(their_admin, "https://crm.example/hook")
    old_done = _logged(world, ours, DeliveryState.SUCCEEDED, 40)
    old_dead = _logged(world, theirs, DeliveryState.DEAD, 31)
    old_retrying = _logged(world, ours, DeliveryState.FAILED, 45)
    old_pending = _logged(world, theirs, DeliveryState.PENDING, 60)
    recent = _logged(world, ours, DeliveryState.SUCCEEDED, 29)
    replay = _logged(world, ours, DeliveryState.SUCCEEDED, 1, replay_of=old_done)

    assert delivery.deliveries_purge() == 2

    kept = set(WebhookDelivery.objects.values_list("pk", flat=True))
    assert kept == {old_retrying.pk, old_pending.pk, recent.pk, replay.pk}
    assert old_dead.pk not in kept
    assert not WebhookAttempt.objects.filter(delivery_id__in=[old_done.pk, old_dead.pk]).exists()
    replay.refresh_from_db()
    assert replay.replay_of is None  # the replay keeps its own log
    assert delivery.deliveries_purge() == 0  # nothing left to do: safe to run twice


def test_retention_is_a_setting_and_zero_keeps_everything(world: World, settings: Any) -> None:
    hook = subscribe(world.admin, "https://erp.example/hook")
    _logged(world, hook, DeliveryState.SUCCEEDED, 400)
    _logged(world, hook, DeliveryState.SUCCEEDED, 10)

    settings.WEBHOOK_RETENTION_DAYS = 0
    assert delivery.deliveries_purge() == 0
    settings.WEBHOOK_RETENTION_DAYS = 7
    assert delivery.deliveries_purge() == 2
    assert WebhookDelivery.objects.count() == 0


def test_the_purge_runs_nightly() -> None:
    periodic = webhook_deliveries_purge_task.task_class()
    assert periodic.validate_datetime(datetime(2026, 11, 25, 3, 17))
    assert not periodic.validate_datetime(datetime(2026, 11, 25, 4, 17))
