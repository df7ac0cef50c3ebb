"""The sweep: warnings and breaches exactly once, breach actions, and surviving crashes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection

from tests import factories
from tests.support import huey_drain
from zhongtai.sla import sweep
from zhongtai.sla.choices import BreachAction, Target
from zhongtai.sla.models import BusinessCalendar, SlaPolicy, SlaTimer, WorkingInterval
from zhongtai.tickets import services
from zhongtai.tickets.choices import EventType, TicketPriority
from zhongtai.tickets.models import Notification, Ticket

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _policy(world: Any, **kwargs: Any) -> SlaPolicy:
    calendar = kwargs.pop("calendar", None) or BusinessCalendar.objects.create(
        tenant=world.tenant, name="24×7", always_open=True, holiday_source=""
    )
    values = {
        "tenant": world.tenant,
        "name": "Default",
        "calendar": calendar,
        "first_response_minutes": 60,
        "resolution_minutes": 480,
        "warn_at_percent": [75, 90],
        "breach_actions": [],
    }
    values.update(kwargs)
    return SlaPolicy.objects.create(**values)


def _ticket(world: Any, **kwargs: Any) -> Ticket:
    with time_machine.travel(T0, tick=False):
        return factories.ticket(world.customer, **kwargs)


def _sla(ticket: Ticket, action: str) -> list[Any]:
    return list(ticket.events.filter(type=EventType.SLA, data__action=action).order_by("id"))


@pytest.mark.django_db
def test_warnings_then_the_breach_each_once_as_time_passes(world):
    _policy(world)
    ticket = _ticket(world)
    assert sweep.sla_sweep(now=_at(40)).checked == 0  # nothing due yet
    assert sweep.sla_sweep(now=_at(46)).warnings == 1  # 75 % of 60 min
    assert sweep.sla_sweep(now=_at(47)).checked == 0
    assert sweep.sla_sweep(now=_at(55)).warnings == 1  # 90 %
    result = sweep.sla_sweep(now=_at(61))
    assert (result.breaches, result.warnings) == (1, 0)
    assert sweep.sla_sweep(now=_at(120)).checked == 0
    assert [e.data["percent"] for e in _sla(ticket, "warning")] == [75, 90]
    [breach] = _sla(ticket, "breach")
    assert breach.data["timers"][0]["target"] == Target.FIRST_RESPONSE
    first = SlaTimer.objects.get(ticket=ticket, target=Target.FIRST_RESPONSE)
    assert first.breached_at == _at(60)
    assert first.next_check_at is None
    assert first.fulfilled_at is None  # still waiting for the answer


@pytest.mark.django_db
def test_a_late_sweep_breaches_without_warning_first(world):
    _policy(world)
    ticket = _ticket(world)
    result = sweep.sla_sweep(now=_at(600))
    assert result.breaches == 2  # first response and resolution
    assert _sla(ticket, "warning") == []


@pytest.mark.django_db
def test_a_paused_clock_is_never_due(world):
    _policy(world)
    ticket = _ticket(world)
    with time_machine.travel(_at(10), tick=False):
        services.ticket_reply(
            actor=world.agent, ticket=ticket, body="Which model?", then_status="pending_customer"
        )
    assert sweep.sla_sweep(now=_at(10_000)).checked == 0


@pytest.mark.django_db(transaction=True)
def test_breach_actions_notify_raise_priority_escalate_and_reassign(world, queue, mailoutbox):
    world.l1_team.lead = world.lead.user
    world.l1_team.save()
    _policy(world, breach_actions=list(BreachAction.values), resolution_minutes=None)
    ticket = _ticket(world, priority=TicketPriority.NORMAL)
    queue.flush()
    assert sweep.sla_sweep(now=_at(61)).breaches == 1
    ticket.refresh_from_db()
    assert ticket.priority == TicketPriority.HIGH
    assert ticket.tier == "l2"
    assert ticket.team == world.l2_team
    assert ticket.engineer is None  # the L2 team has no lead to reassign to
    assert _sla(ticket, "breach")[0].data["notify"] is True
    assert ticket.events.filter(type=EventType.ESCALATION, actor__isnull=True).count() == 1
    assert ticket.events.filter(type=EventType.FIELD_CHANGE, actor__isnull=True).count() == 1
    huey_drain()
    breach_mail = [m for m in mailoutbox if "breached" in m.subject]
    assert breach_mail, [m.subject for m in mailoutbox]
    assert world.lead.user.email in breach_mail[0].to


@pytest.mark.django_db
def test_a_breach_stays_with_the_team_that_held_the_ticket(world, queue):
    _policy(world, breach_actions=[BreachAction.ESCALATE], resolution_minutes=600)
    ticket = _ticket(world, team=world.l1_team)
    services.ticket_assign(actor=world.agent, ticket=ticket, assignee=world.agent.user)
    assert sweep.sla_sweep(now=_at(61)).breaches == 1  # first response; escalates to L2
    ticket.refresh_from_db()
    assert ticket.team == world.l2_team
    first = SlaTimer.objects.get(ticket=ticket, target=Target.FIRST_RESPONSE)
    resolution = SlaTimer.objects.get(ticket=ticket, target=Target.RESOLUTION)
    assert (first.team, first.tier, first.assignee) == (world.l1_team, "l1", world.agent.user)
    assert (resolution.team, resolution.tier) == (world.l2_team, "l2")  # runs on, follows


@pytest.mark.django_db(transaction=True)
def test_reassign_gives_an_l1_ticket_to_the_team_lead(world, queue):
    world.l1_team.lead = world.lead.user
    world.l1_team.save()
    _policy(world, breach_actions=[BreachAction.REASSIGN], resolution_minutes=None)
    ticket = _ticket(world)
    sweep.sla_sweep(now=_at(61))
    ticket.refresh_from_db()
    assert ticket.assignee == world.lead.user
    assert ticket.events.filter(type=EventType.ASSIGNMENT, actor__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_warnings_outside_working_hours_are_mailed_when_work_begins(world, queue):
    office = BusinessCalendar.objects.create(
        tenant=world.tenant, name="Office", time_zone="Asia/Shanghai", holiday_source=""
    )
    for weekday in range(5):
        WorkingInterval.objects.create(
            calendar=office, weekday=weekday, start=time(9), end=time(18)
        )
    _policy(world, calendar=office, breach_actions=[BreachAction.NOTIFY])
    world.l1_team.lead = world.lead.user
    world.l1_team.save()
    evening = datetime(2025, 6, 2, 9, 50, tzinfo=UTC)  # 17:50 Monday in Shanghai
    with time_machine.travel(evening, tick=False):
        ticket = factories.ticket(world.customer)
    queue.flush()
    sweep.sla_sweep(now=datetime(2025, 6, 2, 14, 0, tzinfo=UTC))  # 22:00: nothing due
    assert queue.pending_count() == 0
    # Tuesday 09:40: 50 business minutes used, past 75 %: warned, mailed at once
    tuesday_0940 = datetime(2025, 6, 3, 1, 40, tzinfo=UTC)
    assert sweep.sla_sweep(now=tuesday_0940).warnings == 1
    assert [queue.dequeue().eta for _ in range(queue.pending_count())] == [None]
    queue.flush()
    # Tuesday 22:00, first sweep since: both targets breached, mails wait for 09:00
    result = sweep.sla_sweep(now=datetime(2025, 6, 3, 14, 0, tzinfo=UTC))
    assert result.breaches == 2
    jobs = [queue.dequeue() for _ in range(queue.pending_count())]
    assert [job.eta for job in jobs] == [datetime(2025, 6, 4, 1, 0)]  # 09:00 Wednesday (UTC)
    assert len(jobs[0].args[0]) == 2  # one job carries the mails of both breaches
    assert len(_sla(ticket, "breach")) == 2


# --- Exactly once, concurrently and across crashes ------------------------------------------


@pytest.mark.django_db
def test_two_sweeps_that_found_the_same_timers_act_once(world):
    _policy(world, breach_actions=[BreachAction.RAISE_PRIORITY], resolution_minutes=None)
    ticket = _ticket(world)
    now = _at(61)
    found_by_first = sweep.due_timers(now=now)
    found_by_second = sweep.due_timers(now=now)
    assert found_by_first == found_by_second != []
    done = [sweep.timer_check(timer_id=t, ticket_id=k, now=now) for t, k in found_by_first]
    again = [sweep.timer_check(timer_id=t, ticket_id=k, now=now) for t, k in found_by_second]
    assert done == ["breach"]
    assert again == [None]
    ticket.refresh_from_db()
    assert ticket.priority == TicketPriority.HIGH  # raised once, not twice
    assert len(_sla(ticket, "breach")) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite's in-memory test database has no real locks"
)
def test_concurrent_sweeps_in_two_threads_act_once(world):  # pragma: no cover - PostgreSQL
    _policy(world, breach_actions=[BreachAction.RAISE_PRIORITY])
    tickets = [_ticket(world) for _ in range(20)]
    now = _at(600)
    barrier = threading.Barrier(2)
    real_due = sweep.due_timers
    results: list[sweep.SweepResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        from django.db import connections

        try:
            results.append(sweep.sla_sweep(now=now))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def due_then_wait(**kwargs: Any) -> list[tuple[int, int]]:
        found = real_due(**kwargs)
        if found:
            barrier.wait(timeout=30)  # both have found the same timers before either acts
        return found

    sweep.due_timers = due_then_wait  # type: ignore[assignment]
    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        sweep.due_timers = real_due  # type: ignore[assignment]
    assert errors == []
    assert sum(r.breaches for r in results) == 40
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.priority == TicketPriority.URGENT  # once per target: normal → high → urgent
        assert len(_sla(ticket, "breach")) == 2


class Killed(BaseException):
    """What a SIGKILL looks like from inside a transaction: it never commits."""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("chunk", "committed"), [(1, 1), (200, 0)])
def test_a_sweep_killed_mid_action_leaves_nothing_and_the_next_one_acts_once(
    world, queue, monkeypatch, chunk, committed
):
    world.l1_team.lead = world.lead.user
    world.l1_team.save()
    _policy(
        world,
        breach_actions=[BreachAction.RAISE_PRIORITY, BreachAction.NOTIFY],
        resolution_minutes=None,
    )
    first, second = _ticket(world), _ticket(world)
    queue.flush()
    now = _at(61)
    real_actions = sweep._breach_actions
    calls = {"n": 0}

    def act_then_die(*args: Any, **kwargs: Any) -> None:
        real_actions(*args, **kwargs)  # events written, priority raised...
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed  # ...and the process dies before the commit

    monkeypatch.setattr(sweep, "_breach_actions", act_then_die)
    with pytest.raises(Killed):
        sweep.sla_sweep(now=now, chunk=chunk)
    # one timer per transaction: the first breach committed, the second was lost with the
    # process; both in one transaction: nothing at all was written
    acted = [t for t in (first, second) if _sla(t, "breach")]
    assert len(acted) == committed
    assert queue.pending_count() == committed  # mails of committed breaches only
    monkeypatch.setattr(sweep, "_breach_actions", real_actions)

    assert sweep.sla_sweep(now=now).breaches == 2 - committed  # the lost ones, only they
    assert sweep.sla_sweep(now=now).breaches == 0
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.priority == TicketPriority.HIGH
        assert len(_sla(ticket, "breach")) == 1
    huey_drain()
    huey_drain()  # a retried or duplicated job sends nothing more
    sent = Notification.objects.filter(event__type=EventType.SLA, sent_at__isnull=False)
    assert sorted(n.event.ticket_id for n in sent) == sorted([first.pk, second.pk])
    assert {n.recipient for n in sent} == {world.lead.user.email}


@pytest.mark.django_db(transaction=True)
def test_one_bad_ticket_does_not_hold_up_the_others(world, queue, monkeypatch):
    _policy(world, breach_actions=[BreachAction.RAISE_PRIORITY], resolution_minutes=None)
    good, bad = _ticket(world), _ticket(world)
    real_raise = sweep.services.ticket_priority_raise

    def fails_for_bad(*, ticket: Ticket, reason: str) -> bool:
        if ticket.pk == bad.pk:
            raise RuntimeError("a broken row")
        return real_raise(ticket=ticket, reason=reason)

    monkeypatch.setattr(sweep.services, "ticket_priority_raise", fails_for_bad)
    result = sweep.sla_sweep(now=_at(61))
    assert (result.breaches, result.failed) == (1, 1)
    assert len(_sla(good, "breach")) == 1
    assert _sla(bad, "breach") == []  # rolled back: the next sweep tries it again
    monkeypatch.setattr(sweep.services, "ticket_priority_raise", real_raise)
    assert sweep.sla_sweep(now=_at(62)).breaches == 1


@pytest.mark.django_db
def test_a_sweep_killed_between_finding_and_acting_misses_nothing(world):
    _policy(world)
    ticket = _ticket(world)
    now = _at(61)
    assert sweep.due_timers(now=now)  # found... and the process dies here
    result = sweep.sla_sweep(now=now)  # the restarted worker's next sweep
    assert result.breaches == 1
    assert len(_sla(ticket, "breach")) == 1


@pytest.mark.django_db
def test_the_sweep_is_a_periodic_task_of_every_minute(world):
    from zhongtai.sla.tasks import sla_sweep_task

    periodic = sla_sweep_task.task_class()
    assert periodic.validate_datetime(datetime(2025, 6, 2, 3, 17))
    assert periodic.validate_datetime(datetime(2025, 6, 2, 3, 18))
    _policy(world)
    _ticket(world)
    with time_machine.travel(_at(61), tick=False):
        assert sla_sweep_task.call_local() == 1  # the breach (it supersedes the warnings)
