"""Replies, internal notes, attachments and presence on a ticket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import User
from zhongtai.core.errors import Conflict, InvalidInput
from zhongtai.core.permissions import ensure_can
from zhongtai.customers.models import Contact
from zhongtai.sla import clocks
from zhongtai.tickets import events
from zhongtai.tickets.choices import (
    EventType,
    PresenceState,
    TicketStatus,
)
from zhongtai.tickets.models import Attachment, Ticket, TicketEvent, TicketPresence
from zhongtai.tickets.services._base import (
    STATUS_FIELDS,
    apply_status,
    attach_files,
    check_text,
    check_version,
    notify_after_commit,
    save_with_version,
    surviving_ticket,
    ticket_lock,
)
from zhongtai.tickets.workflow import Cause


@transaction.atomic
def ticket_reply(
    *,
    actor: Actor,
    ticket: Ticket,
    body: str,
    public: bool = True,
    files: Sequence[UploadedFile[bytes]] = (),
    then_status: str | None = None,
    expected_version: int | None = None,
) -> TicketEvent:
    """Add a public reply or an internal note (with files); replies to a merged ticket land
    on the ticket it was merged into.

    A customer's reply reopens a resolved ticket and takes it out of "pending customer";
    an agent's first public reply sets the first-response time and opens a new ticket.
    """
    if actor.is_customer:
        ensure_can(actor, "portal.use")
        public = True
    else:
        ensure_can(actor, "tickets.reply" if public else "tickets.note")
        if then_status is not None:
            ensure_can(actor, "tickets.transition")
        if then_status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            ensure_can(actor, "tickets.resolve")
    ticket = ticket_lock(ticket_id=surviving_ticket(ticket).pk)
    if ticket.merged_into_id is None and expected_version is not None:
        check_version(ticket, expected_version)
    body = check_text("body", body)
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(_("This ticket is closed. Please open a new ticket."), code="ticket_closed")
    if actor.is_customer:
        return _customer_message(ticket=ticket, by=actor.user, body=body, files=files)
    fields: list[str] = []
    event = events.event_record(
        ticket=ticket,
        actor=actor.user,
        type=EventType.PUBLIC_REPLY if public else EventType.INTERNAL_NOTE,
        body=body,
        is_public=public,
    )
    attach_files(ticket=ticket, event=event, uploaded_by=actor.user, files=files)
    if public:
        clocks.clocks_public_reply(ticket=ticket, by_customer=False, at=event.created_at)
        if ticket.first_response_at is None:
            ticket.first_response_at = event.created_at
            fields.append("first_response_at")
        if ticket.status == TicketStatus.NEW and then_status is None:
            then_status = TicketStatus.OPEN
    if then_status and then_status != ticket.status:
        apply_status(
            ticket=ticket, actor=actor.user, to_status=then_status, reason="", cause=Cause.REPLY
        )
        fields += STATUS_FIELDS
    save_with_version(ticket, sorted(set(fields)))
    if public:
        notify_after_commit(event)
    return event


@transaction.atomic
def ticket_message_add(
    *,
    ticket: Ticket,
    contact: Contact,
    body: str,
    files: Sequence[UploadedFile[bytes]] = (),
    content_ids: Sequence[str] = (),
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """The customer's message that arrived by itself (a mail, a chat message) on their
    ticket: the same as their reply on the portal, by the contact (who may have no login).
    ``data`` (e.g. the mail's headers) goes on the event; ``content_ids`` names a mail's
    inline images among ``files``. A closed ticket refuses it."""
    ticket = ticket_lock(ticket_id=surviving_ticket(ticket).pk)
    body = check_text("body", body)
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(_("This ticket is closed. Please open a new ticket."), code="ticket_closed")
    return _customer_message(
        ticket=ticket,
        by=contact.user,
        body=body,
        files=files,
        content_ids=content_ids,
        data=data,
    )


def _customer_message(
    *,
    ticket: Ticket,
    by: User | None,
    body: str,
    files: Sequence[UploadedFile[bytes]],
    content_ids: Sequence[str] = (),
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """What a customer's message does (the ticket locked): it reopens a resolved ticket
    and takes it out of "pending customer", and restarts the clocks that wait for it."""
    fields: list[str] = []
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.PENDING_CUSTOMER):
        apply_status(
            ticket=ticket,
            actor=by,
            to_status=TicketStatus.OPEN,
            reason=_("The customer replied."),
            cause=Cause.CUSTOMER_REPLY,
        )
        fields += STATUS_FIELDS
    event = events.event_record(
        ticket=ticket,
        actor=by,
        type=EventType.PUBLIC_REPLY,
        body=body,
        is_public=True,
        data=data,
    )
    attach_files(ticket=ticket, event=event, uploaded_by=by, files=files, content_ids=content_ids)
    clocks.clocks_public_reply(ticket=ticket, by_customer=True, at=event.created_at)
    save_with_version(ticket, sorted(set(fields)))
    notify_after_commit(event)
    return event


@transaction.atomic
def attachment_add(
    *, actor: Actor, ticket: Ticket, files: Sequence[UploadedFile[bytes]], public: bool = True
) -> list[Attachment]:
    """Attach files to a ticket on their own (an attachment event on the timeline)."""
    if actor.is_customer:
        ensure_can(actor, "portal.use")
        public = True
    else:
        ensure_can(actor, "tickets.attach")
    if not files:
        raise InvalidInput(errors=[{"field": "files", "message": _("Choose a file.")}])
    ticket = ticket_lock(ticket_id=surviving_ticket(ticket).pk)
    if ticket.status == TicketStatus.CLOSED:
        raise Conflict(_("This ticket is closed."), code="ticket_closed")
    event = events.event_record(
        ticket=ticket,
        actor=actor.user,
        type=EventType.ATTACHMENT,
        is_public=public,
        data={"files": [f.name for f in files]},
    )
    attachments = attach_files(ticket=ticket, event=event, uploaded_by=actor.user, files=files)
    save_with_version(ticket, [])
    return attachments


def presence_touch(*, actor: Actor, ticket: Ticket, state: str) -> None:
    """Record that the actor has the ticket open (viewing or replying) right now."""
    if state not in PresenceState.values:
        raise InvalidInput(errors=[{"field": "state", "message": _("Unknown state.")}])
    TicketPresence.objects.update_or_create(
        ticket=ticket,
        user=actor.user,
        defaults={"tenant_id": ticket.tenant_id, "state": state, "seen_at": timezone.now()},
    )
