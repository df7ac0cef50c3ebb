"""Classification at intake: a sure prediction sets the category, an unsure one sends the
ticket to triage with suggestions; the timeline says which and why."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.routing import corpus
from zhongtai.routing import services
from zhongtai.routing.models import RoutingSettings
from zhongtai.sla.models import BusinessCalendar, SlaPolicy, SlaTimer
from zhongtai.tickets import services as ticket_services
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(world):
    categories = {
        name: Category.objects.create(tenant=world.tenant, name=name)
        for name in ("refrigeration", "billing", "access")
    }
    model = services.classifier_version_new(tenant=world.tenant, target="category", source="file")
    services.classifier_run(model=model, examples=corpus.examples(per_label=30))
    return categories


def _routing_events(ticket):
    return list(ticket.events.filter(type=EventType.ROUTING))


def test_a_sure_prediction_sets_the_category_before_the_clocks_start(world, trained):
    calendar = BusinessCalendar.objects.create(tenant=world.tenant, name="24×7", always_open=True)
    policy = SlaPolicy.objects.create(
        tenant=world.tenant, name="Cold chain", calendar=calendar, first_response_minutes=15
    )
    policy.categories.set([trained["refrigeration"]])
    RoutingSettings.objects.create(tenant=world.tenant, confidence_threshold=0.3)

    ticket = factories.ticket(world.customer, subject="冷水机组停电后无法启动", description="急")

    ticket.refresh_from_db()
    assert ticket.category == trained["refrigeration"]
    assert not ticket.needs_triage
    [event] = _routing_events(ticket)
    assert event.data["action"] == "classified"
    assert event.data["suggestions"][0]["label"] == "refrigeration"
    assert len(event.data["suggestions"]) == 3
    assert SlaTimer.objects.get(ticket=ticket, target="first_response").policy == policy


def test_an_unsure_prediction_sends_the_ticket_to_triage_until_someone_decides(
    world, trained, api_for
):
    RoutingSettings.objects.create(tenant=world.tenant, confidence_threshold=0.999)

    ticket = factories.ticket(world.customer, subject="something odd", description="see above")

    ticket.refresh_from_db()
    assert (ticket.category, ticket.needs_triage) == (None, True)
    [event] = _routing_events(ticket)
    assert event.data["action"] == "triage"
    assert {s["category_id"] for s in event.data["suggestions"]} == {c.pk for c in trained.values()}
    listed = api_for(world.agent).get("/tickets", queue="triage").json()
    assert [t["number"] for t in listed["items"]] == [ticket.number]

    ticket_services.ticket_update(
        actor=world.agent, ticket=ticket, changes={"category": trained["billing"]}
    )
    ticket.refresh_from_db()
    assert (ticket.category, ticket.needs_triage) == (trained["billing"], False)
    assert api_for(world.agent).get("/tickets", queue="triage").json()["items"] == []
    # (the API takes every queue of the page, "breaching soon" too)
    assert api_for(world.agent).get("/tickets", queue="breaching").status_code == 200


def test_a_ticket_with_a_category_or_a_unit_that_opted_out_is_not_classified(world, trained):
    chosen = factories.ticket(world.agent, subject="reset my password", category=trained["billing"])
    assert _routing_events(chosen) == []
    RoutingSettings.objects.create(tenant=world.tenant, classify_at_intake=False)
    plain = factories.ticket(world.agent, subject="reset my password")
    plain.refresh_from_db()
    assert (plain.category, plain.needs_triage, _routing_events(plain)) == (None, False, [])


def test_another_units_classifier_is_never_used(world, trained):
    ticket = factories.ticket(world.other_agent, subject="reset my password")
    ticket.refresh_from_db()
    assert (ticket.category, ticket.needs_triage, _routing_events(ticket)) == (None, False, [])


def test_the_timeline_says_why(world, trained, api_for):
    RoutingSettings.objects.create(tenant=world.tenant, confidence_threshold=0.3)
    ticket = factories.ticket(world.customer, subject="please refund the duplicate payment")
    client = Client()
    client.force_login(world.agent.user)
    html = client.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert "classified the ticket as “billing”" in html


@pytest.mark.django_db
def test_a_person_overruling_the_classifier_is_on_record(world):
    for name in ("refrigeration", "billing", "access"):
        Category.objects.create(tenant=world.tenant, name=name)
    model = services.classifier_version_new(tenant=world.tenant, target="category", source="file")
    services.classifier_run(model=model, examples=corpus.examples(per_label=30))
    RoutingSettings.objects.create(tenant=world.tenant, confidence_threshold=0.0)
    ticket = factories.ticket(world.customer, subject="账号被锁定，无法登录", description="急")
    predicted = ticket.category
    assert predicted is not None
    other = Category.objects.filter(tenant=world.tenant).exclude(pk=predicted.pk).first()
    ticket_services.ticket_update(actor=world.agent, ticket=ticket, changes={"category": other})
    event = ticket.events.filter(type=EventType.FIELD_CHANGE).last()
    correction = event.data["correction"]
    assert (correction["predicted_id"], correction["version"]) == (predicted.pk, model.version)
    counts = services.classifier_corrections(actor=world.admin)
    assert (counts["classified"], counts["corrected"]) == (1, 1)
    # a change of a category a person chose is no correction of the classifier
    plain = factories.ticket(world.agent, subject="x", category=other)
    ticket_services.ticket_update(actor=world.agent, ticket=plain, changes={"category": predicted})
    assert "correction" not in plain.events.filter(type=EventType.FIELD_CHANGE).last().data


def _train(world, target, labels):
    from zhongtai.routing.classifier import Example

    examples = [Example(e.text, labels[e.label]) for e in corpus.examples(per_label=30)]
    model = services.classifier_version_new(tenant=world.tenant, target=target, source="file")
    services.classifier_run(model=model, examples=examples)
    return model


@pytest.mark.django_db
def test_team_and_priority_classifiers_set_what_nobody_chose(world):
    _train(
        world,
        "team",
        {"refrigeration": "Service engineering", "billing": "Frontline", "access": "Frontline"},
    )
    _train(world, "priority", {"refrigeration": "high", "billing": "low", "access": "normal"})
    RoutingSettings.objects.create(tenant=world.tenant, confidence_threshold=0.0)
    ticket = factories.ticket(
        world.customer, subject="压缩机排气温度过高，频繁跳闸", description="急"
    )
    assert (ticket.team, ticket.tier, ticket.priority) == (world.l2_team, "l2", "high")
    routing = ticket.events.get(type=EventType.ROUTING).data
    assert routing["predictions"]["team"]["applied"] is True
    page = Client()
    page.force_login(world.lead.user)
    text = page.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert "predicted the Team “Service engineering”" in text
    # what the person opening it chose stays
    chosen = factories.ticket(
        world.agent,
        subject="compressor trips on high discharge temperature",
        team=world.l1_team,
        priority="urgent",
    )
    assert (chosen.team, chosen.priority) == (world.l1_team, "urgent")
    assert not chosen.events.filter(type=EventType.ROUTING).exists()  # nothing to predict


@pytest.mark.django_db
def test_an_unsure_team_prediction_is_recorded_but_not_applied(world):
    _train(world, "team", {"refrigeration": "R&D", "billing": "R&D", "access": "Frontline"})
    RoutingSettings.objects.create(tenant=world.tenant, confidence_threshold=0.999)
    ticket = factories.ticket(world.customer, subject="refrigerant leak", description="urgent")
    assert ticket.team == world.l1_team
    guess = ticket.events.get(type=EventType.ROUTING).data["predictions"]["team"]
    assert guess["applied"] is False
