"""/api/v1/routing/{status,agents,teams,settings,classifier}: happy paths, roles, other
units, bad input (nothing stored)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.support import problem as _problem
from zhongtai.routing.models import (
    AgentProfile,
    ClassifierModel,
    RoutingSettings,
    SurgeEnrolment,
    TeamRouting,
)

pytestmark = pytest.mark.django_db


def test_an_agent_sets_their_own_status(world, api_for):
    agent = api_for(world.agent)
    answer = agent.put("/routing/status", {"status": "available"})
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"status": "available"}
    assert AgentProfile.objects.get(user=world.agent.user).status == "available"
    _problem(agent.put("/routing/status", {"status": "asleep"}), 422)
    _problem(api_for(world.customer).put("/routing/status", {"status": "available"}), 403)


def test_a_lead_reads_the_board_and_sets_capacity_skills_and_status(world, api_for):
    lead = api_for(world.lead)
    printers = factories.category(world.tenant, "Printers")
    body = {
        "max_open": 4,
        "channel_caps": {"phone": 1},
        "category_ids": [printers.pk],
        "languages": ["zh", "en"],
        "customer_tiers": ["vip"],
    }
    answer = lead.put(f"/routing/agents/{world.agent.user.pk}/profile", body)
    assert answer.status_code == 200, answer.content
    row = answer.json()
    assert (row["max_open"], row["channel_caps"], row["languages"]) == (
        4,
        {"phone": 1},
        ["en", "zh"],
    )
    assert row["category_ids"] == [printers.pk]
    answer = lead.put(f"/routing/agents/{world.agent.user.pk}/status", {"status": "away"})
    assert answer.json()["status"] == "away"
    agents = {a["user_id"]: a for a in lead.get("/routing/agents").json()}
    assert agents[world.agent.user.pk]["status"] == "away"
    assert agents[world.agent2.user.pk]["status"] == "offline"  # no profile yet
    assert world.other_agent.user.pk not in agents


def test_a_lead_sets_overflow_switches_surge_and_enrols(world, api_for):
    lead = api_for(world.lead)
    team = world.l1_team.pk
    answer = lead.put(
        f"/routing/teams/{team}/overflow",
        {"overflow_to": "backup", "backup_team_id": world.l2_team.pk, "max_waiting": 20},
    )
    assert answer.status_code == 200, answer.content
    assert (answer.json()["overflow_to"], answer.json()["backup_team_id"]) == (
        "backup",
        world.l2_team.pk,
    )
    assert lead.put(f"/routing/teams/{team}/surge", {"on": True}).json()["surge_on"] is True
    enrolled = lead.post(f"/routing/teams/{team}/surge/enrolments", {"user_id": world.l3.user.pk})
    assert enrolled.status_code == 201, enrolled.content
    assert enrolled.json()["surge_today"] == [world.l3.user.pk]
    again = lead.post(f"/routing/teams/{team}/surge/enrolments", {"user_id": world.l3.user.pk})
    assert again.json()["surge_today"] == [world.l3.user.pk]  # the same as once
    gone = lead.delete(f"/routing/teams/{team}/surge/enrolments/{world.l3.user.pk}")
    assert gone.status_code == 204
    teams = {t["team_id"]: t for t in lead.get("/routing/teams").json()}
    assert teams[team]["surge_today"] == []
    assert teams[team]["surge_on"] is True
    assert world.other_team.pk not in teams


@pytest.mark.parametrize("role", ["agent", "l2", "l3"])
def test_roles_without_team_manage_are_refused(world, api_for, role):
    client = api_for(getattr(world, role))
    team = world.l1_team.pk
    _problem(client.get("/routing/agents"), 403)
    _problem(client.put(f"/routing/agents/{world.agent2.user.pk}/status", {"status": "away"}), 403)
    _problem(client.put(f"/routing/agents/{world.agent2.user.pk}/profile", {"max_open": 3}), 403)
    _problem(client.put(f"/routing/teams/{team}/surge", {"on": True}), 403)
    _problem(
        client.post(f"/routing/teams/{team}/surge/enrolments", {"user_id": world.l3.user.pk}), 403
    )
    _problem(client.put(f"/routing/teams/{team}/overflow", {"overflow_to": ""}), 403)
    assert not AgentProfile.objects.exists()
    assert not TeamRouting.objects.exists()


def test_another_units_people_and_teams_do_not_exist_here(world, api_for):
    lead = api_for(world.lead)
    other_user, other_team = world.other_agent.user.pk, world.other_team.pk
    _problem(lead.put(f"/routing/agents/{other_user}/status", {"status": "away"}), 404)
    _problem(lead.put(f"/routing/agents/{other_user}/profile", {"max_open": 3}), 404)
    _problem(lead.put(f"/routing/teams/{other_team}/surge", {"on": True}), 404)
    _problem(
        lead.post(f"/routing/teams/{world.l1_team.pk}/surge/enrolments", {"user_id": other_user}),
        404,
    )
    _problem(
        lead.put(
            f"/routing/teams/{world.l1_team.pk}/overflow",
            {"overflow_to": "backup", "backup_team_id": other_team, "max_waiting": 3},
        ),
        404,
    )
    _problem(api_for(world.admin).put("/routing/settings", {"vip_team_id": other_team}), 404)
    assert not AgentProfile.objects.exists()
    assert not TeamRouting.objects.exists()
    assert not SurgeEnrolment.objects.exists()
    assert not RoutingSettings.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/routing/agents/{agent}/profile", {"max_open": 0}, 422),
        ("/routing/agents/{agent}/profile", {"channel_caps": {"fax": 1}}, 422),
        ("/routing/agents/{agent}/profile", {"category_ids": [999999]}, 422),
        ("/routing/agents/{agent}/profile", {"languages": ["klingon"]}, 422),
        ("/routing/agents/{agent}/profile", {"customer_tiers": ["gold"]}, 422),
        ("/routing/agents/{agent}/profile", {"max_open": 3, "extra": 1}, 422),
        ("/routing/teams/{team}/overflow", {"overflow_to": "backup", "max_waiting": 3}, 422),
        ("/routing/teams/{team}/overflow", {"overflow_to": "surge"}, 422),
        ("/routing/teams/{team}/overflow", {"overflow_to": "moon", "max_waiting": 3}, 422),
        ("/routing/teams/{team}/overflow", {"overflow_to": "surge", "max_waiting": 0}, 422),
        ("/routing/teams/{team}/surge", {"on": "perhaps"}, 422),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(world, api_for, path, body, status):
    url = path.format(agent=world.agent.user.pk, team=world.l1_team.pk)
    _problem(api_for(world.lead).put(url, body), status)
    assert not AgentProfile.objects.exists()
    assert not TeamRouting.objects.exists()


def test_enrolling_for_a_past_day_is_refused(world, api_for):
    lead = api_for(world.lead)
    answer = lead.post(
        f"/routing/teams/{world.l1_team.pk}/surge/enrolments",
        {"user_id": world.l3.user.pk, "day": "2020-01-01"},
    )
    _problem(answer, 422)
    assert not SurgeEnrolment.objects.exists()


def test_admin_sets_routing_and_queues_training(world, api_for):
    admin = api_for(world.admin)
    assert admin.get("/routing/settings").json()["auto_assign"] is False
    answer = admin.put(
        "/routing/settings",
        {"confidence_threshold": 0.75, "auto_assign": True, "vip_team_id": world.l2_team.pk},
    )
    assert answer.status_code == 200, answer.content
    settings = RoutingSettings.objects.get(tenant=world.tenant)
    assert (settings.confidence_threshold, settings.auto_assign, settings.vip_team) == (
        0.75,
        True,
        world.l2_team,
    )
    _problem(admin.put("/routing/settings", {"confidence_threshold": 1.5}), 422)
    queued = admin.post("/routing/classifier/train", {})
    assert queued.status_code == 202, queued.content
    assert queued.json()["status"] == "queued"
    versions = admin.get("/routing/classifier/versions").json()
    assert [v["id"] for v in versions] == [queued.json()["id"]]
    _problem(admin.post("/routing/classifier/train", {"target": "mood"}), 422)
    assert ClassifierModel.objects.count() == 1
    _problem(api_for(world.lead).put("/routing/settings", {"auto_assign": True}), 403)
    _problem(api_for(world.agent).post("/routing/classifier/train", {}), 403)


def test_admin_scores_the_active_classifier_over_the_api(world, api_for):
    from tests.routing import corpus
    from zhongtai.routing import services

    admin = api_for(world.admin)
    body = {"examples": [{"text": "reset my password please", "label": "access"}]}
    assert _problem(admin.post("/routing/classifier/evaluate", body), 422)["code"] == (
        "no_classifier"
    )
    model = services.classifier_version_new(tenant=world.tenant, target="category", source="file")
    services.classifier_run(model=model, examples=corpus.examples(per_label=30))
    examples = [{"text": e.text, "label": e.label} for e in corpus.examples(per_label=5, seed=7)]
    answer = admin.post("/routing/classifier/evaluate", {"examples": examples})
    assert answer.status_code == 200, answer.content
    result = answer.json()
    assert result["version"] == model.version
    assert result["examples"] == len(examples)
    assert result["accuracy"] > 0.8
    assert {row["label"] for row in result["per_label"]} == {"refrigeration", "billing", "access"}
    _problem(admin.post("/routing/classifier/evaluate", {"examples": []}), 422)
    _problem(admin.post("/routing/classifier/evaluate", {"examples": [{"text": "x"}]}), 422)
    _problem(api_for(world.lead).post("/routing/classifier/evaluate", body), 403)
    assert ClassifierModel.objects.count() == 1
