"""The people and reference data of the demo units: tenants, teams, staff, customers,
contacts with portal logins, categories and tags. Bulk inserts: it runs in well under a second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Membership, Team, User
from zhongtai.core.demo import units
from zhongtai.core.demo.units import UnitSpec
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import Role
from zhongtai.customers.models import Contact, Customer, CustomerTier
from zhongtai.tickets.models import Category, Tag


@dataclass
class UnitDirectory:
    """What the ticket generator needs to know about one loaded demo unit."""

    spec: UnitSpec
    tenant: Tenant
    teams: dict[str, Team]
    staff: dict[str, Actor] = field(default_factory=dict)  # username -> actor
    customers: list[Customer] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    portal: dict[int, Actor] = field(default_factory=dict)  # contact pk -> actor
    leaves: list[Category] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)

    def by_role(self, *roles: str) -> list[Actor]:
        return [a for a in self.staff.values() if a.role in roles]

    def by_tier(self, tier: str) -> list[Actor]:
        tier_of = {s.username: s.tier for s in self.spec.staff}
        return [a for name, a in self.staff.items() if tier_of.get(name) == tier]


def _user(username: str, display_name: str, password: str, **extra: object) -> User:
    return User(
        username=username,
        display_name=display_name,
        email=f"{username}@demo.example",
        password=password,
        **extra,
    )


def directory_create(*, rng: random.Random) -> tuple[list[UnitDirectory], User]:
    """Create both units; returns their directories and the platform admin (a superuser)."""
    # One hash for every demo login: hashing ~80 passwords one by one would take seconds.
    password = make_password(units.DEMO_PASSWORD)
    admin = _user(units.DEMO_ADMIN, "Demo Admin", password, is_staff=True, is_superuser=True)
    admin.save()
    directories = [_unit_create(spec=spec, rng=rng, password=password) for spec in units.UNITS]
    Membership.objects.bulk_create(
        Membership(tenant=d.tenant, user=admin, role=Role.ADMIN) for d in directories
    )
    return directories, admin


def _unit_create(*, spec: UnitSpec, rng: random.Random, password: str) -> UnitDirectory:
    tenant = Tenant.objects.create(
        slug=spec.slug,
        name=spec.name,
        ticket_prefix=spec.prefix,
        time_zone=spec.time_zone,
        language=spec.language,
        is_demo=True,
    )
    teams = {tier: Team(tenant=tenant, name=name, tier=tier) for tier, name in spec.teams}
    Team.objects.bulk_create(teams.values())
    directory = UnitDirectory(spec=spec, tenant=tenant, teams=teams)
    _staff_create(directory, password)
    _customers_create(directory, rng, password)
    _catalog_create(directory)
    return directory


def _staff_create(directory: UnitDirectory, password: str) -> None:
    spec, tenant = directory.spec, directory.tenant
    users = User.objects.bulk_create(
        _user(s.username, s.display_name, password) for s in spec.staff
    )
    memberships = Membership.objects.bulk_create(
        Membership(tenant=tenant, user=user, role=s.role)
        for user, s in zip(users, spec.staff, strict=True)
    )
    through = Team.members.through
    through.objects.bulk_create(
        through(team_id=directory.teams[s.tier].pk, user_id=user.pk)
        for user, s in zip(users, spec.staff, strict=True)
    )
    for membership in memberships:
        directory.staff[membership.user.username] = Actor(membership)
    leads = {"l1": Role.LEAD, "l2": Role.L2, "l3": Role.L3}
    for tier, team in directory.teams.items():
        team.lead = next(a.user for a in directory.by_tier(tier) if a.role == leads[tier])
    Team.objects.bulk_update(directory.teams.values(), ["lead"])


def _company_names(spec: UnitSpec, rng: random.Random) -> list[str]:
    if spec.language == "zh-hans":
        names = [
            f"{city}{word}{trade}有限公司"
            for city in units.ZH_CITIES
            for word in units.ZH_WORDS
            for trade in units.ZH_TRADES
        ]
    else:
        names = [
            f"{first}{second} {trade}"
            for first in units.EN_FIRST
            for second in units.EN_SECOND
            for trade in units.EN_TRADES
        ]
    return rng.sample(names, units.CUSTOMERS_PER_UNIT)


def _person(spec: UnitSpec, rng: random.Random) -> tuple[str, str]:
    """A contact's name and the local part of their e-mail address."""
    if spec.language == "zh-hans":
        name = rng.choice(units.ZH_SURNAMES) + "".join(
            rng.sample(units.ZH_GIVEN, rng.choice((1, 2)))
        )
        return name, f"kf{rng.randrange(100, 999)}"
    first, last = rng.choice(units.EN_GIVEN), rng.choice(units.EN_FAMILY)
    return f"{first} {last}", f"{first}.{last}".lower()


def _customers_create(directory: UnitDirectory, rng: random.Random, password: str) -> None:
    spec, tenant = directory.spec, directory.tenant
    tiers = [CustomerTier.STANDARD] * 13 + [CustomerTier.PREMIUM] * 5 + [CustomerTier.VIP] * 2
    customers = Customer.objects.bulk_create(
        Customer(tenant=tenant, name=name, tier=rng.choice(tiers))
        for name in _company_names(spec, rng)
    )
    contacts = []
    for index, customer in enumerate(customers, start=1):
        domain = f"{spec.slug}{index:03d}.example" + (".cn" if spec.language == "zh-hans" else "")
        for _n in range(rng.choice((1, 1, 2, 2, 3))):
            name, local = _person(spec, rng)
            phone = (
                f"13{rng.randrange(10**8, 10**9)}"
                if spec.language == "zh-hans"
                else f"+1 555 01{rng.randrange(10, 99)}"
            )
            contacts.append(
                Contact(
                    tenant=tenant,
                    customer=customer,
                    name=name,
                    email=f"{local}@{domain}",
                    phone=phone,
                )
            )
    logins = _portal_logins(directory, contacts, password)
    directory.customers = customers
    directory.contacts = Contact.objects.bulk_create(contacts)
    directory.portal = {contact.pk: actor for contact, actor in logins}


def _portal_logins(
    directory: UnitDirectory, contacts: list[Contact], password: str
) -> list[tuple[Contact, Actor]]:
    """Give the first contact of the first customers a portal login (role customer)."""
    spec, tenant = directory.spec, directory.tenant
    firsts: list[Contact] = []
    for contact in contacts:
        if not firsts or firsts[-1].customer is not contact.customer:
            firsts.append(contact)
    chosen = firsts[: units.PORTAL_LOGINS_PER_UNIT]
    users = User.objects.bulk_create(
        _user(spec.portal_username(i), c.name, password) for i, c in enumerate(chosen, start=1)
    )
    memberships = Membership.objects.bulk_create(
        Membership(tenant=tenant, user=user, role=Role.CUSTOMER) for user in users
    )
    for contact, user in zip(chosen, users, strict=True):
        contact.user = user
    return [(c, Actor(m)) for c, m in zip(chosen, memberships, strict=True)]


def _catalog_create(directory: UnitDirectory) -> None:
    spec, tenant = directory.spec, directory.tenant
    roots = Category.objects.bulk_create(
        Category(tenant=tenant, name=root) for root in spec.categories
    )
    directory.leaves = Category.objects.bulk_create(
        Category(tenant=tenant, name=leaf, parent=root)
        for root in roots
        for leaf in spec.categories[root.name]
    )
    directory.tags = Tag.objects.bulk_create(Tag(tenant=tenant, name=name) for name in spec.tags)
