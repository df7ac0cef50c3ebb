"""Business calendars from the database: weekly hours, holidays loaded, manual overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from zhongtai.sla import selectors, services
from zhongtai.sla.calendar import add_business_minutes, hours_on
from zhongtai.sla.models import BusinessCalendar, CalendarDate, HolidayYear, WorkingInterval

pytestmark = pytest.mark.django_db
OFFICE = ((540, 720), (810, 1080))  # 09:00–12:00, 13:30–18:00


def _office(tenant, **kwargs):
    calendar = BusinessCalendar.objects.create(tenant=tenant, name="Office", **kwargs)
    for weekday in range(5):
        WorkingInterval.objects.create(
            calendar=calendar, weekday=weekday, start=time(9), end=time(12)
        )
        WorkingInterval.objects.create(
            calendar=calendar, weekday=weekday, start=time(13, 30), end=time(18)
        )
    return calendar


def test_weekly_hours_and_chinese_holidays_with_make_up_days(world):
    calendar = _office(world.tenant, holiday_source="CN")
    unknown = services.calendar_holidays_load(calendar=calendar, years=[2025, 2099])
    assert unknown == [2099]
    assert HolidayYear.objects.get(calendar=calendar, year=2099).known is False
    built = selectors.calendar_build(calendar)
    assert hours_on(built, date(2025, 1, 27)) == OFFICE  # the Monday before Spring Festival
    assert hours_on(built, date(2025, 1, 29)) == ()  # 春节
    assert hours_on(built, date(2025, 1, 26)) == OFFICE  # Sunday make-up workday (调休)
    assert hours_on(built, date(2025, 10, 1)) == ()  # National Day
    assert hours_on(built, date(2025, 10, 11)) == OFFICE  # Saturday make-up workday


def test_manual_date_wins_over_the_library_and_survives_a_reload(world):
    calendar = _office(world.tenant, holiday_source="CN")
    services.calendar_holidays_load(calendar=calendar, years=[2025])
    CalendarDate.objects.create(
        calendar=calendar,
        date=date(2025, 10, 8),
        kind=CalendarDate.Kind.WORKDAY,
        source=CalendarDate.Source.MANUAL,
        name="Stocktaking",
    )
    services.calendar_holidays_load(calendar=calendar, years=[2025])
    built = selectors.calendar_build(calendar)
    assert hours_on(built, date(2025, 10, 8)) == OFFICE
    assert hours_on(built, date(2025, 10, 7)) == ()


def test_due_time_skips_the_national_day_holiday(world):
    calendar = _office(world.tenant, holiday_source="CN", time_zone="Asia/Shanghai")
    services.calendar_holidays_load(calendar=calendar, years=[2025])
    built = selectors.calendar_build(calendar)
    # Tuesday 30 Sep 2025, 17:00 Shanghai (09:00 UTC), 2 business hours:
    # 1 h that evening, then Oct 1–8 off, then 1 h on Thursday 9 Oct from 09:00.
    due = add_business_minutes(built, datetime(2025, 9, 30, 9, 0, tzinfo=UTC), 120)
    assert due == datetime(2025, 10, 9, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def test_24x7_calendar_and_a_calendar_without_holidays(world):
    always = BusinessCalendar.objects.create(
        tenant=world.tenant, name="24x7", always_open=True, holiday_source=""
    )
    assert services.calendar_holidays_load(calendar=always, years=[2025]) == []
    start = datetime(2025, 1, 29, 3, 0, tzinfo=UTC)
    assert add_business_minutes(selectors.calendar_build(always), start, 90) == datetime(
        2025, 1, 29, 4, 30, tzinfo=UTC
    )
    assert not CalendarDate.objects.filter(calendar=always).exists()
