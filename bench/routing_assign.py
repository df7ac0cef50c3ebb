"""Assignment at scale: ``decide`` with 200 agents and 5,000 open tickets, intake with
assignment on and off, and a team queue drain. One process.

    .venv/bin/python bench/routing_assign.py                       # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zt_routing_assign \\
        .venv/bin/python bench/routing_assign.py                   # PostgreSQL
    options: --decisions 2000 --creates 1000 --drains 3 --closed 6000 --explain --json --keep

The script owns its database and builds it anew each run: SQLite under
``/tmp/zt-routing-assign`` (``ROUTING_BENCH_DIR`` to change; also the Huey queue file,
for both databases); on PostgreSQL it drops and re-creates the database named in
``DATABASE_URL`` (it refuses ``test``, ``postgres`` and ``template*``) and drops it at
the end unless ``--keep``.

The unit (seed 42, ``bulk_create``): an L1 team of 200 available agents (capacity 25–35,
a quarter with per-channel caps, 40 % with category skills, language and customer-tier
skills mixed); a VIP lane team of 10 agents; an L2 team of 6; Bitext's 11 categories with
their 27 intents as subcategories; 500 customers (5 % VIP); 5,000 open tickets held by
the L1 agents within their capacity (300 of them escalated to an L2 engineer), 300
unassigned ones waiting in the L1 queue, ``--closed`` closed ones (history, 6,000 by
default); the L1 team overflows into its surge pool past 50 waiting (so it overflows
throughout) and 10 people are enrolled in the pool today; the classifier trained on
Bitext's training set and 20 keyword rules.
Every query of ``decide`` runs: the team's routing, its queue, the surge pool, the lane
teams' members, the profiles and the loads.

Measured:
1. ``decide`` for new tickets (not saved; mixed channels, categories, languages, tiers;
   VIP and standard interleaved), p50/p95/p99; queries per decision and the time of each.
2. ``ticket_create`` in blocks of 100, rotating three arms (A B C, C B A, …): no routing,
   rules + classifier, rules + classifier + assignment; ms per create and the added ms.
   After each block its tickets are closed (untimed), so the open load stays ~5,000.
3. ``team_queue_drain`` of the 200 oldest waiting tickets, reset in between (untimed).
4. The classifier alone: one prediction at a time over Bitext's test texts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "bitext_cs"
DATA_DIR = Path("/tmp/zt-routing-assign")
SEED = 42
BLOCK = 100
N_AGENTS, N_VIP, N_L2 = 200, 10, 6
N_OPEN, N_ESCALATED, N_WAITING = 5000, 300, 300
N_CUSTOMERS = 500
MAX_WAITING = 50
DRAIN = 200
CHANNELS = ["email"] * 40 + ["chat"] * 25 + ["portal"] * 15 + ["phone"] * 10 + ["web_form"] * 5
CHANNELS += ["api"] * 5
ZH = [
    "订单一直没有发货，请帮忙查一下物流",
    "发票抬头开错了，需要重新开具",
    "账户无法登录，密码重置邮件收不到",
    "退款申请提交一周了还没有到账",
    "想修改收货地址，订单还没发出",
]
KEYWORDS = [
    "refund",
    "invoice",
    "password",
    "account",
    "delivery",
    "order",
    "payment",
    "shipping",
    "cancel",
    "address",
    "fee",
    "newsletter",
    "complaint",
    "review",
    "track",
    "card",
    "bill",
    "agent",
    "human",
    "subscription",
]


# --- setup ---------------------------------------------------------------------------


def database_setup() -> str:
    """Point Django at a fresh database of our own; returns "sqlite" or "postgresql"."""
    global DATA_DIR
    DATA_DIR = Path(os.environ.get("ROUTING_BENCH_DIR", str(DATA_DIR)))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["ZHONGTAI_DATA_DIR"] = str(DATA_DIR)
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    DATA_DIR.mkdir(parents=True)
    url = os.environ.get("DATABASE_URL", "")
    if url:
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        if not name or name in {"test", "postgres"} or name.startswith("template"):
            sys.exit(f"refusing to drop and re-create the database {name!r}: name a scratch one")
        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor


def database_drop() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    url = os.environ["DATABASE_URL"]
    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')


def build(rng: random.Random, closed: int) -> dict[str, Any]:
    """The unit, its people, tickets, routing and classifier (see the module's docstring)."""
    from django.db import transaction
    from django.utils import timezone

    from zhongtai.accounts.actors import Actor
    from zhongtai.accounts.models import Membership, Team, User
    from zhongtai.core.models import Tenant
    from zhongtai.customers.models import Customer
    from zhongtai.routing import classifier, services
    from zhongtai.routing.models import (
        AgentProfile,
        RoutingRule,
        RoutingSettings,
        SurgeEnrolment,
        TeamRouting,
    )
    from zhongtai.tickets.models import Category, Ticket

    begun = time.perf_counter()
    now = timezone.now()
    train = [json.loads(line) for line in (DATA / "train.jsonl").open()]
    with transaction.atomic():
        tenant = Tenant.objects.create(
            slug="assign", name="Assignment bench", ticket_prefix="RA", time_zone="Asia/Shanghai"
        )
        l1 = Team.objects.create(tenant=tenant, name="L1 support", tier="l1")
        vip = Team.objects.create(tenant=tenant, name="VIP desk", tier="l1")
        l2 = Team.objects.create(tenant=tenant, name="Engineering", tier="l2")
        names = [f"agent{i:03d}" for i in range(N_AGENTS)]
        names += [f"vip{i:02d}" for i in range(N_VIP)] + [f"eng{i:02d}" for i in range(N_L2)]
        users = User.objects.bulk_create(
            User(username=f"ra.{n}", display_name=n.title()) for n in [*names, "intake"]
        )
        intake_user = users.pop()
        agents, vips, engineers = users[:N_AGENTS], users[N_AGENTS:-N_L2], users[-N_L2:]
        Membership.objects.bulk_create(
            Membership(tenant=tenant, user=u, role="agent") for u in [*users, intake_user]
        )
        through = Team.members.through
        through.objects.bulk_create(
            [through(team_id=l1.pk, user_id=u.pk) for u in agents]
            + [through(team_id=vip.pk, user_id=u.pk) for u in vips]
            + [through(team_id=l2.pk, user_id=u.pk) for u in engineers]
        )
        parents = {
            name: Category.objects.create(tenant=tenant, name=name)
            for name in sorted({e["category"] for e in train})
        }
        children = Category.objects.bulk_create(
            Category(tenant=tenant, name=label, parent=parents[cat])
            for cat, label in sorted({(e["category"], e["label"]) for e in train})
        )
        parent_ids = [c.pk for c in parents.values()]
        customers = Customer.objects.bulk_create(
            Customer(
                tenant=tenant,
                name=f"Customer {i:03d}",
                tier=rng.choices(["standard", "premium", "vip"], [70, 25, 5])[0],
            )
            for i in range(N_CUSTOMERS)
        )
        languages = [[], ["zh"], ["en"], ["en", "zh"]]
        profiles = []
        for user in agents + vips + engineers:
            caps = rng.choices([{}, {"chat": 5}, {"chat": 5, "phone": 3}], [75, 15, 10])[0]
            cats = sorted(rng.sample(parent_ids, rng.randint(1, 3))) if rng.random() < 0.4 else []
            profiles.append(
                AgentProfile(
                    tenant=tenant,
                    user=user,
                    status="available",
                    status_changed_at=now,
                    max_open=rng.choice([25, 28, 30, 30, 32, 35]),
                    channel_caps=caps,
                    categories=cats,
                    languages=rng.choices(languages, [30, 30, 20, 20])[0],
                    customer_tiers=["premium", "vip"] if rng.random() < 0.15 else [],
                    last_assigned_at=now - timedelta(seconds=rng.randint(0, 3600)),
                )
            )
        AgentProfile.objects.bulk_create(profiles)
        caps_of = {p.user_id: (p.max_open, p.channel_caps) for p in profiles}

        numbers = iter(range(1, 10**9))

        def ticket(**fields: Any) -> Ticket:
            text = rng.choice(train)["text"] if rng.random() < 0.8 else rng.choice(ZH)
            customer = rng.choice(customers) if rng.random() < 0.9 else None
            return Ticket(
                tenant=tenant,
                number=next(numbers),
                subject=text[:200],
                description=text,
                category=rng.choice(children),
                customer=customer,
                requester=intake_user,
                **fields,
            )

        rows: list[Ticket] = []
        load: Counter[int] = Counter()
        by_channel: dict[int, Counter[str]] = defaultdict(Counter)
        for i in range(N_OPEN):
            room = [u for u in agents if load[u.pk] < caps_of[u.pk][0]]
            user = rng.choice(room)
            channel = rng.choice(CHANNELS)
            cap = caps_of[user.pk][1].get(channel)
            if cap is not None and by_channel[user.pk][channel] >= cap:
                channel = "email"
            load[user.pk] += 1
            by_channel[user.pk][channel] += 1
            escalated = i < N_ESCALATED
            rows.append(
                ticket(
                    status=rng.choice(["new", "open", "open", "pending_customer"]),
                    channel=channel,
                    team=l2 if escalated else l1,
                    tier="l2" if escalated else "l1",
                    assignee=user,
                    engineer=rng.choice(engineers) if escalated else None,
                )
            )
        waiting = [
            ticket(status="new", channel=rng.choice(CHANNELS), team=l1, tier="l1")
            for _ in range(N_WAITING)
        ]
        rows += waiting
        rows += [
            ticket(
                status="closed",
                is_open=False,
                channel=rng.choice(CHANNELS),
                team=l1,
                tier="l1",
                assignee=rng.choice(agents),
                closed_at=now,
            )
            for _ in range(closed)
        ]
        Ticket.objects.bulk_create(rows, batch_size=1000)
        Tenant.objects.filter(pk=tenant.pk).update(ticket_seq=len(rows))
        for k, t in enumerate(waiting):  # waiting for the last two hours, oldest first
            created = now - timedelta(minutes=120 * (N_WAITING - k) / N_WAITING)
            Ticket.objects.filter(pk=t.pk).update(created_at=created)
        TeamRouting.objects.create(
            tenant=tenant, team=l1, overflow_to="surge", max_waiting=MAX_WAITING
        )
        today = timezone.localtime(now, ZoneInfo(tenant.time_zone)).date()
        SurgeEnrolment.objects.bulk_create(
            SurgeEnrolment(tenant=tenant, team=l1, user=u, day=today)
            for u in [*engineers, *vips[:4]]
        )
        for i, word in enumerate(KEYWORDS):
            RoutingRule.objects.create(
                tenant=tenant, name=f"rule {i}", position=i, keywords=[word], add_tags=[word]
            )
        RoutingSettings.objects.create(
            tenant=tenant, confidence_threshold=0.5, auto_assign=True, vip_team=vip
        )
    built = time.perf_counter() - begun
    examples = [classifier.Example(e["text"], f"{e['category']} › {e['label']}") for e in train]
    model = services.classifier_version_new(tenant=tenant, target="category", source="file")
    services.classifier_run(model=model, examples=examples)
    membership = Membership.objects.select_related("tenant", "user").get(
        tenant=tenant, user=intake_user
    )
    return {
        "tenant": tenant,
        "l1": l1,
        "actor": Actor(membership),
        "customers": customers,
        "children": children,
        "waiting": [t.pk for t in waiting],
        "seconds": {"data": built, "classifier": time.perf_counter() - begun - built},
    }


# --- measuring -------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(pct(values, 50), 3),
        "p95": round(pct(values, 95), 3),
        "p99": round(pct(values, 99), 3),
        "mean": round(statistics.fmean(values), 3),
    }


