"""Routing in a real browser: an administrator writes and tries a rule; an agent triages a
ticket the classifier was not sure about with one click."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser_support import follow
from tests.routing import corpus
from zhongtai.routing import services
from zhongtai.routing.models import RoutingRule, RoutingSettings
from zhongtai.tickets.models import Category

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_admin_writes_tries_and_saves_a_rule(session_for: Any, world: factories.World) -> None:
    factories.ticket(world.customer, subject="Compressor trips on high pressure")
    factories.ticket(world.customer, subject="Invoice question")
    admin = session_for("en-US")
    page = admin.login("admin")
    follow(page, page.get_by_test_id("nav-routing"))
    follow(page, page.get_by_test_id("rule-new"))
    page.fill("#id_name", "Compressors to L2")
    page.fill("#id_keywords", "compressor, 压缩机")
    page.select_option("#id_set_team", str(world.l2_team.pk))
    page.select_option("#id_set_priority", "high")
    follow(page, page.get_by_test_id("rule-try"))
    expect(page.get_by_test_id("dry-run-result")).to_contain_text("1 of the 2 tickets")
    admin.shot("routing-rule-form")
    follow(page, page.get_by_test_id("rule-save"))
    expect(page.get_by_test_id("rule-row")).to_have_count(1)
    admin.shot("routing-rules")
    rule = RoutingRule.objects.get(tenant=world.tenant)
    assert (rule.set_team, rule.set_priority) == (world.l2_team, "high")
    assert admin.csp_errors() == []


def test_agent_triages_with_one_click(session_for: Any, world: factories.World) -> None:
    for name in ("refrigeration", "billing", "access"):
        Category.objects.create(tenant=world.tenant, name=name)
    model = services.classifier_version_new(tenant=world.tenant, target="category", source="file")
    services.classifier_run(model=model, examples=corpus.examples(per_label=30))
    RoutingSettings.objects.create(tenant=world.tenant, confidence_threshold=0.99)
    ticket = factories.ticket(world.customer, subject="账号被锁定，无法登录", description="急")

    agent = session_for("zh-CN")
    page = agent.login("agent")
    page.goto("/agent/?queue=triage")
    expect(page.get_by_test_id("ticket-row")).to_have_count(1)
    follow(page, page.get_by_test_id("ticket-row").first.locator("a").first)
    expect(page.get_by_test_id("triage-card")).to_be_visible()
    agent.shot("routing-triage-zh")
    follow(page, page.get_by_test_id("triage-pick").first)
    ticket.refresh_from_db()
    assert ticket.category is not None
    assert not ticket.needs_triage
    assert page.get_by_test_id("triage-card").count() == 0
    assert agent.csp_errors() == []


def test_admin_opens_the_classifier_page_in_chinese(
    session_for: Any, world: factories.World
) -> None:
    model = services.classifier_version_new(tenant=world.tenant, target="category", source="file")
    services.classifier_run(model=model, examples=corpus.examples(per_label=20))
    admin = session_for("zh-CN")
    page = admin.login("admin")
    page.goto("/agent/routing/rules/")
    follow(page, page.get_by_test_id("classifier-link"))
    expect(page.get_by_test_id("classifier-title")).to_have_text("工单分类器")
    expect(page.get_by_test_id("classifier-version")).to_have_count(1)
    page.fill("#confidence-threshold", "0.7")
    follow(page, page.get_by_test_id("classifier-settings-save"))
    assert RoutingSettings.objects.get(tenant=world.tenant).confidence_threshold == 0.7
    admin.shot("routing-classifier-zh")
    assert admin.csp_errors() == []
