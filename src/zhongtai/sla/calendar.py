"""Business-time arithmetic of SLA timers: pure functions, no Django models, no database.

A :class:`Calendar` says when a business unit works:

* ``weekly``: the working hours of each weekday (index 0 = Monday), as intervals of
  *local wall-clock minutes* from midnight, e.g. ``((540, 720), (810, 1080))`` for
  09:00–12:00 and 13:30–18:00. ``()`` is a closed day. An interval is half-open
  ``[start, end)`` and ``end`` may be 1440 (the next midnight).
* ``overrides``: the exact hours of single *local dates*, replacing the weekday's hours:
  ``()`` closes the day (a public holiday), a full set of hours opens it (a make-up
  workday, 调休). :func:`zhongtai.sla.holidays.holiday_overrides` builds these from the
  holiday libraries; a person may add or change any date by hand.
* ``time_zone``: the IANA name of the zone the wall-clock hours are read in.
* ``always_open``: a 24×7 calendar (urgent incidents): every instant is business time,
  ``weekly`` and ``overrides`` are ignored. Build one as
  ``Calendar("UTC", ((),) * 7, always_open=True)``.

From wall clock to real time
----------------------------
The hours of each local date are mapped to real instants with :mod:`zoneinfo`, and
business time is the union of the resulting real-time intervals. Two cases need a rule:

* A wall time that does not exist (the hour skipped when clocks go forward) maps
  *forward* to the instant of the change: on 2025-03-09 in America/New_York,
  02:30 maps to 03:00 EDT (07:00 UTC).
* A wall time that exists twice (the hour repeated when clocks go back) maps to its
  *first* occurrence (``fold=0``), always.

So a working interval that spans a change is 60 minutes shorter (spring forward) or
longer (fall back) in real time than on the wall: 01:00–04:00 on a spring-forward day is
two real hours of business time, on a fall-back day four. An interval that lies wholly
in the skipped hour is empty. SLA targets count real elapsed business time.

Results and precision
---------------------
Every function takes timezone-aware datetimes (a naive one raises ``ValueError``) and
returns datetimes in UTC. Instants are handled as POSIX seconds, so results are exact to
the microsecond for the whole-minute targets SLAs use, and within a microsecond or so
otherwise.

Termination
-----------
A calendar may have no working time at all, or none for a long stretch. Every search for
the next working time looks at most ``3 × 366`` consecutive local days without any; past
that it raises ``ValueError("calendar has no working time")`` instead of looping forever.

Speed
-----
Each local date's real intervals are computed once per calendar and cached (calendars
that compare equal share the cache; see :func:`_cache_of`), so a due-time computation is
a short walk over cached days: well over 50,000 per second in one process
(``bench/sla_calendar.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Interval = tuple[int, int]  # minutes from local midnight, start < end, end <= 1440
DayHours = tuple[Interval, ...]  # sorted, non-overlapping

MINUTES_PER_DAY = 1440
FULL_DAY: DayHours = ((0, MINUTES_PER_DAY),)

# How many consecutive local days without working time a search walks before it gives up.
_MAX_EMPTY_DAYS = 3 * 366
# Per calendar, how many local days stay cached (about 20 years) before the cache restarts.
_MAX_CACHED_DAYS = 8_000
# How many distinct calendars keep a shared cache of their days.
_MAX_SHARED_CALENDARS = 64

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# A local date in real time: its business intervals as POSIX seconds [start, end), sorted,
# disjoint and non-empty, and their total length in seconds.
_RealDay = tuple[tuple[tuple[int, int], ...], int]


class _FrozenOverrides(Mapping[date, DayHours]):
    """A read-only, hashable copy of a calendar's overrides, so that Calendar is hashable."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: dict[date, DayHours]) -> None:
        self._data = data
        self._hash: int | None = None

    def __getitem__(self, key: date) -> DayHours:
        return self._data[key]

    def __iter__(self) -> Iterator[date]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _FrozenOverrides):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return repr(self._data)


@dataclass(frozen=True)
class Calendar:
    """When a business unit works (see the module docstring for the exact semantics).

    The constructor accepts any mapping (a dict) for ``overrides`` and lists for the
    hours; it validates everything and stores read-only, hashable copies. Raises
    ``ValueError`` for an unknown time zone, a ``weekly`` that has not 7 entries, or
    hours that are not sorted, non-overlapping ``(start, end)`` minute pairs with
    ``0 <= start < end <= 1440``.
    """

    time_zone: str
    weekly: tuple[DayHours, ...]
    overrides: Mapping[date, DayHours] = field(default_factory=dict)
    always_open: bool = False

    def __post_init__(self) -> None:
        _zone(self.time_zone)
        if len(self.weekly) != 7:
            raise ValueError(f"weekly needs 7 days (Monday first), got {len(self.weekly)}")
        overrides: dict[date, DayHours] = {}
        for day, hours in self.overrides.items():
            if type(day) is not date and (not isinstance(day, date) or isinstance(day, datetime)):
                raise ValueError(f"override keys are local dates, got {day!r}")
            overrides[day] = _checked_day_hours(hours)
        weekly = tuple(_checked_day_hours(hours) for hours in self.weekly)
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "overrides", _FrozenOverrides(overrides))
        object.__setattr__(self, "always_open", bool(self.always_open))


