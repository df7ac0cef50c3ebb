"""Knowledge where the work happens, in a real browser: the ticket page suggests an
article, the agent inserts it into the reply in one click and votes; a resolved ticket
becomes a case; a customer sees articles while typing a request's subject, reads one,
and asks the chat widget, which answers with the source or hands over to a person."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories
from tests.browser_support import follow
from zhongtai.knowledge import services
from zhongtai.knowledge.models import Article, ArticleTicket, BotConversation
from zhongtai.tickets import services as ticket_services

pytestmark = pytest.mark.usefixtures("transactional_db")


def _publish(world: factories.World, title: str, body: str, visibility: str, **kw: Any) -> int:
    data = services.ArticleInput(title=title, body=body, visibility=visibility, **kw)
    return services.article_create(actor=world.l2, data=data, publish=True).pk


def test_agent_inserts_a_suggestion_and_makes_a_case(
    session_for: Any, world: factories.World
) -> None:
    reset = _publish(
        world,
        "变频器报警 E07 的处理",
        "## 原因\n\n电机过电流。\n\n## 处理\n\n1. 检查电机接线\n2. 复位变频器",
        "public",
        language="zh-hans",
    )
    ticket = factories.ticket(
        world.customer, subject="变频器报警 E07", description="早上开机就报 E07，电机不转。"
    )
    agent = session_for("zh-CN")
    page = agent.login("agent")
    page.goto(reverse("tickets:ticket_detail", args=[ticket.number]))

    panel = page.get_by_test_id("knowledge-panel")
    expect(panel.get_by_test_id("suggestion")).to_have_count(1)
    expect(panel.get_by_test_id("suggestion-title")).to_have_text("变频器报警 E07 的处理")
    expect(panel.locator("mark").first).to_be_visible()
    with page.expect_response(lambda r: "/use/" in r.url):
        panel.get_by_test_id("suggestion-insert").click()
    expect(page.locator("#reply-body")).to_have_value(
        re.compile(r"检查电机接线[\s\S]*/help/sh/\d+/")
    )
    panel.get_by_test_id("suggestion-helpful").click()
    expect(page.get_by_test_id("suggestion-helpful")).to_have_class(re.compile("btn-success"))
    agent.shot("knowledge-ticket-panel-zh")
    assert ArticleTicket.objects.filter(article_id=reset, relation="used").count() == 1

    follow(page, page.get_by_test_id("reply-submit"))
    ticket.refresh_from_db()
    ticket_services.ticket_transition(actor=world.agent, ticket=ticket, to_status="resolved")
    page.goto(reverse("tickets:ticket_detail", args=[ticket.number]))
    follow(page, page.get_by_test_id("make-case"))
    expect(page.get_by_test_id("article-heading")).to_contain_text("变频器报警 E07")
    expect(page.get_by_test_id("article-body")).to_contain_text("检查电机接线")
    expect(page.get_by_test_id("article-status")).to_have_text("草稿")
    agent.shot("knowledge-case-from-ticket-zh")
    assert Article.objects.filter(kind="case").count() == 1
    assert not agent.csp_errors()


def test_customer_finds_an_article_while_typing_and_asks_the_bot(
    session_for: Any, world: factories.World
) -> None:
    _publish(world, "Reset the printer", "Hold the **power** key for ten seconds.", "public")
    _publish(world, "Printer service PIN", "Engineers use PIN 4711.", "internal")
    customer = session_for("en-US")
    page = customer.login("customer")
    page.goto(reverse("portal:ticket_create"))

    page.get_by_label("Subject").press_sequentially("reset the prin", delay=20)
    suggestions = page.get_by_test_id("help-suggestions")
    expect(suggestions.get_by_test_id("help-suggestion")).to_have_count(1)
    expect(suggestions).to_contain_text("Reset the printer")
    expect(suggestions).not_to_contain_text("PIN")
    customer.shot("help-typeahead")

    page.goto(reverse("help:home"))
    page.fill("#help-q", "printer")
    follow(page, page.get_by_role("button", name="Search"))
    expect(page.get_by_test_id("help-hit")).to_have_count(1)
    follow(page, page.get_by_test_id("help-hit").get_by_role("link"))
    expect(page.get_by_test_id("help-article-body").locator("strong")).to_have_text("power")
    follow(page, page.get_by_test_id("help-yes"))
    expect(page.get_by_test_id("help-voted")).to_be_visible()

    page.get_by_test_id("bot-open").click()
    page.get_by_test_id("bot-input").fill("How do I reset the printer?")
    page.get_by_test_id("bot-send").click()
    expect(page.get_by_test_id("bot-source")).to_have_text("Reset the printer")
    expect(page.get_by_test_id("bot-bot").last).to_contain_text("Hold the power key")
    page.get_by_test_id("bot-rate-1").click()
    customer.shot("bot-answer")
    page.get_by_test_id("bot-person").click()
    expect(page.get_by_test_id("bot-ticket")).to_be_visible()
    customer.shot("bot-handed-off")
    conversation = BotConversation.objects.get()
    assert conversation.outcome == "handed_off"
    assert conversation.ticket is not None
    assert "Hold the power key" in conversation.ticket.description
    assert not customer.csp_errors()
