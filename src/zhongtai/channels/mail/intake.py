"""One received mail into the service: a new ticket, a message on a ticket, an automatic
mail kept but never answered, or a quarantined mail kept raw with the reason.

The promise (``mail_intake``): every mail that reaches it is kept (``InboundMail`` with the
raw bytes) and taken once per mailbox, whatever it holds. The row and what the mail does
(the ticket, the reply) commit together, in one transaction; the same Message-ID in the
same mailbox returns the first row and does nothing else, so a poller that dies before
marking a mail seen, or a relay that sends it twice, doubles nothing.

How a reply finds its ticket, and why never by From alone:
1. our signed reply token, in the Message-ID we sent (In-Reply-To / References) or in the
   address it was sent to (``support+<token>@…``), naming a ticket of this mailbox's unit;
2. the ticket's reference in the subject (``[SH-000123]``) when the sender is a contact of
   that ticket's customer (a subject anyone can write; the sender must belong to it).
Otherwise the mail opens a new ticket. The sender is found by their address among the
unit's contacts' identities; an unknown sender becomes a contact of the customer whose
mail domain it is, or of a new customer for that domain (a person of their own for the
public mail services).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhongtai.channels.mail import MailLimits, MailUnparseable, ParsedMail, parse_message
from zhongtai.channels.mail.threading import (
    reply_targets,
    subject_without_prefixes,
    ticket_reference_in_subject,
)
from zhongtai.channels.models import InboundMail, InboundState, Mailbox
from zhongtai.core.errors import ApplicationError
from zhongtai.customers.models import (
    Contact,
    Customer,
    Identity,
    IdentityKind,
    ProfileEvent,
    ProfileEventType,
)
from zhongtai.customers.selectors import json_list_q
from zhongtai.tickets import services as ticket_services
from zhongtai.tickets.attachments import attachment_check
from zhongtai.tickets.choices import Channel
from zhongtai.tickets.models import Ticket

logger = logging.getLogger(__name__)

MAX_QUOTED = 20_000
# the sanitized HTML kept for the formatted view; a bigger one keeps its text only
MAX_HTML = 200_000
SENDER_RATE_WINDOW = timedelta(hours=1)
# Public mail services: a sender there is a person, not a company of that domain.
PUBLIC_DOMAINS = frozenset(
    {
        "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn",
        "sohu.com", "aliyun.com", "139.com", "189.cn", "gmail.com", "googlemail.com",
        "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "icloud.com",
        "me.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "mail.com",
    }
)  # fmt: skip
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*<?([^>\r\n]{1,250})>?", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Outcome:
    state: str
    ticket: Ticket | None = None
    reason_code: str = ""
    reason: str = ""


def message_key(raw: bytes, parsed: ParsedMail | None = None) -> str:
    """The mail's identity in its mailbox: its Message-ID, or a hash of the bytes."""
    if parsed is not None and parsed.message_id:
        return parsed.message_id[:300]
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0][:262_144]
    found = _MESSAGE_ID.search(head)
    if found and parsed is None:
        return found.group(1).decode("ascii", "replace").strip()[:300]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def mail_intake(*, mailbox: Mailbox, raw: bytes, source: str) -> InboundMail:
    """Take one raw mail for ``mailbox`` (see the module's promise); never raises for what
    the mail holds, only when the database itself fails. Reasons are kept in the unit's
    language, for its admin."""
    with translation.override(mailbox.tenant.language):
        return _intake(mailbox=mailbox, raw=raw, source=source)


def _intake(*, mailbox: Mailbox, raw: bytes, source: str) -> InboundMail:
    try:
        parsed: ParsedMail | None = parse_message(raw, limits=MailLimits.from_settings())
        problem: MailUnparseable | None = None
    except MailUnparseable as exc:
        parsed, problem = None, exc
    key = message_key(raw, parsed)
    known: InboundMail | None = InboundMail.objects.filter(mailbox=mailbox, message_key=key).first()
    if known is not None:
        return known
    inbound = InboundMail(
        tenant_id=mailbox.tenant_id,
        mailbox=mailbox,
        message_key=key,
        raw=raw,
        size=len(raw),
        source=source[:20],
        state=InboundState.QUARANTINED,
        from_address=(parsed.from_address if parsed else "")[:254],
        subject=(parsed.subject if parsed else "")[:300],
    )
    try:
        with transaction.atomic():
            inbound.save()
            if parsed is None:
                code, reason = (problem.code, str(problem.reason)) if problem else ("", "")
                outcome = Outcome(InboundState.QUARANTINED, None, code, reason)
            else:
                outcome = _take_or_quarantine(mailbox, parsed)
            _record(inbound, outcome)
    except IntegrityError:
        # the same mail taken at the same moment by another worker: theirs stands
        taken: InboundMail | None = InboundMail.objects.filter(
            mailbox=mailbox, message_key=key
        ).first()
        if taken is None:
            raise
        return taken
    return inbound


