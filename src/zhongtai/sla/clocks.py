"""Writes of SLA timers: the ticket services call these inside their transaction.

The rules (each has an example test in ``tests/sla/test_clocks.py``):

* A new ticket gets the first matching policy's first-response and resolution clocks,
  started at its creation.
* A public reply from staff fulfils the running first-response and next-response
  clocks; an internal note or an automatic message never does.
* A customer's public reply after the first response starts a next-response clock
  (one at a time), if the policy has that target.
* "Pending customer" pauses every running clock; leaving it resumes them.
* Resolving or closing fulfils the resolution clock; response clocks still running stop
  (kept as breached if they already were, else not measured). A merge stops every clock.
  A reopened ticket's resolution clock resumes: the resolved spell counts as a pause.
* A change of priority, type, category or customer tier, of the policies or of a
  calendar re-matches the policy and recomputes every running clock from its original
  start with its pauses. A breach that was recorded stays recorded.

Every start, pause, resume, fulfilment and recomputation is a timeline event; warnings
and breaches are written by the sweep (``zhongtai.sla.sweep``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhongtai.core.rows import one_round_trip, rows_insert
from zhongtai.sla import timers as clock_rules
from zhongtai.sla.choices import Target
from zhongtai.sla.models import RUNNING, SlaTimer
from zhongtai.sla.selectors import ticket_facts
from zhongtai.sla.standards import CompiledPolicy, Standards, standards_for
from zhongtai.tickets import events
from zhongtai.tickets.choices import EventType, TicketStatus
from zhongtai.tickets.models import Ticket
from zhongtai.tickets.selectors import open_q

RESPONSE_TARGETS = (Target.FIRST_RESPONSE, Target.NEXT_RESPONSE)


class Action:
    """The ``action`` of an SLA timeline event."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    FULFIL = "fulfil"
    STOP = "stop"
    RECOMPUTE = "recompute"
    WARNING = "warning"
    BREACH = "breach"


# --- Facts of a timer row <-> the pure clock -----------------------------------------------


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def timer_clock(timer: SlaTimer) -> clock_rules.Clock:
    return clock_rules.Clock(
        started_at=timer.started_at,
        target_minutes=timer.target_minutes,
        pauses=tuple(
            (_instant(began), _instant(ended) if ended else None) for began, ended in timer.pauses
        ),
        fulfilled_at=timer.fulfilled_at,
    )


def timer_derive(timer: SlaTimer, standards: Standards) -> None:
    """Recompute ``due_at`` and ``next_check_at`` from the timer's facts (caller saves)."""
    calendar = standards.calendar(timer.calendar_id)
    clock = timer_clock(timer)
    timer.due_at = clock_rules.due_at(calendar, clock)
    timer.next_check_at = None
    if not timer.is_running or timer.due_at is None or timer.breached_at is not None:
        return
    policy = standards.policy(timer.policy_id)
    for percent in policy.warn_at if policy else ():
        if percent > timer.warned_percent:
            share = clock_rules.Clock(
                started_at=clock.started_at,
                target_minutes=timer.target_minutes * percent / 100,
                pauses=clock.pauses,
            )
            timer.next_check_at = clock_rules.due_at(calendar, share)
            return
    timer.next_check_at = timer.due_at


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _summary(timer: SlaTimer) -> dict[str, Any]:
    return {"target": timer.target, "due_at": _iso(timer.due_at)}


def _record(ticket: Ticket, action: str, timers: Sequence[SlaTimer], **data: Any) -> None:
    if not timers:
        return
    row = events.event_row(
        tenant_id=ticket.tenant_id,
        ticket_id=ticket.pk,
        type=EventType.SLA,
        at=timezone.now(),
        data={"action": action, "timers": [_summary(t) for t in timers], **data},
    )
    events.events_insert([row])


def _running(ticket: Ticket) -> list[SlaTimer]:
    return list(SlaTimer.objects.filter(RUNNING, ticket=ticket))


