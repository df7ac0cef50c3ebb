"""People's routing in a real browser: an agent goes available from the header and is
given a new ticket; a team lead reads the board, enrols someone and switches surge on."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser_support import follow
from zhongtai.routing.models import AgentProfile, RoutingSettings, SurgeEnrolment, TeamRouting
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_agent_goes_available_and_is_given_the_next_ticket(
    session_for: Any, world: factories.World
) -> None:
    RoutingSettings.objects.create(tenant=world.tenant, auto_assign=True)
    agent = session_for("zh-CN")
    page = agent.login("agent")
    with page.expect_navigation():
        page.select_option("#my-status", "available")
    expect(page.locator("#my-status")).to_have_value("available")
    assert AgentProfile.objects.get(user=world.agent.user).status == "available"
    ticket = factories.ticket(world.customer, subject="打印机卡纸")
    assert Ticket.objects.get(pk=ticket.pk).assignee == world.agent.user
    page.goto(f"/agent/tickets/{ticket.number}/")
    expect(page.get_by_test_id("timeline")).to_contain_text("Agent")
    agent.shot("routing-assigned-zh")
    assert agent.csp_errors() == []


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_lead_enrols_a_surge_pool_and_switches_surge_on(
    session_for: Any, world: factories.World, locale: str
) -> None:
    AgentProfile.objects.create(tenant=world.tenant, user=world.agent.user, status="available")
    factories.ticket(world.admin, assignee=world.agent.user)
    lead = session_for(locale)
    page = lead.login("lead")
    follow(page, page.get_by_test_id("nav-people"))
    expect(page.get_by_test_id("agent-row")).to_have_count(6)
    card = page.locator(f"[data-team='{world.l1_team.pk}']")
    card.locator("select[name=user]").select_option(str(world.l3.user.pk))
    follow(page, card.get_by_test_id("surge-enrol"))
    card = page.locator(f"[data-team='{world.l1_team.pk}']")
    expect(card.get_by_test_id("surge-pool")).to_contain_text("L3")
    follow(page, card.get_by_test_id("surge-on"))
    card = page.locator(f"[data-team='{world.l1_team.pk}']")
    expect(card.get_by_test_id("surge-off")).to_be_visible()
    lead.shot(f"routing-people-{locale[:2]}")
    assert TeamRouting.objects.get(team=world.l1_team).surge_on
    assert SurgeEnrolment.objects.filter(team=world.l1_team, user=world.l3.user).exists()
    follow(page, page.get_by_test_id("agent-edit").first)
    expect(page.get_by_test_id("profile-title")).to_be_visible()
    lead.shot(f"routing-profile-{locale[:2]}")
    assert lead.csp_errors() == []
