"""Background work of routing: training a classifier version on the unit's tickets."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from zhongtai.routing import services


@db_task()
def classifier_train_task(model_id: int) -> str:
    """Train a queued version on its unit's resolved tickets; returns its final status."""
    return services.classifier_run_queued(model_id=model_id).status
