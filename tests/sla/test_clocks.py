"""The rules of a ticket's SLA clocks, one example each, through the real ticket services."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from tests import factories
from zhongtai.customers.models import Customer
from zhongtai.sla.choices import Target
from zhongtai.sla.models import BusinessCalendar, SlaPolicy, SlaTimer, WorkingInterval
from zhongtai.tickets import services
from zhongtai.tickets.choices import EventType, TicketStatus

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture
def always(world):
    return BusinessCalendar.objects.create(
        tenant=world.tenant, name="24×7", always_open=True, holiday_source=""
    )


@pytest.fixture
def default_policy(world, always):
    return SlaPolicy.objects.create(
        tenant=world.tenant,
        name="Default",
        position=100,
        calendar=always,
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=480,
        warn_at_percent=[75, 90],
    )


def _timer(ticket, target, *, running=True):
    qs = SlaTimer.objects.filter(ticket=ticket, target=target)
    if running:
        qs = qs.filter(fulfilled_at__isnull=True, cancelled_at__isnull=True)
    return qs.order_by("-id").first()


def _sla_actions(ticket):
    return [e.data["action"] for e in ticket.events.filter(type=EventType.SLA).order_by("id")]


def _create(world, **kwargs):
    with time_machine.travel(T0, tick=False):
        return factories.ticket(world.customer, **kwargs)


def test_a_new_ticket_starts_first_response_and_resolution_clocks(world, default_policy):
    ticket = _create(world)
    first = _timer(ticket, Target.FIRST_RESPONSE)
    resolution = _timer(ticket, Target.RESOLUTION)
    assert first.started_at == T0
    assert first.due_at == T0 + _minutes(60)
    assert first.next_check_at == T0 + _minutes(45)  # the 75 % warning comes first
    assert resolution.due_at == T0 + _minutes(480)
    assert _timer(ticket, Target.NEXT_RESPONSE) is None
    event = ticket.events.get(type=EventType.SLA)
    assert event.data["action"] == "start"
    assert event.data["policy"] == "Default"
    assert {t["target"] for t in event.data["timers"]} == {"first_response", "resolution"}


def test_no_policy_no_clocks(world):
    ticket = _create(world)
    assert not SlaTimer.objects.filter(ticket=ticket).exists()
    assert not ticket.events.filter(type=EventType.SLA).exists()


def test_an_internal_note_is_not_a_response_but_a_public_reply_is(world, default_policy):
    ticket = _create(world)
    with time_machine.travel(T0 + _minutes(20), tick=False):
        services.ticket_reply(actor=world.agent, ticket=ticket, body="Looking", public=False)
    assert _timer(ticket, Target.FIRST_RESPONSE) is not None
    with time_machine.travel(T0 + _minutes(50), tick=False):
        services.ticket_reply(actor=world.agent, ticket=ticket, body="Please restart it.")
    first = _timer(ticket, Target.FIRST_RESPONSE, running=False)
    assert first.fulfilled_at == T0 + _minutes(50)
    assert first.business_minutes == pytest.approx(50)
    assert first.breached_at is None
    assert first.next_check_at is None
    assert _sla_actions(ticket) == ["start", "fulfil"]


def test_a_late_first_response_is_recorded_as_breached(world, default_policy):
    ticket = _create(world)
    with time_machine.travel(T0 + _minutes(75), tick=False):
        services.ticket_reply(actor=world.agent, ticket=ticket, body="Sorry for the wait.")
    first = _timer(ticket, Target.FIRST_RESPONSE, running=False)
    assert first.breached_at == T0 + _minutes(60)
    fulfil = ticket.events.filter(type=EventType.SLA).last()
    assert fulfil.data["met"] is False


def test_each_customer_message_after_a_response_starts_one_next_response_clock(
    world, default_policy
):
    ticket = _create(world)
    with time_machine.travel(T0 + _minutes(10), tick=False):
        services.ticket_reply(actor=world.agent, ticket=ticket, body="Restart it.")
    with time_machine.travel(T0 + _minutes(30), tick=False):
        services.ticket_reply(actor=world.customer, ticket=ticket, body="Did not help.")
    with time_machine.travel(T0 + _minutes(40), tick=False):
        services.ticket_reply(actor=world.customer, ticket=ticket, body="Still broken.")
    assert SlaTimer.objects.filter(ticket=ticket, target=Target.NEXT_RESPONSE).count() == 1
    following = _timer(ticket, Target.NEXT_RESPONSE)
    assert following.started_at == T0 + _minutes(30)
    assert following.due_at == T0 + _minutes(150)
    with time_machine.travel(T0 + _minutes(90), tick=False):
        services.ticket_reply(actor=world.agent, ticket=ticket, body="Replacing the board.")
    done = _timer(ticket, Target.NEXT_RESPONSE, running=False)
    assert done.fulfilled_at == T0 + _minutes(90)
    assert done.business_minutes == pytest.approx(60)


def test_a_customer_message_before_the_first_response_starts_nothing(world, default_policy):
    ticket = _create(world)
    with time_machine.travel(T0 + _minutes(5), tick=False):
        services.ticket_reply(actor=world.customer, ticket=ticket, body="Any news?")
    assert _timer(ticket, Target.NEXT_RESPONSE) is None


def test_waiting_on_the_customer_pauses_and_their_answer_resumes(world, default_policy):
    ticket = _create(world)
    with time_machine.travel(T0 + _minutes(10), tick=False):
        services.ticket_reply(
            actor=world.agent,
            ticket=ticket,
            body="Which firmware?",
            then_status=TicketStatus.PENDING_CUSTOMER,
        )
    resolution = _timer(ticket, Target.RESOLUTION)
    assert resolution.due_at is None  # paused: no due time
    assert resolution.next_check_at is None
    assert resolution.pauses[-1][1] is None
    with time_machine.travel(T0 + _minutes(130), tick=False):
        services.ticket_reply(actor=world.customer, ticket=ticket, body="Version 2.0")
    resolution.refresh_from_db()
    assert resolution.due_at == T0 + _minutes(480 + 120)  # the two paused hours do not count
    assert _sla_actions(ticket) == ["start", "fulfil", "pause", "resume", "start"]


def test_resolving_fulfils_resolution_and_stops_the_response_clocks(world, default_policy):
    ticket = _create(world)
    with time_machine.travel(T0 + _minutes(30), tick=False):
        services.ticket_transition(actor=world.agent, ticket=ticket, to_status="resolved")
    resolution = _timer(ticket, Target.RESOLUTION, running=False)
    assert resolution.fulfilled_at == T0 + _minutes(30)
    first = _timer(ticket, Target.FIRST_RESPONSE, running=False)
    assert first.cancelled_at == T0 + _minutes(30)  # not measured: nobody had to answer
    assert not SlaTimer.objects.filter(
        ticket=ticket, fulfilled_at__isnull=True, cancelled_at__isnull=True
    ).exists()


def test_a_reopened_ticket_resumes_resolution_and_the_resolved_spell_is_a_pause(
    world, default_policy
):
    ticket = _create(world)
    with time_machine.travel(T0 + _minutes(100), tick=False):
        services.ticket_transition(actor=world.agent, ticket=ticket, to_status="resolved")
    with time_machine.travel(T0 + _minutes(400), tick=False):
        services.ticket_reply(actor=world.customer, ticket=ticket, body="It came back.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    resolution = _timer(ticket, Target.RESOLUTION)
    assert resolution.fulfilled_at is None
    assert resolution.due_at == T0 + _minutes(480 + 300)
    assert SlaTimer.objects.filter(ticket=ticket, target=Target.RESOLUTION).count() == 1


def test_a_priority_change_recomputes_from_the_original_start(world, always, default_policy):
    SlaPolicy.objects.create(
        tenant=world.tenant,
        name="Urgent",
        position=1,
        priorities=["urgent"],
        calendar=always,
        first_response_minutes=30,
        resolution_minutes=240,
    )
    ticket = _create(world)
    with time_machine.travel(T0 + _minutes(45), tick=False):
        services.ticket_update(actor=world.agent, ticket=ticket, changes={"priority": "urgent"})
    first = _timer(ticket, Target.FIRST_RESPONSE)
    assert first.started_at == T0
    assert first.due_at == T0 + _minutes(30)  # overdue at once: the sweep breaches it
    assert first.next_check_at == T0 + _minutes(30)
    assert _timer(ticket, Target.RESOLUTION).due_at == T0 + _minutes(240)
    recompute = ticket.events.filter(type=EventType.SLA).last()
    assert recompute.data["action"] == "recompute"
    assert recompute.data["policy"] == "Urgent"


def test_a_policy_without_a_target_stops_that_clock(world, always, default_policy):
    SlaPolicy.objects.create(
        tenant=world.tenant,
        name="Requests",
        position=1,
        types=["request"],
        calendar=always,
        resolution_minutes=2400,
    )
    ticket = _create(world)
    services.ticket_update(actor=world.agent, ticket=ticket, changes={"type": "request"})
    assert _timer(ticket, Target.FIRST_RESPONSE) is None
    assert _timer(ticket, Target.RESOLUTION).target_minutes == 2400


def test_a_merge_stops_every_clock_of_the_duplicate(world, default_policy):
    survivor = _create(world, subject="Compressor loud")
    duplicate = _create(world, subject="Compressor loud (again)")
    services.ticket_merge(actor=world.agent, source=duplicate, target=survivor)
    assert not SlaTimer.objects.filter(
        ticket=duplicate, fulfilled_at__isnull=True, cancelled_at__isnull=True
    ).exists()
    assert _timer(survivor, Target.RESOLUTION) is not None
    assert "stop" in _sla_actions(duplicate)


def test_business_hours_and_the_tier_of_the_customer_decide(world):
    office = BusinessCalendar.objects.create(
        tenant=world.tenant, name="Office", time_zone="Asia/Shanghai", holiday_source=""
    )
    for weekday in range(5):
        WorkingInterval.objects.create(
            calendar=office, weekday=weekday, start=time(9), end=time(12)
        )
        WorkingInterval.objects.create(
            calendar=office, weekday=weekday, start=time(13, 30), end=time(18)
        )
    SlaPolicy.objects.create(
        tenant=world.tenant,
        name="VIP",
        position=1,
        customer_tiers=["vip"],
        calendar=office,
        first_response_minutes=60,
    )
    SlaPolicy.objects.create(
        tenant=world.tenant,
        name="Standard",
        position=2,
        calendar=office,
        first_response_minutes=240,
    )
    Customer.objects.filter(tenant=world.tenant, name="Acme").update(tier="vip")
    friday_evening = datetime(2025, 6, 6, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai
    with time_machine.travel(friday_evening, tick=False):
        vip = factories.ticket(world.customer)
        standard = factories.ticket(world.customer2)
    # 30 minutes on Friday, 30 on Monday from 09:00
    assert _timer(vip, Target.FIRST_RESPONSE).due_at == datetime(2025, 6, 9, 1, 30, tzinfo=UTC)
    # 30 minutes on Friday, 3 h in the morning, 30 min after lunch on Monday
    assert _timer(standard, Target.FIRST_RESPONSE).due_at == datetime(2025, 6, 9, 6, 0, tzinfo=UTC)


def test_running_clocks_follow_the_ticket_and_decided_ones_stay(world, default_policy):
    ticket = _create(world, team=world.l1_team)
    first, resolution = _timer(ticket, Target.FIRST_RESPONSE), _timer(ticket, Target.RESOLUTION)
    assert (first.team, first.assignee, first.priority) == (world.l1_team, None, "normal")
    with time_machine.travel(T0 + _minutes(10), tick=False):
        services.ticket_assign(actor=world.agent, ticket=ticket, assignee=world.agent.user)
        services.ticket_reply(actor=world.agent, ticket=ticket, body="On it.")
    with time_machine.travel(T0 + _minutes(20), tick=False):
        services.ticket_assign(actor=world.lead, ticket=ticket, assignee=world.agent2.user)
        services.ticket_update(actor=world.lead, ticket=ticket, changes={"type": "incident"})
    first.refresh_from_db()
    resolution.refresh_from_db()
    # Met by the first agent: it stays theirs; the resolution clock runs on with the ticket.
    assert (first.assignee, first.type) == (world.agent.user, "question")
    assert (resolution.assignee, resolution.type) == (world.agent2.user, "incident")
    assert resolution.team == world.l1_team
