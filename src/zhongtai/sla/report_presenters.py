"""How the SLA report reads to a person: durations, histogram buckets, chart data.

Durations are business minutes (time on the business calendar of each timer); a day in
them is 24 business hours, not one working day.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhongtai.sla.reports import Bucket, Distribution, Report

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR


def _units(*parts: tuple[int, str]) -> str:
    shown = [text % {"n": amount} for amount, text in parts if amount] or [parts[-1][1] % {"n": 0}]
    return " ".join(shown)


def duration_text(minutes: float | None) -> str:
    """Business minutes for a person: "45 min", "2 h 15 min", "1 d 3 h" (at most two units,
    the larger ones; rounded to the minute, or to the hour from a day on); "—" for none."""
    if minutes is None:
        return "—"
    if 0 < minutes < 0.5:
        return _("< 1 min")
    whole = round(minutes)
    if whole >= MINUTES_PER_DAY:
        days, hours = divmod(round(minutes / MINUTES_PER_HOUR), 24)
        return _units((days, _("%(n)d d")), (hours, _("%(n)d h")))
    hours, rest = divmod(whole, MINUTES_PER_HOUR)
    return _units((hours, _("%(n)d h")), (rest, _("%(n)d min")))


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
