"""``zhongtai import customers|contacts|contracts|assets|purchases``: rows from a CRM or
ERP into a unit, keyed by the source system's external id.

    zhongtai import customers --tenant sh --csv customers.csv
    zhongtai import contacts --tenant sh --jsonl contacts.jsonl --partial
    zhongtai import contracts --tenant sh --csv contracts.csv --dry-run --actor lead

A new row is created, a changed one updated, one equal to what is stored left alone (the
same file twice writes nothing). A rejected row rejects the whole batch, unless
``--partial``: then the valid rows are written. The report names each rejected row by its
line (the header is line 1) with the reasons. Exit status: 0 when the batch was written
(with ``--dry-run``: would be), 1 when it was rejected or the file could not be read, 3
when ``--partial`` left rows out. The columns are in docs/customers.md.

(The file is named after the command, ``import``: Django loads it by name, so the Python
keyword does no harm.)
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import User
from zhongtai.accounts.selectors import membership_list
from zhongtai.core.errors import ApplicationError
from zhongtai.core.models import Tenant
from zhongtai.customers.imports import KINDS, BadFile, ImportReport, file_import

EXIT_REJECTED = 1
EXIT_PARTIAL = 3


class Command(BaseCommand):
    help = "Import customers, contacts, contracts, assets or purchases from a CSV or JSONL file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="what the rows are")
        parser.add_argument("--tenant", required=True, help="the business unit's slug")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--csv", metavar="FILE", help="a CSV file with a header line")
        source.add_argument("--jsonl", metavar="FILE", help="one JSON object per line")
        parser.add_argument(
            "--partial", action="store_true", help="write the valid rows, report the others"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument("--actor", metavar="USERNAME", help="who the profiles say did it")
        parser.add_argument(
            "--encoding",
            help="the file's encoding when it is not UTF-8 (e.g. gb18030 for Excel's CSV)",
        )
        parser.add_argument(
            "--show", type=int, default=20, metavar="N", help="rejected rows to print (20)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(_("No business unit %(slug)r.") % {"slug": options["tenant"]})
        actor = _actor(tenant, options["actor"])
        path = options["csv"] or options["jsonl"]
        try:
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
            report = file_import(
                tenant=tenant,
                kind=options["kind"],
                raw=raw,
                fmt="csv" if options["csv"] else "jsonl",
                encoding=options["encoding"],
                actor=actor,
                partial=options["partial"],
                dry_run=options["dry_run"],
            )
        except BadFile as exc:
            for error in exc.errors:
                self.stdout.write(_line(int(error["line"]), "", [error]))
            message = _("Nothing was imported: %(reason)s") % {"reason": exc.message}
            raise CommandError(message, returncode=EXIT_REJECTED) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self._report(report, path, options["show"])

    def _report(self, report: ImportReport, path: str, show: int) -> None:
        for warning in report.warnings:
            self.stdout.write(warning)
        for row in report.rows[:show]:
            self.stdout.write(_line(row.line, row.external_id, row.reasons))
        if report.rejected > show:
            more = _("… and %(n)d more rejected rows.") % {"n": report.rejected - show}
            self.stdout.write(more)
        self.stdout.write(
            _(
                "%(kind)s from %(path)s: %(total)d rows, %(created)d created, %(updated)d "
                "updated, %(unchanged)d unchanged, %(rejected)d rejected; %(tiers)d tiers moved."
            )
            % {
                **report.as_dict(),
                "path": path,
                "total": report.total,
                "tiers": report.tiers_changed,
            }
        )
        if report.dry_run:
            verdict = _("Dry run: nothing was written.")
            self.stdout.write(verdict)
        if not report.committed and report.rejected:
            message = _(
                "The batch was rejected and nothing was written (--partial writes the valid rows)."
            )
            raise CommandError(message, returncode=EXIT_REJECTED)
        if report.rejected:
            message = _("%(n)d rows were rejected; the others were written.") % {
                "n": report.rejected
            }
            raise CommandError(message, returncode=EXIT_PARTIAL)


def _actor(tenant: Tenant, username: str | None) -> Actor | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    membership = membership_list(user=user).filter(tenant=tenant).first() if user else None
    if membership is None:
        raise CommandError(
            _("%(user)r is not a member of %(unit)s.") % {"user": username, "unit": tenant.slug}
        )
    return Actor(membership)


def _line(line: int, external_id: str, reasons: list[dict[str, Any]]) -> str:
    where = _("line %(line)d") % {"line": line}
    if external_id:
        where += f" ({external_id})"
    text = "; ".join(
        f"{r['field']}: {r['message']}" if r.get("field") else str(r["message"]) for r in reasons
    )
    return f"{where}: {text}"
