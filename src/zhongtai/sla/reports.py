"""Reads for the SLA report: attainment (% met) per group, and time-to-target distributions.

A timer counts in a report when it *started* in the period: ``[date_from, date_to)`` in
local dates of the business unit's time zone. Cancelled timers are not measured. A timer
is **met** when it was fulfilled without a breach, **breached** when it breached (fulfilled
later or not), and **open** while neither has happened yet; open timers are counted apart
and stay out of the "% met" denominator, which is ``met / (met + breached)``. Groups are
the timer's own copies of the ticket's team, assignee, tier, priority and type, frozen when
it was decided (``SlaTimer``), so the report reads the timer table alone.

Everything is counted in SQL: attainment is one grouped query (plus one for the names of
teams or agents), the distribution one grouped query for the histogram and one for the
percentiles. Percentiles use PostgreSQL's ``percentile_cont``; SQLite has no percentile
function, so there (and only there) the business minutes of the period's fulfilled timers
are fetched as one column and the same interpolation is done in Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connections, transaction
from django.db.models import (
    Aggregate,
    Case,
    Count,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Tier, User
from zhongtai.core.errors import InvalidInput
from zhongtai.core.permissions import ensure_can
from zhongtai.sla.choices import ReportGroup, Target
from zhongtai.sla.models import SlaTimer
from zhongtai.tickets import selectors as ticket_selectors
from zhongtai.tickets.choices import TicketPriority, TicketType

REPORT_PERMISSION = "reports.view"
MAX_PERIOD_DAYS = 366
DEFAULT_PERIOD_DAYS = 30
# Dates far outside this would overflow once turned into UTC instants, and mean nothing here.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)
# Upper edges of the histogram's buckets, in business minutes: ≤ 15 min, 15–30 min, …,
# 2–5 days, and one more bucket for everything above the last edge.
HISTOGRAM_EDGES = (15, 30, 60, 120, 240, 480, 1440, 2880, 7200)
DISTRIBUTION_TARGETS = (Target.FIRST_RESPONSE, Target.RESOLUTION)
PERCENTILES = (("median", 0.5), ("p90", 0.9))
# Memory a report query may sort and hash in on PostgreSQL (default 4 MB): a year of
# timers at a million tickets otherwise spills its percentile sorts and the ticket hash
# join to temporary files.
REPORT_WORK_MEM = "64MB"

_MET = Q(fulfilled_at__isnull=False, breached_at__isnull=True)
_BREACHED = Q(breached_at__isnull=False)
_OPEN = Q(fulfilled_at__isnull=True, breached_at__isnull=True)
# The timer's own copies of the ticket's fields (see ``SlaTimer``): no join to the tickets.
_GROUP_FIELDS: dict[str, str] = {
    ReportGroup.TEAM: "team",
    ReportGroup.AGENT: "assignee",
    ReportGroup.TIER: "tier",
    ReportGroup.PRIORITY: "priority",
    ReportGroup.TYPE: "type",
}
_GROUP_CHOICES: dict[str, type[Any]] = {
    ReportGroup.TIER: Tier,
    ReportGroup.PRIORITY: TicketPriority,
    ReportGroup.TYPE: TicketType,
}


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttainmentRow:
    """The timers of one group: met, breached, and open (not decided yet)."""

    key: str | None
    label: str
    met: int
    breached: int
    open: int

    @property
    def total(self) -> int:
        return self.met + self.breached + self.open

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def percent_met(self) -> float | None:
        """Share of decided timers that were met, 0–100; ``None`` when none is decided."""
        return 100 * self.met / self.decided if self.decided else None


@dataclass(frozen=True)
class Report:
    """SLA attainment for ``[date_from, date_to)``; ``total`` sums every row."""

    date_from: date
    date_to: date
    group_by: str
    target: str | None
    rows: tuple[AttainmentRow, ...]
    total: AttainmentRow

    @property
    def last_day(self) -> date:
        return self.date_to - timedelta(days=1)


@dataclass(frozen=True)
class Bucket:
    """One bar of the histogram: business minutes in ``(lower, upper]`` (no upper: above)."""

    lower: int
    upper: int | None


@dataclass(frozen=True)
class TargetDistribution:
    """Business minutes used by the fulfilled timers of one target."""

    target: str
    label: str
    count: int
    median: float | None
    p90: float | None
    histogram: tuple[int, ...]


@dataclass(frozen=True)
class Distribution:
    date_from: date
    date_to: date
    buckets: tuple[Bucket, ...]
    series: tuple[TargetDistribution, ...]


BUCKETS = tuple(
    Bucket(lower, upper)
    for lower, upper in zip((0, *HISTOGRAM_EDGES), (*HISTOGRAM_EDGES, None), strict=True)
)


# --- the period ------------------------------------------------------------------------------


def report_default_period(*, actor: Actor, days: int = DEFAULT_PERIOD_DAYS) -> tuple[date, date]:
    """The last ``days`` local days of the actor's business unit, today included (half-open)."""
    today = timezone.localdate(timezone.now(), _zone(actor))
    return today - timedelta(days=days - 1), today + timedelta(days=1)


