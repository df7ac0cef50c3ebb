"""The SLA report selectors: attainment per group and time distributions (see report_scene)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from tests import factories
from tests.sla import report_scene
from tests.sla.report_scene import FR, MAY_FROM, MAY_TO, RES
from zhongtai.core.errors import InvalidInput, PermissionDenied
from zhongtai.core.permissions import Role
from zhongtai.sla import report_presenters, reports
from zhongtai.sla.reports import AttainmentRow, PercentileCont, percentile

pytestmark = pytest.mark.django_db


def _may(actor: Any, group_by: str, target: str | None = None) -> reports.Report:
    return reports.sla_attainment(
        actor=actor, date_from=MAY_FROM, date_to=MAY_TO, group_by=group_by, target=target
    )


def _table(report: reports.Report) -> list[tuple[str, int, int, int, int, float | None]]:
    return [
        (row.label, row.total, row.met, row.breached, row.open, row.percent_met)
        for row in report.rows
    ]


# --- attainment ----------------------------------------------------------------------------


def test_whole_business_unit_counts_met_breached_and_open(world: factories.World) -> None:
    report_scene.build(world)

    report = _may(world.lead, "tenant")

    assert _table(report) == [("Shanghai Equipment", 9, 6, 2, 1, 75.0)]
    assert report.total.percent_met == 75.0
    assert report.last_day == date(2024, 5, 31)


def test_by_team_labels_rows_with_team_names(world: factories.World) -> None:
    report_scene.build(world)

    report = _may(world.lead, "team")

    assert _table(report) == [
        ("Frontline", 7, 5, 1, 1, pytest.approx(500 / 6)),
        ("Service engineering", 2, 1, 1, 0, 50.0),
    ]
    assert [row.key for row in report.rows] == [str(world.l1_team.pk), str(world.l2_team.pk)]
    assert (report.total.total, report.total.met, report.total.breached) == (9, 6, 2)


def test_by_agent_names_people_and_puts_unassigned_last(world: factories.World) -> None:
    report_scene.build(world)

    report = _may(world.l2, "agent")

    assert _table(report) == [
        ("Agent", 4, 3, 1, 0, 75.0),
        ("Agent2", 2, 1, 0, 1, 100.0),
        ("L2", 2, 1, 1, 0, 50.0),
        ("Unassigned", 1, 1, 0, 0, 100.0),
    ]
    assert report.rows[-1].key is None


def test_by_tier_priority_and_type_use_choice_labels_in_choice_order(
    world: factories.World,
) -> None:
    report_scene.build(world)

    assert _table(_may(world.admin, "tier")) == [
        ("L1 frontline", 7, 5, 1, 1, pytest.approx(500 / 6)),
        ("L2 service engineering", 2, 1, 1, 0, 50.0),
    ]
    assert [(r.key, r.label, r.total) for r in _may(world.admin, "priority").rows] == [
        ("low", "Low", 1),
        ("normal", "Normal", 3),
        ("high", "High", 3),
        ("urgent", "Urgent", 2),
    ]
    assert [(r.label, r.total) for r in _may(world.admin, "type").rows] == [
        ("Question", 7),
        ("Incident", 2),
    ]


def test_target_filter_counts_only_that_target(world: factories.World) -> None:
    report_scene.build(world)

    report = _may(world.lead, "tenant", target=FR)

    assert _table(report) == [("Shanghai Equipment", 5, 4, 1, 0, 80.0)]


def test_nothing_decided_has_no_percentage() -> None:
    assert AttainmentRow(key=None, label="x", met=0, breached=0, open=3).percent_met is None


def test_days_are_local_days_of_the_business_unit(world: factories.World) -> None:
    report_scene.build(world)

    may_first = reports.sla_attainment(
        actor=world.lead, date_from=MAY_FROM, date_to=date(2024, 5, 2), group_by="tenant"
    )
    april_last = reports.sla_attainment(
        actor=world.lead, date_from=date(2024, 4, 30), date_to=MAY_FROM, group_by="tenant"
    )
    june_first = reports.sla_attainment(
        actor=world.lead, date_from=MAY_TO, date_to=date(2024, 6, 2), group_by="tenant"
    )

    # g started at May 1 00:00 Shanghai (Apr 30 16:00 UTC); e one minute earlier;
    # f at June 1 00:00 Shanghai (May 31 16:00 UTC).
    assert (may_first.total.total, april_last.total.total, june_first.total.total) == (1, 1, 1)


def test_other_business_unit_is_never_counted(world: factories.World) -> None:
    report_scene.build(world)
    other_lead = factories.actor(world.other_tenant, Role.LEAD, "other_lead")

    theirs = _may(other_lead, "tenant")

    assert _table(theirs) == [("SaaS Success", 2, 1, 1, 0, 50.0)]
    assert _may(world.lead, "tenant").total.total == 9


def test_cancelled_timers_are_not_measured(world: factories.World) -> None:
    scene = report_scene.build(world)
    d = scene.tickets["d"]

    rows = _may(world.lead, "priority").rows

    assert [(row.total, row.met) for row in rows if row.key == "low"] == [(1, 1)]  # FR only
    assert d.sla_timers.count() == 2


@pytest.mark.parametrize("role", ["agent", "customer", "other_agent"])
def test_roles_without_the_report_permission_are_refused(world: factories.World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        _may(getattr(world, role), "tenant")
    with pytest.raises(PermissionDenied):
        reports.sla_distribution(actor=getattr(world, role), date_from=MAY_FROM, date_to=MAY_TO)


@pytest.mark.parametrize(
    ("date_from", "date_to", "fragment"),
    [
        (date(2024, 5, 2), date(2024, 5, 1), "before"),
        (date(2024, 5, 1), date(2024, 5, 1), "before"),
        (date(2024, 1, 1), date(2025, 1, 3), "366"),
        (date(1999, 12, 31), date(2000, 1, 5), "between"),
        (date(2999, 12, 1), date(3000, 1, 2), "between"),
    ],
)
def test_a_period_must_be_sensible(
    world: factories.World, date_from: date, date_to: date, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        reports.sla_attainment(
            actor=world.lead, date_from=date_from, date_to=date_to, group_by="tenant"
        )
    assert fragment in caught.value.errors[0]["message"]


def test_a_whole_leap_year_is_allowed(world: factories.World) -> None:
    report = reports.sla_attainment(
        actor=world.lead, date_from=date(2024, 1, 1), date_to=date(2025, 1, 1), group_by="team"
    )
    assert report.rows == ()
    assert report.total.percent_met is None


def test_the_days_a_person_picks_include_the_last_one() -> None:
    assert reports.report_period(first_day=date(2024, 5, 1), last_day=date(2024, 5, 31)) == (
        MAY_FROM,
        MAY_TO,
    )
    with pytest.raises(InvalidInput):
        reports.report_period(first_day=date(2024, 5, 1), last_day=date(9999, 12, 31))
    with pytest.raises(InvalidInput):
        reports.report_period(first_day=date(2024, 5, 2), last_day=date(2024, 5, 1))


@pytest.mark.parametrize(("field", "kwargs"), [("group_by", {"group_by": "customer"})])
def test_unknown_grouping_or_target_is_invalid(
    world: factories.World, field: str, kwargs: dict[str, str]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        reports.sla_attainment(actor=world.lead, date_from=MAY_FROM, date_to=MAY_TO, **kwargs)
    assert caught.value.errors[0]["field"] == field
    with pytest.raises(InvalidInput) as caught:
        _may(world.lead, "team", target="lunch")
    assert caught.value.errors[0]["field"] == "target"


def _memory_setting_queries() -> int:
    """On PostgreSQL each report query runs in a (nested) transaction that raises work_mem:
    savepoint, set_config, release."""
    return 3 if connection.vendor == "postgresql" else 0


def test_grouped_report_costs_one_query_plus_names(
    world: factories.World, django_assert_num_queries: Any
) -> None:
    report_scene.build(world)

    with django_assert_num_queries(2 + _memory_setting_queries()):  # counts, team names
        _may(world.lead, "team")
    with django_assert_num_queries(1 + _memory_setting_queries()):
        _may(world.lead, "priority")


# --- distributions -------------------------------------------------------------------------


def test_distribution_median_p90_and_histogram(world: factories.World) -> None:
    report_scene.build(world)

    result = reports.sla_distribution(actor=world.lead, date_from=MAY_FROM, date_to=MAY_TO)

    first, resolution = result.series
    # First response, fulfilled: 10, 20, 30, 40 (d's cancelled RES and c's unfulfilled FR
    # are out). Median: (20 + 30) / 2. p90: position 0.9 × 3 = 2.7 → 30 + 0.7 × 10.
    assert (first.target, first.count) == (FR, 4)
    assert first.median == pytest.approx(25.0)
    assert first.p90 == pytest.approx(37.0)
    assert first.histogram == (1, 2, 1, 0, 0, 0, 0, 0, 0, 0)
    # Resolution, fulfilled: 300 (met) and 600 (breached, then fulfilled).
    assert (resolution.target, resolution.count) == (RES, 2)
    assert resolution.median == pytest.approx(450.0)
    assert resolution.p90 == pytest.approx(570.0)
    assert resolution.histogram == (0, 0, 0, 0, 0, 1, 1, 0, 0, 0)
    assert len(result.buckets) == len(reports.HISTOGRAM_EDGES) + 1


def test_distribution_of_an_empty_period(world: factories.World) -> None:
    result = reports.sla_distribution(actor=world.lead, date_from=MAY_FROM, date_to=MAY_TO)

    assert [(s.count, s.median, s.p90, sum(s.histogram)) for s in result.series] == [
        (0, None, None, 0),
        (0, None, None, 0),
    ]


def test_distribution_queries(world: factories.World, django_assert_num_queries: Any) -> None:
    """The histogram, then the percentiles (PostgreSQL computes them; SQLite fetches the
    one column they need)."""
    report_scene.build(world)

    with django_assert_num_queries(2 + _memory_setting_queries()):
        reports.sla_distribution(actor=world.lead, date_from=MAY_FROM, date_to=MAY_TO)


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([5.0], 0.9, 5.0),
        ([1.0, 2.0], 0.5, 1.5),
        ([10.0, 20.0, 30.0, 40.0], 0.9, 37.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0.5, 3.0),
        ([], 0.5, None),
    ],
)
def test_percentile_interpolates_like_percentile_cont(
    values: list[float], fraction: float, expected: float | None
) -> None:
    assert percentile(values, fraction) == expected


def test_percentile_cont_refuses_a_fraction_outside_zero_to_one() -> None:
    with pytest.raises(ValueError, match="fraction"):
        PercentileCont("business_minutes", fraction=1.5)


# --- presentation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (None, "—"),
        (0, "0 min"),
        (0.2, "< 1 min"),
        (45, "45 min"),
        (60, "1 h"),
        (135, "2 h 15 min"),
        (135.4, "2 h 15 min"),
        (1440, "24 h"),
        (1440 + 190, "27 h 10 min"),
        (7200, "120 h"),
    ],
)
def test_duration_text(minutes: float | None, text: str) -> None:
    assert report_presenters.duration_text(minutes) == text


def test_bucket_labels() -> None:
    labels = [report_presenters.bucket_label(bucket) for bucket in reports.BUCKETS]

    assert labels[0] == "≤ 15 min"
    assert labels[2] == "30 min – 1 h"
    assert labels[-1] == "> 120 h"