def _record(inbound: InboundMail, outcome: Outcome) -> None:
    inbound.state = outcome.state
    inbound.ticket = outcome.ticket
    inbound.reason_code = outcome.reason_code[:40]
    inbound.reason = outcome.reason[:300]
    inbound.save(update_fields=["state", "ticket", "reason_code", "reason", "updated_at"])


def mail_reprocess(*, inbound: InboundMail) -> InboundMail:
    """Take a quarantined mail again (after a fix, or a limit raised): the same row, its
    new outcome; a mail that is no longer quarantined is left as it is."""
    with transaction.atomic(), translation.override(inbound.mailbox.tenant.language):
        inbound = InboundMail.objects.select_for_update().get(pk=inbound.pk)
        if inbound.state != InboundState.QUARANTINED:
            return inbound
        try:
            parsed = parse_message(bytes(inbound.raw), limits=MailLimits.from_settings())
        except MailUnparseable as exc:
            outcome = Outcome(InboundState.QUARANTINED, None, exc.code, str(exc.reason))
        else:
            outcome = _take_or_quarantine(inbound.mailbox, parsed)
            inbound.from_address = parsed.from_address[:254]
            inbound.subject = parsed.subject[:300]
        inbound.reprocessed_at = timezone.now()
        inbound.save(update_fields=["from_address", "subject", "reprocessed_at"])
        _record(inbound, outcome)
    return inbound


# --- what a mail does ---------------------------------------------------------------------


def _take_or_quarantine(mailbox: Mailbox, mail: ParsedMail) -> Outcome:
    """What the mail does, or, when the service refuses it, a quarantine with the reason
    (nothing of the refused attempt is kept)."""
    try:
        with transaction.atomic():
            return _take(mailbox, mail)
    except ApplicationError as exc:
        return Outcome(InboundState.QUARANTINED, None, exc.code, exc.message)


def _take(mailbox: Mailbox, mail: ParsedMail) -> Outcome:
    ignored = _ignored(mailbox, mail)
    if ignored is not None:
        return ignored
    contact = _sender(mailbox, mail)
    data = _mail_data(mailbox, mail)
    files, content_ids, refused = _files(mail)
    if refused:
        data["mail"]["attachments_refused"] = refused
    body = (mail.visible_text or mail.text).strip() or _("(The mail has no text.)")
    if len(body) > settings.MAX_DESCRIPTION_CHARS:
        data["mail"]["truncated"] = len(body)
        body = body[: settings.MAX_DESCRIPTION_CHARS - 1] + "…"
    ticket = _thread(mailbox, mail, contact)
    if ticket is not None:
        try:
            ticket_services.ticket_message_add(
                ticket=ticket,
                contact=contact,
                body=body,
                files=files,
                content_ids=content_ids,
                data=data,
            )
            return Outcome(InboundState.REPLY, ticket)
        except ApplicationError as exc:
            if exc.code != "ticket_closed":
                raise
            data["mail"]["follows_up"] = ticket.number  # a closed ticket: a new one
    subject = subject_without_prefixes(mail.subject) or _("(no subject)")
    opened = ticket_services.ticket_open(
        tenant=mailbox.tenant,
        by=None,
        subject=subject[:200],
        description=body,
        channel=Channel.EMAIL,
        contact=contact,
        customer=contact.customer,
        team=mailbox.team,
        files=files,
        content_ids=content_ids,
        data=data,
    )
    return Outcome(InboundState.TICKET, opened)


def _ignored(mailbox: Mailbox, mail: ParsedMail) -> Outcome | None:
    """Automatic mail (auto-replies, bounces, loops), our own, or a flood from one sender:
    kept, never answered, no ticket."""
    if mail.auto:
        return Outcome(InboundState.IGNORED, None, mail.auto, mail.auto_reason)
    sender = mail.from_address.lower()
    ours = Mailbox.objects.filter(tenant_id=mailbox.tenant_id, address__iexact=sender).exists()
    if ours:
        return Outcome(InboundState.IGNORED, None, "loop", _("Sent by one of our own mailboxes."))
    limit = settings.MAIL_SENDER_RATE
    recent = InboundMail.objects.filter(
        mailbox=mailbox,
        from_address__iexact=sender,
        created_at__gte=timezone.now() - SENDER_RATE_WINDOW,
    ).count()
    if recent > limit:
        return Outcome(
            InboundState.IGNORED,
            None,
            "rate",
            _("More than %(n)d mails from this sender within an hour.") % {"n": limit},
        )
    return None


