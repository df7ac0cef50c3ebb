"""What the agent sees of a ticket's SLA clocks: targets, time left in business time, state.

Reads only. The queue shows each ticket's most urgent running clock; the ticket page
shows every clock, running or decided. Time left is business time of the clock's
calendar at the moment of the request, so it does not tick down at night or on a
holiday; the pages refresh it every minute (htmx).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.sla import timers as clock_rules
from zhongtai.sla.choices import Target
from zhongtai.sla.clocks import timer_clock
from zhongtai.sla.models import RUNNING, SlaTimer
from zhongtai.sla.presenters import duration_words
from zhongtai.sla.standards import Standards, standards_for
from zhongtai.tickets.models import Ticket
from zhongtai.tickets.selectors import open_q, ticket_list

WARN_PERCENT = 75  # without a policy threshold, a clock this far used shows as at risk
BREACHING_LIMIT = 100


@dataclass(frozen=True)
class ClockView:
    """One clock as a badge: what it measures, its state, and the words for it."""

    target: str
    label: str
    state: str  # running, at_risk, paused, breached, met, late
    text: str
    badge: str
    due_at: datetime | None
    minutes_left: float
    percent_used: float
    policy: str

    @property
    def width(self) -> int:
        """The progress bar's width in steps of 5 % (a CSS class: the CSP forbids styles)."""
        return min(100, max(0, round(self.percent_used / 5) * 5))

    @property
    def urgency(self) -> tuple[int, float]:
        order = {"breached": 0, "at_risk": 1, "running": 2, "paused": 3}
        return (order.get(self.state, 9), self.minutes_left)


_BADGES = {
    "breached": "danger",
    "late": "danger",
    "at_risk": "warning",
    "running": "success",
    "paused": "secondary",
    "met": "light",
}


def clock_view(timer: SlaTimer, standards: Standards, now: datetime) -> ClockView:
    calendar = standards.calendar(timer.calendar_id)
    state = clock_rules.clock_state(calendar, timer_clock(timer), now)
    policy = standards.policy(timer.policy_id)
    warn_at = min(policy.warn_at) if policy and policy.warn_at else WARN_PERCENT
    left = duration_words(round(state.minutes_left))
    used = duration_words(round(timer.business_minutes or 0))
    if timer.fulfilled_at is not None:
        late = timer.breached_at is not None
        name = "late" if late else "met"
        text = (_("Late, after %(used)s") if late else _("Met in %(used)s")) % {"used": used}
    elif timer.breached_at is not None or state.status == clock_rules.ClockStatus.BREACHED:
        name, text = "breached", _("Overdue")
    elif state.status == clock_rules.ClockStatus.PAUSED:
        name, text = "paused", _("Paused, %(left)s left") % {"left": left}
    elif state.percent_used >= warn_at:
        name, text = "at_risk", _("%(left)s left") % {"left": left}
    else:
        name, text = "running", _("%(left)s left") % {"left": left}
    return ClockView(
        target=timer.target,
        label=str(Target(timer.target).label),
        state=name,
        text=str(text),
        badge=_BADGES[name],
        due_at=state.due_at if timer.fulfilled_at is None else None,
        minutes_left=state.minutes_left,
        percent_used=state.percent_used,
        policy=policy.name if policy else "",
    )


def _running_timers(ticket_ids: Iterable[int]) -> QuerySet[SlaTimer]:
    return SlaTimer.objects.filter(RUNNING, ticket_id__in=list(ticket_ids))


def queue_clocks(*, actor: Actor, tickets: Sequence[Ticket]) -> dict[int, ClockView]:
    """The most urgent running clock of each ticket (by ticket id); one query."""
    if not tickets:
        return {}
    standards = standards_for(actor.tenant.pk)
    now = timezone.now()
    views: dict[int, list[ClockView]] = defaultdict(list)
    for timer in _running_timers(t.pk for t in tickets).filter(tenant=actor.tenant):
        views[timer.ticket_id].append(clock_view(timer, standards, now))
    return {ticket_id: min(found, key=lambda v: v.urgency) for ticket_id, found in views.items()}


def ticket_clocks(*, actor: Actor, ticket: Ticket) -> list[ClockView]:
    """Every clock of the ticket that measured something, running ones first."""
    standards = standards_for(actor.tenant.pk)
    now = timezone.now()
    timers = SlaTimer.objects.filter(
        tenant=actor.tenant, ticket=ticket, cancelled_at__isnull=True
    ).order_by("fulfilled_at", "started_at", "id")
    order = {target: index for index, target in enumerate(Target.values)}
    views = [clock_view(timer, standards, now) for timer in timers]
    running = sorted(
        (v for v in views if v.due_at or v.state == "paused"), key=lambda v: order[v.target]
    )
    done = [v for v in views if v not in running]
    return running + done


def breaching_soon(
    *, actor: Actor, qs: QuerySet[Ticket] | None = None, limit: int = BREACHING_LIMIT
) -> list[Ticket]:
    """Open tickets by the due time of their next running clock, overdue first.

    Reads the running timers in due order (index ``sla_timer_due``) and keeps the first
    ``limit`` tickets that are also in ``qs`` (the queue's other filters; all the actor
    may see by default); a paused clock has no due time and is not listed.
    """
    due = (
        _running_timers_of(actor)
        .filter(due_at__isnull=False)
        .order_by("due_at", "id")
        .values_list("ticket_id", flat=True)
    )
    ids = list(dict.fromkeys(due[: limit * 3]))[:limit]
    tickets = ticket_list(actor=actor) if qs is None else qs
    found = {t.pk: t for t in tickets.filter(open_q(), pk__in=ids).prefetch_related("tags")}
    return [found[pk] for pk in ids if pk in found]


def _running_timers_of(actor: Actor) -> QuerySet[SlaTimer]:
    return SlaTimer.objects.filter(RUNNING, tenant=actor.tenant)
