"""The SLA sweep: warnings and breaches, found by an index and acted on exactly once.

Every minute a Huey task asks for the timers whose ``next_check_at`` has come (the
partial index ``sla_timer_sweep`` answers without reading the other open tickets),
then checks each in its own transaction:

1. lock the tickets (in id order, so no deadlock), then re-read the timers and go on
   only with those still due: a second sweep running at the same time, or one that a
   crash interrupted and that runs again, finds them done;
2. write the warnings and breaches, run the breach actions, move ``next_check_at`` on,
   and commit all of it at once, a chunk of timers per transaction (one commit and one
   mail job per chunk instead of one per timer: a backlog of thousands clears in seconds).

A sweep killed between finding and acting has written nothing, and the next one finds
the same timers; a sweep killed after a commit has nothing left to redo for that timer.
So no breach is missed and no action runs twice. E-mails go out after the commit
(``Notification`` rows make a retried job send only what is unsent), and within the
calendar's working hours unless the policy says to notify at any hour.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.sla import timers as clock_rules
from zhongtai.sla.calendar import is_business_time, next_business_instant
from zhongtai.sla.choices import BreachAction, Target
from zhongtai.sla.clocks import Action, clocks_recompute, timer_clock, timer_derive
from zhongtai.sla.models import SlaTimer
from zhongtai.sla.standards import CompiledPolicy, standards_for
from zhongtai.tickets import services
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

BATCH = 500  # timers found per query
CHUNK = 200  # timers checked per transaction


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


def sla_sweep(
    *, now: datetime | None = None, limit: int = BATCH, chunk: int = CHUNK
) -> SweepResult:
    """Check every due timer once, ``chunk`` timers per transaction.

    A chunk that fails is rolled back whole and checked again one timer at a time, so a
    failure on one ticket is logged and skips only that ticket.
    """
    now = now or timezone.now()
    result = SweepResult()
    seen: set[int] = set()
    while True:
        batch = [item for item in due_timers(now=now, limit=limit) if item[0] not in seen]
        if not batch:
            return result
        seen.update(timer_id for timer_id, _ticket_id in batch)
        for start in range(0, len(batch), chunk):
            part = batch[start : start + chunk]
            try:
                outcomes = list(timers_check(part, now=now).values())
            except Exception:
                logger.exception("SLA check of %d timers failed; checking one by one", len(part))
                outcomes = []
                for timer_id, ticket_id in part:
                    try:
                        outcomes.append(
                            timer_check(timer_id=timer_id, ticket_id=ticket_id, now=now)
                        )
                    except Exception:
                        logger.exception("SLA check of timer %s failed", timer_id)
                        result.failed += 1
            for outcome in outcomes:
                result.checked += 1
                result.warnings += outcome == Action.WARNING
                result.breaches += outcome == Action.BREACH


def timer_check(*, timer_id: int, ticket_id: int, now: datetime) -> str | None:
    """Warn or breach one timer if it is (still) due; returns what was done, if anything."""
    return timers_check([(timer_id, ticket_id)], now=now).get(timer_id)


@transaction.atomic
def timers_check(found: Sequence[tuple[int, int]], *, now: datetime) -> dict[int, str | None]:
    """Warn or breach the found timers that are still due, in one transaction.

    Locks their tickets (in id order, as the services lock one), re-reads the timers, and
    writes the timers, the events, the breach actions and the queued mails together.
    Returns, per timer id, what was done (``None``: nothing, it was no longer due).
    """
    ticket_ids = sorted({ticket_id for _timer_id, ticket_id in found})
    tickets = {
        t.pk: t
        for t in Ticket.objects.select_for_update(of=("self",))
        .select_related("team")
        .filter(pk__in=ticket_ids)
        .order_by("pk")
    }
    timers = list(
        SlaTimer.objects.filter(
            pk__in=[timer_id for timer_id, _t in found], next_check_at__lte=now
        ).order_by("ticket_id", "pk")
    )
    outcomes: dict[int, str | None] = {timer_id: None for timer_id, _t in found}
    events: list[TicketEvent] = []
    mails: list[tuple[TicketEvent, datetime | None]] = []
    breached: list[tuple[Ticket, SlaTimer, CompiledPolicy | None]] = []
    stamp = timezone.now()
    for timer in timers:
        ticket = tickets[timer.ticket_id]
        standards = standards_for(ticket.tenant_id)
        policy = standards.policy(timer.policy_id)
        calendar = standards.calendar(timer.calendar_id)
        done = _decide(timer, policy, calendar, now)
        timer_derive(timer, standards)
        timer.updated_at = stamp
        outcomes[timer.pk] = done
        if done is None:
            continue
        event = _event(ticket, timer, done, policy)
        events.append(event)
        if event.data.get("notify"):
            mails.append((event, _mail_eta(policy, calendar, now)))
        if done == Action.BREACH:
            breached.append((ticket, timer, policy))
    _timers_save(timers)
    TicketEvent.objects.bulk_create(events)
    for ticket, timer, policy in breached:
        _breach_actions(ticket, timer, policy)
    _queue_mails(mails)
    return outcomes


SWEPT_FIELDS = ("breached_at", "warned_percent", "due_at", "next_check_at", "updated_at")


def _timers_save(timers: Sequence[SlaTimer]) -> None:
    """One parametrized UPDATE run for all the timers (``bulk_update`` builds a CASE
    expression per row and field: 80 % of a sweep's time at thousands of timers)."""
    if not timers:
        return
    ops, quote = connection.ops, connection.ops.quote_name
    assignments = ", ".join(f"{quote(name)} = %s" for name in SWEPT_FIELDS)
    # Only our own table and column names, quoted, go into the text; values are parameters.
    sql = f"UPDATE {quote(SlaTimer._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    rows = [
        (
            ops.adapt_datetimefield_value(timer.breached_at),
            timer.warned_percent,
            ops.adapt_datetimefield_value(timer.due_at),
            ops.adapt_datetimefield_value(timer.next_check_at),
            ops.adapt_datetimefield_value(timer.updated_at),
            timer.pk,
        )
        for timer in timers
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _decide(
    timer: SlaTimer, policy: CompiledPolicy | None, calendar: Any, now: datetime
) -> str | None:
    """Breach or warn (the highest threshold newly crossed), updating the timer's facts."""
    state = clock_rules.clock_state(calendar, timer_clock(timer), now)
    warn_at = policy.warn_at if policy else ()
    if state.status == clock_rules.ClockStatus.BREACHED and timer.breached_at is None:
        timer.breached_at = state.due_at
        timer.warned_percent = max([timer.warned_percent, *warn_at])
        return Action.BREACH
    crossed = [p for p in warn_at if p > timer.warned_percent and state.percent_used + 1e-6 >= p]
    if crossed:
        timer.warned_percent = max(crossed)
        return Action.WARNING
    return None


def _event(
    ticket: Ticket, timer: SlaTimer, action: str, policy: CompiledPolicy | None
) -> TicketEvent:
    """The timeline event of a warning or breach (not saved: the caller bulk-inserts)."""
    data: dict[str, Any] = {
        "action": action,
        "timers": [{"target": timer.target, "due_at": _iso(timer.due_at)}],
        "people": _people(ticket),  # those in charge now, before any action moves it
    }
    if action == Action.WARNING:
        data |= {"percent": timer.warned_percent, "notify": True}
    else:
        actions = list(policy.actions) if policy else []
        data |= {
            "breached_at": _iso(timer.breached_at),
            "actions": actions,
            "notify": BreachAction.NOTIFY in actions,
        }
    return TicketEvent(
        tenant_id=ticket.tenant_id, ticket=ticket, type=EventType.SLA, actor=None, data=data
    )


def _people(ticket: Ticket) -> list[int]:
    """Who hears of a warning or breach: the owner, the engineer and the team lead."""
    lead_id = ticket.team.lead_id if ticket.team else None
    ids = [ticket.assignee_id, ticket.engineer_id, lead_id]
    return sorted({pk for pk in ids if pk is not None})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _breach_actions(ticket: Ticket, timer: SlaTimer, policy: CompiledPolicy | None) -> None:
    """The actions that change the ticket, as ticket services run by the system."""
    actions = set(policy.actions) if policy else set()
    if not actions - {BreachAction.NOTIFY}:
        return
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


def _mail_eta(policy: CompiledPolicy | None, calendar: Any, now: datetime) -> datetime | None:
    """Now (``None``), or when the calendar's working hours begin if the policy says so."""
    if (
        policy is not None
        and not policy.notify_outside_hours
        and not is_business_time(calendar, now)
    ):
        return next_business_instant(calendar, now)
    return None


def _queue_mails(mails: Sequence[tuple[TicketEvent, datetime | None]]) -> None:
    """After the commit, one mail job per delivery time (not one per event)."""
    by_eta: dict[datetime | None, list[int]] = {}
    for event, eta in mails:
        by_eta.setdefault(eta, []).append(event.pk)
    for eta, ids in by_eta.items():
        transaction.on_commit(functools.partial(_enqueue_mails, ids, eta))


def _enqueue_mails(event_ids: list[int], eta: datetime | None) -> None:
    from zhongtai.tickets.tasks import ticket_events_notify_task

    if eta is None:
        ticket_events_notify_task(event_ids)
    else:
        ticket_events_notify_task.schedule((event_ids,), eta=eta)
