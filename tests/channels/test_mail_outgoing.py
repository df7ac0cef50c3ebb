"""Mail to the customer through the mailbox's SMTP server (a real one, aiosmtpd, started by
the test), threaded so that the answer comes back to the ticket; password and XOAUTH2
sign-in; a sending error shown on the mailbox."""

from __future__ import annotations

import base64
import email
import socket
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.utils import timezone

from tests.factories import World
from zhongtai.channels.mail.intake import mail_intake
from zhongtai.channels.mail.outgoing import MailboxSendError
from zhongtai.channels.models import Mailbox
from zhongtai.tickets import services as ticket_services
from zhongtai.tickets.models import TicketEvent
from zhongtai.tickets.notifications import ticket_event_notify

pytestmark = pytest.mark.django_db


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.mails: list[Message] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        raw = base64.b64decode(args[1]).decode()
        user = raw.split("\x01")[0].removeprefix("user=")
        token = raw.split("auth=Bearer ", 1)[1].split("\x01")[0]
        self.logins.append((user, token))
        return AuthResult(success=token == "good-token", handled=False)


def _authenticator(inbox: Inbox) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            inbox.logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=data.password == b"smtp-pass")
        return AuthResult(success=False)

    return check


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller cannot take port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator(inbox),
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _mailbox(world: World, port: int, **kwargs: Any) -> Mailbox:
    settings = {
        "name": "Support",
        "address": "support@sh.example",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_username": "support",
        "smtp_password": "smtp-pass",
        **kwargs,
    }
    return Mailbox.objects.create(tenant=world.tenant, **settings)


CUSTOMER_MAIL = (
    b"From: Li Wei <li.wei@acme.example>\r\nTo: support@sh.example\r\n"
    b"Subject: Printer jams\r\nMessage-ID: <first@acme.example>\r\n\r\nIt jams on tray 2.\r\n"
)


def test_a_reply_goes_out_threaded_and_the_answer_comes_back(
    world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    mailbox = _mailbox(world, port)
    ticket = mail_intake(mailbox=mailbox, raw=CUSTOMER_MAIL, source="relay").ticket
    assert ticket is not None

    acknowledgement = TicketEvent.objects.get(ticket=ticket, type="created")
    assert ticket_event_notify(event_id=acknowledgement.pk) == 1
    reply = ticket_services.ticket_reply(actor=world.agent, ticket=ticket, body="Try a new roller.")
    assert ticket_event_notify(event_id=reply.pk) == 1

    ack, answer = inbox.mails
    assert inbox.logins == [("support", "smtp-pass"), ("support", "smtp-pass")]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert answer["Auto-Submitted"] is None
    assert "support@sh.example" in answer["From"]
    assert answer["To"] == "li.wei@acme.example"
    assert answer["In-Reply-To"] == "<first@acme.example>"
    assert "<first@acme.example>" in answer["References"]
    assert answer["Reply-To"].startswith("support+")
    assert answer["X-Zhongtai-Loop"]
    assert f"SH-{ticket.number:06d}" in answer["Subject"]
    assert "Try a new roller." in answer.get_content()

    # the customer answers the mail (their client keeps our Message-ID in In-Reply-To)
    back = (
        b"From: Li Wei <li.wei@acme.example>\r\nTo: support@sh.example\r\n"
        b"Subject: Re: something\r\nMessage-ID: <second@acme.example>\r\n"
        + f"In-Reply-To: {answer['Message-ID']}\r\n\r\nStill jams.\r\n".encode()
    )
    threaded = mail_intake(mailbox=mailbox, raw=back, source="imap")
    assert threaded.state == "reply"
    assert threaded.ticket == ticket

    # the agent's next answer threads on the customer's last mail
    again = ticket_services.ticket_reply(actor=world.agent, ticket=ticket, body="On my way.")
    ticket_event_notify(event_id=again.pk)
    assert inbox.mails[-1]["In-Reply-To"] == "<second@acme.example>"


def test_xoauth2_signs_in_with_a_fresh_token(world: World, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    mailbox = _mailbox(
        world,
        port,
        auth="xoauth2",
        oauth_access_token="good-token",
        oauth_expires_at=timezone.now() + timedelta(hours=1),
    )
    ticket = mail_intake(mailbox=mailbox, raw=CUSTOMER_MAIL, source="relay").ticket
    assert ticket is not None

    reply = ticket_services.ticket_reply(actor=world.agent, ticket=ticket, body="Hello")
    ticket_event_notify(event_id=reply.pk)

    assert inbox.logins == [("support", "good-token")]
    assert len(inbox.mails) == 1


def test_a_sending_error_is_shown_on_the_mailbox(world: World) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = _mailbox(world, port)
    ticket = mail_intake(mailbox=mailbox, raw=CUSTOMER_MAIL, source="relay").ticket
    assert ticket is not None
    reply = ticket_services.ticket_reply(actor=world.agent, ticket=ticket, body="Hello")

    with pytest.raises(MailboxSendError):
        ticket_event_notify(event_id=reply.pk)

    mailbox.refresh_from_db()
    assert mailbox.last_error.startswith("SMTP:")
    assert mailbox.last_error_at is not None
    # (Huey retries the task; nothing was marked sent)
    assert reply.notifications.filter(sent_at__isnull=False).count() == 0  # type: ignore[attr-defined]
