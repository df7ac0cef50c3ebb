"""The SLA report API (``/api/v1/reports/sla/…``): parse, call the report selectors, serialize.

Days are local dates of the business unit; ``from`` and ``to`` are both included. Only
roles with ``reports.view`` (team leads, L2, L3, administrators) may read reports.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from zhongtai.core.api import actor_of
from zhongtai.core.permissions import ensure_can
from zhongtai.sla import report_presenters, reports
from zhongtai.sla.choices import ReportGroup, Target

router = Router(tags=["reports"])

FIRST_DAY = Field(alias="from", description="The first day of the period (a local date), included.")
LAST_DAY = Field(description="The last day of the period (a local date), included.")


class PeriodParams(Schema):
    model_config = ConfigDict(populate_by_name=True)

    first_day: date = FIRST_DAY
    to: date = LAST_DAY


class AttainmentParams(PeriodParams):
    group_by: ReportGroup = Field(
        default=ReportGroup.TEAM, description="One row per business unit, team, agent, …"
    )
    target: Target | None = Field(default=None, description="Only timers of this target.")


class AttainmentRowOut(Schema):
    key: str | None = Field(description="Team or agent id, choice value; null: none.")
    label: str
    total: int = Field(description="Measured timers: met + breached + open.")
    met: int = Field(description="Fulfilled without a breach.")
    breached: int = Field(description="Breached, whether fulfilled later or not.")
    open: int = Field(description="Running, not decided yet (not in the % met).")
    percent_met: float | None = Field(description="met / (met + breached) × 100; null if 0/0.")


class AttainmentOut(Schema):
    first_day: date
    last_day: date
    group_by: ReportGroup
    target: Target | None
    rows: list[AttainmentRowOut]
    total: AttainmentRowOut


class BucketOut(Schema):
    lower_minutes: int = Field(description="Business minutes above this…")
    upper_minutes: int | None = Field(description="…up to this one, included (null: no end).")
    label: str


class TargetDistributionOut(Schema):
    target: Target
    label: str
    count: int = Field(description="Fulfilled timers that started in the period.")
    median_minutes: float | None
    p90_minutes: float | None
    histogram: list[int] = Field(description="Timers per bucket, in the order of `buckets`.")


class DistributionOut(Schema):
    first_day: date
    last_day: date
    buckets: list[BucketOut]
    series: list[TargetDistributionOut]


def _row_out(row: reports.AttainmentRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "total": row.total,
        "met": row.met,
        "breached": row.breached,
        "open": row.open,
        "percent_met": row.percent_met,
    }


@router.get(
    "/sla/attainment",
    response=AttainmentOut,
    summary="SLA attainment (% met) per business unit, team, agent, tier, priority or type",
)
def sla_attainment_api(request: HttpRequest, params: Query[AttainmentParams]) -> dict[str, Any]:
    """Timers that started in the period, not cancelled: met, breached and open per group."""
    actor = actor_of(request)
    ensure_can(actor, reports.REPORT_PERMISSION)
    date_from, date_to = reports.report_period(first_day=params.first_day, last_day=params.to)
    report = reports.sla_attainment(
        actor=actor,
        date_from=date_from,
        date_to=date_to,
        group_by=params.group_by,
        target=params.target,
    )
    return {
        "first_day": report.date_from,
        "last_day": report.last_day,
        "group_by": report.group_by,
        "target": report.target,
        "rows": [_row_out(row) for row in report.rows],
        "total": _row_out(report.total),
    }


@router.get(
    "/sla/distribution",
    response=DistributionOut,
    summary="Business time to first response and to resolution: median, p90, histogram",
)
def sla_distribution_api(request: HttpRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    """Fulfilled first-response and resolution timers that started in the period."""
    actor = actor_of(request)
    ensure_can(actor, reports.REPORT_PERMISSION)
    date_from, date_to = reports.report_period(first_day=params.first_day, last_day=params.to)
    distribution = reports.sla_distribution(actor=actor, date_from=date_from, date_to=date_to)
    return {
        "first_day": distribution.date_from,
        "last_day": distribution.date_to - timedelta(days=1),
        "buckets": [
            {
                "lower_minutes": bucket.lower,
                "upper_minutes": bucket.upper,
                "label": report_presenters.bucket_label(bucket),
            }
            for bucket in distribution.buckets
        ],
        "series": [
            {
                "target": series.target,
                "label": series.label,
                "count": series.count,
                "median_minutes": series.median,
                "p90_minutes": series.p90,
                "histogram": list(series.histogram),
            }
            for series in distribution.series
        ],
    }
