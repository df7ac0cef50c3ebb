"""Huey entry points of Customer 360: thin, take ids, safe to retry."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhongtai.customers import services


@db_task(retries=3, retry_delay=60)
def tiers_reevaluate_task(tenant_id: int) -> int:
    """Every customer of a unit, after its tier rules changed."""
    return services.tiers_reevaluate(tenant_id=tenant_id)


@db_periodic_task(crontab(minute="20"))
def tiers_contract_dates_task() -> int:
    """Contracts start and end with the days: re-evaluate the customers whose contracts
    just did (hourly, so that every unit's midnight is caught in its own time zone)."""
    return services.tiers_follow_contract_dates()
