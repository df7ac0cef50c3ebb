"""``zhongtai demo``: load the demo data set and print its logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhongtai.core.demo import (
    DEFAULT_SEED,
    DEFAULT_TICKETS,
    DemoLogin,
    DemoRefused,
    demo_load,
)


class Command(BaseCommand):
    help = (
        "Load demo data: two business units (Chinese equipment after-sales, English SaaS "
        "customer success), staff, customers and a few months of tickets. Does nothing if "
        "the demo is already loaded (--reset reloads it); refuses to run on a database with "
        "other data unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=DEFAULT_TICKETS)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--reset", action="store_true", help="Wipe the demo data and load it again."
        )
        parser.add_argument(
            "--force", action="store_true", help="Load even if the database holds other data."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tickets"] < 0:
            raise CommandError("--tickets must be 0 or more.")
        try:
            result = demo_load(
                tickets=options["tickets"],
                seed=options["seed"],
                force=options["force"],
                reset=options["reset"],
            )
        except DemoRefused as exc:
            raise CommandError(f"{exc}. Use --force to load the demo anyway.") from exc
        counts = ", ".join(f"{n} {what}" for what, n in result.counts.items())
        if result.loaded:
            self.stdout.write(
                self.style.SUCCESS(f"Demo loaded in {result.seconds:.1f} s: {counts}.")
            )
        else:
            self.stdout.write(
                f"The demo is already loaded ({counts}); `zhongtai demo --reset` reloads it."
            )
        self.stdout.write(self._table(result.logins))

    def _table(self, logins: list[DemoLogin]) -> str:
        header = DemoLogin("username", "password", "role", "unit")
        rows = [header, *logins]
        widths = [max(len(getattr(r, f)) for r in rows) for f in ("username", "password", "role")]
        lines = ["", "Logins (every demo user has the same password):"]
        for row in rows:
            lines.append(
                f"  {row.username:<{widths[0]}}  {row.password:<{widths[1]}}  "
                f"{row.role:<{widths[2]}}  {row.unit}"
            )
        lines.append(
            "  …and more portal logins sh.c003-sh.c030 and saas.c003-saas.c030 (same password)."
        )
        return "\n".join(lines)
