"""Writes of service standards: policies, business calendars and their dates.

An administrator or an L2 engineer (``standards.manage``) edits the standards of their own
business unit, in the workspace or over the API. Every change is checked here (choices,
the unit's own calendars and categories, working hours that do not overlap) and, once
committed, recomputes the clocks of the unit's open tickets in a task
(``standards_changed``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import Conflict, InvalidInput, NotFound
from zhongtai.core.ordering import POSITION_STEP, positions_move
from zhongtai.core.permissions import ensure_can
from zhongtai.customers.models import CustomerTier
from zhongtai.sla import selectors
from zhongtai.sla.choices import BreachAction, HolidaySource
from zhongtai.sla.clocks import standards_changed
from zhongtai.sla.holidays import holiday_overrides
from zhongtai.sla.models import (
    BusinessCalendar,
    CalendarDate,
    HolidayYear,
    SlaPolicy,
    WorkingInterval,
)
from zhongtai.sla.standards import standards_forget
from zhongtai.tickets.choices import Channel, TicketPriority, TicketType
from zhongtai.tickets.models import Category

MANAGE = "standards.manage"
MAX_TARGET_MINUTES = 525_600  # a year


@dataclass
class PolicyInput:
    """What a person sets on a policy (the form and the API both fill one)."""

    name: str
    calendar_id: int
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    customer_tiers: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    warn_at_percent: list[int] = field(default_factory=list)
    breach_actions: list[str] = field(default_factory=list)
    notify_outside_hours: bool = False
    is_active: bool = True
    published: bool = True


@dataclass
class CalendarInput:
    """A calendar's settings and its weekly hours: (weekday 0–6, start, end) spans."""

    name: str
    time_zone: str = "Asia/Shanghai"
    always_open: bool = False
    holiday_source: str = ""
    intervals: list[tuple[int, time, time]] = field(default_factory=list)


