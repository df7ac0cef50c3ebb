"""Test data builders shared by every test package.

Domain rows that have a service are made through it (tickets); rows that are set up
by an administrator in Django admin (tenants, users, teams) are made directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Membership, Team, Tier, User
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import Role
from zhongtai.customers.models import Contact, Customer
from zhongtai.tickets import services
from zhongtai.tickets.models import Category, Ticket

PASSWORD = "correct-horse-battery"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"unit{n}")
    name = factory.Sequence(lambda n: f"Business unit {n}")
    time_zone = "Asia/Shanghai"
    ticket_prefix = factory.Sequence(lambda n: "T" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 26])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    display_name = factory.LazyAttribute(lambda u: u.username.title())
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


def membership(user: User, tenant: Tenant, role: str) -> Membership:
    return Membership.objects.create(user=user, tenant=tenant, role=role)


def actor(tenant: Tenant, role: str = Role.AGENT, username: str | None = None) -> Actor:
    user = UserFactory(username=username) if username else UserFactory()
    return Actor(membership(user, tenant, role))


def team(tenant: Tenant, name: str, tier: str = Tier.L1, members: list[User] = ()) -> Team:  # type: ignore[assignment]
    obj = Team.objects.create(tenant=tenant, name=name, tier=tier)
    obj.members.set(members)
    return obj


def customer_actor(
    tenant: Tenant, customer: Customer | None = None, username: str | None = None
) -> Actor:
    """A portal user: a contact of a customer, with a login."""
    customer = customer or Customer.objects.create(
        tenant=tenant, name=f"Customer {Customer.objects.count() + 1}"
    )
    person = actor(tenant, Role.CUSTOMER, username)
    Contact.objects.create(
        tenant=tenant,
        customer=customer,
        name=str(person.user),
        email=person.user.email,
        user=person.user,
    )
    return person


def category(tenant: Tenant, name: str = "Hardware", parent: Category | None = None) -> Category:
    return Category.objects.create(tenant=tenant, name=name, parent=parent)


def ticket(by: Actor, **kwargs: Any) -> Ticket:
    kwargs.setdefault("subject", "Printer is jammed")
    kwargs.setdefault("description", "It makes a grinding noise.")
    return services.ticket_create(actor=by, **kwargs)


@dataclass
class World:
    """Two business units, each with L1/L2/L3 teams, staff of every role and a customer."""

    tenant: Tenant
    other_tenant: Tenant
    agent: Actor
    agent2: Actor
    lead: Actor
    l2: Actor
    l3: Actor
    admin: Actor
    customer: Actor
    customer2: Actor
    other_agent: Actor
    other_customer: Actor
    l1_team: Team
    l2_team: Team
    l3_team: Team
    other_team: Team


def world() -> World:
    tenant = TenantFactory(slug="sh", name="Shanghai Equipment", ticket_prefix="SH")
    other = TenantFactory(slug="saas", name="SaaS Success", ticket_prefix="CS", time_zone="UTC")
    agent = actor(tenant, Role.AGENT, "agent")
    agent2 = actor(tenant, Role.AGENT, "agent2")
    lead = actor(tenant, Role.LEAD, "lead")
    l2 = actor(tenant, Role.L2, "l2")
    l3 = actor(tenant, Role.L3, "l3")
    admin = actor(tenant, Role.ADMIN, "admin")
    l1_team = team(tenant, "Frontline", Tier.L1, [agent.user, agent2.user, lead.user])
    l2_team = team(tenant, "Service engineering", Tier.L2, [l2.user])
    l3_team = team(tenant, "R&D", Tier.L3, [l3.user])
    acme = Customer.objects.create(tenant=tenant, name="Acme")
    other_agent = actor(other, Role.AGENT, "other_agent")
    other_team = team(other, "Other frontline", Tier.L1, [other_agent.user])
    return World(
        tenant=tenant,
        other_tenant=other,
        agent=agent,
        agent2=agent2,
        lead=lead,
        l2=l2,
        l3=l3,
        admin=admin,
        customer=customer_actor(tenant, acme, "customer"),
        customer2=customer_actor(tenant, None, "customer2"),
        other_agent=other_agent,
        other_customer=customer_actor(other, None, "other_customer"),
        l1_team=l1_team,
        l2_team=l2_team,
        l3_team=l3_team,
        other_team=other_team,
    )
