"""``zhongtai classifier train|evaluate``: a business unit's ticket classifier from the shell.

    zhongtai classifier train --tenant sh [--from-jsonl FILE] [--target category] [--queue]
    zhongtai classifier evaluate --tenant sh --jsonl FILE [--json [OUT]]

Files hold one ``{"text": ..., "label": ...}`` per line; a bad line stops the command
with its line number, and nothing is trained. Without ``--from-jsonl`` the unit's resolved
tickets are the examples. ``--queue`` trains in the worker instead of here.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhongtai.core.models import Tenant
from zhongtai.routing import classifier, services
from zhongtai.routing.classifier import BadInput, Evaluation
from zhongtai.routing.models import ClassifierModel, ClassifierTarget


class Command(BaseCommand):
    help = "Train or evaluate a business unit's ticket classifier."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        train = commands.add_parser("train", help="train a new version (active if not worse)")
        evaluate = commands.add_parser("evaluate", help="score the active version on a file")
        for sub in (train, evaluate):
            sub.add_argument("--tenant", required=True, help="the business unit's slug")
            sub.add_argument(
                "--target", default=ClassifierTarget.CATEGORY, choices=ClassifierTarget.values
            )
        train.add_argument("--from-jsonl", dest="from_jsonl", help="examples instead of tickets")
        train.add_argument("--queue", action="store_true", help="train in the worker")
        evaluate.add_argument("--jsonl", required=True, help="labelled examples to score")
        evaluate.add_argument(
            "--json",
            nargs="?",
            const="-",
            help="also write the result as JSON, to this file (or to standard output)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No business unit {options['tenant']!r}.")
        try:
            if options["action"] == "train":
                self._train(tenant, options)
            else:
                self._evaluate(tenant, options)
        except BadInput as exc:
            raise CommandError("\n".join(["Nothing was done:", *exc.problems])) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc

    def _train(self, tenant: Tenant, options: dict[str, Any]) -> None:
        target = options["target"]
        path = options["from_jsonl"]
        examples = classifier.read_jsonl(path) if path else None
        source = ClassifierModel.Source.FILE if path else ClassifierModel.Source.TICKETS
        if options["queue"]:
            if examples is not None:
                raise CommandError("--queue trains on the unit's tickets; drop --from-jsonl.")
            from zhongtai.routing.tasks import classifier_train_task

            model = services.classifier_version_new(tenant=tenant, target=target, source=source)
            classifier_train_task(model.pk)
            self.stdout.write(f"Version {model.version} queued.")
            return
        if examples is None:
            examples = services.examples_from_tickets(tenant=tenant, target=target)
        if not examples:
            raise CommandError("No examples: the unit has no resolved tickets with a label.")
        model = services.classifier_version_new(tenant=tenant, target=target, source=source)
        self.stdout.write(f"Training version {model.version} on {len(examples)} examples …")
        model = services.classifier_run(model=model, examples=examples)
        self.stdout.write(
            f"Version {model.version}: {model.get_status_display()} "
            f"({model.examples} trained, {model.held_back} held back, {model.seconds} s)"
        )
        if model.message:
            self.stdout.write(model.message)
        held = (model.metrics or {}).get("held_back")
        if held:
            self.stdout.write(
                f"Held back: accuracy {held['accuracy']:.4f}, macro-F1 {held['macro_f1']:.4f}"
            )
        if model.status == ClassifierModel.Status.FAILED:
            raise CommandError(model.message)

    def _evaluate(self, tenant: Tenant, options: dict[str, Any]) -> None:
        examples = classifier.read_jsonl(options["jsonl"])
        result = services.classifier_evaluate(
            tenant=tenant, target=options["target"], examples=examples
        )
        self._report(result)
        out = options["json"]
        if out:
            text = json.dumps(result.as_dict(), ensure_ascii=False, indent=2)
            if out == "-":
                sys.stdout.write(text + "\n")
            else:
                with open(out, "w", encoding="utf-8") as handle:
                    handle.write(text + "\n")

    def _report(self, result: Evaluation) -> None:
        write = self.stdout.write
        write(f"examples  {result.examples}")
        write(f"accuracy  {result.accuracy:.4f}")
        write(f"macro-F1  {result.macro_f1:.4f}")
        if result.unknown:
            write(f"labels the model does not know: {result.unknown} examples")
        width = max([len(s.label) for s in result.per_label] + [5])
        write(f"{'label':<{width}}  precision  recall  f1      support")
        for s in result.per_label:
            scores = f"{s.precision:9.3f}  {s.recall:6.3f}  {s.f1:6.3f}  {s.support:7d}"
            write(f"{s.label:<{width}}  {scores}")
