"""The webhook pages: the list with the latest delivery, the editor (event checkboxes,
errors), the secret shown once, the delivery log with status codes, test events, replays,
rotation and deletion. Administrators only; other units' webhooks are 404."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.channels.webhook_support import Receiver, subscribe
from tests.factories import World
from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import User
from zhongtai.channels import delivery
from zhongtai.channels.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FORM = {
    "name": "ERP",
    "url": "https://erp.example.com/hooks",
    "events": ["ticket.created", "sla.breach"],
    "description": "",
    "is_active": "on",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver.running() as server:
        yield server


def _client(actor: Actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_subscribe_through_the_editor_and_see_the_secret_once(world: World) -> None:
    client = _client(world.admin)
    form = _text(client.get(reverse("webhooks:webhook_create")))
    assert 'value="sla.breach"' in form
    assert 'value="ping"' not in form  # the test event is sent on request, not chosen

    created = client.post(reverse("webhooks:webhook_create"), FORM)

    assert created.status_code == 200
    webhook = WebhookSubscription.objects.get()
    assert webhook.events == ["ticket.created", "sla.breach"]
    assert 'data-testid="webhook-secret"' in _text(created)
    assert webhook.secret in _text(created)
    detail = _text(client.get(reverse("webhooks:webhook_detail", args=[webhook.pk])))
    assert webhook.secret not in detail
    assert "…" + webhook.secret[-4:] in detail


def test_the_editor_shows_errors_and_stores_nothing(world: World) -> None:
    client = _client(world.admin)

    bad = client.post(reverse("webhooks:webhook_create"), {**FORM, "url": "ftp://x", "events": []})

    assert bad.status_code == 422
    page = _text(bad)
    assert 'data-testid="error-events"' in page
    assert not WebhookSubscription.objects.exists()
    bad_url = client.post(reverse("webhooks:webhook_create"), {**FORM, "url": "ftp://x"})
    assert bad_url.status_code == 422
    assert 'data-testid="error-url"' in _text(bad_url)
    assert not WebhookSubscription.objects.exists()


def test_changing_a_webhook(world: World) -> None:
    webhook = subscribe(world.admin, "https://erp.example.com/hooks")
    client = _client(world.admin)
    url = reverse("webhooks:webhook_edit", args=[webhook.pk])
    assert 'value="https://erp.example.com/hooks"' in _text(client.get(url))

    saved = client.post(url, {**FORM, "events": ["sla.warning"], "is_active": ""})

    assert saved.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.events, webhook.is_active) == (["sla.warning"], False)


def test_the_list_and_the_log_show_how_deliveries_went(world: World, receiver: Receiver) -> None:
    webhook = subscribe(world.admin, receiver.url)
    receiver.answers = [(503, "maintenance")]
    client = _client(world.admin)
    pinged = client.post(reverse("webhooks:webhook_ping", args=[webhook.pk]))
    assert pinged.status_code == 302
    item = WebhookDelivery.objects.get()
    delivery.delivery_attempt(delivery_id=item.pk)

    listing = _text(client.get(reverse("webhooks:webhook_list")))
    log = _text(client.get(reverse("webhooks:webhook_detail", args=[webhook.pk])))
    partial = _text(
        client.get(
            reverse("webhooks:webhook_detail", args=[webhook.pk]), {"state": "failed"}, **HTMX
        )
    )
    attempts = _text(client.get(reverse("webhooks:delivery_detail", args=[item.pk]), **HTMX))
    page = _text(client.get(reverse("webhooks:delivery_detail", args=[item.pk])))

    assert "Failed, will retry" in listing
    assert "503" in listing
    assert 'data-testid="nav-webhooks"' in listing
    assert log.count('data-testid="delivery-row"') == 1
    assert "503" in log
    assert "<html" not in partial
    assert partial.count('data-testid="delivery-row"') == 1
    assert "<html" not in attempts
    assert "maintenance" in attempts
    assert '"type": "ping"' in page


def test_replay_rotate_and_delete_from_the_pages(world: World) -> None:
    webhook = subscribe(world.admin, "https://erp.example.com/hooks")
    client = _client(world.admin)
    client.post(reverse("webhooks:webhook_ping", args=[webhook.pk]))
    first = WebhookDelivery.objects.get()

    replayed = client.post(reverse("webhooks:delivery_replay", args=[first.pk]))
    rotated = client.post(reverse("webhooks:webhook_rotate", args=[webhook.pk]))

    assert replayed.status_code == 302
    assert WebhookDelivery.objects.filter(replay_of=first, event_id=first.event_id).count() == 1
    old_secret = webhook.secret
    webhook.refresh_from_db()
    assert webhook.secret != old_secret
    assert webhook.secret in _text(rotated)
    page = _text(client.get(reverse("webhooks:webhook_detail", args=[webhook.pk])))
    assert "hx-confirm" in page
    deleted = client.post(reverse("webhooks:webhook_delete", args=[webhook.pk]), **HTMX)
    assert deleted["HX-Redirect"] == reverse("webhooks:webhook_list")
    assert not WebhookSubscription.objects.exists()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("role", ["agent", "lead", "l2", "l3"])
def test_other_staff_are_refused(world: World, role: str) -> None:
    webhook = subscribe(world.admin, "https://erp.example.com/hooks")
    client = _client(getattr(world, role))

    assert client.get(reverse("webhooks:webhook_list")).status_code == 403
    assert client.post(reverse("webhooks:webhook_create"), FORM).status_code == 403
    assert client.post(reverse("webhooks:webhook_rotate", args=[webhook.pk])).status_code == 403
    assert 'data-testid="nav-channels"' not in _text(client.get(reverse("tickets:ticket_list")))
    assert WebhookSubscription.objects.get().secret == webhook.secret


def test_a_customer_finds_no_such_page(world: World) -> None:
    assert _client(world.customer).get(reverse("webhooks:webhook_list")).status_code == 404


def test_another_units_webhook_is_not_found(world: World) -> None:
    webhook = subscribe(world.admin, "https://erp.example.com/hooks")
    client = _client(world.admin)
    client.post(reverse("webhooks:webhook_ping", args=[webhook.pk]))
    item = WebhookDelivery.objects.get()
    stranger = _client(factories.actor(world.other_tenant, "admin", "other_admin"))

    for name, args in [
        ("webhooks:webhook_detail", [webhook.pk]),
        ("webhooks:webhook_edit", [webhook.pk]),
        ("webhooks:delivery_detail", [item.pk]),
    ]:
        assert stranger.get(reverse(name, args=args)).status_code == 404
    for name, args in [
        ("webhooks:webhook_edit", [webhook.pk]),
        ("webhooks:webhook_delete", [webhook.pk]),
        ("webhooks:webhook_rotate", [webhook.pk]),
        ("webhooks:webhook_ping", [webhook.pk]),
        ("webhooks:delivery_replay", [item.pk]),
    ]:
        assert stranger.post(reverse(name, args=args), FORM).status_code == 404
    assert "ERP" not in _text(stranger.get(reverse("webhooks:webhook_list")))
    assert WebhookDelivery.objects.count() == 1
    assert WebhookSubscription.objects.get().secret == webhook.secret


def test_django_admin_shows_webhooks_and_the_log_read_only_without_secrets(world: World) -> None:
    webhook = subscribe(world.admin, "https://erp.example.com/hooks")
    _client(world.admin).post(reverse("webhooks:webhook_ping", args=[webhook.pk]))
    item = WebhookDelivery.objects.get()
    superuser = User.objects.create_superuser("root", "root@example.com", factories.PASSWORD)
    client = Client()
    client.force_login(superuser)

    pages = [
        reverse("admin:channels_webhooksubscription_changelist"),
        reverse("admin:channels_webhooksubscription_change", args=[webhook.pk]),
        reverse("admin:channels_webhookdelivery_changelist"),
        reverse("admin:channels_webhookdelivery_change", args=[item.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert webhook.secret not in _text(response)
    assert client.get(reverse("admin:channels_webhooksubscription_add")).status_code == 403