def label_of(sql: str) -> str:
    """A short name for a query: its verb and first table."""
    verb = sql.lstrip().split(None, 1)[0].upper()
    table = re.search(r'FROM\s+"?(\w+)"?', sql) or re.search(r'(?:UPDATE|INTO)\s+"?(\w+)"?', sql)
    return f"{verb} {table.group(1) if table else ''}".strip()


@contextmanager
def query_log() -> Iterator[list[tuple[str, Any, float]]]:
    """Every statement run inside: (sql, params, ms)."""
    from django.db import connection

    log: list[tuple[str, Any, float]] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        begun = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            log.append((sql, params, (time.perf_counter() - begun) * 1000))

    with connection.execute_wrapper(wrapper):
        yield log


def new_tickets(unit: dict[str, Any], n: int, rng: random.Random) -> list[Any]:
    """Tickets as intake has them when it decides (not saved here: ``decide`` only reads)."""
    from zhongtai.tickets.models import Ticket

    texts = [json.loads(line)["text"] for line in (DATA / "test.jsonl").open()]
    tickets = []
    vips = [c for c in unit["customers"] if c.tier == "vip"]
    others = [c for c in unit["customers"] if c.tier != "vip"]
    for i in range(n):
        text = rng.choice(texts) if rng.random() < 0.8 else rng.choice(ZH)
        # every 10th a VIP customer's: both kinds interleaved in one sequence
        customer = rng.choice(vips) if i % 10 == 0 else rng.choice([*others, None])
        tickets.append(
            Ticket(
                tenant=unit["tenant"],
                number=0,
                subject=text[:200],
                description=text,
                channel=rng.choice(CHANNELS),
                category=rng.choice(unit["children"]) if rng.random() < 0.9 else None,
                customer=customer,
                team=unit["l1"],
                tier="l1",
            )
        )
    return tickets


