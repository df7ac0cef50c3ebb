"""A business unit's routing, compiled once per process: rules, categories, settings,
the teams' overflow rules and surge switches, and the active classifiers' ids. Intake
reads it for every new ticket, so it is not re-read from the database each time: a stamp
(counts and last changes of those tables) is checked at most every ``STAMP_TTL`` seconds,
and writes in this process forget it at once (``zhongtai.routing.signals``), as the SLA
standards do. So a surge switch made in another process reaches intake there within
``STAMP_TTL``; a queue drain reads the team's switch afresh.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, OuterRef, Subquery

from zhongtai.accounts.models import Team
from zhongtai.core.models import Tenant
from zhongtai.routing.models import ClassifierModel, RoutingRule, RoutingSettings, TeamRouting
from zhongtai.routing.rules import CompiledRule
from zhongtai.tickets.models import Category

STAMP_TTL = 5.0  # seconds
TEAM_ROUTING = (
    "team_id",
    "overflow_to",
    "backup_team_id",
    "max_waiting",
    "max_wait_minutes",
    "surge_on",
)


@dataclass(frozen=True)
class RoutingState:
    rules: tuple[CompiledRule, ...]
    categories: dict[str, int]  # the classifier's label (a category's path) → id
    parents: dict[int, int | None]  # category id → parent id
    classify: bool
    threshold: float
    classifier: tuple[int, int] | None  # (id, version) of the active category classifier
    auto_assign: bool = False
    vip_team_id: int | None = None
    # the active priority and team classifiers: target → (id, version)
    predictors: dict[str, tuple[int, int]] = field(default_factory=dict)
    teams: dict[str, tuple[int, str]] = field(default_factory=dict)  # name → (id, tier)
    # team id → (overflow_to, backup team id, max waiting, max wait minutes, surge on)
    team_routing: dict[int, tuple[Any, ...]] = field(default_factory=dict)


_cache: dict[int, tuple[tuple[Any, ...], float, RoutingState]] = {}
_lock = threading.Lock()


def _stamp(tenant_id: int) -> tuple[Any, ...]:
    def scalar(model: Any, value: Any, **filters: Any) -> Subquery:
        rows = model.objects.filter(tenant_id=OuterRef("pk"), **filters).values("tenant_id")
        return Subquery(rows.annotate(v=value).values("v")[:1])

    row = (
        Tenant.objects.filter(pk=tenant_id)
        .values_list(
            scalar(RoutingRule, Count("id")),
            scalar(RoutingRule, Max("updated_at")),
            scalar(Category, Count("id")),
            scalar(Category, Max("updated_at")),
            scalar(RoutingSettings, Max("updated_at")),
            scalar(ClassifierModel, Max("id"), status="active"),
            scalar(Team, Max("updated_at")),
            scalar(TeamRouting, Count("id")),
            scalar(TeamRouting, Max("updated_at")),
        )
        .first()
    )
    return tuple(row or ())


def _compile(tenant_id: int) -> RoutingState:
    from zhongtai.routing.rule_services import rule_compile  # (it imports this module)

    rules = (
        RoutingRule.objects.filter(tenant_id=tenant_id, is_active=True)
        .prefetch_related("categories")
        .order_by("position", "id")
    )
    categories = list(Category.objects.filter(tenant_id=tenant_id).select_related("parent__parent"))
    settings = RoutingSettings.objects.filter(tenant_id=tenant_id).first() or RoutingSettings()
    active_models = {
        target: (pk, version)
        for target, pk, version in ClassifierModel.objects.filter(
            tenant_id=tenant_id, status="active"
        ).values_list("target", "pk", "version")
    }
    active = active_models.pop("category", None)
    return RoutingState(
        rules=tuple(rule_compile(rule) for rule in rules),
        categories={str(category): category.pk for category in categories},
        parents={category.pk: category.parent_id for category in categories},
        classify=settings.classify_at_intake,
        threshold=settings.confidence_threshold,
        classifier=active,
        auto_assign=settings.auto_assign,
        vip_team_id=settings.vip_team_id,
        predictors=active_models,
        teams={
            name: (pk, tier)
            for pk, name, tier in Team.objects.filter(tenant_id=tenant_id).values_list(
                "pk", "name", "tier"
            )
        },
        team_routing={
            row[0]: tuple(row[1:])
            for row in TeamRouting.objects.filter(tenant_id=tenant_id)
            .order_by()
            .values_list(*TEAM_ROUTING)
        },
    )


def routing_state(tenant_id: int) -> RoutingState:
    """The unit's compiled routing; re-read when its stamp changed (checked every 5 s)."""
    cached = _cache.get(tenant_id)
    now = time.monotonic()
    if cached is not None and now - cached[1] < STAMP_TTL:
        return cached[2]
    stamp = _stamp(tenant_id)
    state = cached[2] if cached is not None and cached[0] == stamp else _compile(tenant_id)
    with _lock:
        _cache[tenant_id] = (stamp, now, state)
    return state


def routing_forget() -> None:
    """Drop every cached unit: after a write in this process, and between tests."""
    with _lock:
        _cache.clear()
