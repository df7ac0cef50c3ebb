"""Huey entry points of the channels: thin, take ids, safe to run twice. Outbound webhooks
(each attempt is claimed first, see ``zhongtai.channels.delivery``) and mail polling (each
mail is stored once, see ``zhongtai.channels.mail.imap``)."""

from __future__ import annotations

import secrets
import time

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from zhongtai.channels import delivery
from zhongtai.channels.mail import imap
from zhongtai.channels.models import Mailbox


@db_task()
def webhook_deliveries_send_task(delivery_ids: list[int]) -> int:
    """Send the deliveries (queued after the commit that wrote them, or by the retry scan).
    No Huey retries: a failed attempt is scheduled on the delivery itself."""
    return delivery.deliveries_send(delivery_ids=delivery_ids)


@db_periodic_task(crontab(minute="*"), expires=50)
def webhook_deliveries_retry_task() -> int:
    """Every minute: queue the deliveries whose next attempt is due (retries, and any whose
    job was lost in a crash)."""
    return delivery.deliveries_retry_due()


# --- Mail polling (IMAP) ---------------------------------------------------------------
# A poll holds a lease on its mailbox in the queue's storage, so that two workers never
# poll one mailbox at once. Unlike Huey's lock_task, the lease ends by itself: a worker
# killed mid-poll must not keep its mailbox from ever being polled again.
POLL_LEASE_SECONDS = 600  # well over a poll's time budget (imap.TIME_BUDGET_SECONDS)


@db_periodic_task(crontab(hour="3", minute="17"))
def webhook_deliveries_purge_task() -> int:
    """Nightly: the delivery log keeps ``ZHONGTAI_WEBHOOK_RETENTION_DAYS`` of finished
    deliveries."""
    return delivery.deliveries_purge()


@db_periodic_task(crontab(minute="*"), expires=50)
def mailboxes_poll_task() -> int:
    """Every minute: one poll job per mailbox that is due (active, with an IMAP host, and
    not waiting after failures, see ``imap.mailboxes_due``)."""
    due = imap.mailboxes_due()
    for mailbox_id in due:
        mailbox_poll_task(mailbox_id)
    return len(due)


@db_task(expires=300)
def mailbox_poll_task(mailbox_id: int) -> int:
    """Take one mailbox's unseen mail; returns how many were taken. No Huey retries: a
    mailbox that cannot be reached has the error written on it, and the minute's job
    polls it again after a wait that grows while it keeps failing."""
    lease = _lease_take(mailbox_id)
    if lease is None:
        return 0  # another worker is polling it
    try:
        result = imap.mailbox_poll(mailbox_id=mailbox_id, limit=imap.POLL_LIMIT)
    except (imap.MailboxUnreachable, Mailbox.DoesNotExist):
        return 0
    finally:
        _lease_release(mailbox_id, lease)
    if result.remaining and result.taken:
        mailbox_poll_task(mailbox_id)  # more mail waits: the next batch now
    return result.taken


def _lease_key(mailbox_id: int) -> str:
    return f"mailbox-poll.{mailbox_id}"


def _lease_take(mailbox_id: int) -> str | None:
    """A lease on the mailbox (its value: ``<deadline>:<nonce>``), or None if another
    worker holds one. An expired lease (its worker died) is taken over."""
    key, now = _lease_key(mailbox_id), time.time()
    lease = f"{now + POLL_LEASE_SECONDS:.3f}:{secrets.token_hex(8)}"
    if HUEY.put_if_empty(key, lease):
        return lease
    held = HUEY.get(key, peek=True)
    if held is not None and float(str(held).split(":", 1)[0]) > now:
        return None
    popped = HUEY.get(key)  # remove the expired lease...
    if popped is not None and popped != held:
        HUEY.put_if_empty(key, popped)  # ...unless another worker took it over just now
        return None
    return lease if HUEY.put_if_empty(key, lease) else None


def _lease_release(mailbox_id: int, lease: str) -> None:
    key = _lease_key(mailbox_id)
    if HUEY.get(key, peek=True) == lease:
        HUEY.delete(key)
