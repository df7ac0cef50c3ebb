"""Writes of service standards over the API: policies, their order, calendars and dates.

Only a unit's administrators and L2 engineers (``standards.manage``) may write; another
unit's ids do not exist; invalid input is refused field by field and stores nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from tests import factories
from tests.support import problem as _problem
from zhongtai.accounts.actors import Actor
from zhongtai.core.permissions import Role
from zhongtai.sla import services
from zhongtai.sla.choices import Target
from zhongtai.sla.models import (
    BusinessCalendar,
    CalendarDate,
    HolidayYear,
    SlaPolicy,
    SlaTimer,
    WorkingInterval,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)
OFFICE_HOURS = [
    {"weekday": day, "start": start, "end": end}
    for day in range(5)
    for start, end in (("09:00", "12:00"), ("13:30", "18:00"))
]


def _fields(response: Any) -> list[str]:
    return [error["field"] for error in _problem(response, 422, "invalid")["errors"]]


def _put(client: Any, path: str, data: Any) -> Any:
    return client.put(path, data)


def _stored() -> tuple[Any, ...]:
    """Everything a standards write could change, to compare before and after a refusal."""
    return (
        list(SlaPolicy.objects.order_by("pk").values()),
        list(SlaPolicy.categories.through.objects.order_by("pk").values()),
        list(BusinessCalendar.objects.order_by("pk").values()),
        list(WorkingInterval.objects.order_by("pk").values()),
        list(CalendarDate.objects.order_by("pk").values()),
        list(HolidayYear.objects.order_by("pk").values("calendar_id", "year", "known")),
    )


def _calendar(actor: Actor, name: str, **changes: Any) -> BusinessCalendar:
    values: dict[str, Any] = {
        "name": name,
        "intervals": [(day, time(9), time(18)) for day in range(5)],
    }
    values.update(changes)
    return services.calendar_save(actor=actor, data=services.CalendarInput(**values))


def _policy(actor: Actor, name: str, calendar: BusinessCalendar, **changes: Any) -> SlaPolicy:
    values: dict[str, Any] = {"name": name, "calendar_id": calendar.pk}
    values.update(changes)
    values.setdefault("first_response_minutes", 60)
    return services.policy_save(actor=actor, data=services.PolicyInput(**values))


def _policy_body(calendar: BusinessCalendar, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Complaints",
        "calendar_id": calendar.pk,
        "first_response_minutes": 30,
        "resolution_minutes": 600,
        "priorities": ["high", "urgent"],
        "types": ["complaint"],
        "warn_at_percent": [90, 75],
        "breach_actions": ["notify", "reassign"],
    }
    body.update(changes)
    return body


def _calendar_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Beijing office",
        "time_zone": "Asia/Shanghai",
        "holiday_source": "",
        "working_hours": OFFICE_HOURS,
    }
    body.update(changes)
    return body


@pytest.fixture
def office(world: factories.World) -> BusinessCalendar:
    return _calendar(world.admin, "Office")


@pytest.fixture
def default(world: factories.World, office: BusinessCalendar) -> SlaPolicy:
    return _policy(world.admin, "Default", office, resolution_minutes=900)


@pytest.fixture
def other_admin(world: factories.World) -> Actor:
    return factories.actor(world.other_tenant, Role.ADMIN, "other_admin")


@pytest.fixture
def theirs(other_admin: Actor) -> dict[str, Any]:
    calendar = _calendar(other_admin, "Theirs")
    return {"calendar": calendar, "policy": _policy(other_admin, "Theirs", calendar)}


# --- policies ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "l2"])
def test_a_new_policy_is_tried_last(world, api_for, default, office, role):
    hardware = factories.category(world.tenant, "Hardware")

    response = api_for(getattr(world, role)).post(
        "/sla/policies", _policy_body(office, category_ids=[hardware.pk])
    )

    assert response.status_code == 201, response.content
    policy = response.json()
    assert policy["name"] == "Complaints"
    assert policy["position"] > default.position
    assert policy["conditions"] == {
        "customer_tiers": [],
        "priorities": ["high", "urgent"],
        "types": ["complaint"],
        "channels": [],
        "category_ids": [hardware.pk],
    }
    assert policy["targets"] == {
        "first_response_minutes": 30,
        "next_response_minutes": None,
        "resolution_minutes": 600,
    }
    assert policy["warn_at_percent"] == [75, 90]
    assert (policy["is_active"], policy["published"]) == (True, True)
    listed = api_for(world.agent).get("/sla/policies").json()
    assert [p["name"] for p in listed] == ["Default", "Complaints"]
    assert listed[1] == policy


@pytest.mark.parametrize("role", ["admin", "l2"])
def test_a_policy_is_replaced_as_a_whole(world, api_for, office, role):
    hardware = factories.category(world.tenant, "Hardware")
    vip = _policy(world.admin, "VIP", office, customer_tiers=["vip"], category_ids=[hardware.pk])
    always = _calendar(world.admin, "24×7", always_open=True, intervals=[])

    response = _put(
        api_for(getattr(world, role)),
        f"/sla/policies/{vip.pk}",
        {"name": "VIP outages", "calendar_id": always.pk, "resolution_minutes": 240},
    )

    assert response.status_code == 200, response.content
    policy = response.json()
    assert (policy["id"], policy["name"], policy["calendar_id"]) == (
        vip.pk,
        "VIP outages",
        always.pk,
    )
    assert policy["conditions"]["customer_tiers"] == []  # left out: back to "any"
    assert policy["conditions"]["category_ids"] == []
    assert policy["targets"]["first_response_minutes"] is None
    vip.refresh_from_db()
    assert (vip.name, vip.resolution_minutes, vip.first_response_minutes) == (
        "VIP outages",
        240,
        None,
    )
    assert list(vip.categories.all()) == []


@pytest.mark.parametrize("role", ["admin", "l2"])
def test_a_policy_is_deleted(world, api_for, default, role):
    client = api_for(getattr(world, role))

    response = client.delete(f"/sla/policies/{default.pk}")

    assert response.status_code == 204, response.content
    assert response.content == b""
    assert not SlaPolicy.objects.filter(pk=default.pk).exists()
    _problem(client.delete(f"/sla/policies/{default.pk}"), 404, "not_found")


@pytest.mark.parametrize("role", ["admin", "l2"])
def test_moving_a_policy_renumbers_the_order(world, api_for, office, default, role):
    vip = _policy(world.admin, "VIP", office)
    outage = _policy(world.admin, "Outage", office)
    client = api_for(getattr(world, role))

    response = client.post(f"/sla/policies/{outage.pk}/move", {"index": 0})

    assert response.status_code == 200, response.content
    assert [(p["name"], p["position"]) for p in response.json()] == [
        ("Outage", 10),
        ("Default", 20),
        ("VIP", 30),
    ]
    response = client.post(f"/sla/policies/{outage.pk}/move", {"index": 2})
    assert [p["id"] for p in response.json()] == [default.pk, vip.pk, outage.pk]


def test_a_place_outside_the_order_is_refused(world, api_for, default):
    before = _stored()

    response = api_for(world.admin).post(f"/sla/policies/{default.pk}/move", {"index": 1})

    assert _fields(response) == ["index"]
    assert _fields(
        api_for(world.admin).post(f"/sla/policies/{default.pk}/move", {"index": -1})
    ) == ["index"]
    assert _stored() == before


@pytest.mark.django_db(transaction=True)
def test_a_policy_change_recomputes_the_open_tickets_clocks(world, api_for):
    # given an open ticket whose first response is due in 60 business minutes
    HUEY.flush()
    always = _calendar(world.admin, "24×7", always_open=True, intervals=[])
    policy = _policy(world.admin, "Everything", always, first_response_minutes=60)
    with time_machine.travel(T0, tick=False):
        ticket = factories.ticket(world.customer)
    HUEY.flush()  # the set-up's own recomputes

    # when the policy's target becomes 30 minutes
    response = _put(
        api_for(world.l2),
        f"/sla/policies/{policy.pk}",
        {"name": "Everything", "calendar_id": always.pk, "first_response_minutes": 30},
    )

    # then a recompute waits in the queue, and a worker moves the due time
    assert response.status_code == 200, response.content
    assert HUEY.pending_count() == 1
    assert _drain() == 1
    assert _first_response_minutes(ticket) == 30
    timer = SlaTimer.objects.get(
        ticket=ticket, target=Target.FIRST_RESPONSE, cancelled_at__isnull=True
    )
    assert timer.due_at == datetime(2025, 6, 2, 1, 30, tzinfo=UTC)
    HUEY.flush()


def _drain() -> int:
    """Run what the queue holds, as a worker would."""
    count = 0
    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
        count += 1
    return count


def _first_response_minutes(ticket: Any) -> int:
    timer = SlaTimer.objects.get(
        ticket=ticket, target=Target.FIRST_RESPONSE, cancelled_at__isnull=True
    )
    return timer.target_minutes


@pytest.mark.django_db(transaction=True)
def test_moving_a_policy_recomputes_with_the_new_order(world, api_for):
    # given two policies that cover every ticket; the first one (60 minutes) applies
    HUEY.flush()
    always = _calendar(world.admin, "24×7", always_open=True, intervals=[])
    _policy(world.admin, "Slow", always, first_response_minutes=60)
    fast = _policy(world.admin, "Fast", always, first_response_minutes=30)
    ticket = factories.ticket(world.customer)
    assert _first_response_minutes(ticket) == 60
    HUEY.flush()

    # when the second one is moved first
    response = api_for(world.admin).post(f"/sla/policies/{fast.pk}/move", {"index": 0})

    # then the recompute applies it
    assert response.status_code == 200, response.content
    assert _drain() == 1
    assert _first_response_minutes(ticket) == 30
    HUEY.flush()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"priorities": ["someday"]}, "priorities.0"),
        ({"customer_tiers": ["gold"]}, "customer_tiers.0"),
        ({"breach_actions": ["panic"]}, "breach_actions.0"),
        ({"first_response_minutes": 0}, "first_response_minutes"),
        ({"resolution_minutes": 525_601}, "resolution_minutes"),
        ({"first_response_minutes": None, "resolution_minutes": None}, "first_response_minutes"),
        ({"warn_at_percent": [75, 100]}, "warn_at_percent.1"),
        ({"name": "Default"}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "Nul\x00"}, "name"),
        ({"calendar_id": 0}, "calendar_id"),
        ({"category_ids": [2**64]}, "category_ids.0"),
        ({"first_response_minutes": "soon"}, "first_response_minutes"),
        ({"priorities": "high"}, "priorities"),
        ({"is_active": "maybe"}, "is_active"),
        ({"position": 1}, "position"),
    ],
)
def test_invalid_policies_are_refused_and_nothing_is_stored(
    world, api_for, office, default, changes, field
):
    other = _policy(world.admin, "Other", office)
    client = api_for(world.admin)
    before = _stored()

    created = client.post("/sla/policies", _policy_body(office, **changes))
    replaced = _put(client, f"/sla/policies/{other.pk}", _policy_body(office, **changes))

    assert _fields(created) == [field]
    assert _fields(replaced) == [field]
    assert _stored() == before


def test_malformed_json_is_a_bad_request(world, api_for, office, default):
    client = api_for(world.admin)
    before = _stored()

    response = client.raw("post", "/sla/policies", b'{"name": ', "application/json")

    _problem(response, 400, "bad_request")
    assert _fields(client.raw("post", "/sla/policies", b"[]", "application/json"))
    assert _fields(client.post(f"/sla/policies/{default.pk}/move", {"index": "first"})) == ["index"]
    assert _stored() == before


def test_a_calendar_or_category_of_another_unit_is_refused(world, api_for, office, theirs):
    client = api_for(world.admin)
    their_category = factories.category(world.other_tenant, "Theirs")
    before = _stored()

    calendar = client.post("/sla/policies", _policy_body(theirs["calendar"]))
    category = client.post("/sla/policies", _policy_body(office, category_ids=[their_category.pk]))

    assert _fields(calendar) == ["calendar_id"]
    assert _fields(category) == ["category_ids"]
    assert _stored() == before


# --- who may write ---------------------------------------------------------------------

WRITES = [
    ("post", "/sla/policies", "policy_body"),
    ("put", "/sla/policies/{policy}", "policy_body"),
    ("delete", "/sla/policies/{policy}", None),
    ("post", "/sla/policies/{policy}/move", {"index": 0}),
    ("post", "/sla/calendars", "calendar_body"),
    ("put", "/sla/calendars/{calendar}", "calendar_body"),
    ("put", "/sla/calendars/{calendar}/dates/2025-10-01", {"kind": "closed", "name": "Holiday"}),
    ("delete", "/sla/calendars/{calendar}/dates/2025-10-01", None),
    ("post", "/sla/calendars/{calendar}/holidays", None),
]


def _write(client: Any, method: str, path: str, body: Any, calendar: BusinessCalendar) -> Any:
    if body == "policy_body":
        body = _policy_body(calendar, name="Written")
    elif body == "calendar_body":
        body = _calendar_body(name="Written")
    if method == "put":
        return _put(client, path, body)
    if method == "delete":
        return client.delete(path)
    return client.post(path, body)


@pytest.mark.parametrize("role", ["agent", "lead", "l3", "customer"])
@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_roles_without_standards_manage_may_not_write(
    world, api_for, office, default, role, method, path, body
):
    services.calendar_date_set(
        actor=world.admin, calendar_id=office.pk, day=date(2025, 10, 1), kind="closed"
    )
    url = path.format(policy=default.pk, calendar=office.pk)
    before = _stored()

    response = _write(api_for(getattr(world, role)), method, url, body, office)

    _problem(response, 403, "permission_denied")
    assert _stored() == before


@pytest.mark.parametrize(("method", "path", "body"), [w for w in WRITES if "{" in w[1]])
def test_another_units_standards_do_not_exist(
    world, api_for, office, other_admin, theirs, method, path, body
):
    services.calendar_date_set(
        actor=other_admin, calendar_id=theirs["calendar"].pk, day=date(2025, 10, 1), kind="closed"
    )
    url = path.format(policy=theirs["policy"].pk, calendar=theirs["calendar"].pk)
    before = _stored()

    response = _write(api_for(world.admin), method, url, body, office)

    _problem(response, 404, "not_found")
    assert _stored() == before


# --- calendars ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "l2"])
def test_a_new_calendar_loads_its_public_holidays(world, api_for, role):
    with time_machine.travel(T0, tick=False):
        response = api_for(getattr(world, role)).post(
            "/sla/calendars", _calendar_body(holiday_source="CN")
        )

    assert response.status_code == 201, response.content
    calendar = response.json()
    assert (calendar["name"], calendar["time_zone"], calendar["always_open"]) == (
        "Beijing office",
        "Asia/Shanghai",
        False,
    )
    assert calendar["working_hours"][:2] == [
        {"weekday": 0, "start": "09:00:00", "end": "12:00:00"},
        {"weekday": 0, "start": "13:30:00", "end": "18:00:00"},
    ]
    assert len(calendar["working_hours"]) == 10
    assert calendar["holiday_years"] == [
        {"year": 2025, "known": True},
        {"year": 2026, "known": True},
    ]
    national_day = next(d for d in calendar["dates"] if d["date"] == "2025-10-01")
    assert (national_day["kind"], national_day["source"]) == ("closed", "library")
    assert BusinessCalendar.objects.get(pk=calendar["id"]).tenant == world.tenant


@pytest.mark.parametrize("role", ["admin", "l2"])
def test_a_calendar_is_replaced_with_its_hours(world, api_for, office, role):
    response = _put(
        api_for(getattr(world, role)),
        f"/sla/calendars/{office.pk}",
        _calendar_body(
            name="Office (summer)",
            time_zone="Europe/Berlin",
            working_hours=[{"weekday": 5, "start": "10:00", "end": "14:00"}],
        ),
    )

    assert response.status_code == 200, response.content
    calendar = response.json()
    assert (calendar["id"], calendar["name"], calendar["time_zone"]) == (
        office.pk,
        "Office (summer)",
        "Europe/Berlin",
    )
    assert calendar["working_hours"] == [{"weekday": 5, "start": "10:00:00", "end": "14:00:00"}]
    assert WorkingInterval.objects.filter(calendar=office).count() == 1


def test_a_calendar_made_24x7_drops_its_hours(world, api_for, office):
    response = _put(
        api_for(world.admin), f"/sla/calendars/{office.pk}", _calendar_body(always_open=True)
    )

    assert response.status_code == 200, response.content
    assert response.json()["always_open"] is True
    assert response.json()["working_hours"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "working_hours": [
                    {"weekday": 0, "start": "09:00", "end": "12:00"},
                    {"weekday": 0, "start": "11:00", "end": "14:00"},
                ]
            },
            "working_hours",
        ),
        ({"working_hours": [{"weekday": 0, "start": "18:00", "end": "09:00"}]}, "working_hours"),
        ({"working_hours": [{"weekday": 0, "start": "09:00", "end": "09:00"}]}, "working_hours"),
        ({"working_hours": []}, "working_hours"),
        (
            {"working_hours": [{"weekday": 7, "start": "09:00", "end": "18:00"}]},
            "working_hours.0.weekday",
        ),
        (
            {"working_hours": [{"weekday": 0, "start": "09:00+08:00", "end": "18:00"}]},
            "working_hours.0.start",
        ),
        (
            {"working_hours": [{"weekday": 0, "start": "9 am", "end": "18:00"}]},
            "working_hours.0.start",
        ),
        ({"holiday_source": "XX"}, "holiday_source"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": "Office"}, "name"),
        ({"name": ""}, "name"),
        ({"always_open": "sometimes"}, "always_open"),
        ({"intervals": []}, "intervals"),
    ],
)
def test_invalid_calendars_are_refused_and_nothing_is_stored(
    world, api_for, office, changes, field
):
    other = _calendar(world.admin, "Other")
    client = api_for(world.admin)
    before = _stored()

    created = client.post("/sla/calendars", _calendar_body(**changes))
    replaced = _put(client, f"/sla/calendars/{other.pk}", _calendar_body(**changes))

    assert _fields(created) == [field]
    assert _fields(replaced) == [field]
    assert _stored() == before


# --- dates set by hand -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "l2"])
def test_a_date_is_set_changed_and_cleared_by_hand(world, api_for, office, role):
    client = api_for(getattr(world, role))
    path = f"/sla/calendars/{office.pk}/dates/2025-12-31"

    set_ = _put(client, path, {"kind": "closed", "name": "Year-end stocktaking"})
    changed = _put(client, path, {"kind": "workday"})

    assert set_.status_code == 200, set_.content
    assert set_.json()["id"] == office.pk
    assert set_.json()["dates"] == [
        {
            "date": "2025-12-31",
            "kind": "closed",
            "source": "manual",
            "name": "Year-end stocktaking",
        }
    ]
    assert changed.json()["dates"] == [
        {"date": "2025-12-31", "kind": "workday", "source": "manual", "name": ""}
    ]
    response = client.delete(path)
    assert response.status_code == 204, response.content
    assert not CalendarDate.objects.filter(calendar=office).exists()
    _problem(client.delete(path), 404, "not_found")


def test_only_a_date_set_by_hand_can_be_cleared(world, api_for, office):
    CalendarDate.objects.create(
        calendar=office, date=date(2025, 10, 1), kind="closed", source="library"
    )
    before = _stored()

    response = api_for(world.admin).delete(f"/sla/calendars/{office.pk}/dates/2025-10-01")

    _problem(response, 404, "not_found")
    assert _stored() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("2025-10-01", {"kind": "open"}, "kind"),
        ("2025-10-01", {}, "kind"),
        ("2025-10-01", {"kind": "closed", "name": "x" * 121}, "name"),
        ("2025-10-01", {"kind": "closed", "source": "library"}, "source"),
        ("2025-02-30", {"kind": "closed"}, "date"),
        ("tomorrow", {"kind": "closed"}, "date"),
    ],
)
def test_invalid_dates_are_refused(world, api_for, office, path, body, field):
    before = _stored()

    response = _put(api_for(world.admin), f"/sla/calendars/{office.pk}/dates/{path}", body)

    assert _fields(response) == [field]
    assert _stored() == before


# --- public holidays ---------------------------------------------------------------------


def test_reloading_holidays_names_the_years_the_library_does_not_know(world, api_for):
    calendar = _calendar(world.admin, "Beijing", holiday_source="CN")
    client = api_for(world.l2)

    with time_machine.travel(datetime(2098, 6, 1, tzinfo=UTC), tick=False):
        response = client.post(f"/sla/calendars/{calendar.pk}/holidays")

    assert response.status_code == 200, response.content
    assert response.json() == {"unknown_years": [2098, 2099]}
    [listed] = [c for c in client.get("/sla/calendars").json() if c["id"] == calendar.pk]
    assert {"year": 2099, "known": False} in listed["holiday_years"]

    with time_machine.travel(T0, tick=False):
        response = client.post(f"/sla/calendars/{calendar.pk}/holidays")
    assert response.json() == {"unknown_years": []}
    assert CalendarDate.objects.filter(
        calendar=calendar, date=date(2025, 10, 1), kind="closed", source="library"
    ).exists()


@pytest.mark.parametrize(
    "changes",
    [{"always_open": True, "intervals": [], "holiday_source": "CN"}, {"holiday_source": ""}],
)
def test_a_calendar_without_public_holidays_has_none_to_load(world, api_for, changes):
    calendar = _calendar(world.admin, "No holidays", **changes)
    before = _stored()

    response = api_for(world.admin).post(f"/sla/calendars/{calendar.pk}/holidays")

    _problem(response, 409, "no_holidays")
    assert _stored() == before
