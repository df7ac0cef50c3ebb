"""The service standards API (``/api/v1/sla/…``): a business unit's policies and calendars.

Read-only: standards are edited in the admin, where a change recomputes the open tickets'
clocks. Staff of the business unit may read them (integrators mirror them, e.g. into a
CRM); customers read the published ones on the portal.
"""

from __future__ import annotations

from datetime import date, time

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from zhongtai.core.api import actor_of
from zhongtai.core.permissions import ensure_can
from zhongtai.sla import selectors
from zhongtai.sla.models import BusinessCalendar, SlaPolicy

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
