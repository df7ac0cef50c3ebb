"""CRM sync: importing 100,000 customers from one CSV file in one batch.

    .venv/bin/python bench/customer_import.py                      # both databases
    .venv/bin/python bench/customer_import.py --db sqlite --rows 20000
    .venv/bin/python bench/customer_import.py --db pg --keep       # leave the database

Three runs per database, each in a fresh process through ``imports.file_import`` (what
``zhongtai import customers --csv`` calls, file reading included): ``first`` into an empty
unit (every row created), ``again`` the same file (every row unchanged: no write), and
``changed`` a file where every tenth row has a new region (10 % updated). Each run
reports rows per second and the process's peak memory (``ru_maxrss``) beside its size
before the import.

The unit has two custom fields (text and number, on every row) and a tier rule (tag
``vip`` → VIP, on 1 % of the rows), so the tiers of created customers are computed and
the SLA clocks are told. SQLite lives in a throwaway ``ZHONGTAI_DATA_DIR`` (removed
first); PostgreSQL in the database ``zt_bench_import``, created here and dropped at the
end (``--keep`` leaves it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SLUG = "importbench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "zt_bench_import"
SQLITE_DIR = Path(tempfile.gettempdir()) / "zt-bench-import-sqlite"
HUEY_DIR = Path(tempfile.gettempdir()) / "zt-bench-import-pg"
COLUMNS = (
    "external_id,name,lifecycle_stage,owner,tags,domains,industry,region,custom.erp,custom.seats"
)
RUNS = ("first", "again", "changed")


def csv_file(path: Path, rows: int, changed: bool) -> None:
    """``rows`` customers; with ``changed`` every tenth one moves region."""
    regions = ("East", "North", "South", "West")
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(COLUMNS + "\r\n")
        for i in range(rows):
            region = regions[i % 4]
            if changed and i % 10 == 0:
                region = "Central"
            tags = "vip;key-account" if i % 100 == 0 else "retail"
            out.write(
                f"CRM-{i:07d},Customer {i:07d} 有限公司,active,lead,{tags},"
                f"c{i}.example.com,Manufacturing,{region},ERP-{i},{i % 500}\r\n"
            )


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- the parent ----------------------------------------------------------------------------


def env_for(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if db == "sqlite":
        env["ZHONGTAI_DATA_DIR"] = str(SQLITE_DIR)
    else:
        env["ZHONGTAI_DATA_DIR"] = str(HUEY_DIR)
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    return env


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", sql], check=True)


def fresh(db: str) -> None:
    if db == "sqlite":
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
        return
    shutil.rmtree(HUEY_DIR, ignore_errors=True)
    psql(f"DROP DATABASE IF EXISTS {PG_DB}")
    psql(f"CREATE DATABASE {PG_DB}")


def child(db: str, step: str, path: Path) -> dict[str, Any]:
    print(f"[{time.strftime('%H:%M:%S')}] {db} {step} (load {load()})", file=sys.stderr)
    command = [sys.executable, __file__, "--child", step, "--file", str(path)]
    done = subprocess.run(command, env=env_for(db), check=True, stdout=subprocess.PIPE, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "pg", "both"), default="both")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.child, Path(args.file))))
        return
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        files = {"same": Path(tmp) / "customers.csv", "changed": Path(tmp) / "changed.csv"}
        csv_file(files["same"], args.rows, changed=False)
        csv_file(files["changed"], args.rows, changed=True)
        for db in ("sqlite", "pg") if args.db == "both" else (args.db,):
            fresh(db)
            child(db, "setup", files["same"])
            for step in RUNS:
                results[f"{db} {step}"] = child(
                    db, step, files["changed" if step == "changed" else "same"]
                )
            if not args.keep:
                if db == "pg":
                    psql(f"DROP DATABASE IF EXISTS {PG_DB}")
                else:
                    shutil.rmtree(SQLITE_DIR, ignore_errors=True)
    print(f"{args.rows} rows, load average now {load()}", file=sys.stderr)
    print("| run | rows/s | s | created / updated / unchanged | tiers moved | peak RSS (before) |")
    print("|---|---:|---:|---|---:|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['rows_per_s']:,.0f} | {r['seconds']:.1f} | {r['created']} / "
            f"{r['updated']} / {r['unchanged']} | {r['tiers_changed']} | "
            f"{r['peak_mb']:.0f} MB ({r['before_mb']:.0f} MB) |"
        )


# --- inside Django ---------------------------------------------------------------------------


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(step: str, path: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from zhongtai.core.models import Tenant

    if step == "setup":
        call_command("migrate", verbosity=0)
        setup_unit()
        return {}
    from zhongtai.customers.imports import file_import

    tenant = Tenant.objects.get(slug=SLUG)
    before = rss_mb()
    started = time.perf_counter()
    report = file_import(tenant=tenant, kind="customers", raw=path.read_bytes(), fmt="csv")
    seconds = time.perf_counter() - started
    if not report.committed or report.rejected:
        raise SystemExit(f"the import was rejected: {report.rows[:5]}")
    return {
        "seconds": seconds,
        "rows_per_s": report.total / seconds,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "tiers_changed": report.tiers_changed,
        "before_mb": before,
        "peak_mb": rss_mb(),
        "load": load(),
    }


def setup_unit() -> None:
    from zhongtai.accounts.actors import Actor
    from zhongtai.accounts.models import Membership, User
    from zhongtai.core.models import Tenant
    from zhongtai.core.permissions import Role
    from zhongtai.customers import services
    from zhongtai.customers.models import CustomerTier, FieldKind

    tenant = Tenant.objects.create(slug=SLUG, name="Import bench", ticket_prefix="IB")
    user = User.objects.create_user("lead", "lead@example.com")
    admin = Actor(Membership.objects.create(tenant=tenant, user=user, role=Role.ADMIN))
    for key, kind in (("erp", FieldKind.TEXT), ("seats", FieldKind.NUMBER)):
        services.custom_field_create(
            actor=admin, data=services.CustomFieldInput(key=key, label_en=key, kind=kind)
        )
    services.tier_rule_create(
        actor=admin, data=services.TierRuleInput(name="VIP", tier=CustomerTier.VIP, tag="vip")
    )


if __name__ == "__main__":
    main()
