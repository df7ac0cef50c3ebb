"""Choices of outbound webhooks: the events a subscriber chooses and a delivery's state,
each with its label and badge colour in one place."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    """What a webhook is sent for (``X-Zhongtai-Event``, the payload's ``type``)."""

    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_UPDATED = "ticket.updated", _("Ticket updated")
    TICKET_ESCALATED = "ticket.escalated", _("Ticket escalated")
    TICKET_RESOLVED = "ticket.resolved", _("Ticket resolved")
    SLA_WARNING = "sla.warning", _("SLA warning")
    SLA_BREACH = "sla.breach", _("SLA breach")
    CUSTOMER_UPDATED = "customer.updated", _("Customer updated")
    PING = "ping", _("Test event")


# What a subscriber may choose: every event but the test event, which is sent on request.
SUBSCRIBABLE_EVENTS: tuple[str, ...] = tuple(
    event for event in WebhookEvent.values if event != WebhookEvent.PING
)


class DeliveryState(models.TextChoices):
    """Where a delivery stands.

    ``pending``: not tried yet; ``failed``: the last attempt failed and another one is
    due at ``next_attempt_at``; ``succeeded``: a receiver answered 2xx; ``dead``: given
    up (every attempt failed, or the webhook was switched off) — a replay sends it again.
    """

    PENDING = "pending", _("Pending")
    FAILED = "failed", _("Failed, will retry")
    SUCCEEDED = "succeeded", _("Succeeded")
    DEAD = "dead", _("Gave up")


# The states in which a delivery still has attempts to make.
ACTIVE_STATES: tuple[str, ...] = (DeliveryState.PENDING, DeliveryState.FAILED)

STATE_BADGE: dict[str, str] = {
    DeliveryState.PENDING: "secondary",
    DeliveryState.FAILED: "warning",
    DeliveryState.SUCCEEDED: "success",
    DeliveryState.DEAD: "danger",
}
