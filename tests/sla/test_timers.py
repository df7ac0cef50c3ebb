"""One example test per clock rule (pause, resume, fulfil, breach, recompute)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from zhongtai.sla.calendar import Calendar
from zhongtai.sla.timers import (
    Clock,
    ClockStatus,
    clock_state,
    due_at,
    elapsed_minutes,
    thresholds_crossed,
)

# Monday to Friday, 09:00–18:00 UTC. 2025-03-03 is a Monday.
OFFICE = Calendar("UTC", (((540, 1080),),) * 5 + ((), ()))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def test_running_clock_is_due_after_target_business_minutes():
    clock = Clock(started_at=at(3, 17), target_minutes=120)
    assert due_at(OFFICE, clock) == at(4, 10)  # 1 h on Monday, 1 h on Tuesday
    state = clock_state(OFFICE, clock, at(4, 9))
    assert (state.status, state.minutes_left, state.percent_used) == (ClockStatus.RUNNING, 60, 50)


def test_pause_moves_the_due_time_by_the_business_time_it_covered():
    clock = Clock(started_at=at(3, 9), target_minutes=240, pauses=((at(3, 10), at(3, 12)),))
    assert due_at(OFFICE, clock) == at(3, 15)  # 13:00 + 2 h paused


def test_pause_outside_working_hours_changes_nothing():
    plain = Clock(started_at=at(3, 17), target_minutes=120)
    night = Clock(started_at=at(3, 17), target_minutes=120, pauses=((at(3, 19), at(4, 8)),))
    assert due_at(OFFICE, night) == due_at(OFFICE, plain)


def test_open_pause_has_no_due_time_and_freezes_time_left():
    clock = Clock(started_at=at(3, 9), target_minutes=240, pauses=((at(3, 10), None),))
    assert due_at(OFFICE, clock) is None
    state = clock_state(OFFICE, clock, at(5, 16))
    assert (state.status, state.minutes_left) == (ClockStatus.PAUSED, 180)
    assert elapsed_minutes(OFFICE, clock, at(5, 16)) == 60


def test_resume_continues_from_where_the_pause_began():
    clock = Clock(started_at=at(3, 9), target_minutes=240, pauses=((at(3, 10), at(4, 9)),))
    assert due_at(OFFICE, clock) == at(4, 12)


def test_fulfilled_on_time_is_met_and_late_is_breached():
    start = at(3, 9)
    assert clock_state(OFFICE, Clock(start, 60, (), at(3, 10)), at(6, 9)).status == "met"
    assert clock_state(OFFICE, Clock(start, 60, (), at(3, 10, 1)), at(6, 9)).status == "breached"


def test_unfulfilled_past_due_is_breached_even_if_paused_after_due():
    clock = Clock(started_at=at(3, 9), target_minutes=60, pauses=((at(3, 11), None),))
    assert due_at(OFFICE, clock) == at(3, 10)
    state = clock_state(OFFICE, clock, at(3, 12))
    assert (state.status, state.minutes_left) == (ClockStatus.BREACHED, 0)


def test_a_new_target_recomputes_from_the_original_start():
    normal = Clock(started_at=at(3, 9), target_minutes=480, pauses=((at(3, 10), at(3, 11)),))
    urgent = Clock(normal.started_at, 60, normal.pauses)
    assert due_at(OFFICE, normal) == at(3, 18)  # 8 h counted of a 9-h day with 1 h paused
    assert due_at(OFFICE, urgent) == at(3, 10)
    assert clock_state(OFFICE, urgent, at(3, 15)).status == ClockStatus.BREACHED


def test_warning_thresholds_crossed():
    clock = Clock(started_at=at(3, 9), target_minutes=100)
    state = clock_state(OFFICE, clock, at(3, 10, 20))  # 80 of 100 minutes
    assert thresholds_crossed(state, [90, 75]) == [75]


@pytest.mark.parametrize(
    "pauses",
    [
        ((at(3, 8), at(3, 10)),),  # before the start
        ((at(3, 10), None), (at(3, 11), at(3, 12))),  # an open pause that is not last
        ((at(3, 12), at(3, 11)),),  # ends before it begins
        ((at(3, 10), at(3, 12)), (at(3, 11), at(3, 13))),  # overlapping
    ],
)
def test_inconsistent_pauses_are_refused(pauses):
    with pytest.raises(ValueError, match="pause"):
        Clock(started_at=at(3, 9), target_minutes=60, pauses=pauses)


def test_negative_target_is_refused():
    with pytest.raises(ValueError, match="negative"):
        Clock(started_at=at(3, 9), target_minutes=-1)
