"""Channels in a real browser: an administrator opens the unit's mailboxes from the
navigation, sees a quarantined mail with its reason, and the mail that became a ticket."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.channels.test_mail_html import _html_mail
from zhongtai.channels.mail.intake import mail_intake
from zhongtai.channels.models import Mailbox

pytestmark = pytest.mark.usefixtures("transactional_db")

MAIL = (
    b"From: Li Wei <li.wei@acme.example>\r\nTo: support@sh.example\r\n"
    b"Subject: Printer jams\r\nMessage-ID: <b1@acme.example>\r\n\r\nIt jams on tray 2.\r\n"
)


def test_an_administrator_reads_the_mailbox_and_its_quarantine(
    session_for: Any, world: factories.World
) -> None:
    mailbox = Mailbox.objects.create(
        tenant=world.tenant, name="Support", address="support@sh.example", team=world.l1_team
    )
    mail_intake(mailbox=mailbox, raw=MAIL, source="relay")
    mail_intake(mailbox=mailbox, raw=b"\x00\x01 not a mail", source="relay")
    Mailbox.objects.filter(pk=mailbox.pk).update(last_error="Login failed (wrong password)")
    admin = session_for("zh-CN")
    page = admin.login("admin")

    page.get_by_test_id("nav-channels").click()
    expect(page.get_by_test_id("mailbox-row")).to_have_count(1)
    expect(page.get_by_test_id("mailbox-error")).to_contain_text("Login failed")
    page.get_by_test_id("mailbox-row").get_by_role("link").first.click()

    expect(page.get_by_test_id("inbound-row")).to_have_count(2)
    expect(page.get_by_test_id("inbound-reason")).to_be_visible()
    expect(page.get_by_test_id("inbound-again")).to_have_count(1)
    expect(page.get_by_test_id("channel-tabs")).to_be_visible()
    admin.shot("mailbox-zh")


def test_an_agent_reads_a_mail_as_it_was_formatted_with_its_photo(
    session_for: Any, world: factories.World
) -> None:
    mailbox = Mailbox.objects.create(
        tenant=world.tenant, name="Support", address="support@sh.example", team=world.l1_team
    )
    ticket = mail_intake(mailbox=mailbox, raw=_html_mail(), source="relay").ticket
    assert ticket is not None
    agent = session_for("en-US")
    page = agent.login("agent")

    page.goto(f"/agent/tickets/{ticket.number}/")
    thumbnail = page.get_by_test_id("attachment-picture")
    expect(thumbnail).to_be_visible()
    formatted = page.get_by_test_id("mail-html")
    formatted.locator("summary").click()
    photo = formatted.get_by_role("img", name="tray")
    expect(photo).to_be_visible()
    # the picture came from our server and was drawn (a broken image has no natural width)
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 1
    assert thumbnail.evaluate("img => img.naturalWidth") == 1
    expect(formatted.locator("b")).to_have_text("this")
    assert agent.csp_errors() == []
    agent.shot("mail-formatted-en")