def _error(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(errors=[{"field": field_name, "message": message}])


def _check_choices(field_name: str, values: Sequence[str], allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise _error(field_name, _("Unknown value: %(values)s.") % {"values": ", ".join(unknown)})
    return sorted(set(values), key=list(values).index)


def _check_policy(actor: Actor, data: PolicyInput) -> tuple[BusinessCalendar, list[Category]]:
    name = data.name.strip()
    if not name:
        raise _error("name", _("Give the policy a name."))
    data.name = name[:120]
    data.customer_tiers = _check_choices("customer_tiers", data.customer_tiers, CustomerTier.values)
    data.priorities = _check_choices("priorities", data.priorities, TicketPriority.values)
    data.types = _check_choices("types", data.types, TicketType.values)
    data.channels = _check_choices("channels", data.channels, Channel.values)
    data.breach_actions = _check_choices("breach_actions", data.breach_actions, BreachAction.values)
    targets = {
        "first_response_minutes": data.first_response_minutes,
        "next_response_minutes": data.next_response_minutes,
        "resolution_minutes": data.resolution_minutes,
    }
    for name_, minutes in targets.items():
        if minutes is not None and not 1 <= minutes <= MAX_TARGET_MINUTES:
            raise _error(name_, _("A target is between 1 minute and a year."))
    if not any(targets.values()):
        raise _error("first_response_minutes", _("Set at least one target."))
    if any(not 1 <= percent <= 99 for percent in data.warn_at_percent):
        raise _error("warn_at_percent", _("Each percentage is between 1 and 99."))
    data.warn_at_percent = sorted(set(data.warn_at_percent))
    calendar = BusinessCalendar.objects.filter(tenant=actor.tenant, pk=data.calendar_id).first()
    if calendar is None:
        raise _error("calendar_id", _("Choose a calendar of this business unit."))
    categories = list(Category.objects.filter(tenant=actor.tenant, pk__in=data.category_ids))
    if len(categories) != len(set(data.category_ids)):
        raise _error("category_ids", _("Choose categories of this business unit."))
    return calendar, categories


def _policy_get(actor: Actor, policy_id: int) -> SlaPolicy:
    policy: SlaPolicy | None = (
        SlaPolicy.objects.select_for_update().filter(tenant=actor.tenant, pk=policy_id).first()
    )
    if policy is None:
        raise NotFound()
    return policy


@transaction.atomic
def policy_save(*, actor: Actor, data: PolicyInput, policy_id: int | None = None) -> SlaPolicy:
    """Create a policy (tried last) or change one; the open tickets' clocks are recomputed."""
    ensure_can(actor, MANAGE)
    calendar, categories = _check_policy(actor, data)
    if policy_id is None:
        last = SlaPolicy.objects.filter(tenant=actor.tenant).aggregate(m=Max("position"))["m"]
        policy = SlaPolicy(tenant=actor.tenant, position=(last or 0) + POSITION_STEP)
    else:
        policy = _policy_get(actor, policy_id)
    for name in (
        "name",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "customer_tiers",
        "priorities",
        "types",
        "channels",
        "warn_at_percent",
        "breach_actions",
        "notify_outside_hours",
        "is_active",
        "published",
    ):
        setattr(policy, name, getattr(data, name))
    policy.calendar = calendar
    if (
        SlaPolicy.objects.filter(tenant=actor.tenant, name=policy.name)
        .exclude(pk=policy.pk)
        .exists()
    ):
        raise _error("name", _("Another policy has this name."))
    try:
        policy.full_clean(exclude=["tenant", "calendar", "categories"], validate_unique=False)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:  # the same name saved meanwhile by someone else
        raise _error("name", _("Another policy has this name.")) from None
    policy.categories.set(categories)
    standards_changed(tenant_id=actor.tenant.pk, reason="policy")
    return policy


@transaction.atomic
def policy_delete(*, actor: Actor, policy_id: int) -> None:
    """Delete a policy; its tickets fall under the next policy that covers them (or none).
    Its clocks' history stays (their policy becomes empty)."""
    ensure_can(actor, MANAGE)
    _policy_get(actor, policy_id).delete()
    standards_changed(tenant_id=actor.tenant.pk, reason="policy")


@transaction.atomic
def policy_move(
    *, actor: Actor, policy_id: int, index: int | None = None, step: int | None = None
) -> list[SlaPolicy]:
    """Put a policy at ``index`` (0: tried first) or one ``step`` up (-1) or down (+1);
    renumbers them all and returns them in the new order."""
    ensure_can(actor, MANAGE)
    rows: list[SlaPolicy] = list(
        SlaPolicy.objects.select_for_update().filter(tenant=actor.tenant).order_by("position", "id")
    )
    policies = positions_move(rows, policy_id, index=index, step=step)
    now = timezone.now()  # (a new stamp: every process's compiled standards see the order)
    for policy in policies:
        policy.updated_at = now
    SlaPolicy.objects.bulk_update(policies, ["position", "updated_at"])
    standards_forget()
    standards_changed(tenant_id=actor.tenant.pk, reason="policy")
    return policies


# --- calendars -------------------------------------------------------------------------------


def _check_intervals(intervals: Sequence[tuple[int, time, time]]) -> list[tuple[int, time, time]]:
    spans = sorted(intervals)
    for weekday, start, end in spans:
        if weekday not in range(7):
            raise _error("intervals", _("A weekday is 0 (Monday) to 6 (Sunday)."))
        if end <= start:
            raise _error("intervals", _("Working hours end after they start."))
    for (day_a, _start_a, end_a), (day_b, start_b, _end_b) in itertools.pairwise(spans):
        if day_a == day_b and start_b < end_a:
            raise _error("intervals", _("Working hours of one day overlap."))
    return spans


def _calendar_get(actor: Actor, calendar_id: int) -> BusinessCalendar:
    calendar: BusinessCalendar | None = (
        BusinessCalendar.objects.select_for_update()
        .filter(tenant=actor.tenant, pk=calendar_id)
        .first()
    )
    if calendar is None:
        raise NotFound()
    return calendar


@transaction.atomic
def calendar_save(
    *, actor: Actor, data: CalendarInput, calendar_id: int | None = None
) -> BusinessCalendar:
    """Create a calendar or change one, its weekly hours replaced by ``data.intervals``;
    a new or changed holiday source loads this year's and next year's holidays."""
    ensure_can(actor, MANAGE)
    name = data.name.strip()[:120]
    if not name:
        raise _error("name", _("Give the calendar a name."))
    _check_choices("holiday_source", [data.holiday_source], HolidaySource.values)
    intervals = _check_intervals(data.intervals)
    if not data.always_open and not intervals:
        raise _error("intervals", _("Give the working hours, or make the calendar 24×7."))
    if calendar_id is None:
        calendar = BusinessCalendar(tenant=actor.tenant)
        old_source = None
    else:
        calendar = _calendar_get(actor, calendar_id)
        old_source = calendar.holiday_source
    calendar.name, calendar.time_zone = name, data.time_zone
    calendar.always_open, calendar.holiday_source = data.always_open, data.holiday_source
    try:
        calendar.full_clean(exclude=["tenant"], validate_unique=False)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc
    try:
        with transaction.atomic():
            calendar.save()
    except IntegrityError:
        raise _error("name", _("Another calendar has this name.")) from None
    calendar.intervals.all().delete()
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=day, start=start, end=end)
        for day, start, end in ([] if data.always_open else intervals)
    )
    if calendar.holiday_source != old_source:
        year = timezone.localdate().year
        CalendarDate.objects.filter(calendar=calendar, source=CalendarDate.Source.LIBRARY).delete()
        HolidayYear.objects.filter(calendar=calendar).delete()
        calendar_holidays_load(calendar=calendar, years=[year, year + 1])
    standards_changed(tenant_id=actor.tenant.pk, reason="calendar")
    return calendar


