"""Service standards in words: durations, grouped working hours, time zones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import translation

from zhongtai.sla import presenters

OFFICE = ((540, 720), (810, 1080))  # 09:00–12:00, 13:30–18:00
SHORT = ((540, 720),)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (1, "1 min"),
        (30, "30 min"),
        (59, "59 min"),
        (60, "1 h"),
        (240, "4 h"),
        (150, "2 h 30 min"),
        (61, "1 h 1 min"),
        (1620, "27 h"),  # three 9-hour business days: hours, never "days"
        (525600, "8760 h"),
    ],
)
def test_durations_are_hours_and_minutes(minutes: int, words: str) -> None:
    assert presenters.duration_words(minutes) == words


def test_weekdays_with_the_same_hours_are_grouped() -> None:
    weekly = (OFFICE,) * 5 + (SHORT, ())
    rows = presenters.weekly_hours_rows(weekly)
    assert [(r.days, r.hours) for r in rows] == [
        ("Mon–Fri", "09:00–12:00, 13:30–18:00"),
        ("Sat", "09:00–12:00"),
    ]


def test_a_closed_day_splits_a_run_and_midnight_reads_24_00() -> None:
    weekly = (OFFICE, OFFICE, (), OFFICE, OFFICE, (), ((0, 1440),))
    rows = presenters.weekly_hours_rows(weekly)
    assert [(r.days, r.hours) for r in rows] == [
        ("Mon–Tue", "09:00–12:00, 13:30–18:00"),
        ("Thu–Fri", "09:00–12:00, 13:30–18:00"),
        ("Sun", "00:00–24:00"),
    ]


def test_equal_hours_that_are_not_consecutive_are_separate_rows() -> None:
    weekly = (SHORT, OFFICE, SHORT, (), (), (), ())
    assert [r.days for r in presenters.weekly_hours_rows(weekly)] == ["Mon", "Tue", "Wed"]


def test_a_week_without_working_hours_has_no_rows() -> None:
    assert presenters.weekly_hours_rows(((),) * 7) == ()


def test_weekday_names_follow_the_language() -> None:
    # Django's own catalog translates the weekday abbreviations
    with translation.override("zh-hans"):
        rows = presenters.weekly_hours_rows((SHORT,) * 5 + ((), ()))
    assert rows[0].days.startswith("星期一")
    assert rows[0].days.endswith("星期五")


@pytest.mark.parametrize(
    ("name", "offset", "words"),
    [
        ("Asia/Shanghai", timedelta(hours=8), "Asia/Shanghai (UTC+08:00)"),
        ("Asia/Kolkata", timedelta(hours=5, minutes=30), "Asia/Kolkata (UTC+05:30)"),
        ("America/New_York", timedelta(hours=-4), "America/New_York (UTC-04:00)"),
        ("UTC", timedelta(0), "UTC"),
        ("Mars/Olympus", None, "Mars/Olympus"),
    ],
)
def test_time_zone_with_its_offset(name: str, offset: timedelta | None, words: str) -> None:
    assert presenters.time_zone_words(name, offset) == words


def test_word_list() -> None:
    assert presenters.word_list(["High", "Urgent"]) == "High, Urgent"
    assert presenters.word_list([]) == ""
