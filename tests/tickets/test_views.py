"""The agent workspace views: happy path, denied, other tenant, customer, anonymous."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests import factories
from zhongtai.accounts.actors import Actor
from zhongtai.tickets import services
from zhongtai.tickets.choices import EventType, TicketPriority, TicketStatus
from zhongtai.tickets.models import Attachment, Ticket, TicketEvent, TicketPresence

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(actor: Actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"tickets:{name}", args=args)


def refreshed(ticket: Ticket) -> Ticket:
    ticket.refresh_from_db()
    return ticket


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def ticket(world: factories.World) -> Ticket:
    return factories.ticket(world.customer, subject="Compressor is loud")


@pytest.fixture
def agent(world: factories.World) -> Client:
    return client_for(world.agent)


# --- Access: anonymous, customers, other tenants ------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("ticket_detail", "get"),
        ("ticket_reply", "post"),
        ("ticket_update", "post"),
        ("ticket_transition", "post"),
        ("ticket_assign", "post"),
        ("ticket_take", "post"),
        ("ticket_escalate", "post"),
        ("ticket_handback", "post"),
        ("ticket_merge", "post"),
        ("ticket_child_create", "post"),
        ("ticket_presence", "post"),
    ],
)
def test_ticket_pages_need_login_staff_and_same_tenant(world, ticket, name, method):
    path = url(name, ticket.number)
    # anonymous → login
    response = getattr(Client(), method)(path)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    # a customer (even the ticket's own contact) and another tenant's agent → 404
    for actor in (world.customer, world.other_agent):
        response = getattr(client_for(actor), method)(path, {"version": 1, "body": "x"})
        assert response.status_code == 404, (name, actor.role)
    # a number that does not exist → 404
    response = getattr(client_for(world.agent), method)(url(name, 9999), {"version": 1})
    assert response.status_code == 404
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1


def test_queue_root_sends_customer_to_portal_and_anonymous_to_login(world):
    response = client_for(world.customer).get(url("ticket_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket_list")
    response = Client().get(url("ticket_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_only_get_and_post(world, ticket, agent):
    assert agent.put(url("ticket_detail", ticket.number)).status_code == 405
    assert agent.get(url("ticket_reply", ticket.number)).status_code == 405
    assert agent.delete(url("ticket_list")).status_code == 405


# --- The queue ------------------------------------------------------------------------------


def test_queue_lists_filters_and_marks_references(world, agent):
    loud = factories.ticket(world.agent, subject="Loud compressor", priority="urgent")
    factories.ticket(world.agent, subject="Paper jam", tags=["printer"])
    factories.ticket(world.other_agent, subject="Other tenant's ticket")
    response = agent.get(url("ticket_list"), {"queue": "open"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Loud compressor" in body
    assert "Paper jam" in body
    assert "Other tenant" not in body
    assert f"SH-{loud.number:06d}" in body
    response = agent.get(url("ticket_list"), {"queue": "all", "priority": "urgent"})
    assert [r.ticket.subject for r in response.context["rows"]] == ["Loud compressor"]
    response = agent.get(url("ticket_list"), {"queue": "all", "tag": "printer"})
    assert [r.ticket.subject for r in response.context["rows"]] == ["Paper jam"]
    response = agent.get(url("ticket_list"), {"queue": "all", "q": "compressor"})
    assert [r.ticket.subject for r in response.context["rows"]] == ["Loud compressor"]


def test_queue_default_is_my_open_tickets(world, agent):
    mine = factories.ticket(world.agent, subject="Mine", assignee=world.agent.user)
    factories.ticket(world.agent, subject="Not mine")
    response = agent.get(url("ticket_list"))
    assert response.context["queue"] == "mine"
    assert [r.ticket for r in response.context["rows"]] == [mine]


def test_queue_unassigned_in_my_team_for_l2(world):
    ticket = factories.ticket(world.agent)
    services.ticket_escalate(actor=world.agent, ticket=ticket, team=world.l2_team, reason="HW")
    response = client_for(world.l2).get(url("ticket_list"), {"queue": "team"})
    assert [r.ticket.pk for r in response.context["rows"]] == [ticket.pk]


def test_queue_htmx_request_gets_only_the_rows(world, agent):
    factories.ticket(world.agent, subject="Row subject")
    response = agent.get(url("ticket_list"), {"queue": "all"}, **HTMX)
    assert response.status_code == 200
    assert response.templates[0].name == "tickets/partials/_ticket_rows.html"
    assert b"<html" not in response.content
    assert b"Row subject" in response.content


def test_queue_invalid_filter_shows_error_not_tickets(world, agent):
    factories.ticket(world.agent)
    response = agent.get(url("ticket_list"), {"queue": "all", "status": "bogus"})
    assert response.status_code == 400
    assert response.context["rows"] == []
    assert b"filter-error" in response.content
    response = agent.get(url("ticket_list"), {"queue": "all", "cursor": "%%%"})
    assert response.status_code == 400


def test_queue_pages_with_a_cursor(world, agent):
    for i in range(27):
        factories.ticket(world.agent, subject=f"T{i}")
    first = agent.get(url("ticket_list"), {"queue": "all"})
    assert len(first.context["rows"]) == 25
    next_url = first.context["next_url"]
    assert "cursor=" in next_url
    second = agent.get(next_url, **HTMX)
    assert len(second.context["rows"]) == 2
    assert not second.context["next_url"]
    seen = {r.ticket.pk for r in first.context["rows"]} | {
        r.ticket.pk for r in second.context["rows"]
    }
    assert len(seen) == 27


def test_queue_counts_are_shown_per_queue(world, agent):
    factories.ticket(world.agent, assignee=world.agent.user)
    factories.ticket(world.agent)
    response = agent.get(url("ticket_list"))
    counts = {link.key: link.count for link in response.context["queue_links"]}
    assert counts["mine"] == "1"
    assert counts["open"] == "2"
    assert counts["all"] == ""  # never an exact count over the whole tenant


QUEUE_QUERY_BUDGET = 17  # the SLA standards stamp is one; the page's clocks are another


def _queue_queries(world: factories.World, n: int, django_assert_max_num_queries: Any) -> int:
    acme = world.customer.membership.user.contacts.first().customer
    for i in range(n):
        factories.ticket(
            world.agent,
            subject=f"Ticket {i}",
            tags=["a", "b"],
            customer=acme,
            assignee=world.agent.user,
        )
    client = client_for(world.lead)
    client.get(url("ticket_list"))  # the first request after login touches the session
    with django_assert_max_num_queries(QUEUE_QUERY_BUDGET) as ctx:
        response = client.get(url("ticket_list"), {"queue": "all"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(n, 25)
    return len(ctx.captured_queries)


def test_queue_query_count_does_not_grow_with_tickets(world, django_assert_max_num_queries):
    few = _queue_queries(world, 5, django_assert_max_num_queries)
    many = _queue_queries(world, 30, django_assert_max_num_queries)
    assert few == many


# --- Bulk assign ------------------------------------------------------------------------------


def test_lead_bulk_assigns(world):
    first, second, third = (factories.ticket(world.agent) for _ in range(3))
    response = client_for(world.lead).post(
        url("ticket_bulk_assign"),
        {
            "numbers": [first.number, second.number],
            "assignee": world.agent2.user.pk,
            "next": url("ticket_list") + "?queue=all",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("ticket_list") + "?queue=all"
    assert refreshed(first).assignee == world.agent2.user
    assert refreshed(second).assignee == world.agent2.user
    assert refreshed(third).assignee is None


def test_agent_cannot_bulk_assign_and_sees_no_bulk_bar(world, agent):
    ticket = factories.ticket(world.agent)
    response = agent.post(
        url("ticket_bulk_assign"), {"numbers": [ticket.number], "assignee": world.agent2.user.pk}
    )
    assert response.status_code == 302
    assert refreshed(ticket).assignee is None
    page = agent.get(url("ticket_list"), {"queue": "all"})
    assert b"bulk-form" not in page.content
    assert any("not allowed" in m for m in messages_of(page))


def test_bulk_assign_other_tenant_ticket_is_404_and_changes_nothing(world):
    mine = factories.ticket(world.agent)
    foreign = factories.ticket(world.other_agent)
    response = client_for(world.lead).post(
        url("ticket_bulk_assign"),
        {"numbers": [mine.number, foreign.number + 100], "assignee": world.agent2.user.pk},
    )
    assert response.status_code == 404
    assert refreshed(mine).assignee is None
    assert refreshed(foreign).assignee is None


def test_bulk_assign_needs_tickets_and_a_target(world):
    ticket = factories.ticket(world.agent)
    lead = client_for(world.lead)
    lead.post(url("ticket_bulk_assign"), {"assignee": world.agent2.user.pk})
    lead.post(url("ticket_bulk_assign"), {"numbers": [ticket.number]})
    lead.post(url("ticket_bulk_assign"), {"numbers": ["x"], "assignee": world.agent2.user.pk})
    assert refreshed(ticket).version == 1


def test_bulk_assign_refuses_other_tenant_assignee(world):
    ticket = factories.ticket(world.agent)
    client_for(world.lead).post(
        url("ticket_bulk_assign"),
        {"numbers": [ticket.number], "assignee": world.other_agent.user.pk},
    )
    assert refreshed(ticket).assignee is None


# --- The ticket page -------------------------------------------------------------------------


def test_detail_shows_ticket_timeline_and_actions(world, ticket, agent):
    services.ticket_reply(actor=world.agent, ticket=ticket, body="Secret note", public=False)
    services.ticket_update(actor=world.agent, ticket=ticket, changes={"priority": "high"})
    response = agent.get(url("ticket_detail", ticket.number))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"SH-{ticket.number:06d}" in body
    assert "Compressor is loud" in body
    assert "Secret note" in body
    assert "Acme" in body
    assert 'data-testid="kind-reply"' in body
    assert 'data-testid="escalate-form"' in body
    assert response.context["row"].status_badge == "primary"
    change = response.context["timeline"][-1].changes[0]
    assert (change.label, change.before, change.after) == ("Priority", "Normal", "High")
    assert 'data-testid="handback-form"' not in body  # not escalated
    assert b"style=" not in response.content
    assert b"<script>" not in response.content


def test_detail_for_l2_offers_no_public_reply(world, ticket):
    response = client_for(world.l2).get(url("ticket_detail", ticket.number))
    assert 'data-testid="kind-reply"' not in response.content.decode()
    assert 'data-testid="kind-note"' in response.content.decode()


def test_detail_status_menu_follows_the_workflow(world, ticket, agent):
    response = agent.get(url("ticket_detail", ticket.number))
    values = [value for value, _label in response.context["status_choices"]]
    assert TicketStatus.CLOSED not in values
    assert TicketStatus.RESOLVED in values
    l3 = client_for(world.l3).get(url("ticket_detail", ticket.number))
    assert TicketStatus.RESOLVED not in [v for v, _l in l3.context["status_choices"]]


def test_detail_timestamps_in_tenant_time_zone(world, ticket, agent):
    response = agent.get(url("ticket_detail", ticket.number))
    assert "+08:00" in response.content.decode()  # Asia/Shanghai, ISO in <time datetime>


def test_detail_htmx_gets_the_timeline_partial(world, ticket, agent):
    response = agent.get(url("ticket_detail", ticket.number), **HTMX)
    assert response.templates[0].name == "tickets/partials/_timeline.html"


# --- Replies and notes ------------------------------------------------------------------------


def test_agent_replies_with_attachment_and_next_status(world, ticket, agent):
    upload = SimpleUploadedFile("log.txt", b"error 42", content_type="text/plain")
    response = agent.post(
        url("ticket_reply", ticket.number),
        {
            "kind": "reply",
            "body": "Please send a photo.",
            "then_status": "pending_customer",
            "version": ticket.version,
            "attachments": [upload],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("ticket_detail", ticket.number)
    ticket = refreshed(ticket)
    assert ticket.status == TicketStatus.PENDING_CUSTOMER
    event = ticket.events.get(type=EventType.PUBLIC_REPLY)
    attachment = Attachment.objects.get(event=event)
    page = agent.get(url("ticket_detail", ticket.number))
    link = url("attachment_download", ticket.number, attachment.pk)
    assert link in page.content.decode()
    download = agent.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"error 42"
    assert client_for(world.other_agent).get(link).status_code == 404


def test_htmx_reply_redirects_with_hx_redirect(world, ticket, agent):
    response = agent.post(
        url("ticket_reply", ticket.number),
        {"kind": "note", "body": "Checked the logs.", "version": ticket.version},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == url("ticket_detail", ticket.number)
    assert ticket.events.filter(type=EventType.INTERNAL_NOTE).count() == 1


def test_l2_cannot_reply_publicly_but_can_note(world, ticket):
    l2 = client_for(world.l2)
    response = l2.post(
        url("ticket_reply", ticket.number),
        {"kind": "reply", "body": "Hello customer", "version": ticket.version},
        **HTMX,
    )
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#messages"
    assert b"not allowed" in response.content
    assert not ticket.events.filter(type=EventType.PUBLIC_REPLY).exists()
    l2.post(
        url("ticket_reply", ticket.number),
        {"kind": "note", "body": "Firmware bug", "version": ticket.version},
    )
    assert ticket.events.filter(type=EventType.INTERNAL_NOTE).count() == 1


def test_empty_reply_and_unknown_status_store_nothing(world, ticket, agent):
    for data in (
        {"kind": "reply", "body": "   ", "version": ticket.version},
        {"kind": "reply", "body": "Hi", "then_status": "bogus", "version": ticket.version},
        {"kind": "shout", "body": "Hi", "version": ticket.version},
        {"kind": "reply", "body": "Hi"},
    ):
        response = agent.post(url("ticket_reply", ticket.number), data, **HTMX)
        assert response.status_code == 422, data
    assert ticket.events.count() == 1
    assert refreshed(ticket).version == 1


def test_stale_reply_shows_conflict_and_stores_nothing(world, ticket, agent):
    services.ticket_update(actor=world.agent2, ticket=ticket, changes={"priority": "high"})
    response = agent.post(
        url("ticket_reply", ticket.number),
        {"kind": "reply", "body": "Late reply", "version": 1},
        follow=True,
    )
    assert any("Someone else changed this ticket" in m for m in messages_of(response))
    assert not ticket.events.filter(type=EventType.PUBLIC_REPLY).exists()


def test_reply_to_merged_ticket_lands_on_survivor(world, agent):
    duplicate = factories.ticket(world.customer, subject="Dup")
    survivor = factories.ticket(world.customer, subject="Original")
    services.ticket_merge(actor=world.agent, source=duplicate, target=survivor)
    response = agent.post(
        url("ticket_reply", duplicate.number),
        {"kind": "reply", "body": "Answer", "version": refreshed(duplicate).version},
    )
    assert response["Location"] == url("ticket_detail", survivor.number)
    assert survivor.events.filter(type=EventType.PUBLIC_REPLY, body="Answer").exists()


# --- Properties, status, assignment ------------------------------------------------------------


def test_update_properties_and_tags(world, ticket, agent):
    hardware = factories.category(world.tenant)
    response = agent.post(
        url("ticket_update", ticket.number),
        {
            "priority": "high",
            "type": "incident",
            "category": hardware.pk,
            "tags": "noise, 压缩机",
            "version": ticket.version,
        },
    )
    assert response.status_code == 302
    ticket = refreshed(ticket)
    assert (ticket.priority, ticket.type, ticket.category) == ("high", "incident", hardware)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["noise", "压缩机"]


def test_update_refuses_other_tenant_category_and_stale_version(world, ticket, agent):
    foreign = factories.category(world.other_tenant)
    base = {"priority": "high", "type": "question", "tags": "", "version": ticket.version}
    agent.post(url("ticket_update", ticket.number), {**base, "category": foreign.pk})
    agent.post(url("ticket_update", ticket.number), {**base, "version": 99})
    agent.post(url("ticket_update", ticket.number), {**base, "priority": "whenever"})
    assert refreshed(ticket).priority == TicketPriority.NORMAL


def test_transition_of_closed_ticket_answers_409_fragment(world, ticket):
    services.ticket_transition(actor=world.agent, ticket=ticket, to_status="resolved")
    services.ticket_transition(actor=world.agent, ticket=ticket, to_status="closed")
    response = client_for(world.l3).post(
        url("ticket_transition", ticket.number),
        {"to_status": "open", "version": refreshed(ticket).version},
        **HTMX,
    )
    assert response.status_code == 409
    assert refreshed(ticket).status == TicketStatus.CLOSED


def test_transition_happy_invalid_and_denied(world, ticket, agent):
    agent.post(url("ticket_transition", ticket.number), {"to_status": "closed", "version": 1})
    assert refreshed(ticket).status == TicketStatus.NEW
    agent.post(url("ticket_transition", ticket.number), {"to_status": "bogus", "version": 1})
    assert refreshed(ticket).status == TicketStatus.NEW
    client_for(world.l3).post(
        url("ticket_transition", ticket.number), {"to_status": "resolved", "version": 1}
    )
    assert refreshed(ticket).status == TicketStatus.NEW
    response = agent.post(
        url("ticket_transition", ticket.number),
        {"to_status": "pending_internal", "reason": "Waiting for parts", "version": 1},
    )
    assert response.status_code == 302
    assert refreshed(ticket).status == TicketStatus.PENDING_INTERNAL
    page = agent.get(url("ticket_detail", ticket.number))
    assert "Waiting for parts" in page.content.decode()


def test_assign_take_and_denied(world, ticket, agent):
    agent.post(
        url("ticket_assign", ticket.number),
        {"role": "assignee", "assignee": world.agent2.user.pk, "version": 1},
    )
    assert refreshed(ticket).assignee == world.agent2.user
    client_for(world.l3).post(
        url("ticket_assign", ticket.number),
        {"role": "assignee", "assignee": world.l2.user.pk, "version": 2},
    )
    assert refreshed(ticket).assignee == world.agent2.user  # L3 may not assign others
    agent.post(
        url("ticket_assign", ticket.number),
        {"role": "assignee", "assignee": world.other_agent.user.pk, "version": 2},
    )
    assert refreshed(ticket).assignee == world.agent2.user
    agent.post(url("ticket_take", ticket.number))
    assert refreshed(ticket).assignee == world.agent.user
    page = agent.get(url("ticket_detail", ticket.number))
    assignment = [row for row in page.context["timeline"] if row.changes][-1]
    assert (assignment.changes[0].before, assignment.changes[0].after) == ("Agent2", "Agent")


# --- Escalation, hand back, children, merge ----------------------------------------------------


def test_escalate_l1_to_l2_to_l3_and_hand_back(world, ticket, agent):
    response = agent.post(
        url("ticket_escalate", ticket.number),
        {"team": world.l2_team.pk, "reason": "Noise at 3 kHz", "version": 1},
    )
    assert response.status_code == 302
    assert refreshed(ticket).tier == "l2"
    l2 = client_for(world.l2)
    l2.post(url("ticket_take", ticket.number))
    assert refreshed(ticket).engineer == world.l2.user
    l2.post(
        url("ticket_escalate", ticket.number),
        {"team": world.l3_team.pk, "reason": "Firmware", "version": refreshed(ticket).version},
    )
    assert refreshed(ticket).tier == "l3"
    client_for(world.l3).post(
        url("ticket_handback", ticket.number),
        {"reason": "Fixed in 2.1", "version": refreshed(ticket).version},
    )
    assert refreshed(ticket).team == world.l2_team
    page = agent.get(url("ticket_detail", ticket.number))
    titles = [row.title for row in page.context["timeline"]]
    assert any("escalated the ticket to Service engineering" in t for t in titles)
    assert any("handed the ticket back" in t for t in titles)
    assert refreshed(ticket).assignee is None  # nobody took the L1 ownership here


def test_escalate_denied_invalid_and_missing_reason(world, ticket):
    client_for(world.l3).post(
        url("ticket_escalate", ticket.number),
        {"team": world.l2_team.pk, "reason": "x", "version": 1},
    )
    agent = client_for(world.agent)
    agent.post(
        url("ticket_escalate", ticket.number),
        {"team": world.l1_team.pk, "reason": "same tier", "version": 1},
    )
    agent.post(url("ticket_escalate", ticket.number), {"team": world.l2_team.pk, "version": 1})
    agent.post(
        url("ticket_escalate", ticket.number),
        {"team": world.other_team.pk, "reason": "x", "version": 1},
    )
    assert refreshed(ticket).tier == "l1"
    assert not ticket.events.filter(type=EventType.ESCALATION).exists()


def test_handback_denied_for_agent(world, ticket, agent):
    services.ticket_escalate(actor=world.agent, ticket=ticket, team=world.l2_team, reason="x")
    agent.post(
        url("ticket_handback", ticket.number),
        {"reason": "no", "version": refreshed(ticket).version},
    )
    assert refreshed(ticket).tier == "l2"


def test_child_blocks_resolving_parent(world, ticket, agent):
    response = agent.post(
        url("ticket_child_create", ticket.number),
        {
            "subject": "Replace the bearing",
            "description": "R&D to check",
            "team": world.l3_team.pk,
            "blocks_parent": "on",
        },
    )
    assert response.status_code == 302
    child = Ticket.objects.get(parent=ticket)
    page = agent.get(url("ticket_detail", ticket.number))
    assert [row.ticket for row in page.context["children"]] == [child]
    response = agent.post(
        url("ticket_transition", ticket.number),
        {"to_status": "resolved", "version": refreshed(ticket).version},
        follow=True,
    )
    assert any("child ticket" in m for m in messages_of(response))
    assert refreshed(ticket).status == TicketStatus.NEW
    agent.post(url("ticket_transition", child.number), {"to_status": "resolved", "version": 1})
    agent.post(
        url("ticket_transition", ticket.number),
        {"to_status": "resolved", "version": refreshed(ticket).version},
    )
    assert refreshed(ticket).status == TicketStatus.RESOLVED


def test_child_needs_subject(world, ticket, agent):
    agent.post(url("ticket_child_create", ticket.number), {"description": "x"})
    assert not Ticket.objects.filter(parent=ticket).exists()


def test_merge_by_reference_and_denied_and_unknown(world, agent):
    duplicate = factories.ticket(world.customer, subject="Dup")
    survivor = factories.ticket(world.customer, subject="Original")
    client_for(world.l2).post(url("ticket_merge", duplicate.number), {"into": survivor.number})
    assert refreshed(duplicate).merged_into is None
    response = agent.post(url("ticket_merge", duplicate.number), {"into": "9999"}, follow=True)
    assert any("no ticket" in m for m in messages_of(response))
    foreign = factories.ticket(world.other_agent)
    agent.post(url("ticket_merge", duplicate.number), {"into": str(foreign.number + 50)})
    assert refreshed(duplicate).merged_into is None
    response = agent.post(
        url("ticket_merge", duplicate.number), {"into": f"SH-{survivor.number:06d}"}
    )
    assert response["Location"] == url("ticket_detail", survivor.number)
    assert refreshed(duplicate).merged_into == survivor
    page = agent.get(url("ticket_detail", survivor.number))
    sources = {row.from_reference for row in page.context["timeline"]}
    assert f"SH-{duplicate.number:06d}" in sources
    dup_page = agent.get(url("ticket_detail", duplicate.number))
    assert b"merged-notice" in dup_page.content


# --- Presence ------------------------------------------------------------------------------------


def test_presence_shows_the_other_agent(world, ticket):
    client_for(world.agent2).post(url("ticket_presence", ticket.number), {"state": "replying"})
    response = client_for(world.agent).post(
        url("ticket_presence", ticket.number), {"state": "viewing"}, **HTMX
    )
    assert response.status_code == 200
    assert b"Agent2 is replying" in response.content
    assert b"Agent is" not in response.content
    assert TicketPresence.objects.filter(ticket=ticket).count() == 2


def test_presence_unknown_state_and_get_refused(world, ticket, agent):
    response = agent.post(url("ticket_presence", ticket.number), {"state": "dancing"}, **HTMX)
    assert response.status_code == 422
    assert agent.get(url("ticket_presence", ticket.number)).status_code == 405
    assert not TicketPresence.objects.exists()


def _detail_queries(world: factories.World, notes: int, django_assert_max_num_queries: Any) -> int:
    ticket = factories.ticket(world.customer, tags=["a"])
    for i in range(notes):
        upload = SimpleUploadedFile(f"n{i}.txt", b"x", content_type="text/plain")
        services.ticket_reply(
            actor=world.agent, ticket=ticket, body=f"Note {i}", public=False, files=[upload]
        )
        services.ticket_child_create(
            actor=world.agent, parent=ticket, subject=f"Child {i}", description="x"
        )
    client = client_for(world.agent)
    client.get(url("ticket_list"))
    with django_assert_max_num_queries(30) as ctx:
        response = client.get(url("ticket_detail", ticket.number))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_detail_query_count_does_not_grow_with_the_timeline(world, django_assert_max_num_queries):
    assert _detail_queries(world, 1, django_assert_max_num_queries) == _detail_queries(
        world, 6, django_assert_max_num_queries
    )


def test_l3_cannot_resolve_through_a_note(world, ticket):
    response = client_for(world.l3).post(
        url("ticket_reply", ticket.number),
        {"kind": "note", "body": "Done", "then_status": "resolved", "version": 1},
        **HTMX,
    )
    assert response.status_code == 422
    assert refreshed(ticket).status == TicketStatus.NEW
    assert not ticket.events.filter(type=EventType.INTERNAL_NOTE).exists()
