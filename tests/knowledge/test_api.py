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


def test_knowledge_in_the_ticket_over_the_api(world: World, api_for: Any) -> None:
    from tests import factories
    from tests.support import problem
    from zhongtai.tickets import services as ticket_services

    l2, agent = api_for(world.l2), api_for(world.agent)
    article = l2.post(
        "/knowledge/articles", {**BODY, "visibility": "customers", "publish": True}
    ).json()
    ticket = factories.ticket(world.agent, subject="Reset the printer please")

    found = agent.get(f"/knowledge/tickets/{ticket.number}/suggestions").json()
    assert [(s["id"], s["used"], s["vote"]) for s in found] == [(article["id"], False, None)]
    used = agent.post(f"/knowledge/tickets/{ticket.number}/uses", {"article_id": article["id"]})
    assert used.status_code == 204
    voted = agent.post(
        f"/knowledge/tickets/{ticket.number}/votes", {"article_id": article["id"], "helpful": True}
    )
    assert voted.status_code == 204
    again = agent.get(f"/knowledge/tickets/{ticket.number}/suggestions").json()
    assert (again[0]["used"], again[0]["vote"]) == (True, True)
    assert agent.get(f"/knowledge/articles/{article['id']}").json()["use_count"] == 1

    # wrong input, unknown article, another unit, an open ticket for a case
    problem(agent.post(f"/knowledge/tickets/{ticket.number}/uses", {"article_id": "x"}), 422)
    problem(agent.post(f"/knowledge/tickets/{ticket.number}/uses", {"article_id": 10**9}), 404)
    problem(agent.post(f"/knowledge/tickets/{ticket.number}/votes", {"article_id": 1}), 422)
    problem(api_for(world.other_agent).get(f"/knowledge/tickets/{ticket.number}/suggestions"), 404)
    problem(agent.post(f"/knowledge/tickets/{ticket.number}/case"), 409)

    ticket_services.ticket_assign(actor=world.agent, ticket=ticket, assignee=world.agent.user)
    ticket.refresh_from_db()
    ticket_services.ticket_transition(
        actor=world.agent, ticket=ticket, to_status="resolved", reason="Held the power key"
    )
    case = agent.post(f"/knowledge/tickets/{ticket.number}/case")
    assert case.status_code == 201, case.content
    assert (case.json()["kind"], case.json()["status"]) == ("case", "draft")
    assert case.json()["solution"] == "Held the power key"
    problem(agent.post(f"/knowledge/tickets/{ticket.number}/case"), 409)


def test_a_case_over_the_api_needs_its_parts(world: World, api_for: Any) -> None:
    from tests.support import problem

    agent = api_for(world.agent)
    missing = agent.post(
        "/knowledge/articles", {"title": "Noise", "kind": "case", "problem": "Hum"}
    )
    assert [e["field"] for e in problem(missing, 422)["errors"]] == ["solution"]
    made = agent.post(
        "/knowledge/articles",
        {"title": "Noise", "kind": "case", "problem": "Hum", "solution": "Tighten the fan."},
    ).json()
    assert made["body"].startswith("## Problem")
    problem(agent.post("/knowledge/articles", {**BODY, "kind": "recipe"}), 422)
    problem(agent.post("/knowledge/articles", {**BODY, "kind": "case", "asset_id": 10**9}), 422)
