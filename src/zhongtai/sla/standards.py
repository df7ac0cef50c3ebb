"""The service standards of a business unit, compiled once and kept per process.

Matching a ticket to a policy and computing its due times happen on every ticket write
and on every queue row, so the active policies and every calendar of a tenant are read
once, turned into pure data (:class:`Standards`), and cached in the process. The cache
is keyed by a stamp of the tenant's policies and calendars (count and last change), read
in one small query at most every few seconds, so an edit in one process is seen by every
other process within ``STAMP_TTL``. Edits of a calendar's hours or dates touch the
calendar, and any edit clears this process's cache (``zhongtai.sla.signals``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, OuterRef, Subquery

from zhongtai.core.models import Tenant
from zhongtai.sla import calendar as business_time
from zhongtai.sla.choices import Target
from zhongtai.sla.matching import PolicyConditions, TicketFacts, first_match
from zhongtai.sla.models import BusinessCalendar, SlaPolicy
from zhongtai.sla.selectors import calendar_build, policy_conditions

ALWAYS_OPEN = business_time.Calendar("UTC", ((),) * 7, always_open=True)


@dataclass(frozen=True)
class CompiledPolicy:
    """A policy as the clocks need it."""

    id: int
    name: str
    conditions: PolicyConditions
    calendar_id: int
    targets: Mapping[str, int]  # Target value -> business minutes
    warn_at: tuple[int, ...]
    actions: tuple[str, ...]
    notify_outside_hours: bool

    def minutes(self, target: str) -> int | None:
        return self.targets.get(target)


@dataclass(frozen=True)
class Standards:
    """The active policies of a tenant, in order, and all its calendars."""

    policies: tuple[CompiledPolicy, ...]
    calendars: Mapping[int, business_time.Calendar] = field(default_factory=dict)

    def match(self, facts: TicketFacts) -> CompiledPolicy | None:
        return first_match(((p, p.conditions) for p in self.policies), facts)

    def policy(self, policy_id: int | None) -> CompiledPolicy | None:
        return next((p for p in self.policies if p.id == policy_id), None)

    def calendar(self, calendar_id: int) -> business_time.Calendar:
        """The calendar (a deleted one counts as 24×7: the timer keeps running)."""
        return self.calendars.get(calendar_id, ALWAYS_OPEN)


STAMP_TTL = 5.0  # seconds
_cache: dict[int, tuple[tuple[Any, ...], float, Standards]] = {}
_lock = threading.Lock()


def _stamp(tenant_id: int) -> tuple[Any, ...]:
    """Count and last change of the tenant's policies and calendars, in one query."""

    def scalar(model: Any, value: Any) -> Subquery:
        rows = model.objects.filter(tenant_id=OuterRef("pk")).values("tenant_id")
        return Subquery(rows.annotate(v=value).values("v")[:1])

    row = (
        Tenant.objects.filter(pk=tenant_id)
        .values_list(
            scalar(SlaPolicy, Count("id")),
            scalar(SlaPolicy, Max("updated_at")),
            scalar(BusinessCalendar, Count("id")),
            scalar(BusinessCalendar, Max("updated_at")),
        )
        .first()
    )
    return tuple(row or ())


def _compile(tenant_id: int) -> Standards:
    calendars = {
        calendar.pk: calendar_build(calendar)
        for calendar in BusinessCalendar.objects.filter(tenant_id=tenant_id).prefetch_related(
            "intervals", "dates"
        )
    }
    policies = []
    for policy in (
        SlaPolicy.objects.filter(tenant_id=tenant_id, is_active=True)
        .prefetch_related("categories")
        .order_by("position", "id")
    ):
        targets = {
            Target.FIRST_RESPONSE.value: policy.first_response_minutes,
            Target.NEXT_RESPONSE.value: policy.next_response_minutes,
            Target.RESOLUTION.value: policy.resolution_minutes,
        }
        policies.append(
            CompiledPolicy(
                id=policy.pk,
                name=policy.name,
                conditions=policy_conditions(policy),
                calendar_id=policy.calendar_id,
                targets={name: minutes for name, minutes in targets.items() if minutes},
                warn_at=tuple(sorted(set(policy.warn_at_percent))),
                actions=tuple(policy.breach_actions),
                notify_outside_hours=policy.notify_outside_hours,
            )
        )
    return Standards(policies=tuple(policies), calendars=calendars)


def standards_for(tenant_id: int, *, fresh: bool = False) -> Standards:
    """The tenant's compiled standards, recompiled when a policy or calendar changed.

    The stamp is checked at most every ``STAMP_TTL`` seconds; edits in this process clear
    the cache at once (``zhongtai.sla.signals``), edits in another process are seen within
    ``STAMP_TTL``. ``fresh`` checks the stamp now (the recompute task does).
    """
    cached = _cache.get(tenant_id)
    now = time.monotonic()
    if cached is not None and not fresh and now - cached[1] < STAMP_TTL:
        return cached[2]
    stamp = _stamp(tenant_id)
    standards = cached[2] if cached is not None and cached[0] == stamp else _compile(tenant_id)
    with _lock:
        _cache[tenant_id] = (stamp, now, standards)
    return standards


def standards_forget() -> None:
    """Drop every cached tenant: after an edit in this process, and between tests."""
    with _lock:
        _cache.clear()