def hours_on(calendar: Calendar, day: date) -> DayHours:
    """The wall-clock working hours of a local date: its override, else its weekday's hours.

    A 24×7 calendar works the full day (``((0, 1440),)``) on every date.
    """
    if isinstance(day, datetime):
        raise ValueError("hours_on takes a local date, not a datetime")
    if calendar.always_open:
        return FULL_DAY
    hours = calendar.overrides.get(day)
    return calendar.weekly[day.weekday()] if hours is None else hours


def is_business_time(calendar: Calendar, instant: datetime) -> bool:
    """Whether ``instant`` lies in business time (interval starts count, ends do not)."""
    instant_utc = _to_utc(instant)
    if calendar.always_open:
        return True
    cache = _cache_of(calendar)
    t = instant_utc.timestamp()
    intervals, _total = cache.day(instant_utc.astimezone(cache.zone).toordinal())
    return any(start <= t < end for start, end in intervals)


def add_business_minutes(calendar: Calendar, start: datetime, minutes: float) -> datetime:
    """The instant (UTC) at which ``minutes`` of business time have elapsed after ``start``.

    ``start`` may lie outside business time: the count begins at the next business
    instant. For ``minutes == 0`` the result is ``start`` itself (in UTC), even outside
    business time: a zero target is due immediately. When the target is used up exactly
    at the end of a working interval, the result is that end (18:00, not the next
    morning). Raises ``ValueError`` for negative or non-finite ``minutes``, a naive
    ``start`` or a calendar without working time.
    """
    start_utc = _to_utc(start)
    seconds = _checked_seconds(minutes)
    if seconds == 0:
        return start_utc
    if calendar.always_open:
        return start_utc + timedelta(seconds=seconds)
    cache = _cache_of(calendar)
    ordinal = start_utc.astimezone(cache.zone).toordinal()
    return _walk_forward(cache, ordinal, start_utc, seconds)


def business_minutes_between(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Business time in ``[start, end)``, in minutes; 0 when ``end <= start``.

    The inverse of :func:`add_business_minutes`: for ``m > 0``,
    ``business_minutes_between(c, s, add_business_minutes(c, s, m)) == m`` (to float
    precision). Walks every local date between the two, so it costs O(days).
    """
    start_utc, end_utc = _to_utc(start), _to_utc(end)
    if end_utc <= start_utc:
        return 0.0
    if calendar.always_open:
        return (end_utc - start_utc).total_seconds() / 60
    cache = _cache_of(calendar)
    t0, t1 = start_utc.timestamp(), end_utc.timestamp()
    first = start_utc.astimezone(cache.zone).toordinal()
    last = end_utc.astimezone(cache.zone).toordinal()
    days, load = cache.days, cache.day
    seconds = 0.0
    for ordinal in range(first, last + 1):
        intervals, day_total = days.get(ordinal) or load(ordinal)
        if first < ordinal < last:
            # Every instant of a date strictly between the two lies in [start, end).
            seconds += day_total
            continue
        for lo, hi in intervals:
            lo_t, hi_t = max(lo, t0), min(hi, t1)
            if hi_t > lo_t:
                seconds += hi_t - lo_t
    return seconds / 60


def next_business_instant(calendar: Calendar, instant: datetime) -> datetime:
    """``instant`` (in UTC) if it is business time, else the start of the next working interval.

    Raises ``ValueError`` for a calendar without working time.
    """
    instant_utc = _to_utc(instant)
    if calendar.always_open:
        return instant_utc
    cache = _cache_of(calendar)
    t = instant_utc.timestamp()
    ordinal = instant_utc.astimezone(cache.zone).toordinal()
    for _ in range(_MAX_EMPTY_DAYS + 1):
        for start, end in cache.day(ordinal)[0]:
            if end > t:
                return instant_utc if start <= t else _EPOCH + timedelta(seconds=start)
        ordinal += 1
    raise ValueError("calendar has no working time")


# --- internals -------------------------------------------------------------------------


def _walk_forward(
    cache: _DayCache, ordinal: int, start_utc: datetime, remaining: float
) -> datetime:
    """Spend ``remaining`` seconds of business time from ``start_utc``, whose local date
    has the proleptic ordinal ``ordinal``; the hot loop of :func:`add_business_minutes`."""
    t = start_utc.timestamp()
    days, load = cache.days, cache.day
    empty_days = 0
    while True:
        intervals, day_total = days.get(ordinal) or load(ordinal)
        if not day_total:
            empty_days += 1
            if empty_days > _MAX_EMPTY_DAYS:
                raise ValueError("calendar has no working time")
        elif intervals[0][0] >= t and remaining > day_total:
            # The whole day lies after the start and does not use the target up: skip it.
            remaining -= day_total
            empty_days = 0
        else:
            empty_days = 0
            for lo, hi in intervals:
                if hi <= t:
                    continue
                if lo <= t:
                    if remaining <= hi - t:
                        return start_utc + timedelta(seconds=remaining)
                    remaining -= hi - t
                elif remaining <= hi - lo:
                    return _EPOCH + timedelta(seconds=lo + remaining)
                else:
                    remaining -= hi - lo
        ordinal += 1


class _DayCache:
    """The real business intervals of a calendar's local dates, computed on first use."""

    __slots__ = ("calendar", "days", "zone")

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.zone = _zone(calendar.time_zone)
        self.days: dict[int, _RealDay] = {}

    def day(self, ordinal: int) -> _RealDay:
        found = self.days.get(ordinal)
        if found is None:
            if len(self.days) >= _MAX_CACHED_DAYS:
                self.days.clear()
            found = self.days[ordinal] = _real_day(self.calendar, self.zone, ordinal)
        return found


_SHARED: dict[Calendar, _DayCache] = {}


def _cache_of(calendar: Calendar) -> _DayCache:
    """The day cache of ``calendar``, remembered on the instance after the first call.

    Calendars that compare equal share one cache, so a service that rebuilds its
    Calendar from the database for every ticket still computes each date once. The
    shared table holds up to :data:`_MAX_SHARED_CALENDARS` calendars and then starts
    afresh.
    """
    cache = calendar.__dict__.get("_day_cache")
    if cache is None:
        cache = _SHARED.get(calendar)
        if cache is None:
            if len(_SHARED) >= _MAX_SHARED_CALENDARS:
                _SHARED.clear()  # atomic, so safe in threaded workers; rarely reached
            cache = _SHARED[calendar] = _DayCache(calendar)
        # A frozen dataclass refuses setattr; the cache is no field (not compared, hashed
        # or shown) and only memoises values derived from the fields.
        object.__setattr__(calendar, "_day_cache", cache)
    return cast(_DayCache, cache)


def _real_day(calendar: Calendar, zone: ZoneInfo, ordinal: int) -> _RealDay:
    """Map the wall-clock hours of a local date to POSIX-second intervals (merged, non-empty)."""
    day = date.fromordinal(ordinal)
    merged: list[tuple[int, int]] = []
    for start_minute, end_minute in hours_on(calendar, day):
        start = _wall_to_posix(zone, day, start_minute)
        end = _wall_to_posix(zone, day, end_minute)
        if end <= start:  # wholly inside the hour skipped by a DST change
            continue
        if merged and merged[-1][1] >= start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged), sum(end - start for start, end in merged)