def _new_timer(
    ticket: Ticket, policy: CompiledPolicy, target: str, started_at: datetime
) -> SlaTimer:
    return SlaTimer(
        tenant_id=ticket.tenant_id,
        ticket=ticket,
        target=target,
        policy_id=policy.id,
        calendar_id=policy.calendar_id,
        target_minutes=policy.minutes(target) or 0,
        started_at=started_at,
        **report_groups(ticket),
    )


REPORT_GROUP_FIELDS = ("team", "assignee", "tier", "priority", "type")


def report_groups(ticket: Ticket) -> dict[str, Any]:
    """The ticket's fields a timer is reported under (see ``SlaTimer``)."""
    return {
        "team_id": ticket.team_id,
        "assignee_id": ticket.assignee_id,
        "tier": ticket.tier,
        "priority": ticket.priority,
        "type": ticket.type,
    }


def _save(timers: Iterable[SlaTimer], standards: Standards, *, fields: Sequence[str]) -> None:
    for timer in timers:
        timer_derive(timer, standards)
        timer.save(update_fields=[*fields, "due_at", "next_check_at", "updated_at"])


# --- Hooks called by the ticket services ---------------------------------------------------


# What a new clock is written with (the other columns start empty).
START_FIELDS = (
    "created_at",
    "updated_at",
    "tenant_id",
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
    "team_id",
    "assignee_id",
    "tier",
    "priority",
    "type",
)


def clocks_start(*, ticket: Ticket) -> None:
    """Start the clocks of a new ticket under the first policy that covers it."""
    standards = standards_for(ticket.tenant_id)
    if not standards.policies:
        return
    policy = standards.match(ticket_facts(ticket))
    if policy is None:
        return
    timers = [
        _new_timer(ticket, policy, target, ticket.created_at)
        for target in (Target.FIRST_RESPONSE, Target.RESOLUTION)
        if policy.minutes(target)
    ]
    now = timezone.now()
    for timer in timers:
        timer_derive(timer, standards)
        timer.created_at = timer.updated_at = now
    # Plain rows in one round trip (``core.rows``): what clocks add to every ticket create.
    with one_round_trip():
        rows_insert(SlaTimer, [{name: getattr(t, name) for name in START_FIELDS} for t in timers])
        _record(ticket, Action.START, timers, policy=policy.name)


def clocks_public_reply(*, ticket: Ticket, by_customer: bool, at: datetime) -> None:
    """A public reply: staff fulfil the response clocks; a customer starts the next one."""
    if by_customer and (ticket.first_response_at is None or not ticket.is_open):
        return  # nothing to start before the first response (or on a closed ticket)
    running = _running(ticket)
    if by_customer:
        if any(t.target in RESPONSE_TARGETS for t in running):
            return
        standards = standards_for(ticket.tenant_id)
        policy = standards.match(ticket_facts(ticket)) if standards.policies else None
        if policy is None or not policy.minutes(Target.NEXT_RESPONSE):
            return
        timer = _new_timer(ticket, policy, Target.NEXT_RESPONSE, at)
        timer_derive(timer, standards)
        timer.save()
        _record(ticket, Action.START, [timer], policy=policy.name)
        return
    answered = [t for t in running if t.target in RESPONSE_TARGETS]
    if answered:
        _fulfil(ticket, answered, at)


def clocks_groups_follow(*, ticket: Ticket, fields: Iterable[str]) -> None:
    """The ticket's team, assignee, tier, priority or type changed: its undecided clocks
    follow (one UPDATE); breached and fulfilled ones stay with whoever held it then."""
    if not set(fields) & set(REPORT_GROUP_FIELDS):
        return
    SlaTimer.objects.filter(RUNNING, ticket=ticket, breached_at__isnull=True).update(
        **report_groups(ticket)
    )


