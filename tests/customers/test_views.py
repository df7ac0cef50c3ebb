"""The Customer 360 pages: list, profile, its small forms, and the unit's settings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.factories import World
from zhongtai.customers import services
from zhongtai.customers.models import Asset, Customer, CustomField, ProfileEvent, TierRule

pytestmark = pytest.mark.django_db


def _client(actor: factories.Actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def _acme(world: World) -> Customer:
    return Customer.objects.get(tenant=world.tenant, name="Acme")


def test_the_360_page_shows_the_whole_profile(world: World) -> None:
    acme = _acme(world)
    for n in range(27):
        factories.ticket(world.agent, customer=acme, subject=f"Spindle alarm {n}")
    services.contract_create(
        actor=world.admin,
        customer_id=acme.pk,
        data=services.ContractInput(
            plan="Gold care", starts_on=date(2024, 1, 1), renews_on=date(2099, 6, 30)
        ),
    )
    Asset.objects.create(
        tenant=world.tenant,
        customer=acme,
        product_model="VMC-850",
        serial_number="SN-1",
        warranty_ends_on=date.today() + timedelta(days=30),
    )
    Asset.objects.create(
        tenant=world.tenant,
        customer=acme,
        product_model="VMC-650",
        serial_number="SN-2",
        warranty_ends_on=date(2020, 1, 1),
    )

    page = _client(world.agent).get(reverse("customers:customer_detail", args=[acme.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="history-row"') == 25
    assert 'data-testid="history-more"' in html
    assert "Gold care" in html
    assert "Under warranty" in html
    assert "Out of warranty" in html
    more = _client(world.agent).get(
        reverse("customers:customer_history", args=[acme.pk]),
        {"cursor": page.context["p"].history_cursor},
    )
    assert more.content.decode().count('data-testid="history-row"') == 2


def test_the_list_filters_and_links(world: World) -> None:
    Customer.objects.create(tenant=world.tenant, name="Beta", tags=["key"], tier="vip")
    client = _client(world.agent)

    everyone = client.get(reverse("customers:customer_list")).content.decode()
    vips = client.get(reverse("customers:customer_list"), {"tier": "vip"}).content.decode()

    assert "Acme" in everyone
    assert "Beta" in everyone
    assert "Beta" in vips
    assert "Acme" not in vips


def test_pages_are_for_the_staff_of_the_unit(world: World) -> None:
    acme = _acme(world)
    assert _client(world.customer).get(reverse("customers:customer_list")).status_code == 404
    url = reverse("customers:customer_detail", args=[acme.pk])
    assert _client(world.other_agent).get(url).status_code == 404
    assert _client(world.customer).get(url).status_code == 404


def test_a_note_and_a_tier_by_hand_from_the_page(world: World) -> None:
    acme = _acme(world)
    lead = _client(world.lead)

    lead.post(reverse("customers:note_add", args=[acme.pk]), {"body": "Call before 10:00"})
    lead.post(
        reverse("customers:tier_override", args=[acme.pk]),
        {"tier": "vip", "reason": "Strategic pilot"},
    )
    agent_try = _client(world.agent).post(
        reverse("customers:tier_override", args=[acme.pk]), {"tier": "standard", "reason": "x"}
    )

    acme.refresh_from_db()
    assert acme.tier == "vip"
    assert acme.tier_override_reason == "Strategic pilot"
    assert agent_try.status_code == 403
    assert ProfileEvent.objects.filter(customer=acme, body="Call before 10:00").exists()
    page = lead.get(reverse("customers:customer_detail", args=[acme.pk])).content.decode()
    assert "Strategic pilot" in page
    assert "Call before 10:00" in page


def test_bad_contact_shows_the_error_and_stores_nothing(world: World) -> None:
    acme = _acme(world)
    client = _client(world.agent)
    before = acme.contacts.count()

    response = client.post(
        reverse("customers:contact_add", args=[acme.pk]),
        {"name": "Li", "email": "not-an-address"},
        follow=True,
    )

    assert acme.contacts.count() == before
    assert "valid email" in response.content.decode()


def test_edit_profile_with_custom_fields(world: World) -> None:
    acme = _acme(world)
    CustomField.objects.create(
        tenant=world.tenant, key="seats", label_en="Seats", label_zh="席位", kind="number"
    )
    client = _client(world.agent)
    url = reverse("customers:customer_edit", args=[acme.pk])

    bad = client.post(url, {"name": "Acme", "lifecycle_stage": "active", "custom_seats": "lots"})
    good = client.post(
        url,
        {
            "name": "Acme",
            "lifecycle_stage": "renewal",
            "tags": "key, 华东",
            "custom_seats": "40",
            "owner": str(world.lead.user.pk),
        },
    )

    assert bad.status_code == 422
    assert good.status_code == 302
    acme.refresh_from_db()
    assert acme.custom == {"seats": 40}
    assert acme.tags == ["key", "华东"]
    assert acme.owner == world.lead.user


def test_settings_add_a_rule_and_a_field(world: World) -> None:
    client = _client(world.admin)
    url = reverse("customers:settings")

    client.post(
        url,
        {
            "add_rule": "1",
            "name": "Big",
            "tier": "vip",
            "position": "0",
            "min_value_per_year": "500000",
        },
    )
    empty_rule = client.post(
        url, {"add_rule": "1", "name": "Empty", "tier": "vip", "position": "0"}
    )
    client.post(
        url,
        {"add_field": "1", "key": "plan", "label_en": "Plan", "kind": "choice", "choices": "A, B"},
    )

    assert list(TierRule.objects.values_list("name", flat=True)) == ["Big"]
    assert empty_rule.status_code == 422
    assert CustomField.objects.get(key="plan").choices == ["A", "B"]
    assert _client(world.agent).get(url).status_code == 403


def test_a_big_installed_base_shows_twenty_assets_then_the_rest(world: World) -> None:
    acme = _acme(world)
    Asset.objects.bulk_create(
        Asset(tenant=world.tenant, customer=acme, product_model="VMC", serial_number=f"SN-{n:03d}")
        for n in range(45)
    )
    client = _client(world.agent)

    page = client.get(reverse("customers:customer_detail", args=[acme.pk])).content.decode()
    rest = client.get(reverse("customers:customer_assets", args=[acme.pk]), {"offset": 20})

    assert page.count('data-testid="asset"') == 20
    assert "All 45 assets" in page
    assert rest.content.decode().count('data-testid="asset"') == 25
    assert (
        _client(world.other_agent)
        .get(reverse("customers:customer_assets", args=[acme.pk]))
        .status_code
        == 404
    )


def test_an_identity_for_a_contact_chosen_in_the_form(world: World) -> None:
    acme = _acme(world)
    contact = services.contact_create(
        actor=world.agent, customer_id=acme.pk, data=services.ContactInput(name="Li Wei")
    )
    other = Customer.objects.create(tenant=world.tenant, name="Beta")
    theirs = services.contact_create(
        actor=world.agent, customer_id=other.pk, data=services.ContactInput(name="Wang")
    )
    client = _client(world.agent)
    url = reverse("customers:identity_add", args=[acme.pk])

    client.post(url, {"contact": contact.pk, "kind": "wecom_userid", "value": "liwei"})
    wrong_customer = client.post(url, {"contact": theirs.pk, "kind": "wecom_userid", "value": "w"})

    assert contact.identities.get().value == "liwei"
    assert wrong_customer.status_code == 404
    assert not theirs.identities.exists()


def test_an_import_reads_on_the_profile(world: World) -> None:
    from zhongtai.customers.models import ProfileEvent as Event

    acme = _acme(world)
    Event.objects.create(
        tenant=world.tenant,
        customer=acme,
        type="imported",
        data={
            "import": "contacts",
            "external_id": "C-7",
            "action": "created",
            "identities_added": ["wmX"],
        },
    )

    page = _client(world.agent).get(reverse("customers:customer_detail", args=[acme.pk]))

    assert "Contact C-7: created" in page.content.decode()
    assert "Identities added: wmX" in page.content.decode()
