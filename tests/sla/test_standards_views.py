"""The service standards pages /agent/standards/: policies and calendars, for admins and L2."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from zhongtai.accounts.actors import Actor
from zhongtai.sla.models import BusinessCalendar, CalendarDate, SlaPolicy, WorkingInterval

pytestmark = pytest.mark.django_db

HOME = reverse("standards:home")


def _client(actor: Actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


@pytest.fixture
def office(world: factories.World) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(
        tenant=world.tenant, name="Office", time_zone="Asia/Shanghai", holiday_source=""
    )
    for day in range(5):
        WorkingInterval.objects.create(calendar=calendar, weekday=day, start=time(9), end=time(18))
    return calendar


def _policy(world: factories.World, calendar: BusinessCalendar, name: str, **kw: Any) -> SlaPolicy:
    values = {"first_response_minutes": 60, "resolution_minutes": 480, **kw}
    return SlaPolicy.objects.create(tenant=world.tenant, name=name, calendar=calendar, **values)


def _form(office: BusinessCalendar, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "VIP outages",
        "calendar": str(office.pk),
        "is_active": "on",
        "published": "on",
        "customer_tiers": ["vip"],
        "priorities": ["urgent", "high"],
        "first_response_minutes": "15",
        "resolution_minutes": "240",
        "warn_at_percent": "75，90",
        "breach_actions": ["notify", "escalate"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_and_l2_see_policies_in_order_and_calendars(world, office):
    _policy(world, office, "Complaints", position=10, types=["complaint"])
    _policy(world, office, "Standard", position=20)
    for actor in (world.admin, world.l2):
        response = _client(actor).get(HOME)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("Complaints") < html.index("Standard")
        assert 'data-testid="calendar-row"' in html
        assert "Mon–Fri 09:00–18:00" in html
        assert 'data-testid="nav-standards"' in html


@pytest.mark.parametrize("role", ["agent", "lead", "l3"])
def test_other_staff_are_refused(world, office, role):
    assert _client(getattr(world, role)).get(HOME).status_code == 403
    policy = _policy(world, office, "Standard")
    response = _client(getattr(world, role)).post(
        reverse("standards:policy_delete", args=[policy.pk])
    )
    assert response.status_code == 403
    assert SlaPolicy.objects.filter(pk=policy.pk).exists()


def test_customers_and_strangers_do_not_find_the_pages(world):
    assert _client(world.customer).get(HOME).status_code == 404
    assert Client().get(HOME).status_code == 302  # to the login


def test_create_a_policy_goes_last_and_keeps_what_was_typed(world, office):
    _policy(world, office, "Standard", position=10)
    response = _client(world.l2).post(reverse("standards:policy_create"), _form(office))
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(name="VIP outages")
    assert policy.position > 10
    assert policy.customer_tiers == ["vip"]
    assert policy.priorities == ["urgent", "high"]
    assert policy.warn_at_percent == [75, 90]
    assert policy.breach_actions == ["notify", "escalate"]
    assert (policy.first_response_minutes, policy.next_response_minutes) == (15, None)


@pytest.mark.parametrize(
    ("changes", "field_text"),
    [
        ({"first_response_minutes": None, "resolution_minutes": None}, "Set at least one target"),
        ({"warn_at_percent": "75, 120"}, "between 1 and 99"),
        ({"priorities": ["someday"]}, "someday"),
        ({"name": ""}, "required"),
        ({"first_response_minutes": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_policy_input_stores_nothing(world, office, changes, field_text):
    response = _client(world.admin).post(
        reverse("standards:policy_create"), _form(office, **changes)
    )
    assert response.status_code == 422
    assert field_text in response.content.decode()
    assert not SlaPolicy.objects.filter(tenant=world.tenant).exists()


def test_another_units_calendar_or_policy_is_not_there(world, office):
    theirs = BusinessCalendar.objects.create(tenant=world.other_tenant, name="Theirs")
    response = _client(world.admin).post(
        reverse("standards:policy_create"), _form(office, calendar=str(theirs.pk))
    )
    assert response.status_code == 422
    their_policy = SlaPolicy.objects.create(tenant=world.other_tenant, name="X", calendar=theirs)
    client = _client(world.admin)
    assert client.get(reverse("standards:policy_edit", args=[their_policy.pk])).status_code == 404
    assert (
        client.post(reverse("standards:policy_delete", args=[their_policy.pk])).status_code == 404
    )
    assert client.get(reverse("standards:calendar_edit", args=[theirs.pk])).status_code == 404
    assert SlaPolicy.objects.filter(pk=their_policy.pk).exists()


def test_edit_move_and_delete_a_policy(world, office):
    first = _policy(world, office, "First", position=10)
    second = _policy(world, office, "Second", position=20)
    client = _client(world.admin)
    response = client.post(
        reverse("standards:policy_edit", args=[second.pk]), _form(office, name="Second, renamed")
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.name == "Second, renamed"
    client.post(reverse("standards:policy_move", args=[second.pk]), {"direction": "up"})
    order = list(SlaPolicy.objects.filter(tenant=world.tenant).values_list("pk", flat=True))
    assert order == [second.pk, first.pk]
    client.post(reverse("standards:policy_delete", args=[first.pk]))
    assert list(SlaPolicy.objects.filter(tenant=world.tenant)) == [second]


def test_create_a_calendar_with_hours_around_lunch(world):
    data = {
        "name": "Service desk",
        "time_zone": "Asia/Shanghai",
        "holiday_source": "",
        "day_0": "09:00-12:00, 13:30-18:00",
        "day_5": "10:00–14:00",
    }
    response = _client(world.admin).post(reverse("standards:calendar_create"), data)
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(tenant=world.tenant, name="Service desk")
    spans = list(calendar.intervals.values_list("weekday", "start", "end"))
    assert spans == [
        (0, time(9), time(12)),
        (0, time(13, 30), time(18)),
        (5, time(10), time(14)),
    ]


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        ("09:00-12:00, 11:00-13:00", "overlap"),
        ("18:00-09:00", "end after they start"),
        ("nine to five", "09:00-12:00"),
    ],
)
def test_bad_hours_store_nothing(world, office, hours, text):
    data = {"name": "Office", "time_zone": "Asia/Shanghai", "holiday_source": "", "day_0": hours}
    response = _client(world.admin).post(reverse("standards:calendar_edit", args=[office.pk]), data)
    assert response.status_code == 422
    assert text in response.content.decode()
    assert office.intervals.count() == 5


def test_a_date_set_by_hand_and_cleared(world, office):
    client = _client(world.l2)
    url = reverse("standards:calendar_date_set", args=[office.pk])
    client.post(url, {"date": "2026-12-31", "kind": "closed", "name": "Year-end stocktake"})
    row = CalendarDate.objects.get(calendar=office)
    assert (row.date, row.kind, row.source) == (date(2026, 12, 31), "closed", "manual")
    page = client.get(reverse("standards:calendar_edit", args=[office.pk])).content.decode()
    assert "Year-end stocktake" in page
    clear = reverse("standards:calendar_date_clear", args=[office.pk, "2026-12-31"])
    assert client.post(clear).status_code == 302
    assert not CalendarDate.objects.filter(calendar=office).exists()
    assert client.post(clear).status_code == 404  # nothing set by hand any more


def test_loading_chinese_holidays(world, office):
    office.holiday_source = "CN"
    office.save()
    client = _client(world.admin)
    response = client.post(reverse("standards:calendar_holidays", args=[office.pk]), follow=True)
    assert response.status_code == 200
    assert office.holiday_years.count() == 2
    assert CalendarDate.objects.filter(calendar=office, source="library").exists()