def clocks_status_change(*, ticket: Ticket, old: str, new: str, at: datetime, merge: bool) -> None:
    """Pause, resume, fulfil or stop the clocks when the status moves from ``old`` to ``new``."""
    moves_clocks = merge or TicketStatus.PENDING_CUSTOMER in (old, new)
    moves_clocks |= bool({old, new} & {TicketStatus.RESOLVED, TicketStatus.CLOSED})
    if old == new or not moves_clocks:
        return  # e.g. new → open, open → pending internal: the clocks run on
    running = _running(ticket)
    if old == TicketStatus.PENDING_CUSTOMER and new != old:
        _resume(ticket, running, at)
    if merge:
        _stop(ticket, running, at, reason="merge")
        return
    if new in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        resolution = [t for t in running if t.target == Target.RESOLUTION]
        _fulfil(ticket, resolution, at)
        _stop(ticket, [t for t in running if t.target in RESPONSE_TARGETS], at, reason="resolved")
        return
    if old == TicketStatus.RESOLVED and new != old:
        _reopen(ticket, at)
        running = _running(ticket)
    if new == TicketStatus.PENDING_CUSTOMER and old != new:
        _pause(ticket, running, at)


def clocks_recompute(*, ticket: Ticket, reason: str, standards: Standards | None = None) -> bool:
    """Re-match the policy and recompute every running clock from its original start.

    Returns whether anything changed. Clocks a new policy lacks stop; a target the new
    policy adds starts from the ticket's creation (first response only while unanswered).
    """
    standards = standards or standards_for(ticket.tenant_id)
    policy = standards.match(ticket_facts(ticket)) if standards.policies else None
    running = {t.target: t for t in _running(ticket)}
    changed: list[SlaTimer] = []
    stopped: list[SlaTimer] = []
    now = timezone.now()
    for target in Target.values:
        timer = running.get(target)
        minutes = policy.minutes(target) if policy else None
        if timer is not None and (policy is None or not minutes):
            stopped.append(timer)
        elif timer is not None and policy is not None and minutes:
            before = (timer.policy_id, timer.calendar_id, timer.target_minutes, timer.due_at)
            timer.policy_id, timer.calendar_id = policy.id, policy.calendar_id
            timer.target_minutes = minutes
            timer_derive(timer, standards)
            if before != (timer.policy_id, timer.calendar_id, timer.target_minutes, timer.due_at):
                timer.save()
                changed.append(timer)
        elif policy is not None and minutes and _needs(ticket, target, running):
            timer = _new_timer(ticket, policy, target, ticket.created_at)
            timer_derive(timer, standards)
            timer.save()
            changed.append(timer)
    _stop(ticket, stopped, now, reason=reason, record=False)
    if changed or stopped:
        _record(
            ticket,
            Action.RECOMPUTE,
            changed,
            policy=policy.name if policy else "",
            reason=reason,
            stopped=[t.target for t in stopped],
        )
    return bool(changed or stopped)


def _needs(ticket: Ticket, target: str, running: dict[str, SlaTimer]) -> bool:
    if not ticket.is_open or ticket.merged_into_id is not None:
        return False
    if target == Target.FIRST_RESPONSE:
        return ticket.first_response_at is None
    if target == Target.RESOLUTION:
        return not SlaTimer.objects.filter(ticket=ticket, target=Target.RESOLUTION).exists()
    return False


# --- The moves ------------------------------------------------------------------------------


def _fulfil(ticket: Ticket, timers: Sequence[SlaTimer], at: datetime) -> None:
    if not timers:
        return
    standards = standards_for(ticket.tenant_id)
    for timer in timers:
        _close_pause(timer, at)
        timer.fulfilled_at = at
        clock = timer_clock(timer)
        calendar = standards.calendar(timer.calendar_id)
        timer.business_minutes = clock_rules.elapsed_minutes(calendar, clock, at)
        due = clock_rules.due_at(calendar, clock)
        if due is not None and at > due and timer.breached_at is None:
            timer.breached_at = due  # late: the sweep had not seen it yet
    _save(
        timers,
        standards,
        fields=["pauses", "fulfilled_at", "business_minutes", "breached_at"],
    )
    for timer in timers:
        met = timer.breached_at is None
        _record(ticket, Action.FULFIL, [timer], met=met, minutes=round(timer.business_minutes or 0))


