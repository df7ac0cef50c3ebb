"""Assignment with the database: new tickets go to an available agent whose skills match,
by least load and within capacity; what waits is handed out when someone frees up; an
agent going offline gives back what they have not started; surge and overflow."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests import factories
from tests.support import huey_drain
from zhongtai.accounts.models import Tier
from zhongtai.core.errors import InvalidInput, NotFound, PermissionDenied
from zhongtai.customers.models import Customer, CustomerTier
from zhongtai.routing import assignment, people
from zhongtai.routing.models import AgentProfile, RoutingSettings, SurgeEnrolment
from zhongtai.tickets import services
from zhongtai.tickets.choices import Channel, EventType, TicketStatus
from zhongtai.tickets.models import Ticket


def _auto(world: Any, **kwargs: Any) -> RoutingSettings:
    return RoutingSettings.objects.create(tenant=world.tenant, auto_assign=True, **kwargs)


def _available(actor: Any, **kwargs: Any) -> AgentProfile:
    kwargs.setdefault("max_open", 3)
    return AgentProfile.objects.create(
        tenant=actor.tenant, user=actor.user, status="available", **kwargs
    )


def _new(world: Any, **kwargs: Any) -> Ticket:
    return factories.ticket(world.admin, **kwargs)


def _routing(ticket: Ticket) -> dict[str, Any]:
    return ticket.events.get(type=EventType.ROUTING).data


@pytest.mark.django_db
def test_nothing_is_assigned_unless_the_unit_turns_it_on(world):
    _available(world.agent)
    ticket = _new(world)
    assert ticket.assignee is None
    assert not ticket.events.filter(type=EventType.ROUTING).exists()


@pytest.mark.django_db
def test_a_new_ticket_goes_to_the_least_loaded_and_the_timeline_says_why(world):
    _auto(world)
    _available(world.agent)
    _available(world.agent2)
    _available(world.lead, max_open=1)
    first = _new(world, assignee=world.agent.user)  # named: the agent holds one now
    assert first.assignee == world.agent.user
    ticket = _new(world)
    ticket.refresh_from_db()
    assert ticket.assignee == world.agent2.user  # 0 of 3, the agent is at 1 of 3
    explain = _routing(ticket)["assignment"]
    assert explain["lane"] == "team"
    assert explain["user_id"] == world.agent2.user.pk
    assert [c["id"] for c in explain["candidates"]][:2] == [
        world.agent2.user.pk,
        world.lead.user.pk,
    ]
    event = ticket.events.get(type=EventType.ASSIGNMENT)
    assert event.actor is None
    assert event.data["to"]["id"] == world.agent2.user.pk
    assert "routing" not in event.data  # the routing event before it says why
    page = Client()
    page.force_login(world.lead.user)
    text = page.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert "gave it to Agent2 in its team, by least load" in text
    assert "0 of 3 open" in text


@pytest.mark.django_db
def test_capacity_is_never_exceeded_and_the_rest_waits(world):
    _auto(world)
    _available(world.agent, max_open=2)
    tickets = [_new(world) for _ in range(3)]
    holders = [Ticket.objects.get(pk=t.pk).assignee for t in tickets]
    assert holders == [world.agent.user, world.agent.user, None]
    assert _routing(tickets[2])["assignment"]["refused"] == {"capacity": 1}


@pytest.mark.django_db
def test_per_channel_capacity(world):
    _auto(world)
    _available(world.agent, max_open=5, channel_caps={"phone": 1})
    phone = [_new(world, channel=Channel.PHONE) for _ in range(2)]
    mail = _new(world, channel=Channel.EMAIL)
    assert [Ticket.objects.get(pk=t.pk).assignee for t in (*phone, mail)] == [
        world.agent.user,
        None,
        world.agent.user,
    ]


@pytest.mark.django_db
def test_skills_category_language_and_tier(world):
    _auto(world)
    hardware = factories.category(world.tenant, "Hardware")
    printers = factories.category(world.tenant, "Printers", parent=hardware)
    _available(world.agent, categories=[hardware.pk], languages=["zh"])
    _available(world.agent2, languages=["en"])
    assert _new(world, category=printers, subject="打印机卡纸").assignee == world.agent.user
    assert _new(world, category=printers, subject="Jammed").assignee == world.agent2.user
    _available(world.lead, customer_tiers=["vip"])
    AgentProfile.objects.filter(user=world.agent2.user).update(status="away")
    vip = Customer.objects.create(tenant=world.tenant, name="Big", tier=CustomerTier.VIP)
    assert _new(world, customer=vip, subject="Jammed").assignee == world.lead.user
    assert _new(world, subject="Jammed").assignee is None  # only a VIP specialist is free


@pytest.mark.django_db
def test_a_vip_ticket_goes_to_the_vip_lane_first(world):
    vip_team = factories.team(world.tenant, "VIP desk", Tier.L1, [world.lead.user])
    _auto(world, vip_team=vip_team)
    _available(world.agent)
    _available(world.lead, max_open=1)
    vip = Customer.objects.create(tenant=world.tenant, name="Big", tier=CustomerTier.VIP)
    first = _new(world, customer=vip)
    assert (first.assignee, first.team) == (world.lead.user, vip_team)
    second = _new(world, customer=vip)  # the VIP desk is full: its own team takes it
    assert (second.assignee, second.team) == (world.agent.user, world.l1_team)
    assert _routing(second)["assignment"]["lane"] == "team"
    assert _new(world).team == world.l1_team  # not VIP: not the lane


@pytest.mark.django_db
def test_an_l2_team_ticket_gets_an_engineer(world):
    _auto(world)
    _available(world.l2)
    ticket = _new(world, team=world.l2_team)
    assert (ticket.engineer, ticket.assignee) == (world.l2.user, None)


@pytest.mark.django_db
def test_a_named_assignee_or_a_triage_ticket_is_left_alone(world):
    _auto(world)
    _available(world.agent)
    assert _new(world, assignee=world.agent2.user).assignee == world.agent2.user
    ticket = _new(world)
    Ticket.objects.filter(pk=ticket.pk).update(needs_triage=True, assignee=None)
    assert assignment.team_queue_drain(tenant_id=world.tenant.pk, team_id=world.l1_team.pk) == 0


@pytest.mark.django_db(transaction=True)
def test_offline_returns_unstarted_tickets_and_someone_else_takes_them(world, queue):
    _auto(world)
    _available(world.agent)
    new = _new(world)
    started = _new(world)
    services.ticket_reply(actor=world.agent, ticket=started, body="On it.")
    assert Ticket.objects.filter(assignee=world.agent.user).count() == 2
    _available(world.agent2)
    people.agent_status_set(actor=world.agent, status="offline")
    new.refresh_from_db()
    assert new.assignee is None  # back in the queue
    returned = new.events.filter(type=EventType.ASSIGNMENT).last()
    assert returned.data["returned"]
    assert "went offline" in returned.body
    assert Ticket.objects.get(pk=started.pk).assignee == world.agent.user  # started: kept
    assert huey_drain() >= 1
    new.refresh_from_db()
    assert new.assignee == world.agent2.user
    handed = new.events.filter(type=EventType.ASSIGNMENT).last()
    assert handed.data["routing"]["user_id"] == world.agent2.user.pk
    assert handed.data["routing"]["refused"] == {"status": 1}  # the agent is offline


@pytest.mark.django_db(transaction=True)
def test_what_waits_is_handed_out_when_capacity_frees(world, queue):
    _auto(world)
    _available(world.agent, max_open=1)
    held = _new(world)
    waiting = _new(world)
    assert Ticket.objects.get(pk=waiting.pk).assignee is None
    services.ticket_transition(
        actor=world.agent, ticket=held, to_status=TicketStatus.RESOLVED, reason="done"
    )
    huey_drain()
    assert Ticket.objects.get(pk=waiting.pk).assignee == world.agent.user


@pytest.mark.django_db(transaction=True)
def test_becoming_available_takes_from_the_queue_oldest_first(world, queue):
    _auto(world)
    AgentProfile.objects.create(tenant=world.tenant, user=world.agent.user, max_open=2)
    tickets = [_new(world) for _ in range(3)]
    people.agent_status_set(actor=world.agent, status="available")
    huey_drain()
    holders = [Ticket.objects.get(pk=t.pk).assignee for t in tickets]
    assert holders == [world.agent.user, world.agent.user, None]


@pytest.mark.django_db
def test_surge_mode_lets_the_days_pool_take_new_work(world):
    _auto(world)
    _available(world.agent, max_open=1)
    _available(world.l3)  # not a member of the frontline team
    assert _new(world).assignee == world.agent.user
    people.surge_enrol(actor=world.lead, team=world.l1_team, user=world.l3.user)
    assert _new(world).assignee is None  # enrolled, but surge mode is off
    people.surge_switch(actor=world.lead, team=world.l1_team, on=True)
    ticket = _new(world)
    assert (ticket.assignee, ticket.team) == (world.l3.user, world.l1_team)
    assert _routing(ticket)["assignment"]["lane"] == "team+surge"
    people.surge_switch(actor=world.lead, team=world.l1_team, on=False)
    assert _new(world).assignee is None


@pytest.mark.django_db
def test_overflow_to_the_backup_team_past_the_queue_limit(world):
    _auto(world)
    backup = factories.team(world.tenant, "Backup desk", Tier.L1, [world.l3.user])
    _available(world.l3)
    people.team_overflow_save(
        actor=world.lead,
        team=world.l1_team,
        overflow_to="backup",
        backup_team=backup,
        max_waiting=2,
    )
    first, second = _new(world), _new(world)  # nobody available in the frontline
    assert (first.assignee, second.assignee) == (None, None)
    third = _new(world)  # two wait: overflow
    assert (third.assignee, third.team) == (world.l3.user, backup)
    explain = _routing(third)["assignment"]
    assert (explain["lane"], explain["overflow"], explain["waiting"]) == ("backup", "backup", 2)


@pytest.mark.django_db
def test_overflow_to_the_surge_pool_on_the_oldest_wait(world, time_machine):
    time_machine.move_to("2026-11-11 09:00 +08:00", tick=False)
    _auto(world)
    _available(world.l3)
    people.surge_enrol(actor=world.lead, team=world.l1_team, user=world.l3.user)
    people.team_overflow_save(
        actor=world.lead, team=world.l1_team, overflow_to="surge", max_wait_minutes=10
    )
    assert _new(world).assignee is None
    time_machine.move_to("2026-11-11 09:11 +08:00", tick=False)
    ticket = _new(world)
    assert ticket.assignee == world.l3.user
    assert _routing(ticket)["assignment"]["lane"] == "surge"


@pytest.mark.django_db
def test_who_may_change_statuses_profiles_and_surge(world):
    people.agent_status_set(actor=world.agent, status="busy")
    assert AgentProfile.objects.get(user=world.agent.user).status == "busy"
    with pytest.raises(PermissionDenied):
        people.agent_status_set(actor=world.agent, status="offline", user=world.agent2.user)
    people.agent_status_set(actor=world.lead, status="away", user=world.agent2.user)
    with pytest.raises(NotFound):  # someone of another unit
        people.agent_status_set(actor=world.lead, status="away", user=world.other_agent.user)
    with pytest.raises(PermissionDenied):
        people.agent_status_set(actor=world.customer, status="available")
    with pytest.raises(InvalidInput):
        people.agent_status_set(actor=world.agent, status="asleep")
    with pytest.raises(PermissionDenied):
        people.surge_switch(actor=world.agent, team=world.l1_team, on=True)
    with pytest.raises(NotFound):
        people.surge_switch(actor=world.lead, team=world.other_team, on=True)
    with pytest.raises(PermissionDenied):
        people.agent_profile_save(
            actor=world.agent, user=world.agent.user, data=people.ProfileInput()
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        (people.ProfileInput(max_open=0), "max_open"),
        (people.ProfileInput(channel_caps={"fax": 1}), "channel_caps"),
        (people.ProfileInput(categories=[999_999]), "categories"),
        (people.ProfileInput(languages=["klingon"]), "languages"),
        (people.ProfileInput(customer_tiers=["gold"]), "customer_tiers"),
    ],
)
def test_a_bad_profile_is_refused_and_stores_nothing(world, data, field):
    with pytest.raises(InvalidInput) as caught:
        people.agent_profile_save(actor=world.lead, user=world.agent.user, data=data)
    assert caught.value.errors[0]["field"] == field
    assert not AgentProfile.objects.exists()


@pytest.mark.django_db
def test_a_bad_overflow_rule_or_enrolment_is_refused(world):
    with pytest.raises(InvalidInput):
        people.team_overflow_save(actor=world.lead, team=world.l1_team, overflow_to="backup")
    with pytest.raises(InvalidInput):
        people.team_overflow_save(actor=world.lead, team=world.l1_team, overflow_to="surge")
    with pytest.raises(InvalidInput):
        people.team_overflow_save(
            actor=world.lead,
            team=world.l1_team,
            overflow_to="backup",
            backup_team=world.l1_team,
            max_waiting=3,
        )
    with pytest.raises(NotFound):
        people.team_overflow_save(
            actor=world.lead,
            team=world.l1_team,
            overflow_to="backup",
            backup_team=world.other_team,
            max_waiting=3,
        )
    yesterday = people.unit_today(world.lead) - timedelta(days=1)
    with pytest.raises(InvalidInput):
        people.surge_enrol(
            actor=world.lead, team=world.l1_team, user=world.agent.user, day=yesterday
        )
    with pytest.raises(NotFound):
        people.surge_enrol(actor=world.lead, team=world.l1_team, user=world.other_agent.user)
    assert not SurgeEnrolment.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite's in-memory test database has no real locks"
)
def test_intake_and_a_drain_at_once_never_exceed_capacity(world):  # pragma: no cover - PostgreSQL
    """Intake already takes turns on the unit's ticket numbers; a drain does not, so the
    assignment lock is what keeps these two from both seeing a free agent."""
    _auto(world)
    _available(world.agent, max_open=1)
    AgentProfile.objects.filter(user=world.agent.user).update(status="away")
    waiting = _new(world)
    AgentProfile.objects.filter(user=world.agent.user).update(status="available")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    real_lock = assignment.unit_lock

    def lock_together(kind: str, tenant_id: int) -> None:
        barrier.wait(timeout=30)  # both are about to decide, neither has
        real_lock(kind, tenant_id)

    def run(work: Any) -> None:
        from django.db import connections

        try:
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def drain() -> None:
        assignment.team_queue_drain(tenant_id=world.tenant.pk, team_id=world.l1_team.pk)

    assignment.unit_lock = lock_together  # type: ignore[assignment]
    try:
        threads = [
            threading.Thread(target=run, args=(lambda: _new(world),)),
            threading.Thread(target=run, args=(drain,)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        assignment.unit_lock = real_lock  # type: ignore[assignment]
    assert errors == []
    assert Ticket.objects.count() == 2
    assert Ticket.objects.filter(assignee=world.agent.user).count() == 1
    assert waiting.pk


@pytest.mark.django_db
def test_the_waiting_count_is_the_queue_and_reads_only_its_partial_index(world):
    waiting = _new(world)
    _new(world, assignee=world.agent.user)  # held
    triage = _new(world)
    Ticket.objects.filter(pk=triage.pk).update(needs_triage=True)
    closed = _new(world)
    services.ticket_transition(actor=world.admin, ticket=closed, to_status=TicketStatus.RESOLVED)
    escalated = _new(world, assignee=world.agent.user)
    services.ticket_escalate(
        actor=world.lead, ticket=escalated, team=world.l2_team, reason="Needs L2"
    )  # held at L1 by its owner, waiting at L2 for an engineer
    for team in (world.l1_team, world.l2_team, world.l3_team):
        orm = assignment.waiting_tickets(world.tenant.pk, team.pk)
        assert assignment.queue_of(world.tenant.pk, team.pk)[0] == orm.count()
    assert list(assignment.waiting_tickets(world.tenant.pk, world.l1_team.pk)) == [waiting]
    assert assignment.queue_of(world.tenant.pk, world.l2_team.pk)[0] == 1
    assert assignment.queue_of(world.tenant.pk, world.l1_team.pk, besides=waiting.pk)[0] == 0
    sql = assignment.WAITING_SQL.format(oldest="MIN(created_at)")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, [world.tenant.pk, world.l1_team.pk])
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, [world.tenant.pk, world.l1_team.pk])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "ticket_waiting" in plan
