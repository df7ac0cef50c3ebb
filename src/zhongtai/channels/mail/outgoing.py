"""Mail to a ticket's contact, sent so that their answer comes back to the ticket.

A mail about a ticket leaves through the mailbox the ticket came in by (or the unit's
first mailbox that can send), from that mailbox's address, with:
- ``Message-ID`` carrying our signed reply token, ``In-Reply-To`` / ``References`` to the
  customer's last mail, so mail clients thread it and the answer finds the ticket;
- ``Reply-To`` the mailbox's plus-address with the same token (a second way back);
- ``X-Zhongtai-Loop`` (our loop header) and, for what the system sends by itself (the
  acknowledgement), ``Auto-Submitted: auto-replied``, so that auto-responders keep quiet
  and our own intake never answers itself.
SMTP signs in with the mailbox's password or, for Microsoft 365 and Google, XOAUTH2 with a
refreshed access token. Without a sending mailbox the site's default mail settings send it.
"""

from __future__ import annotations

import base64
import smtplib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend
from django.utils import timezone

from zhongtai.channels.mail.autoreply import LOOP_HEADER
from zhongtai.channels.mail.threading import reply_address, reply_headers, reply_token
from zhongtai.channels.models import InboundMail, InboundState, MailAuth, Mailbox, MailSecurity

if TYPE_CHECKING:
    from zhongtai.tickets.models import Ticket

SMTP_TIMEOUT = 30


@dataclass(frozen=True)
class Envelope:
    from_email: str
    headers: dict[str, str]
    mailbox: Mailbox | None


def sending_mailbox(ticket: Ticket) -> Mailbox | None:
    """The mailbox a ticket's mail leaves by: the one it came in through, else the unit's
    first active mailbox with an SMTP server."""
    came_by = (
        InboundMail.objects.filter(ticket=ticket, mailbox__is_active=True)
        .order_by("created_at", "id")
        .select_related("mailbox")
        .first()
    )
    if came_by is not None and came_by.mailbox.smtp_host:
        through: Mailbox = came_by.mailbox
        return through
    mailbox: Mailbox | None = (
        Mailbox.objects.filter(tenant_id=ticket.tenant_id, is_active=True)
        .exclude(smtp_host="")
        .order_by("pk")
        .first()
    )
    return mailbox


def _thread_of(ticket: Ticket) -> tuple[str, list[str]]:
    """The customer's last mail on the ticket (its Message-ID) and the ones before."""
    ids = [
        key
        for key in InboundMail.objects.filter(
            ticket=ticket, state__in=(InboundState.TICKET, InboundState.REPLY)
        )
        .order_by("created_at", "id")
        .values_list("message_key", flat=True)
        if not key.startswith("sha256:")
    ]
    return (ids[-1], ids[:-1]) if ids else ("", [])


def envelope_for(ticket: Ticket, *, automatic: bool) -> Envelope:
    """Sender and threading headers for a mail to the ticket's contact."""
    mailbox = sending_mailbox(ticket)
    address = mailbox.address if mailbox else settings.DEFAULT_FROM_EMAIL
    domain = address.rpartition("@")[2] or "localhost"
    parent, earlier = _thread_of(ticket)
    headers = reply_headers(
        tenant_id=ticket.tenant_id,
        ticket_id=ticket.pk,
        domain=domain,
        parent_message_id=parent,
        parent_references=earlier,
    )
    if mailbox is not None:
        headers["Reply-To"] = reply_address(
            mailbox.address, reply_token(ticket.tenant_id, ticket.pk)
        )
    if automatic:
        headers["Auto-Submitted"] = "auto-replied"
    name = ticket.tenant.name.replace('"', "")
    return Envelope(from_email=f'"{name}" <{address}>', headers=headers, mailbox=mailbox)


def internal_headers(domain: str = "") -> dict[str, str]:
    """Headers of the notifications to staff: automatic, never to be answered."""
    return {"Auto-Submitted": "auto-generated", LOOP_HEADER: domain or "notifications"}


class MailboxBackend(EmailBackend):
    """Django's SMTP backend signing in as a mailbox: its password, or XOAUTH2."""

    def __init__(self, mailbox: Mailbox, **kwargs: Any) -> None:
        self.mailbox = mailbox
        super().__init__(
            host=mailbox.smtp_host,
            port=mailbox.smtp_port,
            username=None,
            password=None,
            use_tls=mailbox.smtp_security == MailSecurity.STARTTLS,
            use_ssl=mailbox.smtp_security == MailSecurity.SSL,
            timeout=SMTP_TIMEOUT,
            **kwargs,
        )

    def open(self) -> bool | None:
        opened = super().open()
        if self.connection is None:
            return opened
        user = self.mailbox.smtp_username or self.mailbox.imap_username
        if self.mailbox.auth == MailAuth.XOAUTH2:
            from zhongtai.channels.mail.oauth import access_token

            token = access_token(self.mailbox)
            raw = f"user={user}\x01auth=Bearer {token}\x01\x01".encode()
            self.connection.ehlo_or_helo_if_needed()
            code, answer = self.connection.docmd(
                "AUTH", "XOAUTH2 " + base64.b64encode(raw).decode()
            )
            if code != 235:
                self.close()
                raise smtplib.SMTPAuthenticationError(code, answer)
        elif user and self.mailbox.smtp_password:
            self.connection.login(user, self.mailbox.smtp_password)
        return opened


def send_to_contact(
    ticket: Ticket, *, recipient: str, subject: str, body: str, automatic: bool
) -> None:
    """Send one mail about ``ticket`` to its contact, threaded (see the module)."""
    envelope = envelope_for(ticket, automatic=automatic)
    connection = (
        MailboxBackend(envelope.mailbox) if envelope.mailbox is not None else get_connection()
    )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=envelope.from_email,
        to=[recipient],
        headers=envelope.headers,
        connection=connection,
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        if envelope.mailbox is None:
            raise
        raise MailboxSendError(envelope.mailbox.pk, str(exc)) from exc


class MailboxSendError(Exception):
    """A mailbox's SMTP server refused or could not be reached; ``failure_record`` keeps
    it on the mailbox for the admin (call it outside the transaction that rolls back)."""

    def __init__(self, mailbox_id: int, message: str) -> None:
        super().__init__(message)
        self.mailbox_id = mailbox_id


def failure_record(error: MailboxSendError) -> None:
    Mailbox.objects.filter(pk=error.mailbox_id).update(
        last_error=f"SMTP: {error}"[:500], last_error_at=timezone.now()
    )
