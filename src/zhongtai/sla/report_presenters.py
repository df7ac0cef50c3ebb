"""How the SLA report reads to a person: durations, histogram buckets, chart data.

Durations are business time (the working hours of each timer's calendar), written in
hours and minutes.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhongtai.sla.presenters import duration_words
from zhongtai.sla.reports import Bucket, Distribution, Report


def duration_text(minutes: float | None) -> str:
    """Business minutes for a person: "45 min", "2 h 15 min", "120 h" ("—" for none).

    Hours and minutes only, as on the portal: a "business day" has different hours in
    different calendars, so days would be ambiguous."""
    if minutes is None:
        return "—"
    if 0 < minutes < 0.5:
        return _("< 1 min")
    return duration_words(round(minutes))


def bucket_label(bucket: Bucket) -> str:
    """ "≤ 15 min", "15 min – 30 min", …, "> 5 d"."""
    if bucket.upper is None:
        return _("> %(duration)s") % {"duration": duration_text(bucket.lower)}
    if not bucket.lower:
        return _("≤ %(duration)s") % {"duration": duration_text(bucket.upper)}
    return _("%(lower)s – %(upper)s") % {
        "lower": duration_text(bucket.lower),
        "upper": duration_text(bucket.upper),
    }


def percent_or_none(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def chart_data(report: Report, distribution: Distribution) -> dict[str, Any]:
    """What ``static/zhongtai/sla_report.js`` draws, for the ``json_script`` filter."""
    return {
        "attainment": {
            "labels": [row.label for row in report.rows],
            "percent": [percent_or_none(row.percent_met) for row in report.rows],
            "met": [row.met for row in report.rows],
            "breached": [row.breached for row in report.rows],
            "open": [row.open for row in report.rows],
        },
        "histogram": {
            "buckets": [bucket_label(bucket) for bucket in distribution.buckets],
            "series": [
                {"name": series.label, "data": list(series.histogram)}
                for series in distribution.series
            ],
        },
        "text": {
            "percentMet": _("% met"),
            "met": _("Met"),
            "breached": _("Breached"),
            "open": _("Open"),
            "timers": _("Timers"),
        },
    }


def distribution_rows(distribution: Distribution) -> list[dict[str, Any]]:
    """One line per target: how many were fulfilled, median and p90 as durations."""
    return [
        {
            "target": series.target,
            "label": series.label,
            "count": series.count,
            "median": duration_text(series.median),
            "p90": duration_text(series.p90),
        }
        for series in distribution.series
    ]


def select_options(choices: Any, current: str) -> list[dict[str, Any]]:
    return [
        {"value": str(value), "label": str(label), "selected": str(value) == current}
        for value, label in choices
    ]
