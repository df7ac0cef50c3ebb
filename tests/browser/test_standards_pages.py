"""An administrator keeps the unit's service standards in a real browser: a new policy for
VIP outages tried first, an office calendar with a lunch break and a hand-set holiday."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser_support import follow
from zhongtai.sla.models import BusinessCalendar, CalendarDate, SlaPolicy, WorkingInterval

pytestmark = pytest.mark.usefixtures("transactional_db")


def _standards(world: factories.World) -> BusinessCalendar:
    office = BusinessCalendar.objects.create(
        tenant=world.tenant, name="Office hours", time_zone="Asia/Shanghai", holiday_source=""
    )
    for day in range(5):
        WorkingInterval.objects.create(calendar=office, weekday=day, start=time(9), end=time(18))
    SlaPolicy.objects.create(
        tenant=world.tenant,
        name="Standard support",
        calendar=office,
        first_response_minutes=240,
        resolution_minutes=2880,
        warn_at_percent=[75, 90],
        breach_actions=["notify"],
    )
    return office


def test_admin_adds_a_vip_policy_first_and_a_lunch_break(
    session_for: Any, world: factories.World
) -> None:
    office = _standards(world)
    admin = session_for("en-US")
    page = admin.login("admin")
    follow(page, page.get_by_test_id("nav-standards"))
    expect(page.get_by_test_id("policy-row")).to_have_count(1)

    # a new policy for VIP outages
    follow(page, page.get_by_test_id("policy-new"))
    page.fill("#id_name", "VIP outages")
    page.select_option("#id_calendar", str(office.pk))
    page.check("#id_customer_tiers_2")  # VIP
    page.get_by_label("Urgent").check()
    page.fill("#id_first_response_minutes", "30")
    page.fill("#id_resolution_minutes", "480")
    page.get_by_label("Escalate to the next tier's team").check()
    admin.shot("standards-policy-form")
    follow(page, page.get_by_test_id("policy-save"))
    rows = page.get_by_test_id("policy-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("VIP outages")  # a new policy is tried last

    # moved up, it is tried first
    follow(page, rows.nth(1).get_by_test_id("policy-up"))
    expect(page.get_by_test_id("policy-row").nth(0)).to_contain_text("VIP outages")
    expect(page.get_by_test_id("policy-row").nth(0)).to_contain_text("30 min")
    admin.shot("standards")
    assert list(SlaPolicy.objects.filter(tenant=world.tenant).values_list("name", flat=True)) == [
        "VIP outages",
        "Standard support",
    ]

    # the office calendar gets a lunch break on Mondays and a hand-set holiday
    follow(page, page.get_by_test_id("calendar-edit"))
    page.fill("#id_day_0", "09:00-12:00, 13:30-18:00")
    follow(page, page.get_by_test_id("calendar-save"))
    page.fill("#date-day", "2026-12-31")
    page.select_option("#date-kind", "closed")
    page.fill("#date-name", "Year-end stocktake")
    follow(page, page.get_by_test_id("calendar-date-set"))
    expect(page.get_by_test_id("calendar-date-row")).to_contain_text("Year-end stocktake")
    admin.shot("standards-calendar")
    assert office.intervals.filter(weekday=0).count() == 2
    assert CalendarDate.objects.filter(calendar=office, name="Year-end stocktake").exists()
    assert admin.csp_errors() == []


def test_the_pages_in_chinese(session_for: Any, world: factories.World) -> None:
    _standards(world)
    l2 = session_for("zh-CN")
    page = l2.login("l2")
    follow(page, page.get_by_test_id("nav-standards"))
    expect(page.get_by_test_id("standards-title")).to_have_text("SLA 策略")
    l2.shot("standards-zh")
    follow(page, page.get_by_test_id("policy-edit"))
    expect(page.get_by_test_id("policy-form-title")).to_contain_text("Standard support")
    l2.shot("standards-policy-form-zh")
    assert l2.csp_errors() == []


def test_an_agent_has_no_link_and_no_page(session_for: Any, world: factories.World) -> None:
    agent = session_for("en-US")
    page = agent.login("agent")
    assert page.get_by_test_id("nav-standards").count() == 0
    response = page.goto("/agent/standards/")
    assert response is not None
    assert response.status == 403
