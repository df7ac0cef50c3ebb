"""Writes of outbound webhooks: subscriptions, their signing secrets, test events and
replays. Only the unit's administrators (``integrations.manage``) write them.

The signing secret is made here, never chosen by a person; the UI and the API show it once,
when the webhook is created and when the secret is rotated. After a rotation the previous
secret keeps signing beside the new one for ``PREVIOUS_SECRET_VALID``, so that a receiver
can switch over without losing events.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.channels import selectors
from zhongtai.channels.choices import SUBSCRIBABLE_EVENTS, WebhookEvent
from zhongtai.channels.models import (
    MAX_DESCRIPTION,
    MAX_URL,
    WebhookDelivery,
    WebhookSubscription,
)
from zhongtai.channels.webhooks import Occurrence, Unit, deliveries_send_after_commit, outbox_write
from zhongtai.core.errors import Conflict, InvalidInput
from zhongtai.core.permissions import ensure_can

PERM = selectors.PERM
PREVIOUS_SECRET_VALID = timedelta(hours=24)
SECRET_PREFIX = "whsec_"  # noqa: S105 (a marker that says what the value is, not a secret)
_CONTROL = re.compile(r"[\x00-\x20\x7f]|[\ud800-\udfff]")


def secret_new() -> str:
    """A fresh signing secret: 256 random bits, URL-safe."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class WebhookInput:
    """A webhook's whole settings, as an administrator or the API gives them."""

    name: str
    url: str
    events: list[str] = field(default_factory=list)
    description: str = ""
    is_active: bool = True


def _error(name: str, message: str) -> dict[str, str]:
    return {"field": name, "message": message}


def url_errors(url: str) -> list[str]:
    """What is wrong with a target address: http or https, a host, no user name or
    password in it (receivers check the signature instead), no spaces or controls."""
    if not url or len(url) > MAX_URL or _CONTROL.search(url):
        return [_("Enter an http:// or https:// address of at most 500 characters.")]
    try:
        parts = urlsplit(url)
        _port = parts.port  # (raises for a port that is not a number)
    except ValueError:
        return [_("This address is not valid.")]
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [_("Enter an http:// or https:// address.")]
    if parts.username is not None or parts.password is not None:
        return [_("Leave the user name and password out of the address.")]
    return []


def _clean(data: WebhookInput) -> tuple[dict[str, object], list[dict[str, str]]]:
    """The model's fields from the input, and what is wrong with it."""
    errors = []
    name = " ".join(data.name.split())
    if not name or len(name) > 120 or _CONTROL.search(name.replace(" ", "")):
        errors.append(_error("name", _("A webhook needs a name of at most 120 characters.")))
    errors += [_error("url", message) for message in url_errors(data.url)]
    events = list(dict.fromkeys(data.events))
    if not events:
        errors.append(_error("events", _("Choose at least one event.")))
    elif any(event not in SUBSCRIBABLE_EVENTS for event in events):
        errors.append(_error("events", _("Unknown event.")))
    if len(data.description) > MAX_DESCRIPTION or re.search(
        r"[\ud800-\udfff\x00]", data.description
    ):
        errors.append(_error("description", _("At most 1000 characters of text.")))
    fields: dict[str, object] = {
        "name": name,
        "url": data.url,
        "events": [e for e in SUBSCRIBABLE_EVENTS if e in events],  # in a stable order
        "description": data.description.strip(),
        "is_active": data.is_active,
    }
    return fields, errors


def _save(actor: Actor, webhook: WebhookSubscription, data: WebhookInput) -> WebhookSubscription:
    fields, errors = _clean(data)
    if errors:
        raise InvalidInput(errors=errors)
    for name, value in fields.items():
        setattr(webhook, name, value)
    taken = InvalidInput(errors=[_error("name", _("A webhook with this name exists already."))])
    same = WebhookSubscription.objects.filter(tenant=actor.tenant, name=webhook.name)
    if same.exclude(pk=webhook.pk).exists():
        raise taken
    try:
        with transaction.atomic():  # (a savepoint: a racing twin fails the constraint)
            webhook.save()
    except IntegrityError as exc:
        raise taken from exc
    return webhook


