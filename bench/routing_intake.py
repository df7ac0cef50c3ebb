"""Intake throughput with routing on and off: ``ticket_create`` in one process.

    .venv/bin/python bench/routing_intake.py [--db sqlite|pg] [--creates 1000] [--rounds 4]

Builds a business unit in its own database (SQLite in ``/tmp/zt-routing-bench``, or
PostgreSQL ``zt_routing_bench``) with CLINC150's 150 intents as categories, a category
classifier trained on CLINC150's training set (15,000 examples) and 20 keyword rules,
and a second unit with no routing. Then creates tickets through the service in
alternating blocks of 100 (A B B A …), with texts from CLINC150's test set, and reports
ms per create and creates per second for each unit, and the difference.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "clinc150"
BLOCK = 100


def setup(db: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["ZHONGTAI_DATA_DIR"] = "/tmp/zt-routing-bench"
    if db == "pg":
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            exists = c.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'zt_routing_bench'"
            ).fetchone()
            if not exists:
                c.execute("CREATE DATABASE zt_routing_bench")
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/zt_routing_bench"
    else:
        os.environ.pop("DATABASE_URL", None)
        Path("/tmp/zt-routing-bench").mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def units() -> dict[str, object]:
    from zhongtai.accounts.actors import Actor
    from zhongtai.accounts.models import Membership, Team, User
    from zhongtai.core.models import Tenant
    from zhongtai.routing import classifier, services
    from zhongtai.routing.models import RoutingRule, RoutingSettings
    from zhongtai.tickets.models import Category

    actors = {}
    for slug in ("routed", "plain"):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            tenant = Tenant.objects.create(slug=slug, name=slug, ticket_prefix="RB")
            user = User.objects.create(username=f"{slug}.bench", display_name=slug)
            Membership.objects.create(tenant=tenant, user=user, role="agent")
            Team.objects.create(tenant=tenant, name="L1", tier="l1")
            if slug == "routed":
                train = classifier.read_jsonl(DATA / "train.jsonl")
                Category.objects.bulk_create(
                    Category(tenant=tenant, name=label)
                    for label in sorted({e.label for e in train})
                )
                for i, word in enumerate(
                    [
                        "refund",
                        "password",
                        "bill",
                        "card",
                        "flight",
                        "hotel",
                        "bank",
                        "insurance",
                        "car",
                        "calendar",
                        "weather",
                        "timer",
                        "alarm",
                        "music",
                        "recipe",
                        "translate",
                        "reminder",
                        "balance",
                        "pin",
                        "travel",
                    ]
                ):
                    RoutingRule.objects.create(
                        tenant=tenant, name=f"rule {i}", position=i, keywords=[word],
                        add_tags=[word],
                    )  # fmt: skip
                RoutingSettings.objects.create(tenant=tenant, confidence_threshold=0.5)
                model = services.classifier_version_new(
                    tenant=tenant, target="category", source="file"
                )
                services.classifier_run(model=model, examples=train)
        membership = Membership.objects.select_related("tenant", "user").get(tenant=tenant)
        actors[slug] = Actor(membership)
    return actors


def block(actor: object, texts: list[str], start: int) -> float:
    from zhongtai.tickets.services import ticket_create

    begun = time.perf_counter()
    for i in range(BLOCK):
        text = texts[(start + i) % len(texts)]
        ticket_create(actor=actor, subject=text[:200], description=text)  # type: ignore[arg-type]
    return (time.perf_counter() - begun) * 1000 / BLOCK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--creates", type=int, default=1000)
    args = parser.parse_args()
    setup(args.db)
    actors = units()
    texts = [json.loads(line)["text"] for line in (DATA / "test.jsonl").open()]
    for slug in actors:  # warm: the model load, jieba, the caches
        block(actors[slug], texts, 0)
    means: dict[str, list[float]] = {slug: [] for slug in actors}
    order = list(actors)
    for n in range(args.creates // BLOCK):
        for slug in order if n % 2 == 0 else order[::-1]:
            means[slug].append(block(actors[slug], texts, n * BLOCK))
    for slug, values in means.items():
        median = statistics.median(values)
        print(
            f"{args.db} {slug}: {median:.2f} ms per create "
            f"({min(values):.2f}–{max(values):.2f}), {1000 / median:.0f} creates/s"
        )
    added = [a - b for a, b in zip(means["routed"], means["plain"], strict=True)]
    print(f"{args.db} added by routing: {statistics.median(added):.2f} ms per create")


if __name__ == "__main__":
    main()
