"""Huey entry points of outbound webhooks: thin, take ids, safe to run twice (each attempt
is claimed first, see ``zhongtai.channels.delivery``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhongtai.channels import delivery


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
