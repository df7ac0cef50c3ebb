"""Load, detect and wipe the demo data set (``zhongtai demo``).

Demo data is recognised by ``Tenant.is_demo`` and by the fixed demo usernames
(``units.DEMO_USERNAMES``) of users whose every membership is in a demo tenant. Loading
refuses to touch a database holding anything else unless forced.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhongtai.accounts.models import User
from zhongtai.core.demo import units
from zhongtai.core.demo.channels import channels_create
from zhongtai.core.demo.customers360 import customers360_create
from zhongtai.core.demo.directory import UnitDirectory, directory_create
from zhongtai.core.demo.knowledge import knowledge_create
from zhongtai.core.demo.knowledge_use import knowledge_use_create
from zhongtai.core.demo.macros import macros_create
from zhongtai.core.demo.replay import plans_play
from zhongtai.core.demo.routing import routing_create
from zhongtai.core.demo.standards import standards_create
from zhongtai.core.demo.stories import StoryPlanner, TicketPlan
from zhongtai.core.models import Tenant
from zhongtai.customers.models import Contact, Customer
from zhongtai.knowledge.choices import ArticleKind
from zhongtai.knowledge.models import Article
from zhongtai.routing.models import RoutingRule
from zhongtai.sla.models import RUNNING, SlaPolicy, SlaTimer
from zhongtai.tickets.choices import TicketStatus
from zhongtai.tickets.models import Category, Ticket, TicketEvent

DEFAULT_TICKETS = 2000
DEFAULT_SEED = 20250601
SERVICE_SHARE = 10  # one ticket in ten goes through the services with a rich timeline


class DemoRefused(Exception):
    """The database holds data that is not demo data (or would collide with it)."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    unit: str


@dataclass
class DemoResult:
    loaded: bool
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


def demo_users() -> QuerySet[User]:
    """Users the demo created: a demo username, and memberships in demo tenants only."""
    return (
        User.objects.filter(username__in=units.DEMO_USERNAMES, memberships__tenant__is_demo=True)
        .exclude(memberships__tenant__is_demo=False)
        .distinct()
    )


def foreign_data() -> list[str]:
    """A description of each kind of non-demo data in the database (empty: none)."""
    found = []
    tenants = list(Tenant.objects.filter(is_demo=False).values_list("slug", flat=True)[:5])
    if tenants:
        found.append("business units " + ", ".join(tenants))
    users = User.objects.exclude(pk__in=demo_users().values("pk"))
    names = list(users.values_list("username", flat=True)[:5])
    if names:
        found.append("users " + ", ".join(names))
    return found


def _collisions() -> list[str]:
    slugs = [unit.slug for unit in units.UNITS]
    taken = list(
        Tenant.objects.filter(is_demo=False, slug__in=slugs).values_list("slug", flat=True)
    )
    taken += list(
        User.objects.filter(username__in=units.DEMO_USERNAMES)
        .exclude(pk__in=demo_users().values("pk"))
        .values_list("username", flat=True)
    )
    return taken


def demo_logins() -> list[DemoLogin]:
    """The logins to print: the platform admin, all staff and two portal users per unit."""
    password = units.DEMO_PASSWORD
    logins = [DemoLogin(units.DEMO_ADMIN, password, "admin + Django admin", "all")]
    for unit in units.UNITS:
        logins += [DemoLogin(s.username, password, s.role, unit.slug) for s in unit.staff]
        logins += [
            DemoLogin(unit.portal_username(i), password, "customer (portal)", unit.slug)
            for i in (1, 2)
        ]
    return logins


def demo_counts() -> dict[str, int]:
    tenants = Tenant.objects.filter(is_demo=True)
    return {
        "business units": tenants.count(),
        "users": demo_users().count(),
        "customers": Customer.objects.filter(tenant__in=tenants).count(),
        "contacts": Contact.objects.filter(tenant__in=tenants).count(),
        "tickets": Ticket.objects.filter(tenant__in=tenants).count(),
        "open tickets": Ticket.objects.filter(tenant__in=tenants, is_open=True).count(),
        "timeline events": TicketEvent.objects.filter(tenant__in=tenants).count(),
        "SLA policies": SlaPolicy.objects.filter(tenant__in=tenants).count(),
        "running SLA clocks": SlaTimer.objects.filter(RUNNING, tenant__in=tenants).count(),
        "knowledge articles": Article.objects.filter(
            tenant__in=tenants, kind=ArticleKind.ARTICLE
        ).count(),
    }


