"""Business-time arithmetic per second, in one process (target: >= 50,000 due times/s).

The mix of a helpdesk's SLA timers: a ticket created at a random second of 2025–2026
(seeded ``random.Random``), a target of 60–2,400 business minutes, on a Shanghai
calendar of 09:00–12:00 and 13:30–18:00, Monday to Friday, with the Chinese public
holidays and make-up workdays of 2025–2027. Also measured: business minutes between a
start and an end up to 10 days later, and the same due times on a Berlin calendar (DST)
with the German holidays. No Django, no database.

    .venv/bin/python bench/sla_calendar.py [--n 200000] [--rounds 5]

The first round starts with empty day caches; the table shows the median of the rounds
and the first (cold) round separately. "Calendar rebuilt" builds a new, equal Calendar
(7 weekdays and ~70 overrides, validated) for every computation, as a service that
reads the calendar from the database per ticket would; it runs on a tenth of the rows.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from zhongtai.sla.calendar import (
    Calendar,
    DayHours,
    add_business_minutes,
    business_minutes_between,
)
from zhongtai.sla.holidays import holiday_overrides

OFFICE: DayHours = ((540, 720), (810, 1080))
WEEKLY = (OFFICE,) * 5 + ((), ())
FIRST = datetime(2025, 1, 1, tzinfo=UTC)
Rows = list[tuple[datetime, int, datetime]]
SPAN_SECONDS = int((datetime(2027, 1, 1, tzinfo=UTC) - FIRST).total_seconds())


def calendar(zone: str, country: str) -> Calendar:
    load = holiday_overrides(country=country, years=(2025, 2026, 2027), workday_hours=OFFICE)
    return Calendar(zone, WEEKLY, load.overrides)


def workload(n: int, seed: int) -> Rows:
    """``n`` (start, target minutes, end up to 10 days after start) triples."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        start = FIRST + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        rows.append(
            (start, rng.randint(60, 2400), start + timedelta(minutes=rng.randrange(14_400)))
        )
    return rows


def rate(run: Callable[[], object], n: int) -> float:
    started = time.perf_counter()
    run()
    return n / (time.perf_counter() - started)


def due_times(cal: Calendar, rows: Rows) -> list[datetime]:
    return [add_business_minutes(cal, start, minutes) for start, minutes, _end in rows]


def spans(cal: Calendar, rows: Rows) -> list[float]:
    return [business_minutes_between(cal, start, end) for start, _minutes, end in rows]


def due_times_rebuilt(make: Callable[[], Calendar], rows: Rows) -> list[datetime]:
    """A new (equal) Calendar per computation, as a service that reads it from the database."""
    return [add_business_minutes(make(), start, minutes) for start, minutes, _end in rows]


def measure(name: str, make: Callable[[], Calendar], rows: Rows, rounds: int) -> None:
    results: dict[str, list[float]] = {"add": [], "between": [], "add, Calendar rebuilt": []}
    fixed = make()
    overrides = dict(fixed.overrides)
    for _ in range(rounds):
        # A new, equal calendar each round: the first round fills the day cache it shares.
        cal = make()
        results["add"].append(rate(partial(due_times, cal, rows), len(rows)))
        results["between"].append(rate(partial(spans, cal, rows), len(rows)))
        rebuild = partial(Calendar, fixed.time_zone, fixed.weekly, overrides)
        part = rows[: len(rows) // 10]
        results["add, Calendar rebuilt"].append(
            rate(partial(due_times_rebuilt, rebuild, part), len(part))
        )
    for what, rates in results.items():
        print(f"| {name} | {what} | {statistics.median(rates):,.0f} | {rates[0]:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="computations per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rows = workload(args.n, args.seed)
    print(f"Python {sys.version.split()[0]}, {args.n:,} computations x {args.rounds} rounds")
    print("| calendar | function | per s (median) | per s (cold round) |")
    print("|---|---|---|---|")
    measure(
        "Asia/Shanghai + CN holidays", lambda: calendar("Asia/Shanghai", "CN"), rows, args.rounds
    )
    measure(
        "Europe/Berlin + DE holidays", lambda: calendar("Europe/Berlin", "DE"), rows, args.rounds
    )


if __name__ == "__main__":
    main()
