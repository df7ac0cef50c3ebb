"""A mail's formatted body on the ticket: sanitized HTML with its own pictures in place
(``cid:`` pointing at the stored attachments), pictures from the internet not loaded,
and pictures drawn as thumbnails; the picture view never draws what could run."""

from __future__ import annotations

import re
import struct
import zlib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.test import Client

from tests.factories import World
from zhongtai.channels.mail import intake
from zhongtai.channels.mail.intake import mail_intake
from zhongtai.channels.mail.sanitize import html_for_display
from zhongtai.channels.mail.threading import reply_headers
from zhongtai.channels.models import InboundState, Mailbox
from zhongtai.tickets.models import Attachment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    """A real 1×1 PNG (signature, IHDR, IDAT, IEND with their CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()


def _html_mail(*, in_reply_to: str = "", extra_html: str = "") -> bytes:
    """What Outlook and Foxmail send: multipart/alternative with a multipart/related HTML
    part whose picture is shown by ``cid:``, plus a remote tracking pixel and a script."""
    message = EmailMessage()
    message["From"] = "Li Wei <li.wei@acme.example>"
    message["To"] = "support@sh.example"
    message["Subject"] = "打印机卡纸 (photo inside)"
    message["Message-ID"] = make_msgid(domain="acme.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content("The tray looks like this:\n[image: tray]\n\nLi Wei")
    message.add_alternative(
        "<html><head><style>p{color:red}</style></head><body>"
        '<p onclick="steal()">The tray looks like <b>this</b>:</p>'
        '<p><img src="cid:Tray.Photo@acme.example" alt="tray" width="300"></p>'
        '<img src="https://tracker.example/open.gif?u=1" alt="" width="1" height="1">'
        "<script>alert(1)</script>"
        f'<p><a href="https://acme.example/manual">manual</a></p>{extra_html}'
        "<blockquote>On Monday you wrote: old text</blockquote></body></html>",
        subtype="html",
    )
    html_part = message.get_payload()[1]
    html_part.add_related(PNG, "image", "png", cid="<Tray.Photo@acme.example>", filename="tray.png")
    return message.as_bytes()


@pytest.fixture
def mailbox(world: World) -> Mailbox:
    return Mailbox.objects.create(
        tenant=world.tenant, name="Support", address="support@sh.example", team=world.l1_team
    )


def _agent(world: World) -> Client:
    client = Client()
    client.force_login(world.agent.user)
    return client


def _shown_mail(page: str) -> str:
    found = re.search(r'<div class="zt-mail-html-body">(.*?)</div>\s*<p class', page, re.S)
    assert found, "the ticket page shows no formatted mail"
    return found.group(1)


def test_a_mail_s_inline_picture_is_stored_and_drawn_in_place(world, mailbox):
    inbound = mail_intake(mailbox=mailbox, raw=_html_mail(), source="relay")

    assert inbound.state == InboundState.TICKET
    ticket = inbound.ticket
    picture = Attachment.objects.get(ticket=ticket)
    assert (picture.filename, picture.content_type, picture.content_id) == (
        "tray.png",
        "image/png",
        "Tray.Photo@acme.example",
    )
    stored = TicketEvent.objects.get(ticket=ticket, type="created").data["mail"]["html"]
    assert "<script" not in stored
    assert "onclick" not in stored
    assert "<style" not in stored

    page = _agent(world).get(f"/agent/tickets/{ticket.number}/").content.decode()
    shown = _shown_mail(page)
    view = f"/agent/tickets/{ticket.number}/attachments/{picture.pk}/view/"
    assert f'<img src="{view}" alt="tray" width="300">' in shown
    assert "tracker.example" not in page  # a picture from the internet is never loaded
    assert "cid:" not in shown
    assert "alert(1)" not in page
    assert 'href="https://acme.example/manual" rel="noopener noreferrer nofollow"' in shown
    assert "<blockquote>On Monday you wrote: old text</blockquote>" in shown
    assert '<span class="zt-event-who">Li Wei</span>' in page  # the sender, not "System"
    # the plain view draws it as a thumbnail too
    assert f'<img src="{view}" alt="tray.png" loading="lazy"' in page


def test_the_picture_view_draws_pictures_and_downloads_anything_else(world, mailbox):
    ticket = mail_intake(mailbox=mailbox, raw=_html_mail(), source="relay").ticket
    picture = Attachment.objects.get(ticket=ticket)
    agent = _agent(world)

    drawn = agent.get(f"/agent/tickets/{ticket.number}/attachments/{picture.pk}/view/")

    assert drawn.status_code == 200
    assert drawn["Content-Type"] == "image/png"
    assert drawn["Content-Disposition"].startswith("inline")
    assert drawn["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in drawn["Content-Security-Policy"]
    assert b"".join(drawn.streaming_content) == PNG

    # an SVG can carry a script: it is downloaded, never drawn
    Attachment.objects.filter(pk=picture.pk).update(content_type="image/svg+xml")
    downloaded = agent.get(f"/agent/tickets/{ticket.number}/attachments/{picture.pk}/view/")
    assert downloaded["Content-Type"] == "application/octet-stream"
    assert downloaded["Content-Disposition"].startswith("attachment")


def test_another_unit_cannot_see_the_picture(world, mailbox):
    ticket = mail_intake(mailbox=mailbox, raw=_html_mail(), source="relay").ticket
    picture = Attachment.objects.get(ticket=ticket)
    stranger = Client()
    stranger.force_login(world.other_agent.user)

    answer = stranger.get(f"/agent/tickets/{ticket.number}/attachments/{picture.pk}/view/")

    assert answer.status_code == 404


def test_a_threaded_answer_shows_its_own_pictures(world, mailbox):
    ticket = mail_intake(mailbox=mailbox, raw=_html_mail(), source="relay").ticket
    assert ticket is not None
    ours = reply_headers(tenant_id=world.tenant.pk, ticket_id=ticket.pk, domain="sh.example")

    answer = mail_intake(
        mailbox=mailbox, raw=_html_mail(in_reply_to=ours["Message-ID"]), source="relay"
    )

    assert (answer.state, answer.ticket) == (InboundState.REPLY, ticket)
    reply = TicketEvent.objects.get(ticket=ticket, type="public_reply")
    picture = Attachment.objects.get(event=reply)
    assert picture.content_id == "Tray.Photo@acme.example"
    page = _agent(world).get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert page.count('data-testid="mail-html"') == 2
    assert f"/attachments/{picture.pk}/view/" in page


def test_a_huge_formatted_body_keeps_its_text_only(world, mailbox, monkeypatch):
    filler = "<p>" + "很长的邮件 " * 100 + "</p>"
    monkeypatch.setattr(intake, "MAX_HTML", 2_000)

    ticket = mail_intake(
        mailbox=mailbox, raw=_html_mail(extra_html=filler * 5), source="relay"
    ).ticket

    mail = TicketEvent.objects.get(ticket=ticket, type="created").data["mail"]
    assert "html" not in mail
    assert mail["html_dropped"] > 2_000
    assert "The tray looks like this" in Ticket.objects.get(pk=ticket.pk).description
    page = _agent(world).get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="mail-html"' not in page


@pytest.mark.parametrize(
    ("html", "shown"),
    [
        ('<img src="cid:A@B" alt="a">', '<img src="/a.png" alt="a">'),  # case-insensitive
        ('<img src="cid:<a@b>">', '<img src="/a.png">'),
        ('<img src="cid:unknown@b" alt="x">', '<img alt="x">'),  # not among the files
        ('<img src="http://intranet/x.png" alt="x">', '<img alt="x">'),
        ('<img src="data:image/png;base64,AAAA">', "<img>"),
        (
            '<a href="cid:a@b">open</a>',
            '<a href="/a.png" rel="noopener noreferrer nofollow">open</a>',
        ),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<p style="position:fixed">x</p>', "<p>x</p>"),
    ],
)
def test_display_points_the_mail_s_pictures_at_its_files_and_loads_nothing_else(html, shown):
    assert html_for_display(html, {"a@b": "/a.png"}) == shown


def test_the_api_gives_the_formatted_body_and_each_picture_s_content_id(world, mailbox, api_for):
    ticket = mail_intake(mailbox=mailbox, raw=_html_mail(), source="relay").ticket

    events = api_for(world.agent).get(f"/tickets/{ticket.number}/events").json()

    created = next(e for e in events if e["type"] == "created")
    assert "<b>this</b>" in created["data"]["mail"]["html"]
    assert [(a["filename"], a["content_id"]) for a in created["attachments"]] == [
        ("tray.png", "Tray.Photo@acme.example")
    ]
