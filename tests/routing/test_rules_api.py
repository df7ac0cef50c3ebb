"""/api/v1/routing/rules: happy paths, roles, other units, bad input (nothing stored)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.support import problem as _problem
from zhongtai.routing.models import RoutingRule

pytestmark = pytest.mark.django_db

BODY = {"name": "Compressors", "keywords": ["compressor", "压缩机"], "set_priority": "high"}


def test_admin_writes_rules_and_staff_read_them(world, api_for):
    admin = api_for(world.admin)
    created = admin.post("/routing/rules", {**BODY, "set_team_id": world.l2_team.pk})
    assert created.status_code == 201, created.content
    rule = created.json()
    assert (rule["name"], rule["set_priority"], rule["set_team_id"]) == (
        "Compressors",
        "high",
        world.l2_team.pk,
    )
    second = admin.post("/routing/rules", {**BODY, "name": "Invoices", "keywords": ["invoice"]})
    moved = admin.post(f"/routing/rules/{second.json()['id']}/move", {"index": 0})
    assert [r["name"] for r in moved.json()] == ["Invoices", "Compressors"]
    listed = api_for(world.agent).get("/routing/rules")
    assert [r["name"] for r in listed.json()] == ["Invoices", "Compressors"]
    replaced = api_for(world.l2).put(f"/routing/rules/{rule['id']}", {**BODY, "is_active": False})
    assert replaced.json()["is_active"] is False
    assert replaced.json()["set_team_id"] is None
    assert admin.delete(f"/routing/rules/{rule['id']}").status_code == 204
    assert RoutingRule.objects.filter(tenant=world.tenant).count() == 1


def test_dry_run_counts_and_stores_nothing(world, api_for):
    factories.ticket(world.customer, subject="compressor trips again")
    factories.ticket(world.customer, subject="password reset")
    response = api_for(world.admin).post("/routing/rules/dry-run", {**BODY, "days": 7})
    assert response.status_code == 200, response.content
    assert {k: response.json()[k] for k in ("days", "tickets", "matched")} == {
        "days": 7,
        "tickets": 2,
        "matched": 1,
    }
    assert not RoutingRule.objects.exists()


@pytest.mark.parametrize("role", ["agent", "lead", "l3", "customer"])
def test_roles_without_routing_manage_are_refused(world, api_for, role):
    response = api_for(getattr(world, role)).post("/routing/rules", BODY)
    _problem(response, 403)
    assert not RoutingRule.objects.exists()


def test_customers_do_not_read_rules(world, api_for):
    _problem(api_for(world.customer).get("/routing/rules"), 403)


def test_another_units_rule_and_team_do_not_exist_here(world, api_for):
    other_admin = factories.actor(world.other_tenant, "admin", "other_admin")
    theirs = api_for(other_admin).post("/routing/rules", BODY).json()
    _problem(api_for(world.admin).put(f"/routing/rules/{theirs['id']}", BODY), 404)
    _problem(api_for(world.admin).delete(f"/routing/rules/{theirs['id']}"), 404)
    body = _problem(
        api_for(world.admin).post("/routing/rules", {**BODY, "set_team_id": world.other_team.pk}),
        422,
    )
    assert body["errors"][0]["field"] == "set_team_id"
    assert RoutingRule.objects.filter(tenant=world.tenant).count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"channels": ["fax"]},
        {"pattern": "(unclosed"},
        {"set_priority": "whenever"},
        {"keywords": [], "pattern": ""},
        {"set_priority": None},
        {"unexpected": 1},
        {"name": "line\nbreak"},
        {"category_ids": [0]},
    ],
)
def test_bad_input_is_refused_and_stores_nothing(world, api_for, changes):
    _problem(api_for(world.admin).post("/routing/rules", {**BODY, **changes}), 422)
    assert not RoutingRule.objects.exists()