def decisions(unit: dict[str, Any], n: int, rng: random.Random) -> dict[str, Any]:
    from django.utils import timezone

    from zhongtai.routing.assignment import decide
    from zhongtai.routing.state import routing_state

    tenant_id = unit["tenant"].pk
    tickets = new_tickets(unit, n + 50, rng)
    state = routing_state(tenant_id)
    for ticket in tickets[:50]:  # warm: prepared statements, caches
        decide(ticket, state, at=timezone.now())
    tickets = tickets[50:]
    times: dict[str, list[float]] = {"all": [], "vip": [], "standard": []}
    lanes: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for ticket in tickets:
        state = routing_state(tenant_id)
        at = timezone.now()
        begun = time.perf_counter()
        decision, _context = decide(ticket, state, at=at)
        ms = (time.perf_counter() - begun) * 1000
        times["all"].append(ms)
        vip = ticket.customer is not None and ticket.customer.tier == "vip"
        times["vip" if vip else "standard"].append(ms)
        lanes[decision.lane or "waits"] += 1
        refused.update(decision.refused)
    steps = breakdown(tickets[:300], state)
    # queries: count and time of each, over 200 more decisions
    per_query: dict[str, list[float]] = defaultdict(list)
    counts = []
    plans_of: dict[str, tuple[str, Any]] = {}
    for ticket in tickets[:200]:
        with query_log() as log:
            decide(ticket, state, at=timezone.now())
        counts.append(len(log))
        for k, (sql, params, ms) in enumerate(log):
            name = f"{k + 1}. {label_of(sql)}"
            per_query[name].append(ms)
            plans_of.setdefault(name, (sql, params))
    return {
        "latency_ms": {k: summary(v) for k, v in times.items()},
        "lanes": dict(lanes),
        "refused_per_decision": {k: round(v / len(tickets), 1) for k, v in refused.items()},
        "steps_ms": steps,
        "queries": {"min": min(counts), "max": max(counts)},
        "query_ms": {
            k: {"p50": round(pct(v, 50), 3), "p95": round(pct(v, 95), 3)}
            for k, v in per_query.items()
        },
        "_plans": plans_of,
    }


