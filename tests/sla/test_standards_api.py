"""The read API of service standards: policies in order, calendars with holidays."""

from __future__ import annotations

from datetime import date, time

import pytest

from tests import factories
from zhongtai.sla.models import (
    BusinessCalendar,
    CalendarDate,
    HolidayYear,
    SlaPolicy,
    WorkingInterval,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def standards(world):
    office = BusinessCalendar.objects.create(
        tenant=world.tenant, name="Office", time_zone="Asia/Shanghai", holiday_source="CN"
    )
    WorkingInterval.objects.create(calendar=office, weekday=0, start=time(9), end=time(12))
    CalendarDate.objects.create(
        calendar=office, date=date(2026, 10, 1), kind="closed", source="library"
    )
    HolidayYear.objects.create(calendar=office, year=2027, known=False)
    hardware = factories.category(world.tenant, "Hardware")
    vip = SlaPolicy.objects.create(
        tenant=world.tenant,
        name="VIP",
        position=1,
        customer_tiers=["vip"],
        calendar=office,
        first_response_minutes=60,
        warn_at_percent=[75],
        breach_actions=["notify"],
    )
    vip.categories.add(hardware)
    SlaPolicy.objects.create(
        tenant=world.tenant, name="Default", position=9, calendar=office, resolution_minutes=900
    )
    other = BusinessCalendar.objects.create(tenant=world.other_tenant, name="Theirs")
    SlaPolicy.objects.create(tenant=world.other_tenant, name="Theirs", calendar=other)
    return {"office": office, "hardware": hardware}


def test_policies_come_in_the_order_they_are_tried(world, standards, api_for):
    response = api_for(world.agent).get("/sla/policies")
    assert response.status_code == 200
    policies = response.json()
    assert [p["name"] for p in policies] == ["VIP", "Default"]
    vip = policies[0]
    assert vip["conditions"]["customer_tiers"] == ["vip"]
    assert vip["conditions"]["category_ids"] == [standards["hardware"].pk]
    assert vip["targets"] == {
        "first_response_minutes": 60,
        "next_response_minutes": None,
        "resolution_minutes": None,
    }
    assert vip["calendar_id"] == standards["office"].pk


def test_calendars_show_hours_dates_and_unknown_years(world, standards, api_for):
    [calendar] = api_for(world.lead).get("/sla/calendars").json()
    assert calendar["working_hours"] == [{"weekday": 0, "start": "09:00:00", "end": "12:00:00"}]
    assert calendar["dates"][0]["date"] == "2026-10-01"
    assert calendar["holiday_years"] == [{"year": 2027, "known": False}]


def test_each_unit_sees_its_own_and_customers_none(world, standards, api_for):
    theirs = api_for(world.other_agent).get("/sla/policies").json()
    assert [p["name"] for p in theirs] == ["Theirs"]
    assert api_for(world.customer).get("/sla/policies").status_code == 403
    assert api_for(world.customer).get("/sla/calendars").status_code == 403