@transaction.atomic
def webhook_create(*, actor: Actor, data: WebhookInput) -> WebhookSubscription:
    """A new webhook with a fresh secret (``webhook.secret``: show it to its creator once)."""
    ensure_can(actor, PERM)
    webhook = WebhookSubscription(tenant=actor.tenant, secret=secret_new(), created_by=actor.user)
    return _save(actor, webhook, data)


def _locked(actor: Actor, webhook_id: int) -> WebhookSubscription:
    webhook = selectors.webhook_get(actor=actor, webhook_id=webhook_id)  # NotFound elsewhere
    locked: WebhookSubscription = WebhookSubscription.objects.select_for_update().get(pk=webhook.pk)
    return locked


@transaction.atomic
def webhook_update(*, actor: Actor, webhook_id: int, data: WebhookInput) -> WebhookSubscription:
    """Replace a webhook's settings (its secret stays)."""
    ensure_can(actor, PERM)
    return _save(actor, _locked(actor, webhook_id), data)


@transaction.atomic
def webhook_delete(*, actor: Actor, webhook_id: int) -> None:
    """Delete a webhook with its delivery log (switch it off instead to keep the log).
    A delivery being sent at that moment is sent, and its outcome dropped."""
    ensure_can(actor, PERM)
    _locked(actor, webhook_id).delete()


@transaction.atomic
def webhook_secret_rotate(*, actor: Actor, webhook_id: int) -> WebhookSubscription:
    """A new secret (``webhook.secret``: show it once); the one it replaces keeps signing
    beside it for ``PREVIOUS_SECRET_VALID``."""
    ensure_can(actor, PERM)
    webhook = _locked(actor, webhook_id)
    webhook.previous_secret = webhook.secret
    webhook.previous_secret_until = timezone.now() + PREVIOUS_SECRET_VALID
    webhook.secret = secret_new()
    webhook.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
    return webhook


def _unit(actor: Actor, webhook: WebhookSubscription, event: str) -> Unit:
    tenant = actor.tenant
    return Unit(
        tenant_id=tenant.pk,
        slug=tenant.slug,
        ticket_prefix=tenant.ticket_prefix,
        subscriptions=((webhook.pk, frozenset({event})),),
    )


@transaction.atomic
def webhook_ping(*, actor: Actor, webhook_id: int) -> WebhookDelivery:
    """Send a test event (``ping``) to the webhook, even a switched-off one: to try a
    receiver before switching it on."""
    ensure_can(actor, PERM)
    webhook = selectors.webhook_get(actor=actor, webhook_id=webhook_id)
    data = {
        "webhook": {"id": webhook.pk, "name": webhook.name},
        "message": "A test event from Zhongtai.",
    }
    occurrence = Occurrence(
        unit=_unit(actor, webhook, WebhookEvent.PING),
        event=WebhookEvent.PING,
        at=timezone.now(),
        data=data,
    )
    (delivery_id,) = outbox_write([occurrence])
    delivery: WebhookDelivery = WebhookDelivery.objects.select_related("subscription").get(
        pk=delivery_id
    )
    return delivery


@transaction.atomic
def delivery_replay(*, actor: Actor, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again, whatever its state: a new delivery with the same event id
    and payload (a receiver that has it drops it), ``replay_of`` the one replayed."""
    ensure_can(actor, PERM)
    original = selectors.delivery_get(actor=actor, delivery_id=delivery_id)
    webhook = original.subscription
    if not webhook.is_active and original.event != WebhookEvent.PING:
        raise Conflict(
            _("Switch the webhook on before sending its events again."), code="webhook_inactive"
        )
    replay = WebhookDelivery.objects.create(
        tenant=actor.tenant,
        subscription=webhook,
        event=original.event,
        event_id=original.event_id,
        payload=original.payload,
        next_attempt_at=timezone.now(),
        replay_of=original,
    )
    deliveries_send_after_commit([replay.pk])
    return replay
