"""The customer portal: own requests only, public conversation only, safe input and output."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from zhongtai.tickets import services
from zhongtai.tickets.choices import EventType, TicketStatus
from zhongtai.tickets.models import Attachment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def client_for(actor: Any) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def upload(name: str = "log.txt", content: bytes = b"hello") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def html(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def mine(world: factories.World) -> Ticket:
    """A request of ``world.customer`` with a file, a public answer and an internal note."""
    ticket = factories.ticket(
        world.customer,
        subject="Compressor stops",
        description="It stops after ten minutes.",
        files=[upload("nameplate.txt", b"model X")],
    )
    services.ticket_reply(
        actor=world.agent,
        ticket=ticket,
        body="Please send the serial number.",
        files=[upload("manual.pdf", b"%PDF-1.4")],
    )
    services.ticket_reply(
        actor=world.agent,
        ticket=ticket,
        body="Internal: probably the relay, batch 42.",
        public=False,
        files=[upload("internal-analysis.txt", b"secret")],
    )
    return ticket


def _urls(ticket: Ticket) -> list[tuple[str, str]]:
    attachment = Attachment.objects.filter(ticket=ticket).order_by("pk").first()
    assert attachment is not None
    return [
        ("get", reverse("portal:ticket_list")),
        ("get", reverse("portal:ticket_create")),
        ("get", reverse("portal:ticket_detail", args=[ticket.number])),
        ("post", reverse("portal:ticket_reply", args=[ticket.number])),
        ("get", reverse("portal:attachment_download", args=[ticket.number, attachment.pk])),
    ]


# --- access -------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(mine: Ticket) -> None:
    for method, url in _urls(mine):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_staff_are_sent_to_the_agent_queue_everywhere(world: factories.World, mine: Ticket) -> None:
    client = client_for(world.agent)
    for method, url in _urls(mine):
        response = getattr(client, method)(url, {"body": "hi"} if method == "post" else None)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("tickets:ticket_list"), url
    assert not TicketEvent.objects.filter(ticket=mine, body="hi").exists()


def test_user_without_membership_gets_404(mine: Ticket) -> None:
    client = client_for(factories.actor(factories.TenantFactory()))
    client.force_login(factories.UserFactory(username="nobody"))
    assert client.get(reverse("portal:ticket_list")).status_code == 404


def test_another_customers_request_is_404_everywhere(world: factories.World, mine: Ticket) -> None:
    client = client_for(world.customer2)
    for method, url in _urls(mine)[2:]:
        response = getattr(client, method)(url, {"body": "let me in"} if method == "post" else None)
        assert response.status_code == 404, url
    assert not TicketEvent.objects.filter(body="let me in").exists()
    assert "Compressor stops" not in html(client.get(reverse("portal:ticket_list")))


def test_other_tenant_request_is_404_everywhere(world: factories.World) -> None:
    # given a request numbered 1 in the other business unit, with a file
    other = factories.ticket(
        world.other_customer, subject="Other unit secret", files=[upload("x.txt")]
    )
    assert other.number == 1
    attachment = Attachment.objects.get(ticket=other)
    client = client_for(world.customer)
    # when a customer of this unit asks for number 1 and that file
    # then nothing is found, and the list does not show it
    assert client.get(reverse("portal:ticket_detail", args=[1])).status_code == 404
    response = client.post(reverse("portal:ticket_reply", args=[1]), {"body": "cross"})
    assert response.status_code == 404
    download = reverse("portal:attachment_download", args=[1, attachment.pk])
    assert client.get(download).status_code == 404
    assert "Other unit secret" not in html(client.get(reverse("portal:ticket_list")))
    assert not TicketEvent.objects.filter(body="cross").exists()


# --- list -----------------------------------------------------------------------------------


def test_list_shows_own_requests_with_status_badges(world: factories.World, mine: Ticket) -> None:
    factories.ticket(world.customer2, subject="Someone else's request")
    response = client_for(world.customer).get(reverse("portal:ticket_list"))
    assert response.status_code == 200
    page = html(response)
    assert "Compressor stops" in page
    assert f"SH-{mine.number:06d}" in page
    assert "Someone else" not in page
    # the agent's reply opened it: "open" has the badge colour of choices.STATUS_BADGE
    assert "text-bg-info" in page


def test_list_filters_open_and_solved(world: factories.World, mine: Ticket) -> None:
    solved = factories.ticket(world.customer, subject="Old toner question")
    services.ticket_transition(actor=world.agent, ticket=solved, to_status=TicketStatus.RESOLVED)
    client = client_for(world.customer)
    open_page = html(client.get(reverse("portal:ticket_list")))
    solved_page = html(client.get(reverse("portal:ticket_list"), {"state": "solved"}))
    all_page = html(client.get(reverse("portal:ticket_list"), {"state": "all"}))
    assert "Compressor stops" in open_page
    assert "Old toner question" not in open_page
    assert "Old toner question" in solved_page
    assert "Compressor stops" not in solved_page
    assert "Solved" in solved_page
    assert "text-bg-success" in solved_page
    assert "Compressor stops" in all_page
    assert "Old toner question" in all_page


def test_list_ignores_a_bad_filter_or_cursor(world: factories.World, mine: Ticket) -> None:
    client = client_for(world.customer)
    response = client.get(reverse("portal:ticket_list"), {"state": "bogus", "cursor": "%%%"})
    assert response.status_code == 200
    assert "Compressor stops" in html(response)


def test_list_htmx_returns_rows_only(world: factories.World, mine: Ticket) -> None:
    response = client_for(world.customer).get(
        reverse("portal:ticket_list"), {"state": "all"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    page = html(response)
    assert "Compressor stops" in page
    assert "<html" not in page


def test_list_pages_with_show_more(world: factories.World, settings: Any) -> None:
    for i in range(27):
        factories.ticket(world.customer, subject=f"Request {i:02d}")
    client = client_for(world.customer)
    first = html(client.get(reverse("portal:ticket_list")))
    assert "Request 26" in first
    assert "Request 01" not in first
    assert "Show older requests" in first
    cursor = first.split("cursor=")[1].split('"')[0]
    more = client.get(
        reverse("portal:ticket_list"),
        {"state": "open", "cursor": cursor},
        headers={"HX-Request": "true"},
    )
    assert "Request 01" in html(more)
    assert "Request 26" not in html(more)


def test_list_query_count_does_not_grow_with_requests(world: factories.World) -> None:
    client = client_for(world.customer)
    factories.ticket(world.customer)
    client.get(reverse("portal:ticket_list"))  # warm up session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portal:ticket_list"))
    for _ in range(10):
        factories.ticket(world.customer)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("portal:ticket_list"))
    assert html(response).count('data-testid="request-row"') == 11
    assert len(many) == len(few)


def test_child_tickets_stay_internal(world: factories.World, mine: Ticket) -> None:
    child = services.ticket_child_create(
        actor=world.agent, parent=mine, subject="R&D: analyse relay batch", description="x"
    )
    client = client_for(world.customer)
    page = html(client.get(reverse("portal:ticket_list"), {"state": "all"}))
    assert "R&amp;D: analyse relay batch" not in page
    assert client.get(reverse("portal:ticket_detail", args=[child.number])).status_code == 404


# --- detail and downloads -----------------------------------------------------------------


def test_detail_shows_public_conversation_never_internal_notes(
    world: factories.World, mine: Ticket
) -> None:
    response = client_for(world.customer).get(reverse("portal:ticket_detail", args=[mine.number]))
    assert response.status_code == 200
    page = html(response)
    assert "It stops after ten minutes." in page
    assert "Please send the serial number." in page
    assert "manual.pdf" in page
    assert "nameplate.txt" in page
    assert "Internal: probably the relay" not in page
    assert "internal-analysis.txt" not in page
    # staff-only fields stay hidden
    assert "Frontline" not in page
    assert 'data-testid="reply-form"' in page
    # times are shown in the business unit's time zone (Asia/Shanghai)
    assert "+08:00" in page


def test_internal_attachment_cannot_be_downloaded(world: factories.World, mine: Ticket) -> None:
    internal = Attachment.objects.get(filename="internal-analysis.txt")
    url = reverse("portal:attachment_download", args=[mine.number, internal.pk])
    assert client_for(world.customer).get(url).status_code == 404


def test_download_is_an_attachment_with_nosniff(world: factories.World, mine: Ticket) -> None:
    manual = Attachment.objects.get(filename="manual.pdf")
    url = reverse("portal:attachment_download", args=[mine.number, manual.pk])
    response = client_for(world.customer).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4"


def test_attachment_of_another_request_is_404(world: factories.World, mine: Ticket) -> None:
    second = factories.ticket(world.customer, files=[upload("second.txt")])
    manual = Attachment.objects.get(filename="manual.pdf")
    url = reverse("portal:attachment_download", args=[second.number, manual.pk])
    assert client_for(world.customer).get(url).status_code == 404


# --- new request ----------------------------------------------------------------------------


def test_create_stores_request_with_attachment(world: factories.World) -> None:
    client = client_for(world.customer)
    assert client.get(reverse("portal:ticket_create")).status_code == 200
    response = client.post(
        reverse("portal:ticket_create"),
        {
            "subject": "Display shows E42",
            "description": "Since this morning.",
            "type": "incident",
            "attachments": [upload("photo.png", b"\x89PNG"), upload("log.txt")],
        },
    )
    ticket = Ticket.objects.get(subject="Display shows E42")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket_detail", args=[ticket.number])
    assert ticket.contact is not None
    assert ticket.contact.user == world.customer.user
    assert ticket.type == "incident"
    assert ticket.channel == "portal"
    assert sorted(a.filename for a in ticket.attachments.all()) == ["log.txt", "photo.png"]
    page = html(client.get(response["Location"]))
    assert "Display shows E42" in page
    assert "photo.png" in page


INVALID_CREATES = {
    "empty subject": ({"subject": "  ", "type": "question"}, "subject"),
    "unknown type": ({"type": "refund_now"}, "type"),
    "description too long": ({"description": "x" * 50_001}, "description"),
    "exe attachment": ({"attachments": "exe"}, "attachments"),
    "attachment too large": ({"attachments": "big"}, "attachments"),
}


@pytest.mark.parametrize("case", INVALID_CREATES, ids=list(INVALID_CREATES))
def test_invalid_create_shows_errors_and_stores_nothing(
    world: factories.World, settings: Any, case: str
) -> None:
    settings.MAX_DESCRIPTION_CHARS = 50_000
    settings.MAX_ATTACHMENT_BYTES = 1024
    changes, field = INVALID_CREATES[case]
    data: dict[str, Any] = {"subject": "Help", "description": "Broken.", "type": "question"}
    data.update(changes)
    if data.get("attachments") == "exe":
        data["attachments"] = [upload("ok.txt"), upload("setup.exe", b"MZ")]
    elif data.get("attachments") == "big":
        data["attachments"] = [upload("huge.log", b"x" * 2048)]
    response = client_for(world.customer).post(reverse("portal:ticket_create"), data)
    assert 400 <= response.status_code < 500
    assert f'data-testid="error-{field}"' in html(response)
    assert 'class="form-control is-invalid"' in html(response) or field == "type"
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_script_payloads_are_escaped(world: factories.World) -> None:
    client = client_for(world.customer)
    response = client.post(
        reverse("portal:ticket_create"),
        {
            "subject": f"Subject {SCRIPT}",
            "description": f"Body {SCRIPT}",
            "type": "question",
            "attachments": [upload(f"{SCRIPT}.txt")],
        },
    )
    ticket = Ticket.objects.get()
    services.ticket_reply(actor=world.agent, ticket=ticket, body=f"Agent {SCRIPT}")
    for url in (response["Location"], reverse("portal:ticket_list")):
        page = html(client.get(url))
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # a rejected file name is echoed in the error, escaped too
    rejected = client.post(
        reverse("portal:ticket_create"),
        {"subject": "s", "description": "d", "type": "question", "attachments": [upload(SCRIPT)]},
    )
    assert rejected.status_code == 422
    assert SCRIPT not in html(rejected)


# --- replies ----------------------------------------------------------------------------------


def test_reply_adds_public_message(world: factories.World, mine: Ticket) -> None:
    client = client_for(world.customer)
    response = client.post(
        reverse("portal:ticket_reply", args=[mine.number]),
        {"body": "Serial is 12345.", "attachments": [upload("serial.jpg", b"\xff\xd8")]},
    )
    assert response.status_code == 302
    event = TicketEvent.objects.get(ticket=mine, body="Serial is 12345.")
    assert event.type == EventType.PUBLIC_REPLY
    assert event.is_public
    assert event.attachments.get().filename == "serial.jpg"
    page = html(client.get(response["Location"]))
    assert "Serial is 12345." in page
    assert "serial.jpg" in page


def test_reply_to_solved_request_reopens_it(world: factories.World, mine: Ticket) -> None:
    services.ticket_transition(actor=world.agent, ticket=mine, to_status=TicketStatus.RESOLVED)
    client = client_for(world.customer)
    assert "Reply and reopen" in html(
        client.get(reverse("portal:ticket_detail", args=[mine.number]))
    )
    client.post(reverse("portal:ticket_reply", args=[mine.number]), {"body": "Back again."})
    mine.refresh_from_db()
    assert mine.status == TicketStatus.OPEN
    assert mine.is_open


def test_closed_request_offers_a_new_one_and_refuses_replies(
    world: factories.World, mine: Ticket
) -> None:
    services.ticket_transition(actor=world.agent, ticket=mine, to_status=TicketStatus.RESOLVED)
    services.ticket_transition(actor=world.agent, ticket=mine, to_status=TicketStatus.CLOSED)
    client = client_for(world.customer)
    page = html(client.get(reverse("portal:ticket_detail", args=[mine.number])))
    assert 'data-testid="closed-notice"' in page
    assert 'data-testid="reply-form"' not in page
    assert reverse("portal:ticket_create") in page
    response = client.post(reverse("portal:ticket_reply", args=[mine.number]), {"body": "Hello?"})
    assert response.status_code == 409
    assert "closed" in html(response)
    assert not TicketEvent.objects.filter(body="Hello?").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 50_001}, "body"),
        ({"body": "ok", "attachments": "exe"}, "attachments"),
    ],
    ids=["empty", "too long", "exe"],
)
def test_invalid_reply_shows_errors_and_stores_nothing(
    world: factories.World, mine: Ticket, data: dict[str, Any], field: str
) -> None:
    events_before = TicketEvent.objects.count()
    files_before = Attachment.objects.count()
    if data.get("attachments") == "exe":
        data = {**data, "attachments": [upload("virus.exe", b"MZ")]}
    response = client_for(world.customer).post(
        reverse("portal:ticket_reply", args=[mine.number]), data
    )
    assert response.status_code == 422
    assert f'data-testid="error-{field}"' in html(response)
    assert "Internal: probably the relay" not in html(response)
    assert TicketEvent.objects.count() == events_before
    assert Attachment.objects.count() == files_before


def test_merged_request_points_to_the_surviving_one(world: factories.World, mine: Ticket) -> None:
    duplicate = factories.ticket(world.customer, subject="Compressor again", description="Dup.")
    services.ticket_merge(actor=world.agent, source=duplicate, target=mine)
    client = client_for(world.customer)
    page = html(client.get(reverse("portal:ticket_detail", args=[duplicate.number])))
    assert reverse("portal:ticket_detail", args=[mine.number]) in page
    assert 'data-testid="reply-form"' not in page
    # the surviving request shows the duplicate's description in its conversation
    assert "Dup." in html(client.get(reverse("portal:ticket_detail", args=[mine.number])))


def test_only_staff_messages_carry_the_support_badge(world: factories.World, mine: Ticket) -> None:
    page = html(client_for(world.customer).get(reverse("portal:ticket_detail", args=[mine.number])))
    assert page.count('<span class="badge text-bg-light border">Support</span>') == 1
