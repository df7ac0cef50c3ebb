"""Who works a ticket: assignment, taking, escalation L1→L2→L3, hand-back."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team, Tier, User
from zhongtai.core.errors import Conflict, InvalidInput, NotFound
from zhongtai.core.permissions import ensure_can
from zhongtai.tickets import events, selectors
from zhongtai.tickets.choices import (
    EventType,
)
from zhongtai.tickets.models import Ticket, TicketEvent
from zhongtai.tickets.services._base import (
    TIER_ORDER,
    assign_locked,
    check_assignee,
    check_text,
    check_version,
    default_team,
    notify_after_commit,
    save_with_version,
    team_ref,
    ticket_lock,
)


@transaction.atomic
def ticket_assign(
    *,
    actor: Actor,
    ticket: Ticket,
    assignee: User | None,
    team: Team | None = None,
    as_engineer: bool = False,
    expected_version: int | None = None,
) -> Ticket:
    """Give the ticket (or, with ``as_engineer``, its L2/L3 work) to a colleague, or unassign.

    Taking a ticket for oneself needs only ``tickets.assign_self``.
    """
    if assignee is None or assignee.pk != actor.user.pk:
        ensure_can(actor, "tickets.assign")
    else:
        ensure_can(actor, "tickets.assign_self")
    check_assignee(actor, assignee)
    ticket = ticket_lock(ticket_id=ticket.pk)
    check_version(ticket, expected_version)
    assign_locked(actor=actor, ticket=ticket, assignee=assignee, team=team, as_engineer=as_engineer)
    return ticket


@transaction.atomic
def ticket_take(*, actor: Actor, ticket: Ticket) -> Ticket:
    """Assign the ticket to oneself: as owner at L1, as engineer on an escalated ticket."""
    ticket = ticket_lock(ticket_id=ticket.pk)
    as_engineer = ticket.tier != Tier.L1 and actor.role in ("l2", "l3")
    return ticket_assign(actor=actor, ticket=ticket, assignee=actor.user, as_engineer=as_engineer)


@transaction.atomic
def ticket_escalate(
    *,
    actor: Actor,
    ticket: Ticket,
    team: Team,
    reason: str,
    expected_version: int | None = None,
) -> Ticket:
    """Escalate to a team of a higher tier (L1→L2→L3) with a reason.

    The owner keeps the customer conversation; the new team works in notes or children.
    """
    ensure_can(actor, "tickets.escalate")
    reason = check_text("reason", reason)
    ticket = ticket_lock(ticket_id=ticket.pk)
    check_version(ticket, expected_version)
    if not ticket.is_open:
        raise Conflict(_("Only open tickets can be escalated."), code="invalid_transition")
    if TIER_ORDER[Tier(team.tier)] <= TIER_ORDER[Tier(ticket.tier)]:
        raise InvalidInput(
            _("Escalate to a team of a higher tier."),
            code="invalid_escalation",
            errors=[{"field": "team_id", "message": _("Choose a team of a higher tier.")}],
        )
    old_team, old_tier = ticket.team, ticket.tier
    ticket.team, ticket.tier, ticket.engineer = team, team.tier, None
    save_with_version(ticket, ["team", "tier", "engineer"])
    event = events.event_record(
        ticket=ticket,
        actor=actor.user,
        type=EventType.ESCALATION,
        body=reason,
        data={
            "from_team": team_ref(old_team),
            "to_team": team_ref(team),
            "from_tier": old_tier,
            "to_tier": team.tier,
        },
    )
    notify_after_commit(event)
    return ticket


@transaction.atomic
def ticket_handback(
    *, actor: Actor, ticket: Ticket, reason: str, expected_version: int | None = None
) -> Ticket:
    """Hand an escalated ticket back to the team that escalated it, with a reason."""
    ensure_can(actor, "tickets.handback")
    reason = check_text("reason", reason)
    ticket = ticket_lock(ticket_id=ticket.pk)
    check_version(ticket, expected_version)
    if ticket.tier == Tier.L1:
        raise Conflict(_("This ticket is not escalated."), code="not_escalated")
    last = (
        TicketEvent.objects.filter(
            tenant_id=ticket.tenant_id,
            ticket=ticket,
            type=EventType.ESCALATION,
            data__to_tier=ticket.tier,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    back_team_id = (last.data.get("from_team") or {}).get("id") if last else None
    back_team = None
    if isinstance(back_team_id, int):
        back_team = Team.objects.filter(tenant_id=ticket.tenant_id, pk=back_team_id).first()
    if back_team is None:
        back_team = default_team(actor.tenant)
    old_team, old_tier = ticket.team, ticket.tier
    ticket.team = back_team
    ticket.tier = back_team.tier if back_team else Tier.L1
    ticket.engineer = None
    save_with_version(ticket, ["team", "tier", "engineer"])
    events.event_record(
        ticket=ticket,
        actor=actor.user,
        type=EventType.HANDBACK,
        body=reason,
        data={
            "from_team": team_ref(old_team),
            "to_team": team_ref(back_team),
            "from_tier": old_tier,
            "to_tier": ticket.tier,
        },
    )
    return ticket


@transaction.atomic
def tickets_bulk_assign(
    *, actor: Actor, numbers: Sequence[int], assignee: User | None, team: Team | None = None
) -> list[Ticket]:
    """Reassign many tickets at once (team leads); all or nothing."""
    ensure_can(actor, "tickets.bulk_assign")
    check_assignee(actor, assignee)
    wanted = sorted(set(numbers))
    if not wanted:
        raise InvalidInput(errors=[{"field": "numbers", "message": _("Choose tickets.")}])
    ids = list(
        selectors.ticket_visible_qs(actor=actor)
        .filter(number__in=wanted)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(ids) != len(wanted):
        raise NotFound()
    tickets = list(Ticket.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for ticket in tickets:
        assign_locked(actor=actor, ticket=ticket, assignee=assignee, team=team, as_engineer=False)
    return tickets