def _period_error(message: str, field: str = "to") -> InvalidInput:
    return InvalidInput(errors=[{"field": field, "message": message}])


def _out_of_range(field: str) -> InvalidInput:
    return _period_error(
        _("Give dates between %(first)s and %(last)s.")
        % {"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()},
        field,
    )


def report_period_check(*, date_from: date, date_to: date) -> None:
    """Raise ``InvalidInput`` unless ``[date_from, date_to)`` is a sensible report period:
    not empty, at most ``MAX_PERIOD_DAYS`` long, between ``EARLIEST_DATE`` and
    ``LATEST_DATE``. Errors name the API's fields, ``from`` and ``to``."""
    if date_to <= date_from:
        raise _period_error(_("The end date is before the start date."))
    if date_from < EARLIEST_DATE:
        raise _out_of_range("from")
    if date_to > LATEST_DATE + timedelta(days=1):
        raise _out_of_range("to")
    if (date_to - date_from).days > MAX_PERIOD_DAYS:
        raise _period_error(_("A report covers at most %(days)d days.") % {"days": MAX_PERIOD_DAYS})


def report_period(*, first_day: date, last_day: date) -> tuple[date, date]:
    """The half-open period ``[first_day, last_day + 1)`` of the days a person picks (the
    API's ``from`` and ``to`` and the page's form both include their last day), checked."""
    if last_day > LATEST_DATE:
        raise _out_of_range("to")  # (and no date arithmetic past the calendar's end)
    period = first_day, last_day + timedelta(days=1)
    report_period_check(date_from=period[0], date_to=period[1])
    return period


def _zone(actor: Actor) -> ZoneInfo:
    return ZoneInfo(actor.tenant.time_zone)


def _bounds(actor: Actor, date_from: date, date_to: date) -> tuple[datetime, datetime]:
    zone = _zone(actor)
    return (
        datetime.combine(date_from, time.min, tzinfo=zone),
        datetime.combine(date_to, time.min, tzinfo=zone),
    )


def _choice_check(*, field: str, value: str | None, choices: Iterable[str]) -> None:
    if value is not None and value not in choices:
        raise InvalidInput(errors=[{"field": field, "message": _("Unknown value.")}])


@contextmanager
def _report_query(timers: QuerySet[SlaTimer]) -> Iterator[None]:
    """Run the report's queries with ``REPORT_WORK_MEM`` on PostgreSQL (for this transaction
    only: ``set_config(…, true)`` is ``SET LOCAL``, so a kept connection gets it back).

    Custom plans only: the SQL is the same for every period, so once psycopg prepares it
    PostgreSQL would switch to a generic plan made for a few thousand rows, which is 2–3×
    slower for a year (nested loops over every timer; ``bench/README.md``)."""
    connection = connections[timers.db]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=timers.db), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('work_mem', %s, true), "
            "set_config('plan_cache_mode', 'force_custom_plan', true)",
            [REPORT_WORK_MEM],
        )
        yield


