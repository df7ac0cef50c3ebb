"""Agents, engineers and a team lead work tickets in the agent workspace in a real browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser_support import follow
from zhongtai.tickets import services
from zhongtai.tickets.choices import TicketStatus
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.usefixtures("transactional_db")


def _submit(page: Any, test_id: str) -> None:
    """Click a form's submit button and wait for the page the server sends us to."""
    with page.expect_navigation():
        page.get_by_test_id(test_id).click()
    page.wait_for_load_state("domcontentloaded")


def _timeline(page: Any) -> str:
    return str(page.get_by_test_id("timeline").inner_text())


def _ref(ticket: Ticket) -> str:
    return f"SH-{ticket.number:06d}"


def _seed(world: factories.World) -> dict[str, Ticket]:
    acme = world.customer.membership.user.contacts.get().customer
    tickets = {
        "loud": factories.ticket(
            world.customer, subject="Compressor is loud after the update", type="incident"
        ),
        "jam": factories.ticket(
            world.agent, subject="Label printer jams on every roll", priority="urgent"
        ),
        "dup": factories.ticket(world.customer, subject="Compressor noise (second mail)"),
    }
    for i, subject in enumerate(
        [
            "Invoice for March is missing",
            "How do I reset the controller?",
            "Spare filter order",
            "Chiller shows E42 in the morning",
        ]
    ):
        factories.ticket(
            world.agent,
            subject=subject,
            customer=acme,
            priority=["low", "normal", "high", "normal"][i],
            tags=["billing"] if i == 0 else [],
        )
    return tickets


def test_agent_escalation_child_and_merge_flow(
    session_for: Any, world: factories.World, tmp_path: Path
) -> None:
    tickets = _seed(world)
    loud = tickets["loud"]

    # given an L1 agent who logs in and looks at all open tickets
    agent = session_for("en-US")
    page = agent.login("agent")
    assert page.url.endswith("/agent/")
    follow(page, page.get_by_test_id("queue-open"))
    expect(page.get_by_test_id("ticket-row")).to_have_count(7)

    # when they filter by priority (htmx swaps the rows and pushes the URL)
    page.select_option("#filter-priority", "urgent")
    page.wait_for_url(re.compile(r"priority=urgent"))
    rows = page.get_by_test_id("ticket-row")
    expect(rows).to_have_count(1)  # (no wait_for_function: the CSP forbids eval)
    assert "Label printer jams" in rows.first.inner_text()
    agent.shot("agent-queue-filtered")
    follow(page, page.get_by_role("link", name="Clear"))
    page.fill("#filter-q", "compressor is loud")
    page.press("#filter-q", "Enter")
    expect(rows).to_have_count(1)
    assert "Compressor is loud" in rows.first.inner_text()
    follow(page, page.get_by_role("link", name="All open"))
    agent.shot("agent-queue")

    # when they open a ticket, add an internal note and reply publicly with a file
    follow(page, page.get_by_role("link", name="Compressor is loud after the update"))
    assert page.get_by_test_id("ticket-reference").inner_text() == _ref(loud)
    page.get_by_test_id("kind-note").click()
    page.fill("#reply-body", "Customer is on firmware 2.0; known noise issue?")
    _submit(page, "reply-submit")
    assert "added an internal note" in _timeline(page)
    photo = tmp_path / "noise.txt"
    photo.write_text("spectrum: 3 kHz peak\n", encoding="utf-8")
    page.fill("#reply-body", "Thanks, we are looking into it. Could you send a recording?")
    page.set_input_files("#reply-files", str(photo))
    page.select_option("#reply-then-status", "pending_customer")
    _submit(page, "reply-submit")
    assert "replied to the customer" in _timeline(page)
    assert page.get_by_test_id("attachment-link").inner_text().endswith("noise.txt")
    assert page.get_by_test_id("ticket-status").inner_text() == "Pending customer"

    # when they change priority and tags
    page.select_option("#prop-priority", "high")
    page.fill("#prop-tags", "noise, compressor")
    _submit(page, "properties-submit")
    assert page.get_by_test_id("ticket-priority").inner_text() == "High"
    assert "Normal" in _timeline(page)  # before → after

    # when they escalate to L2 with a reason
    page.get_by_test_id("escalate-action").locator("summary").click()
    page.select_option("#escalate-team", str(world.l2_team.pk))
    page.fill("#escalate-reason", "Noise peak at 3 kHz, needs a service engineer")
    _submit(page, "escalate-submit")
    assert "escalated the ticket to Service engineering" in _timeline(page)
    agent.shot("agent-ticket-detail")

    # then L2 sees it unassigned in their team, takes it and escalates to R&D
    l2 = session_for("en-US")
    page2 = l2.login("l2")
    follow(page2, page2.get_by_test_id("queue-team"))
    expect(page2.get_by_test_id("ticket-row")).to_have_count(1)
    l2.shot("l2-queue-team")
    follow(page2, page2.get_by_role("link", name="Compressor is loud after the update"))
    assert page2.get_by_test_id("kind-reply").count() == 0  # no public reply for L2
    _submit(page2, "take")
    assert page2.get_by_test_id("ticket-engineer").inner_text() == "L2"
    page2.fill("#reply-body", "Bearing wear suspected; asking R&D.")
    _submit(page2, "reply-submit")
    page2.get_by_test_id("escalate-action").locator("summary").click()
    page2.fill("#escalate-reason", "Firmware 2.0 changed the fan curve")
    _submit(page2, "escalate-submit")
    assert page2.get_by_test_id("ticket-tier").inner_text() == "L3 R&D"
    l2.shot("l2-ticket-detail")

    # then L3 hands it back with a reason
    l3 = session_for("en-US")
    page3 = l3.login("l3")
    page3.goto(f"/agent/tickets/{loud.number}/")
    page3.get_by_test_id("handback-action").locator("summary").click()
    page3.fill("#handback-reason", "Fixed in firmware 2.1, please roll out")
    _submit(page3, "handback-submit")
    assert "handed the ticket back to Service engineering" in _timeline(page3)

    # when the agent opens a blocking child ticket, the parent cannot be resolved
    page.reload()
    page.get_by_test_id("child-action").locator("summary").click()
    page.fill("#child-subject", "Roll out firmware 2.1 at Acme")
    page.fill("#child-description", "Field visit to update the controller.")
    _submit(page, "child-submit")
    expect(page.get_by_test_id("child")).to_have_count(1)
    page.select_option("#to-status", "resolved")
    page.get_by_test_id("status-submit").click()
    alert = page.locator("#messages .alert-danger")
    alert.wait_for()
    assert "child ticket" in alert.inner_text()
    assert Ticket.objects.get(pk=loud.pk).status == TicketStatus.PENDING_CUSTOMER
    agent.shot("agent-child-blocks")

    # when the child is resolved, the agent resolves the parent
    follow(page, page.get_by_test_id("child").get_by_role("link"))
    page.select_option("#to-status", "resolved")
    _submit(page, "status-submit")
    follow(page, page.get_by_test_id("parent-link"))
    page.select_option("#to-status", "resolved")
    page.fill("#status-reason", "Firmware 2.1 installed")
    _submit(page, "status-submit")
    assert page.get_by_test_id("ticket-status").inner_text() == "Resolved"

    # when a duplicate is merged into it, the timeline keeps both histories
    page.goto(f"/agent/tickets/{tickets['dup'].number}/")
    page.get_by_test_id("merge-action").locator("summary").click()
    page.fill("#merge-into", _ref(loud))
    page.fill("#merge-reason", "Same compressor")
    _submit(page, "merge-submit")
    assert page.get_by_test_id("ticket-reference").inner_text() == _ref(loud)
    timeline = _timeline(page)
    assert f"merged {_ref(tickets['dup'])} into this ticket" in timeline
    assert f"from {_ref(tickets['dup'])}" in timeline
    agent.shot("agent-ticket-merged")
    for session in (agent, l2, l3):
        assert session.csp_errors() == []


