"""Customer 360 for a big customer (issue 6: "page and API p95 < 100 ms for a customer with
5,000 tickets and 200 assets"), on SQLite and PostgreSQL.

    .venv/bin/python bench/customer360.py                        # both databases, 3 rounds
    .venv/bin/python bench/customer360.py --db pg --steps plans  # query plans only
    .venv/bin/python bench/customer360.py --requests 50 --rounds 1
    .venv/bin/python bench/customer360.py --steps wrk --rounds 3 # gunicorn + wrk (BENCH.md)
    .venv/bin/python bench/customer360.py --cleanup              # drop the bench databases

Steps (``--steps``, default all): ``generate`` the dataset once per database (idempotent;
timed), ``plans`` (every SQL statement of the profile and of a deep history page, with
its plan: ``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN ANALYZE`` and the generic plan of
the prepared statement on PostgreSQL; where the page's time goes: SQL, the profile read,
the template), ``measure`` (``--rounds`` rounds, each running SQLite then PostgreSQL in a
fresh process, the order reversed every other round: A B B A …), ``wrk`` (BENCH.md's
protocol: ``bench.wsgi`` under gunicorn, 2 sync workers on 127.0.0.1, each endpoint loaded
by ``wrk`` with 1 connection for ``--seconds``, the databases taking turns every round,
each worker's peak RSS read after each round; needs Debian's ``wrk``).

What is measured, in-process through Django's test ``Client`` (the whole middleware
stack, the view or the ninja operation, the template or the JSON; no network, no
gunicorn): the 360 page ``/agent/customers/<id>/`` (session of a logged-in admin, who sees
every form), ``GET /api/v1/customers/<id>/profile``, the history API's first page and its
150th page (a keyset cursor 3,725 tickets deep), the htmx history partial at the same
depth, ``/api/v1/customers/resolve?kind=email&value=…`` (an identity of the big customer's
contact: the same profile plus the lookup), and for scale the page of a small customer
(about 50 tickets). APIs authenticate with a Bearer token. Each process warms every
endpoint up (``--warmup`` requests), counts the SQL queries of one request of each
(``CaptureQueriesContext``), then runs ``--requests`` requests of every endpoint in turn
(round-robin, so that a burst of load hits all of them alike). Latencies are pooled over
the rounds; p95 of each round is reported as min–max.

Dataset (seed 42): one unit ``c360bench`` with 8 agents, 2,000 customers with 1–2
contacts each (an email identity each), 0–3 assets each, a contract for a third of them;
the big customer ``Big Customer 0000`` has 20 contacts with 3 identities each (email,
phone, WeCom), 200 assets, 10 contracts (some ended, some ahead), 50 purchases, 40
profile events, 5 custom fields, an owner and a tier set by hand. 100,000 tickets over
the last 365 days, 5,000 of them the big customer's (spread over the year, 60 % naming one
of its assets, 20 merged into another), 45 % open; timelines: a ``created`` event per
ticket, 0–3 public replies (the big customer's 1–4), a status change for the closed ones.
Tickets and events go in with ``zhongtai.core.rows.rows_insert`` (historic times kept),
the rest with ``bulk_create``.

SQLite lives in ``/tmp/zt-c360-bench-sqlite`` (``ZHONGTAI_DATA_DIR``); PostgreSQL in the
database ``zt_bench_c360`` (created here, dropped by ``--cleanup``) with its data dir
(the Huey queue, the API token) in ``/tmp/zt-c360-bench-pg``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SLUG = "c360bench"
BIG = "Big Customer 0000"
SMALL = "Customer 0001"
PG_URL = "postgres://postgres@127.0.0.1:5432/zt_bench_c360"
DATA_DIR = {"sqlite": "/tmp/zt-c360-bench-sqlite", "pg": "/tmp/zt-c360-bench-pg"}
TOKEN_FILE = "c360_token.txt"
PASSWORD = "bench-pass-123"
BATCH = 10_000
DEEP_PAGE = 150
ENDPOINTS = (
    "page",
    "profile API",
    "history API, page 1",
    f"history API, page {DEEP_PAGE}",
    f"history partial, page {DEEP_PAGE}",
    "resolve API (email)",
    "page, small customer",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--big-tickets", type=int, default=5_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--steps", default="generate,plans,measure")
    parser.add_argument("--rounds", type=int, default=3, help="measuring processes per database")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per endpoint")
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        help="also measure the code of another checkout (its DIR/src first on PYTHONPATH, e.g. "
        "`git archive <commit> src | tar -x -C DIR`) right after this one in every round",
    )
    parser.add_argument("--seconds", type=int, default=10, help="wrk: seconds per endpoint")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--out", default="/tmp/zt-c360-bench.json", help="raw results (JSON)")
    parser.add_argument("--cleanup", action="store_true", help="drop the databases and exit")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- the driver (no Django here) ---------------------------------------------------------


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def child_env(args: argparse.Namespace, db: str, src: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = str(Path(src) / "src")
    env["ZHONGTAI_DATA_DIR"] = DATA_DIR[db]
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    for name in ("DATABASE_URL", "REDIS_URL", "ZHONGTAI_PG_PREPARED_STATEMENTS"):
        env.pop(name, None)
    if db == "pg":
        env["DATABASE_URL"] = args.pg_url
    return env


def run_child(
    args: argparse.Namespace, db: str, steps: str, src: str | None = None
) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", "--db", db, "--steps", steps]
    for name in ("tickets", "big_tickets", "customers", "seed", "requests", "warmup"):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    code = f", code of {src}" if src else ""
    print(f"[{time.strftime('%H:%M:%S')}] {db}{code}: {steps} (load {load()})", file=sys.stderr)
    done = subprocess.run(
        command, env=child_env(args, db, src), check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(done.stdout)


def pg_admin(url: str, action: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    if name in ("test", "postgres"):
        raise SystemExit(f"refusing to {action} the database {name!r}")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if action == "create" and not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
        elif action == "drop" and exists:
            conn.execute(f'DROP DATABASE "{name}"')


def driver(args: argparse.Namespace) -> None:
    dbs = ["sqlite", "pg"] if args.db == "both" else [args.db]
    if args.cleanup:
        for db in dbs:
            if db == "pg":
                pg_admin(args.pg_url, "drop")
            shutil.rmtree(DATA_DIR[db], ignore_errors=True)
            print(f"removed the {db} bench database", file=sys.stderr)
        return
    steps = args.steps.split(",")
    results: dict[str, Any] = {db: {"rounds": []} for db in dbs}
    if args.baseline:
        results.update({f"{db}, baseline": {"rounds": []} for db in dbs})
    for db in dbs:
        Path(DATA_DIR[db]).mkdir(parents=True, exist_ok=True)
        if db == "pg":
            pg_admin(args.pg_url, "create")
        once = [s for s in ("generate", "plans") if s in steps]
        if once:
            results[db].update(run_child(args, db, ",".join(once)))
    if "measure" in steps:
        # Every round runs each database (and each code), in a fresh process; every other
        # round in the reverse order (A B B A …).
        codes = [None, args.baseline] if args.baseline else [None]
        runs = [(db, src) for db in dbs for src in codes]
        for round_index in range(args.rounds):
            for db, src in runs if round_index % 2 == 0 else runs[::-1]:
                key = f"{db}, baseline" if src else db
                results[key]["rounds"].append(run_child(args, db, "measure", src))
    if "wrk" in steps:
        served = {db: run_child(args, db, "urls")["urls"] for db in dbs}
        for round_index in range(args.rounds):
            for db in dbs if round_index % 2 == 0 else dbs[::-1]:
                results[db].setdefault("wrk", []).append(wrk_round(args, db, served[db]))
    Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print_tables(results)


def wrk_round(args: argparse.Namespace, db: str, urls: dict[str, Any]) -> dict[str, Any]:
    """One round under gunicorn (2 sync workers): every endpoint loaded by wrk in turn."""
    sys.path.insert(0, str(ROOT))
    from bench import run as served

    print(f"[{time.strftime('%H:%M:%S')}] {db}: wrk (load {load()})", file=sys.stderr)
    server = served.serve(child_env(args, db))
    try:
        workers = served.worker_pids(server.pid)
        out: dict[str, Any] = {"load": load(), "endpoints": {}}
        # Warm both workers on every endpoint before measuring any: one connection may
        # keep landing on one worker, and a worker's first page (templates compiled,
        # catalogs read) takes ~270 ms, which would otherwise be some endpoint's p99.
        for spec in urls.values():
            served.wrk(spec, 2, 3)
        for name, spec in urls.items():
            out["endpoints"][name] = served.wrk(spec, 1, args.seconds)
        out["load_after"] = load()
        out["rss_mb"] = served.peak_rss_mb(workers)
    finally:
        server.terminate()
        server.wait(30)
    return out


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def print_tables(results: dict[str, Any]) -> None:
    for db, result in results.items():
        print(f"\n## {db}")
        if "generate" in result:
            print("dataset:", json.dumps(result["generate"], ensure_ascii=False))
        for name, plan in result.get("plans", {}).items():
            print(f"\n### {name}\n" + "\n".join(plan))
        if "breakdown" in result:
            print("\nbreakdown:", json.dumps(result["breakdown"], ensure_ascii=False))
        if result.get("wrk"):
            print_wrk(result["wrk"])
        rounds = result["rounds"]
        if not rounds:
            continue
        loads = [f"{r['load']} → {r['load_after']}" for r in rounds]
        print(f"\nload averages (start → end of each round): {loads}")
        print("peak RSS (VmHWM) of the measuring processes, MB:", [r["rss_mb"] for r in rounds])
        print(
            "\n| endpoint | p50 ms | p95 ms | p99 ms | p95 per round (min–max) | queries | KB | n |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name in ENDPOINTS:
            samples = [s for r in rounds for s in r["timings"][name]]
            p95s = [percentile(r["timings"][name], 95) for r in rounds]
            detail = rounds[-1]["details"][name]
            print(
                f"| {name} | {percentile(samples, 50):.1f} | {percentile(samples, 95):.1f} | "
                f"{percentile(samples, 99):.1f} | {min(p95s):.1f}–{max(p95s):.1f} | "
                f"{detail['queries']} | {detail['bytes'] / 1024:.0f} | {len(samples)} |"
            )


def print_wrk(rounds: list[dict[str, Any]]) -> None:
    loads = [f"{r['load']} → {r['load_after']}" for r in rounds]
    print(f"\ngunicorn (2 sync workers) + wrk, 1 connection; load averages: {loads}")
    print(
        "peak RSS (VmHWM) of the two workers after each round, MB:", [r["rss_mb"] for r in rounds]
    )
    print("\n| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | requests |")
    print("|---|---|---|---|---|---|---|")
    for name in rounds[0]["endpoints"]:
        runs = [r["endpoints"][name] for r in rounds]

        def median(key: str, runs: list[dict[str, Any]] = runs) -> str:
            values = [run[key] for run in runs]
            return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"

        print(
            f"| {name} | {median('rps')} | {median('p50_ms')} | {median('p95_ms')} | "
            f"{median('p99_ms')} | {sum(r['errors'] for r in runs)} | "
            f"{sum(r['requests'] for r in runs)} |"
        )


# --- inside Django -----------------------------------------------------------------------


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def _users(tenant) -> list:
    from zhongtai.accounts.actors import Actor
    from zhongtai.accounts.models import Membership, Team, User
    from zhongtai.accounts.services import api_token_create

    team = Team.objects.create(tenant=tenant, name="L1", tier="l1")
    agents = []
    for index in range(8):
        user = User(username=f"{SLUG}.agent{index}", display_name=f"Agent {index}")
        user.set_password(PASSWORD)
        user.save()
        role = "admin" if index == 0 else "agent"
        membership = Membership.objects.create(tenant=tenant, user=user, role=role)
        team.members.add(user)
        agents.append(user)
        if index == 0:
            _token, secret = api_token_create(actor=Actor(membership), name="bench")
            token_path().write_text(secret)
    return agents


def token_path() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / TOKEN_FILE


def _customers(rng: random.Random, tenant, agents: list, count: int) -> dict[str, Any]:
    """Customers, contacts, identities, assets and contracts; the big one's profile."""
    from django.utils import timezone

    from zhongtai.customers.models import Asset, Contact, Contract, Customer, Identity

    now = timezone.now()
    big_custom = {"account_code": "BC-0000", "segment": "汽车零部件", "employees": 12000}
    customers = Customer.objects.bulk_create(
        Customer(
            tenant=tenant,
            name=BIG if i == 0 else f"Customer {i:04d}",
            tier="vip" if i == 0 else rng.choice(["standard"] * 6 + ["premium"] * 3 + ["vip"]),
            tier_computed="premium" if i == 0 else "standard",
            tier_override="vip" if i == 0 else "",
            tier_override_reason="Strategic account (bench)" if i == 0 else "",
            tier_override_by=agents[0] if i == 0 else None,
            tier_override_at=now if i == 0 else None,
            owner=agents[i % len(agents)] if i % 3 == 0 else None,
            tags=["key-account", "automotive"] if i == 0 else [],
            domains=[f"cust{i}.example.com"],
            industry="汽车零部件" if i % 2 == 0 else "Electronics",
            region=rng.choice(["华东", "华南", "North America", "Europe"]),
            custom=big_custom if i == 0 else {},
        )
        for i in range(count)
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            tenant=tenant,
            customer=c,
            name=f"Contact {c.pk}-{k}",
            email=f"contact{k}@cust{i}.example.com",
            title=rng.choice(["Plant manager", "IT lead", "设备主管", ""]),
        )
        for i, c in enumerate(customers)
        for k in range(20 if i == 0 else rng.choice((1, 1, 2)))
    )
    identities = []
    for contact in contacts:
        identities.append(
            Identity(tenant=tenant, contact=contact, kind="email", value=contact.email)
        )
        if contact.customer_id == customers[0].pk:
            identities.append(
                Identity(
                    tenant=tenant, contact=contact, kind="phone", value=f"+86138{contact.pk:08d}"
                )
            )
            identities.append(
                Identity(
                    tenant=tenant,
                    contact=contact,
                    kind="wecom_external_userid",
                    value=f"wmBench{contact.pk:010d}",
                )
            )
    Identity.objects.bulk_create(identities, batch_size=2000)
    today = now.date()
    assets = Asset.objects.bulk_create(
        (
            Asset(
                tenant=tenant,
                customer=c,
                product_line=rng.choice(["Compressors", "Chillers", "Printers"]),
                product_model=rng.choice(["ZT-200", "ZT-350", "ZT-900X"]),
                serial_number=f"SN{c.pk:05d}-{k:04d}",
                site=rng.choice(["Shanghai plant", "Suzhou plant", "Line 3", ""]),
                installed_on=today - timedelta(days=rng.randrange(30, 2000)),
                warranty_ends_on=(
                    None if k % 10 == 9 else today + timedelta(days=rng.randrange(-700, 700))
                ),
            )
            for i, c in enumerate(customers)
            for k in range(200 if i == 0 else rng.randrange(4))
        ),
        batch_size=2000,
    )
    contracts = []
    for i, c in enumerate(customers):
        for k in range(10 if i == 0 else (1 if i % 3 == 0 else 0)):
            starts = today - timedelta(days=365 * (k % 4) + rng.randrange(0, 300))
            if k == 9:
                starts = today + timedelta(days=30)  # not started yet
            contracts.append(
                Contract(
                    tenant=tenant,
                    customer=c,
                    kind="subscription" if k % 2 else "contract",
                    number=f"K-{c.pk}-{k}",
                    plan=rng.choice(["金牌维保（7×24）", "银牌维保", "Enterprise plan"]),
                    value_per_year=Decimal(rng.randrange(20_000, 900_000)),
                    starts_on=starts,
                    ends_on=starts + timedelta(days=365 * rng.choice((1, 2, 3))),
                    renews_on=starts + timedelta(days=365),
                    auto_renew=k % 3 == 0,
                )
            )
    Contract.objects.bulk_create(contracts)
    return {"customers": customers, "contacts": contacts, "assets": assets}


