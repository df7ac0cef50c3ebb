"""Writes of service standards: loading public holidays into a business calendar."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from zhongtai.sla import selectors
from zhongtai.sla.holidays import holiday_overrides
from zhongtai.sla.models import BusinessCalendar, CalendarDate, HolidayYear


@transaction.atomic
def calendar_holidays_load(*, calendar: BusinessCalendar, years: Iterable[int]) -> list[int]:
    """(Re)load the library's holidays and make-up workdays for these years.

    Replaces the library rows of those years (manual rows stay and keep winning); records
    each year as known or unknown, and returns the unknown ones so that the admin is told
    instead of the year silently counting as all working days.
    """
    years = sorted(set(years))
    if not calendar.holiday_source or calendar.always_open:
        return []
    load = holiday_overrides(
        country=calendar.holiday_source,
        years=years,
        workday_hours=selectors.workday_hours(calendar),
    )
    CalendarDate.objects.filter(
        calendar=calendar, source=CalendarDate.Source.LIBRARY, date__year__in=years
    ).delete()
    CalendarDate.objects.bulk_create(
        CalendarDate(
            calendar=calendar,
            date=day,
            kind=CalendarDate.Kind.WORKDAY if hours else CalendarDate.Kind.CLOSED,
            source=CalendarDate.Source.LIBRARY,
        )
        for day, hours in sorted(load.overrides.items())
    )
    for year in years:
        HolidayYear.objects.update_or_create(
            calendar=calendar, year=year, defaults={"known": year not in load.unknown_years}
        )
    return list(load.unknown_years)
