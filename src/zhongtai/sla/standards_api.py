"""The service standards API (``/api/v1/sla/…``): a business unit's policies and calendars.

Staff of the business unit may read them (integrators mirror them, e.g. into a CRM);
customers read the published ones on the portal. The unit's administrators and L2
engineers (``standards.manage``) also write them here: policies, their order, calendars,
dates set by hand and the public holidays. Every write recomputes the open tickets' clocks
in a task once it commits (``sla.services``).
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, field_validator

from zhongtai.accounts.actors import Actor
from zhongtai.core.api import actor_of
from zhongtai.core.errors import InvalidInput
from zhongtai.core.inputs import LINE_PATTERN, Id, PathId
from zhongtai.core.permissions import ensure_can
from zhongtai.customers.models import CustomerTier
from zhongtai.sla import selectors, services
from zhongtai.sla.choices import BreachAction, HolidaySource
from zhongtai.sla.models import BusinessCalendar, CalendarDate, SlaPolicy
from zhongtai.tickets.choices import Channel, TicketPriority, TicketType

router = Router(tags=["service standards"])


class TargetsOut(Schema):
    first_response_minutes: int | None = Field(description="Business minutes; null: not measured.")
    next_response_minutes: int | None
    resolution_minutes: int | None


class ConditionsOut(Schema):
    customer_tiers: list[str] = Field(description="Empty: any.")
    priorities: list[str]
    types: list[str]
    channels: list[str]
    category_ids: list[int] = Field(description="A category also covers its sub-categories.")


class PolicyOut(Schema):
    id: int
    name: str
    position: int = Field(description="Policies are tried in this order; the first match wins.")
    is_active: bool
    published: bool = Field(description="Shown to the customers it covers, on the portal.")
    conditions: ConditionsOut
    calendar_id: int
    targets: TargetsOut
    warn_at_percent: list[int]
    breach_actions: list[str]
    notify_outside_hours: bool


class IntervalOut(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday.")
    start: time
    end: time


class DateOut(Schema):
    date: date
    kind: str = Field(description="closed (holiday) or workday (make-up working day).")
    source: str = Field(description="library or manual (a manual date wins).")
    name: str


class HolidayYearOut(Schema):
    year: int
    known: bool = Field(description="false: the holiday library does not know this year yet.")


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    always_open: bool = Field(description="24×7: every minute is business time.")
    holiday_source: str
    working_hours: list[IntervalOut]
    dates: list[DateOut]
    holiday_years: list[HolidayYearOut]


Minutes = Annotated[int, Field(ge=1, le=services.MAX_TARGET_MINUTES)]
Percent = Annotated[int, Field(ge=1, le=99)]
NAME = Field(max_length=120, pattern=LINE_PATTERN, description="Unique in the business unit.")


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class PolicyIn(StrictIn):
    """A whole policy (PUT replaces every field; a field left out takes its default).

    The conditions are flat lists: an empty list matches any ticket.
    """

    name: str = NAME
    calendar_id: Id = Field(description="A calendar of this business unit: its business time.")
    first_response_minutes: Minutes | None = Field(
        default=None, description="Business minutes; null: not measured. Set one target or more."
    )
    next_response_minutes: Minutes | None = Field(
        default=None, description="Business minutes to answer each later customer message."
    )
    resolution_minutes: Minutes | None = Field(default=None, description="Business minutes.")
    customer_tiers: list[CustomerTier] = Field(default_factory=list, max_length=20)
    priorities: list[TicketPriority] = Field(default_factory=list, max_length=20)
    types: list[TicketType] = Field(default_factory=list, max_length=20)
    channels: list[Channel] = Field(default_factory=list, max_length=20)
    category_ids: list[Id] = Field(
        default_factory=list,
        max_length=500,
        description="Categories of this business unit; each also covers its sub-categories.",
    )
    warn_at_percent: list[Percent] = Field(
        default_factory=list, max_length=20, description="Warn at these percentages of a target."
    )
    breach_actions: list[BreachAction] = Field(default_factory=list, max_length=20)
    notify_outside_hours: bool = Field(
        default=False, description="false: warning and breach e-mails wait for working hours."
    )
    is_active: bool = True
    published: bool = Field(default=True, description="Shown to the customers it covers.")


class PolicyMoveIn(StrictIn):
    index: int = Field(ge=0, description="The policy's new place in the order: 0 = tried first.")


class IntervalIn(StrictIn):
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    start: time = Field(description="Local time of the calendar, e.g. 09:00.")
    end: time = Field(description="After start, on the same day.")

    @field_validator("start", "end")
    @classmethod
    def _without_offset(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("Give a local time, without an offset.")
        return value


class CalendarIn(StrictIn):
    """A whole calendar: its settings and weekly hours (PUT replaces them all)."""

    name: str = NAME
    time_zone: str = Field(
        default="Asia/Shanghai",
        max_length=64,
        pattern=LINE_PATTERN,
        description="e.g. Asia/Shanghai.",
    )
    always_open: bool = Field(default=False, description="24×7: working_hours are ignored.")
    holiday_source: HolidaySource = Field(
        default=HolidaySource.NONE,
        description="Whose public holidays and make-up workdays are loaded; empty: none.",
    )
    working_hours: list[IntervalIn] = Field(
        default_factory=list,
        max_length=100,
        description="Spans of one weekday may not overlap; several a day, e.g. around lunch.",
    )


class CalendarDateIn(StrictIn):
    kind: CalendarDate.Kind = Field(
        description="closed (a holiday) or workday (open with a normal workday's hours)."
    )
    name: str = Field(default="", max_length=120, pattern=LINE_PATTERN)


class HolidaysOut(Schema):
    unknown_years: list[int] = Field(
        description="Years the holiday library does not know yet: set their dates by hand."
    )


def _policy_out(policy: SlaPolicy) -> dict[str, object]:
    conditions = selectors.policy_conditions(policy)
    return {
        "id": policy.pk,
        "name": policy.name,
        "position": policy.position,
        "is_active": policy.is_active,
        "published": policy.published,
        "conditions": {
            "customer_tiers": list(conditions.customer_tiers),
            "priorities": list(conditions.priorities),
            "types": list(conditions.types),
            "channels": list(conditions.channels),
            "category_ids": sorted(conditions.category_ids),
        },
        "calendar_id": policy.calendar_id,
        "targets": {
            "first_response_minutes": policy.first_response_minutes,
            "next_response_minutes": policy.next_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
        },
        "warn_at_percent": policy.warn_at_percent,
        "breach_actions": policy.breach_actions,
        "notify_outside_hours": policy.notify_outside_hours,
    }


def _calendar_out(calendar: BusinessCalendar) -> dict[str, object]:
    return {
        "id": calendar.pk,
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "always_open": calendar.always_open,
        "holiday_source": calendar.holiday_source,
        "working_hours": list(calendar.intervals.all()),
        "dates": list(calendar.dates.all()),
        "holiday_years": list(calendar.holiday_years.all()),
    }


@router.get(
    "/policies",
    response=list[PolicyOut],
    summary="SLA policies of the business unit, in the order they are tried",
)
def sla_policies_api(request: HttpRequest) -> list[dict[str, object]]:
    actor = actor_of(request)
    ensure_can(actor, "tickets.view")
    return [_policy_out(p) for p in selectors.policy_list(tenant_id=actor.tenant.pk)]


@router.get(
    "/calendars",
    response=list[CalendarOut],
    summary="Business calendars: working hours, holidays, make-up days, unknown years",
)
def sla_calendars_api(request: HttpRequest) -> list[dict[str, object]]:
    actor = actor_of(request)
    ensure_can(actor, "tickets.view")
    return [_calendar_out(c) for c in selectors.calendar_list(tenant_id=actor.tenant.pk)]


def _policy_read(actor: Actor, policy_id: int) -> dict[str, object]:
    """A policy as the list shows it, read again after a write (fresh categories)."""
    return _policy_out(selectors.policy_list(tenant_id=actor.tenant.pk).get(pk=policy_id))


def _calendar_read(actor: Actor, calendar_id: int) -> dict[str, object]:
    """A calendar as the list shows it, read again after a write (fresh hours and dates)."""
    calendars = selectors.calendar_list(tenant_id=actor.tenant.pk)
    return _calendar_out(calendars.get(pk=calendar_id))


def _policy_input(data: PolicyIn) -> services.PolicyInput:
    return services.PolicyInput(**data.model_dump(mode="json"))


def _calendar_save(actor: Actor, data: CalendarIn, calendar_id: int | None = None) -> int:
    """Save through the service; its field ``intervals`` is ``working_hours`` here."""
    calendar_data = services.CalendarInput(
        name=data.name,
        time_zone=data.time_zone,
        always_open=data.always_open,
        holiday_source=data.holiday_source,
        intervals=[(span.weekday, span.start, span.end) for span in data.working_hours],
    )
    try:
        calendar = services.calendar_save(actor=actor, data=calendar_data, calendar_id=calendar_id)
    except InvalidInput as exc:
        for error in exc.errors:
            if error["field"] == "intervals":
                error["field"] = "working_hours"
        raise
    return calendar.pk


@router.post(
    "/policies", response={201: PolicyOut}, summary="Add a policy (tried after the others)"
)
def sla_policy_create_api(request: HttpRequest, data: PolicyIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    policy = services.policy_save(actor=actor, data=_policy_input(data))
    return Status(201, _policy_read(actor, policy.pk))


@router.put("/policies/{int:policy_id}", response=PolicyOut, summary="Replace a policy")
def sla_policy_update_api(
    request: HttpRequest, policy_id: PathId, data: PolicyIn
) -> dict[str, object]:
    actor = actor_of(request)
    services.policy_save(actor=actor, data=_policy_input(data), policy_id=policy_id)
    return _policy_read(actor, policy_id)


@router.delete("/policies/{int:policy_id}", response={204: None}, summary="Delete a policy")
def sla_policy_delete_api(request: HttpRequest, policy_id: PathId) -> Status[None]:
    services.policy_delete(actor=actor_of(request), policy_id=policy_id)
    return Status(204, None)


@router.post(
    "/policies/{int:policy_id}/move",
    response=list[PolicyOut],
    summary="Move a policy in the order; returns every policy in the new order",
)
def sla_policy_move_api(
    request: HttpRequest, policy_id: PathId, data: PolicyMoveIn
) -> list[dict[str, object]]:
    actor = actor_of(request)
    services.policy_move(actor=actor, policy_id=policy_id, index=data.index)
    return [_policy_out(p) for p in selectors.policy_list(tenant_id=actor.tenant.pk)]


@router.post(
    "/calendars",
    response={201: CalendarOut},
    summary="Add a business calendar (its public holidays are loaded)",
)
def sla_calendar_create_api(request: HttpRequest, data: CalendarIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    return Status(201, _calendar_read(actor, _calendar_save(actor, data)))


@router.put(
    "/calendars/{int:calendar_id}",
    response=CalendarOut,
    summary="Replace a calendar's settings and weekly hours",
)
def sla_calendar_update_api(
    request: HttpRequest, calendar_id: PathId, data: CalendarIn
) -> dict[str, object]:
    actor = actor_of(request)
    _calendar_save(actor, data, calendar_id)
    return _calendar_read(actor, calendar_id)


@router.put(
    "/calendars/{int:calendar_id}/dates/{date}",
    response=CalendarOut,
    summary="Set a date by hand: closed or a working day (wins over the holiday library)",
)
def sla_calendar_date_set_api(
    request: HttpRequest, calendar_id: PathId, date: date, data: CalendarDateIn
) -> dict[str, object]:
    actor = actor_of(request)
    services.calendar_date_set(
        actor=actor, calendar_id=calendar_id, day=date, kind=data.kind, name=data.name
    )
    return _calendar_read(actor, calendar_id)


@router.delete(
    "/calendars/{int:calendar_id}/dates/{date}",
    response={204: None},
    summary="Clear a date set by hand (the holiday library's entry, if any, applies again)",
)
def sla_calendar_date_clear_api(
    request: HttpRequest, calendar_id: PathId, date: date
) -> Status[None]:
    services.calendar_date_clear(actor=actor_of(request), calendar_id=calendar_id, day=date)
    return Status(204, None)


@router.post(
    "/calendars/{int:calendar_id}/holidays",
    response=HolidaysOut,
    summary="Load this year's and next year's public holidays again",
)
def sla_calendar_holidays_reload_api(
    request: HttpRequest, calendar_id: PathId
) -> dict[str, object]:
    unknown = services.calendar_holidays_reload(actor=actor_of(request), calendar_id=calendar_id)
    return {"unknown_years": unknown}