def test_collision_notice_between_two_agents(session_for: Any, world: factories.World) -> None:
    ticket = factories.ticket(world.customer, subject="Display flickers")
    first, second = session_for("en-US"), session_for("en-US")
    page1, page2 = first.login("agent"), second.login("agent2")
    page1.goto(f"/agent/tickets/{ticket.number}/")
    page2.goto(f"/agent/tickets/{ticket.number}/")
    # each sees the other within ~10 s
    page1.get_by_test_id("presence").filter(has_text="Agent2").wait_for(timeout=10_000)
    page2.get_by_test_id("presence").filter(has_text="Agent is").wait_for(timeout=10_000)
    # when the second starts typing a reply, the first sees "replying"
    page2.click("#reply-body")
    page2.keyboard.type("Hello, ")
    page1.get_by_test_id("presence").filter(has_text="Agent2 is replying").wait_for(timeout=10_000)
    first.shot("agent-collision-notice")
    assert first.csp_errors() == []
    assert second.csp_errors() == []


def test_team_lead_bulk_reassigns(session_for: Any, world: factories.World) -> None:
    one = factories.ticket(world.agent, subject="Bulk one")
    two = factories.ticket(world.agent, subject="Bulk two")
    three = factories.ticket(world.agent, subject="Bulk three")
    lead = session_for("en-US")
    page = lead.login("lead")
    follow(page, page.get_by_test_id("queue-team"))
    for number in (one.number, two.number):
        page.check(f"input[name=numbers][value='{number}']")
    page.select_option("#bulk-assignee", str(world.agent2.user.pk))
    lead.shot("lead-bulk-assign")
    _submit(page, "bulk-submit")
    assert "2 tickets were reassigned" in page.locator("#messages").inner_text()
    assert Ticket.objects.get(pk=one.pk).assignee == world.agent2.user
    assert Ticket.objects.get(pk=two.pk).assignee == world.agent2.user
    assert Ticket.objects.get(pk=three.pk).assignee is None
    # the agent sees no bulk bar
    agent = session_for("en-US")
    agent_page = agent.login("agent")
    assert agent_page.get_by_test_id("bulk-form").count() == 0
    assert lead.csp_errors() == []


def test_workspace_renders_in_chinese(session_for: Any, world: factories.World) -> None:
    tickets = _seed(world)
    services.ticket_reply(actor=world.agent, ticket=tickets["loud"], body="我们正在处理。")
    session = session_for("zh-CN")
    page = session.login("agent")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    follow(page, page.get_by_test_id("queue-open"))
    expect(page.get_by_test_id("ticket-row")).to_have_count(7)
    overflow = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    assert not page.evaluate(overflow)
    session.shot("agent-queue-zh")
    page.goto(f"/agent/tickets/{tickets['loud'].number}/")
    assert "我们正在处理。" in _timeline(page)
    assert not page.evaluate(overflow)
    session.shot("agent-ticket-detail-zh")
    assert session.csp_errors() == []
