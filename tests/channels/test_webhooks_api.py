"""The webhooks API: subscribe (the secret once), change, rotate, delete; the delivery log
with its attempts, paging and filters; test events and replays. Bad input stores nothing,
other roles get 403 and other units' webhooks and deliveries are 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests import factories
from tests.channels.webhook_support import Receiver, signature_valid
from tests.factories import World
from tests.support import problem
from zhongtai.channels import delivery
from zhongtai.channels.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db

BODY = {
    "name": "ERP",
    "url": "https://erp.example.com/hooks/zhongtai",
    "events": ["ticket.created", "sla.breach"],
    "description": "Creates service orders in the ERP.",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver.running() as server:
        yield server


def test_subscribe_read_change_and_delete(world: World, api_for: Any) -> None:
    admin = api_for(world.admin)

    created = admin.post("/webhooks", BODY)

    assert created.status_code == 201, created.content
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("whsec_")
    assert len(secret) > 40
    assert body["secret_hint"] == secret[-4:]
    assert (body["events"], body["active"]) == (["ticket.created", "sla.breach"], True)
    path = f"/webhooks/{body['id']}"
    shown = admin.get(path).json()
    assert "secret" not in shown  # shown once, at creation
    assert all("secret" not in w for w in admin.get("/webhooks").json())
    changed = admin.put(path, {**BODY, "events": ["sla.warning"], "active": False})
    assert changed.status_code == 200
    assert (changed.json()["events"], changed.json()["active"]) == (["sla.warning"], False)
    assert changed.json()["description"] == BODY["description"]
    assert WebhookSubscription.objects.get().secret == secret  # a change keeps the secret

    deleted = admin.delete(path)

    assert deleted.status_code == 204
    assert not WebhookSubscription.objects.exists()
    problem(admin.get(path), 404, "not_found")


def test_rotating_the_secret_shows_the_new_one_once_and_keeps_the_old_a_day(
    world: World, api_for: Any, receiver: Receiver
) -> None:
    admin = api_for(world.admin)
    created = admin.post("/webhooks", {**BODY, "url": receiver.url}).json()

    rotated = admin.post(f"/webhooks/{created['id']}/rotate-secret")

    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != created["secret"]
    assert rotated.json()["previous_secret_until"] is not None
    ping = admin.post(f"/webhooks/{created['id']}/ping").json()
    delivery.delivery_attempt(delivery_id=ping["id"])
    [request] = receiver.received
    header = request.headers["X-Zhongtai-Signature"]
    assert signature_valid(header, request.body, new)
    assert signature_valid(header, request.body, created["secret"])  # still, for a day
    assert header.count("v1=") == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "ftp://erp.example.com/hooks"}, "url"),
        ({"url": "file:///etc/passwd"}, "url"),
        ({"url": "https://user:password@erp.example.com/"}, "url"),
        ({"url": "erp.example.com/hooks"}, "url"),
        ({"url": "http://[::1/"}, "url"),
        ({"url": "http://erp:port/"}, "url"),
        ({"events": []}, "events"),
        ({"events": ["ticket.deleted"]}, "events.0"),
        ({"events": ["ping"]}, "events"),
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"description": "x" * 1001}, "description"),
        ({"secret": "chosen-by-me"}, "secret"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(
    world: World, api_for: Any, change: dict[str, Any], field: str
) -> None:
    admin = api_for(world.admin)

    refused = admin.post("/webhooks", {**BODY, **change})

    body = problem(refused, 422)
    assert field in [error["field"] for error in body["errors"]], body
    assert not WebhookSubscription.objects.exists()


def test_a_name_is_unique_within_the_unit(world: World, api_for: Any) -> None:
    admin = api_for(world.admin)
    other_admin = api_for(factories.actor(world.other_tenant, "admin", "other_admin"))
    admin.post("/webhooks", BODY)

    twin = admin.post("/webhooks", BODY)
    elsewhere = other_admin.post("/webhooks", BODY)

    assert problem(twin, 422)["errors"][0]["field"] == "name"
    assert elsewhere.status_code == 201
    assert WebhookSubscription.objects.count() == 2


@pytest.mark.parametrize("role", ["agent", "lead", "l2", "l3", "customer"])
def test_only_administrators_use_it(world: World, api_for: Any, role: str) -> None:
    webhook_id = api_for(world.admin).post("/webhooks", BODY).json()["id"]
    someone = api_for(getattr(world, role))

    problem(someone.get("/webhooks"), 403, "permission_denied")
    problem(someone.post("/webhooks", {**BODY, "name": "Mine"}), 403)
    problem(someone.get(f"/webhooks/{webhook_id}"), 403)
    problem(someone.post(f"/webhooks/{webhook_id}/rotate-secret"), 403)
    problem(someone.get("/webhooks/deliveries"), 403)
    assert WebhookSubscription.objects.count() == 1


def test_another_units_webhooks_and_deliveries_are_not_found(world: World, api_for: Any) -> None:
    admin = api_for(world.admin)
    webhook_id = admin.post("/webhooks", BODY).json()["id"]
    delivery_id = admin.post(f"/webhooks/{webhook_id}/ping").json()["id"]
    stranger = api_for(factories.actor(world.other_tenant, "admin", "other_admin"))

    for response in (
        stranger.get(f"/webhooks/{webhook_id}"),
        stranger.put(f"/webhooks/{webhook_id}", BODY),
        stranger.delete(f"/webhooks/{webhook_id}"),
        stranger.post(f"/webhooks/{webhook_id}/rotate-secret"),
        stranger.post(f"/webhooks/{webhook_id}/ping"),
        stranger.get("/webhooks/deliveries", webhook_id=webhook_id),
        stranger.get(f"/webhooks/deliveries/{delivery_id}"),
        stranger.post(f"/webhooks/deliveries/{delivery_id}/replay"),
    ):
        problem(response, 404, "not_found")
    assert stranger.get("/webhooks").json() == []
    assert stranger.get("/webhooks/deliveries").json()["items"] == []
    assert WebhookDelivery.objects.count() == 1
    assert WebhookSubscription.objects.get().name == "ERP"


def test_the_delivery_log_pages_filters_and_shows_attempts(
    world: World, api_for: Any, receiver: Receiver
) -> None:
    admin = api_for(world.admin)
    webhook_id = admin.post("/webhooks", {**BODY, "url": receiver.url}).json()["id"]
    receiver.answers = [(500, "try later")]
    ids = [admin.post(f"/webhooks/{webhook_id}/ping").json()["id"] for _ in range(5)]
    delivery.delivery_attempt(delivery_id=ids[0])  # 500: failed, will retry
    delivery.delivery_attempt(delivery_id=ids[1])  # 200

    first = admin.get("/webhooks/deliveries", limit=3).json()
    rest = admin.get("/webhooks/deliveries", limit=3, cursor=first["next_cursor"]).json()
    failed = admin.get("/webhooks/deliveries", state="failed", webhook_id=webhook_id).json()
    detail = admin.get(f"/webhooks/deliveries/{ids[0]}").json()

    assert [d["id"] for d in first["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None
    assert [d["id"] for d in failed["items"]] == [ids[0]]
    assert (detail["state"], detail["last_status_code"], detail["attempts"]) == ("failed", 500, 1)
    assert detail["payload"]["type"] == "ping"
    assert [
        (a["number"], a["status_code"], a["response_excerpt"]) for a in detail["attempt_log"]
    ] == [(1, 500, "try later")]
    problem(admin.get("/webhooks/deliveries", state="lost"), 422)
    problem(admin.get("/webhooks/deliveries", cursor="not-a-cursor"), 422)


def test_replay_makes_a_new_delivery_with_the_same_event(world: World, api_for: Any) -> None:
    admin = api_for(world.admin)
    webhook_id = admin.post("/webhooks", BODY).json()["id"]
    original = admin.post(f"/webhooks/{webhook_id}/ping").json()

    replayed = admin.post(f"/webhooks/deliveries/{original['id']}/replay")

    assert replayed.status_code == 202
    body = replayed.json()
    assert (body["replay_of"], body["event_id"], body["state"]) == (
        original["id"],
        original["event_id"],
        "pending",
    )
    assert body["id"] != original["id"]


def test_a_switched_off_webhook_is_not_replayed(world: World, api_for: Any) -> None:
    admin = api_for(world.admin)
    webhook_id = admin.post("/webhooks", BODY).json()["id"]
    factories.ticket(world.customer)
    admin.put(f"/webhooks/{webhook_id}", {**BODY, "active": False})
    delivery_id = WebhookDelivery.objects.get(event="ticket.created").pk

    refused = admin.post(f"/webhooks/deliveries/{delivery_id}/replay")

    problem(refused, 409, "webhook_inactive")
    assert WebhookDelivery.objects.count() == 1


def test_the_list_answers_in_a_fixed_number_of_queries(
    world: World, api_for: Any, django_assert_max_num_queries: Any
) -> None:
    admin = api_for(world.admin)
    for i in range(6):
        webhook_id = admin.post("/webhooks", {**BODY, "name": f"ERP {i}"}).json()["id"]
        admin.post(f"/webhooks/{webhook_id}/ping")
    admin.get("/webhooks")

    with django_assert_max_num_queries(5):
        assert len(admin.get("/webhooks").json()) == 6
    with django_assert_max_num_queries(5):
        assert len(admin.get("/webhooks/deliveries").json()["items"]) == 6