def _big_profile(rng: random.Random, tenant, big, agents: list) -> None:
    """The big customer's purchases, profile events and the unit's custom fields."""
    from django.utils import timezone

    from zhongtai.customers.models import CustomField, ProfileEvent, Purchase

    today = timezone.now().date()
    Purchase.objects.bulk_create(
        Purchase(
            tenant=tenant,
            customer=big,
            order_number=f"PO-{k:05d}",
            ordered_on=today - timedelta(days=rng.randrange(0, 1500)),
            product=rng.choice(["ZT-350 compressor", "Filter kit", "Service hours", "备件包"]),
            quantity=rng.randrange(1, 20),
            amount=Decimal(rng.randrange(500, 500_000)),
        )
        for k in range(50)
    )
    ProfileEvent.objects.bulk_create(
        ProfileEvent(
            tenant=tenant,
            customer=big,
            type=rng.choice(["note", "note", "updated", "tier"]),
            actor=rng.choice(agents),
            body=f"Quarterly review {k}: line 3 downtime discussed / 三号线停机复盘",
            data={"changes": {"region": {"from": "华南", "to": "华东"}}} if k % 5 == 0 else {},
        )
        for k in range(40)
    )
    CustomField.objects.bulk_create(
        CustomField(tenant=tenant, key=key, label_en=label, label_zh=zh, kind=kind, position=k)
        for k, (key, label, zh, kind) in enumerate(
            [
                ("account_code", "Account code", "账户代码", "text"),
                ("segment", "Segment", "行业细分", "text"),
                ("employees", "Employees", "员工数", "number"),
                ("renewal_risk", "Renewal risk", "续约风险", "text"),
                ("audited", "Audited", "已审计", "boolean"),
            ]
        )
    )


