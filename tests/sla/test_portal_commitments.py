"""The portal's service commitments: the published standards that apply to the customer."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests import factories
from zhongtai.customers.models import Customer
from zhongtai.sla import selectors
from zhongtai.sla.models import BusinessCalendar, SlaPolicy, WorkingInterval

pytestmark = pytest.mark.django_db

URL = "/portal/commitments/"


def client_for(actor: Any) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def office(tenant: Any, name: str = "Office", **kwargs: Any) -> BusinessCalendar:
    """Mon–Fri 09:00–12:00 and 13:30–18:00, Saturday morning, Chinese public holidays."""
    calendar = BusinessCalendar.objects.create(tenant=tenant, name=name, **kwargs)
    for weekday in range(5):
        WorkingInterval.objects.create(
            calendar=calendar, weekday=weekday, start=time(9), end=time(12)
        )
        WorkingInterval.objects.create(
            calendar=calendar, weekday=weekday, start=time(13, 30), end=time(18)
        )
    WorkingInterval.objects.create(calendar=calendar, weekday=5, start=time(9), end=time(12))
    return calendar


@pytest.fixture
def standards(world: factories.World) -> dict[str, SlaPolicy]:
    """Acme (``world.customer``) is VIP; ``world.customer2``'s company is standard tier."""
    tenant = world.tenant
    Customer.objects.filter(tenant=tenant, name="Acme").update(tier="vip")
    hours = office(tenant)
    always = BusinessCalendar.objects.create(tenant=tenant, name="24x7", always_open=True)
    compressor = factories.category(tenant, "Compressor", factories.category(tenant, "Hardware"))

    def policy(name: str, position: int, **kwargs: Any) -> SlaPolicy:
        kwargs.setdefault("calendar", hours)
        return SlaPolicy.objects.create(tenant=tenant, name=name, position=position, **kwargs)

    made = {
        "vip": policy(
            "VIP urgent incidents",
            1,
            customer_tiers=["vip"],
            priorities=["urgent", "high"],
            types=["incident"],
            calendar=always,
            first_response_minutes=30,
            resolution_minutes=240,
        ),
        "premium": policy("Premium", 2, customer_tiers=["premium"], first_response_minutes=60),
        "draft": policy(
            "Draft standard", 3, published=False, types=["complaint"], first_response_minutes=5
        ),
        "retired": policy("Retired standard", 4, is_active=False, first_response_minutes=5),
        "hardware": policy(
            "Hardware by phone",
            5,
            channels=["phone", "email"],
            first_response_minutes=60,
            next_response_minutes=120,
            resolution_minutes=150,
        ),
        "standard": policy(
            "Standard", 9, first_response_minutes=240, resolution_minutes=3 * 9 * 60
        ),
        "shadowed": policy("Never reached", 10, customer_tiers=["vip"], priorities=["high"]),
    }
    made["hardware"].categories.add(compressor)
    other_calendar = office(world.other_tenant, "Other office")
    SlaPolicy.objects.create(
        tenant=world.other_tenant, name="Other unit standard", calendar=other_calendar
    )
    return made


def names(commitments: list[Any]) -> list[str]:
    return [c.name for c in commitments]


# --- selector -------------------------------------------------------------------------------


def test_only_active_published_policies_of_the_tier_in_order(
    world: factories.World, standards: dict[str, SlaPolicy]
) -> None:
    tenant_id = world.tenant.pk
    vip = selectors.published_commitments(tenant_id=tenant_id, customer_tier="vip")
    assert names(vip) == ["VIP urgent incidents", "Hardware by phone", "Standard"]
    standard = selectors.published_commitments(tenant_id=tenant_id, customer_tier="standard")
    assert names(standard) == ["Hardware by phone", "Standard"]
    premium = selectors.published_commitments(tenant_id=tenant_id, customer_tier="premium")
    # "Premium" covers every request of its tier, so nothing after it applies to premium
    assert names(premium) == ["Premium"]
    # a contact without a customer has no tier: only policies for every tier
    assert names(selectors.published_commitments(tenant_id=tenant_id, customer_tier="")) == [
        "Hardware by phone",
        "Standard",
    ]


def test_policies_after_an_unpublished_catch_all_never_apply(
    world: factories.World, standards: dict[str, SlaPolicy]
) -> None:
    # given an unpublished policy for every request of every tier before "Hardware by phone"
    standards["draft"].types = []
    standards["draft"].save()
    # then it is not shown, and nothing after it is either: it would always win
    assert names(
        selectors.published_commitments(tenant_id=world.tenant.pk, customer_tier="vip")
    ) == ["VIP urgent incidents"]


