"""The people pages of routing: the header's status switch, the lead's board, a person's
capacity and skills, a team's overflow rule, surge mode and pool."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests import factories
from zhongtai.routing.models import AgentProfile, RoutingSettings, SurgeEnrolment, TeamRouting

pytestmark = pytest.mark.django_db


def _client(actor: Any) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def test_every_staff_page_has_the_status_switch_and_it_goes_back(world):
    agent = _client(world.agent)
    page = agent.get("/agent/")
    assert b'data-testid="status-switch"' in page.content
    answer = agent.post(
        "/agent/routing/status/", {"status": "available", "next": "/agent/?queue=mine"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/agent/?queue=mine"
    assert AgentProfile.objects.get(user=world.agent.user).status == "available"
    outside = agent.post(
        "/agent/routing/status/", {"status": "busy", "next": "https://evil.example/"}
    )
    assert outside["Location"] == "/agent/"
    agent.post("/agent/routing/status/", {"status": "asleep"})
    assert AgentProfile.objects.get(user=world.agent.user).status == "busy"


def test_the_lead_reads_the_board(world):
    AgentProfile.objects.create(tenant=world.tenant, user=world.agent.user, status="available")
    factories.ticket(world.admin, assignee=world.agent.user)
    page = _client(world.lead).get("/agent/routing/people/")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('data-testid="agent-row"') == 6  # the unit's staff, not the other unit's
    assert "Other_Agent" not in text
    assert text.count('data-testid="team-card"') == 3
    assert _client(world.agent).get("/agent/routing/people/").status_code == 403


def test_the_lead_sets_capacity_and_skills(world):
    category = factories.category(world.tenant, "Printers")
    lead = _client(world.lead)
    url = f"/agent/routing/people/{world.agent.user.pk}/"
    assert lead.get(url).status_code == 200
    answer = lead.post(
        url,
        {
            "status": "available",
            "max_open": "4",
            "cap_phone": "1",
            "languages": ["zh"],
            "customer_tiers": ["vip"],
            "categories": [str(category.pk)],
        },
    )
    assert answer.status_code == 302
    profile = AgentProfile.objects.get(user=world.agent.user)
    assert (profile.status, profile.max_open, profile.channel_caps) == (
        "available",
        4,
        {"phone": 1},
    )
    assert (profile.languages, profile.customer_tiers, profile.categories) == (
        ["zh"],
        ["vip"],
        [category.pk],
    )


def test_a_bad_profile_is_shown_again_and_stores_nothing(world):
    lead = _client(world.lead)
    answer = lead.post(f"/agent/routing/people/{world.agent.user.pk}/", {"max_open": "0"})
    assert answer.status_code == 422
    assert not AgentProfile.objects.exists()
    assert lead.get(f"/agent/routing/people/{world.other_agent.user.pk}/").status_code == 404


def test_the_lead_switches_surge_enrols_and_sets_overflow(world):
    lead = _client(world.lead)
    team = world.l1_team.pk
    lead.post(f"/agent/routing/teams/{team}/surge/", {"on": "1"})
    assert TeamRouting.objects.get(team=world.l1_team).surge_on
    lead.post(f"/agent/routing/teams/{team}/surge/enrol/", {"user": str(world.l3.user.pk)})
    assert SurgeEnrolment.objects.filter(team=world.l1_team, user=world.l3.user).exists()
    lead.post(f"/agent/routing/teams/{team}/surge/{world.l3.user.pk}/remove/")
    assert not SurgeEnrolment.objects.exists()
    lead.post(
        f"/agent/routing/teams/{team}/overflow/",
        {"overflow_to": "backup", "backup_team": str(world.l2_team.pk), "max_waiting": "10"},
    )
    routing = TeamRouting.objects.get(team=world.l1_team)
    assert (routing.overflow_to, routing.backup_team, routing.max_waiting) == (
        "backup",
        world.l2_team,
        10,
    )
    bad = lead.post(
        f"/agent/routing/teams/{team}/overflow/", {"overflow_to": "backup"}, follow=True
    )
    assert "Choose the backup team." in bad.content.decode()
    assert TeamRouting.objects.get(team=world.l1_team).max_waiting == 10  # unchanged
    other = world.other_team.pk
    assert lead.post(f"/agent/routing/teams/{other}/surge/", {"on": "1"}).status_code == 404


def test_the_admin_turns_assignment_on_with_a_vip_lane(world):
    admin = _client(world.admin)
    answer = admin.post(
        "/agent/routing/classifier/settings/",
        {
            "confidence_threshold": "0.6",
            "classify_at_intake": "on",
            "auto_assign": "on",
            "vip_team": str(world.l2_team.pk),
        },
    )
    assert answer.status_code == 302
    settings = RoutingSettings.objects.get(tenant=world.tenant)
    assert (settings.auto_assign, settings.vip_team) == (True, world.l2_team)
    other = admin.post(
        "/agent/routing/classifier/settings/",
        {"confidence_threshold": "0.6", "vip_team": str(world.other_team.pk)},
    )
    assert other.status_code == 404
    assert RoutingSettings.objects.get(tenant=world.tenant).auto_assign is True
