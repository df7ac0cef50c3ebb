"""A customer contact uses the portal in a real browser: submit, read answers, reply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import factories
from tests.browser_support import follow
from zhongtai.tickets import services
from zhongtai.tickets.choices import TicketStatus
from zhongtai.tickets.models import Ticket


def _submit_request(page: Any, session: Any, tmp_path: Path) -> Ticket:
    log = tmp_path / "controller.txt"
    log.write_text("E42 at 09:14\n", encoding="utf-8")
    follow(page, page.get_by_test_id("new-request"))
    follow(page, page.get_by_role("button", name="Submit request"))  # empty: errors, nothing stored
    assert page.get_by_test_id("error-subject").is_visible()
    assert not Ticket.objects.exists()
    session.shot("portal-new-errors")
    page.fill("#id_subject", "Chiller shows E42")
    page.select_option("#id_type", "incident")
    page.fill("#id_description", "The chiller in hall 3 stops with E42 every morning.")
    page.set_input_files("#id_attachments", str(log))
    session.shot("portal-new")
    follow(page, page.get_by_role("button", name="Submit request"))
    return Ticket.objects.get(subject="Chiller shows E42")


@pytest.mark.usefixtures("transactional_db")
def test_customer_portal_flow(session_for: Any, world: factories.World, tmp_path: Path) -> None:
    # given a customer contact who logs in
    session = session_for("en-US")
    page = session.login("customer")
    assert page.url.endswith("/portal/")

    # when they submit a request with a file
    ticket = _submit_request(page, session, tmp_path)

    # then they land on it, and it is in their list
    assert page.get_by_test_id("subject").inner_text() == "Chiller shows E42"
    assert "controller.txt" in page.get_by_test_id("files").inner_text()
    assert ticket.attachments.get().filename == "controller.txt"
    follow(page, page.get_by_role("link", name="My requests").first)
    assert "Chiller shows E42" in page.get_by_test_id("request-row").first.inner_text()
    session.shot("portal-list")

    # when an agent answers publicly and writes an internal note
    services.ticket_reply(actor=world.agent, ticket=ticket, body="Please check the fuse F2.")
    services.ticket_reply(
        actor=world.agent, ticket=ticket, body="Internal: known firmware bug", public=False
    )
    follow(page, page.get_by_role("link", name="Chiller shows E42"))
    conversation = page.get_by_test_id("conversation").inner_text()
    assert "Please check the fuse F2." in conversation
    assert "Internal: known firmware bug" not in page.content()

    # when the customer replies
    page.fill("#id_body", "Fuse F2 was fine.")
    follow(page, page.get_by_role("button", name="Send reply"))
    assert "Fuse F2 was fine." in page.get_by_test_id("conversation").inner_text()
    session.shot("portal-ticket")

    # when the agent solves it and the customer replies again, it reopens
    services.ticket_transition(actor=world.agent, ticket=ticket, to_status=TicketStatus.RESOLVED)
    page.reload()
    assert page.get_by_test_id("status").inner_text() == "Solved"
    page.fill("#id_body", "It came back this morning.")
    follow(page, page.get_by_role("button", name="Reply and reopen"))
    assert page.get_by_test_id("status").inner_text() == "Open"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert session.csp_errors() == []


@pytest.mark.usefixtures("transactional_db")
def test_customer_portal_in_chinese(session_for: Any, world: factories.World) -> None:
    ticket = factories.ticket(world.customer, subject="冷水机报警 E42")
    services.ticket_reply(actor=world.agent, ticket=ticket, body="请检查保险丝 F2。")
    session = session_for("zh-CN")
    page = session.login("customer")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "冷水机报警 E42" in page.get_by_test_id("request-row").first.inner_text()
    session.shot("portal-list-zh")
    follow(page, page.get_by_role("link", name="冷水机报警 E42"))
    assert "请检查保险丝 F2。" in page.get_by_test_id("conversation").inner_text()
    session.shot("portal-ticket-zh")
    page.goto("/portal/new/")
    session.shot("portal-new-zh")
    assert session.csp_errors() == []
