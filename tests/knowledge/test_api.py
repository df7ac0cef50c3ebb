"""The knowledge API: the review flow end to end, bad input, roles and other units."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import World
from zhongtai.knowledge.models import Article

pytestmark = pytest.mark.django_db

BODY = {"title": "Reset the printer", "body": "Hold <script>x()</script> the **power** key."}


def test_write_review_publish_and_read_as_a_customer(world: World, api_for: Any) -> None:
    agent, l2, customer = api_for(world.agent), api_for(world.l2), api_for(world.customer)

    created = agent.post("/knowledge/articles", {**BODY, "visibility": "customers"})
    assert created.status_code == 201, created.content
    article = created.json()
    assert article["status"] == "draft"
    assert "<script" not in article["html"]
    assert "<strong>power</strong>" in article["html"]
    assert article["next_statuses"] == ["in_review"]
    path = f"/knowledge/articles/{article['id']}"
    assert customer.get(path).status_code == 404

    assert agent.post(f"{path}/transition", {"to_status": "published"}).status_code == 403
    assert agent.post(f"{path}/transition", {"to_status": "in_review"}).status_code == 200
    published = l2.post(f"{path}/transition", {"to_status": "published"})
    assert published.json()["published_version"] == 1

    assert customer.get(path).json()["title"] == "Reset the printer"
    hits = customer.get("/knowledge/search", q="printer power").json()
    assert [hit["id"] for hit in hits] == [article["id"]]
    assert "<mark>" in hits[0]["snippet"]
    assert customer.post(f"{path}/feedback", {"helpful": True}).status_code == 204
    assert customer.get(f"{path}/versions").status_code == 404


def test_versions_and_diff(world: World, api_for: Any) -> None:
    agent = api_for(world.agent)
    article = agent.post("/knowledge/articles", BODY).json()
    path = f"/knowledge/articles/{article['id']}"
    assert (
        agent.put(path, {**BODY, "title": "Reset any printer", "note": "Wider"}).status_code == 200
    )

    versions = agent.get(f"{path}/versions").json()
    diff = agent.get(f"{path}/diff", **{"from": 1, "to": 2}).json()

    assert [v["number"] for v in versions] == [2, 1]
    assert diff["fields"] == {"title": ["Reset the printer", "Reset any printer"]}
    assert agent.get(f"{path}/diff", **{"from": 1, "to": 9}).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x"},
        {**BODY, "visibility": "everyone"},
        {**BODY, "language": "fr"},
        {**BODY, "unknown": 1},
        {**BODY, "title": "a\x00b"},
        {**BODY, "tags": ["t"] * 21},
        {**BODY, "category_id": 0},
        {**BODY, "body": "lone \ud800 surrogate"},
    ],
)
def test_bad_articles_get_422_and_store_nothing(world: World, api_for: Any, body: Any) -> None:
    response = api_for(world.agent).post("/knowledge/articles", body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Article.objects.exists()


def test_other_categories_and_bad_transitions(world: World, api_for: Any) -> None:
    agent, other = api_for(world.agent), api_for(world.other_agent)
    article = agent.post("/knowledge/articles", BODY).json()
    path = f"/knowledge/articles/{article['id']}"

    assert agent.post(f"{path}/transition", {"to_status": "archived"}).status_code == 403
    assert agent.post(f"{path}/transition", {"to_status": "draft"}).status_code == 409
    assert agent.post(f"{path}/transition", {"to_status": "gone"}).status_code == 422
    assert other.get(path).status_code == 404
    assert other.put(path, BODY).status_code == 404
    assert other.get("/knowledge/search", q="printer").json() == []
    assert agent.get("/knowledge/search", q="").status_code == 422


def test_settings_are_for_the_units_standards_owners(world: World, api_for: Any) -> None:
    body = {"publisher_roles": ["lead"], "bot_threshold": 0.8}
    assert api_for(world.agent).put("/knowledge/settings", body).status_code == 403
    assert api_for(world.admin).put("/knowledge/settings", body).status_code == 200
    assert api_for(world.agent).get("/knowledge/settings").json() == body
    bad = api_for(world.admin).put("/knowledge/settings", {**body, "bot_threshold": 2})
    assert bad.status_code == 422
