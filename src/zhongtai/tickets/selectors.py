"""Reads of tickets, always scoped to the actor's tenant and, for customers, to their own."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team, User
from zhongtai.core.errors import NotFound
from zhongtai.customers.models import Contact
from zhongtai.tickets.choices import PUBLIC_EVENT_TYPES
from zhongtai.tickets.models import (
    Attachment,
    Category,
    Tag,
    Ticket,
    TicketEvent,
    TicketPresence,
)

PRESENCE_TTL = timedelta(seconds=60)


def open_q(is_open: bool = True) -> Q:
    """Open (or not open) tickets, written so that SQLite uses the queue indexes.

    Django writes ``is_open=True`` as a bare column test, which SQLite cannot match to
    the ``(tenant, is_open, created_at)`` indexes; ``is_open IN (…)`` is an equality term
    it can use (and PostgreSQL plans both the same way).
    """
    return Q(is_open__in=[is_open])


def contact_for(*, actor: Actor) -> Contact | None:
    """The contact record of a customer actor in the actor's tenant."""
    return (
        Contact.objects.filter(tenant=actor.tenant, user=actor.user)
        .select_related("customer")
        .first()
    )


def ticket_visible_qs(*, actor: Actor) -> QuerySet[Ticket]:
    """Every ticket the actor may see: all of the tenant for staff, their own for contacts."""
    qs = Ticket.objects.filter(tenant=actor.tenant)
    if actor.is_staff_role:
        return qs
    if actor.is_customer:
        return qs.filter(contact__user=actor.user)
    return qs.none()


def ticket_list(*, actor: Actor) -> QuerySet[Ticket]:
    """Visible tickets with what a list row shows, newest first."""
    return ticket_visible_qs(actor=actor).select_related(
        "tenant", "assignee", "team", "customer", "contact", "category__parent"
    )


def ticket_get(*, actor: Actor, number: int) -> Ticket:
    """The ticket with this per-tenant number, or ``NotFound`` if missing or not visible."""
    ticket = (
        ticket_list(actor=actor)
        .select_related(
            "engineer", "requester", "merged_into", "parent", "category__parent", "asset"
        )
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound()
    return ticket


def ticket_timeline(*, actor: Actor, ticket: Ticket) -> QuerySet[TicketEvent]:
    """Events of a ticket and of the duplicates merged into it, in time order.

    Customers see only public ones.
    """
    merged = Ticket.objects.filter(tenant=actor.tenant, merged_into=ticket).values("pk")
    qs = (
        TicketEvent.objects.filter(tenant=actor.tenant)
        .filter(Q(ticket=ticket) | Q(ticket__in=merged))
        .select_related("actor", "ticket")
        .prefetch_related("attachments")
    )
    if not actor.is_staff_role:
        qs = qs.filter(is_public=True, type__in=PUBLIC_EVENT_TYPES)
    return qs


def ticket_attachments(*, actor: Actor, ticket: Ticket) -> QuerySet[Attachment]:
    qs = Attachment.objects.filter(tenant=actor.tenant, ticket=ticket)
    if not actor.is_staff_role:
        qs = qs.filter(is_public=True)
    return qs


def attachment_get(*, actor: Actor, ticket: Ticket, attachment_id: int) -> Attachment:
    attachment = ticket_attachments(actor=actor, ticket=ticket).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    return attachment


def ticket_children(*, actor: Actor, ticket: Ticket) -> QuerySet[Ticket]:
    return ticket_list(actor=actor).filter(parent=ticket).order_by("created_at", "id")


def open_blocking_children_count(*, ticket: Ticket) -> int:
    return Ticket.objects.filter(
        open_q(), tenant_id=ticket.tenant_id, parent=ticket, blocks_parent=True
    ).count()


def presence_list(*, actor: Actor, ticket: Ticket) -> QuerySet[TicketPresence]:
    """Other people who have this ticket open now (seen within the last minute)."""
    return (
        TicketPresence.objects.filter(
            tenant=actor.tenant, ticket=ticket, seen_at__gte=timezone.now() - PRESENCE_TTL
        )
        .exclude(user=actor.user)
        .select_related("user")
    )


def team_list(*, actor: Actor) -> QuerySet[Team]:
    return Team.objects.filter(tenant=actor.tenant)


def team_get(*, actor: Actor, team_id: int) -> Team:
    team = team_list(actor=actor).filter(pk=team_id).first()
    if team is None:
        raise NotFound()
    return team


def agent_list(*, actor: Actor) -> QuerySet[User]:
    """Active staff of the actor's tenant (everyone who can be assigned a ticket)."""
    from zhongtai.core.permissions import AGENT_ROLES

    return User.objects.filter(
        memberships__tenant=actor.tenant,
        memberships__role__in=AGENT_ROLES,
        memberships__is_active=True,
        is_active=True,
    ).order_by("username")


def agent_get(*, actor: Actor, user_id: int) -> User:
    user = agent_list(actor=actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def category_list(*, actor: Actor) -> QuerySet[Category]:
    return Category.objects.filter(tenant=actor.tenant).select_related("parent")


def category_get(*, actor: Actor, category_id: int) -> Category:
    category = category_list(actor=actor).filter(pk=category_id).first()
    if category is None:
        raise NotFound()
    return category


def tag_list(*, actor: Actor) -> QuerySet[Tag]:
    return Tag.objects.filter(tenant=actor.tenant)


def my_team_ids(*, actor: Actor) -> list[int]:
    return list(team_list(actor=actor).filter(members=actor.user).values_list("pk", flat=True))


def ticket_queue_counts(*, actor: Actor) -> dict[str, int]:
    """Counts of the agent's standard queues (capped, see ``QUEUE_COUNT_CAP``)."""
    from zhongtai.tickets.filters import QUEUE_COUNT_CAP, queue_filter

    counts = {}
    for queue in ("mine", "team", "open"):
        qs = ticket_visible_qs(actor=actor).filter(queue_filter(actor=actor, queue=queue))
        counts[queue] = qs[: QUEUE_COUNT_CAP + 1].count()
    return counts


def has_running_sla_clock() -> Exists:
    """The ticket has an SLA clock that runs (not paused: a paused clock has no due time)."""
    from zhongtai.sla.models import SlaTimer

    return Exists(
        SlaTimer.objects.filter(
            ticket=OuterRef("pk"),
            fulfilled_at__isnull=True,
            cancelled_at__isnull=True,
            due_at__isnull=False,
        )
    )


def has_children_subquery() -> Exists:
    return Exists(Ticket.objects.filter(parent=OuterRef("pk")))


def ticket_search_q(text: str) -> Q:
    """A plain text filter over subject and description (full-text search comes later)."""
    text = text.strip()
    query = Q(subject__icontains=text) | Q(description__icontains=text)
    number = text.rsplit("-", 1)[-1].lstrip("#")
    if number.isdigit():
        query |= Q(number=int(number))
    return query
