"""The knowledge pages: who may open them, the editor's errors, the review buttons, and
other units' articles (404)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import World
from zhongtai.knowledge import services
from zhongtai.knowledge.models import Article

pytestmark = pytest.mark.django_db


def _client(actor: object) -> Client:
    client = Client()
    client.force_login(actor.user)  # type: ignore[attr-defined]
    return client


def _article(world: World, **kw: object) -> Article:
    data = services.ArticleInput(title="Reset the printer", body="Hold **power**.")
    return services.article_create(actor=world.agent, data=data, **kw)  # type: ignore[arg-type]


def test_the_list_searches_and_shows_every_status(world: World) -> None:
    draft = _article(world)
    client = _client(world.agent)

    listed = client.get("/agent/knowledge/")
    searched = client.get("/agent/knowledge/", {"q": "printer"})

    assert listed.status_code == 200
    assert draft.title in listed.content.decode()
    assert "kb-no-hits" in searched.content.decode()  # drafts are not searched


def test_the_editor_refuses_bad_input_and_saves_a_version(world: World) -> None:
    client = _client(world.agent)
    bad = client.post("/agent/knowledge/new/", {"title": "", "body": "x"})
    assert bad.status_code == 422
    assert not Article.objects.exists()

    good = client.post(
        "/agent/knowledge/new/",
        {"title": "Reset", "body": "Hold power.", "language": "en", "visibility": "internal",
         "tags": "printer，reset"},
    )  # fmt: skip

    article = Article.objects.get()
    assert good.status_code == 302
    assert article.tags == ["printer", "reset"]


def test_review_buttons_follow_the_role(world: World) -> None:
    article = _article(world)
    page = _client(world.agent).get(f"/agent/knowledge/{article.pk}/").content.decode()
    assert "article-to-in_review" in page
    assert "article-to-published" not in page

    refused = _client(world.agent).post(
        f"/agent/knowledge/{article.pk}/transition/", {"to_status": "published"}
    )
    assert refused.status_code == 302
    article.refresh_from_db()
    assert article.status == "draft"
    published = _client(world.l2).post(
        f"/agent/knowledge/{article.pk}/transition/", {"to_status": "published"}
    )
    assert published.status_code == 302
    article.refresh_from_db()
    assert article.status == "published"


def test_customers_and_other_units_find_no_workspace_page(world: World) -> None:
    article = _article(world)
    assert _client(world.customer).get("/agent/knowledge/").status_code == 404
    for path in ("", "edit/", "diff/?from=1&to=1"):
        url = f"/agent/knowledge/{article.pk}/{path}"
        assert _client(world.other_agent).get(url).status_code == 404