def demo_wipe() -> None:
    """Delete the demo tenants with everything in them, and the demo users."""
    tenants = Tenant.objects.filter(is_demo=True)
    user_ids = list(demo_users().values_list("pk", flat=True))
    # PROTECT links between rows that all go: cut them first, children before parents.
    Ticket.objects.filter(tenant__in=tenants).update(parent=None, merged_into=None)
    SlaTimer.objects.filter(tenant__in=tenants).delete()
    SlaPolicy.objects.filter(tenant__in=tenants).delete()
    RoutingRule.objects.filter(tenant__in=tenants).delete()
    TicketEvent.objects.filter(tenant__in=tenants).delete()
    Ticket.objects.filter(tenant__in=tenants).delete()
    Category.objects.filter(tenant__in=tenants, parent__isnull=False).delete()
    tenants.delete()
    User.objects.filter(pk__in=user_ids).delete()


def demo_load(
    *,
    tickets: int = DEFAULT_TICKETS,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    reset: bool = False,
) -> DemoResult:
    """Load the demo (two units, staff, customers, ``tickets`` tickets with timelines).

    On a database that already holds the demo it does nothing unless ``reset``, which wipes
    the demo and loads it again. Non-demo data makes it refuse unless ``force``.
    """
    foreign = foreign_data()
    if foreign and not force:
        raise DemoRefused("The database holds data that is not demo data: " + "; ".join(foreign))
    already = Tenant.objects.filter(is_demo=True).exists()
    if already and not reset:
        return DemoResult(loaded=False, counts=demo_counts(), logins=demo_logins())
    started = time.perf_counter()
    with transaction.atomic():
        if already:
            demo_wipe()
        taken = _collisions()
        if taken:
            raise DemoRefused("These names exist and are not demo data: " + ", ".join(taken))
        rng = random.Random(seed)  # noqa: S311 - repeatable data, not secrets
        directories, _admin = directory_create(rng=rng)
        anchor = timezone.now()
        for directory in directories:
            standards_create(tenant=directory.tenant, anchor=anchor)
        for index, directory in enumerate(directories):
            share = tickets // len(directories) + (1 if index < tickets % len(directories) else 0)
            plans_play(unit_plans(directory, rng=rng, anchor=anchor, count=share))
        for directory in directories:  # (after the tickets: the classifier learns from them)
            routing_create(tenant=directory.tenant)
            knowledge_create(directory=directory)
            knowledge_use_create(directory=directory, rng=rng)
            macros_create(tenant=directory.tenant)
            customers360_create(directory=directory)
            channels_create(directory=directory)
    return DemoResult(
        loaded=True,
        seconds=time.perf_counter() - started,
        counts=demo_counts(),
        logins=demo_logins(),
    )


def unit_plans(
    directory: UnitDirectory, *, rng: random.Random, anchor: datetime, count: int
) -> list[TicketPlan]:
    """``count`` ticket plans of one unit: a service-played subset with merges and child
    tickets, the rest for the bulk path."""
    if count <= 0:
        return []
    planner = StoryPlanner(rng=rng, unit=directory, anchor=anchor)
    specials = max(1, count // 400) if count >= 8 else 0
    parents = [planner.plan(TicketStatus.PENDING_INTERNAL) for _n in range(specials)]
    targets = [planner.plan(TicketStatus.OPEN) for _n in range(specials)]
    extra = [p for p in (planner.child(parent) for parent in parents) if p is not None]
    extra += [p for p in (planner.duplicate(target) for target in targets) if p is not None]
    ordinary = [planner.plan() for _n in range(count - len(parents) - len(targets) - len(extra))]
    for plan in [*parents, *targets, *ordinary[: max(0, count // SERVICE_SHARE - 2 * specials)]]:
        plan.via_services = True
    return [*parents, *targets, *extra, *ordinary]
