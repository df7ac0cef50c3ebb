"""Count SQL queries per request of each benchmarked endpoint, in-process, and show the
plan of the queue query (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN ANALYZE).

Run with the same environment as the server (ZHONGTAI_DATA_DIR, DATABASE_URL); prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from zhongtai.accounts.models import User  # noqa: E402
from zhongtai.accounts.selectors import actor_for_session  # noqa: E402
from zhongtai.tickets import selectors  # noqa: E402
from zhongtai.tickets.filters import ticket_filter_apply  # noqa: E402

CREATE_BODY = json.dumps(
    {"subject": "空压机排气温度过高 / compressor overheating", "description": "bench create"}
)


def measure(client: Client, method: str, path: str, **kwargs: object) -> dict[str, object]:
    getattr(client, method)(path, **kwargs)  # warm caches (templates, URL resolver)
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = getattr(client, method)(path, **kwargs)
        elapsed = time.perf_counter() - started
    slow = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
    return {
        "status": response.status_code,
        "queries": len(ctx.captured_queries),
        "in_process_ms": round(elapsed * 1000, 2),
        "slowest": [{"ms": float(q["time"]) * 1000, "sql": q["sql"][:300]} for q in slow],
    }


def queue_plan() -> str:
    user = User.objects.get(username="bench.agent")
    actor = actor_for_session(user=user, tenant_id=None)
    assert actor is not None
    qs = ticket_filter_apply(
        actor=actor, qs=selectors.ticket_list(actor=actor), filters={"queue": "open"}
    ).order_by("-created_at", "-id")[:26]
    if connection.vendor == "postgresql":
        return qs.explain(analyze=True)
    return qs.explain()


def main() -> None:
    token = (Path(settings.DATA_DIR) / "bench_token.txt").read_text().strip()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    web = Client()
    web.force_login(User.objects.get(username="bench.agent"))
    results = {
        "ping": measure(web, "get", "/__bench/ping"),
        "healthz": measure(web, "get", "/healthz"),
        "queue_api": measure(api, "get", "/api/v1/tickets?queue=open"),
        "queue_page": measure(web, "get", "/agent/?queue=open"),
        "queue_page_default": measure(web, "get", "/agent/"),
        "create_api": measure(
            api, "post", "/api/v1/tickets", data=CREATE_BODY, content_type="application/json"
        ),
    }
    print(json.dumps({"endpoints": results, "queue_plan": queue_plan()}, ensure_ascii=False))


if __name__ == "__main__":
    main()
