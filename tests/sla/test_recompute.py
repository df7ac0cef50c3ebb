"""Changing the standards recomputes the open tickets' clocks, in a task; the admin form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from huey.contrib.djhuey import HUEY

from tests import factories
from zhongtai.accounts.models import User
from zhongtai.customers.models import Customer
from zhongtai.sla.choices import Target
from zhongtai.sla.clocks import clocks_recompute_open_tickets
from zhongtai.sla.models import BusinessCalendar, SlaPolicy, SlaTimer
from zhongtai.sla.standards import standards_for
from zhongtai.tickets import services

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def always(world):
    return BusinessCalendar.objects.create(
        tenant=world.tenant, name="24×7", always_open=True, holiday_source=""
    )


def _first(ticket):
    return SlaTimer.objects.get(
        ticket=ticket, target=Target.FIRST_RESPONSE, fulfilled_at__isnull=True
    )


@pytest.mark.django_db
def test_a_new_policy_reaches_the_open_tickets_and_not_the_closed(world, always):
    SlaPolicy.objects.create(
        tenant=world.tenant, name="Default", position=9, calendar=always, first_response_minutes=240
    )
    with time_machine.travel(T0, tick=False):
        open_one = factories.ticket(world.customer)
        done = factories.ticket(world.customer)
        services.ticket_transition(actor=world.agent, ticket=done, to_status="resolved")
    SlaPolicy.objects.create(
        tenant=world.tenant,
        name="VIP",
        position=1,
        customer_tiers=["vip"],
        calendar=always,
        first_response_minutes=60,
    )
    Customer.objects.filter(name="Acme").update(tier="vip")
    changed = clocks_recompute_open_tickets(tenant_id=world.tenant.pk, reason="policy")
    assert changed == 1
    timer = _first(open_one)
    assert timer.target_minutes == 60
    assert timer.due_at == T0 + timedelta(minutes=60)  # from the original start
    assert not SlaTimer.objects.filter(
        ticket=done, fulfilled_at__isnull=True, cancelled_at__isnull=True
    ).exists()
    # running it again changes nothing (a retried task is harmless)
    assert clocks_recompute_open_tickets(tenant_id=world.tenant.pk, reason="policy") == 0


@pytest.mark.django_db
def test_a_calendar_edit_is_seen_at_once_in_this_process(world):
    calendar = BusinessCalendar.objects.create(
        tenant=world.tenant, name="Office", holiday_source=""
    )
    SlaPolicy.objects.create(
        tenant=world.tenant, name="Default", calendar=calendar, first_response_minutes=60
    )
    assert not standards_for(world.tenant.pk).calendar(calendar.pk).always_open
    calendar.always_open = True
    calendar.save()
    assert standards_for(world.tenant.pk).calendar(calendar.pk).always_open


@pytest.fixture
def admin_client(world) -> Client:
    boss = User.objects.create_superuser("boss", "boss@example.com", "x-secret-1")
    client = Client()
    client.force_login(boss)
    return client


@pytest.mark.django_db(transaction=True)
def test_the_admin_form_edits_lists_as_checkboxes_and_queues_a_recompute(
    world, always, admin_client
):
    HUEY.flush()
    response = admin_client.post(
        "/admin/sla/slapolicy/add/",
        {
            "tenant": world.tenant.pk,
            "name": "Complaints",
            "position": 5,
            "is_active": "on",
            "published": "on",
            "types": ["complaint"],
            "priorities": ["high", "urgent"],
            "calendar": always.pk,
            "first_response_minutes": 30,
            "resolution_minutes": 600,
            "warn_at_percent": "90, 75",
            "breach_actions": ["notify", "reassign"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = SlaPolicy.objects.get(name="Complaints")
    assert policy.types == ["complaint"]
    assert policy.priorities == ["high", "urgent"]
    assert policy.customer_tiers == []
    assert policy.warn_at_percent == [75, 90]
    assert policy.breach_actions == ["notify", "reassign"]
    assert HUEY.pending_count() == 1  # the open tickets' clocks are recomputed in a task
    HUEY.flush()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("warn_at_percent", "75, x"), ("warn_at_percent", "0"), ("types", "nonsense")],
)
def test_the_admin_form_refuses_bad_lists(world, always, admin_client, field, value):
    data = {
        "tenant": world.tenant.pk,
        "name": "Bad",
        "position": 5,
        "calendar": always.pk,
        "first_response_minutes": 30,
        field: value,
    }
    response = admin_client.post("/admin/sla/slapolicy/add/", data)
    assert response.status_code == 200  # the form again, with the error
    assert not SlaPolicy.objects.filter(name="Bad").exists()
