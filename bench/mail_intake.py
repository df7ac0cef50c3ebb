"""Mail intake through the raw-message endpoint (issue 6: "mail intake messages/s through
the raw-message endpoint"), on SQLite and PostgreSQL.

A fresh unit with an administrator, an API token and a mailbox; ``--mails`` realistic
mails (new requests from known and unknown senders, answers threaded on earlier tickets by
our signed Message-ID, out-of-office replies, a few unreadable ones) are POSTed one by one
as ``message/rfc822`` through Django's test client, then the same mails again (all
duplicates). Each database runs in its own process; SQLite in a throwaway data dir,
PostgreSQL in the database ``zt_bench_mail`` (dropped and created here, never ``test``).

    .venv/bin/python bench/mail_intake.py [--mails 400] [--db both]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = Path("/tmp/zt-bench-mail-sqlite")
PG_DIR = Path("/tmp/zt-bench-mail-pg")
PG_URL = "postgres://postgres@127.0.0.1:5432/zt_bench_mail"


def mails(n: int, tenant_id: int, ticket_ids: list[int]) -> list[bytes]:
    """Realistic mails: 60 % new requests, 25 % answers to tickets (threaded by our token),
    10 % out-of-office replies, 5 % unreadable."""
    from zhongtai.channels.mail.threading import reply_headers

    out = []
    for i in range(n):
        kind = i % 20
        if kind == 19:
            out.append(b"\x00\x01 not a mail " + str(i).encode())
            continue
        message = EmailMessage()
        sender = f"user{i % 50}@company{i % 13}.example"
        message["From"] = f"User {i % 50} <{sender}>"
        message["To"] = "support@bench.example"
        message["Message-ID"] = f"<bench-{i}@company.example>"
        if kind in (17, 18):
            message["Subject"] = "Automatic reply: out of office"
            message["Auto-Submitted"] = "auto-replied"
            message.set_content("I am out of the office until Monday.")
        elif kind >= 12 and ticket_ids:
            ours = reply_headers(
                tenant_id=tenant_id,
                ticket_id=ticket_ids[i % len(ticket_ids)],
                domain="bench.example",
            )
            message["Subject"] = "Re: our request"
            message["In-Reply-To"] = ours["Message-ID"]
            message.set_content(
                "It still fails after the update.\n\nOn Monday, Support wrote:\n> Please try again."
            )
        else:
            message["Subject"] = f"Printer {i} jams on tray 2 / 打印机卡纸 {i}"
            message.set_content(
                "Since Monday the printer jams.\n设备从周一开始卡纸，请安排工程师。\n\n--\nUser"
            )
        out.append(message.as_bytes())
    return out


def child(mail_count: int) -> dict[str, Any]:
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongtai.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    from tests import factories

    from zhongtai.accounts.services import api_token_create
    from zhongtai.channels.models import InboundMail, Mailbox
    from zhongtai.core.permissions import Role
    from zhongtai.tickets.models import Ticket

    tenant = factories.TenantFactory(slug="bench", name="Bench", ticket_prefix="BN")
    admin = factories.actor(tenant, Role.ADMIN, "bench-admin")
    mailbox = Mailbox.objects.create(tenant=tenant, name="Support", address="support@bench.example")
    _token, secret = api_token_create(actor=admin, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/v1/mailboxes/{mailbox.pk}/messages"
    # a first wave of requests, so that answers have tickets to thread on
    warm = mails(40, tenant.pk, [])
    with override_settings(ALLOWED_HOSTS=["*"]):
        for raw in warm:
            client.post(url, data=raw, content_type="message/rfc822")
        tickets = list(Ticket.objects.filter(tenant=tenant).values_list("pk", flat=True))
        batch = mails(mail_count, tenant.pk, tickets)[40:]
        started = time.perf_counter()
        statuses: dict[int, int] = {}
        for raw in batch:
            status = client.post(url, data=raw, content_type="message/rfc822").status_code
            statuses[status] = statuses.get(status, 0) + 1
        first = time.perf_counter() - started
        started = time.perf_counter()
        for raw in batch:
            client.post(url, data=raw, content_type="message/rfc822")
        again = time.perf_counter() - started
    states: dict[str, int] = {}
    for state in InboundMail.objects.filter(mailbox=mailbox).values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    return {
        "mails": len(batch),
        "first_per_s": round(len(batch) / first, 1),
        "duplicates_per_s": round(len(batch) / again, 1),
        "statuses": statuses,
        "states": states,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=400)
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.mails)))
        return
    for db in ("sqlite", "pg") if args.db == "both" else (args.db,):
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        data_dir = SQLITE_DIR if db == "sqlite" else PG_DIR
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        env["ZHONGTAI_DATA_DIR"] = str(data_dir)
        if db == "pg":
            for sql in ("DROP DATABASE IF EXISTS zt_bench_mail", "CREATE DATABASE zt_bench_mail"):
                subprocess.run(
                    ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True
                )
            env["DATABASE_URL"] = PG_URL
        load = os.getloadavg()
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--mails", str(args.mails)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        print(db, f"load {load[0]:.2f}", out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
