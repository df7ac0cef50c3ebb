"""Reads of service standards: calendars for business-time arithmetic, the policy of a ticket,
and the standards published to a customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.customers.models import CustomerTier
from zhongtai.sla import calendar as business_time
from zhongtai.sla import presenters
from zhongtai.sla.choices import BreachAction, HolidaySource, Target
from zhongtai.sla.matching import PolicyConditions, TicketFacts, first_match
from zhongtai.sla.models import BusinessCalendar, CalendarDate, SlaPolicy
from zhongtai.tickets.choices import Channel, TicketPriority, TicketType
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


def _labels(values: Sequence[str], choices: type[TextChoices]) -> str:
    """Labels of the chosen values in the order of the choices; an unknown value as it is."""
    chosen = set(values)
    known = [str(label) for value, label in choices.choices if value in chosen]
    unknown = [value for value in values if value not in choices.values]
    return presenters.word_list(known + unknown)


def _conditions_words(policy: SlaPolicy) -> tuple[presenters.Condition, ...]:
    """What a policy covers, in words; the customer tier is left out (it admits the reader)."""
    parts = [
        (_("Priority"), _labels(policy.priorities, TicketPriority)),
        (_("Type"), _labels(policy.types, TicketType)),
        (_("Channel"), _labels(policy.channels, Channel)),
        (_("Category"), presenters.word_list(str(c) for c in policy.categories.all())),
    ]
    return tuple(presenters.Condition(label, values) for label, values in parts if values)


def _targets_words(policy: SlaPolicy) -> tuple[presenters.TargetText, ...]:
    minutes = [
        (Target.FIRST_RESPONSE, policy.first_response_minutes),
        (Target.NEXT_RESPONSE, policy.next_response_minutes),
        (Target.RESOLUTION, policy.resolution_minutes),
    ]
    return tuple(
        presenters.TargetText(str(target.label), presenters.duration_words(value))
        for target, value in minutes
        if value
    )


def _commitment(policy: SlaPolicy, now: datetime) -> presenters.Commitment:
    calendar = policy.calendar
    try:
        offset = now.astimezone(ZoneInfo(calendar.time_zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        offset = None
    return presenters.Commitment(
        name=policy.name,
        conditions=_conditions_words(policy),
        targets=_targets_words(policy),
        always_open=calendar.always_open,
        hours=() if calendar.always_open else presenters.weekly_hours_rows(weekly_hours(calendar)),
        holidays=_labels([calendar.holiday_source], HolidaySource),
        time_zone=presenters.time_zone_words(calendar.time_zone, offset),
    )


def _covers_every_request(conditions: PolicyConditions) -> bool:
    return not (
        conditions.priorities or conditions.types or conditions.channels or conditions.category_ids
    )


def published_commitments(*, tenant_id: int, customer_tier: str) -> list[presenters.Commitment]:
    """The service standards a customer of ``customer_tier`` is shown, in policy order.

    Active, published policies of the tenant whose tier condition admits the tier (an empty
    condition admits every tier; ``""``, a contact without a customer, only that). The first
    match wins, so once a policy, published or not, covers every request of the tier, the
    policies after it never apply and are left out. Texts are in the active language.
    """
    policies = (
        SlaPolicy.objects.filter(tenant_id=tenant_id, is_active=True)
        .select_related("calendar")
        .prefetch_related("categories__parent", "calendar__intervals")
        .order_by("position", "id")
    )
    now = timezone.now()
    commitments: list[presenters.Commitment] = []
    for policy in policies:
        conditions = policy_conditions(policy)
        if conditions.customer_tiers and customer_tier not in conditions.customer_tiers:
            continue
        if policy.published:
            commitments.append(_commitment(policy, now))
        if _covers_every_request(conditions):
            break
    return commitments


def policy_list(*, tenant_id: int) -> QuerySet[SlaPolicy]:
    """Every policy of the tenant (active or not), in the order they are tried."""
    return (
        SlaPolicy.objects.filter(tenant_id=tenant_id)
        .prefetch_related("categories")
        .order_by("position", "id")
    )


def calendar_list(*, tenant_id: int) -> QuerySet[BusinessCalendar]:
    """Every calendar of the tenant with its hours, dates and holiday years."""
    return (
        BusinessCalendar.objects.filter(tenant_id=tenant_id)
        .prefetch_related("intervals", "dates", "holiday_years")
        .order_by("name")
    )


# --- the standards pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRow:
    """A policy as the standards page lists it: what it covers and promises, in words."""

    id: int
    name: str
    is_active: bool
    published: bool
    tiers: str
    conditions: tuple[presenters.Condition, ...]
    targets: tuple[presenters.TargetText, ...]
    calendar: str
    warn_at: str
    actions: str


@dataclass(frozen=True)
class CalendarRow:
    id: int
    name: str
    time_zone: str
    always_open: bool
    hours: tuple[presenters.HoursRow, ...]
    holidays: str
    unknown_years: tuple[int, ...]


@dataclass(frozen=True)
class DateRow:
    """A date that differs from the weekly hours; a library date that a hand-set one
    overrides is marked ``overridden``."""

    date: date
    kind: str
    closed: bool
    source: str
    manual: bool
    name: str
    overridden: bool


def policy_rows(*, tenant_id: int) -> list[PolicyRow]:
    """Every policy of the unit in the order they are tried, in the active language."""
    policies = (
        SlaPolicy.objects.filter(tenant_id=tenant_id)
        .select_related("calendar")
        .prefetch_related("categories__parent")
        .order_by("position", "id")
    )
    return [
        PolicyRow(
            id=policy.pk,
            name=policy.name,
            is_active=policy.is_active,
            published=policy.published,
            tiers=_labels(policy.customer_tiers, CustomerTier),
            conditions=_conditions_words(policy),
            targets=_targets_words(policy),
            calendar=policy.calendar.name,
            warn_at=presenters.word_list(f"{p} %" for p in policy.warn_at_percent),
            actions=_labels(policy.breach_actions, BreachAction),
        )
        for policy in policies
    ]


def calendar_rows(*, tenant_id: int) -> list[CalendarRow]:
    return [
        CalendarRow(
            id=calendar.pk,
            name=calendar.name,
            time_zone=calendar.time_zone,
            always_open=calendar.always_open,
            hours=presenters.weekly_hours_rows(weekly_hours(calendar)),
            holidays=_labels([calendar.holiday_source], HolidaySource),
            unknown_years=tuple(y.year for y in calendar.holiday_years.all() if not y.known),
        )
        for calendar in calendar_list(tenant_id=tenant_id)
    ]


def calendar_dates(*, calendar: BusinessCalendar, since: date) -> list[DateRow]:
    """The calendar's dates from ``since`` on, in date order (hand-set first on a date)."""
    rows = CalendarDate.objects.filter(calendar=calendar, date__gte=since).order_by(
        "date", "-source"
    )
    manual_days = {row.date for row in rows if row.source == CalendarDate.Source.MANUAL}
    return [
        DateRow(
            date=row.date,
            kind=str(CalendarDate.Kind(row.kind).label),
            closed=row.kind == CalendarDate.Kind.CLOSED,
            source=str(CalendarDate.Source(row.source).label),
            manual=row.source == CalendarDate.Source.MANUAL,
            name=row.name,
            overridden=row.source == CalendarDate.Source.LIBRARY and row.date in manual_days,
        )
        for row in rows
    ]
