"""Customer 360 writes: profiles, identities, contracts, custom fields, tiers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests import factories
from tests.factories import World
from tests.support import huey_drain
from zhongtai.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from zhongtai.core.permissions import Role
from zhongtai.customers import profile, services
from zhongtai.customers.models import (
    Customer,
    CustomerTier,
    FieldKind,
    Identity,
    IdentityKind,
    ProfileEvent,
    ProfileEventType,
)

pytestmark = pytest.mark.django_db


def _acme(world: World) -> Customer:
    return Customer.objects.get(tenant=world.tenant, name="Acme")


def _contract(world: World, customer: Customer, value: str, **kwargs: object) -> object:
    data = services.ContractInput(
        plan=str(kwargs.pop("plan", "Gold care")),
        starts_on=kwargs.pop("starts_on", date(2020, 1, 1)),  # type: ignore[arg-type]
        value_per_year=Decimal(value),
        **kwargs,  # type: ignore[arg-type]
    )
    return services.contract_create(actor=world.admin, customer_id=customer.pk, data=data)


def _vip_rule(world: World, value: str = "500000") -> None:
    services.tier_rule_create(
        actor=world.admin,
        data=services.TierRuleInput(
            name="Big accounts", tier=CustomerTier.VIP, min_value_per_year=Decimal(value)
        ),
    )


# --- identities and contacts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "given", "stored"),
    [
        (IdentityKind.EMAIL, "  Li.Wei@Example.COM ", "li.wei@example.com"),
        (IdentityKind.PHONE, "+86 (21) 5555-0101", "+862155550101"),
        (IdentityKind.WECOM_EXTERNAL_USERID, "wmXyZ_123-abc", "wmXyZ_123-abc"),
    ],
)
def test_identities_are_stored_in_one_spelling(
    world: World, kind: str, given: str, stored: str
) -> None:
    contact = services.contact_create(
        actor=world.agent, customer_id=_acme(world).pk, data=services.ContactInput(name="Li Wei")
    )
    identity = services.identity_add(
        actor=world.agent, contact_id=contact.pk, kind=kind, value=given
    )
    assert identity.value == stored
    found = profile.identity_resolve(
        actor=world.agent, kind=kind, value=given.upper() if kind == IdentityKind.EMAIL else given
    )
    assert found is not None
    assert found.contact == contact


@pytest.mark.parametrize(
    ("kind", "value"),
    [("email", "not an address"), ("phone", "12"), ("wecom_userid", "has space"), ("fax", "1")],
)
def test_a_bad_identity_is_refused_and_nothing_stored(world: World, kind: str, value: str) -> None:
    contact = services.contact_create(
        actor=world.agent, customer_id=_acme(world).pk, data=services.ContactInput(name="Li Wei")
    )
    with pytest.raises(InvalidInput):
        services.identity_add(actor=world.agent, contact_id=contact.pk, kind=kind, value=value)
    assert not Identity.objects.filter(contact=contact).exists()


def test_an_identity_belongs_to_one_contact_of_the_unit(world: World) -> None:
    acme = _acme(world)
    first = services.contact_create(
        actor=world.agent,
        customer_id=acme.pk,
        data=services.ContactInput(name="Li Wei", email="li@example.com"),
    )
    second = services.contact_create(
        actor=world.agent, customer_id=acme.pk, data=services.ContactInput(name="Wang Fang")
    )
    with pytest.raises(Conflict):
        services.identity_add(
            actor=world.agent, contact_id=second.pk, kind="email", value="LI@example.com"
        )
    # the contact's own email became an identity; adding it again is harmless
    again = services.identity_add(
        actor=world.agent, contact_id=first.pk, kind="email", value="li@example.com"
    )
    assert Identity.objects.filter(value="li@example.com").count() == 1
    assert again.contact == first
    # another unit may know the same address for its own contact
    other = Customer.objects.create(tenant=world.other_tenant, name="Other Acme")
    theirs = services.contact_create(
        actor=world.other_agent,
        customer_id=other.pk,
        data=services.ContactInput(name="Li Wei", email="li@example.com"),
    )
    assert theirs.identities.get().value == "li@example.com"


def test_identities_of_another_unit_are_not_found(world: World) -> None:
    other = Customer.objects.create(tenant=world.other_tenant, name="Other Acme")
    contact = services.contact_create(
        actor=world.other_agent,
        customer_id=other.pk,
        data=services.ContactInput(name="Li", email="li@other.example"),
    )
    identity = contact.identities.get()
    assert (
        profile.identity_resolve(actor=world.agent, kind="email", value="li@other.example") is None
    )
    with pytest.raises(NotFound):
        services.identity_remove(actor=world.agent, identity_id=identity.pk)
    with pytest.raises(NotFound):
        services.contact_update(
            actor=world.agent, contact_id=contact.pk, data=services.ContactInput(name="x")
        )


def test_customers_cannot_write_profiles(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.note_add(actor=world.customer, customer_id=_acme(world).pk, body="hi")
    with pytest.raises(PermissionDenied):
        services.customer_create(actor=world.customer, data=services.CustomerInput(name="X"))


# --- profile ---------------------------------------------------------------------------


def test_profile_changes_are_checked_and_recorded(world: World) -> None:
    acme = _acme(world)
    services.customer_update(
        actor=world.agent,
        customer_id=acme.pk,
        data=services.CustomerInput(
            name="Acme Ltd",
            owner_id=world.lead.user.pk,
            lifecycle_stage="renewal",
            tags=["key-account", "key-account", " 华东 "],
            domains=["@ACME.example", "acme.cn"],
        ),
    )
    acme.refresh_from_db()
    assert acme.tags == ["key-account", "华东"]
    assert acme.domains == ["acme.example", "acme.cn"]
    event = ProfileEvent.objects.get(customer=acme, type=ProfileEventType.UPDATED)
    assert event.actor == world.agent.user
    assert event.data["changes"]["name"] == {"from": "Acme", "to": "Acme Ltd"}

    for bad in (
        services.CustomerInput(name=""),
        services.CustomerInput(name="Acme Ltd", lifecycle_stage="sleeping"),
        services.CustomerInput(name="Acme Ltd", tags=["two words"]),
        services.CustomerInput(name="Acme Ltd", domains=["not a domain"]),
        services.CustomerInput(name="Acme Ltd", owner_id=world.customer.user.pk),
        services.CustomerInput(name="Acme Ltd", owner_id=world.other_agent.user.pk),
    ):
        with pytest.raises(InvalidInput):
            services.customer_update(actor=world.agent, customer_id=acme.pk, data=bad)
    acme.refresh_from_db()
    assert acme.name == "Acme Ltd"
    assert acme.lifecycle_stage == "renewal"
    assert ProfileEvent.objects.filter(customer=acme).count() == 1


def test_two_customers_cannot_share_a_name_or_external_id(world: World) -> None:
    services.customer_create(
        actor=world.agent, data=services.CustomerInput(name="Beta", external_id="crm-1")
    )
    with pytest.raises(Conflict):
        services.customer_create(actor=world.agent, data=services.CustomerInput(name="Beta"))
    with pytest.raises(Conflict):
        services.customer_create(
            actor=world.agent, data=services.CustomerInput(name="Gamma", external_id="crm-1")
        )
    assert not Customer.objects.filter(name="Gamma").exists()


def test_custom_fields_are_validated_by_their_definition(world: World) -> None:
    admin = world.admin
    services.custom_field_create(
        actor=admin,
        data=services.CustomFieldInput(
            key="erp_code", label_en="ERP code", kind=FieldKind.TEXT, required=True
        ),
    )
    services.custom_field_create(
        actor=admin,
        data=services.CustomFieldInput(
            key="seats", label_en="Seats", label_zh="席位", kind=FieldKind.NUMBER
        ),
    )
    services.custom_field_create(
        actor=admin,
        data=services.CustomFieldInput(key="since", label_en="Customer since", kind=FieldKind.DATE),
    )
    services.custom_field_create(
        actor=admin,
        data=services.CustomFieldInput(
            key="region", label_en="Region", kind=FieldKind.CHOICE, choices=["East", "North"]
        ),
    )
    acme = _acme(world)
    good = services.CustomerInput(
        name="Acme",
        custom={"erp_code": "E-1", "seats": "120", "since": "2019-05-01", "region": "East"},
    )
    services.customer_update(actor=world.agent, customer_id=acme.pk, data=good)
    acme.refresh_from_db()
    assert acme.custom == {"erp_code": "E-1", "seats": 120, "since": "2019-05-01", "region": "East"}

    cases = [
        {"seats": "many", "erp_code": "E"},
        {"since": "01/05/2019", "erp_code": "E"},
        {"region": "West", "erp_code": "E"},
        {"unknown": "x", "erp_code": "E"},
        {"seats": 3},  # erp_code is required
    ]
    for custom in cases:
        with pytest.raises(InvalidInput) as caught:
            services.customer_update(
                actor=world.agent,
                customer_id=acme.pk,
                data=services.CustomerInput(name="Acme", custom=custom),
            )
        assert caught.value.errors[0]["field"].startswith("custom.")
    acme.refresh_from_db()
    assert acme.custom["seats"] == 120

    labels = {
        v.key: v.label
        for v in profile.customer_profile(
            actor=world.agent, customer_id=acme.pk, language="zh-hans"
        ).custom
    }
    assert labels["seats"] == "席位"
    assert labels["erp_code"] == "ERP code"

    seats = acme.tenant.customfield_set.get(key="seats")
    with pytest.raises(InvalidInput):
        services.custom_field_update(
            actor=admin,
            field_id=seats.pk,
            data=services.CustomFieldInput(key="seats", label_en="Seats", kind=FieldKind.TEXT),
        )
    services.custom_field_delete(actor=admin, field_id=seats.pk)
    acme.refresh_from_db()
    assert acme.custom == {"erp_code": "E-1", "since": "2019-05-01", "region": "East"}
    with pytest.raises(PermissionDenied):
        services.custom_field_create(
            actor=world.agent,
            data=services.CustomFieldInput(key="x", label_en="X", kind=FieldKind.TEXT),
        )


# --- tiers -----------------------------------------------------------------------------


def test_rules_compute_the_tier(world: World) -> None:
    acme = _acme(world)
    _vip_rule(world)
    services.tier_rule_create(
        actor=world.admin,
        data=services.TierRuleInput(
            name="Tagged", tier=CustomerTier.PREMIUM, tag="key-account", position=5
        ),
    )
    _contract(world, acme, "300000")
    acme.refresh_from_db()
    assert acme.tier == CustomerTier.STANDARD
    _contract(world, acme, "250000", plan="Spare parts")
    acme.refresh_from_db()
    assert (acme.tier, acme.tier_computed) == (CustomerTier.VIP, CustomerTier.VIP)
    change = ProfileEvent.objects.get(customer=acme, type=ProfileEventType.TIER)
    assert change.data == {"from": "standard", "to": "vip", "reason": "rules"}


def test_an_ended_contract_does_not_count(world: World) -> None:
    acme = _acme(world)
    _vip_rule(world)
    _contract(world, acme, "900000", starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31))
    _contract(world, acme, "900000", starts_on=date(2099, 1, 1), plan="Future")
    acme.refresh_from_db()
    assert acme.tier == CustomerTier.STANDARD


def test_a_tier_set_by_hand_wins_and_is_recorded(world: World) -> None:
    acme = _acme(world)
    _vip_rule(world)
    _contract(world, acme, "600000")
    acme.refresh_from_db()
    assert acme.tier == CustomerTier.VIP

    services.tier_override_set(
        actor=world.lead, customer_id=acme.pk, tier=CustomerTier.PREMIUM, reason="Pilot terms"
    )
    acme.refresh_from_db()
    assert (acme.tier, acme.tier_computed, acme.tier_override) == ("premium", "vip", "premium")
    assert acme.tier_override_by == world.lead.user
    assert acme.tier_override_at is not None
    # the rules keep computing underneath, but the hand-set tier stays
    _contract(world, acme, "1", plan="Extra")
    acme.refresh_from_db()
    assert acme.tier == CustomerTier.PREMIUM

    services.tier_override_clear(actor=world.lead, customer_id=acme.pk)
    acme.refresh_from_db()
    assert (acme.tier, acme.tier_override, acme.tier_override_by) == ("vip", "", None)
    overrides = ProfileEvent.objects.filter(customer=acme, type=ProfileEventType.OVERRIDE)
    assert [e.data["to"] for e in overrides.order_by("id")] == ["premium", None]
    assert overrides.order_by("id").first().body == "Pilot terms"  # type: ignore[union-attr]

    for bad in ({"tier": "gold", "reason": "x"}, {"tier": "vip", "reason": "  "}):
        with pytest.raises(InvalidInput):
            services.tier_override_set(actor=world.lead, customer_id=acme.pk, **bad)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.tier_override_set(actor=world.agent, customer_id=acme.pk, tier="vip", reason="x")
    other_admin = factories.actor(world.other_tenant, Role.ADMIN, "other_admin")
    with pytest.raises(NotFound):
        services.tier_override_clear(actor=other_admin, customer_id=acme.pk)


@pytest.mark.django_db(transaction=True)
def test_a_changed_tier_recomputes_the_sla_clocks(queue: Any) -> None:
    world = factories.world()
    acme = _acme(world)
    _vip_rule(world)
    huey_drain()
    _contract(world, acme, "100")
    assert [t.name for t in queue.pending()] == []
    _contract(world, acme, "700000", plan="Platinum")
    pending = queue.pending()
    assert [t.name for t in pending] == ["sla_recompute_task"]
    assert pending[0].args == (world.tenant.pk, acme.pk, "customer_tier")


@pytest.mark.django_db(transaction=True)
def test_a_rule_change_re_evaluates_the_unit_in_the_background(queue: object) -> None:
    world = factories.world()
    acme = _acme(world)
    beta = Customer.objects.create(tenant=world.tenant, name="Beta", tags=["strategic"])
    services.tier_rule_create(
        actor=world.admin,
        data=services.TierRuleInput(name="Strategic", tier=CustomerTier.VIP, tag="strategic"),
    )
    huey_drain()
    beta.refresh_from_db()
    acme.refresh_from_db()
    assert (beta.tier, acme.tier) == ("vip", "standard")
    rule = beta.tenant.tierrule_set.get()
    services.tier_rule_delete(actor=world.admin, rule_id=rule.pk)
    huey_drain()
    beta.refresh_from_db()
    assert beta.tier == "standard"


def test_rules_need_a_condition_and_a_known_tier(world: World) -> None:
    for bad in (
        services.TierRuleInput(name="Empty", tier="vip"),
        services.TierRuleInput(name="Bad tier", tier="gold", tag="x"),
        services.TierRuleInput(name="", tier="vip", tag="x"),
        services.TierRuleInput(name="Negative", tier="vip", min_value_per_year=Decimal(-1)),
    ):
        with pytest.raises(InvalidInput):
            services.tier_rule_create(actor=world.admin, data=bad)
    assert not world.tenant.tierrule_set.exists()


def test_contract_dates_move_tiers_when_the_day_comes(world: World) -> None:
    acme = _acme(world)
    _vip_rule(world)
    _contract(world, acme, "900000", starts_on=date(2030, 3, 1), ends_on=date(2031, 2, 28))
    acme.refresh_from_db()
    assert acme.tier == "standard"
    # 2030-03-01 08:00 in Shanghai
    assert services.tiers_follow_contract_dates(now=datetime(2030, 3, 1, 0, 0, tzinfo=UTC)) == 1
    acme.refresh_from_db()
    assert acme.tier == "vip"
    assert services.tiers_follow_contract_dates(now=datetime(2031, 3, 1, 0, 0, tzinfo=UTC)) == 1
    acme.refresh_from_db()
    assert acme.tier == "standard"


def test_a_contract_counts_from_the_units_day_not_the_servers(
    world: World, time_machine: Any
) -> None:
    """At 00:30 in Shanghai it is still yesterday in UTC: a contract starting today counts."""
    time_machine.move_to("2030-03-01 00:30 +08:00", tick=False)
    acme = _acme(world)
    _vip_rule(world)

    _contract(world, acme, "900000", starts_on=date(2030, 3, 1))

    acme.refresh_from_db()
    assert acme.tier == CustomerTier.VIP
    # the same at a unit-wide re-evaluation (after a rule change)
    Customer.objects.filter(pk=acme.pk).update(tier=CustomerTier.STANDARD, tier_computed="")
    services.tiers_reevaluate(tenant_id=world.tenant.pk)
    acme.refresh_from_db()
    assert acme.tier == CustomerTier.VIP


def test_contracts_are_checked(world: World) -> None:
    acme = _acme(world)
    for bad in (
        services.ContractInput(plan="", starts_on=date(2024, 1, 1)),
        services.ContractInput(plan="X", starts_on=date(2024, 1, 1), ends_on=date(2023, 1, 1)),
        services.ContractInput(plan="X", starts_on=date(2024, 1, 1), currency="yuan"),
        services.ContractInput(plan="X", starts_on=date(2024, 1, 1), value_per_year=Decimal(-5)),
        services.ContractInput(plan="X", starts_on=date(2024, 1, 1), kind="lease"),
    ):
        with pytest.raises(InvalidInput):
            services.contract_create(actor=world.admin, customer_id=acme.pk, data=bad)
    assert not acme.contracts.exists()
    with pytest.raises(PermissionDenied):
        services.contract_create(
            actor=world.agent,
            customer_id=acme.pk,
            data=services.ContractInput(plan="X", starts_on=date(2024, 1, 1)),
        )


def test_profile_changes_reach_webhook_subscribers(world: World) -> None:
    from zhongtai.channels import services as webhook_services
    from zhongtai.channels.models import WebhookDelivery

    webhook_services.webhook_create(
        actor=world.admin,
        data=webhook_services.WebhookInput(
            name="CRM", url="http://127.0.0.1:9/hook", events=["customer.updated"]
        ),
    )
    acme = _acme(world)
    services.note_add(actor=world.agent, customer_id=acme.pk, body="internal only")
    assert not WebhookDelivery.objects.exists()

    services.tier_override_set(
        actor=world.lead, customer_id=acme.pk, tier=CustomerTier.VIP, reason="Pilot"
    )

    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "customer.updated"
    assert delivery.payload["data"]["customer"] == {
        "id": acme.pk,
        "name": "Acme",
        "tier": "vip",
        "external_id": "",
    }
    assert delivery.payload["data"]["change"] == "override"


@pytest.mark.django_db(transaction=True)
def test_many_moved_tiers_recompute_the_units_clocks_once(queue: Any) -> None:
    world = factories.world()
    Customer.objects.bulk_create(
        Customer(tenant=world.tenant, name=f"Strategic {n}", tags=["strategic"])
        for n in range(services.CLOCKS_ONE_BY_ONE + 5)
    )
    services.tier_rule_create(
        actor=world.admin,
        data=services.TierRuleInput(name="Strategic", tier=CustomerTier.VIP, tag="strategic"),
    )
    queue.flush()  # (the rule change's own task: run by hand below)

    assert services.tiers_reevaluate(tenant_id=world.tenant.pk) == 25

    recompute = [t for t in queue.pending() if t.name == "sla_recompute_task"]
    assert [t.args for t in recompute] == [(world.tenant.pk, None, "customer_tier")]
    assert Customer.objects.filter(tenant=world.tenant, tier="vip").count() == 25
