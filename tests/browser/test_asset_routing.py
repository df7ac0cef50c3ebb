"""Assets in a real browser: an administrator writes a rule on the asset's product line and
warranty (in Chinese); an agent opens a ticket by the asset's serial number and sees the
asset, its warranty and what the rule did on the ticket page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.browser_support import follow
from zhongtai.customers.models import Asset, Customer
from zhongtai.routing.models import RoutingRule
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_rule_on_the_asset_tags_a_ticket_opened_by_serial_number(
    session_for: Any, world: factories.World
) -> None:
    Asset.objects.create(
        tenant=world.tenant,
        customer=Customer.objects.get(tenant=world.tenant, name="Acme"),
        product_line="Printers",
        product_model="LaserJet 9000",
        serial_number="SN-1001",
        warranty_ends_on=timezone.localdate() - timedelta(days=3),
    )
    admin = session_for("zh-CN")
    page = admin.login("admin")
    follow(page, page.get_by_test_id("nav-routing"))
    follow(page, page.get_by_test_id("rule-new"))
    expect(page.get_by_test_id("asset-conditions")).to_contain_text("设备产品线")
    page.fill("#id_name", "过保打印机转付费服务")
    page.fill("#id_asset_product_lines", "printers")
    page.select_option("#id_asset_warranty", "expired")
    page.fill("#id_add_tags", "paid-service")
    admin.shot("routing-rule-asset-zh")
    follow(page, page.get_by_test_id("rule-save"))
    expect(page.get_by_test_id("rule-row")).to_contain_text("已过保")
    rule = RoutingRule.objects.get(tenant=world.tenant)
    assert (rule.asset_product_lines, rule.asset_warranty) == (["printers"], "expired")

    agent = session_for("en-US")
    page = agent.login("agent")
    follow(page, page.get_by_test_id("new-ticket"))
    page.fill("#id_subject", "Paper jam on the second tray")
    page.fill("#id_description", "It stops every few pages.")
    page.fill("#id_asset", "sn-404")
    page.select_option("#id_team", str(world.l1_team.pk))
    follow(page, page.get_by_test_id("ticket-create-submit"))
    expect(page.get_by_text("No asset of this unit has this serial number.")).to_be_visible()
    page.fill("#id_asset", "sn-1001")
    follow(page, page.get_by_test_id("ticket-create-submit"))
    expect(page.get_by_test_id("asset")).to_contain_text("LaserJet 9000")
    expect(page.get_by_test_id("asset-warranty")).to_have_text("Out of warranty")
    expect(page.get_by_test_id("asset-warranty")).to_have_class("badge text-bg-warning")
    agent.shot("ticket-asset")
    ticket = Ticket.objects.get(subject="Paper jam on the second tray")
    assert [t.name for t in ticket.tags.all()] == ["paid-service"]
    assert ticket.customer is not None
    assert ticket.customer.name == "Acme"
    assert admin.csp_errors() == agent.csp_errors() == []
