"""Public holidays and make-up workdays from the holiday libraries (sla/holidays.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from zhongtai.sla.calendar import DayHours
from zhongtai.sla.holidays import SUPPORTED_COUNTRIES, holiday_overrides

OFFICE: DayHours = ((540, 720), (810, 1080))


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_china_2025_spring_festival_and_national_day() -> None:
    # When the 2025 holidays are loaded for China
    load = holiday_overrides(country="CN", years=[2025], workday_hours=OFFICE)
    # Then Spring Festival (Jan 28 – Feb 4) and National Day (Oct 1–8) are closed,
    # weekends inside the holiday (Feb 1–2, Oct 4–5) included ...
    for day in days(date(2025, 1, 28), date(2025, 2, 4)) + days(
        date(2025, 10, 1), date(2025, 10, 8)
    ):
        assert load.overrides[day] == (), day
    # ... their make-up Saturdays and Sundays work the office hours ...
    for day in (date(2025, 1, 26), date(2025, 2, 8), date(2025, 9, 28), date(2025, 10, 11)):
        assert load.overrides[day] == OFFICE, day
    # ... and ordinary days keep their weekly hours (no override).
    for day in (date(2025, 1, 27), date(2025, 2, 5), date(2025, 1, 25), date(2025, 10, 12)):
        assert day not in load.overrides
    assert load.unknown_years == ()


def test_china_overrides_only_the_years_asked_for() -> None:
    load = holiday_overrides(country="cn", years=[2024, 2024], workday_hours=OFFICE)
    assert {day.year for day in load.overrides} == {2024}
    assert load.overrides[date(2024, 2, 12)] == ()  # Spring Festival 2024, a Monday
    assert load.overrides[date(2024, 2, 4)] == OFFICE  # its make-up Sunday


def test_a_year_the_library_does_not_know_is_flagged_not_guessed() -> None:
    load = holiday_overrides(country="CN", years=[2099, 2025], workday_hours=OFFICE)
    assert load.unknown_years == (2099,)
    assert not any(day.year == 2099 for day in load.overrides)
    assert date(2025, 10, 1) in load.overrides


def test_united_states_independence_day_is_closed() -> None:
    load = holiday_overrides(country="US", years=[2025], workday_hours=OFFICE)
    assert load.overrides[date(2025, 7, 4)] == ()
    assert date(2025, 7, 7) not in load.overrides
    assert load.unknown_years == ()
    assert all(hours == () for hours in load.overrides.values())  # no make-up days


def test_a_year_before_the_country_library_starts_is_flagged() -> None:
    load = holiday_overrides(country="DE", years=[1900, 2025], workday_hours=OFFICE)
    assert load.unknown_years == (1900,)
    assert load.overrides[date(2025, 10, 3)] == ()  # Tag der Deutschen Einheit


def test_supported_countries() -> None:
    assert SUPPORTED_COUNTRIES[0] == "CN"
    assert {"US", "DE", "GB", "JP"} <= set(SUPPORTED_COUNTRIES)
    assert len(SUPPORTED_COUNTRIES) == len(set(SUPPORTED_COUNTRIES))


@pytest.mark.parametrize("country", ["XX", "", "Narnia"])
def test_an_unknown_country_raises(country: str) -> None:
    with pytest.raises(ValueError, match="no holiday data"):
        holiday_overrides(country=country, years=[2025], workday_hours=OFFICE)


def test_invalid_workday_hours_raise() -> None:
    with pytest.raises(ValueError, match="sorted"):
        holiday_overrides(country="CN", years=[2025], workday_hours=((810, 1080), (540, 720)))