def _ticket_rows(rng, tenant, agents, unit, total: int, big_count: int):
    """(ticket row, is the big customer's) in creation order over the last 365 days."""
    from django.utils import timezone

    customers, contacts, assets = unit["customers"], unit["contacts"], unit["assets"]
    big = customers[0]
    by_customer: dict[int, list] = {}
    for contact in contacts:
        by_customer.setdefault(contact.customer_id, []).append(contact)
    big_assets = [a.pk for a in assets if a.customer_id == big.pk]
    others = customers[1:]
    big_numbers = set(rng.sample(range(1, total + 1), big_count))
    now = timezone.now()
    start = now - timedelta(days=365)
    step = (now - start - timedelta(hours=1)) / total
    for number in range(1, total + 1):
        is_big = number in big_numbers
        customer = big if is_big else rng.choice(others)
        contact = rng.choice(by_customer[customer.pk])
        created = start + step * number + timedelta(seconds=rng.uniform(0, 1))
        is_open = rng.random() < 0.2 + 0.5 * number / total
        status = rng.choice(
            ["new", "open", "open", "pending_customer"] if is_open else ["resolved", "closed"]
        )
        first = created + timedelta(minutes=rng.randrange(5, 600)) if status != "new" else None
        resolved = first + timedelta(hours=rng.randrange(1, 72)) if not is_open else None
        closed = resolved + timedelta(days=3) if status == "closed" else None
        lang = rng.random() < 0.5
        yield (
            {
                "created_at": created,
                "updated_at": closed or resolved or first or created,
                "tenant_id": tenant.pk,
                "number": number,
                "subject": (
                    f"三号线压缩机报警 {number}" if lang else f"Compressor alarm on line {number}"
                ),
                "description": "排气温度过高，设备停机。"
                if lang
                else "Discharge temperature high.",
                "type": rng.choice(["question", "incident", "request"]),
                "priority": rng.choice(["low", "normal", "normal", "high", "urgent"]),
                "status": status,
                "is_open": is_open,
                "channel": rng.choice(["email", "portal", "phone", "web_form", "api"]),
                "tier": "l1",
                "assignee_id": None if status == "new" else rng.choice(agents).pk,
                "customer_id": customer.pk,
                "contact_id": contact.pk,
                "asset_id": rng.choice(big_assets) if is_big and rng.random() < 0.6 else None,
                "requester_id": agents[0].pk,
                "blocks_parent": False,
                "first_response_at": first,
                "resolved_at": resolved,
                "closed_at": closed,
                "version": 1,
                "needs_triage": False,
            },
            is_big,
        )


