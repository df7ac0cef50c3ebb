"""Fill a ``bench`` business unit with N tickets (default 100,000), seeded and fast.

    ZHONGTAI_DATA_DIR=var/bench python bench/datagen.py --tickets 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zt_bench python bench/datagen.py

Rows go in with bulk_create in batches: tickets numbered in creation order over a year,
about 45 % open (recent tickets more often than old ones), Chinese and English text from
the demo phrase banks, one "created" event each, and planted search terms: "hydrolock" /
"喘振" in 0.5 % of tickets (rare) and "firmware" / "固件" in 5 % (common). It writes the
API token of the agent ``bench.agent`` to ``<data dir>/bench_token.txt``; ``bench.agent``
logs in to the web UI with the password ``bench-pass-123``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhongtai.accounts.actors import Actor  # noqa: E402
from zhongtai.accounts.models import Membership, Team, User  # noqa: E402
from zhongtai.accounts.services import api_token_create  # noqa: E402
from zhongtai.core.demo import phrases_en, phrases_zh  # noqa: E402
from zhongtai.core.demo.text import TextWriter  # noqa: E402
from zhongtai.core.models import Tenant  # noqa: E402
from zhongtai.customers.models import Contact, Customer  # noqa: E402
from zhongtai.tickets.models import Category, Ticket, TicketEvent  # noqa: E402

PASSWORD = "bench-pass-123"
BATCH = 2000
CLOSED = ["resolved"] * 25 + ["closed"] * 75
OPEN = ["new"] * 20 + ["open"] * 40 + ["pending_customer"] * 25 + ["pending_internal"] * 15
RARE = {"en": "hydrolock", "zh": "喘振"}
COMMON = {"en": "firmware", "zh": "固件"}


def token_path() -> Path:
    return Path(settings.DATA_DIR) / "bench_token.txt"


def setup_unit(rng: random.Random) -> tuple[Tenant, list[User], list[Team], list, list]:
    tenant = Tenant.objects.create(
        slug="bench", name="Bench unit", ticket_prefix="BN", time_zone="Asia/Shanghai"
    )
    teams = [
        Team.objects.create(tenant=tenant, name="L1", tier="l1"),
        Team.objects.create(tenant=tenant, name="L2", tier="l2"),
    ]
    agents = []
    for index in range(8):
        user = User(username=f"bench.agent{index or ''}", display_name=f"Agent {index}")
        user.set_password(PASSWORD)
        user.save()
        role = "admin" if index == 0 else "agent"
        membership = Membership.objects.create(tenant=tenant, user=user, role=role)
        teams[0].members.add(user)
        agents.append(user)
        if index == 0:
            _token, secret = api_token_create(actor=Actor(membership), name="bench")
            token_path().write_text(secret)
    customers = Customer.objects.bulk_create(
        Customer(tenant=tenant, name=f"Customer {i:04d}") for i in range(1000)
    )
    contacts = Contact.objects.bulk_create(
        Contact(tenant=tenant, customer=c, name=f"Contact {i}", email=f"c{i}@example.com")
        for i, c in enumerate(customers + customers[:500])
    )
    roots = Category.objects.bulk_create(
        Category(tenant=tenant, name=n) for n in ("Hardware", "Software", "Billing")
    )
    leaves = Category.objects.bulk_create(
        Category(tenant=tenant, name=f"{r.name} {i}", parent=r) for r in roots for i in range(3)
    )
    return tenant, agents, teams, contacts, leaves


def make_ticket(rng, writers, number, total, created, unit) -> Ticket:
    tenant, agents, teams, contacts, leaves = unit
    lang = "zh" if rng.random() < 0.5 else "en"
    writer = writers[lang]
    ctx = writer.context(rng.choice(list(writer.topics)))
    subject = writer.subject(ctx)
    description = writer.description(ctx)
    draw = rng.random()
    if draw < 0.005:
        description += (" " if lang == "en" else "") + RARE[lang]
    elif draw < 0.055:
        description += (" " if lang == "en" else "") + COMMON[lang]
    # Recent tickets are more often open: 20 % open for the oldest, 70 % for the newest.
    is_open = rng.random() < 0.2 + 0.5 * number / total
    status = rng.choice(OPEN if is_open else CLOSED)
    contact = rng.choice(contacts)
    ticket = Ticket(
        tenant=tenant,
        number=number,
        subject=subject,
        description=description,
        type=rng.choice(["question", "incident", "request"]),
        priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
        status=status,
        is_open=is_open,
        channel=rng.choice(["email", "portal", "phone", "web_form", "api"]),
        category=rng.choice(leaves),
        team=teams[1] if rng.random() < 0.1 else teams[0],
        assignee=None if status == "new" else rng.choice(agents),
        customer_id=contact.customer_id,
        contact=contact,
        requester=agents[0],
    )
    ticket.created_at = ticket.updated_at = created
    if status != "new":
        ticket.first_response_at = created + timedelta(minutes=rng.randrange(5, 600))
        ticket.updated_at = ticket.first_response_at
    if status in ("resolved", "closed"):
        ticket.resolved_at = ticket.first_response_at + timedelta(hours=rng.randrange(1, 72))
        ticket.updated_at = ticket.resolved_at
    if status == "closed":
        ticket.closed_at = ticket.resolved_at + timedelta(days=rng.randrange(3, 8))
        ticket.updated_at = ticket.closed_at
    return ticket


def restore_times(model, rows) -> None:
    """bulk_create stamps auto_now(_add) fields with "now"; put the historic times back."""
    ops, quote = connection.ops, connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {quote('created_at')} = %s, "
        f"{quote('updated_at')} = %s WHERE {quote('id')} = %s"
    )
    params = [
        (ops.adapt_datetimefield_value(c), ops.adapt_datetimefield_value(u), pk)
        for pk, c, u in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def insert_batch(tickets: list[Ticket]) -> None:
    times = [(t.created_at, t.updated_at) for t in tickets]
    with transaction.atomic():
        rows = Ticket.objects.bulk_create(tickets)
        events = TicketEvent.objects.bulk_create(
            TicketEvent(
                tenant_id=t.tenant_id,
                ticket=t,
                type="created",
                actor_id=t.requester_id,
                is_public=True,
                body=t.description,
                data={"channel": t.channel, "priority": t.priority, "type": t.type},
            )
            for t in rows
        )
        restore_times(Ticket, [(t.pk, *tt) for t, tt in zip(rows, times, strict=True)])
        restore_times(TicketEvent, [(e.pk, c, c) for e, (c, _u) in zip(events, times, strict=True)])


def generate(total: int, seed: int) -> None:
    rng = random.Random(seed)
    unit = setup_unit(rng)
    writers = {
        "zh": TextWriter(rng, phrases_zh, ["赵磊"]),
        "en": TextWriter(rng, phrases_en, ["Ethan"]),
    }
    now = timezone.now()
    start = now - timedelta(days=365)
    step = (now - start - timedelta(hours=1)) / total
    batch: list[Ticket] = []
    for number in range(1, total + 1):
        created = start + step * number + timedelta(seconds=rng.uniform(0, 1))
        batch.append(make_ticket(rng, writers, number, total, created, unit))
        if len(batch) == BATCH:
            insert_batch(batch)
            batch = []
    if batch:
        insert_batch(batch)
    Tenant.objects.filter(pk=unit[0].pk).update(ticket_seq=total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(slug="bench").first()
    if tenant is not None:
        count = Ticket.objects.filter(tenant=tenant).count()
        print(f"bench unit already there with {count} tickets; nothing to do")
        return
    started = time.perf_counter()
    generate(args.tickets, args.seed)
    elapsed = time.perf_counter() - started
    print(f"generated {args.tickets} tickets in {elapsed:.1f} s ({args.tickets / elapsed:.0f}/s)")


if __name__ == "__main__":
    main()
