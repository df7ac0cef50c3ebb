"""A team lead opens the SLA report in a real browser: table, figures and ECharts charts."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.sla.report_scene import FR, RES, timer

pytestmark = pytest.mark.usefixtures("transactional_db")


def _seed(world: factories.World) -> None:
    """Three weeks of tickets for two teams and three people, most met, some not."""
    rng = random.Random(7)
    now = timezone.now()
    people = [
        (world.l1_team, world.agent.user),
        (world.l1_team, world.agent2.user),
        (world.l2_team, world.l2.user),
    ]
    for i in range(24):
        team, assignee = people[i % 3]
        ticket = factories.ticket(
            world.agent,
            subject=f"Report ticket {i}",
            team=team,
            assignee=assignee,
            priority=["low", "normal", "high", "urgent"][i % 4],
        )
        started = now - timedelta(days=1 + i % 20, hours=i)
        if i % 5 == 4:
            timer(
                ticket, FR, started=started, breached=True, fulfilled_minutes=rng.uniform(60, 200)
            )
        else:
            timer(ticket, FR, started=started, met=rng.uniform(3, 55))
        if i % 6 == 5:
            timer(ticket, RES, started=started)  # still open
        elif i % 7 == 3:
            timer(ticket, RES, started=started, breached=True, fulfilled_minutes=3000 + 90 * i)
        else:
            timer(ticket, RES, started=started, met=rng.uniform(100, 2500))


def test_lead_reads_the_sla_report(session_for: Any, world: factories.World) -> None:
    _seed(world)

    # given a team lead, who finds the report in the navigation
    lead = session_for("en-US")
    page = lead.login("lead")
    with page.expect_navigation():
        page.get_by_test_id("nav-reports").click()
    page.wait_for_load_state("networkidle")

    # then the last 30 days are shown by team, with both charts drawn by ECharts
    assert page.get_by_test_id("report-title").inner_text() == "SLA attainment"
    expect(page.get_by_test_id("attainment-row")).to_have_count(2)
    expect(page.locator("#chart-attainment canvas")).to_have_count(1)
    expect(page.locator("#chart-histogram canvas")).to_have_count(1)
    box = page.locator("#chart-histogram").bounding_box()
    assert box is not None
    assert box["height"] >= 300  # the CSS class gives it room (no style attribute)
    assert page.get_by_test_id("kpi-percent").inner_text().endswith("%")

    # when the pointer rests on a bar, the tooltip does not break the CSP
    page.locator("#chart-attainment canvas").hover(position={"x": 120, "y": 200})
    page.wait_for_timeout(300)
    lead.shot("sla-report")

    # when they group by agent for first responses only
    page.select_option("#report-group", "agent")
    page.select_option("#report-target", "first_response")
    with page.expect_navigation():
        page.get_by_test_id("report-submit").click()
    page.wait_for_load_state("networkidle")
    rows = page.get_by_test_id("attainment-row")
    expect(rows).to_have_count(3)
    assert "Agent2" in page.get_by_test_id("attainment-table").inner_text()
    expect(page.locator("#chart-attainment canvas")).to_have_count(1)
    lead.shot("sla-report-by-agent")

    assert lead.csp_errors() == []
    # (the only other error a page may log is the browser's own request for /favicon.ico)
    assert [e for e in lead.console_errors if "404" not in e] == []


def test_agent_has_no_report_link(session_for: Any, world: factories.World) -> None:
    agent = session_for("en-US")
    page = agent.login("agent")

    assert page.get_by_test_id("nav-reports").count() == 0
    response = page.goto("/agent/reports/sla/")
    assert response is not None
    assert response.status == 403