def _event_rows(rng, ticket: dict[str, Any], ticket_id: int, is_big: bool, agent_ids: list[int]):
    base = {"tenant_id": ticket["tenant_id"], "ticket_id": ticket_id, "data": {}}
    created = ticket["created_at"]
    yield {
        **base,
        "created_at": created,
        "updated_at": created,
        "type": "created",
        "actor_id": ticket["requester_id"],
        "is_public": True,
        "body": ticket["description"],
        "data": {"channel": ticket["channel"], "priority": ticket["priority"]},
    }
    replies = rng.randrange(1, 5) if is_big else rng.choice((0, 1, 1, 2, 3))
    for k in range(replies):
        moment = created + timedelta(minutes=10 + 60 * k)
        yield {
            **base,
            "created_at": moment,
            "updated_at": moment,
            "type": "public_reply",
            "actor_id": rng.choice(agent_ids),
            "is_public": True,
            "body": "Please check the filter and restart. / 请检查滤网后重启。",
        }
    if ticket["closed_at"]:
        moment = ticket["closed_at"]
        yield {
            **base,
            "created_at": moment,
            "updated_at": moment,
            "type": "status_change",
            "actor_id": rng.choice(agent_ids),
            "is_public": False,
            "body": "",
            "data": {"from": "resolved", "to": "closed"},
        }