def _mail_data(mailbox: Mailbox, mail: ParsedMail) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    if mail.html and len(mail.html) <= MAX_HTML:
        kept["html"] = mail.html  # already sanitized: the formatted view, images in place
    elif mail.html:
        kept["html_dropped"] = len(mail.html)
    return {
        "mail": {
            **kept,
            "mailbox": mailbox.pk,
            "message_id": mail.message_id,
            "from": mail.from_address,
            "to": list(mail.to)[:20],
            "cc": list(mail.cc)[:20],
            "quoted": mail.folded_text[:MAX_QUOTED],
            "warnings": [str(w) for w in mail.warnings][:10],
        }
    }


def _files(
    mail: ParsedMail,
) -> tuple[list[SimpleUploadedFile], list[str], list[dict[str, str]]]:
    """The attachments the ticket may keep (with the Content-ID of those the HTML shows in
    place), and those it may not, with why."""
    files: list[SimpleUploadedFile] = []
    content_ids: list[str] = []
    refused = [
        {"filename": a.filename, "reason": str(a.rejected_reason)}
        for a in mail.attachments
        if a.rejected_reason
    ]
    for attachment in mail.accepted_attachments:
        upload = SimpleUploadedFile(
            attachment.filename or "attachment", attachment.data, attachment.content_type
        )
        try:
            attachment_check(upload)
        except ApplicationError as exc:
            refused.append({"filename": attachment.filename, "reason": exc.message})
            continue
        files.append(upload)
        content_ids.append(attachment.content_id if attachment.is_inline else "")
    return files, content_ids, refused


def _thread(mailbox: Mailbox, mail: ParsedMail, contact: Contact) -> Ticket | None:
    targets = reply_targets(
        in_reply_to=mail.in_reply_to,
        references=mail.references,
        addresses=[*mail.to, *mail.cc, *mail.delivered_to],
    )
    for target in targets:
        if target.tenant_id != mailbox.tenant_id:
            continue  # a token of another unit: not ours to follow
        found: Ticket | None = Ticket.objects.filter(
            tenant_id=mailbox.tenant_id, pk=target.ticket_id
        ).first()
        if found is not None:
            return found
    reference = ticket_reference_in_subject(mail.subject)
    if reference is None or reference.prefix != mailbox.tenant.ticket_prefix:
        return None
    ticket: Ticket | None = Ticket.objects.filter(
        tenant_id=mailbox.tenant_id, number=reference.number
    ).first()
    if ticket is None or ticket.customer_id is None or ticket.customer_id != contact.customer_id:
        return None  # the sender does not belong to that ticket's customer
    return ticket


def _sender(mailbox: Mailbox, mail: ParsedMail) -> Contact:
    """The contact who sent the mail: known by their address, or made now."""
    address = mail.from_address.strip().lower()
    identity = (
        Identity.objects.filter(tenant_id=mailbox.tenant_id, kind=IdentityKind.EMAIL, value=address)
        .select_related("contact__customer")
        .first()
    )
    if identity is not None:
        known: Contact = identity.contact
        return known
    domain = address.rsplit("@", 1)[-1]
    customer = None
    name = (mail.from_name or address.split("@", 1)[0]).strip()[:150]
    if domain not in PUBLIC_DOMAINS:
        customer = (
            Customer.objects.filter(json_list_q("domains", domain), tenant_id=mailbox.tenant_id)
            .order_by("pk")
            .first()
        )
    created = customer is None
    if customer is None:
        customer = _customer_new(
            mailbox, domain if domain not in PUBLIC_DOMAINS else "", name, address
        )
    contact = Contact.objects.create(
        tenant_id=mailbox.tenant_id, customer=customer, name=name or address, email=address
    )
    Identity.objects.create(
        tenant_id=mailbox.tenant_id, contact=contact, kind=IdentityKind.EMAIL, value=address
    )
    ProfileEvent.objects.create(
        tenant_id=mailbox.tenant_id,
        customer=customer,
        type=ProfileEventType.CREATED if created else ProfileEventType.UPDATED,
        data={"contact_added": contact.name, "from_mail": mailbox.address},
    )
    return contact


def _customer_new(mailbox: Mailbox, domain: str, person: str, address: str) -> Customer:
    """A customer for an unknown sender: their company's domain, or themselves."""
    base = domain or person or address
    name = base[:190]
    taken = Customer.objects.filter(tenant_id=mailbox.tenant_id, name=name).exists()
    if taken:
        name = f"{base[:150]} <{address[:40]}>"
    return Customer.objects.create(
        tenant_id=mailbox.tenant_id, name=name, domains=[domain] if domain else []
    )
