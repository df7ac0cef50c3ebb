"""Routing of the demo units: a few rules each, a category classifier trained on the
unit's own resolved demo tickets (as a unit would after its first months), and automatic
assignment: most of the staff on shift with a capacity and their language, the frontline
overflowing into a surge pool where an L2 engineer is enrolled for the day. The equipment
unit's customers run inverters and compressors under warranty or past it; a rule tags
tickets about equipment out of warranty for paid service, and one frontline agent takes
only inverter tickets."""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from zhongtai.accounts.models import Membership, Team
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import Role
from zhongtai.customers.models import Asset, Customer, WarrantyStatus
from zhongtai.routing import services
from zhongtai.routing.models import (
    AgentProfile,
    ClassifierTarget,
    RoutingRule,
    RoutingSettings,
    SurgeEnrolment,
    TeamRouting,
)
from zhongtai.tickets.models import Category, Ticket

# (name, keywords, pattern, (root, leaf) category to set, team tier, priority, tags)
RULES = {
    "sh": [
        ("停机故障优先", ["停机", "无法启动", "宕机"], "", None, "", "urgent", ["停机"]),
        ("变频器报警码转二线", [], r"\b(E|F)-?\d{2,3}\b", ("变频器", "报警代码"), "l2", "", []),
        ("保修咨询", ["保修", "延保"], "", ("服务", "保修与合同"), "", "", []),
    ],
    "saas": [
        ("Outages first", ["outage", "is down", "cannot access"], "", None, "", "urgent", []),
        ("SSO to Technical Support", ["sso", "saml", "okta"], "", ("Account & SSO", "SSO / SAML"),
         "l2", "", ["sso"]),
        ("Invoices", ["invoice", "refund", "receipt"], "", ("Billing", "Invoices"), "", "",
         ["billing"]),
    ],
}  # fmt: skip


def routing_create(*, tenant: Tenant) -> None:
    for position, (name, keywords, pattern, category, tier, priority, tags) in enumerate(
        RULES.get(tenant.slug, []), start=1
    ):
        RoutingRule.objects.create(
            tenant=tenant,
            name=name,
            position=position * 10,
            keywords=keywords,
            pattern=pattern,
            set_category=(
                Category.objects.get(tenant=tenant, parent__name=category[0], name=category[1])
                if category
                else None
            ),
            set_team=Team.objects.filter(tenant=tenant, tier=tier).first() if tier else None,
            set_priority=priority,
            add_tags=tags,
        )
    assets_create(tenant=tenant)
    RoutingSettings.objects.create(tenant=tenant, confidence_threshold=0.6, auto_assign=True)
    people_create(tenant=tenant)
    examples = services.examples_from_tickets(tenant=tenant, target=ClassifierTarget.CATEGORY)
    if examples:
        model = services.classifier_version_new(
            tenant=tenant, target=ClassifierTarget.CATEGORY, source="tickets"
        )
        services.classifier_run(model=model, examples=examples)


# The equipment unit's installed base: (product line, models, serial prefix)
PRODUCTS = [
    ("变频器", ["ZT-V500", "ZT-V750", "ZT-V1100"], "VF"),
    ("空压机", ["ZT-C37", "ZT-C75"], "AC"),
]
INVERTERS = PRODUCTS[0][0]


def assets_create(*, tenant: Tenant) -> None:
    """One to three assets per customer of the equipment unit, a third of them out of
    warranty; its tickets name one of their customer's assets, and a rule tags those
    about equipment out of warranty for paid service."""
    if tenant.slug != "sh":
        return
    rng = random.Random(f"assets-{tenant.slug}")  # noqa: S311 - repeatable data, not secrets
    today = timezone.localtime(timezone.now(), ZoneInfo(tenant.time_zone)).date()
    assets: list[Asset] = []
    for customer in Customer.objects.filter(tenant=tenant).order_by("pk"):
        for _n in range(rng.choice((1, 2, 2, 3))):
            line, models, prefix = rng.choice(PRODUCTS)
            installed = today - timedelta(days=rng.randrange(60, 1500))
            assets.append(
                Asset(
                    tenant=tenant,
                    customer=customer,
                    product_line=line,
                    product_model=rng.choice(models),
                    serial_number=f"{prefix}{installed:%y%m}-{len(assets) + 1:05d}",
                    site=f"{customer.name} 一号车间",
                    installed_on=installed,
                    warranty_ends_on=installed + timedelta(days=rng.choice((730, 1095, 1825))),
                )
            )
    Asset.objects.bulk_create(assets)
    by_customer: dict[int, list[int]] = {}
    for asset in assets:
        by_customer.setdefault(asset.customer_id, []).append(asset.pk)
    about: dict[int, list[int]] = {}  # asset → tickets
    for ticket_id, customer_id in (
        Ticket.objects.filter(tenant=tenant, customer__isnull=False)
        .order_by("pk")
        .values_list("pk", "customer_id")
    ):
        if customer_id in by_customer and rng.random() < 0.7:
            about.setdefault(rng.choice(by_customer[customer_id]), []).append(ticket_id)
    for asset_id, ticket_ids in about.items():
        Ticket.objects.filter(pk__in=ticket_ids).update(asset=asset_id)
    RoutingRule.objects.create(
        tenant=tenant,
        name="过保设备转付费服务",
        position=5,
        asset_warranty=WarrantyStatus.EXPIRED,
        add_tags=["付费服务"],
    )


# Who is on shift when the demo starts: role -> (status, open tickets at most)
SHIFT = {
    "agent": ("available", 12),
    "lead": ("busy", 6),
    "l2": ("available", 8),
    "l3": ("away", 5),
    "admin": ("offline", 5),
}


def people_create(*, tenant: Tenant) -> None:
    """Profiles for the unit's staff, an overflow rule for the frontline and a surge pool."""
    language = "zh" if tenant.slug == "sh" else "en"
    memberships = Membership.objects.filter(tenant=tenant, is_active=True).exclude(
        role=Role.CUSTOMER
    )
    now = timezone.now()
    profiles = []
    for index, membership in enumerate(
        memberships.select_related("user").order_by("user__username")
    ):
        status, max_open = SHIFT.get(membership.role, ("offline", 5))
        if membership.role == "agent" and index % 4 == 3:
            status = "away"  # one of the frontline is on a break
        profiles.append(
            AgentProfile(
                tenant=tenant,
                user=membership.user,
                status=status,
                status_changed_at=now,
                max_open=max_open,
                channel_caps={"phone": 3} if membership.role == "agent" else {},
                languages=[language, "en"] if language == "zh" else ["en"],
                product_lines=[INVERTERS] if language == "zh" and index == 0 else [],
            )
        )
    AgentProfile.objects.bulk_create(profiles)
    frontline = Team.objects.filter(tenant=tenant, tier="l1").first()
    engineer = (
        Membership.objects.filter(tenant=tenant, role="l2").order_by("user__username").first()
    )
    if frontline is None:
        return
    TeamRouting.objects.create(
        tenant=tenant, team=frontline, overflow_to="surge", max_waiting=20, max_wait_minutes=30
    )
    if engineer is not None:
        SurgeEnrolment.objects.create(
            tenant=tenant,
            team=frontline,
            user=engineer.user,
            day=timezone.localtime(now, ZoneInfo(tenant.time_zone)).date(),
        )