def generate(total: int, big_count: int, customers: int, seed: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from zhongtai.core.models import Tenant
    from zhongtai.core.rows import rows_insert
    from zhongtai.tickets.models import Ticket, TicketEvent

    call_command("migrate", verbosity=0)
    if Tenant.objects.filter(slug=SLUG).exists():
        return {"existing": True, **dataset_facts()}
    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        tenant = Tenant.objects.create(
            slug=SLUG, name="Customer 360 bench", ticket_prefix="CX", time_zone="Asia/Shanghai"
        )
        agents = _users(tenant)
        unit = _customers(rng, tenant, agents, customers)
        big = unit["customers"][0]
        _big_profile(rng, tenant, big, agents)
        agent_ids = [a.pk for a in agents]
        batch: list[tuple[dict[str, Any], bool]] = []
        big_ids: list[int] = []

        def flush() -> None:
            ids = rows_insert(Ticket, [t for t, _big in batch], returning=True)
            big_ids.extend(pk for pk, (_t, is_big) in zip(ids, batch, strict=True) if is_big)
            events = [
                e
                for pk, (t, is_big) in zip(ids, batch, strict=True)
                for e in _event_rows(rng, t, pk, is_big, agent_ids)
            ]
            rows_insert(TicketEvent, events)

        for row in _ticket_rows(rng, tenant, agents, unit, total, big_count):
            batch.append(row)
            if len(batch) == BATCH:
                flush()
                batch = []
        if batch:
            flush()
        # 20 of the big customer's tickets merged into the one after them: not in the history.
        for source, target in zip(big_ids[100:2000:95], big_ids[101:2001:95], strict=True):
            Ticket.objects.filter(pk=source).update(
                merged_into_id=target, status="closed", is_open=False
            )
        Tenant.objects.filter(pk=tenant.pk).update(ticket_seq=total)
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "existing": False,
        "load_s": round(loaded, 1),
        "analyze_s": round(time.perf_counter() - started - loaded, 1),
        **dataset_facts(),
    }


