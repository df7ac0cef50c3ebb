"""The macros API: write, read, render and apply; bad input stores nothing; other units'
macros and tickets are 404; roles decide who writes what."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.factories import World
from tests.macros.helpers import macro
from tests.support import problem
from zhongtai.macros.models import Macro
from zhongtai.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

BODY = {"name": "Ask for the model", "body_en": "Which model, {{contact.name}}?"}


def test_write_read_update_and_switch_off(world: World, api_for: Any) -> None:
    agent = api_for(world.agent)

    created = agent.post("/macros", {**BODY, "body_zh": "请问型号，{{ contact.name }}？"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["scope"], body["owner_id"], body["languages"]) == (
        "personal",
        world.agent.user.pk,
        ["en", "zh-hans"],
    )
    assert body["can_edit"] is True
    path = f"/macros/{body['id']}"
    updated = agent.put(path, {**BODY, "add_tags": ["model"], "set_status": "pending_customer"})
    assert updated.json()["add_tags"] == ["model"]
    assert updated.json()["body_zh"] == ""  # PUT replaces every field
    assert [m["id"] for m in agent.get("/macros").json()] == [body["id"]]

    switched_off = agent.delete(path)

    assert switched_off.status_code == 200
    assert switched_off.json()["active"] is False
    assert agent.get(path).json()["active"] is False
    assert agent.get("/macros", active=True).json() == []


def test_render_fills_in_the_ticket_in_the_asked_language(world: World, api_for: Any) -> None:
    agent = api_for(world.agent)
    created = agent.post("/macros", {**BODY, "body_zh": "您好 {{contact.name}}，{{ticket.number}}"})
    ticket = factories.ticket(world.customer)
    path = f"/macros/{created.json()['id']}/render"

    english = agent.post(path, {"ticket": ticket.number})  # the unit's language (English)
    chinese = agent.post(path, {"ticket": ticket.number, "language": "zh-hans"})

    assert english.json() == {
        "text": "Which model, Customer?",
        "language": "en",
        "ticket": f"SH-{ticket.number:06d}",
    }
    assert chinese.json()["text"] == f"您好 Customer，SH-{ticket.number:06d}"


def test_apply_changes_fields_and_can_send_the_reply(world: World, api_for: Any) -> None:
    agent = api_for(world.agent)
    category = factories.category(world.tenant, "Compressors")
    created = agent.post(
        "/macros",
        {**BODY, "add_tags": ["needs-model"], "set_status": "pending_customer",
         "set_category_id": category.pk},
    ).json()  # fmt: skip
    ticket = factories.ticket(world.customer)

    applied = agent.post(f"/macros/{created['id']}/apply", {"ticket": ticket.number, "reply": True})

    assert applied.status_code == 200, applied.content
    result = applied.json()
    assert (result["status"], result["category_id"], result["tags"]) == (
        "pending_customer",
        category.pk,
        ["needs-model"],
    )
    reply = TicketEvent.objects.get(pk=result["reply_id"])
    assert (reply.body, reply.is_public) == ("Which model, Customer?", True)
    assert Macro.objects.get().use_count == 1


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x"},
        {**BODY, "name": ""},
        {**BODY, "body_en": "Hi {{ticket.customer.__class__}}"},
        {**BODY, "body_en": "{{settings.SECRET_KEY}}"},
        {**BODY, "body_en": "{% load static %}"},
        {**BODY, "body_en": "{{ request.user.password }}"},
        {**BODY, "scope": "everyone"},
        {**BODY, "scope": "team"},
        {**BODY, "set_status": "new"},
        {**BODY, "set_status": "gone"},
        {**BODY, "set_category_id": 0},
        {**BODY, "set_category_id": 999_999},
        {**BODY, "add_tags": ["t"] * 21},
        {**BODY, "add_tags": ["a\nb"]},
        {**BODY, "unknown": 1},
        {**BODY, "name": "a\x00b"},
        {**BODY, "body_en": "lone \ud800 surrogate"},
        {**BODY, "body_en": "x" * 10_001},
    ],
)
def test_bad_macros_get_422_and_store_nothing(world: World, api_for: Any, body: Any) -> None:
    response = api_for(world.admin).post("/macros", body)

    problem(response, 422, "invalid")
    assert not Macro.objects.exists()


def test_an_unknown_placeholder_is_named_with_its_field(world: World, api_for: Any) -> None:
    response = api_for(world.agent).post("/macros", {**BODY, "body_zh": "{{ticket.secret}}"})

    errors = problem(response, 422)["errors"]
    assert [e["field"] for e in errors] == ["body_zh"]
    assert "{{ticket.secret}}" in errors[0]["message"]


def test_bad_render_and_apply_requests_change_nothing(world: World, api_for: Any) -> None:
    agent = api_for(world.agent)
    created = agent.post("/macros", {**BODY, "set_status": "closed"}).json()
    ticket = factories.ticket(world.customer)
    base = f"/macros/{created['id']}"

    problem(agent.post(f"{base}/render", {"ticket": 0}), 422)
    problem(agent.post(f"{base}/render", {"ticket": ticket.number, "language": "fr"}), 422)
    problem(agent.post(f"{base}/render", {}), 422)
    problem(agent.post(f"{base}/render", {"ticket": 123_456}), 404)
    problem(agent.post(f"{base}/apply", {"ticket": ticket.number, "extra": 1}), 422)
    # the workflow forbids new → closed: nothing of the use happens, not even the reply
    problem(agent.post(f"{base}/apply", {"ticket": ticket.number, "reply": True}), 409)
    problem(agent.post("/macros/0/render", {"ticket": ticket.number}), 422)
    problem(agent.post("/macros/999999/apply", {"ticket": ticket.number}), 404)

    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.version) == ("new", ticket.version)
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1  # created
    assert Macro.objects.get().use_count == 0


def test_another_units_macros_and_tickets_are_not_found(world: World, api_for: Any) -> None:
    ours = macro(world.admin, "Ours", scope="shared", add_tags=["x"])
    ticket = factories.ticket(world.customer)
    theirs_ticket = factories.ticket(world.other_customer)
    other, agent = api_for(world.other_agent), api_for(world.agent)
    path = f"/macros/{ours.pk}"

    problem(other.get(path), 404, "not_found")
    problem(other.put(path, BODY), 404)
    problem(other.delete(path), 404)
    problem(other.post(f"{path}/render", {"ticket": ticket.number}), 404)
    problem(other.post(f"{path}/apply", {"ticket": ticket.number}), 404)
    assert other.get("/macros").json() == []
    # nor does our macro reach their ticket (their number is not one of ours)
    Ticket.objects.filter(pk=theirs_ticket.pk).update(number=987_654)
    problem(agent.post(f"{path}/apply", {"ticket": 987_654}), 404)
    assert not theirs_ticket.tags.exists()
    assert Macro.objects.get().is_active


def test_roles_decide_who_writes_what(world: World, api_for: Any) -> None:
    shared = {**BODY, "scope": "shared"}
    team = {**BODY, "scope": "team", "team_id": world.l1_team.pk}
    world.l1_team.lead = world.lead.user
    world.l1_team.save()

    problem(api_for(world.agent).post("/macros", shared), 403, "permission_denied")
    problem(api_for(world.agent).post("/macros", team), 403)
    assert api_for(world.lead).post("/macros", team).status_code == 201
    created = api_for(world.l2).post("/macros", shared).json()
    assert created["can_edit"] is True
    for role in (world.agent, world.lead, world.l3):
        client = api_for(role)
        assert client.get(f"/macros/{created['id']}").json()["can_edit"] is False
        problem(client.put(f"/macros/{created['id']}", shared), 403)
        problem(client.delete(f"/macros/{created['id']}"), 403)
    customer = api_for(world.customer)
    problem(customer.get("/macros"), 403)
    problem(customer.post("/macros", BODY), 403)
    problem(customer.get(f"/macros/{created['id']}"), 403)
    ticket = factories.ticket(world.customer)
    problem(customer.post(f"/macros/{created['id']}/render", {"ticket": ticket.number}), 403)
    assert Macro.objects.count() == 2
    assert Macro.objects.get(scope="shared").is_active


def test_personal_macros_stay_personal(world: World, api_for: Any) -> None:
    mine = api_for(world.agent).post("/macros", BODY).json()
    colleague = api_for(world.agent2)
    ticket = factories.ticket(world.customer)

    problem(colleague.get(f"/macros/{mine['id']}"), 404)
    problem(colleague.post(f"/macros/{mine['id']}/render", {"ticket": ticket.number}), 404)
    assert colleague.get("/macros").json() == []
    # an administrator manages shared and team macros, not other people's own
    problem(api_for(world.admin).delete(f"/macros/{mine['id']}"), 404)


def test_the_list_answers_in_a_fixed_number_of_queries(
    world: World, api_for: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(8):
        macro(world.admin, f"Shared {i}", scope="shared", set_category_id=factories.category(
            world.tenant, f"C{i}").pk)  # fmt: skip
    agent = api_for(world.agent)
    agent.get("/macros")

    with django_assert_max_num_queries(6):
        assert len(agent.get("/macros").json()) == 8
