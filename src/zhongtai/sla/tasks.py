"""Huey entry points of service standards: thin, take ids, safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhongtai.sla import clocks, sweep


@db_periodic_task(crontab(minute="*"))
def sla_sweep_task() -> int:
    """Every minute: warnings and breaches (exactly once each, see ``zhongtai.sla.sweep``)."""
    result = sweep.sla_sweep()
    return result.checked


@db_task(retries=3, retry_delay=60)
def sla_recompute_task(tenant_id: int, customer_id: int | None, reason: str) -> int:
    return clocks.clocks_recompute_open_tickets(
        tenant_id=tenant_id, customer_id=customer_id, reason=reason
    )