def dataset_facts() -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count, Q

    from zhongtai.customers.models import Asset, Contact, Customer, Identity
    from zhongtai.tickets.models import Ticket, TicketEvent

    big = Customer.objects.get(tenant__slug=SLUG, name=BIG)
    tickets = Ticket.objects.filter(tenant=big.tenant).aggregate(
        tickets=Count("id"), open=Count("id", filter=Q(is_open=True))
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        else:
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
        size = cursor.fetchone()[0]
    return {
        **tickets,
        "events": TicketEvent.objects.filter(tenant=big.tenant).count(),
        "customers": Customer.objects.filter(tenant=big.tenant).count(),
        "big_tickets": Ticket.objects.filter(customer=big).count(),
        "big_events": TicketEvent.objects.filter(ticket__customer=big).count(),
        "big_assets": Asset.objects.filter(customer=big).count(),
        "big_contacts": Contact.objects.filter(customer=big).count(),
        "big_identities": Identity.objects.filter(contact__customer=big).count(),
        "db_mb": round(size / 2**20),
    }


# --- measuring ---------------------------------------------------------------------------


def _setup_clients() -> dict[str, Any]:
    """Clients (session and token), the URLs of every endpoint, the deep cursor."""
    from django.test import Client
    from django.urls import reverse

    from zhongtai.accounts.models import User
    from zhongtai.customers.models import Customer, Identity

    big = Customer.objects.get(tenant__slug=SLUG, name=BIG)
    small = Customer.objects.get(tenant=big.tenant, name=SMALL)
    page = Client()
    page.force_login(User.objects.get(username=f"{SLUG}.agent0"))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_path().read_text().strip()}")
    history = f"/api/v1/customers/{big.pk}/history"
    cursor = None
    for _page in range(DEEP_PAGE - 1):  # walk to the deep page, as a client would
        response = api.get(history, {"cursor": cursor} if cursor else {})
        assert response.status_code == 200, response.content[:300]
        cursor = response.json()["next_cursor"]
        assert cursor, "the big customer has fewer tickets than the deep page needs"
    email = (
        Identity.objects.filter(contact__customer=big, kind="email").order_by("value").first().value
    )
    partial = reverse("customers:customer_history", args=[big.pk])
    return {
        "page": (page, reverse("customers:customer_detail", args=[big.pk]), {}),
        "profile API": (api, f"/api/v1/customers/{big.pk}/profile", {}),
        "history API, page 1": (api, history, {}),
        f"history API, page {DEEP_PAGE}": (api, history, {"cursor": cursor}),
        f"history partial, page {DEEP_PAGE}": (page, partial, {"cursor": cursor}),
        "resolve API (email)": (
            api,
            "/api/v1/customers/resolve",
            {"kind": "email", "value": email.upper()},
        ),
        "page, small customer": (page, reverse("customers:customer_detail", args=[small.pk]), {}),
    }


