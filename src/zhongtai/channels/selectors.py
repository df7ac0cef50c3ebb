"""Reads of outbound webhooks, scoped to the actor's unit; only its administrators
(``integrations.manage``) read them. Another unit's webhook or delivery is ``NotFound``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from zhongtai.accounts.actors import Actor
from zhongtai.channels.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from zhongtai.core.errors import NotFound
from zhongtai.core.permissions import ensure_can

PERM = "integrations.manage"


def webhook_list(*, actor: Actor) -> QuerySet[WebhookSubscription]:
    """The unit's webhooks by name, each annotated with its latest delivery's state and
    status code and time (``last_state``, ``last_code``, ``last_at``; ``None`` before the
    first)."""
    ensure_can(actor, PERM)
    latest = WebhookDelivery.objects.filter(subscription=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    webhooks: QuerySet[WebhookSubscription] = (
        WebhookSubscription.objects.filter(tenant=actor.tenant)
        .annotate(
            last_state=Subquery(latest.values("state")[:1]),
            last_code=Subquery(latest.values("last_status_code")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("name", "id")
    )
    return webhooks


def webhook_get(*, actor: Actor, webhook_id: int) -> WebhookSubscription:
    """One of the unit's webhooks (``NotFound`` otherwise)."""
    ensure_can(actor, PERM)
    webhook: WebhookSubscription | None = WebhookSubscription.objects.filter(
        tenant=actor.tenant, pk=webhook_id
    ).first()
    if webhook is None:
        raise NotFound()
    return webhook


@dataclass(frozen=True)
class DeliveryFilter:
    webhook_id: int | None = None
    state: str = ""
    event: str = ""


def delivery_list(
    *, actor: Actor, filters: DeliveryFilter | None = None
) -> QuerySet[WebhookDelivery]:
    """The unit's deliveries, newest first (page them with ``core.pagination.keyset_page``).
    A webhook of another unit named in the filter is ``NotFound``."""
    ensure_can(actor, PERM)
    filters = filters or DeliveryFilter()
    deliveries = WebhookDelivery.objects.filter(tenant=actor.tenant).select_related("subscription")
    if filters.webhook_id is not None:
        webhook = webhook_get(actor=actor, webhook_id=filters.webhook_id)
        deliveries = deliveries.filter(subscription=webhook)
    if filters.state:
        deliveries = deliveries.filter(state=filters.state)
    if filters.event:
        deliveries = deliveries.filter(event=filters.event)
    return deliveries.order_by("-created_at", "-id")


def delivery_get(*, actor: Actor, delivery_id: int) -> WebhookDelivery:
    """One of the unit's deliveries, with its webhook (``NotFound`` otherwise)."""
    delivery = delivery_list(actor=actor).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound()
    return delivery


def delivery_attempts(*, actor: Actor, delivery: WebhookDelivery) -> list[WebhookAttempt]:
    """The delivery's attempts in order (status codes, errors, answers, durations).

    Precondition: ``delivery`` was fetched through ``delivery_get`` for ``actor``."""
    ensure_can(actor, PERM)
    return list(
        WebhookAttempt.objects.filter(tenant=actor.tenant, delivery=delivery).order_by("number")
    )
