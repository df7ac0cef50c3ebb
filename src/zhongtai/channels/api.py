"""The outbound webhooks API (``/api/v1/webhooks``): subscriptions, their secrets, the
delivery log, test events and replays.

Only the unit's administrators (``integrations.manage``) use it; everyone else gets 403,
and another unit's webhook or delivery is a 404. A webhook's signing secret is in the
answer of its creation and of a rotation only. See ``docs/webhooks.md``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from zhongtai.channels import selectors, services
from zhongtai.channels.choices import DeliveryState, WebhookEvent
from zhongtai.channels.models import (
    MAX_DESCRIPTION,
    MAX_URL,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from zhongtai.core.api import actor_of
from zhongtai.core.inputs import LINE_PATTERN, TEXT_PATTERN, Id, PathId
from zhongtai.core.pagination import keyset_page

router = Router(tags=["webhooks"])

EVENTS_HELP = (
    "The events to send: ticket.created, ticket.updated, ticket.escalated, ticket.resolved, "
    "sla.warning, sla.breach, customer.updated."
)


class WebhookIn(Schema):
    """A webhook's whole settings (PUT replaces every field; the secret stays)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, pattern=LINE_PATTERN)
    url: str = Field(
        min_length=1,
        max_length=MAX_URL,
        pattern=LINE_PATTERN,
        description="An http:// or https:// address that receives the events as POSTs.",
    )
    events: list[WebhookEvent] = Field(min_length=1, max_length=20, description=EVENTS_HELP)
    description: str = Field(default="", max_length=MAX_DESCRIPTION, pattern=TEXT_PATTERN)
    active: bool = True


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    description: str
    active: bool
    secret_hint: str = Field(description="The last four characters of the signing secret.")
    previous_secret_until: datetime | None = Field(
        description="Until when the secret replaced by the last rotation still signs too."
    )
    created_at: datetime
    updated_at: datetime


class WebhookSecretOut(WebhookOut):
    secret: str = Field(
        description="The signing secret. Shown here only: keep it where the receiver runs."
    )


class DeliveryOut(Schema):
    id: int
    webhook_id: int
    event: str
    event_id: UUID = Field(description="The event's id: the same in every retry and replay.")
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    duration_ms: int | None
    delivered_at: datetime | None
    replay_of: int | None
    created_at: datetime


class AttemptOut(Schema):
    number: int
    status_code: int | None
    error: str
    response_excerpt: str = Field(description="The start of the receiver's answer (2 KB).")
    duration_ms: int
    created_at: datetime


class DeliveryDetailOut(DeliveryOut):
    payload: dict[str, Any]
    response_excerpt: str
    attempt_log: list[AttemptOut]


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page.")


class DeliveryParams(Schema):
    webhook_id: Id | None = None
    state: DeliveryState | None = None
    event: WebhookEvent | None = None
    cursor: str | None = Field(default=None, max_length=200, pattern=r"^[A-Za-z0-9_\-]*$")
    limit: int = Field(default=50, ge=1, le=200)


def _input(data: WebhookIn) -> services.WebhookInput:
    return services.WebhookInput(
        name=data.name,
        url=data.url,
        events=[str(event) for event in data.events],
        description=data.description,
        is_active=data.active,
    )


def _webhook(webhook: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": webhook.pk,
        "name": webhook.name,
        "url": webhook.url,
        "events": webhook.events,
        "description": webhook.description,
        "active": webhook.is_active,
        "secret_hint": webhook.secret[-4:],
        "previous_secret_until": webhook.previous_secret_until,
        "created_at": webhook.created_at,
        "updated_at": webhook.updated_at,
    }


def _delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "webhook_id": delivery.subscription_id,
        "event": delivery.event,
        "event_id": delivery.event_id,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "duration_ms": delivery.duration_ms,
        "delivered_at": delivery.delivered_at,
        "replay_of": delivery.replay_of_id,
        "created_at": delivery.created_at,
    }


def _attempt(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "status_code": attempt.status_code,
        "error": attempt.error,
        "response_excerpt": attempt.response_excerpt,
        "duration_ms": attempt.duration_ms,
        "created_at": attempt.created_at,
    }