def _stop(
    ticket: Ticket, timers: Sequence[SlaTimer], at: datetime, *, reason: str, record: bool = True
) -> None:
    """End clocks that no longer measure anything: breached ones count as breached."""
    if not timers:
        return
    standards = standards_for(ticket.tenant_id)
    for timer in timers:
        _close_pause(timer, at)
        if timer.breached_at is not None:
            timer.fulfilled_at = at
        else:
            timer.cancelled_at = at
    _save(timers, standards, fields=["pauses", "fulfilled_at", "cancelled_at"])
    if record:
        _record(ticket, Action.STOP, timers, reason=reason)


def _pause(ticket: Ticket, timers: Sequence[SlaTimer], at: datetime) -> None:
    paused = [t for t in timers if not (t.pauses and t.pauses[-1][1] is None)]
    for timer in paused:
        timer.pauses = [*timer.pauses, [at.isoformat(), None]]
    _save(paused, standards_for(ticket.tenant_id), fields=["pauses"])
    _record(ticket, Action.PAUSE, paused)


def _close_pause(timer: SlaTimer, at: datetime) -> bool:
    if timer.pauses and timer.pauses[-1][1] is None:
        began = _instant(timer.pauses[-1][0])
        timer.pauses = [*timer.pauses[:-1], [began.isoformat(), max(at, began).isoformat()]]
        return True
    return False


def _resume(ticket: Ticket, timers: Sequence[SlaTimer], at: datetime) -> None:
    resumed = [t for t in timers if _close_pause(t, at)]
    _save(resumed, standards_for(ticket.tenant_id), fields=["pauses"])
    _record(ticket, Action.RESUME, resumed)


def _reopen(ticket: Ticket, at: datetime) -> None:
    """A reopened ticket's resolution clock runs on; the resolved spell was a pause."""
    last = (
        SlaTimer.objects.filter(
            ticket=ticket,
            target=Target.RESOLUTION,
            fulfilled_at__isnull=False,
            cancelled_at__isnull=True,
        )
        .order_by("-fulfilled_at", "-id")
        .first()
    )
    if last is None or last.fulfilled_at is None:
        return
    if SlaTimer.objects.filter(RUNNING, ticket=ticket, target=Target.RESOLUTION).exists():
        return
    last.pauses = [
        *last.pauses,
        [last.fulfilled_at.isoformat(), max(at, last.fulfilled_at).isoformat()],
    ]
    last.fulfilled_at = None
    last.business_minutes = None
    _save(
        [last],
        standards_for(ticket.tenant_id),
        fields=["pauses", "fulfilled_at", "business_minutes"],
    )
    _record(ticket, Action.RESUME, [last], reason="reopened")


# --- Recomputing many tickets (a task) ----------------------------------------------------


def clocks_recompute_open_tickets(
    *, tenant_id: int, customer_id: int | None = None, reason: str
) -> int:
    """Recompute the clocks of every open ticket of a tenant (or of one customer).

    Each ticket is its own transaction with its row locked, so the task can be stopped
    and run again at any point; returns how many tickets changed.
    """
    standards = standards_for(tenant_id, fresh=True)
    tickets = Ticket.objects.filter(open_q(), tenant_id=tenant_id, merged_into__isnull=True)
    if customer_id is not None:
        tickets = tickets.filter(customer_id=customer_id)
    changed = 0
    for ticket_id in list(tickets.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("customer", "category")
                .filter(pk=ticket_id, is_open=True)
                .first()
            )
            if ticket is not None:
                changed += clocks_recompute(ticket=ticket, reason=reason, standards=standards)
    return changed


def standards_changed(*, tenant_id: int, customer_id: int | None = None, reason: str) -> None:
    """After this transaction commits, recompute the open tickets' clocks in a task."""
    from zhongtai.sla.tasks import sla_recompute_task  # (the task module imports this one)

    transaction.on_commit(lambda: sla_recompute_task(tenant_id, customer_id, reason))