def _wall_to_posix(zone: ZoneInfo, day: date, minute: int) -> int:
    """The instant (POSIX seconds) of wall time ``minute`` of local date ``day``.

    A repeated wall time gives its first occurrence (fold=0); a skipped one gives the
    instant of the change (the first instant after the gap). Minute 1440 is the next
    local midnight.
    """
    wall = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=minute)
    posix = int(wall.timestamp())
    if datetime.fromtimestamp(posix, zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return posix
    # Skipped wall time. fold=0 read it with the offset before the change (an instant
    # after the change), fold=1 with the offset after it (an instant before): the change
    # lies between the two; find it to the second.
    after, before = posix, int(wall.replace(fold=1).timestamp())
    offset_after = datetime.fromtimestamp(after, zone).utcoffset()
    while after - before > 1:
        middle = (after + before) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return after


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


# Day hours already validated, so that rebuilding a calendar (from the database, per
# ticket) does not re-check its dozens of identical holiday overrides (construction of a
# calendar with the CN holidays: 24 -> 9 µs).
_VALID_HOURS: dict[DayHours, DayHours] = {}


def _checked_day_hours(hours: DayHours) -> DayHours:
    """Validate one day's hours and return them as a tuple of int pairs."""
    if type(hours) is tuple:
        try:
            return _VALID_HOURS[hours]
        except (KeyError, TypeError):  # TypeError: an unhashable pair such as a list
            pass
    checked = _check_day_hours(hours)
    if len(_VALID_HOURS) < 1024:
        _VALID_HOURS[checked] = checked
    return checked


def _check_day_hours(hours: DayHours) -> DayHours:
    """The checks behind :func:`_checked_day_hours` (which memoises them)."""
    checked: list[Interval] = []
    previous_end = 0
    for interval in hours:
        if len(interval) != 2:
            raise ValueError(f"an interval is a (start, end) pair, got {interval!r}")
        start, end = interval
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            raise ValueError(f"interval bounds are whole minutes, got {interval!r}")
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"an interval needs 0 <= start < end <= 1440, got {interval!r}")
        if start < previous_end:
            raise ValueError(f"intervals must be sorted and not overlap, got {hours!r}")
        checked.append((start, end))
        previous_end = end
    return tuple(checked)


def _to_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {instant!r}")
    return instant.astimezone(UTC)


def _checked_seconds(minutes: float) -> float:
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"minutes must be a finite number >= 0, got {minutes!r}")
    return minutes * 60
