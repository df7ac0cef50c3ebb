"""Reads of service standards: calendars for business-time arithmetic, the policy of a ticket."""

from __future__ import annotations

from datetime import time

from django.db.models import QuerySet

from zhongtai.sla import calendar as business_time
from zhongtai.sla.matching import PolicyConditions, TicketFacts, first_match
from zhongtai.sla.models import BusinessCalendar, CalendarDate, SlaPolicy
from zhongtai.tickets.models import Ticket

MINUTES_PER_DAY = 24 * 60


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


def workday_hours(calendar: BusinessCalendar) -> business_time.DayHours:
    """The hours of a normal workday (those of the first weekday that has any).

    Make-up workdays (调休) and manual "working day" overrides use them.
    """
    return _workday(weekly_hours(calendar))


def _workday(weekly: tuple[business_time.DayHours, ...]) -> business_time.DayHours:
    return next((hours for hours in weekly[:5] if hours), ())


def weekly_hours(calendar: BusinessCalendar) -> tuple[business_time.DayHours, ...]:
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for interval in calendar.intervals.all():
        end = _minute(interval.end) or MINUTES_PER_DAY  # 00:00 as an end means midnight
        days[interval.weekday].append((_minute(interval.start), end))
    return tuple(tuple(sorted(day)) for day in days)


def calendar_build(calendar: BusinessCalendar) -> business_time.Calendar:
    """The pure calendar for business-time arithmetic: weekly hours plus dated overrides.

    A manual date wins over the holiday library's entry for the same date.
    """
    weekly = weekly_hours(calendar)
    workday = _workday(weekly)
    overrides: dict[object, business_time.DayHours] = {}
    rows = sorted(
        calendar.dates.all(), key=lambda row: (row.date, row.source == CalendarDate.Source.MANUAL)
    )
    for row in rows:  # manual rows come last for a date, so they win
        overrides[row.date] = () if row.kind == CalendarDate.Kind.CLOSED else workday
    return business_time.Calendar(
        time_zone=calendar.time_zone,
        weekly=weekly,
        overrides=overrides,  # type: ignore[arg-type]
        always_open=calendar.always_open,
    )


def ticket_facts(ticket: Ticket) -> TicketFacts:
    category_ids: set[int] = set()
    category = ticket.category
    while category is not None and category.pk not in category_ids:
        category_ids.add(category.pk)
        category = category.parent
    return TicketFacts(
        customer_tier=ticket.customer.tier if ticket.customer else "",
        priority=ticket.priority,
        type=ticket.type,
        channel=ticket.channel,
        category_ids=frozenset(category_ids),
    )


def active_policies(*, tenant_id: int) -> QuerySet[SlaPolicy]:
    return (
        SlaPolicy.objects.filter(tenant_id=tenant_id, is_active=True)
        .select_related("calendar")
        .prefetch_related("categories", "calendar__intervals", "calendar__dates")
        .order_by("position", "id")
    )


def policy_conditions(policy: SlaPolicy) -> PolicyConditions:
    return PolicyConditions(
        customer_tiers=tuple(policy.customer_tiers),
        priorities=tuple(policy.priorities),
        types=tuple(policy.types),
        channels=tuple(policy.channels),
        category_ids=frozenset(category.pk for category in policy.categories.all()),
    )


def sla_policy_for_ticket(ticket: Ticket) -> SlaPolicy | None:
    """The first active policy of the ticket's tenant, in order, that covers the ticket."""
    policies = [(p, policy_conditions(p)) for p in active_policies(tenant_id=ticket.tenant_id)]
    return first_match(policies, ticket_facts(ticket))
