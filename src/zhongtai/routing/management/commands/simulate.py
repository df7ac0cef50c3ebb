"""``zhongtai simulate``: a day of ticket arrivals through the real assignment code.

    zhongtai simulate --scenario FILE [--strategy NAME ...] [--json [OUT]]
    zhongtai simulate --history-of UNIT --day YYYY-MM-DD [--out FILE]

Runs the scenario's day once per routing strategy (``zhongtai.routing.simulate``, no
database) and prints one row per strategy: wait to first response (mean and p90), SLA
attainment, utilisation per group of agents, tickets sent to the surge and backup lanes,
the longest queue and the tickets not started by the end of the day. ``--json`` also
writes the report as JSON to OUT, or to standard output: then the table goes to standard
error, so that the JSON can be piped. A bad scenario stops the command with the field at
fault before anything is printed.

``--history-of`` writes the unit's real arrivals of a day as JSONL (``routing.history``),
for a scenario's ``from_history``: what last year's festival day would do with surge.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhongtai.core.models import Tenant
from zhongtai.routing.history import arrivals_of
from zhongtai.routing.simulate import (
    STRATEGIES,
    Report,
    ScenarioError,
    StrategyResult,
    clock_text,
    scenario_load,
    simulate,
)


class Command(BaseCommand):
    help = "Simulate a day of ticket arrivals and compare routing strategies."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scenario", help="the scenario (a JSON file)")
        parser.add_argument(
            "--history-of", dest="history_of", metavar="UNIT", help="export a unit's arrivals"
        )
        parser.add_argument("--day", help="the day to export (YYYY-MM-DD, the unit's time)")
        parser.add_argument("--out", help="where the export goes (default: standard output)")
        parser.add_argument(
            "--strategy",
            action="append",
            dest="strategies",
            metavar="NAME",
            help="run this strategy (repeatable; default: the scenario's list): "
            + ", ".join(STRATEGIES),
        )
        parser.add_argument(
            "--json",
            nargs="?",
            const="-",
            help="also write the report as JSON, to this file (or to standard output)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["history_of"]:
            self.export(options["history_of"], options["day"], options["out"])
            return
        path = options["scenario"]
        if not path:
            raise CommandError("Give --scenario FILE (or --history-of UNIT --day DAY).")
        try:
            report = simulate(scenario_load(path), options["strategies"])
        except ScenarioError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        out = options["json"]
        text = json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"
        if out and out != "-":
            try:
                with open(out, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as exc:
                raise CommandError(f"Cannot write {out}: {exc.strerror}") from exc
        for line in table(report):
            if out == "-":
                self.stderr.write(line, style_func=str)
            else:
                self.stdout.write(line)
        if out == "-":
            self.stdout.write(text, ending="")

    def export(self, slug: str, day: str | None, out: str | None) -> None:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No business unit {slug!r}.")
        try:
            when = date.fromisoformat(day or "")
        except ValueError as exc:
            raise CommandError("Give --day as YYYY-MM-DD.") from exc
        lines = [
            json.dumps(row, ensure_ascii=False) for row in arrivals_of(tenant=tenant, day=when)
        ]
        text = "".join(line + "\n" for line in lines)
        if out:
            try:
                with open(out, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as exc:
                raise CommandError(f"Cannot write {out}: {exc.strerror}") from exc
            self.stderr.write(f"{len(lines)} arrivals written to {out}", style_func=str)
        else:
            self.stdout.write(text, ending="")


def table(report: Report) -> list[str]:
    """The report as aligned lines: a heading, then one row per strategy."""
    s = report.scenario
    groups = list(dict.fromkeys(g for r in report.results for g in r.utilisation))
    header = [
        "strategy",
        "mean wait",
        "p90 wait",
        "SLA met",
        *(f"util {group}" for group in groups),
        "to surge",
        "to backup",
        "max queue",
        "not started",
    ]
    rows = [header, *(_cells(result, groups) for result in report.results)]
    widths = [max(len(row[n]) for row in rows) for n in range(len(header))]
    lines = [
        f"{s.name}: {clock_text(s.start)}-{clock_text(s.end)}, multiplier {s.multiplier:g}, "
        f"{report.tickets} tickets, first response target {s.target:g} min"
    ]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _cells(result: StrategyResult, groups: list[str]) -> list[str]:
    def number(value: float | None, unit: str) -> str:
        return "-" if value is None else f"{value:.1f}{unit}"

    return [
        result.strategy,
        number(result.mean_wait, " min"),
        number(result.p90_wait, " min"),
        number(result.sla_met, "%"),
        *(number(result.utilisation.get(group), "%") for group in groups),
        str(result.lanes.get("surge", 0)),
        str(result.lanes.get("backup", 0)),
        str(result.max_queue),
        str(result.waiting_at_end),
    ]
