"""``zhongtai export customers|contacts|contracts|assets|purchases``: a unit's rows in the
columns ``zhongtai import`` reads, so that the file imports again with no change.

    zhongtai export customers --tenant sh --csv customers.csv
    zhongtai export contacts --tenant sh --jsonl -        (to standard output)

Only rows with an external id are written (see docs/customers.md).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhongtai.core.models import Tenant
from zhongtai.customers.exports import rows_export
from zhongtai.customers.imports import KINDS


class Command(BaseCommand):
    help = "Export customers, contacts, contracts, assets or purchases as CSV or JSONL."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="what the rows are")
        parser.add_argument("--tenant", required=True, help="the business unit's slug")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--csv", metavar="FILE", help="write CSV here (- for stdout)")
        target.add_argument("--jsonl", metavar="FILE", help="write JSON Lines here (- for stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(_("No business unit %(slug)r.") % {"slug": options["tenant"]})
        fmt = "csv" if options["csv"] else "jsonl"
        path = options["csv"] or options["jsonl"]
        pieces = rows_export(tenant=tenant, kind=options["kind"], fmt=fmt)
        if path == "-":
            for piece in pieces:
                sys.stdout.write(piece)
            return
        try:
            with Path(path).open("w", encoding="utf-8", newline="") as out:
                for piece in pieces:
                    out.write(piece)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
