"""What agents see of the clocks: queue badges, the "breaching soon" queue, the ticket panel."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests import factories
from tests.tickets.test_views import client_for
from zhongtai.sla import sweep
from zhongtai.sla.models import BusinessCalendar, SlaPolicy
from zhongtai.tickets import services

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def policy(world):
    calendar = BusinessCalendar.objects.create(
        tenant=world.tenant, name="24×7", always_open=True, holiday_source=""
    )
    return SlaPolicy.objects.create(
        tenant=world.tenant,
        name="Standard support",
        calendar=calendar,
        first_response_minutes=60,
        resolution_minutes=480,
        warn_at_percent=[75],
    )


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_queue_rows_show_the_most_urgent_clock_in_business_time(world, policy):
    with time_machine.travel(T0, tick=False):
        ticket = factories.ticket(world.customer, subject="Compressor alarm")
    with time_machine.travel(_at(20), tick=False):
        page = _text(client_for(world.agent).get(reverse("tickets:ticket_list") + "?queue=open"))
    assert f'id="sla-{ticket.number}"' in page
    assert "40 min left" in page
    assert "First response" in page
    with time_machine.travel(_at(50), tick=False):
        page = _text(client_for(world.agent).get(reverse("tickets:ticket_list") + "?queue=open"))
    assert "text-bg-warning" in page  # past the 75 % warning: at risk
    with time_machine.travel(_at(70), tick=False):
        page = _text(client_for(world.agent).get(reverse("tickets:ticket_list") + "?queue=open"))
    assert "Overdue" in page


def test_breaching_soon_lists_running_clocks_by_time_left(world, policy):
    with time_machine.travel(T0, tick=False):
        later = factories.ticket(world.agent, subject="Later one", priority="urgent")
    with time_machine.travel(_at(-30), tick=False):
        sooner = factories.ticket(world.customer, subject="Sooner one")
    with time_machine.travel(_at(-10), tick=False):
        waiting = factories.ticket(world.customer, subject="Waiting one")
        services.ticket_reply(
            actor=world.agent, ticket=waiting, body="Which model?", then_status="pending_customer"
        )
    other = factories.ticket(world.other_customer, subject="Other unit")
    with time_machine.travel(_at(5), tick=False):
        page = _text(
            client_for(world.agent).get(reverse("tickets:ticket_list") + "?queue=breaching")
        )
    assert page.index("Sooner one") < page.index("Later one")
    assert "Waiting one" not in page  # paused: no due time
    assert "Other unit" not in page
    assert "Breaching soon" in page
    # the other filters still apply
    filtered = _text(
        client_for(world.agent).get(
            reverse("tickets:ticket_list") + "?queue=breaching&priority=urgent"
        )
    )
    assert "Sooner one" not in filtered
    assert "Later one" in filtered
    assert {sooner.tenant_id, later.tenant_id} == {world.tenant.pk}
    assert other.tenant_id == world.other_tenant.pk


def test_the_ticket_page_shows_every_clock_and_refreshes_its_panel(world, policy):
    with time_machine.travel(T0, tick=False):
        ticket = factories.ticket(world.customer)
    with time_machine.travel(_at(30), tick=False):
        services.ticket_reply(actor=world.agent, ticket=ticket, body="On it.")
    client = client_for(world.agent)
    with time_machine.travel(_at(40), tick=False):
        page = _text(client.get(reverse("tickets:ticket_detail", args=[ticket.number])))
        panel = _text(client.get(reverse("tickets:ticket_sla", args=[ticket.number])))
    for html in (page, panel):
        assert 'data-testid="sla-panel"' in html
        assert "Met in 30 min" in html
        assert "7 h 20 min left" in html  # resolution: 480 - 40
        assert "Standard support" in html
    assert 'hx-trigger="every 60s"' in panel
    # the timeline tells the story
    assert "started the SLA clocks of “Standard support”" in page
    assert "met the first response target in 30 min" in page


def test_queue_badges_refresh_out_of_band_for_the_own_unit_only(world, policy):
    mine = factories.ticket(world.customer)
    theirs = factories.ticket(world.other_customer)
    url = reverse("tickets:queue_sla")
    response = client_for(world.agent).get(url, {"n": [mine.number, theirs.number + 1000]})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="sla-{mine.number}"' in html
    assert 'hx-swap-oob="true"' in html
    assert html.count("sla-badge") == 1
    assert "left" in html
    # numbers are per unit: the other unit's agent gets their own ticket, without our clock
    other = client_for(world.other_agent).get(url, {"n": [mine.number]})
    assert other.status_code == 200
    assert theirs.number == mine.number
    assert "left" not in other.content.decode()


@pytest.mark.parametrize("bad", [["x"], ["-1"], ["1" * 13], [str(n) for n in range(101)]])
def test_queue_badges_refuse_bad_numbers(world, bad):
    response = client_for(world.agent).get(reverse("tickets:queue_sla"), {"n": bad})
    assert response.status_code == 400


def test_queue_badges_are_for_staff_only(world):
    response = client_for(world.customer).get(reverse("tickets:queue_sla"), {"n": ["1"]})
    assert response.status_code == 404


def test_a_breach_shows_on_the_timeline_as_the_system(world, policy):
    with time_machine.travel(T0, tick=False):
        ticket = factories.ticket(world.customer)
    sweep.sla_sweep(now=_at(61))
    page = _text(
        client_for(world.agent).get(reverse("tickets:ticket_detail", args=[ticket.number]))
    )
    assert "the first response target was breached" in page
    assert "System" in page


# --- The API ------------------------------------------------------------------------------


def test_the_api_gives_each_clock_of_a_ticket(world, policy, api_for):
    with time_machine.travel(T0, tick=False):
        ticket = factories.ticket(world.customer)
    with time_machine.travel(_at(15), tick=False):
        response = api_for(world.agent).get(f"/tickets/{ticket.number}/sla")
    assert response.status_code == 200
    clocks = {c["target"]: c for c in response.json()}
    assert set(clocks) == {"first_response", "resolution"}
    assert clocks["first_response"]["state"] == "running"
    assert clocks["first_response"]["minutes_left"] == pytest.approx(45)
    assert clocks["first_response"]["due_at"].startswith("2025-06-02T02:00:00")
    assert clocks["resolution"]["policy"] == "Standard support"


def test_the_api_clocks_are_for_staff_of_the_unit(world, policy, api_for):
    ticket = factories.ticket(world.customer)
    assert api_for(world.customer).get(f"/tickets/{ticket.number}/sla").status_code == 403
    assert api_for(world.other_agent).get(f"/tickets/{ticket.number}/sla").status_code == 404
    assert api_for(world.agent).get("/tickets/999999/sla").status_code == 404
    assert api_for(world.agent).get("/tickets/abc/sla").status_code in (400, 404, 422)
