"""Customers and contacts through /api/v1 (read-only)."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from zhongtai.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_agent_lists_and_searches_customers(world: factories.World, api_for: Any) -> None:
    Customer.objects.create(tenant=world.tenant, name="Beta Robotics")
    api = api_for(world.agent)

    everyone = api.get("/customers").json()
    found = api.get("/customers", q="robot").json()

    assert [c["name"] for c in everyone] == ["Acme", "Beta Robotics", "Customer 2"]
    assert [c["name"] for c in found] == ["Beta Robotics"]


def test_one_customer_and_its_contacts(world: factories.World, api_for: Any) -> None:
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    api = api_for(world.agent)

    customer = api.get(f"/customers/{acme.pk}")
    contacts = api.get(f"/customers/{acme.pk}/contacts")

    assert customer.json() == {"id": acme.pk, "name": "Acme", "tier": acme.tier}
    assert [c["name"] for c in contacts.json()] == [str(world.customer.user)]


def test_a_customer_contact_may_not_browse_customers(world: factories.World, api_for: Any) -> None:
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    api = api_for(world.customer)

    assert api.get("/customers").status_code == 403
    assert api.get(f"/customers/{acme.pk}").status_code == 403


def test_another_tenants_customer_is_not_found(world: factories.World, api_for: Any) -> None:
    theirs = Customer.objects.get(tenant=world.other_tenant)
    api = api_for(world.agent)

    response = api.get(f"/customers/{theirs.pk}")
    contacts = api.get(f"/customers/{theirs.pk}/contacts")

    assert response.status_code == contacts.status_code == 404
    assert response.json()["code"] == "not_found"
    assert theirs.name not in api.get("/customers").content.decode()


def test_search_parameters_are_validated(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)

    response = api.get("/customers", limit=0)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"
