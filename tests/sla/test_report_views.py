"""The SLA report page /agent/reports/sla/: who sees it, defaults, filters, bad input."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.sla import report_scene
from zhongtai.accounts.actors import Actor
from zhongtai.core.permissions import Role

pytestmark = pytest.mark.django_db

URL = reverse("reports:sla_report")
MAY = {"from": "2024-05-01", "to": "2024-05-31"}


def _client(actor: Actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def _chart(html: str) -> dict[str, Any]:
    match = re.search(r'<script id="sla-report-data" type="application/json">(.*?)</script>', html)
    assert match, "the chart data is missing"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_lead_sees_attainment_distribution_and_chart_data(world: factories.World) -> None:
    report_scene.build(world)

    response = _client(world.lead).get(URL, {**MAY, "group_by": "team"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="attainment-row"' in html
    assert "Service engineering" in html
    assert "83.3 %" in html  # Frontline: 5 of 6 decided
    assert "75.0 %" in html  # the whole month
    assert "25 min" in html  # first response: median
    assert "37 min" in html  # first response: p90
    assert "7 h 30 min" in html  # resolution median: 450 business minutes
    chart = _chart(html)
    assert chart["attainment"]["labels"] == ["Frontline", "Service engineering"]
    assert chart["attainment"]["percent"] == [83.3, 50.0]
    assert chart["histogram"]["series"][0]["data"] == [1, 2, 1, 0, 0, 0, 0, 0, 0, 0]
    assert "vendor/echarts/echarts.min.js" in html
    assert "zhongtai/sla_report.js" in html
    assert " style=" not in html  # the CSP forbids inline styles


def test_defaults_are_the_last_30_local_days_by_team(world: factories.World) -> None:
    # 2024-06-10 20:00 UTC is already June 11 in Shanghai.
    with time_machine.travel(datetime(2024, 6, 10, 20, 0, tzinfo=UTC), tick=False):
        response = _client(world.l2).get(URL)

    assert response.status_code == 200
    assert response.context["values"] == {
        "from": "2024-05-13",
        "to": "2024-06-11",
        "group_by": "team",
        "target": "",
    }
    assert response.context["report"].date_from.isoformat() == "2024-05-13"


def test_target_and_grouping_filters(world: factories.World) -> None:
    report_scene.build(world)

    response = _client(world.admin).get(
        URL, {**MAY, "group_by": "priority", "target": "first_response"}
    )

    report = response.context["report"]
    assert [(row.label, row.total) for row in report.rows] == [
        ("Low", 1),
        ("Normal", 2),
        ("High", 1),
        ("Urgent", 1),
    ]
    assert '<option value="priority" selected>' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2024-05-31", "to": "2024-05-01"}, "before the start date"),
        ({"from": "2024-01-01", "to": "2025-06-01"}, "at most 366 days"),
        ({"from": "someday", "to": "2024-05-01"}, "valid date"),
        ({**MAY, "group_by": "customer"}, "valid choice"),
    ],
)
def test_bad_filters_show_errors_with_400(
    world: factories.World, params: dict[str, str], message: str
) -> None:
    response = _client(world.lead).get(URL, params)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="report-errors"' in html
    assert message in html
    assert "sla-report-data" not in html


def test_other_business_unit_sees_only_its_own(world: factories.World) -> None:
    report_scene.build(world)
    other_lead = factories.actor(world.other_tenant, Role.LEAD, "other_lead")

    report = _client(other_lead).get(URL, {**MAY, "group_by": "team"}).context["report"]

    assert [(row.label, row.total) for row in report.rows] == [("Other frontline", 2)]


def test_plain_agent_is_refused_and_customer_finds_nothing(world: factories.World) -> None:
    assert _client(world.agent).get(URL).status_code == 403
    assert _client(world.other_agent).get(URL).status_code == 403
    assert _client(world.customer).get(URL).status_code == 404
    assert Client().get(URL).status_code == 302


def test_navigation_links_the_report_for_those_who_may_see_it(world: factories.World) -> None:
    queue = reverse("tickets:ticket_list")

    assert 'data-testid="nav-reports"' in _client(world.lead).get(queue).content.decode()
    assert 'data-testid="nav-reports"' not in _client(world.agent).get(queue).content.decode()


def test_page_query_count(world: factories.World, django_assert_max_num_queries: Any) -> None:
    report_scene.build(world)
    client = _client(world.lead)
    client.get(URL, MAY)  # warm the session

    # session, user, membership; grouped counts, team names; histogram, percentiles; the
    # tenant switcher's memberships; the header's routing status. (PostgreSQL: +3 for each
    # of the two nested transactions that raise work_mem.)
    with django_assert_max_num_queries(9 if connection.vendor == "sqlite" else 9 + 6):
        assert client.get(URL, MAY).status_code == 200
