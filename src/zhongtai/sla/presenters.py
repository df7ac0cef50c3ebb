"""How service standards read to a customer: targets, working hours and time zones in words.

Pure: no models, no database. Texts go through gettext, so call these with the reader's
language active (a request does that; tests use ``translation.override``).

Durations are business time written as hours and minutes ("2 h 30 min"), never days: a
"business day" means different hours in different calendars, so it would be ambiguous.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

Interval = tuple[int, int]  # minutes from local midnight, as in ``zhongtai.sla.calendar``
DayHours = tuple[Interval, ...]


@dataclass(frozen=True)
class Condition:
    """One condition of a policy in words, e.g. ``Priority``: ``High, Urgent``."""

    label: str
    values: str


@dataclass(frozen=True)
class TargetText:
    """One measured target in words, e.g. ``First response``: ``4 h``."""

    label: str
    duration: str


@dataclass(frozen=True)
class HoursRow:
    """Consecutive weekdays with the same working hours, e.g. ``Mon–Fri``: ``09:00–18:00``."""

    days: str
    hours: str


@dataclass(frozen=True)
class Commitment:
    """A published service standard as a customer reads it.

    ``conditions`` is empty when the policy covers every request; ``hours`` is empty for a
    24×7 calendar (``always_open``) and for a calendar without working hours.
    """

    name: str
    conditions: tuple[Condition, ...]
    targets: tuple[TargetText, ...]
    always_open: bool
    hours: tuple[HoursRow, ...]
    holidays: str
    time_zone: str


def word_list(items: Iterable[str]) -> str:
    """Items joined by the language's list separator ("High, Urgent"; Chinese uses "、")."""
    return pgettext("list separator", ", ").join(items)


def duration_words(minutes: int) -> str:
    """Business minutes as hours and minutes: "30 min", "4 h", "2 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    minute_text = ngettext("%(count)d min", "%(count)d min", rest) % {"count": rest}
    if not hours:
        return minute_text
    hour_text = ngettext("%(count)d h", "%(count)d h", hours) % {"count": hours}
    if not rest:
        return hour_text
    return _("%(hours)s %(minutes)s") % {"hours": hour_text, "minutes": minute_text}


def clock(minute: int) -> str:
    """Minutes from midnight as a 24-hour clock time; 1440 (the next midnight) is "24:00"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def day_hours_words(hours: DayHours) -> str:
    """The intervals of one day: "09:00–12:00, 13:30–18:00"."""
    return word_list(f"{clock(start)}–{clock(end)}" for start, end in hours)


def day_span_words(first: int, last: int) -> str:
    """A run of weekdays (0 = Monday): "Mon", or "Mon–Fri"."""
    if first == last:
        return str(WEEKDAYS_ABBR[first])
    return _("%(first)s–%(last)s") % {
        "first": WEEKDAYS_ABBR[first],
        "last": WEEKDAYS_ABBR[last],
    }


def weekly_hours_rows(weekly: Sequence[DayHours]) -> tuple[HoursRow, ...]:
    """The working week grouped into runs of consecutive weekdays with equal hours.

    ``weekly`` has seven entries, Monday first; closed days are left out, so a gap splits
    a run ("Mon–Tue", "Thu–Fri" when Wednesday is closed).
    """
    rows: list[HoursRow] = []
    day = 0
    while day < len(weekly):
        hours = weekly[day]
        last = day
        while last + 1 < len(weekly) and weekly[last + 1] == hours:
            last += 1
        if hours:
            rows.append(HoursRow(days=day_span_words(day, last), hours=day_hours_words(hours)))
        day = last + 1
    return tuple(rows)


def time_zone_words(name: str, offset: timedelta | None) -> str:
    """An IANA zone with its current offset from UTC: "Asia/Shanghai (UTC+08:00)"."""
    if offset is None or name in {"UTC", "Etc/UTC"}:
        return name
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{name} (UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"
