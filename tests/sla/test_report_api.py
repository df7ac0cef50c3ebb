"""GET /api/v1/reports/sla/attainment and /distribution: happy path, roles, tenants, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from tests import factories
from tests.sla import report_scene
from tests.support import problem as _problem
from zhongtai.core.permissions import Role

pytestmark = pytest.mark.django_db

ATTAINMENT = "/reports/sla/attainment"
DISTRIBUTION = "/reports/sla/distribution"
MAY = {"from": "2024-05-01", "to": "2024-05-31"}


def test_attainment_by_team(world: factories.World, api_for: Any) -> None:
    report_scene.build(world)

    response = api_for(world.lead).get(ATTAINMENT, **MAY, group_by="team")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["first_day"], body["last_day"], body["group_by"]) == (
        "2024-05-01",
        "2024-05-31",
        "team",
    )
    assert body["target"] is None
    assert [(r["key"], r["label"], r["total"], r["met"], r["open"]) for r in body["rows"]] == [
        (str(world.l1_team.pk), "Frontline", 7, 5, 1),
        (str(world.l2_team.pk), "Service engineering", 2, 1, 0),
    ]
    assert body["rows"][1]["percent_met"] == 50.0
    assert body["total"] == {
        "key": None,
        "label": "Total",
        "total": 9,
        "met": 6,
        "breached": 2,
        "open": 1,
        "percent_met": 75.0,
    }


def test_attainment_of_one_target_for_the_whole_unit(world: factories.World, api_for: Any) -> None:
    report_scene.build(world)

    body = (
        api_for(world.l3).get(ATTAINMENT, **MAY, group_by="tenant", target="first_response").json()
    )

    assert [(r["label"], r["met"], r["breached"], r["percent_met"]) for r in body["rows"]] == [
        ("Shanghai Equipment", 4, 1, 80.0)
    ]
    assert body["target"] == "first_response"


def test_distribution(world: factories.World, api_for: Any) -> None:
    report_scene.build(world)

    response = api_for(world.admin).get(DISTRIBUTION, **MAY)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["buckets"][0] == {"lower_minutes": 0, "upper_minutes": 15, "label": "≤ 15 min"}
    assert body["buckets"][-1]["upper_minutes"] is None
    first, resolution = body["series"]
    assert (first["target"], first["count"], first["median_minutes"]) == (
        "first_response",
        4,
        pytest.approx(25.0),
    )
    assert first["p90_minutes"] == pytest.approx(37.0)
    assert first["histogram"] == [1, 2, 1, 0, 0, 0, 0, 0, 0, 0]
    assert (resolution["count"], resolution["median_minutes"]) == (2, pytest.approx(450.0))


def test_other_business_unit_sees_only_its_own(world: factories.World, api_for: Any) -> None:
    report_scene.build(world)
    other_lead = factories.actor(world.other_tenant, Role.LEAD, "other_lead")

    body = api_for(other_lead).get(ATTAINMENT, **MAY, group_by="team").json()
    distribution = api_for(other_lead).get(DISTRIBUTION, **MAY).json()

    assert [(r["label"], r["total"]) for r in body["rows"]] == [("Other frontline", 2)]
    assert [s["count"] for s in distribution["series"]] == [1, 0]


@pytest.mark.parametrize("role", ["agent", "customer", "other_agent"])
@pytest.mark.parametrize("path", [ATTAINMENT, DISTRIBUTION])
def test_roles_without_the_permission_get_403(
    world: factories.World, api_for: Any, role: str, path: str
) -> None:
    _problem(api_for(getattr(world, role)).get(path, **MAY), 403, "permission_denied")


def test_anonymous_gets_401(client: Any) -> None:
    response = client.get("/api/v1" + ATTAINMENT, MAY)

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2024-05-32", "to": "2024-05-31"}, "from"),
        ({"from": "yesterday", "to": "2024-05-31"}, "from"),
        ({"to": "2024-05-31"}, "from"),
        ({"from": "2024-05-01"}, "to"),
        ({**MAY, "group_by": "customer"}, "group_by"),
        ({**MAY, "target": "lunch"}, "target"),
        ({"from": "2024-05-02", "to": "2024-05-01"}, "to"),
        ({"from": "2024-01-01", "to": "2025-01-02"}, "to"),
        ({"from": "2024-01-01", "to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
    ],
)
def test_bad_input_is_a_422_problem(
    world: factories.World, api_for: Any, params: dict[str, str], field: str
) -> None:
    body = _problem(api_for(world.lead).get(ATTAINMENT, **params), 422, "invalid")

    assert [error["field"] for error in body["errors"]] == [field]


def test_one_day_and_a_whole_year_are_fine(world: factories.World, api_for: Any) -> None:
    api = api_for(world.lead)

    one_day = api.get(DISTRIBUTION, **{"from": "2024-05-01", "to": "2024-05-01"})
    leap_year = api.get(ATTAINMENT, **{"from": "2024-01-01", "to": "2024-12-31"})

    assert (one_day.status_code, leap_year.status_code) == (200, 200)
    assert leap_year.json()["rows"] == []


def test_attainment_query_count(
    world: factories.World, api_for: Any, django_assert_max_num_queries: Any
) -> None:
    report_scene.build(world)
    api = api_for(world.lead)

    # token, grouped counts, team names, the token's throttled touch (PostgreSQL: +3 for the
    # nested transaction that raises work_mem)
    with django_assert_max_num_queries(4 if connection.vendor == "sqlite" else 7):
        assert api.get(ATTAINMENT, **MAY, group_by="team").status_code == 200