def report_timers(
    *, actor: Actor, date_from: date, date_to: date, target: str | None = None
) -> QuerySet[SlaTimer]:
    """The measured (not cancelled) timers of the actor's business unit that started in
    ``[date_from, date_to)`` local time, optionally of one target; unordered, for grouping.

    Checks the report permission and the period (``PermissionDenied``, ``InvalidInput``).
    """
    ensure_can(actor, REPORT_PERMISSION)
    report_period_check(date_from=date_from, date_to=date_to)
    _choice_check(field="target", value=target, choices=Target.values)
    start, end = _bounds(actor, date_from, date_to)
    timers = SlaTimer.objects.for_tenant(actor.tenant).filter(
        started_at__gte=start, started_at__lt=end, cancelled_at__isnull=True
    )
    if target:
        timers = timers.filter(target=target)
    return timers.order_by()


# --- attainment ------------------------------------------------------------------------------


def _counts() -> dict[str, Count]:
    return {
        "n_met": Count("id", filter=_MET),
        "n_breached": Count("id", filter=_BREACHED),
        "n_open": Count("id", filter=_OPEN),
    }


def _row(key: str | None, label: str, counts: dict[str, Any]) -> AttainmentRow:
    return AttainmentRow(
        key=key,
        label=label,
        met=counts["n_met"] or 0,
        breached=counts["n_breached"] or 0,
        open=counts["n_open"] or 0,
    )


def sla_attainment(
    *,
    actor: Actor,
    date_from: date,
    date_to: date,
    group_by: str,
    target: str | None = None,
) -> Report:
    """SLA attainment of the actor's business unit in ``[date_from, date_to)`` (local dates),
    one row per group (``ReportGroup``): one grouped query, plus one for team/agent names."""
    timers = report_timers(actor=actor, date_from=date_from, date_to=date_to, target=target)
    _choice_check(field="group_by", value=group_by, choices=ReportGroup.values)
    if group_by == ReportGroup.TENANT:
        with _report_query(timers):
            counts = timers.aggregate(**_counts())
        rows: tuple[AttainmentRow, ...] = (_row(actor.tenant.slug, actor.tenant.name, counts),)
    else:
        field = _GROUP_FIELDS[group_by]
        with _report_query(timers):
            grouped = list(timers.values(field).annotate(**_counts()))
        labels = _labels(actor, group_by, [item[field] for item in grouped])
        rows = _sorted_rows(
            group_by,
            [
                _row(None if item[field] is None else str(item[field]), labels[item[field]], item)
                for item in grouped
            ],
        )
    total = AttainmentRow(
        key=None,
        label=_("Total"),
        met=sum(row.met for row in rows),
        breached=sum(row.breached for row in rows),
        open=sum(row.open for row in rows),
    )
    return Report(date_from, date_to, group_by, target, rows, total)


def _labels(actor: Actor, group_by: str, keys: Sequence[Any]) -> dict[Any, str]:
    """What each group is called: a team's name, an agent's name, a choice's label."""
    labels: dict[Any, str]
    present = [key for key in keys if key is not None]
    if group_by == ReportGroup.TEAM:
        teams = ticket_selectors.team_list(actor=actor).filter(pk__in=present)
        labels = dict(teams.values_list("pk", "name"))
        labels[None] = _("No team")
    elif group_by == ReportGroup.AGENT:
        # Assignees of this business unit's tickets, including people who have since left.
        labels = {user.pk: str(user) for user in User.objects.filter(pk__in=present)}
        labels[None] = _("Unassigned")
    else:
        labels = {value: str(label) for value, label in _GROUP_CHOICES[group_by].choices}
        labels[None] = _("None")
    return defaultdict(lambda: _("Unknown"), labels)


def _sorted_rows(group_by: str, rows: list[AttainmentRow]) -> tuple[AttainmentRow, ...]:
    """Choices in their own order, teams and agents by name; the empty group comes last."""
    if group_by in _GROUP_CHOICES:
        order = {value: i for i, value in enumerate(_GROUP_CHOICES[group_by].values)}
        rows.sort(key=lambda row: (row.key is None, order.get(row.key, len(order))))
    else:
        rows.sort(key=lambda row: (row.key is None, row.label.casefold(), row.key or ""))
    return tuple(rows)


