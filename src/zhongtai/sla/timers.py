"""One SLA clock (first response, next response or resolution) as pure data and rules.

A clock starts at an instant, runs in the business time of a calendar, stops counting
while the ticket waits on the customer (pauses), and ends when it is fulfilled. Its
due time is recomputed from these facts whenever they change: a new target (priority or
tier changed), another calendar or policy, a pause or a resume. Nothing here is stored;
the caller keeps the facts on the ticket's timer row and asks this module.

Rules (each has an example test in ``tests/sla/test_timers.py``):

* Business minutes spent inside a pause do not count; a pause outside working hours
  costs nothing and changes nothing.
* While a pause is open the clock is paused: there is no due time, and the time left
  is frozen at what it was when the pause began.
* A target is met when the clock is fulfilled at or before its due time, breached when
  it is fulfilled after it, or when the due time has passed without fulfilment.
* Changing the target recomputes from the original start with the same pauses, so a
  ticket raised from "normal" to "urgent" can be overdue at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from zhongtai.sla.calendar import (
    Calendar,
    add_business_minutes,
    business_minutes_between,
)

Pause = tuple[datetime, datetime | None]  # (began, ended); ``None``: still paused


class ClockStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


@dataclass(frozen=True)
class Clock:
    """The facts of one clock. ``pauses`` are in time order and do not overlap."""

    started_at: datetime
    target_minutes: float
    pauses: tuple[Pause, ...] = ()
    fulfilled_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.target_minutes < 0:
            raise ValueError("a target cannot be negative")
        previous_end = self.started_at
        for index, (began, ended) in enumerate(self.pauses):
            if began < previous_end:
                raise ValueError("pauses must follow the start and each other")
            if ended is None and index != len(self.pauses) - 1:
                raise ValueError("only the last pause may be open")
            if ended is not None and ended < began:
                raise ValueError("a pause cannot end before it begins")
            previous_end = ended or began

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None


@dataclass(frozen=True)
class ClockState:
    """What a person sees: status, due time, business minutes left and share used."""

    status: ClockStatus
    due_at: datetime | None
    minutes_left: float
    percent_used: float


def elapsed_minutes(calendar: Calendar, clock: Clock, at: datetime) -> float:
    """Business minutes the clock has counted up to ``at`` (pauses excluded)."""
    counted = 0.0
    cursor = clock.started_at
    for began, ended in clock.pauses:
        if at <= began:
            break
        counted += business_minutes_between(calendar, cursor, began)
        if ended is None or at <= ended:
            return counted
        cursor = ended
    return counted + business_minutes_between(calendar, cursor, at)


def due_at(calendar: Calendar, clock: Clock) -> datetime | None:
    """When the target is used up, counting only unpaused business time.

    ``None`` while a pause is open and the target was not already used up before it.
    """
    remaining = float(clock.target_minutes)
    cursor = clock.started_at
    for began, ended in clock.pauses:
        used = business_minutes_between(calendar, cursor, began)
        if used >= remaining:
            return add_business_minutes(calendar, cursor, remaining)
        remaining -= used
        if ended is None:
            return None
        cursor = ended
    return add_business_minutes(calendar, cursor, remaining)


def clock_state(calendar: Calendar, clock: Clock, now: datetime) -> ClockState:
    """The clock as of ``now``: running, paused, met or breached, and how much is left."""
    end = clock.fulfilled_at or now
    due = due_at(calendar, clock)
    used = elapsed_minutes(calendar, clock, end)
    target = float(clock.target_minutes)
    percent = 100.0 if target == 0 else 100.0 * used / target
    left = max(0.0, target - used)
    if clock.fulfilled_at is not None:
        met = due is None or clock.fulfilled_at <= due
        return ClockState(ClockStatus.MET if met else ClockStatus.BREACHED, due, left, percent)
    if due is not None and now >= due:
        return ClockState(ClockStatus.BREACHED, due, 0.0, percent)
    status = ClockStatus.PAUSED if clock.is_paused else ClockStatus.RUNNING
    return ClockState(status, due, left, percent)


def thresholds_crossed(state: ClockState, thresholds: list[int]) -> list[int]:
    """The warning thresholds (percent of target) that the clock has reached."""
    return [value for value in sorted(thresholds) if state.percent_used >= value]