def breakdown(tickets: list[Any], state: Any) -> dict[str, float]:
    """Median ms of each step of ``decide`` (SQL, fetching and Python together), timed by
    wrapping the module's helpers; "rest" is the team's routing row, the lanes and
    ``choose``."""
    from django.utils import timezone

    from zhongtai.routing import assignment

    spent: dict[str, float] = defaultdict(float)
    originals = {n: getattr(assignment, n) for n in ("queue_of", "roster_read")}

    def timed(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            begun = time.perf_counter()
            try:
                return originals[name](*args, **kwargs)
            finally:
                spent[name] += (time.perf_counter() - begun) * 1000

        return call

    samples: dict[str, list[float]] = defaultdict(list)
    try:
        for name in originals:
            setattr(assignment, name, timed(name))
        for ticket in tickets:
            spent.clear()
            begun = time.perf_counter()
            assignment.decide(ticket, state, at=timezone.now())
            total = (time.perf_counter() - begun) * 1000
            samples["total"].append(total)
            samples["queue_of (waiting count)"].append(spent["queue_of"])
            samples["roster_read (members, profiles, loads)"].append(spent["roster_read"])
            samples["rest"].append(total - spent["queue_of"] - spent["roster_read"])
    finally:
        for name, fn in originals.items():
            setattr(assignment, name, fn)
    return {k: round(statistics.median(v), 2) for k, v in samples.items()}


def explain(plans_of: dict[str, tuple[str, Any]]) -> dict[str, str]:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for name, (sql, params) in plans_of.items():
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                out[name] = "\n".join(row[0] for row in cursor.fetchall())
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                out[name] = "\n".join(row[-1] for row in cursor.fetchall())
            out[name] = f"{sql}\n--\n{out[name]}"
    return out


ARMS = ("plain", "routed", "assigned")


def arm_set(tenant_id: int, arm: str) -> None:
    """No routing / rules + classifier / rules + classifier + assignment (untimed)."""
    from django.utils import timezone

    from zhongtai.routing.models import RoutingRule, RoutingSettings
    from zhongtai.routing.state import routing_forget

    now = timezone.now()
    RoutingRule.objects.filter(tenant_id=tenant_id).update(is_active=arm != "plain", updated_at=now)
    RoutingSettings.objects.filter(tenant_id=tenant_id).update(
        classify_at_intake=arm != "plain", auto_assign=arm == "assigned", updated_at=now
    )
    routing_forget()


def create_block(
    unit: dict[str, Any],
    texts: list[str],
    start: int,
    rng: random.Random,
    outcome: Counter[str] | None = None,
) -> float:
    from django.utils import timezone

    from zhongtai.tickets.models import Ticket
    from zhongtai.tickets.services import ticket_create

    customers = unit["customers"]
    args = [
        (texts[(start + i) % len(texts)], rng.choice(CHANNELS), rng.choice([*customers, None]))
        for i in range(BLOCK)
    ]
    ids = []
    begun = time.perf_counter()
    for text, channel, customer in args:
        ticket = ticket_create(
            actor=unit["actor"],
            subject=text[:200],
            description=text,
            channel=channel,
            customer=customer,
        )
        ids.append(ticket.pk)
        if outcome is not None:
            held = ticket.assignee_id is not None
            outcome["triage" if ticket.needs_triage else "assigned" if held else "waits"] += 1
    ms = (time.perf_counter() - begun) * 1000 / BLOCK
    Ticket.objects.filter(pk__in=ids).update(
        is_open=False, status="closed", closed_at=timezone.now()
    )
    return ms


def intake(unit: dict[str, Any], creates: int, rng: random.Random) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhongtai.tickets.models import Ticket
    from zhongtai.tickets.services import ticket_create

    tenant_id = unit["tenant"].pk
    texts = [json.loads(line)["text"] for line in (DATA / "test.jsonl").open()]
    queries = {}
    outcome: Counter[str] = Counter()
    for arm in ARMS:  # warm each arm, count its queries
        arm_set(tenant_id, arm)
        create_block(unit, texts, 0, rng)
        with CaptureQueriesContext(connection) as ctx:
            ticket = ticket_create(
                actor=unit["actor"], subject=texts[1], description=texts[1], channel="email"
            )
        queries[arm] = len(ctx)
        Ticket.objects.filter(pk=ticket.pk).update(is_open=False, status="closed")
    means: dict[str, list[float]] = {arm: [] for arm in ARMS}
    rounds = creates // BLOCK
    for n in range(rounds):
        for arm in ARMS if n % 2 == 0 else ARMS[::-1]:
            arm_set(tenant_id, arm)
            counted = outcome if arm == "assigned" else None
            means[arm].append(create_block(unit, texts, n * BLOCK, rng, counted))
    arm_set(tenant_id, "assigned")

    def row(values: list[float]) -> dict[str, float]:
        med = statistics.median(values)
        return {
            "ms": round(med, 2),
            "min": round(min(values), 2),
            "max": round(max(values), 2),
            "per_s": round(1000 / med),
        }

    def added(a: str, b: str) -> float:
        return round(statistics.median(x - y for x, y in zip(means[a], means[b], strict=True)), 2)

    return {
        "blocks": rounds,
        "ms_per_create": {arm: row(v) for arm, v in means.items()},
        "added_ms": {
            "rules_classifier": added("routed", "plain"),
            "assignment": added("assigned", "routed"),
            "all_routing": added("assigned", "plain"),
        },
        "queries": queries,
        "assigned_arm_outcome": dict(outcome),
    }


def drain(unit: dict[str, Any], repeats: int) -> dict[str, Any]:
    from django.db import connection

    from zhongtai.routing.assignment import team_queue_drain
    from zhongtai.tickets.choices import EventType
    from zhongtai.tickets.models import Ticket, TicketEvent

    tenant_id, team_id = unit["tenant"].pk, unit["l1"].pk
    waiting = unit["waiting"]
    results = []
    queries = 0
    for r in range(repeats + 1):  # the first is a warm-up
        with query_log() as log:
            begun = time.perf_counter()
            assigned = team_queue_drain(tenant_id=tenant_id, team_id=team_id, limit=DRAIN)
            seconds = time.perf_counter() - begun
        if r:
            results.append((assigned, seconds))
            queries = len(log)
        Ticket.objects.filter(pk__in=waiting).update(assignee=None, team_id=team_id, tier="l1")
        TicketEvent.objects.filter(ticket_id__in=waiting, type=EventType.ASSIGNMENT).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE tickets_ticket")
    per_s = [a / s for a, s in results]
    return {
        "looked_at": DRAIN,
        "assigned": [a for a, _s in results],
        "ms": [round(s * 1000) for _a, s in results],
        "tickets_per_s": round(statistics.median(per_s)),
        "tickets_per_s_range": [round(min(per_s)), round(max(per_s))],
        "queries": queries,
    }


def classify(n: int = 500) -> dict[str, Any]:
    from zhongtai.routing import services
    from zhongtai.routing.models import ClassifierModel

    model = ClassifierModel.objects.get(status="active", target="category")
    fitted = services.classifier_fitted(model_id=model.pk)
    assert fitted is not None
    texts = [json.loads(line)["text"] for line in (DATA / "test.jsonl").open()][:n]
    fitted.predict(texts[:20], k=3)
    times = []
    for text in texts:
        begun = time.perf_counter()
        fitted.predict([services.ticket_text(text[:200], text)], k=3)
        times.append((time.perf_counter() - begun) * 1000)
    return summary(times)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=2000)
    parser.add_argument("--creates", type=int, default=1000, help="per arm, blocks of 100")
    parser.add_argument("--drains", type=int, default=3)
    parser.add_argument("--closed", type=int, default=6000, help="closed tickets (history)")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    vendor = database_setup()
    rng = random.Random(SEED)
    from django.db import connection

    unit = build(rng, args.closed)
    loads = {"start": load_average()}
    result: dict[str, Any] = {
        "db": vendor,
        "db_version": connection.cursor().connection.info.server_version
        if vendor == "postgresql"
        else __import__("sqlite3").sqlite_version,
        "build_s": {k: round(v, 1) for k, v in unit["seconds"].items()},
        "tickets": {"open": N_OPEN + N_WAITING, "waiting": N_WAITING, "closed": args.closed},
    }
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result["decide"] = decisions(unit, args.decisions, rng)
    plans_of = result["decide"].pop("_plans")
    loads["after_decide"] = load_average()
    if args.explain:
        result["plans"] = explain(plans_of)
    result["classifier"] = classify()
    result["intake"] = intake(unit, args.creates, rng)
    loads["after_intake"] = load_average()
    result["drain"] = drain(unit, args.drains)
    loads["end"] = load_average()
    result["load_average"] = loads
    if vendor == "postgresql" and not args.keep:
        database_drop()
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return
    report(result)


