"""Agents see SLA countdowns in a real browser: the queue, "breaching soon", the ticket panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.browser_support import follow
from zhongtai.sla import sweep
from zhongtai.sla.models import BusinessCalendar, SlaPolicy, SlaTimer
from zhongtai.tickets import services

pytestmark = pytest.mark.usefixtures("transactional_db")


def _scene(world: factories.World) -> dict[str, Any]:
    always = BusinessCalendar.objects.create(
        tenant=world.tenant, name="24×7", always_open=True, holiday_source=""
    )
    SlaPolicy.objects.create(
        tenant=world.tenant,
        name="VIP outage",
        position=1,
        priorities=["urgent"],
        calendar=always,
        first_response_minutes=30,
        resolution_minutes=240,
        warn_at_percent=[75, 90],
    )
    SlaPolicy.objects.create(
        tenant=world.tenant,
        name="Standard support",
        position=2,
        calendar=always,
        first_response_minutes=240,
        next_response_minutes=480,
        resolution_minutes=2400,
        warn_at_percent=[75],
    )
    calm = factories.ticket(world.customer, subject="Question about the manual")
    urgent = factories.ticket(world.agent, subject="Line 3 stopped", priority="urgent")
    late = factories.ticket(world.agent, subject="Chiller alarm since yesterday")
    # the late one started five hours ago: its first response is overdue
    started = timezone.now() - timedelta(hours=5)
    type(late).objects.filter(pk=late.pk).update(created_at=started)
    for timer in SlaTimer.objects.filter(ticket=late):
        timer.started_at = started
        timer.due_at = started + timedelta(minutes=timer.target_minutes)
        timer.next_check_at = timer.due_at
        timer.save()
    sweep.sla_sweep()
    waiting = factories.ticket(world.customer, subject="Waiting for the serial number")
    services.ticket_reply(
        actor=world.agent,
        ticket=waiting,
        body="Please send the serial number.",
        then_status="pending_customer",
    )
    return {"calm": calm, "urgent": urgent, "late": late, "waiting": waiting}


def test_agent_sees_countdowns_and_the_breaching_soon_queue(
    session_for: Any, world: factories.World
) -> None:
    tickets = _scene(world)
    session = session_for("en-US")
    page = session.login("agent")
    follow(page, page.get_by_test_id("queue-open"))
    rows = page.get_by_test_id("ticket-row")
    expect(rows).to_have_count(4)
    late_row = rows.filter(has_text="Chiller alarm since yesterday")
    expect(late_row.get_by_test_id("sla-badge")).to_contain_text("Overdue")
    urgent_row = rows.filter(has_text="Line 3 stopped")
    expect(urgent_row.get_by_test_id("sla-badge")).to_contain_text("min left")
    session.shot("sla-queue")

    # "breaching soon": overdue first, then by time left; a paused ticket is not there
    follow(page, page.get_by_test_id("queue-breaching"))
    expect(rows).to_have_count(3)
    subjects = [rows.nth(i).locator(".zt-subject-link").inner_text() for i in range(3)]
    assert subjects == [
        "Chiller alarm since yesterday",
        "Line 3 stopped",
        "Question about the manual",
    ]
    session.shot("sla-breaching-soon")

    # the ticket page: every clock, and the timeline tells the breach
    follow(page, late_row.locator(".zt-subject-link"))
    panel = page.get_by_test_id("sla-panel")
    expect(panel).to_contain_text("Standard support")
    expect(panel.get_by_test_id("sla-clock")).to_have_count(2)
    expect(panel).to_contain_text("Overdue")
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "the first response target was breached" in timeline
    session.shot("sla-ticket-panel")

    # a public reply meets… late: the panel says so
    page.fill("#reply-body", "Sorry for the wait, a technician is on the way.")
    with page.expect_navigation():
        page.get_by_test_id("reply-submit").click()
    expect(page.get_by_test_id("sla-panel")).to_contain_text("Late")
    assert tickets["waiting"].pk
    assert session.csp_errors() == []


def test_customer_reads_the_commitments_in_chinese(
    session_for: Any, world: factories.World
) -> None:
    _scene(world)
    session = session_for("zh-CN")
    page = session.login("customer")
    follow(page, page.get_by_test_id("nav-commitments"))
    expect(page.locator("main")).to_contain_text("Standard support")
    session.shot("sla-portal-commitments-zh")
    assert session.csp_errors() == []
