"""``zhongtai knowledge import|learn|evaluate``: a unit's knowledge base from the shell.

    zhongtai knowledge import --tenant sh --jsonl articles.jsonl
    zhongtai knowledge learn --tenant sh --jsonl questions.jsonl
    zhongtai knowledge evaluate --tenant sh --jsonl questions.jsonl [--json [OUT]]
    zhongtai knowledge reindex --tenant sh

``import`` takes ``{"external_id", "title", "body", "language", "tags", "visibility"}``
lines and is idempotent by external id. ``learn`` and ``evaluate`` take ``{"question",
"external_id"}`` lines: ``learn`` teaches each article the questions it answers,
``evaluate`` prints top-1, top-5 and MRR of search, and for the bot (at the unit's
threshold) the share of questions answered, answered right, and precision. A bad line
stops the command with its line number, and nothing is written. ``reindex`` writes the
unit's search documents again (after an upgrade of the tokenizer, or for tickets written
before search existed).
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhongtai.core.models import Tenant
from zhongtai.knowledge.evaluation import search_evaluate
from zhongtai.knowledge.importing import BadFile, articles_import, questions_learn
from zhongtai.knowledge.services import search_reindex


class Command(BaseCommand):
    help = "Import articles, teach them questions, or evaluate search on a file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("import", "import articles (idempotent by external_id)"),
            ("learn", "teach articles the questions they answer"),
            ("evaluate", "score search and the bot on questions with their expected article"),
            ("reindex", "write every article, case and ticket of the unit into search again"),
        ):
            sub = commands.add_parser(name, help=text)
            sub.add_argument("--tenant", required=True, help="the business unit's slug")
            if name == "reindex":
                continue
            sub.add_argument("--jsonl", required=True, help="the file, one JSON object per line")
            if name == "evaluate":
                sub.add_argument(
                    "--json",
                    nargs="?",
                    const="-",
                    help="also write the result as JSON, to this file (or to standard output)",
                )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No business unit {options['tenant']!r}.")
        if options["action"] == "reindex":
            articles, tickets = search_reindex(tenant=tenant)
            self.stdout.write(f"{articles} articles and cases, {tickets} tickets reindexed")
            return
        try:
            with Path(options["jsonl"]).open(encoding="utf-8") as lines:
                if options["action"] == "import":
                    result = articles_import(tenant=tenant, lines=lines)
                    self.stdout.write(
                        f"{result.lines} articles: {result.created} created, "
                        f"{result.updated} updated, {result.unchanged} unchanged"
                    )
                elif options["action"] == "learn":
                    result = questions_learn(tenant=tenant, lines=lines)
                    self.stdout.write(
                        f"{result.lines} questions: {result.questions} new, for "
                        f"{result.updated} articles ({result.unchanged} had them all)"
                    )
                else:
                    self._evaluate(tenant, lines, options.get("json"))
        except BadFile as exc:
            raise CommandError("\n".join(["Nothing was done:", *exc.problems])) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc

    def _evaluate(self, tenant: Tenant, lines: Any, json_out: str | None) -> None:
        score = search_evaluate(tenant=tenant, lines=lines)
        self.stdout.write(
            f"search over {score.questions} questions: top-1 {score.top1:.3f}, "
            f"top-5 {score.top5:.3f}, MRR {score.mrr:.3f} "
            f"({score.ms_per_query:.1f} ms per question)"
        )
        b = score.bot
        self.stdout.write(
            f"bot at threshold {b.threshold:.2f}: answers {b.answered:.3f}, "
            f"answers right {b.correct:.3f}, precision {b.precision:.3f}"
        )
        if score.unknown_articles:
            self.stdout.write(f"{score.unknown_articles} questions name no article of the unit")
        if json_out:
            text = json.dumps(score.as_dict(), ensure_ascii=False, indent=2)
            if json_out == "-":
                sys.stdout.write(text + "\n")
            else:
                Path(json_out).write_text(text + "\n", encoding="utf-8")
