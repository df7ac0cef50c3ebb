"""Opening tickets (also child tickets) and changing their fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team, Tier, User
from zhongtai.core.errors import Conflict, InvalidInput, NotFound
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import ensure_can
from zhongtai.customers.models import Asset, Contact, Customer
from zhongtai.knowledge import ticket_docs
from zhongtai.routing import assignment
from zhongtai.routing import intake as routing
from zhongtai.sla import clocks
from zhongtai.tickets import events, selectors
from zhongtai.tickets.choices import (
    Channel,
    EventType,
    TicketPriority,
    TicketType,
)
from zhongtai.tickets.models import Category, Ticket
from zhongtai.tickets.services._base import (
    attach_files,
    check_text,
    check_version,
    default_team,
    next_number,
    notify_after_commit,
    plain_value,
    save_with_version,
    tags_resolve,
    ticket_lock,
    validate_fields,
)


@transaction.atomic
def ticket_create(
    *,
    actor: Actor,
    subject: str,
    description: str,
    type: str = TicketType.QUESTION,
    priority: str = TicketPriority.NORMAL,
    channel: str = Channel.API,
    category: Category | None = None,
    customer: Customer | None = None,
    contact: Contact | None = None,
    team: Team | None = None,
    assignee: User | None = None,
    tags: Sequence[str] = (),
    files: Sequence[UploadedFile[bytes]] = (),
    parent: Ticket | None = None,
    blocks_parent: bool = False,
    asset: Asset | None = None,
) -> Ticket:
    """Open a ticket. A customer contact opens it for themselves, on the portal.

    Related objects must already be fetched through the actor's selectors. An asset
    names the customer when none was given, and must be that customer's.
    """
    if actor.is_customer:
        ensure_can(actor, "portal.use")
        contact = selectors.contact_for(actor=actor)
        if contact is None:
            raise NotFound()
        customer = contact.customer
        channel = channel if channel == Channel.CHAT else Channel.PORTAL  # the bot hands over
        team = assignee = category = None
        tags, priority = (), TicketPriority.NORMAL
    else:
        ensure_can(actor, "tickets.create")
        if contact is not None:
            customer = contact.customer
        if asset is not None and customer is None:
            customer = asset.customer
    if asset is not None and (customer is None or asset.customer_id != customer.pk):
        raise InvalidInput(
            errors=[{"field": "asset", "message": _("This asset belongs to another customer.")}]
        )
    return ticket_open(
        tenant=actor.tenant,
        by=actor.user,
        subject=subject,
        description=description,
        type=type,
        priority=priority,
        channel=channel,
        category=category,
        customer=customer,
        contact=contact,
        asset=asset,
        team=team,
        assignee=assignee,
        tags=tags,
        files=files,
        parent=parent,
        blocks_parent=blocks_parent,
    )


def ticket_open(
    *,
    tenant: Tenant,
    by: User | None,
    subject: str,
    description: str,
    type: str = TicketType.QUESTION,
    priority: str = TicketPriority.NORMAL,
    channel: str = Channel.API,
    category: Category | None = None,
    customer: Customer | None = None,
    contact: Contact | None = None,
    asset: Asset | None = None,
    team: Team | None = None,
    assignee: User | None = None,
    tags: Sequence[str] = (),
    files: Sequence[UploadedFile[bytes]] = (),
    content_ids: Sequence[str] = (),
    parent: Ticket | None = None,
    blocks_parent: bool = False,
    data: dict[str, Any] | None = None,
) -> Ticket:
    """Open a ticket once who may has been decided (inside the caller's transaction):
    ``by`` is the person who opened it, or None when it arrived by itself (a mail, a chat
    message): then the contact is its requester. ``data`` joins the created event's;
    ``content_ids`` names a mail's inline images among ``files`` (see ``attach_files``)."""
    team_chosen = team is not None
    team = team or default_team(tenant)
    ticket = Ticket(
        tenant=tenant,
        number=next_number(tenant),
        subject=check_text("subject", subject),
        description=check_text("description", description),
        type=type,
        priority=priority,
        channel=channel,
        category=category,
        customer=customer,
        contact=contact,
        asset=asset,
        team=team,
        tier=team.tier if team else Tier.L1,
        assignee=assignee,
        requester=by or (contact.user if contact is not None else None),
        parent=parent,
        blocks_parent=blocks_parent,
    )
    validate_fields(ticket)
    ticket.save()
    if tags:
        ticket.tags.set(tags_resolve(tenant=tenant, names=tags))
    event = events.event_record(
        ticket=ticket,
        actor=by or ticket.requester,
        type=EventType.CREATED,
        body=ticket.description,
        is_public=True,
        data={"channel": channel, "priority": priority, "type": type, **(data or {})},
    )
    attach_files(
        ticket=ticket,
        event=event,
        uploaded_by=ticket.requester,
        files=files,
        content_ids=content_ids,
    )
    # (before the clocks: policies match what it sets; what the opener chose stays)
    chosen = {"team"} if team_chosen else set()
    if priority != TicketPriority.NORMAL:
        chosen.add("priority")
    routing.ticket_route(ticket=ticket, chosen=frozenset(chosen))
    clocks.clocks_start(ticket=ticket)
    ticket_docs.ticket_index(ticket)
    if channel != Channel.API and contact is not None and contact.email:
        notify_after_commit(event)  # the acknowledgement to the requester
    return ticket


UPDATABLE_FIELDS = ("subject", "type", "priority", "category", "tags")
POLICY_FIELDS = {"type", "priority", "category"}  # what SLA policies match on


@transaction.atomic
def ticket_update(
    *,
    actor: Actor,
    ticket: Ticket,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> Ticket:
    """Change subject, type, priority, category and/or tags; one field-change event.

    ``changes`` holds only the fields to change: ``category`` as a Category (or None),
    ``tags`` as a list of names.
    """
    ensure_can(actor, "tickets.update")
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise InvalidInput(errors=[{"field": f, "message": _("Unknown field.")} for f in unknown])
    ticket = ticket_lock(ticket_id=ticket.pk)
    check_version(ticket, expected_version)
    diff: dict[str, tuple[Any, Any]] = {}
    if "tags" in changes:
        before = sorted(ticket.tags.values_list("name", flat=True))
        new_tags = tags_resolve(tenant=actor.tenant, names=changes["tags"])
        after = sorted(tag.name for tag in new_tags)
        if before != after:
            ticket.tags.set(new_tags)
            diff["tags"] = (before, after)
    fields: list[str] = []
    for name in ("subject", "type", "priority", "category"):
        if name not in changes:
            continue
        value = changes[name]
        if name == "subject":
            value = check_text("subject", value)
        old = getattr(ticket, name)
        if old != value:
            setattr(ticket, name, value)
            fields.append(name)
            diff[name] = (plain_value(old), plain_value(value))
    if "category" in fields and ticket.needs_triage and ticket.category_id is not None:
        ticket.needs_triage = False  # a person decided: out of triage
        fields.append("needs_triage")
    if not diff:
        return ticket
    extra = None
    if "category" in fields:  # a person overruling the classifier: on record for training
        correction = routing.correction_of(ticket)
        extra = {"correction": correction} if correction else None
    save_with_version(ticket, fields)
    events.field_change_event(ticket=ticket, actor=actor.user, changes=diff, extra=extra)
    if diff.keys() & POLICY_FIELDS:
        clocks.clocks_recompute(ticket=ticket, reason="fields")
    if diff.keys() & {"subject", "category"}:
        ticket_docs.ticket_index(ticket, conversation=not ticket.is_open)
    if "needs_triage" in fields and ticket.team_id is not None:
        # out of triage, it can be handed out like any waiting ticket
        assignment.drain_after_commit(ticket.tenant_id, [ticket.team_id])
    return ticket


@transaction.atomic
def ticket_child_create(
    *,
    actor: Actor,
    parent: Ticket,
    subject: str,
    description: str,
    team: Team | None = None,
    blocks_parent: bool = True,
) -> Ticket:
    """Open an internal child ticket (e.g. for R&D); a blocking child keeps the parent from
    being resolved while it is open. Children are not shown to the customer.
    """
    ensure_can(actor, "tickets.create")
    parent = ticket_lock(ticket_id=parent.pk)
    if not parent.is_open:
        raise Conflict(_("Only open tickets can get a child ticket."), code="invalid_transition")
    child = ticket_create(
        actor=actor,
        subject=subject,
        description=description,
        type=parent.type,
        priority=parent.priority,
        channel=parent.channel,
        category=parent.category,
        customer=parent.customer,
        team=team,
        parent=parent,
        blocks_parent=blocks_parent,
    )
    save_with_version(parent, [])
    events.event_record(
        ticket=parent,
        actor=actor.user,
        type=EventType.CHILD_LINK,
        data={"child": child.number, "blocks_parent": blocks_parent},
    )
    return child
