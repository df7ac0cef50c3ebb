"""The SLA breach sweep and the SLA attainment report at 1,000,000 tickets.

    .venv/bin/python bench/sla_scale.py --db sqlite --tickets 1000000
    .venv/bin/python bench/sla_scale.py --db pg --tickets 1000000
    .venv/bin/python bench/sla_scale.py --db both --rounds 5      # interleaved rounds
    .venv/bin/python bench/sla_scale.py --db both --cleanup       # drop the databases

    .venv/bin/python bench/sla_scale.py --db both --tickets 100000 --due 9000 --suffix=-100k \
        --steps generate,sweep,create --queue sqlite,redis          # B9: 9,000 due of 100k

Steps (``--steps``, default all but ``create``): ``generate`` the dataset once
(idempotent), show the ``plans`` of the sweep's finding query and of the report's queries,
then time the ``sweep`` and the ``report`` (the selectors for 30, 90 and 365 days and every
grouping, then the whole report page as the L1 team lead loads it, through the test
client). ``create`` times ``ticket_create`` in a unit with the demo's service standards
against one without any policy (alternating blocks), for the cost SLA clocks add to a
create. With ``--db both`` each round runs SQLite, then PostgreSQL, each in a fresh process
(A B A B …); timings are medians over every round's samples.

Dataset (seeded): one business unit ``slabench`` with N tickets created over the last
365 days, with a 24×7 calendar and one policy (first response 240 min, resolution
2,880 min, warnings at 75 % and 90 %, breach action ``notify``). About 72 % of the
tickets are open (50 % of the oldest, 95 % of the newest); every ticket has a
first-response and a resolution timer (2 N timers). Running timers are due 1 to 14 days
after generation (their ``next_check_at`` is in the future); 10 % of the open tickets'
resolution clocks have already breached, 15 % of the first responses and 20 % of the
resolutions were late. Exactly ``--due`` (default 100) resolution timers (the tickets
numbered ``1 + k * N // due``) are due: the sweep breaches them, writes an ``sla`` event
each and queues the notifications. Between sweeps they are re-armed (``breached_at``,
``next_check_at`` reset, their ``sla`` events deleted, the task queue flushed).

SQLite lives in ``--data-dir`` (``ZHONGTAI_DATA_DIR``); PostgreSQL in the database of
``--pg-url`` (created here if missing), with the Huey queue in its own data dir.
``--suffix=-100k`` keeps a second dataset beside the first (``/tmp/zt-sla-bench-sqlite-100k``,
database ``zt_sla_bench_100k``); give it to every command on that dataset.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SLUG = "slabench"
PG_URL = "postgres://postgres@127.0.0.1:5432/zt_sla_bench"
REDIS_URL = "redis://127.0.0.1:6379/15"
DATA_DIR = {"sqlite": "/tmp/zt-sla-bench-sqlite", "pg": "/tmp/zt-sla-bench-pg"}
FIRST_RESPONSE, RESOLUTION = 240, 2880  # policy targets, minutes (24×7 calendar)
DUE = 100  # timers due now (``--due``); set per process by ``child``
BATCH = 20_000
GROUPS = ("tenant", "team", "agent", "tier", "priority", "type")
PERIODS = (30, 90, 365)
IN_CHUNK = 500  # ids per ``IN (…)`` list when re-arming thousands of timers
# The create bench: two units in the same database, one with the demo's service standards
# (``zhongtai.core.demo.standards``, office hours and five policies), one without any policy.
CREATE_UNITS = {"sh": "SLA bench, demo standards", "nosla": "SLA bench, no policy"}
CREATE_BLOCK = 500  # creates per timed block; blocks alternate between the two units

TICKET_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "number",
    "subject",
    "description",
    "type",
    "priority",
    "status",
    "is_open",
    "channel",
    "tier",
    "blocks_parent",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "version",
    "assignee_id",
    "requester_id",
    "team_id",
    "tenant_id",
]
TIMER_GROUPS = ("team_id", "assignee_id", "tier", "priority", "type")
TIMER_COLUMNS = [
    "created_at",
    "updated_at",
    "target",
    "target_minutes",
    "started_at",
    "pauses",
    "due_at",
    "next_check_at",
    "warned_percent",
    "fulfilled_at",
    "breached_at",
    "cancelled_at",
    "business_minutes",
    "team_id",
    "assignee_id",
    "tier",
    "priority",
    "type",
    "calendar_id",
    "policy_id",
    "tenant_id",
    "ticket_id",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--due",
        type=int,
        default=DUE,
        help="resolution timers due now at generation (tickets 1 + k·N/due); B9: 9000",
    )
    parser.add_argument(
        "--suffix",
        default="",
        help="appended to the data dirs and the PG database name, e.g. -100k (another dataset)",
    )
    parser.add_argument(
        "--creates",
        type=int,
        default=2000,
        help="create step: timed ticket_create calls per unit and process",
    )
    parser.add_argument(
        "--steps",
        default="generate,plans,sweep,report",
        help="generate, plans, sweep, report (the selectors and the page), create",
    )
    parser.add_argument("--rounds", type=int, default=3, help="processes per database")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per process")
    parser.add_argument("--data-dir", help="ZHONGTAI_DATA_DIR (default /tmp/zt-sla-bench-<db>)")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument(
        "--pg-prepared",
        choices=["on", "off", "both"],
        default="on",
        help="PostgreSQL with the product's prepared statements (server-side binding, "
        "prepare_threshold 5), without (ZHONGTAI_PG_PREPARED_STATEMENTS=0), or both in turn",
    )
    parser.add_argument(
        "--queue",
        default="sqlite",
        help="Huey queue(s), comma-separated: sqlite (SqliteHuey in the data dir, the "
        "embedded mode) and/or redis (REDIS_URL); the sweep is timed with each",
    )
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--out", help="write the raw results (JSON) here")
    parser.add_argument("--cleanup", action="store_true", help="drop the databases and exit")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- the driver (no Django here) ---------------------------------------------------------


NO_PREPARE = "pg-noprep"  # PostgreSQL run with ZHONGTAI_PG_PREPARED_STATEMENTS=0


def base_db(db: str) -> str:
    return "pg" if db == NO_PREPARE else db


def data_dir(args: argparse.Namespace, db: str) -> str:
    return args.data_dir or DATA_DIR[base_db(db)] + args.suffix


def pg_url(args: argparse.Namespace) -> str:
    if args.pg_url != PG_URL or not args.suffix:
        return args.pg_url
    return PG_URL + args.suffix.replace("-", "_")


def child_env(args: argparse.Namespace, db: str, queue: str) -> dict[str, str]:
    env = dict(os.environ)
    env["ZHONGTAI_DATA_DIR"] = data_dir(args, db)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.pop("ZHONGTAI_PG_PREPARED_STATEMENTS", None)
    if base_db(db) == "pg":
        env["DATABASE_URL"] = pg_url(args)
    if db == NO_PREPARE:
        env["ZHONGTAI_PG_PREPARED_STATEMENTS"] = "0"
    if queue == "redis":
        env["REDIS_URL"] = args.redis_url
        env["ZHONGTAI_HUEY_NAME"] = "zt-sla-bench"
    return env


def run_child(
    args: argparse.Namespace, db: str, steps: str, repeat: int, queue: str = "sqlite"
) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        "--db",
        base_db(db),
        "--tickets",
        str(args.tickets),
        "--seed",
        str(args.seed),
        "--due",
        str(args.due),
        "--creates",
        str(args.creates),
        "--steps",
        steps,
        "--repeat",
        str(repeat),
    ]
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {db}, {queue} queue: {steps} (load {load()})", file=sys.stderr)
    done = subprocess.run(
        command, env=child_env(args, db, queue), check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(done.stdout)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if sql == "create" and not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
        elif sql == "drop" and exists:
            conn.execute(f'DROP DATABASE "{name}"')


def cleanup(args: argparse.Namespace, dbs: list[str]) -> None:
    import shutil

    for db in dbs:
        if db == "pg":
            pg_admin(pg_url(args), "drop")
        shutil.rmtree(data_dir(args, db), ignore_errors=True)
        print(f"removed the {db} bench database", file=sys.stderr)


def spread(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def driver(args: argparse.Namespace) -> None:
    dbs = ["sqlite", "pg"] if args.db == "both" else [args.db]
    if args.cleanup:
        cleanup(args, dbs)
        return
    if "pg" in dbs and args.pg_prepared != "on":
        dbs.insert(dbs.index("pg") + 1, NO_PREPARE)
        if args.pg_prepared == "off":
            dbs.remove("pg")
    steps = args.steps.split(",")
    queues = args.queue.split(",")
    results: dict[str, Any] = {f"{db}, {q} queue": {"rounds": []} for db in dbs for q in queues}
    for db in dbs:
        if base_db(db) == "pg":
            pg_admin(pg_url(args), "create")
        once = [s for s in ("generate", "plans") if s in steps]
        if once and not (db == NO_PREPARE and "pg" in dbs):
            results[f"{db}, {queues[0]} queue"].update(
                run_child(args, db, ",".join(once), args.repeat, queues[0])
            )
    # Interleaved: every round runs each database (and queue) once, in a fresh process.
    # The report and the creates do not touch the queue: they run with the first one only.
    for _round in range(args.rounds):
        for db in dbs:
            for q in queues:
                timed = [s for s in ("sweep", "report", "create") if s in steps]
                if q != queues[0]:
                    timed = [s for s in timed if s == "sweep"]
                if timed:
                    round_result = run_child(args, db, ",".join(timed), args.repeat, q)
                    results[f"{db}, {q} queue"]["rounds"].append(round_result)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print_tables(results)


def print_tables(results: dict[str, Any]) -> None:
    for db, result in results.items():
        print(f"\n## {db}")
        if "generate" in result:
            print("dataset:", json.dumps(result["generate"], ensure_ascii=False))
        for name, plan in result.get("plans", {}).items():
            print(f"\n### plan: {name}\n" + "\n".join(plan))
        rounds = result["rounds"]
        if not rounds:
            continue
        loads = [r["load"] for r in rounds]
        print(f"\nload averages at the start of each round: {loads}")
        rows: dict[str, list[float]] = {}
        cold: dict[str, list[float]] = {}
        for r in rounds:
            for key, samples in r.get("timings", {}).items():
                rows.setdefault(key, []).extend(samples["warm"])
                cold.setdefault(key, []).append(samples["cold"])
        print("\n| measure | warm ms, median (min–max) | cold ms, median (min–max) | n |")
        print("|---|---|---|---|")
        for key, samples in rows.items():
            print(f"| {key} | {spread(samples)} | {spread(cold[key])} | {len(samples)} |")
        for r in rounds[-1:]:
            print("\nlast round, details:", json.dumps(r.get("details", {}), ensure_ascii=False))


# --- inside Django -----------------------------------------------------------------------


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


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

    @property
    def seconds(self) -> float:
        return sum(q[2] for q in self.queries)


@contextmanager
def logged():
    from django.db import connection

    log = QueryLog()
    with connection.execute_wrapper(log):
        yield log


def due_numbers(total: int) -> list[int]:
    return [1 + k * total // DUE for k in range(DUE)]


def chunks(items: list[Any], size: int = IN_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _setup_unit() -> dict[str, Any]:
    from zhongtai.accounts.models import Membership, Team, User
    from zhongtai.core.models import Tenant
    from zhongtai.sla.models import BusinessCalendar, SlaPolicy

    tenant = Tenant.objects.create(
        slug=SLUG, name="SLA bench unit", ticket_prefix="SB", time_zone="Asia/Shanghai"
    )
    agents = []
    for index in range(8):
        user = User.objects.create(
            username=f"{SLUG}.agent{index}", display_name=f"SLA agent {index}"
        )
        Membership.objects.create(tenant=tenant, user=user, role="admin" if index == 0 else "agent")
        agents.append(user)
    teams = {
        tier: Team.objects.create(tenant=tenant, name=tier.upper(), tier=tier, lead=agents[i + 1])
        for i, tier in enumerate(("l1", "l2", "l3"))
    }
    calendar = BusinessCalendar.objects.create(
        tenant=tenant, name="24×7", always_open=True, holiday_source=""
    )
    policy = SlaPolicy.objects.create(
        tenant=tenant,
        name="Standard",
        calendar=calendar,
        first_response_minutes=FIRST_RESPONSE,
        resolution_minutes=RESOLUTION,
        warn_at_percent=[75, 90],
        breach_actions=["notify"],
    )
    return {
        "tenant": tenant,
        "agents": agents,
        "teams": teams,
        "calendar": calendar,
        "policy": policy,
    }


def _rows(total: int, seed: int, unit: dict[str, Any], base_id: int):
    """Yield (ticket row, [timer rows]) as dicts of Python values, in creation order."""
    rng = random.Random(seed)
    t0: datetime = unit["tenant"].created_at
    start = t0 - timedelta(days=365)
    step = (timedelta(days=365) - timedelta(hours=2)) / total
    due = set(due_numbers(total))
    tenant_id, calendar_id, policy_id = unit["tenant"].pk, unit["calendar"].pk, unit["policy"].pk
    agents = [a.pk for a in unit["agents"]]
    teams = unit["teams"]
    minute = timedelta(minutes=1)

    def timer(target: str, started: datetime, **values: Any) -> dict[str, Any]:
        row = dict.fromkeys(TIMER_COLUMNS)
        row.update(
            created_at=started,
            updated_at=values.get("fulfilled_at") or started,
            target=target,
            started_at=started,
            pauses="[]",
            warned_percent=0,
            calendar_id=calendar_id,
            policy_id=policy_id,
            tenant_id=tenant_id,
            ticket_id=ticket_id,
        )
        row.update(values)
        return row

    def fulfilled(target: str, started: datetime, minutes: int, late: bool) -> dict[str, Any]:
        used = minutes * (rng.uniform(1.05, 4.0) if late else rng.uniform(0.05, 1.0))
        done = min(started + used * minute, t0 - minute)
        due_at = started + minutes * minute
        return timer(
            target,
            started,
            target_minutes=minutes,
            due_at=due_at,
            fulfilled_at=done,
            breached_at=due_at if late and done > due_at else None,
            warned_percent=90 if late else 0,
            business_minutes=round((done - started) / minute, 2),
        )

    def running(target: str, started: datetime, due_at: datetime, breached: bool) -> dict[str, Any]:
        return timer(
            target,
            started,
            target_minutes=max(1, round((due_at - started) / minute)),
            due_at=due_at,
            next_check_at=None if breached else due_at,
            breached_at=due_at if breached else None,
            warned_percent=90,
        )

    for number in range(1, total + 1):
        ticket_id = base_id + number
        created = start + step * number + timedelta(seconds=rng.uniform(0, 1))
        is_open = number in due or rng.random() < 0.5 + 0.45 * number / total
        tier = rng.choices(("l1", "l2", "l3"), (75, 20, 5))[0]
        if is_open:
            status = (
                "open" if number in due else rng.choices(("new", "open", "pi"), (20, 50, 30))[0]
            )
            status = "pending_internal" if status == "pi" else status
        else:
            status = rng.choices(("resolved", "closed"), (25, 75))[0]
        ticket = {
            "id": ticket_id,
            "created_at": created,
            "updated_at": created,
            "number": number,
            "subject": f"SLA bench ticket {number}",
            "description": "Compressor trips on high discharge temperature / 排气温度过高",
            "type": rng.choice(("question", "incident", "request", "complaint")),
            "priority": rng.choice(("low", "normal", "normal", "high", "urgent")),
            "status": status,
            "is_open": is_open,
            "channel": rng.choice(("email", "portal", "phone", "web_form", "api")),
            "tier": tier,
            "blocks_parent": False,
            "first_response_at": None,
            "resolved_at": None,
            "closed_at": None,
            "version": 1,
            "assignee_id": None if status == "new" else rng.choice(agents),
            "requester_id": agents[0],
            "team_id": None if rng.random() < 0.03 else teams[tier].pk,
            "tenant_id": tenant_id,
        }
        timers = []
        future = t0 + timedelta(days=rng.uniform(1, 14))
        if status == "new":
            timers.append(running("first_response", created, future, breached=False))
        else:
            fr = fulfilled("first_response", created, FIRST_RESPONSE, rng.random() < 0.15)
            ticket["first_response_at"] = ticket["updated_at"] = fr["fulfilled_at"]
            timers.append(fr)
        if number in due:
            # Due one hour before generation: the sweep breaches it (whatever "now" is later).
            timers.append(running("resolution", created, t0 - timedelta(hours=1), breached=False))
        elif is_open:
            breached = rng.random() < 0.10
            due_at = created + (t0 - created) * rng.uniform(0.05, 0.95) if breached else future
            timers.append(running("resolution", created, due_at, breached=breached))
        else:
            res = fulfilled("resolution", created, RESOLUTION, rng.random() < 0.20)
            ticket["resolved_at"] = ticket["updated_at"] = res["fulfilled_at"]
            if status == "closed":
                ticket["closed_at"] = ticket["updated_at"] = min(
                    res["fulfilled_at"] + timedelta(days=rng.uniform(1, 7)), t0 - minute
                )
            timers.append(res)
        for row in timers:  # what the clocks copy from the ticket (the report's groups)
            row.update({name: ticket[name] for name in TIMER_GROUPS})
        yield ticket, timers


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    if isinstance(value, bool):
        return int(value)
    return value


def _flush(tickets: list[dict], timers: list[dict]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        raw = connection.connection
        with raw.cursor() as cursor:
            for table, columns, rows in (
                ("tickets_ticket", TICKET_COLUMNS, tickets),
                ("sla_slatimer", TIMER_COLUMNS, timers),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([row[c] for c in columns])
        return
    raw = connection.connection
    for table, columns, rows in (
        ("tickets_ticket", TICKET_COLUMNS, tickets),
        ("sla_slatimer", TIMER_COLUMNS, timers),
    ):
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        )
        raw.executemany(sql, [[_sqlite_value(row[c]) for c in columns] for row in rows])


def generate(total: int, seed: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Max

    from zhongtai.core.models import Tenant
    from zhongtai.sla.models import SlaTimer
    from zhongtai.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is not None:
        return {"existing": True, **dataset_facts()}
    started = time.perf_counter()
    with transaction.atomic():
        unit = _setup_unit()
        base_id = Ticket.objects.aggregate(m=Max("id"))["m"] or 0
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA cache_size = -2000000")
        tickets: list[dict] = []
        timers: list[dict] = []
        for ticket, ticket_timers in _rows(total, seed, unit, base_id):
            tickets.append(ticket)
            timers.extend(ticket_timers)
            if len(tickets) == BATCH:
                _flush(tickets, timers)
                tickets, timers = [], []
        if tickets:
            _flush(tickets, timers)
        Tenant.objects.filter(pk=unit["tenant"].pk).update(ticket_seq=total)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, SlaTimer]):
                cursor.execute(sql)
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE tickets_ticket")
            cursor.execute("VACUUM ANALYZE sla_slatimer")
        else:
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

    from zhongtai.core.models import Tenant
    from zhongtai.sla.models import SlaTimer
    from zhongtai.tickets.models import Ticket

    tenant = Tenant.objects.get(slug=SLUG)
    tickets = Ticket.objects.filter(tenant=tenant).aggregate(
        tickets=Count("id"), open=Count("id", filter=Q(is_open=True))
    )
    timers = SlaTimer.objects.filter(tenant=tenant).aggregate(
        timers=Count("id"),
        sweep_index=Count("id", filter=Q(next_check_at__isnull=False)),
        running=Count("id", filter=Q(fulfilled_at__isnull=True, cancelled_at__isnull=True)),
        met=Count("id", filter=Q(fulfilled_at__isnull=False, breached_at__isnull=True)),
        breached=Count("id", filter=Q(breached_at__isnull=False)),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        else:
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
        size = cursor.fetchone()[0]
    return {**tickets, **timers, "db_mb": round(size / 2**20), "t0": tenant.created_at.isoformat()}


# --- the sweep -----------------------------------------------------------------------------


def _unit():
    from zhongtai.core.models import Tenant

    return Tenant.objects.get(slug=SLUG)


def rearm(tenant) -> list[int]:
    """Put the due timers back as they were generated; returns their ids."""
    from django.db import connection, transaction
    from django.db.models import F
    from huey.contrib.djhuey import HUEY

    from zhongtai.sla.models import SlaTimer
    from zhongtai.tickets.models import TicketEvent

    numbers = due_numbers(tenant.ticket_seq)
    ids: list[int] = []
    with transaction.atomic():
        for part in chunks(numbers):
            timers = SlaTimer.objects.filter(
                tenant=tenant, target="resolution", ticket__number__in=part
            )
            pairs = list(timers.values_list("pk", "ticket_id"))
            ids.extend(pk for pk, _ticket in pairs)
            SlaTimer.objects.filter(pk__in=[pk for pk, _ticket in pairs]).update(
                breached_at=None, next_check_at=F("due_at"), warned_percent=90
            )
            TicketEvent.objects.filter(
                ticket_id__in=[ticket for _pk, ticket in pairs], type="sla"
            ).delete()
    HUEY.flush()
    if connection.vendor == "postgresql":
        # Clear the dead rows of the last sweep and of this re-arm: the CI server runs with
        # autovacuum off, and without this every cycle would leave thousands of dead timer
        # and event rows (and index entries) for the next sweep to wade through.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM sla_slatimer, tickets_ticketevent")
    assert len(ids) == DUE, ids
    return ids


def finding_sql(now: datetime) -> tuple[str, Any]:
    from zhongtai.sla.sweep import BATCH as FOUND
    from zhongtai.sla.sweep import due_timers

    with logged() as log:
        found = due_timers(now=now)
    assert len(found) == min(DUE, FOUND), f"{len(found)} timers found, expected {DUE}"
    sql, params, _elapsed = log.queries[-1]
    return sql, params


def bench_sweep(repeat: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.utils import timezone

    from zhongtai.sla.sweep import BATCH as FOUND
    from zhongtai.sla.sweep import due_timers, sla_sweep

    tenant = _unit()
    timings: dict[str, Any] = {}
    details: dict[str, Any] = {}
    samples = []
    for run in range(repeat + 1):
        rearm(tenant)
        now = timezone.now()
        with logged() as log:
            started = time.perf_counter()
            result = sla_sweep(now=now)
            elapsed = time.perf_counter() - started
        assert (result.checked, result.breaches, result.failed) == (DUE, DUE, 0), result
        samples.append(elapsed * 1000)
        if run == repeat:
            details["sweep"] = {
                "result": [result.checked, result.warnings, result.breaches, result.failed],
                "tickets_per_s": round(DUE / elapsed),
                "queries": len(log.queries),
                "sql_ms": round(log.seconds * 1000, 1),
                "python_ms": round((elapsed - log.seconds) * 1000, 1),
            }
    timings[f"sweep, {DUE} due (ms)"] = {"cold": samples[0], "warm": samples[1:]}
    rearm(tenant)
    now = timezone.now()
    finding = []
    for _ in range(31):
        started = time.perf_counter()
        found = due_timers(now=now)
        finding.append((time.perf_counter() - started) * 1000)
    assert len(found) == min(DUE, FOUND)
    timings[f"finding query, {DUE} due (ms)"] = {"cold": finding[0], "warm": finding[1:]}
    # The steady state: nothing due (the sweep's every-minute cost most of the time).
    sla_sweep(now=now)
    empty = []
    for _ in range(11):
        started = time.perf_counter()
        result = sla_sweep(now=now)
        empty.append((time.perf_counter() - started) * 1000)
    assert result.checked == 0
    timings["sweep, nothing due (ms)"] = {"cold": empty[0], "warm": empty[1:]}
    rearm(tenant)
    return timings, details


# --- the report ----------------------------------------------------------------------------


def _actor():
    from zhongtai.accounts.actors import Actor
    from zhongtai.accounts.models import Membership

    membership = Membership.objects.select_related("tenant", "user").get(
        tenant__slug=SLUG, user__username=f"{SLUG}.agent0"
    )
    return Actor(membership)


def report_calls():
    """(name, callable) of every report timed: both periods × every grouping, and the
    time-to-target distribution of both periods."""
    from zhongtai.sla import reports

    actor = _actor()
    calls = []
    for days in PERIODS:
        date_from, date_to = reports.report_default_period(actor=actor, days=days)
        for group in GROUPS:
            calls.append(
                (
                    f"attainment {days} d by {group} (ms)",
                    lambda f=date_from, t=date_to, g=group: reports.sla_attainment(
                        actor=actor, date_from=f, date_to=t, group_by=g
                    ),
                )
            )
        calls.append(
            (
                f"distribution {days} d (ms)",
                lambda f=date_from, t=date_to: reports.sla_distribution(
                    actor=actor, date_from=f, date_to=t
                ),
            )
        )
    return calls


def bench_report(repeat: int) -> tuple[dict[str, Any], dict[str, Any]]:
    timings: dict[str, Any] = {}
    details: dict[str, Any] = {}
    for name, call in report_calls():
        samples = []
        for _ in range(repeat + 1):
            with logged() as log:
                started = time.perf_counter()
                report = call()
                samples.append((time.perf_counter() - started) * 1000)
        timings[name] = {"cold": samples[0], "warm": samples[1:]}
        summary = getattr(report, "total", None)
        details[name] = {
            "queries": len(log.queries),
            "sql_ms": round(log.seconds * 1000, 1),
            "total": [summary.met, summary.breached, summary.open] if summary else None,
        }
    page_timings, page_details = bench_page(repeat)
    timings.update(page_timings)
    details.update(page_details)
    return timings, details


def _lead():
    """The L1 team's lead (``slabench.agent1``), given the ``lead`` role the report needs."""
    from zhongtai.accounts.models import Membership

    membership = Membership.objects.select_related("user").get(
        tenant__slug=SLUG, user__username=f"{SLUG}.agent1"
    )
    if membership.role != "lead":
        Membership.objects.filter(pk=membership.pk).update(role="lead")
    return membership.user


