"""Public holidays and make-up workdays as calendar overrides, from maintained libraries.

China (``"CN"``) comes from ``chinesecalendar`` (imported as ``chinese_calendar``), which
follows the State Council's yearly notice, make-up workdays (调休) included. Its data ends
with the last year announced, so a later year is reported in ``unknown_years`` for the
admin to act on, never silently treated as an ordinary year of working weekdays.

Every other country comes from ``holidays`` (``holidays.country_holidays``): computed
public holidays, which close the day; that library knows no make-up workdays. A year
outside the range its country class supports is reported in ``unknown_years`` too.

The result feeds ``Calendar.overrides`` (:mod:`zhongtai.sla.calendar`); overrides set by
hand are meant to win over these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar  # type: ignore[import-untyped]  # ships no type information
import holidays

from zhongtai.sla.calendar import DayHours, _checked_day_hours

SUPPORTED_COUNTRIES: tuple[str, ...] = (
    "CN",
    *sorted(
        code for code in holidays.list_supported_countries(include_aliases=False) if code != "CN"
    ),
)

CLOSED: DayHours = ()


@dataclass(frozen=True)
class HolidayLoad:
    """Overrides from a holiday library, and the years it had no data for.

    ``overrides`` maps a local date to its hours: ``()`` for a day off, the
    ``workday_hours`` given for a make-up workday. ``unknown_years`` (sorted) must be
    shown to an admin: those years got no overrides at all.
    """

    overrides: dict[date, DayHours]
    unknown_years: tuple[int, ...]


def holiday_overrides(
    *, country: str, years: Iterable[int], workday_hours: DayHours
) -> HolidayLoad:
    """Load the public holidays (and, for China, make-up workdays) of ``years``.

    ``country`` is an ISO 3166-1 alpha-2 code from :data:`SUPPORTED_COUNTRIES` (any case);
    another raises ``ValueError``, as do invalid ``workday_hours``.

    China: a holiday on a weekday, or on a weekend inside a named holiday period
    (National Day's Saturday, say), is closed; a Saturday or Sunday that is a working day
    is a make-up workday with ``workday_hours``. Ordinary weekends get no override: the
    calendar's weekly hours already say they are closed.
    """
    code = country.upper()
    hours = _checked_day_hours(workday_hours)
    wanted = sorted(set(years))
    if code == "CN":
        return _china(wanted, hours)
    if code not in SUPPORTED_COUNTRIES:
        raise ValueError(f"no holiday data for country {country!r}")
    return _other_country(code, wanted)


def _china(years: list[int], workday_hours: DayHours) -> HolidayLoad:
    overrides: dict[date, DayHours] = {}
    unknown: list[int] = []
    for year in years:
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:  # the library's way of saying "no data for this year"
            unknown.append(year)
            continue
        day = date(year, 1, 1)
        while day.year == year:
            on_holiday, holiday_name = chinese_calendar.get_holiday_detail(day)
            weekend = day.weekday() >= 5
            if on_holiday and (not weekend or holiday_name is not None):
                overrides[day] = CLOSED
            elif weekend and not on_holiday:
                overrides[day] = workday_hours
            day += timedelta(days=1)
    return HolidayLoad(overrides=overrides, unknown_years=tuple(unknown))


def _other_country(code: str, years: list[int]) -> HolidayLoad:
    probe = holidays.country_holidays(code)
    known = [year for year in years if probe.start_year <= year <= probe.end_year]
    unknown = tuple(year for year in years if year not in known)
    if not known:
        return HolidayLoad(overrides={}, unknown_years=unknown)
    days_off = holidays.country_holidays(code, years=known)
    return HolidayLoad(overrides=dict.fromkeys(days_off, CLOSED), unknown_years=unknown)
