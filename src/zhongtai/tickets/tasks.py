"""Huey entry points of the ticket domain: thin, take ids, safe to retry."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from zhongtai.tickets import notifications


@db_task(retries=3, retry_delay=60)
def ticket_event_notify_task(event_id: int) -> int:
    return notifications.ticket_event_notify(event_id=event_id)


@db_task(retries=3, retry_delay=60)
def ticket_events_notify_task(event_ids: list[int]) -> int:
    """The mails of several events (the SLA sweep queues one job per chunk)."""
    return sum(notifications.ticket_event_notify(event_id=event_id) for event_id in event_ids)
