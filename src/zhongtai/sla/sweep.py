"""The SLA sweep: warnings and breaches, found by an index and acted on exactly once.

Every minute a Huey task asks for the timers whose ``next_check_at`` has come (the
partial index ``sla_timer_sweep`` answers without reading the other open tickets),
then checks each in its own transaction:

1. lock the ticket (the same order as every ticket service, so no deadlock), then
   re-read the timer and go on only if it is still due: a second sweep running at the
   same time, or one that a crash interrupted and that runs again, finds it done;
2. write the warning or the breach, run the breach actions, move ``next_check_at`` on,
   and commit all of it at once.

A sweep killed between finding and acting has written nothing, and the next one finds
the same timers; a sweep killed after a commit has nothing left to redo for that timer.
So no breach is missed and no action runs twice. E-mails go out after the commit
(``Notification`` rows make a retried job send only what is unsent), and within the
calendar's working hours unless the policy says to notify at any hour.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.sla import timers as clock_rules
from zhongtai.sla.calendar import is_business_time, next_business_instant
from zhongtai.sla.choices import BreachAction, Target
from zhongtai.sla.clocks import Action, clocks_recompute, timer_clock, timer_derive
from zhongtai.sla.models import SlaTimer
from zhongtai.sla.standards import CompiledPolicy, standards_for
from zhongtai.tickets import events, services
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class SweepResult:
    checked: int = 0
    warnings: int = 0
    breaches: int = 0
    failed: int = 0


def due_timers(*, now: datetime, limit: int = BATCH) -> list[tuple[int, int]]:
    """(timer id, ticket id) of the timers with something to do, most overdue first."""
    return list(
        SlaTimer.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", "ticket_id")[:limit]
    )


def sla_sweep(*, now: datetime | None = None, limit: int = BATCH) -> SweepResult:
    """Check every due timer once; a failure on one ticket is logged and skips only it."""
    now = now or timezone.now()
    result = SweepResult()
    seen: set[int] = set()
    while True:
        batch = [(pk, ticket_id) for pk, ticket_id in due_timers(now=now, limit=limit)]
        batch = [item for item in batch if item[0] not in seen]
        if not batch:
            return result
        for timer_id, ticket_id in batch:
            seen.add(timer_id)
            try:
                outcome = timer_check(timer_id=timer_id, ticket_id=ticket_id, now=now)
            except Exception:
                logger.exception("SLA check of timer %s failed", timer_id)
                result.failed += 1
                continue
            result.checked += 1
            result.warnings += outcome == Action.WARNING
            result.breaches += outcome == Action.BREACH


@transaction.atomic
def timer_check(*, timer_id: int, ticket_id: int, now: datetime) -> str | None:
    """Warn or breach one timer if it is (still) due; returns what was done, if anything."""
    ticket = services.ticket_lock(ticket_id=ticket_id)
    timer = SlaTimer.objects.filter(pk=timer_id, next_check_at__lte=now).first()
    if timer is None:
        return None  # done by another sweep, or moved on by a change to the ticket
    standards = standards_for(ticket.tenant_id)
    policy = standards.policy(timer.policy_id)
    calendar = standards.calendar(timer.calendar_id)
    state = clock_rules.clock_state(calendar, timer_clock(timer), now)
    warn_at = policy.warn_at if policy else ()
    done: str | None = None
    if state.status == clock_rules.ClockStatus.BREACHED and timer.breached_at is None:
        timer.breached_at = state.due_at
        timer.warned_percent = max([timer.warned_percent, *warn_at])
        done = Action.BREACH
    else:
        crossed = [
            p for p in warn_at if p > timer.warned_percent and state.percent_used + 1e-6 >= p
        ]
        if crossed:
            timer.warned_percent = max(crossed)
            done = Action.WARNING
    timer_derive(timer, standards)
    timer.save(
        update_fields=["breached_at", "warned_percent", "due_at", "next_check_at", "updated_at"]
    )
    if done == Action.BREACH:
        _breach(ticket, timer, policy, now)
    elif done == Action.WARNING:
        event = _event(
            ticket,
            timer,
            Action.WARNING,
            percent=timer.warned_percent,
            notify=True,
            people=_people(ticket),
        )
        _notify(event, policy, calendar, now)
    return done


def _event(ticket: Ticket, timer: SlaTimer, action: str, **data: Any) -> TicketEvent:
    return events.event_record(
        ticket=ticket,
        actor=None,
        type=EventType.SLA,
        data={
            "action": action,
            "timers": [{"target": timer.target, "due_at": _iso(timer.due_at)}],
            **data,
        },
    )


def _people(ticket: Ticket) -> list[int]:
    """Who hears of a warning or breach: the owner, the engineer and the team lead."""
    lead_id = ticket.team.lead_id if ticket.team else None
    ids = [ticket.assignee_id, ticket.engineer_id, lead_id]
    return sorted({pk for pk in ids if pk is not None})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _breach(ticket: Ticket, timer: SlaTimer, policy: CompiledPolicy | None, now: datetime) -> None:
    actions = list(policy.actions) if policy else []
    event = _event(
        ticket,
        timer,
        Action.BREACH,
        breached_at=_iso(timer.breached_at),
        actions=actions,
        notify=BreachAction.NOTIFY in actions,
        people=_people(ticket),  # those in charge at the breach, before any action moves it
    )
    if BreachAction.NOTIFY in actions:
        standards = standards_for(ticket.tenant_id)
        _notify(event, policy, standards.calendar(timer.calendar_id), now)
    label = Target(timer.target).label
    reason = _("The %(target)s target was breached.") % {"target": str(label).lower()}
    changed = False
    if BreachAction.RAISE_PRIORITY in actions:
        changed |= services.ticket_priority_raise(ticket=ticket, reason=reason)
    if BreachAction.ESCALATE in actions:
        services.ticket_escalate_next_tier(ticket=ticket, reason=reason)
    if BreachAction.REASSIGN in actions:
        services.ticket_reassign_to_lead(ticket=ticket, reason=reason)
    if changed:  # a higher priority may fall under a stricter policy
        clocks_recompute(ticket=ticket, reason="breach")


def _notify(
    event: TicketEvent, policy: CompiledPolicy | None, calendar: Any, now: datetime
) -> None:
    """Queue the e-mails after commit: now, or when the calendar's working hours begin."""
    from zhongtai.tickets.tasks import ticket_event_notify_task

    eta = None
    outside_hours = not is_business_time(calendar, now)
    if policy is not None and not policy.notify_outside_hours and outside_hours:
        eta = next_business_instant(calendar, now)
    event_id = event.pk
    if eta is None:
        transaction.on_commit(lambda: ticket_event_notify_task(event_id))
    else:
        transaction.on_commit(lambda: ticket_event_notify_task.schedule((event_id,), eta=eta))
