"""Which SLA policy covers a ticket: first active match in the explicit order."""

from __future__ import annotations

from datetime import time

import pytest

from tests import factories
from zhongtai.customers.models import Customer
from zhongtai.sla import selectors
from zhongtai.sla.matching import PolicyConditions, TicketFacts, first_match
from zhongtai.sla.models import BusinessCalendar, SlaPolicy, WorkingInterval

FACTS = TicketFacts(
    customer_tier="vip",
    priority="urgent",
    type="incident",
    channel="phone",
    category_ids=frozenset({3, 7}),
)


def _conditions(**kwargs: object) -> PolicyConditions:
    values: dict[str, object] = {
        "customer_tiers": (),
        "priorities": (),
        "types": (),
        "channels": (),
        "category_ids": frozenset(),
    }
    values.update(kwargs)
    return PolicyConditions(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        (_conditions(), True),
        (_conditions(customer_tiers=("vip", "premium")), True),
        (_conditions(customer_tiers=("standard",)), False),
        (_conditions(priorities=("urgent",), types=("incident",)), True),
        (_conditions(priorities=("urgent",), types=("complaint",)), False),
        (_conditions(channels=("email",)), False),
        (_conditions(category_ids=frozenset({7})), True),
        (_conditions(category_ids=frozenset({8})), False),
    ],
)
def test_every_condition_must_hold_and_empty_matches_all(conditions, expected):
    assert conditions.matches(FACTS) is expected


def test_first_match_wins_in_order():
    policies = [
        ("complaints", _conditions(types=("complaint",))),
        ("vip", _conditions(customer_tiers=("vip",))),
        ("default", _conditions()),
    ]
    assert first_match(policies, FACTS) == "vip"
    assert first_match(policies[:1], FACTS) is None


@pytest.mark.django_db
def test_policy_for_ticket_uses_order_activity_tenant_and_category_tree(world):
    tenant = world.tenant
    calendar = BusinessCalendar.objects.create(tenant=tenant, name="Office", holiday_source="")
    WorkingInterval.objects.create(calendar=calendar, weekday=0, start=time(9), end=time(18))
    hardware = factories.category(tenant, "Hardware")
    compressor = factories.category(tenant, "Compressor", parent=hardware)
    common = {"tenant": tenant, "calendar": calendar, "first_response_minutes": 60}
    SlaPolicy.objects.create(name="Complaints", position=1, types=["complaint"], **common)
    inactive = SlaPolicy.objects.create(name="Old VIP", position=2, is_active=False, **common)
    hardware_policy = SlaPolicy.objects.create(name="Hardware", position=3, **common)
    hardware_policy.categories.add(hardware)
    SlaPolicy.objects.create(name="Default", position=9, **common)
    other_calendar = BusinessCalendar.objects.create(tenant=world.other_tenant, name="Other")
    SlaPolicy.objects.create(
        tenant=world.other_tenant, name="Other first", position=0, calendar=other_calendar
    )
    Customer.objects.filter(tenant=tenant).update(tier="vip")
    inactive.customer_tiers = ["vip"]
    inactive.save()

    ticket = factories.ticket(world.agent, category=compressor)
    assert selectors.sla_policy_for_ticket(ticket).name == "Hardware"
    complaint = factories.ticket(world.agent, type="complaint", category=compressor)
    assert selectors.sla_policy_for_ticket(complaint).name == "Complaints"
    plain = factories.ticket(world.agent)
    assert selectors.sla_policy_for_ticket(plain).name == "Default"
