"""What the ticket services share: locking, versions, validation, events, numbers.

Internal to the services package: views, the API and other apps call the services
exported by ``zhongtai.tickets.services``, never these helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team, Tier, User
from zhongtai.core.errors import Conflict, InvalidInput
from zhongtai.core.models import Tenant
from zhongtai.knowledge import ticket_docs
from zhongtai.routing import assignment
from zhongtai.sla import clocks
from zhongtai.tickets import events, selectors
from zhongtai.tickets.attachments import attachment_check
from zhongtai.tickets.choices import (
    OPEN_STATUSES,
    EventType,
    TicketStatus,
)
from zhongtai.tickets.models import Attachment, Category, Tag, Ticket, TicketEvent
from zhongtai.tickets.workflow import Cause, transition_error

TIER_ORDER = {Tier.L1: 1, Tier.L2: 2, Tier.L3: 3}


MAX_MERGE_DEPTH = 10


def ticket_lock(*, ticket_id: int) -> Ticket:
    """Re-read a ticket with a row lock (SELECT … FOR UPDATE) for the current transaction."""
    ticket: Ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    return ticket


def notify_after_commit(event: TicketEvent) -> None:
    """Queue the e-mails about an event once the transaction has committed."""
    from zhongtai.tickets.tasks import ticket_event_notify_task

    event_id = event.pk
    transaction.on_commit(lambda: ticket_event_notify_task(event_id))


def check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and ticket.version != expected_version:
        raise Conflict(
            _("Someone else changed this ticket. Reload it and try again."),
            code="stale_version",
        )


def save_with_version(ticket: Ticket, fields: Sequence[str]) -> None:
    ticket.version += 1
    validate_fields(ticket)
    ticket.save(update_fields=[*fields, "version", "updated_at"])
    clocks.clocks_groups_follow(ticket=ticket, fields=fields)


def check_text(field: str, value: str, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(errors=[{"field": field, "message": _("This field is required.")}])
    if len(value) > settings.MAX_DESCRIPTION_CHARS:
        raise InvalidInput(
            _("The text is too long."),
            code="too_long",
            errors=[
                {
                    "field": field,
                    "message": _("At most %(n)d characters.")
                    % {"n": settings.MAX_DESCRIPTION_CHARS},
                }
            ],
        )
    return value


def next_number(tenant: Tenant) -> int:
    """Allocate the next per-tenant ticket number; the row update serializes creators.

    One ``UPDATE … RETURNING`` (SQLite ≥ 3.35 and PostgreSQL both have it) instead of an
    update and a read.
    """
    table = connection.ops.quote_name(Tenant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET ticket_seq = ticket_seq + 1 WHERE id = %s RETURNING ticket_seq",  # noqa: S608
            [tenant.pk],
        )
        number: int = cursor.fetchone()[0]
    return number


# Relations are fetched through the actor's selectors before they reach a service, and
# the database enforces keys and constraints: validating them again would cost a query each.
TRUSTED_RELATIONS = ["tenant", "category", "team", "assignee", "engineer", "customer", "contact"]
TRUSTED_RELATIONS += ["requester", "parent", "merged_into", "tags"]


def validate_fields(ticket: Ticket) -> None:
    try:
        ticket.full_clean(
            exclude=TRUSTED_RELATIONS, validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc


def attach_files(
    *,
    ticket: Ticket,
    event: TicketEvent | None,
    uploaded_by: User | None,
    files: Sequence[UploadedFile[bytes]],
    content_ids: Sequence[str] = (),
) -> list[Attachment]:
    """Store the files on the ticket (and the event). ``content_ids`` gives, in the files'
    order, the Content-ID by which a mail's HTML shows each one ("" for none)."""
    checked = [(upload, *attachment_check(upload)) for upload in files]
    is_public = event.is_public if event is not None else True
    attachments = []
    for index, (upload, filename, content_type) in enumerate(checked):
        attachment = Attachment(
            tenant_id=ticket.tenant_id,
            ticket=ticket,
            event=event,
            filename=filename,
            content_type=content_type,
            size=upload.size or 0,
            is_public=is_public,
            content_id=content_ids[index][:250] if index < len(content_ids) else "",
            uploaded_by=uploaded_by,
        )
        attachment.file.save(filename, upload, save=False)
        attachment.save()
        attachments.append(attachment)
    return attachments


