"""A customer contact reads the service commitments that apply to them, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.browser_support import follow
from tests.sla.test_portal_commitments import office
from zhongtai.customers.models import Customer
from zhongtai.sla.models import BusinessCalendar, SlaPolicy


def _standards(world: factories.World) -> None:
    tenant = world.tenant
    Customer.objects.filter(tenant=tenant, name="Acme").update(tier="vip")
    always = BusinessCalendar.objects.create(tenant=tenant, name="24x7", always_open=True)
    SlaPolicy.objects.create(
        tenant=tenant,
        name="VIP urgent incidents",
        position=1,
        customer_tiers=["vip"],
        priorities=["urgent", "high"],
        types=["incident"],
        calendar=always,
        first_response_minutes=30,
        next_response_minutes=60,
        resolution_minutes=240,
    )
    SlaPolicy.objects.create(
        tenant=tenant,
        name="Standard service",
        position=9,
        calendar=office(tenant),
        first_response_minutes=240,
        resolution_minutes=150,
    )


@pytest.mark.usefixtures("transactional_db")
def test_customer_reads_their_commitments(session_for: Any, world: factories.World) -> None:
    _standards(world)
    session = session_for("en-US")
    page = session.login("customer")
    follow(page, page.get_by_test_id("nav-commitments"))
    assert page.url.endswith("/portal/commitments/")
    names = page.get_by_test_id("commitment-name").all_inner_texts()
    assert names == ["VIP urgent incidents", "Standard service"]
    assert "24×7" in page.get_by_test_id("commitment-hours").first.inner_text()
    assert "2 h 30 min" in page.get_by_test_id("commitment-targets").last.inner_text()
    session.shot("portal-commitments")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    session.shot("portal-commitments-phone")
    assert session.csp_errors() == []


@pytest.mark.usefixtures("transactional_db")
def test_commitments_in_chinese(session_for: Any, world: factories.World) -> None:
    _standards(world)
    session = session_for("zh-CN")
    page = session.login("customer")
    follow(page, page.get_by_test_id("nav-commitments"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "星期一" in page.get_by_test_id("commitment-days").first.inner_text()
    session.shot("portal-commitments-zh")
    assert session.csp_errors() == []


@pytest.mark.usefixtures("transactional_db")
def test_commitments_empty_state(session_for: Any, world: factories.World) -> None:
    session = session_for("en-US")
    page = session.login("customer")
    follow(page, page.get_by_test_id("nav-commitments"))
    assert page.get_by_test_id("empty").is_visible()
    session.shot("portal-commitments-empty")
    assert session.csp_errors() == []
