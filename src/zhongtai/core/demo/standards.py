"""The demo's service standards: business calendars and SLA policies of each unit.

The Shanghai equipment unit works 09:00–12:00 and 13:30–18:00 on Chinese working days
(public holidays and make-up days from the holiday library) and keeps a 24×7 calendar
for urgent incidents of VIP customers; complaints (客诉) have their own policy. The SaaS
unit in New York works 08:00–20:00 on US working days and serves enterprise customers
around the clock. The years around the anchor are loaded, so a year the library does
not know yet shows up flagged in the admin, as it would for a real unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from zhongtai.core.models import Tenant
from zhongtai.customers.models import CustomerTier
from zhongtai.sla.choices import BreachAction, HolidaySource
from zhongtai.sla.models import BusinessCalendar, SlaPolicy, WorkingInterval
from zhongtai.sla.services import calendar_holidays_load
from zhongtai.tickets.choices import TicketPriority, TicketType

WEEKDAYS = range(5)


@dataclass(frozen=True)
class PolicySpec:
    name: str
    calendar: str  # "office" or "always"
    first: int | None
    following: int | None
    resolution: int | None
    tiers: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    warn: tuple[int, ...] = (75, 90)
    actions: tuple[str, ...] = (BreachAction.NOTIFY,)
    at_any_hour: bool = False


@dataclass(frozen=True)
class StandardsSpec:
    office_name: str
    always_name: str
    hours: tuple[tuple[time, time], ...]
    holidays: str
    policies: tuple[PolicySpec, ...] = field(default_factory=tuple)


URGENT = (TicketPriority.URGENT,)
VIP = (CustomerTier.VIP,)

STANDARDS = {
    "sh": StandardsSpec(
        office_name="工作日 09:00–18:00",
        always_name="7×24 小时",
        hours=((time(9), time(12)), (time(13, 30), time(18))),
        holidays=HolidaySource.CN,
        policies=(
            PolicySpec(
                "VIP 紧急故障",
                "always",
                30,
                60,
                240,
                tiers=VIP,
                priorities=URGENT,
                actions=(BreachAction.NOTIFY, BreachAction.ESCALATE),
                at_any_hour=True,
            ),
            PolicySpec(
                "客诉处理",
                "office",
                60,
                120,
                900,
                types=(TicketType.COMPLAINT,),
                actions=(BreachAction.NOTIFY, BreachAction.REASSIGN),
            ),
            PolicySpec("紧急工单", "office", 60, 120, 450, priorities=URGENT, warn=(50, 75, 90)),
            PolicySpec("VIP 客户", "office", 120, 240, 900, tiers=VIP),
            PolicySpec(
                "标准服务",
                "office",
                240,
                450,
                2250,
                warn=(75,),
                actions=(BreachAction.NOTIFY, BreachAction.RAISE_PRIORITY),
            ),
        ),
    ),
    "saas": StandardsSpec(
        office_name="Business days 08:00–20:00 ET",
        always_name="24×7",
        hours=((time(8), time(20)),),
        holidays=HolidaySource.US,
        policies=(
            PolicySpec(
                "Enterprise outage",
                "always",
                15,
                60,
                240,
                tiers=VIP,
                priorities=URGENT,
                actions=(BreachAction.NOTIFY, BreachAction.ESCALATE),
                at_any_hour=True,
            ),
            PolicySpec(
                "Complaints",
                "office",
                60,
                240,
                1440,
                types=(TicketType.COMPLAINT,),
                actions=(BreachAction.NOTIFY, BreachAction.REASSIGN),
            ),
            PolicySpec("Enterprise", "office", 60, 240, 1440, tiers=VIP),
            PolicySpec("Premium", "office", 120, 480, 2880, tiers=(CustomerTier.PREMIUM,)),
            PolicySpec(
                "Standard",
                "office",
                480,
                720,
                3600,
                warn=(75,),
                actions=(BreachAction.NOTIFY, BreachAction.RAISE_PRIORITY),
            ),
        ),
    ),
}


def standards_create(*, tenant: Tenant, anchor: datetime) -> list[int]:
    """Create the unit's calendars and policies; returns the years the library lacks."""
    spec = STANDARDS[tenant.slug]
    tenant_id, zone = tenant.pk, tenant.time_zone
    office = BusinessCalendar.objects.create(
        tenant_id=tenant_id, name=spec.office_name, time_zone=zone, holiday_source=spec.holidays
    )
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=office, weekday=day, start=start, end=end)
        for day in WEEKDAYS
        for start, end in spec.hours
    )
    always = BusinessCalendar.objects.create(
        tenant_id=tenant_id,
        name=spec.always_name,
        time_zone=zone,
        always_open=True,
        holiday_source="",
    )
    calendars = {"office": office, "always": always}
    SlaPolicy.objects.bulk_create(
        SlaPolicy(
            tenant_id=tenant_id,
            name=policy.name,
            position=(index + 1) * 10,
            customer_tiers=list(policy.tiers),
            priorities=list(policy.priorities),
            types=list(policy.types),
            calendar=calendars[policy.calendar],
            first_response_minutes=policy.first,
            next_response_minutes=policy.following,
            resolution_minutes=policy.resolution,
            warn_at_percent=list(policy.warn),
            breach_actions=list(policy.actions),
            notify_outside_hours=policy.at_any_hour,
        )
        for index, policy in enumerate(spec.policies)
    )
    year = anchor.year
    return calendar_holidays_load(calendar=office, years=[year - 1, year, year + 1])