# --- distributions ---------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile, ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``:
    linear interpolation between the two nearest values, like ``percentile`` below.

    The fraction is sent as a query parameter, never formatted into the SQL.
    """

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%%s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, *, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("a percentile's fraction lies in [0, 1]")
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = super().as_sql(compiler, connection, **extra_context)
        # The fraction's placeholder comes first in the template, before the expression's.
        return sql, (self.fraction, *params)


def percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """The continuous percentile of sorted values, as PostgreSQL's ``percentile_cont``."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    below, above = math.floor(position), math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _bucket_index() -> Case:
    """The histogram bar of a timer's business minutes: 0 up to the first edge (included),
    …, ``len(HISTOGRAM_EDGES)`` above the last."""
    return Case(
        *(
            When(business_minutes__lte=upper, then=Value(i))
            for i, upper in enumerate(HISTOGRAM_EDGES)
        ),
        default=Value(len(HISTOGRAM_EDGES)),
        output_field=IntegerField(),
    )


def sla_distribution(*, actor: Actor, date_from: date, date_to: date) -> Distribution:
    """Business minutes to first response and to resolution of the timers fulfilled among
    those that started in ``[date_from, date_to)``: count, median, p90 and a histogram.

    Two queries of one pass each: the histogram grouped by target and bar (a hash
    aggregate), then the percentiles (see ``_percentiles``).
    """
    timers = report_timers(actor=actor, date_from=date_from, date_to=date_to).filter(
        target__in=DISTRIBUTION_TARGETS,
        fulfilled_at__isnull=False,
        business_minutes__isnull=False,
    )
    with _report_query(timers):
        histograms = _histograms(timers)
        percentiles = _percentiles(timers)
    series = tuple(
        TargetDistribution(
            target=target,
            label=str(Target(target).label),
            count=sum(histograms[target]),
            median=percentiles[target][0],
            p90=percentiles[target][1],
            histogram=tuple(histograms[target]),
        )
        for target in DISTRIBUTION_TARGETS
    )
    return Distribution(date_from, date_to, BUCKETS, series)


def _histograms(timers: QuerySet[SlaTimer]) -> dict[str, list[int]]:
    """Fulfilled timers per target and histogram bar, in one grouped query."""
    counts: dict[str, list[int]] = {target: [0] * len(BUCKETS) for target in DISTRIBUTION_TARGETS}
    rows = (
        timers.annotate(bucket=_bucket_index())
        .values("target", "bucket")
        .annotate(n=Count("id"))
        .values_list("target", "bucket", "n")
    )
    for target, bucket, n in rows:
        counts[target][bucket] = n
    return counts


def _percentiles(timers: QuerySet[SlaTimer]) -> dict[str, tuple[float | None, float | None]]:
    """Median and p90 per target.

    PostgreSQL: ``percentile_cont`` with a FILTER per target, in one pass (the median and
    the p90 of a target share one sort). Not grouped by target: an ordered-set aggregate
    cannot be hashed, so grouping makes PostgreSQL sort every row by target before each
    percentile sorts its own (about twice as slow over a year of a million tickets).
    SQLite has no percentile function: there the one column needed is fetched, in order,
    and interpolated in Python the same way.
    """
    if connections[timers.db].vendor == "postgresql":
        row = timers.aggregate(
            **{
                f"{target}_{name}": PercentileCont(
                    "business_minutes", fraction=fraction, filter=Q(target=target)
                )
                for target in DISTRIBUTION_TARGETS
                for name, fraction in PERCENTILES
            }
        )
        return {
            target: (row[f"{target}_median"], row[f"{target}_p90"])
            for target in DISTRIBUTION_TARGETS
        }
    minutes: dict[str, list[float]] = defaultdict(list)
    for target, value in timers.order_by("business_minutes").values_list(
        "target", "business_minutes"
    ):
        if value is not None:  # (excluded by the query; the column is nullable)
            minutes[target].append(value)
    median, p90 = (fraction for _name, fraction in PERCENTILES)
    return {
        target: (percentile(minutes[target], median), percentile(minutes[target], p90))
        for target in DISTRIBUTION_TARGETS
    }
