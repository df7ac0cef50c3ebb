"""Sending deliveries: sign, POST, log each attempt, retry with backoff, then give up.

Each attempt first claims the delivery: one conditional UPDATE that counts the attempt
and moves ``next_attempt_at`` a lease ahead, and that succeeds only if the row is still
due with the attempt count the worker read. Two workers that pick the same delivery (the
job queued after the commit and the minute's retry scan, or two scans) cannot both win,
so an attempt is never sent twice at once; this needs no row lock, which SQLite does not
have. The POST runs outside any transaction; its outcome is then written in one: the
attempt's log row and the delivery's new state.

A worker killed during an attempt leaves the delivery claimed: when the lease ends it is
due again and the retry scan sends it (the lost attempt counts, so a receiver that kills
workers cannot make one retry forever). A receiver may therefore see an event twice; the
``X-Zhongtai-Delivery`` header (the event id) lets it drop the second.

2xx is success. Anything else, a redirect included (none is followed), or a network error
is a failure, retried after ``BACKOFF``; after ``MAX_ATTEMPTS`` the delivery is dead.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zhongtai.channels.choices import ACTIVE_STATES, DeliveryState, WebhookEvent
from zhongtai.channels.models import (
    MAX_ERROR,
    MAX_EXCERPT,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from zhongtai.channels.webhooks import deliveries_send_after_commit
from zhongtai.core.models import Tenant

logger = logging.getLogger(__name__)

# The wait after each failed attempt: 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, 24 h; the
# eighth attempt, about two days after the first, is the last.
BACKOFF: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 10
# How long a claimed attempt may take before the delivery is due again (the POST's
# timeout applies to connecting and to each read, so an attempt takes well under this).
LEASE = timedelta(minutes=5)
# A new delivery is queued after its commit; the retry scan takes it only if it is still
# untried this long after (its job was lost), not while its job waits in the queue.
FIRST_TRY_GRACE = timedelta(minutes=2)
DUE_BATCH = 500  # deliveries queued per retry scan
PURGE_BATCH = 1000  # finished deliveries deleted per transaction
USER_AGENT = "Zhongtai-Webhooks/1"
SCHEMES = ("http", "https")


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed: compact JSON in UTF-8, keys sorted (the same bytes
    for a retry and a replay whatever the database did to the order of the keys)."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode()


def signature_header(*, secrets: Sequence[str], body: bytes, timestamp: int) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``, one ``v1`` per secret
    (after a rotation the new secret's, then the previous one's)."""
    signed = f"{timestamp}.".encode() + body
    parts = [f"t={timestamp}"]
    parts += [
        "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest() for secret in secrets
    ]
    return ",".join(parts)


def signing_secrets(subscription: WebhookSubscription, now: datetime) -> list[str]:
    """The current secret, and the previous one while it is still valid."""
    secrets = [subscription.secret]
    until = subscription.previous_secret_until
    if subscription.previous_secret and until is not None and until > now:
        secrets.append(subscription.previous_secret)
    return secrets


@dataclass(frozen=True)
class Outcome:
    """What came back from one POST."""

    status_code: int | None
    error: str
    excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer (a failure), not somewhere to go: a receiver must not send
    a signed event, or our requests, to an address nobody subscribed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _clean(text: str, limit: int) -> str:
    return text.replace("\x00", "")[:limit]  # PostgreSQL text holds no NUL


def _excerpt(response: Any) -> str:
    raw: bytes = response.read(MAX_EXCERPT)
    return _clean(raw.decode("utf-8", errors="replace"), MAX_EXCERPT)


def _error_text(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)  # URLError wraps the socket's error
    text = str(reason if reason is not None else exc) or type(exc).__name__
    return _clean(text, MAX_ERROR)


def http_post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST ``body`` to ``url`` (http or https only); never raises for what the network or
    the receiver does."""
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    if urlsplit(url).scheme not in SCHEMES:
        return Outcome(None, "Only http and https addresses are called.", "", 0)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Outcome(response.status, "", _excerpt(response), elapsed())
    except urllib.error.HTTPError as exc:  # an answer, not 2xx (a redirect included)
        with exc:
            return Outcome(exc.code, "", _excerpt(exc), elapsed())
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Outcome(None, _error_text(exc), "", elapsed())


def delivery_send(delivery: WebhookDelivery, *, attempt: int) -> Outcome:
    """Sign and POST the delivery to its subscription's URL."""
    subscription = delivery.subscription
    body = body_of(delivery.payload)
    now = timezone.now()
    signature = signature_header(
        secrets=signing_secrets(subscription, now), body=body, timestamp=int(now.timestamp())
    )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Zhongtai-Event": delivery.event,
        "X-Zhongtai-Delivery": str(delivery.event_id),
        "X-Zhongtai-Attempt": str(attempt),
        "X-Zhongtai-Signature": signature,
    }
    return http_post(subscription.url, body=body, headers=headers, timeout=TIMEOUT_SECONDS)


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """The delivery, its attempt counted and leased to this worker; ``None`` if it is not
    due or another worker claimed it first."""
    delivery: WebhookDelivery | None = (
        WebhookDelivery.objects.select_related("subscription")
        .filter(pk=delivery_id, state__in=ACTIVE_STATES, next_attempt_at__lte=now)
        .first()
    )
    if delivery is None:
        return None
    won = WebhookDelivery.objects.filter(
        pk=delivery.pk,
        attempts=delivery.attempts,
        state__in=ACTIVE_STATES,
        next_attempt_at__lte=now,
    ).update(attempts=delivery.attempts + 1, next_attempt_at=now + LEASE, updated_at=now)
    if not won:
        return None
    delivery.attempts += 1
    return delivery


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str | None:
    """Make the delivery's next attempt if it is due and this worker claims it; returns
    its new state (``None``: not due, or claimed by another worker).

    Precondition: not inside a transaction (the claim must be committed before the POST,
    and the POST must not hold a transaction open).
    """
    delivery = _claim(delivery_id, now or timezone.now())
    if delivery is None:
        return None
    number = delivery.attempts
    if not delivery.subscription.is_active and delivery.event != WebhookEvent.PING:
        outcome = Outcome(None, "The webhook is switched off; nothing was sent.", "", 0)
        return _record(delivery, number, outcome, give_up=True)
    outcome = delivery_send(delivery, attempt=number)
    return _record(delivery, number, outcome, give_up=number >= MAX_ATTEMPTS)


