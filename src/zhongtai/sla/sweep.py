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

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.core.rows import rows_update
from zhongtai.sla import timers as clock_rules
from zhongtai.sla.calendar import is_business_time, next_business_instant
from zhongtai.sla.choices import BreachAction, Target
from zhongtai.sla.clocks import Action, clocks_recompute, timer_clock, timer_derive
from zhongtai.sla.models import SlaTimer
from zhongtai.sla.standards import CompiledPolicy, standards_for
from zhongtai.tickets import events, services
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket

logger = logging.getLogger(__name__)

BATCH = 500  # timers found per query
CHUNK = 500  # timers checked per transaction


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


@dataclass(frozen=True)
class Holder:
    """Who is in charge of a locked ticket: what the sweep reads of it (not a model)."""

    ticket_id: int
    tenant_id: int
    assignee_id: int | None
    engineer_id: int | None
    lead_id: int | None

    @property
    def people(self) -> list[int]:
        """Who hears of a warning or breach: the owner, the engineer and the team lead."""
        ids = (self.assignee_id, self.engineer_id, self.lead_id)
        return sorted({pk for pk in ids if pk is not None})


# What the sweep reads of a timer: the facts of its clock and what it writes back.
TIMER_FIELDS = (
    "ticket_id",
    "target",
    "policy_id",
    "calendar_id",
    "target_minutes",
    "started_at",
    "pauses",
    "due_at",
    "next_check_at",
    "warned_percent",
    "fulfilled_at",
    "breached_at",
    "cancelled_at",
)


@transaction.atomic
def timers_check(found: Sequence[tuple[int, int]], *, now: datetime) -> dict[int, str | None]:
    """Warn or breach the found timers that are still due, in one transaction.

    Locks their tickets (in id order, as the services lock one), re-reads the timers, and
    writes the timers, the events, the breach actions and the queued mails together.
    Returns, per timer id, what was done (``None``: nothing, it was no longer due).
    A backlog is thousands of timers a minute, so only the columns needed are read: the
    whole ticket is loaded only for a breach action that changes it.
    """
    ticket_ids = sorted({ticket_id for _timer_id, ticket_id in found})
    holders = {
        row[0]: Holder(*row)
        for row in Ticket.objects.select_for_update(of=("self",))
        .filter(pk__in=ticket_ids)
        .order_by("pk")
        .values_list("pk", "tenant_id", "assignee_id", "engineer_id", "team__lead_id")
    }
    timers = list(
        SlaTimer.objects.filter(pk__in=[timer_id for timer_id, _t in found], next_check_at__lte=now)
        .only(*TIMER_FIELDS)
        .order_by("ticket_id", "pk")
    )
    outcomes: dict[int, str | None] = {timer_id: None for timer_id, _t in found}
    event_rows: list[dict[str, Any]] = []
    mails: list[tuple[int, datetime | None]] = []  # (index in events, when to send)
    breached: list[tuple[int, SlaTimer, CompiledPolicy | None]] = []
    stamp = timezone.now()
    for timer in timers:
        holder = holders[timer.ticket_id]
        standards = standards_for(holder.tenant_id)
        policy = standards.policy(timer.policy_id)
        calendar = standards.calendar(timer.calendar_id)
        done = _decide(timer, policy, calendar, now)
        timer_derive(timer, standards)
        timer.updated_at = stamp
        outcomes[timer.pk] = done
        if done is None:
            continue
        event = _event(holder, timer, done, policy, stamp)
        if event["data"]["notify"]:
            mails.append((len(event_rows), _mail_eta(policy, calendar, now)))
        event_rows.append(event)
        if done == Action.BREACH and _changes_ticket(policy):
            breached.append((holder.ticket_id, timer, policy))
    rows_update(
        SlaTimer, SWEPT_FIELDS, [[*(getattr(t, f) for f in SWEPT_FIELDS), t.pk] for t in timers]
    )
    event_ids = events.events_insert(event_rows, returning=True)
    tickets: dict[int, Ticket] = {}  # (one instance per ticket: two breaches may both act)
    for ticket_id, timer, policy in breached:
        if ticket_id not in tickets:
            tickets[ticket_id] = Ticket.objects.select_related("team").get(pk=ticket_id)
        _breach_actions(tickets[ticket_id], timer, policy)
    _queue_mails([(event_ids[index], eta) for index, eta in mails])
    return outcomes


# What the sweep writes back of a timer (one parametrized UPDATE run for a chunk: bulk_update
# builds a CASE expression per row and field, 80 % of a sweep's time at thousands of timers).
SWEPT_FIELDS = ("breached_at", "warned_percent", "due_at", "next_check_at", "updated_at")


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
    holder: Holder, timer: SlaTimer, action: str, policy: CompiledPolicy | None, at: datetime
) -> dict[str, Any]:
    """The timeline event of a warning or breach, as a row for ``events_insert``."""
    data: dict[str, Any] = {
        "action": action,
        "timers": [{"target": timer.target, "due_at": _iso(timer.due_at)}],
        "people": holder.people,  # those in charge now, before any action moves it
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
    return events.event_row(
        tenant_id=holder.tenant_id,
        ticket_id=holder.ticket_id,
        type=EventType.SLA,
        at=at,
        data=data,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _changes_ticket(policy: CompiledPolicy | None) -> bool:
    return bool(policy and set(policy.actions) - {BreachAction.NOTIFY})


def _breach_actions(ticket: Ticket, timer: SlaTimer, policy: CompiledPolicy | None) -> None:
    """The actions that change the ticket, as ticket services run by the system."""
    actions = set(policy.actions) if policy else set()
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


def _queue_mails(mails: Sequence[tuple[int, datetime | None]]) -> None:
    """After the commit, one mail job per delivery time (not one per event)."""
    by_eta: dict[datetime | None, list[int]] = {}
    for event_id, eta in mails:
        by_eta.setdefault(eta, []).append(event_id)
    for eta, ids in by_eta.items():
        transaction.on_commit(functools.partial(_enqueue_mails, ids, eta))


def _enqueue_mails(event_ids: list[int], eta: datetime | None) -> None:
    from zhongtai.tickets.tasks import ticket_events_notify_task

    if eta is None:
        ticket_events_notify_task(event_ids)
    else:
        ticket_events_notify_task.schedule((event_ids,), eta=eta)
