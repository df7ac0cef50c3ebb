"""The whole ITR flow through /api/v1 with personal API tokens, as an integrator does it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tests.support import problem as _problem
from zhongtai.core.models import IdempotencyRecord
from zhongtai.tickets.models import Attachment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _create(api: Any, **fields: Any) -> dict[str, Any]:
    fields.setdefault("subject", "Printer is jammed")
    fields.setdefault("description", "It makes a grinding noise.")
    response = api.post("/tickets", fields)
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


# --- create, idempotency -----------------------------------------------------------------


def test_create_returns_the_ticket(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)
    acme_contact = world.customer.user.contacts.get()  # type: ignore[attr-defined]
    category = factories.category(world.tenant)

    body = _create(
        api,
        subject="Line 3 stopped",
        priority="high",
        type="incident",
        contact_id=acme_contact.pk,
        category_id=category.pk,
        tags=["line-3", "outage"],
    )

    assert body["reference"] == f"SH-{body['number']:06d}"
    assert body["priority"] == "high"
    assert body["status"] == "new"
    assert body["customer"]["name"] == "Acme"
    assert body["category"]["id"] == category.pk
    assert body["tags"] == ["line-3", "outage"]
    assert body["team"]["tier"] == "l1"
    assert body["version"] == 1


def test_retried_create_with_the_same_key_returns_the_first_ticket(
    world: factories.World, api_for: Any
) -> None:
    api = api_for(world.agent)
    payload = {"subject": "Printer is jammed", "description": "Again."}

    first = api.post("/tickets", payload, **{"Idempotency-Key": "order-4711"})
    retry = api.post("/tickets", payload, **{"Idempotency-Key": "order-4711"})

    assert first.status_code == retry.status_code == 201
    assert retry.json()["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)
    api.post("/tickets", {"subject": "A", "description": "a"}, **{"Idempotency-Key": "k1"})

    response = api.post(
        "/tickets", {"subject": "B", "description": "b"}, **{"Idempotency-Key": "k1"}
    )

    _problem(response, 409, "idempotency_key_reused")
    assert Ticket.objects.count() == 1
    assert TicketEvent.objects.count() == 1


def test_idempotency_keys_are_per_user(world: factories.World, api_for: Any) -> None:
    payload = {"subject": "A", "description": "a"}
    one = api_for(world.agent).post("/tickets", payload, **{"Idempotency-Key": "k"})
    two = api_for(world.agent2).post("/tickets", payload, **{"Idempotency-Key": "k"})

    assert one.json()["number"] != two.json()["number"]
    assert Ticket.objects.count() == 2


def test_a_failed_create_stores_no_key(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)
    bad = {"subject": "A", "description": "a", "team_id": world.other_team.pk}

    first = api.post("/tickets", bad, **{"Idempotency-Key": "k"})
    good = api.post("/tickets", {"subject": "A", "description": "a"}, **{"Idempotency-Key": "k"})

    _problem(first, 404, "not_found")
    assert good.status_code == 201
    assert IdempotencyRecord.objects.count() == 1


def test_an_overlong_key_is_refused(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)

    response = api.post(
        "/tickets", {"subject": "A", "description": "a"}, **{"Idempotency-Key": "k" * 256}
    )

    body = _problem(response, 422, "invalid")
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert Ticket.objects.count() == 0


# --- list, get -----------------------------------------------------------------------------


def test_list_pages_with_a_stable_cursor(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)
    numbers = [_create(api, subject=f"Ticket {i}")["number"] for i in range(7)]

    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/tickets", **params).json()
        seen += [item["number"] for item in page["items"]]
        cursor = page["next_cursor"]
        pages += 1
        if cursor is None:
            break
        _create(api, subject="Arrives while paging")  # newer rows must not shift the pages

    assert pages == 3
    assert seen == sorted(numbers, reverse=True)


def test_list_filters(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)
    urgent = _create(
        api, subject="Boiler leaks", priority="urgent", assignee_id=world.agent.user.pk
    )
    _create(api, subject="Password reset", priority="low")

    def numbers(**params: Any) -> list[int]:
        response = api.get("/tickets", **params)
        assert response.status_code == 200, response.content
        return [item["number"] for item in response.json()["items"]]

    assert numbers(priority="urgent") == [urgent["number"]]
    assert numbers(q="boiler") == [urgent["number"]]
    assert numbers(assignee="me") == [urgent["number"]]
    assert numbers(queue="mine") == [urgent["number"]]
    assert len(numbers(status="new")) == 2
    assert numbers(status="closed") == []


def test_list_query_count_does_not_grow_with_rows(
    world: factories.World, api_for: Any, django_assert_max_num_queries: Any
) -> None:
    api = api_for(world.agent)
    api.get("/tickets")  # touches the token once
    for i in range(20):
        factories.ticket(world.agent, subject=f"T{i}", assignee=world.agent.user)

    with django_assert_max_num_queries(6):
        response = api.get("/tickets", limit=20)

    assert len(response.json()["items"]) == 20


def test_get_one_ticket(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)
    created = _create(api)

    response = api.get(f"/tickets/{created['number']}")

    assert response.status_code == 200
    assert response.json()["description"] == "It makes a grinding noise."


# --- update with optimistic locking, transitions ------------------------------------------


def test_patch_with_the_current_version(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)
    ticket = _create(api)

    response = api.patch(
        f"/tickets/{ticket['number']}", {"version": 1, "priority": "high", "tags": ["vip"]}
    )

    assert response.status_code == 200, response.content
    assert response.json()["priority"] == "high"
    assert response.json()["tags"] == ["vip"]
    assert response.json()["version"] == 2


def test_patch_with_a_stale_version_changes_nothing(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)
    ticket = _create(api)
    api.patch(f"/tickets/{ticket['number']}", {"version": 1, "priority": "high"})
    events_before = TicketEvent.objects.count()

    response = api.patch(f"/tickets/{ticket['number']}", {"version": 1, "subject": "Mine wins"})

    _problem(response, 409, "stale_version")
    fresh = api.get(f"/tickets/{ticket['number']}").json()
    assert fresh["subject"] == "Printer is jammed"
    assert fresh["version"] == 2
    assert TicketEvent.objects.count() == events_before


def test_transition_and_an_invalid_one(world: factories.World, api_for: Any) -> None:
    api = api_for(world.agent)
    number = _create(api)["number"]

    opened = api.post(f"/tickets/{number}/transition", {"to_status": "open"})
    assert opened.json()["status"] == "open"
    events_before = TicketEvent.objects.count()

    response = api.post(f"/tickets/{number}/transition", {"to_status": "closed", "version": 2})

    _problem(response, 409, "invalid_transition")
    assert api.get(f"/tickets/{number}").json()["status"] == "open"
    assert TicketEvent.objects.count() == events_before


# --- conversation --------------------------------------------------------------------------


def test_customer_never_sees_internal_notes(world: factories.World, api_for: Any) -> None:
    customer, agent = api_for(world.customer), api_for(world.agent)
    number = _create(customer, subject="My router")["number"]

    reply = agent.post(f"/tickets/{number}/replies", {"body": "Please restart it."})
    note = agent.post(f"/tickets/{number}/replies", {"body": "Known firmware bug", "public": False})
    sneaky = customer.post(f"/tickets/{number}/replies", {"body": "Done", "public": False})

    assert reply.status_code == note.status_code == sneaky.status_code == 201
    assert sneaky.json()["is_public"] is True
    customer_bodies = [e["body"] for e in customer.get(f"/tickets/{number}/events").json()]
    agent_bodies = [e["body"] for e in agent.get(f"/tickets/{number}/events").json()]
    assert "Known firmware bug" not in customer_bodies
    assert "Please restart it." in customer_bodies
    assert "Known firmware bug" in agent_bodies
    assert api_for(world.agent).get(f"/tickets/{number}").json()["status"] == "open"


def test_customer_token_sees_only_own_tickets(world: factories.World, api_for: Any) -> None:
    mine = factories.ticket(world.customer)
    theirs = factories.ticket(world.customer2)
    factories.ticket(world.agent)
    api = api_for(world.customer)

    listed = [item["number"] for item in api.get("/tickets").json()["items"]]

    assert listed == [mine.number]
    _problem(api.get(f"/tickets/{theirs.number}"), 404, "not_found")


# --- assignment, tiers ---------------------------------------------------------------------


def test_assign_and_take(world: factories.World, api_for: Any) -> None:
    agent, agent2 = api_for(world.agent), api_for(world.agent2)
    number = _create(agent)["number"]

    assigned = agent.post(f"/tickets/{number}/assign", {"assignee_id": world.agent2.user.pk})
    taken = agent.post(f"/tickets/{number}/take")
    unassigned = agent2.post(f"/tickets/{number}/assign", {"assignee_id": None})

    assert assigned.json()["assignee"]["id"] == world.agent2.user.pk
    assert taken.json()["assignee"]["id"] == world.agent.user.pk
    assert unassigned.json()["assignee"] is None


def test_escalate_l1_l2_l3_and_hand_back(world: factories.World, api_for: Any) -> None:
    agent, l2, l3 = api_for(world.agent), api_for(world.l2), api_for(world.l3)
    number = _create(agent)["number"]

    to_l2 = agent.post(
        f"/tickets/{number}/escalate", {"team_id": world.l2_team.pk, "reason": "Needs a tech"}
    )
    l2_took = l2.post(f"/tickets/{number}/take")
    to_l3 = l2.post(
        f"/tickets/{number}/escalate", {"team_id": world.l3_team.pk, "reason": "Firmware bug"}
    )
    back = l3.post(f"/tickets/{number}/handback", {"reason": "Fixed in 2.1, please update"})

    assert to_l2.json()["tier"] == "l2"
    assert l2_took.json()["engineer"]["id"] == world.l2.user.pk
    assert to_l3.json()["tier"] == "l3"
    assert back.json()["tier"] == "l2"
    assert back.json()["team"]["id"] == world.l2_team.pk
    events = agent.get(f"/tickets/{number}/events").json()
    reasons = [e["body"] for e in events if e["type"] in ("escalation", "handback")]
    assert reasons == ["Needs a tech", "Firmware bug", "Fixed in 2.1, please update"]


def test_escalate_needs_a_reason_and_a_higher_tier(world: factories.World, api_for: Any) -> None:
    agent = api_for(world.agent)
    number = _create(agent)["number"]
    events_before = TicketEvent.objects.count()

    no_reason = agent.post(f"/tickets/{number}/escalate", {"team_id": world.l2_team.pk})
    same_tier = agent.post(
        f"/tickets/{number}/escalate", {"team_id": world.l1_team.pk, "reason": "x"}
    )

    assert _problem(no_reason, 422, "invalid")["errors"][0]["field"] == "reason"
    assert _problem(same_tier, 422, "invalid_escalation")["errors"][0]["field"] == "team_id"
    assert TicketEvent.objects.count() == events_before


def test_blocking_child_keeps_the_parent_from_resolving(
    world: factories.World, api_for: Any
) -> None:
    agent = api_for(world.agent)
    parent = _create(agent)["number"]
    child = agent.post(
        f"/tickets/{parent}/children",
        {"subject": "Check firmware", "description": "R&D please", "team_id": world.l3_team.pk},
    )
    assert child.status_code == 201
    assert child.json()["parent"] == parent

    blocked = agent.post(f"/tickets/{parent}/transition", {"to_status": "resolved"})
    agent.post(f"/tickets/{child.json()['number']}/transition", {"to_status": "resolved"})
    resolved = agent.post(f"/tickets/{parent}/transition", {"to_status": "resolved"})

    _problem(blocked, 409, "invalid_transition")
    assert resolved.json()["status"] == "resolved"


def test_merge_and_a_later_reply_lands_on_the_survivor(
    world: factories.World, api_for: Any
) -> None:
    agent, customer = api_for(world.agent), api_for(world.customer)
    duplicate = _create(customer, subject="Printer again")["number"]
    survivor = _create(customer, subject="Printer")["number"]

    merged = agent.post(f"/tickets/{duplicate}/merge", {"into": survivor, "reason": "Same issue"})
    late = customer.post(f"/tickets/{duplicate}/replies", {"body": "Any news?"})

    assert merged.json()["number"] == survivor
    assert agent.get(f"/tickets/{duplicate}").json()["merged_into"] == survivor
    assert agent.get(f"/tickets/{duplicate}").json()["status"] == "closed"
    assert late.status_code == 201
    assert late.json()["ticket"] == survivor
    bodies = [e["body"] for e in customer.get(f"/tickets/{survivor}/events").json()]
    assert "Any news?" in bodies


def test_bulk_assign_is_for_leads(world: factories.World, api_for: Any) -> None:
    numbers = [factories.ticket(world.agent).number for _ in range(3)]
    payload = {"numbers": numbers, "assignee_id": world.agent2.user.pk}

    denied = api_for(world.agent).post("/tickets/bulk-assign", payload)
    done = api_for(world.lead).post("/tickets/bulk-assign", payload)

    _problem(denied, 403, "permission_denied")
    assert done.status_code == 200
    assert {item["assignee"]["id"] for item in done.json()} == {world.agent2.user.pk}


def test_bulk_assign_with_a_foreign_number_changes_nothing(
    world: factories.World, api_for: Any
) -> None:
    mine = factories.ticket(world.agent)
    factories.ticket(world.other_agent)

    response = api_for(world.lead).post(
        "/tickets/bulk-assign", {"numbers": [mine.number, 999], "assignee_id": world.lead.user.pk}
    )

    _problem(response, 404, "not_found")
    mine.refresh_from_db()
    assert mine.assignee is None


# --- attachments ---------------------------------------------------------------------------


def test_upload_and_download_an_attachment(world: factories.World, api_for: Any) -> None:
    agent = api_for(world.agent)
    number = _create(agent)["number"]
    upload = SimpleUploadedFile("error log.txt", b"E42 paper jam\n", content_type="text/plain")

    response = agent.client.post(f"/api/v1/tickets/{number}/attachments", {"files": [upload]})

    assert response.status_code == 201, response.content
    attachment = response.json()[0]
    assert attachment["filename"] == "error log.txt"
    assert attachment["size"] == 14
    download = agent.client.get(f"/api/v1/tickets/{number}/attachments/{attachment['id']}")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/octet-stream"
    assert b"".join(download.streaming_content) == b"E42 paper jam\n"


def test_customer_cannot_download_an_internal_attachment(
    world: factories.World, api_for: Any
) -> None:
    agent, customer = api_for(world.agent), api_for(world.customer)
    number = _create(customer)["number"]
    upload = SimpleUploadedFile("trace.log", b"secret", content_type="text/plain")
    attached = agent.client.post(
        f"/api/v1/tickets/{number}/attachments", {"files": [upload], "public": "false"}
    ).json()[0]

    response = customer.get(f"/tickets/{number}/attachments/{attached['id']}")

    _problem(response, 404, "not_found")
    assert Attachment.objects.filter(is_public=False).count() == 1


# --- presence ------------------------------------------------------------------------------


def test_presence_shows_the_colleagues_on_the_ticket(world: factories.World, api_for: Any) -> None:
    agent, agent2 = api_for(world.agent), api_for(world.agent2)
    number = _create(agent)["number"]

    alone = agent.post(f"/tickets/{number}/presence", {"state": "replying"})
    other = agent2.post(f"/tickets/{number}/presence", {})

    assert alone.json() == []
    assert [(p["user"]["id"], p["state"]) for p in other.json()] == [
        (world.agent.user.pk, "replying")
    ]


def test_presence_tells_a_customer_nothing(world: factories.World, api_for: Any) -> None:
    number = factories.ticket(world.customer).number
    api_for(world.agent).post(f"/tickets/{number}/presence", {"state": "replying"})

    response = api_for(world.customer).post(f"/tickets/{number}/presence", {})

    assert response.json() == []


# --- other tenants -------------------------------------------------------------------------


def test_another_tenants_ticket_is_not_found(world: factories.World, api_for: Any) -> None:
    for _ in range(3):
        theirs = factories.ticket(world.other_agent)
    factories.ticket(world.agent)

    response = api_for(world.agent).get(f"/tickets/{theirs.number}")

    _problem(response, 404, "not_found")


def test_numbers_are_per_tenant(world: factories.World, api_for: Any) -> None:
    ours = factories.ticket(world.agent, subject="Ours")
    theirs = factories.ticket(world.other_agent, subject="Theirs")

    assert ours.number == theirs.number == 1
    assert api_for(world.agent).get("/tickets/1").json()["subject"] == "Ours"
    assert api_for(world.other_agent).get("/tickets/1").json()["subject"] == "Theirs"