def _record(delivery: WebhookDelivery, number: int, outcome: Outcome, *, give_up: bool) -> str:
    """Log the attempt and move the delivery on: succeeded, failed (retry after the
    backoff) or dead. A worker whose lease ran out (another one took the delivery over)
    logs its attempt but leaves the delivery's state to the newer attempt."""
    now = timezone.now()
    if outcome.ok:
        state, next_at = DeliveryState.SUCCEEDED, None
    elif give_up:
        state, next_at = DeliveryState.DEAD, None
    else:
        state, next_at = DeliveryState.FAILED, now + BACKOFF[min(number, len(BACKOFF)) - 1]
    try:
        with transaction.atomic():
            WebhookAttempt.objects.create(
                tenant_id=delivery.tenant_id,
                delivery=delivery,
                number=number,
                status_code=outcome.status_code,
                error=outcome.error,
                response_excerpt=outcome.excerpt,
                duration_ms=outcome.duration_ms,
            )
            WebhookDelivery.objects.filter(pk=delivery.pk, attempts=number).update(
                state=state,
                next_attempt_at=next_at,
                last_status_code=outcome.status_code,
                last_error=outcome.error,
                response_excerpt=outcome.excerpt,
                duration_ms=outcome.duration_ms,
                delivered_at=now if outcome.ok else None,
                updated_at=now,
            )
    except IntegrityError:  # the webhook was deleted meanwhile, and its deliveries with it
        logger.info("Webhook delivery %s is gone; attempt %s not logged", delivery.pk, number)
    return state


def deliveries_send(*, delivery_ids: Sequence[int]) -> int:
    """Attempt each of the deliveries that is due (the sending job). A failure of one is
    logged and does not stop the others. Returns how many were attempted."""
    attempted = 0
    for delivery_id in delivery_ids:
        try:
            attempted += delivery_attempt(delivery_id=delivery_id) is not None
        except Exception:
            logger.exception("Webhook delivery %s could not be attempted", delivery_id)
    return attempted


def deliveries_due(*, now: datetime, limit: int = DUE_BATCH) -> list[int]:
    """Deliveries whose next attempt is due, oldest first: retries, leases that ran out,
    and new deliveries whose job was lost (untried for ``FIRST_TRY_GRACE``)."""
    due = Q(state__in=ACTIVE_STATES, next_attempt_at__lte=now) & (
        Q(attempts__gt=0) | Q(next_attempt_at__lte=now - FIRST_TRY_GRACE)
    )
    rows = WebhookDelivery.objects.filter(due).order_by("next_attempt_at", "pk")
    return list(rows.values_list("pk", flat=True)[:limit])


def deliveries_retry_due(*, now: datetime | None = None) -> int:
    """The minute's scan: queue the due deliveries in sending jobs (so that several
    workers send them side by side). Returns how many were queued."""
    ids = deliveries_due(now=now or timezone.now())
    deliveries_send_after_commit(ids)
    return len(ids)


def deliveries_purge(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete the log of finished deliveries (succeeded or given up) older than ``days``
    (``ZHONGTAI_WEBHOOK_RETENTION_DAYS``, 30; 0 keeps everything), with their attempts;
    deliveries still being tried are kept whatever their age. Unit by unit, in batches, so
    that the index of each unit's log is used and no transaction grows large. Returns how
    many deliveries went."""
    days = settings.WEBHOOK_RETENTION_DAYS if days is None else days
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    removed = 0
    for tenant_id in Tenant.objects.order_by("pk").values_list("pk", flat=True):
        finished = (
            WebhookDelivery.objects.filter(tenant_id=tenant_id, created_at__lt=cutoff)
            .exclude(state__in=ACTIVE_STATES)
            .order_by("created_at", "pk")
        )
        while batch := list(finished.values_list("pk", flat=True)[:PURGE_BATCH]):
            with transaction.atomic():  # (attempts go with them; a replay keeps its own)
                _count, by_model = WebhookDelivery.objects.filter(pk__in=batch).delete()
            removed += by_model.get(WebhookDelivery._meta.label, 0)
    return removed