@transaction.atomic
def calendar_date_set(
    *, actor: Actor, calendar_id: int, day: date, kind: str, name: str = ""
) -> CalendarDate:
    """Set a date by hand: closed (a holiday) or a working day; it wins over the library."""
    ensure_can(actor, MANAGE)
    calendar = _calendar_get(actor, calendar_id)
    _check_choices("kind", [kind], CalendarDate.Kind.values)
    row, _created = CalendarDate.objects.update_or_create(
        calendar=calendar,
        date=day,
        source=CalendarDate.Source.MANUAL,
        defaults={"kind": kind, "name": name.strip()[:120]},
    )
    standards_changed(tenant_id=actor.tenant.pk, reason="calendar")
    return row


@transaction.atomic
def calendar_date_clear(*, actor: Actor, calendar_id: int, day: date) -> None:
    """Remove the hand-set entry of a date (the library's, if any, applies again)."""
    ensure_can(actor, MANAGE)
    calendar = _calendar_get(actor, calendar_id)
    deleted, _rows = CalendarDate.objects.filter(
        calendar=calendar, date=day, source=CalendarDate.Source.MANUAL
    ).delete()
    if not deleted:
        raise NotFound()
    standards_changed(tenant_id=actor.tenant.pk, reason="calendar")


@transaction.atomic
def calendar_holidays_reload(*, actor: Actor, calendar_id: int) -> list[int]:
    """Load this year's and next year's public holidays; returns the years the library
    does not know yet (they need their dates set by hand)."""
    ensure_can(actor, MANAGE)
    calendar = _calendar_get(actor, calendar_id)
    if not calendar.holiday_source or calendar.always_open:
        raise Conflict(_("This calendar has no public holidays to load."), code="no_holidays")
    year = timezone.localdate().year
    unknown = calendar_holidays_load(calendar=calendar, years=[year, year + 1])
    standards_changed(tenant_id=actor.tenant.pk, reason="calendar")
    return unknown


@transaction.atomic
def calendar_holidays_load(*, calendar: BusinessCalendar, years: Iterable[int]) -> list[int]:
    """(Re)load the library's holidays and make-up workdays for these years.

    Replaces the library rows of those years (manual rows stay and keep winning); records
    each year as known or unknown, and returns the unknown ones so that the admin is told
    instead of the year silently counting as all working days.
    """
    years = sorted(set(years))
    if not calendar.holiday_source or calendar.always_open:
        return []
    load = holiday_overrides(
        country=calendar.holiday_source,
        years=years,
        workday_hours=selectors.workday_hours(calendar),
    )
    CalendarDate.objects.filter(
        calendar=calendar, source=CalendarDate.Source.LIBRARY, date__year__in=years
    ).delete()
    CalendarDate.objects.bulk_create(
        CalendarDate(
            calendar=calendar,
            date=day,
            kind=CalendarDate.Kind.WORKDAY if hours else CalendarDate.Kind.CLOSED,
            source=CalendarDate.Source.LIBRARY,
        )
        for day, hours in sorted(load.overrides.items())
    )
    for year in years:
        HolidayYear.objects.update_or_create(
            calendar=calendar, year=year, defaults={"known": year not in load.unknown_years}
        )
    # bulk_create sends no signal: touch the calendar so that every process recompiles.
    BusinessCalendar.objects.filter(pk=calendar.pk).update(updated_at=timezone.now())
    standards_forget()
    return list(load.unknown_years)