def wrk_specs() -> dict[str, dict[str, str]]:
    """The endpoints as ``bench.run.wrk`` takes them: a path with its query, and the
    session cookie (pages) or the Bearer token (API) of the same admin."""
    from urllib.parse import urlencode

    from django.conf import settings

    endpoints = _setup_clients()
    page_client = endpoints["page"][0]
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={page_client.cookies[settings.SESSION_COOKIE_NAME].value}"
    )
    token = f"Bearer {token_path().read_text().strip()}"
    specs: dict[str, dict[str, str]] = {}
    for name, (client, url, query) in endpoints.items():
        path = f"{url}?{urlencode(query)}" if query else url
        auth = {"WRK_COOKIE": cookie} if client is page_client else {"WRK_AUTH": token}
        specs[name] = {"path": path, **auth}
    return specs


def measure(requests: int, warmup: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    endpoints = _setup_clients()
    details: dict[str, Any] = {}
    for name, (client, url, query) in endpoints.items():
        for _ in range(warmup):
            response = client.get(url, query)
            assert response.status_code == 200, (name, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, query)
        details[name] = {"queries": len(captured.captured_queries), "bytes": len(response.content)}
    timings: dict[str, list[float]] = {name: [] for name in endpoints}
    for _ in range(requests):
        for name, (client, url, query) in endpoints.items():
            started = time.perf_counter()
            response = client.get(url, query)
            timings[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
    return {"timings": timings, "details": details}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# --- where the time goes -------------------------------------------------------------------


class QueryLog:
    """Every statement run on the default connection: SQL, parameters and wall time."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, Any, float]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, time.perf_counter() - started))


def explain(sql: str, params: Any) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[3] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def plans() -> dict[str, list[str]]:
    """The plan of every statement of the profile API and of the deep history page."""
    from django.db import connection

    from bench.sla_scale import generic_plan

    endpoints = _setup_clients()
    out: dict[str, list[str]] = {}
    for name in ("profile API", f"history API, page {DEEP_PAGE}"):
        client, url, query = endpoints[name]
        for _ in range(6):  # past psycopg's prepare threshold, as in a warm worker
            client.get(url, query)
        log = QueryLog()
        with connection.execute_wrapper(log):
            client.get(url, query)
        for index, (sql, params, elapsed) in enumerate(log.queries):
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            key = f"{name} #{index} ({elapsed * 1000:.2f} ms): {sql}"
            out[key] = explain(sql, params)
            if connection.vendor == "postgresql" and params:
                out[key] += ["-- generic plan (prepared statement):", *generic_plan(sql, params)]
    return out


def breakdown(repeat: int = 30) -> dict[str, Any]:
    """The page split into SQL, the profile read (queries + Python) and the rest (the view's
    forms, the template, the middleware); medians of ``repeat`` runs."""
    from django.db import connection

    from zhongtai.accounts.actors import Actor
    from zhongtai.accounts.models import Membership
    from zhongtai.customers import profile

    endpoints = _setup_clients()
    client, url, _query = endpoints["page"]
    membership = Membership.objects.select_related("tenant", "user").get(
        user__username=f"{SLUG}.agent0"
    )
    actor = Actor(membership)
    customer_id = int(url.rstrip("/").rsplit("/", 1)[1])
    page, read, sql = [], [], []
    for _ in range(repeat):
        log = QueryLog()
        with connection.execute_wrapper(log):
            started = time.perf_counter()
            client.get(url)
            page.append((time.perf_counter() - started) * 1000)
        sql.append(sum(q[2] for q in log.queries) * 1000)
        started = time.perf_counter()
        profile.customer_profile(actor=actor, customer_id=customer_id)
        read.append((time.perf_counter() - started) * 1000)
    slowest = sorted(log.queries, key=lambda q: -q[2])[:3]
    return {
        "page_ms": round(statistics.median(page), 2),
        "page_sql_ms": round(statistics.median(sql), 2),
        "customer_profile_ms": round(statistics.median(read), 2),
        "rest_ms (view forms, template, middleware)": round(
            statistics.median(page) - statistics.median(read), 2
        ),
        "slowest statements": [f"{q[2] * 1000:.2f} ms: {q[0][:160]}" for q in slowest],
    }


def child(args: argparse.Namespace) -> None:
    django_setup()
    from django.db import connection

    steps = args.steps.split(",")
    import zhongtai

    out: dict[str, Any] = {"load": load(), "vendor": connection.vendor, "code": zhongtai.__file__}
    if "generate" in steps:
        out["generate"] = generate(args.tickets, args.big_tickets, args.customers, args.seed)
    if "plans" in steps:
        out["plans"] = plans()
        out["breakdown"] = breakdown()
    if "measure" in steps:
        out.update(measure(args.requests, args.warmup))
    if "urls" in steps:
        out["urls"] = wrk_specs()
    out["load_after"] = load()
    out["rss_mb"] = rss_mb()
    print(json.dumps(out, ensure_ascii=False, default=str))


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.child:
        child(arguments)
    else:
        driver(arguments)
