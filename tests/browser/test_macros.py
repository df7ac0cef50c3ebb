"""Macros in a real browser: an agent opens a ticket of a Chinese-speaking unit, picks a
macro from the composer's menu, sees its text filled in for the ticket in the reply box,
sends it, and finds the reply and the macro's field changes on the timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories
from zhongtai.core.models import Tenant
from zhongtai.macros import services
from zhongtai.macros.models import Macro
from zhongtai.sla.models import BusinessCalendar, SlaPolicy
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.usefixtures("transactional_db")


def _scene(world: factories.World) -> tuple[Ticket, int]:
    Tenant.objects.filter(pk=world.tenant.pk).update(language="zh-hans")
    world.tenant.refresh_from_db()
    calendar = BusinessCalendar.objects.create(
        tenant=world.tenant, name="24×7", always_open=True, holiday_source=""
    )
    SlaPolicy.objects.create(
        tenant=world.tenant,
        name="Standard",
        calendar=calendar,
        first_response_minutes=60,
        resolution_minutes=480,
    )
    services.macro_create(
        actor=world.admin,
        data=services.MacroInput(
            name="Greeting",
            scope="shared",
            body_en="Dear {{contact.name}}, thank you for writing to us.",
            body_zh="{{contact.name}}，您好！感谢您联系我们。",
        ),
    )
    nameplate = services.macro_create(
        actor=world.admin,
        data=services.MacroInput(
            name="Ask for the nameplate",
            scope="shared",
            body_zh=(
                "{{contact.name}}，您好：\n为尽快处理工单 {{ticket.number}}，请提供设备铭牌上的"
                "型号和出厂编号。我们将在 {{ticket.due}} 前解决。\n{{agent.name}}"
            ),
            body_en="Dear {{contact.name}}, please send the model and serial number.",
            set_status="pending_customer",
            add_tags=["needs-model"],
        ),
    )
    services.macro_create(
        actor=world.agent,
        data=services.MacroInput(name="My sign-off", body_zh="祝好！\n{{agent.name}}"),
    )
    ticket = factories.ticket(world.customer, subject="空压机启动后报警 E07")
    return ticket, nameplate.pk


def test_pick_a_macro_send_it_and_see_its_changes(session_for: Any, world: factories.World) -> None:
    ticket, nameplate = _scene(world)
    reference = f"SH-{ticket.number:06d}"
    agent = session_for("en-US")
    page = agent.login("agent")
    page.goto(reverse("tickets:ticket_detail", args=[ticket.number]))

    # when the agent opens the composer's macro menu
    page.get_by_test_id("macros-open").click()
    menu = page.get_by_test_id("macros-menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_test_id("macro-pick")).to_have_count(3)
    expect(menu).to_contain_text("On send: status → Pending customer · tags + needs-model")
    agent.shot("macros-menu")

    # and picks the nameplate macro (the unit speaks Chinese; English is offered too)
    pick = menu.get_by_test_id("macro-pick").filter(has_text="Ask for the nameplate")
    expect(pick.locator("xpath=..").get_by_test_id("macro-pick-other")).to_have_text("English")
    pick.click()

    # then its text, filled in for this ticket, is in the reply box and the menu closed
    body = page.locator("#reply-body")
    expected = (
        f"Customer，您好：\n为尽快处理工单 {reference}，请提供设备铭牌上的型号和出厂编号。"
        f"我们将在 {_due(ticket)} 前解决。\nAgent"
    )
    expect(body).to_have_value(expected)
    expect(menu).to_be_hidden()
    expect(page.get_by_test_id("reply-macro")).to_have_value(str(nameplate))
    agent.shot("macros-composer")

    # when they send it
    with page.expect_navigation():
        page.get_by_test_id("reply-submit").click()
    page.wait_for_load_state("domcontentloaded")

    # then the reply and the macro's changes are on the timeline
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("请提供设备铭牌上的型号和出厂编号")
    expect(timeline).to_contain_text("needs-model")
    expect(timeline).to_contain_text("Ask for the nameplate")  # the status change's reason
    expect(page.get_by_test_id("ticket-status")).to_have_text("Pending customer")
    agent.shot("macros-after-send")
    ticket.refresh_from_db()
    assert ticket.status == "pending_customer"
    assert list(ticket.tags.values_list("name", flat=True)) == ["needs-model"]

    # when they insert a macro without field actions in its other language (English)
    page.get_by_test_id("macros-open").click()
    greeting = page.get_by_test_id("macro-pick").filter(has_text="Greeting")
    with page.expect_response(lambda r: "/agent/macros/" in r.url and r.status == 204):
        greeting.locator("xpath=..").get_by_test_id("macro-pick-other").click()

    # then the English text is in the box, no macro rides on the reply, and the use counts
    expect(body).to_have_value("Dear Customer, thank you for writing to us.")
    expect(page.get_by_test_id("reply-macro")).to_have_value("")
    assert Macro.objects.get(name="Greeting").use_count == 1
    assert Macro.objects.get(name="Ask for the nameplate").use_count == 1
    assert agent.csp_errors() == []


def _due(ticket: Ticket) -> str:
    from zhongtai.macros.selectors import due_text
    from zhongtai.sla.models import SlaTimer

    timer = SlaTimer.objects.get(ticket=ticket, target="resolution")
    return due_text(timer.due_at, "Asia/Shanghai")
