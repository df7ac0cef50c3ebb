"""Status changes through the workflow, and merging duplicates."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import Conflict, InvalidInput
from zhongtai.core.permissions import ensure_can
from zhongtai.knowledge import ticket_docs
from zhongtai.tickets import events
from zhongtai.tickets.choices import (
    EventType,
    TicketStatus,
)
from zhongtai.tickets.models import Ticket
from zhongtai.tickets.services._base import (
    STATUS_FIELDS,
    apply_status,
    check_text,
    check_version,
    save_with_version,
    ticket_lock,
)
from zhongtai.tickets.workflow import Cause


@transaction.atomic
def ticket_transition(
    *,
    actor: Actor,
    ticket: Ticket,
    to_status: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """The only way to change a ticket's status by hand; refuses moves the workflow forbids."""
    ensure_can(actor, "tickets.transition")
    if to_status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        ensure_can(actor, "tickets.resolve")
    ticket = ticket_lock(ticket_id=ticket.pk)
    check_version(ticket, expected_version)
    apply_status(
        ticket=ticket,
        actor=actor.user,
        to_status=to_status,
        reason=check_text("reason", reason, required=False),
        cause=Cause.MANUAL,
    )
    save_with_version(ticket, STATUS_FIELDS)
    return ticket


@transaction.atomic
def ticket_merge(*, actor: Actor, source: Ticket, target: Ticket, reason: str = "") -> Ticket:
    """Merge a duplicate (``source``) into ``target``: source closes, its history shows on
    the target's timeline, and later replies to the source land on the target.
    """
    ensure_can(actor, "tickets.merge")
    if source.pk == target.pk:
        raise InvalidInput(
            _("A ticket cannot be merged into itself."),
            code="invalid_merge",
            errors=[{"field": "into", "message": _("Choose another ticket.")}],
        )
    first, second = sorted([source.pk, target.pk])
    locked = {first: ticket_lock(ticket_id=first), second: ticket_lock(ticket_id=second)}
    source, target = locked[source.pk], locked[target.pk]
    if target.merged_into_id is not None or target.status == TicketStatus.CLOSED:
        raise Conflict(_("The target ticket is closed or merged."), code="invalid_merge")
    if source.status == TicketStatus.CLOSED:
        raise Conflict(_("A closed ticket cannot be merged."), code="invalid_merge")
    reason = check_text("reason", reason, required=False)
    source.merged_into = target
    apply_status(
        ticket=source,
        actor=actor.user,
        to_status=TicketStatus.CLOSED,
        reason=reason,
        cause=Cause.MERGE,
    )
    save_with_version(source, ["merged_into", *STATUS_FIELDS])
    ticket_docs.ticket_unindex(source)  # found through the target from now on
    Ticket.objects.filter(tenant_id=source.tenant_id, merged_into=source).update(merged_into=target)
    target.tags.add(*source.tags.all())
    save_with_version(target, [])
    data = {"source": source.number, "target": target.number}
    for ticket in (source, target):
        events.event_record(
            ticket=ticket, actor=actor.user, type=EventType.MERGE, body=reason, data=data
        )
    return target


@transaction.atomic
def ticket_customer_solve(*, actor: Actor, ticket: Ticket) -> Ticket:
    """A customer contact marks their own open request as solved (it resolves; a later
    reply from them reopens it, as for any resolved ticket)."""
    ensure_can(actor, "portal.use")
    ticket = ticket_lock(ticket_id=ticket.pk)
    if not ticket.is_open or ticket.merged_into_id is not None:
        raise Conflict(_("This request is not open."), code="invalid_transition")
    apply_status(
        ticket=ticket,
        actor=actor.user,
        to_status=TicketStatus.RESOLVED,
        reason=_("The customer marked the request as solved."),
        cause=Cause.CUSTOMER_SOLVED,
    )
    save_with_version(ticket, STATUS_FIELDS)
    return ticket
