"""A day of a unit's real arrivals, for ``zhongtai simulate``'s ``from_history``.

One row per ticket created that day (in the unit's time zone): the local time it came in,
its channel, team, customer tier, language, and how long its first response took to be
worked on when it was answered (``handling_minutes`` is left to the scenario: the
timeline knows when a ticket was answered, not how long someone worked on it).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from zhongtai.core.models import Tenant
from zhongtai.routing.assign import language_of
from zhongtai.tickets.models import Ticket


def arrivals_of(*, tenant: Tenant, day: date) -> list[dict[str, Any]]:
    zone = ZoneInfo(tenant.time_zone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    rows = (
        Ticket.objects.filter(
            tenant=tenant,
            created_at__gte=start,
            created_at__lt=start + timedelta(days=1),
            parent__isnull=True,
        )
        .order_by("created_at", "id")
        .values_list("created_at", "channel", "team__name", "customer__tier", "subject")
    )
    return [
        {
            "at": created.astimezone(zone).strftime("%H:%M"),
            "channel": channel,
            "team": team or "",
            "tier": tier or "standard",
            "language": language_of(subject),
        }
        for created, channel, team, tier, subject in rows
    ]
