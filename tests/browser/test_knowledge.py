"""The knowledge base in a real browser: an agent writes an article in Chinese and sends it
for review; an L2 engineer finds it, publishes it, and sees it in search; a later edit
shows its changes as a diff."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser_support import follow
from zhongtai.knowledge.models import Article

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_write_review_publish_search_and_diff(session_for: Any, world: factories.World) -> None:
    agent = session_for("zh-CN")
    page = agent.login("agent")
    follow(page, page.get_by_test_id("nav-knowledge"))
    expect(page.get_by_test_id("kb-title")).to_have_text("知识库")
    follow(page, page.get_by_test_id("kb-new"))
    page.fill("#id_title", "变频器报警 E07 的处理")
    page.fill(
        "#id_body",
        "## 原因\n\n电机**过电流**。\n\n## 处理\n\n1. 检查电机接线\n2. 复位变频器\n\n"
        "<script>alert(1)</script>",
    )
    page.select_option("#id_visibility", "customers")
    page.fill("#id_tags", "变频器，报警")
    follow(page, page.get_by_test_id("article-save"))
    expect(page.get_by_test_id("article-status")).to_have_text("草稿")
    expect(page.get_by_test_id("article-body").locator("strong")).to_have_text("过电流")
    expect(page.get_by_test_id("article-body").locator("script")).to_have_count(0)
    expect(page.get_by_test_id("article-to-published")).to_have_count(0)
    follow(page, page.get_by_test_id("article-to-in_review"))
    expect(page.get_by_test_id("article-status")).to_have_text("审核中")
    agent.shot("knowledge-article-zh")

    l2 = session_for("en-US")
    page = l2.login("l2")
    follow(page, page.get_by_test_id("nav-knowledge"))
    expect(page.get_by_test_id("kb-row")).to_have_count(1)
    follow(page, page.get_by_test_id("kb-row").get_by_role("link"))
    follow(page, page.get_by_test_id("article-to-published"))
    expect(page.get_by_test_id("article-status")).to_have_text("Published")
    follow(page, page.get_by_test_id("article-edit"))
    page.fill("#id_body", "## 原因\n\n电机过电流或短路。")
    page.fill("#id_note", "Add short circuit")
    follow(page, page.get_by_test_id("article-save"))
    follow(page, page.get_by_test_id("version-diff").first)
    expect(page.get_by_test_id("diff-body")).to_contain_text("短路")
    l2.shot("knowledge-diff")
    follow(page, page.get_by_test_id("nav-knowledge"))
    page.fill("[data-testid=kb-q]", "变频器过电流怎么办")
    follow(page, page.get_by_role("button", name="Search"))
    expect(page.get_by_test_id("kb-hit")).to_have_count(1)
    expect(page.get_by_test_id("kb-hit").locator("mark").first).to_be_visible()
    l2.shot("knowledge-search")
    article = Article.objects.get(tenant=world.tenant)
    assert (article.status, article.version, article.published_version) == ("published", 2, 2)
    assert agent.csp_errors() == l2.csp_errors() == []