@router.get("", response=list[WebhookOut], summary="The unit's webhooks")
def webhook_list_api(request: HttpRequest) -> list[dict[str, Any]]:
    return [_webhook(w) for w in selectors.webhook_list(actor=actor_of(request))]


@router.post("", response={201: WebhookSecretOut}, summary="Subscribe a receiver to events")
def webhook_create_api(request: HttpRequest, data: WebhookIn) -> Status[dict[str, Any]]:
    webhook = services.webhook_create(actor=actor_of(request), data=_input(data))
    return Status(201, {**_webhook(webhook), "secret": webhook.secret})


@router.get("/{int:webhook_id}", response=WebhookOut, summary="One webhook")
def webhook_get_api(request: HttpRequest, webhook_id: PathId) -> dict[str, Any]:
    return _webhook(selectors.webhook_get(actor=actor_of(request), webhook_id=webhook_id))


@router.put("/{int:webhook_id}", response=WebhookOut, summary="Replace a webhook's settings")
def webhook_update_api(request: HttpRequest, webhook_id: PathId, data: WebhookIn) -> dict[str, Any]:
    webhook = services.webhook_update(
        actor=actor_of(request), webhook_id=webhook_id, data=_input(data)
    )
    return _webhook(webhook)


@router.delete(
    "/{int:webhook_id}", response={204: None}, summary="Delete a webhook and its delivery log"
)
def webhook_delete_api(request: HttpRequest, webhook_id: PathId) -> Status[None]:
    services.webhook_delete(actor=actor_of(request), webhook_id=webhook_id)
    return Status(204, None)


@router.post(
    "/{int:webhook_id}/rotate-secret",
    response=WebhookSecretOut,
    summary="A new signing secret (the previous one still signs for 24 hours)",
)
def webhook_rotate_api(request: HttpRequest, webhook_id: PathId) -> dict[str, Any]:
    webhook = services.webhook_secret_rotate(actor=actor_of(request), webhook_id=webhook_id)
    return {**_webhook(webhook), "secret": webhook.secret}


@router.post(
    "/{int:webhook_id}/ping",
    response={202: DeliveryOut},
    summary="Send a test event (ping) to the webhook",
)
def webhook_ping_api(request: HttpRequest, webhook_id: PathId) -> Status[dict[str, Any]]:
    delivery = services.webhook_ping(actor=actor_of(request), webhook_id=webhook_id)
    return Status(202, _delivery(delivery))


@router.get("/deliveries", response=DeliveryPage, summary="Deliveries, newest first")
def delivery_list_api(request: HttpRequest, params: Query[DeliveryParams]) -> dict[str, Any]:
    filters = selectors.DeliveryFilter(
        webhook_id=params.webhook_id, state=str(params.state or ""), event=str(params.event or "")
    )
    deliveries = selectors.delivery_list(actor=actor_of(request), filters=filters)
    rows, next_cursor = keyset_page(deliveries, cursor=params.cursor, limit=params.limit)
    return {"items": [_delivery(d) for d in rows], "next_cursor": next_cursor}


@router.get(
    "/deliveries/{int:delivery_id}",
    response=DeliveryDetailOut,
    summary="One delivery with its payload and every attempt",
)
def delivery_get_api(request: HttpRequest, delivery_id: PathId) -> dict[str, Any]:
    actor = actor_of(request)
    delivery = selectors.delivery_get(actor=actor, delivery_id=delivery_id)
    attempts = selectors.delivery_attempts(actor=actor, delivery=delivery)
    return {
        **_delivery(delivery),
        "payload": delivery.payload,
        "response_excerpt": delivery.response_excerpt,
        "attempt_log": [_attempt(a) for a in attempts],
    }


@router.post(
    "/deliveries/{int:delivery_id}/replay",
    response={202: DeliveryOut},
    summary="Send a delivery again (same event id and payload)",
)
def delivery_replay_api(request: HttpRequest, delivery_id: PathId) -> Status[dict[str, Any]]:
    replay = services.delivery_replay(actor=actor_of(request), delivery_id=delivery_id)
    return Status(202, _delivery(replay))
