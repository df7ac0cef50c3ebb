"""Customer 360 through /api/v1: profiles, contacts, identities, contracts, tiers,
the whole profile and the history, for every role, with bad input and another unit."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from zhongtai.core.permissions import Role
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

    assert customer.json()["name"] == "Acme"
    assert customer.json()["tier"] == acme.tier
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


def _profile_scene(world: factories.World) -> Customer:
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    for n in range(30):
        factories.ticket(world.agent, customer=acme, subject=f"Jam {n}")
    return acme


def test_the_whole_profile_in_one_request(world: factories.World, api_for: Any) -> None:
    acme = _profile_scene(world)
    admin = api_for(world.admin)
    assert (
        admin.post(
            f"/customers/{acme.pk}/contracts",
            {
                "plan": "Gold care",
                "value_per_year": "120000.00",
                "starts_on": "2020-01-01",
                "renews_on": "2099-01-01",
            },
        ).status_code
        == 201
    )
    contact = admin.post(
        f"/customers/{acme.pk}/contacts",
        {"name": "Li Wei", "email": "Li.Wei@acme.example", "phone": "+86 21 5555 0101"},
    ).json()
    assert {i["kind"] for i in contact["identities"]} == {"email", "phone"}
    added = admin.post(
        f"/customers/contacts/{contact['id']}/identities",
        {"kind": "wecom_external_userid", "value": "wmAcmeLiWei"},
    )
    assert added.status_code == 201
    assert admin.post(f"/customers/{acme.pk}/notes", {"body": "Prefers calls"}).status_code == 201

    body = api_for(world.agent).get(f"/customers/{acme.pk}/profile").json()

    assert body["customer"]["name"] == "Acme"
    assert body["value_per_year"] == "120000.00"
    assert body["next_renewal_on"] == "2099-01-01"
    assert body["contracts"][0]["status"] == "active"
    assert body["stats"]["tickets"] == 30
    assert body["stats"]["open"] == 30
    assert len(body["history"]["items"]) == 25
    assert body["history"]["items"][0]["subject"] == "Jam 29"
    assert body["history"]["next_cursor"]
    assert body["events"][0]["body"] == "Prefers calls"
    assert "Li Wei" in [c["name"] for c in body["contacts"]]

    rest = (
        api_for(world.agent)
        .get(f"/customers/{acme.pk}/history", cursor=body["history"]["next_cursor"])
        .json()
    )
    assert [t["subject"] for t in rest["items"]] == [f"Jam {n}" for n in range(4, -1, -1)]
    assert rest["next_cursor"] is None


def test_an_identity_resolves_to_the_profile(world: factories.World, api_for: Any) -> None:
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    api = api_for(world.agent)
    contact = api.post(f"/customers/{acme.pk}/contacts", {"name": "Li Wei"}).json()
    api.post(
        f"/customers/contacts/{contact['id']}/identities",
        {"kind": "wecom_external_userid", "value": "wmAcmeLiWei"},
    )

    found = api.get("/customers/resolve", kind="wecom_external_userid", value="wmAcmeLiWei")
    missing = api.get("/customers/resolve", kind="wecom_external_userid", value="wmNobody")
    theirs = api_for(world.other_agent).get(
        "/customers/resolve", kind="wecom_external_userid", value="wmAcmeLiWei"
    )
    bad = api.get("/customers/resolve", kind="fax", value="1")

    assert found.status_code == 200
    assert found.json()["contact_id"] == contact["id"]
    assert found.json()["customer"]["id"] == acme.pk
    assert missing.status_code == theirs.status_code == 404
    assert bad.status_code == 422


def test_tiers_by_rule_and_by_hand(world: factories.World, api_for: Any) -> None:
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    lead = api_for(world.lead)
    rule = lead.post(
        "/customers/tier-rules",
        {"name": "Big", "tier": "vip", "min_value_per_year": "500000"},
    )
    assert rule.status_code == 201
    lead.post(
        f"/customers/{acme.pk}/contracts",
        {"plan": "Platinum", "value_per_year": "800000", "starts_on": "2020-01-01"},
    )
    assert lead.get(f"/customers/{acme.pk}").json()["tier"] == "vip"

    set_by_hand = lead.post(
        f"/customers/{acme.pk}/tier-override", {"tier": "premium", "reason": "Trial terms"}
    )
    assert set_by_hand.json()["tier"] == "premium"
    assert set_by_hand.json()["tier_computed"] == "vip"
    assert lead.delete(f"/customers/{acme.pk}/tier-override").json()["tier"] == "vip"

    agent = api_for(world.agent)
    assert (
        agent.post(
            f"/customers/{acme.pk}/tier-override", {"tier": "vip", "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        agent.post("/customers/tier-rules", {"name": "x", "tier": "vip", "tag": "a"}).status_code
        == 403
    )
    assert [r["name"] for r in agent.get("/customers/tier-rules").json()] == ["Big"]
    other = api_for(world.other_agent)
    assert other.get("/customers/tier-rules").json() == []
    other_admin = api_for(factories.actor(world.other_tenant, Role.ADMIN, "other_admin"))
    assert other_admin.delete(f"/customers/tier-rules/{rule.json()['id']}").status_code == 404


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/customers", {"name": ""}),
        ("/customers", {"name": "X", "lifecycle_stage": "asleep"}),
        ("/customers", {"name": "X", "tags": ["two words"]}),
        ("/customers", {"name": "X", "custom": {"nope": 1}}),
        ("/customers", {"name": "X", "unknown": 1}),
        ("/customers", {"name": "X\u0000"}),
        ("/customers/{acme}/contracts", {"plan": "X", "starts_on": "2020-02-30"}),
        (
            "/customers/{acme}/contracts",
            {"plan": "X", "starts_on": "2020-01-01", "value_per_year": "-1"},
        ),
        (
            "/customers/{acme}/contracts",
            {"plan": "X", "starts_on": "2021-01-01", "ends_on": "2020-01-01"},
        ),
        ("/customers/{acme}/contacts", {"name": "X", "email": "nope"}),
        ("/customers/{acme}/tier-override", {"tier": "gold", "reason": "x"}),
        ("/customers/{acme}/notes", {"body": ""}),
        ("/customers/tier-rules", {"name": "No condition", "tier": "vip"}),
        ("/customers/custom-fields", {"key": "x", "label_en": "X", "kind": "choice"}),
        ("/customers/custom-fields", {"key": "has space", "label_en": "X", "kind": "text"}),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(
    world: factories.World, api_for: Any, path: str, body: dict[str, Any]
) -> None:
    from zhongtai.customers.models import Contact, Contract, CustomField, ProfileEvent, TierRule

    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    before = [
        m.objects.count()
        for m in (Customer, Contact, Contract, CustomField, ProfileEvent, TierRule)
    ]

    response = api_for(world.admin).post(path.replace("{acme}", str(acme.pk)), body)

    assert response.status_code in (400, 409, 422)
    assert response["Content-Type"] == "application/problem+json"
    after = [
        m.objects.count()
        for m in (Customer, Contact, Contract, CustomField, ProfileEvent, TierRule)
    ]
    assert after == before
    acme.refresh_from_db()
    assert acme.tier_override == ""


def test_writes_to_another_units_customer_are_not_found(
    world: factories.World, api_for: Any
) -> None:
    theirs = Customer.objects.get(tenant=world.other_tenant)
    api = api_for(world.admin)

    for response in (
        api.put(f"/customers/{theirs.pk}", {"name": "Mine now"}),
        api.post(f"/customers/{theirs.pk}/notes", {"body": "hi"}),
        api.post(f"/customers/{theirs.pk}/contacts", {"name": "Spy"}),
        api.post(f"/customers/{theirs.pk}/contracts", {"plan": "X", "starts_on": "2020-01-01"}),
        api.post(f"/customers/{theirs.pk}/tier-override", {"tier": "vip", "reason": "x"}),
        api.get(f"/customers/{theirs.pk}/profile"),
        api.get(f"/customers/{theirs.pk}/history"),
    ):
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "Mine now"
    assert not theirs.contacts.filter(name="Spy").exists()


def test_customers_may_not_use_the_360(world: factories.World, api_for: Any) -> None:
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    api = api_for(world.customer)

    assert api.get(f"/customers/{acme.pk}/profile").status_code == 403
    assert api.post(f"/customers/{acme.pk}/notes", {"body": "x"}).status_code == 403
    assert api.get("/customers/resolve", kind="email", value="a@b.example").status_code == 403


def test_filters_by_tier_tag_and_owner(world: factories.World, api_for: Any) -> None:
    api = api_for(world.admin)
    api.post(
        "/customers", {"name": "Beta", "tags": ["华东", "key"], "owner_id": world.lead.user.pk}
    )
    api.post("/customers", {"name": "Gamma", "tags": ["keyboard", "VIP"]})
    api.post("/customers", {"name": "Delta", "tags": ["vip"]})

    assert [c["name"] for c in api.get("/customers", tag="key").json()] == ["Beta"]
    # a tag is matched as written, on SQLite (whose LIKE ignores case) as on PostgreSQL
    assert [c["name"] for c in api.get("/customers", tag="VIP").json()] == ["Gamma"]
    assert [c["name"] for c in api.get("/customers", tag="vip").json()] == ["Delta"]
    assert [c["name"] for c in api.get("/customers", tag="华东").json()] == ["Beta"]
    assert [c["name"] for c in api.get("/customers", owner_id=world.lead.user.pk).json()] == [
        "Beta"
    ]
    assert api.get("/customers", tier="gold").status_code == 422
