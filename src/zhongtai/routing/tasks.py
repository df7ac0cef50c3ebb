"""Background work of routing: training a classifier version on the unit's tickets, and
handing out the tickets that wait in team queues."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhongtai.routing import assignment, services


@db_task()
def classifier_train_task(model_id: int) -> str:
    """Train a queued version on its unit's resolved tickets; returns its final status."""
    return services.classifier_run_queued(model_id=model_id).status


@db_task()
def team_queue_drain_task(tenant_id: int, team_ids: list[int]) -> int:
    """Hand out the waiting tickets of these teams; returns how many were assigned."""
    return sum(
        assignment.team_queue_drain(tenant_id=tenant_id, team_id=team_id) for team_id in team_ids
    )


@db_periodic_task(crontab(minute="*"))
def routing_drain_periodic() -> int:
    """Every minute, in every unit that assigns automatically: what waits goes to whoever
    can take it now (a safety net beside the drains that follow each change, and what
    lets an oldest-wait overflow rule act on a quiet queue)."""
    return assignment.queues_drain()