def bench_page(repeat: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The whole report page as a team lead loads it: one GET through the middleware, the
    view (attainment by team + the distribution) and the template, via the test client."""
    from django.test import Client
    from django.urls import reverse

    from zhongtai.sla import reports

    client = Client()
    client.force_login(_lead())
    actor = _actor()
    url = reverse("reports:sla_report")
    timings: dict[str, Any] = {}
    details: dict[str, Any] = {}
    for days in PERIODS:
        first_day, end = reports.report_default_period(actor=actor, days=days)
        query = {"from": first_day.isoformat(), "to": (end - timedelta(days=1)).isoformat()}
        if days == reports.DEFAULT_PERIOD_DAYS:
            query = {}  # the page as first opened: its own defaults (30 days, by team)
        name = f"page {days} d by team{' (defaults)' if not query else ''} (ms)"
        samples = []
        for _ in range(repeat + 1):
            with logged() as log:
                started = time.perf_counter()
                response = client.get(url, query)
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        timings[name] = {"cold": samples[0], "warm": samples[1:]}
        details[name] = {
            "queries": len(log.queries),
            "sql_ms": round(log.seconds * 1000, 1),
            "bytes": len(response.content),
        }
    return timings, details


# --- ticket creation with and without SLA policies -------------------------------------------


def _create_units() -> dict[str, Any]:
    """The two units of the create bench, made once: an agent each and an L1 team."""
    from django.db import transaction
    from django.utils import timezone

    from zhongtai.accounts.actors import Actor
    from zhongtai.accounts.models import Membership, Team, User
    from zhongtai.core.demo.standards import standards_create
    from zhongtai.core.models import Tenant

    actors = {}
    for slug, name in CREATE_UNITS.items():
        with transaction.atomic():
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                tenant = Tenant.objects.create(
                    slug=slug, name=name, ticket_prefix="CB", time_zone="Asia/Shanghai"
                )
                user = User.objects.create(username=f"{slug}.bench", display_name=f"{slug} agent")
                Membership.objects.create(tenant=tenant, user=user, role="agent")
                Team.objects.create(tenant=tenant, name="L1", tier="l1", lead=user)
                if slug == "sh":
                    standards_create(tenant=tenant, anchor=timezone.now())
        membership = Membership.objects.select_related("tenant", "user").get(
            tenant=tenant, role="agent"
        )
        actors[slug] = Actor(membership)
    return actors


def _create_block(actor, count: int, seed: int) -> list[float]:
    """``count`` tickets through ``ticket_create`` (one transaction each); ms per create."""
    from zhongtai.tickets.services import ticket_create

    rng = random.Random(seed)  # the same fields for both units
    samples = []
    for index in range(count):
        started = time.perf_counter()
        ticket_create(
            actor=actor,
            subject=f"Create bench {index}",
            description="Compressor trips on high discharge temperature / 排气温度过高",
            type=rng.choice(("question", "incident", "request", "complaint")),
            priority=rng.choice(("low", "normal", "normal", "high", "urgent")),
        )
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_create(creates: int, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """ms per ``ticket_create`` in a unit without SLA policies and in one with the demo's
    standards, in alternating blocks (A B B A A B …); plus the paired block differences."""
    from zhongtai.sla.models import SlaTimer
    from zhongtai.tickets.models import Ticket

    actors = _create_units()
    warm = {slug: statistics.mean(_create_block(a, 50, seed)) for slug, a in actors.items()}
    blocks: dict[str, list[float]] = {slug: [] for slug in actors}
    every: dict[str, list[float]] = {slug: [] for slug in actors}
    order = list(actors)
    for block in range(max(1, creates // CREATE_BLOCK)):
        for slug in order if block % 2 == 0 else order[::-1]:
            samples = _create_block(actors[slug], CREATE_BLOCK, seed + block)
            blocks[slug].append(statistics.mean(samples))
            every[slug].extend(samples)
    timings: dict[str, Any] = {}
    details: dict[str, Any] = {}
    for slug, means in blocks.items():
        name = f"create, {CREATE_UNITS[slug]} (ms per create, block means)"
        timings[name] = {"cold": warm[slug], "warm": means}
        with logged() as log:
            _create_block(actors[slug], 1, seed)
        tenant = actors[slug].tenant
        details[name] = {
            "median_single_ms": round(statistics.median(every[slug]), 3),
            "queries_per_create": len(log.queries),
            "tickets_in_unit": Ticket.objects.filter(tenant=tenant).count(),
            "timers_in_unit": SlaTimer.objects.filter(tenant=tenant).count(),
        }
    sla, plain = blocks["sh"], blocks["nosla"]
    timings["create, added by SLA (ms, paired blocks)"] = {
        "cold": warm["sh"] - warm["nosla"],
        "warm": [a - b for a, b in zip(sla, plain, strict=True)],
    }
    return timings, details


# --- query plans ---------------------------------------------------------------------------


def explain(sql: str, params: Any) -> list[str]:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[3] for row in cursor.fetchall()]
        with transaction.atomic():
            from zhongtai.sla import reports

            cursor.execute("SELECT set_config('work_mem', %s, true)", [reports.REPORT_WORK_MEM])
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return [row[0] for row in cursor.fetchall()]


def generic_plan(sql: str, params: Any) -> list[str]:
    """PostgreSQL: the plan of the statement prepared once and reused (generic plan)."""
    from django.db import connection, transaction
    from psycopg import sql as pg_sql

    numbered, index = "", 0
    for piece in sql.split("%s"):
        numbered += piece
        index += 1
        numbered += f"${index}"
    numbered = numbered[: -len(f"${index}")]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE bench_generic AS {numbered}")
        # EXECUTE takes no bind parameters: the values go in as quoted literals.
        literals = pg_sql.SQL(", ").join(pg_sql.Literal(value) for value in params)
        statement = pg_sql.SQL("EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic({})")
        cursor.execute(statement.format(literals).as_string(connection.connection))
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute("DEALLOCATE bench_generic")
    return plan


def plans(with_report: bool) -> dict[str, list[str]]:
    from django.db import connection
    from django.utils import timezone

    tenant = _unit()
    rearm(tenant)
    out: dict[str, list[str]] = {}
    sql, params = finding_sql(timezone.now())
    out["finding query: " + sql] = explain(sql, params)
    if connection.vendor == "postgresql":
        out["finding query, generic plan (prepared)"] = generic_plan(sql, params)
    if not with_report:
        return out
    for name, call in report_calls():
        with logged() as log:
            call()
        for index, (sql, params, _elapsed) in enumerate(log.queries):
            if "sla_slatimer" not in sql or "set_config" in sql:
                continue
            out[f"{name[:-5]} #{index}: {sql}"] = explain(sql, params)
    return out


def child(args: argparse.Namespace) -> None:
    global DUE
    DUE = args.due
    django_setup()
    from django.db import connection

    steps = args.steps.split(",")
    from django.conf import settings

    out: dict[str, Any] = {
        "load": load(),
        "vendor": connection.vendor,
        "queue": settings.HUEY["huey_class"],
    }
    if "generate" in steps:
        out["generate"] = generate(args.tickets, args.seed)
    report_ready = _reports_available()
    if "plans" in steps:
        out["plans"] = plans(with_report=report_ready)
    timings: dict[str, Any] = {}
    details: dict[str, Any] = {}
    if "sweep" in steps:
        t, d = bench_sweep(args.repeat)
        timings.update(t)
        details.update(d)
    if "report" in steps and report_ready:
        t, d = bench_report(args.repeat)
        timings.update(t)
        details.update(d)
    if "create" in steps:
        t, d = bench_create(args.creates, args.seed)
        timings.update(t)
        details.update(d)
    out["timings"], out["details"] = timings, details
    out["load_after"] = load()
    print(json.dumps(out, ensure_ascii=False, default=str))


def _reports_available() -> bool:
    try:
        from zhongtai.sla import reports  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.child:
        child(arguments)
    else:
        driver(arguments)