def test_commitment_in_words(world: factories.World, standards: dict[str, SlaPolicy]) -> None:
    with translation.override("en"):
        vip, hardware, standard = selectors.published_commitments(
            tenant_id=world.tenant.pk, customer_tier="vip"
        )
    assert [(c.label, c.values) for c in vip.conditions] == [
        ("Priority", "High, Urgent"),  # in the order of the choices
        ("Type", "Incident"),
    ]
    assert [(t.label, t.duration) for t in vip.targets] == [
        ("First response", "30 min"),
        ("Resolution", "4 h"),
    ]
    assert vip.always_open
    assert vip.hours == ()
    assert [(c.label, c.values) for c in hardware.conditions] == [
        ("Channel", "Email, Phone"),
        ("Category", "Hardware › Compressor"),
    ]
    assert [t.duration for t in hardware.targets] == ["1 h", "2 h", "2 h 30 min"]
    assert standard.conditions == ()
    assert [t.duration for t in standard.targets] == ["4 h", "27 h"]
    assert not standard.always_open
    assert [(r.days, r.hours) for r in standard.hours] == [
        ("Mon–Fri", "09:00–12:00, 13:30–18:00"),
        ("Sat", "09:00–12:00"),
    ]
    assert standard.holidays == "China (public holidays and make-up workdays)"
    assert standard.time_zone == "Asia/Shanghai (UTC+08:00)"


def test_no_policies_no_commitments(world: factories.World) -> None:
    assert selectors.published_commitments(tenant_id=world.tenant.pk, customer_tier="vip") == []


# --- page -----------------------------------------------------------------------------------


def test_customer_sees_their_commitments_in_order(
    world: factories.World, standards: dict[str, SlaPolicy]
) -> None:
    response = client_for(world.customer).get(reverse("portal:commitments"))
    assert response.status_code == 200
    page = html(response)
    shown = ["VIP urgent incidents", "Hardware by phone", "Standard"]
    assert [page.index(f'data-testid="commitment-name">{name}<') for name in shown] == sorted(
        page.index(f'data-testid="commitment-name">{name}<') for name in shown
    )
    for hidden in [
        "Premium",
        "Draft standard",
        "Retired standard",
        "Never reached",
        "Other unit standard",
    ]:
        assert hidden not in page
    assert "24×7" in page
    assert "Mon–Fri" in page
    assert "09:00–12:00, 13:30–18:00" in page
    assert "2 h 30 min" in page
    assert "Asia/Shanghai (UTC+08:00)" in page
    assert 'href="/portal/commitments/"' in page  # the nav link


def test_a_standard_tier_customer_does_not_see_vip_commitments(
    world: factories.World, standards: dict[str, SlaPolicy]
) -> None:
    page = html(client_for(world.customer2).get(URL))
    assert "Hardware by phone" in page
    assert "VIP urgent incidents" not in page


def test_other_tenant_customer_sees_only_their_units_commitments(
    world: factories.World, standards: dict[str, SlaPolicy]
) -> None:
    page = html(client_for(world.other_customer).get(URL))
    assert "Other unit standard" in page
    assert 'data-testid="commitment-name">Standard<' not in page
    assert "Hardware by phone" not in page


def test_empty_state_when_nothing_is_published(world: factories.World) -> None:
    SlaPolicy.objects.create(
        tenant=world.tenant, name="Internal only", published=False, calendar=office(world.tenant)
    )
    response = client_for(world.customer).get(URL)
    assert response.status_code == 200
    page = html(response)
    assert 'data-testid="empty"' in page
    assert "No service commitments are published for your account yet." in page
    assert "Internal only" not in page


def test_anonymous_is_sent_to_login(standards: dict[str, SlaPolicy]) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_are_sent_to_the_agent_queue(
    world: factories.World, standards: dict[str, SlaPolicy]
) -> None:
    for staff in (world.agent, world.admin, world.other_agent):
        response = client_for(staff).get(URL)
        assert response.status_code == 302
        assert response["Location"] == reverse("tickets:ticket_list")


def test_user_without_membership_gets_404(standards: dict[str, SlaPolicy]) -> None:
    client = Client()
    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get(URL).status_code == 404


def test_only_get(world: factories.World) -> None:
    assert client_for(world.customer).post(URL).status_code == 405


def test_query_count_does_not_grow_with_policies(
    world: factories.World, standards: dict[str, SlaPolicy]
) -> None:
    client = client_for(world.customer)
    client.get(URL)  # warm up session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(5):
        extra = SlaPolicy.objects.create(
            tenant=world.tenant,
            name=f"Extra {i}",
            position=5,
            types=["question"],
            calendar=office(world.tenant, f"Office {i}"),
        )
        extra.categories.add(factories.category(world.tenant, f"Cat {i}"))
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_page_renders_in_chinese(world: factories.World, standards: dict[str, SlaPolicy]) -> None:
    # Only what does not need this project's catalog is asserted here: the page language
    # and the weekday names, which come from Django's own translations.
    response = client_for(world.customer).get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = html(response)
    assert '<html lang="zh-hans">' in page
    assert "星期一" in page
    assert "Standard" in page  # names of policies are the tenant's own words
