"""/me, API tokens, teams, agents and categories through /api/v1."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories
from zhongtai.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_me_describes_the_token_owner(world: factories.World, api_for: Any) -> None:
    response = api_for(world.lead).get("/me")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "lead"
    assert body["role"] == "lead"
    assert body["tenant"]["slug"] == "sh"
    assert "tickets.bulk_assign" in body["permissions"]


def test_token_secret_is_shown_once_and_revoking_locks_it_out(
    world: factories.World, api_for: Any
) -> None:
    api = api_for(world.agent)

    created = api.post("/tokens", {"name": "CRM sync"})
    secret = created.json()["token"]
    listed = api.get("/tokens")
    crm = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    works = crm.get("/api/v1/me")
    revoked = api.delete(f"/tokens/{created.json()['id']}")
    after = crm.get("/api/v1/me")

    assert created.status_code == 201
    assert secret.startswith("zt_")
    assert created.json()["prefix"] == secret[:10]
    assert listed.status_code == 200
    assert secret not in listed.content.decode()
    assert all("token" not in item for item in listed.json())
    assert {item["name"] for item in listed.json()} == {"tests", "CRM sync"}
    assert works.status_code == 200
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert after.status_code == 401
    assert after["Content-Type"].startswith("application/problem+json")
    assert after.json()["code"] == "unauthenticated"


def test_the_secret_is_stored_only_as_a_hash(world: factories.World, api_for: Any) -> None:
    secret = api_for(world.agent).post("/tokens", {"name": "x"}).json()["token"]

    stored = ApiToken.objects.get(name="x")

    assert secret not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64


def test_someone_elses_token_cannot_be_revoked(world: factories.World, api_for: Any) -> None:
    theirs = api_for(world.agent2)
    token_id = theirs.post("/tokens", {"name": "theirs"}).json()["id"]

    response = api_for(world.agent).delete(f"/tokens/{token_id}")

    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token_id).revoked_at is None
    assert theirs.get("/me").status_code == 200


def test_token_name_is_validated(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)

    blank = api.post("/tokens", {"name": "   "})
    long = api.post("/tokens", {"name": "x" * 81})
    extra = api.post("/tokens", {"name": "ok", "scopes": ["all"]})

    assert [blank.status_code, long.status_code, extra.status_code] == [422, 422, 422]
    assert blank.json()["errors"][0]["field"] == "name"
    assert extra.json()["errors"][0]["field"] == "scopes"
    assert ApiToken.objects.count() == 1


def test_teams_agents_and_categories(world: factories.World, api_for: Any) -> None:
    factories.category(world.tenant, "Printers")
    factories.category(world.other_tenant, "Theirs")
    api = api_for(world.agent)

    teams = api.get("/teams").json()
    agents = api.get("/agents").json()
    categories = api.get("/categories").json()

    assert {(t["name"], t["tier"]) for t in teams} == {
        ("Frontline", "l1"),
        ("Service engineering", "l2"),
        ("R&D", "l3"),
    }
    frontline = next(t for t in teams if t["name"] == "Frontline")
    assert world.agent.user.pk in frontline["member_ids"]
    assert {a["username"] for a in agents} == {"agent", "agent2", "lead", "l2", "l3", "admin"}
    assert [c["name"] for c in categories] == ["Printers"]


def test_a_customer_gets_no_staff_directory(world: factories.World, api_for: Any) -> None:
    api = api_for(world.customer)

    assert api.get("/teams").status_code == 403
    assert api.get("/agents").status_code == 403
    assert api.get("/me").json()["role"] == "customer"


def test_the_other_tenant_sees_only_its_own(world: factories.World, api_for: Any) -> None:
    api = api_for(world.other_agent)

    assert [t["name"] for t in api.get("/teams").json()] == ["Other frontline"]
    assert [a["username"] for a in api.get("/agents").json()] == ["other_agent"]
    assert api.get("/categories").json() == []