def report(r: dict[str, Any]) -> None:
    d = r["decide"]
    lat = d["latency_ms"]
    print(f"{r['db']} {r['db_version']}; {r['tickets']}; built in {r['build_s']} s")
    print(f"load averages: {r['load_average']}")
    print("| measure | p50 | p95 | p99 | n |")
    print("|---|---|---|---|---|")
    for k in ("all", "standard", "vip"):
        v = lat[k]
        print(f"| decide ms, {k} | {v['p50']:.2f} | {v['p95']:.2f} | {v['p99']:.2f} | {v['n']} |")
    c = r["classifier"]
    cells = f"{c['p50']:.2f} | {c['p95']:.2f} | {c['p99']:.2f} | {c['n']}"
    print(f"| classifier ms per ticket | {cells} |")
    print(f"lanes {d['lanes']}; refusals per decision {d['refused_per_decision']}")
    q = d["queries"]
    print(f"queries per decision: {q['min']}–{q['max']}; median ms per step: {d['steps_ms']}")
    for name, v in d["query_ms"].items():
        print(f"  {name}: p50 {v['p50']:.3f} ms, p95 {v['p95']:.3f} ms")
    i = r["intake"]
    head = f"intake ({i['blocks']} blocks of {BLOCK} per arm)"
    print(f"| {head} | ms per create (min–max) | creates/s | queries |")
    print("|---|---|---|---|")
    for arm, v in i["ms_per_create"].items():
        cells = f"{v['ms']:.2f} ({v['min']:.2f}–{v['max']:.2f}) | {v['per_s']}"
        print(f"| {arm} | {cells} | {i['queries'][arm]} |")
    print(f"added ms per create: {i['added_ms']}; assigned arm: {i['assigned_arm_outcome']}")
    dr = r["drain"]
    print(
        f"drain of {dr['looked_at']} waiting: assigned {dr['assigned']} in {dr['ms']} ms, "
        f"{dr['tickets_per_s']} tickets/s ({dr['tickets_per_s_range'][0]}–"
        f"{dr['tickets_per_s_range'][1]}), {dr['queries']} queries"
    )
    for name, plan in r.get("plans", {}).items():
        print(f"\n== {name}\n{plan}")


if __name__ == "__main__":
    main()