def tags_resolve(*, tenant: Tenant, names: Sequence[str]) -> list[Tag]:
    clean = sorted({name.strip()[:50] for name in names if name.strip()})
    existing = {tag.name: tag for tag in Tag.objects.filter(tenant=tenant, name__in=clean)}
    for name in clean:
        if name not in existing:
            existing[name] = Tag.objects.create(tenant=tenant, name=name)
    return [existing[name] for name in clean]


def default_team(tenant: Tenant) -> Team | None:
    return Team.objects.filter(tenant=tenant, tier=Tier.L1).order_by("pk").first()


def plain_value(value: Any) -> Any:
    if isinstance(value, Category):
        return {"id": value.pk, "name": str(value)}
    return value


def apply_status(
    *, ticket: Ticket, actor: User | None, to_status: str, reason: str, cause: Cause
) -> None:
    """Validate and apply a status change on a locked ticket (caller saves)."""
    blocking = 0
    if to_status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        blocking = selectors.open_blocking_children_count(ticket=ticket)
    error = transition_error(
        from_status=ticket.status,
        to_status=to_status,
        cause=cause,
        open_blocking_children=blocking,
    )
    if error:
        raise Conflict(error, code="invalid_transition")
    old = ticket.status
    now = timezone.now()
    ticket.status = to_status
    ticket.is_open = to_status in OPEN_STATUSES
    if to_status == TicketStatus.RESOLVED:
        ticket.resolved_at = now
    elif to_status == TicketStatus.CLOSED:
        ticket.closed_at = now
    elif old == TicketStatus.RESOLVED:
        ticket.resolved_at = None
    events.status_change_event(
        ticket=ticket, actor=actor, old=old, new=to_status, reason=reason, cause=cause
    )
    clocks.clocks_status_change(
        ticket=ticket, old=old, new=to_status, at=now, merge=cause == Cause.MERGE
    )
    if old in OPEN_STATUSES and not ticket.is_open:
        assignment.capacity_freed(ticket)
    if to_status == TicketStatus.RESOLVED and cause != Cause.MERGE:
        ticket_docs.ticket_index(ticket, conversation=True)  # now a precedent


STATUS_FIELDS = ["status", "is_open", "resolved_at", "closed_at"]


def surviving_ticket(ticket: Ticket) -> Ticket:
    """Follow ``merged_into`` to the ticket that lives on (replies land there)."""
    for _step in range(MAX_MERGE_DEPTH):
        if ticket.merged_into_id is None:
            return ticket
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    raise Conflict(_("This ticket's merge chain is too long."), code="merge_chain")


def check_assignee(actor: Actor, user: User | None) -> None:
    if user is not None:
        selectors.agent_get(actor=actor, user_id=user.pk)


def assign_locked(
    *, actor: Actor, ticket: Ticket, assignee: User | None, team: Team | None, as_engineer: bool
) -> None:
    field = "engineer" if as_engineer else "assignee"
    old_user = getattr(ticket, field)
    old_team = ticket.team
    if old_user == assignee and (team is None or team == old_team):
        return
    setattr(ticket, field, assignee)
    fields = [field]
    if team is not None and team != old_team:
        ticket.team, ticket.tier = team, team.tier
        fields += ["team", "tier"]
    save_with_version(ticket, fields)
    event = events.event_record(
        ticket=ticket,
        actor=actor.user,
        type=EventType.ASSIGNMENT,
        data={
            "role": field,
            "from": user_ref(old_user),
            "to": user_ref(assignee),
            "from_team": team_ref(old_team),
            "to_team": team_ref(ticket.team),
        },
    )
    if assignee is not None and assignee.pk != actor.user.pk:
        notify_after_commit(event)


def user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def team_ref(team: Team | None) -> dict[str, Any] | None:
    return {"id": team.pk, "name": team.name, "tier": team.tier} if team is not None else None
