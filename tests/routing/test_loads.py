"""Agents' open tickets per channel are kept by the database: every kind of write to a
ticket (services, bulk creates, queryset updates, deletes) leaves ``AgentLoad`` equal to
a count from the tickets, a person holding a ticket twice counts it once, and triggers a
table rebuild lost are put back by ``migrate`` with the counts recounted."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from tests import factories
from zhongtai.routing import loads
from zhongtai.routing.models import AgentLoad
from zhongtai.tickets import services
from zhongtai.tickets.choices import Channel, TicketStatus
from zhongtai.tickets.models import Ticket


def _kept(tenant_id: int | None = None) -> dict[tuple[int, int, str], int]:
    rows = AgentLoad.objects.filter(tickets__gt=0)
    if tenant_id is not None:
        rows = rows.filter(tenant_id=tenant_id)
    return {
        (t, u, c): n
        for t, u, c, n in rows.values_list("tenant_id", "user_id", "channel", "tickets")
    }


def _agree() -> dict[tuple[int, int, str], int]:
    truth = loads.counted_from_tickets()
    assert _kept() == truth
    return truth


def _held(world: Any, user: Any, channel: str = "") -> int:
    return _kept().get((world.tenant.pk, user.pk, channel), 0)


@pytest.mark.django_db
def test_the_services_keep_each_holders_count_per_channel_and_in_total(world):
    agent, l2 = world.agent.user, world.l2.user
    ticket = factories.ticket(world.admin, assignee=agent, channel=Channel.EMAIL)
    factories.ticket(world.admin, assignee=agent, channel=Channel.CHAT)
    assert (_held(world, agent), _held(world, agent, "email"), _held(world, agent, "chat")) == (
        2,
        1,
        1,
    )
    services.ticket_escalate(actor=world.lead, ticket=ticket, team=world.l2_team, reason="Needs L2")
    services.ticket_assign(actor=world.l2, ticket=ticket, assignee=l2, as_engineer=True)
    assert (_held(world, l2), _held(world, agent)) == (1, 2)  # the owner keeps it
    _agree()
    services.ticket_assign(actor=world.lead, ticket=ticket, assignee=world.agent2.user)
    assert (_held(world, agent), _held(world, world.agent2.user, "email")) == (1, 1)
    services.ticket_transition(actor=world.admin, ticket=ticket, to_status=TicketStatus.RESOLVED)
    assert (_held(world, world.agent2.user), _held(world, l2)) == (0, 0)
    services.ticket_transition(actor=world.admin, ticket=ticket, to_status=TicketStatus.OPEN)
    assert (_held(world, world.agent2.user), _held(world, l2)) == (1, 1)
    other = factories.ticket(world.admin, assignee=agent)
    services.ticket_merge(actor=world.admin, source=other, target=ticket)
    assert _held(world, agent) == 1
    _agree()


@pytest.mark.django_db
def test_bulk_writes_updates_and_deletes_are_followed(world):
    agent, agent2 = world.agent.user, world.agent2.user
    base = factories.ticket(world.admin)
    fields = {f.attname: getattr(base, f.attname) for f in Ticket._meta.concrete_fields}
    made = []
    for number, (assignee, engineer, channel, is_open) in enumerate(
        [
            (agent, None, "email", True),
            (agent, agent, "chat", True),  # the same person twice: one ticket
            (agent2, agent, "phone", True),
            (agent2, None, "email", False),  # closed: not counted
        ],
        start=1000,
    ):
        row = Ticket(**{**fields, "id": None, "number": number})
        row.assignee, row.engineer, row.channel, row.is_open = assignee, engineer, channel, is_open
        made.append(row)
    Ticket.objects.bulk_create(made)
    truth = _agree()
    assert truth[world.tenant.pk, agent.pk, ""] == 3
    assert truth[world.tenant.pk, agent.pk, "chat"] == 1
    assert truth[world.tenant.pk, agent2.pk, ""] == 1
    Ticket.objects.filter(number__in=[1000, 1001]).update(channel="portal")
    Ticket.objects.filter(number=1003).update(is_open=True)
    Ticket.objects.filter(number=1002).update(engineer=None, assignee=agent)
    _agree()
    assert _held(world, agent, "portal") == 2
    Ticket.objects.filter(number__in=[1000, 1002]).delete()
    _agree()


@pytest.mark.django_db
def test_units_are_counted_apart(world):
    factories.ticket(world.admin, assignee=world.agent.user, channel=Channel.PHONE)
    factories.ticket(world.other_agent, assignee=world.other_agent.user)
    assert _kept(world.tenant.pk) == {
        (world.tenant.pk, world.agent.user.pk, ""): 1,
        (world.tenant.pk, world.agent.user.pk, "phone"): 1,
    }
    assert loads.loads_of(world.tenant.pk, [world.other_agent.user.pk]) == {}
    _agree()


@pytest.mark.django_db
def test_recount_repairs_a_wrong_count_and_says_how_many_were_wrong(world):
    factories.ticket(world.admin, assignee=world.agent.user)
    assert loads.loads_recount() == 0
    AgentLoad.objects.filter(user=world.agent.user).update(tickets=7)
    AgentLoad.objects.create(tenant=world.tenant, user=world.lead.user, channel="", tickets=2)
    assert loads.loads_recount(tenant_id=world.tenant.pk) == 3
    _agree()


@pytest.mark.django_db(transaction=True)
def test_migrate_puts_back_lost_triggers_and_recounts(world):
    assert loads.triggers_present().issuperset(loads.NAMES)
    on = " ON tickets_ticket" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        for name in loads.NAMES:
            cursor.execute(f"DROP TRIGGER {name}{on}")
    factories.ticket(world.admin, assignee=world.agent.user)  # not followed
    assert _held(world, world.agent.user) == 0
    call_command("migrate", verbosity=0)
    assert loads.triggers_present().issuperset(loads.NAMES)
    assert _held(world, world.agent.user) == 1
    factories.ticket(world.admin, assignee=world.agent.user)  # followed again
    assert _held(world, world.agent.user) == 2
    assert loads.triggers_install() is False  # nothing missing: nothing done
