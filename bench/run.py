"""Run the benchmarks of BENCH.md on SQLite and PostgreSQL and print the result tables.

    python bench/run.py                      # both databases, 3 interleaved rounds
    python bench/run.py --db sqlite --rounds 3 --duration 4

For each database: generate the 100k-ticket dataset (once; ``datagen.py``), count queries
per request in-process (``queries.py``), serve ``bench.wsgi`` with gunicorn (2 sync
workers, 127.0.0.1), then load each endpoint with ``wrk`` at 1 and 4 connections in
interleaved rounds: ceiling, healthz, queue API, queue page, create, ceiling, … Each
worker's peak RSS (VmHWM) is read after every round. Raw results go to
``var/bench-results-<db>.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
LUA = ROOT / "bench" / "wrk_report.lua"
PORT = 8765
PG_URL = "postgres://postgres@127.0.0.1:5432/zt_bench"
CREATE_BODY = json.dumps(
    {"subject": "空压机排气温度过高 / compressor overheating", "description": "bench create"}
)


def environment(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env["ZHONGTAI_DATA_DIR"] = str(ROOT / "var" / f"bench-{db}")
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["PYTHONPATH"] = str(ROOT)
    env.pop("DATABASE_URL", None)
    if db == "pg":
        env["DATABASE_URL"] = PG_URL
    return env


def endpoints(token: str, cookie: str) -> dict[str, dict[str, str]]:
    return {
        "ceiling": {"path": "/__bench/ping"},
        "healthz": {"path": "/healthz"},
        "queue_api": {"path": "/api/v1/tickets?queue=open", "WRK_AUTH": f"Bearer {token}"},
        "queue_page": {"path": "/agent/?queue=open", "WRK_COOKIE": cookie},
        "create": {
            "path": "/api/v1/tickets",
            "WRK_METHOD": "POST",
            "WRK_BODY": CREATE_BODY,
            "WRK_AUTH": f"Bearer {token}",
        },
    }


def wrk(spec: dict[str, str], connections: int, seconds: int) -> dict[str, float]:
    env = dict(os.environ)
    env.update({k: v for k, v in spec.items() if k.startswith("WRK_")})
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(LUA)]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{PORT}{spec['path']}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out.split("JSON", 1)[1])
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["non2xx"] + data["connect"] + data["read"] + data["timeout"],
        "requests": data["requests"],
    }


def session_cookie() -> str:
    """Log in through the login form (CSRF and all) and return the Cookie header."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    html = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not (csrf_cookie and token):
        raise RuntimeError("login form without CSRF token")
    body = f"csrfmiddlewaretoken={token.group(1)}&username=bench.agent&password=bench-pass-123"
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie.group(1)}",
            "Referer": f"http://127.0.0.1:{PORT}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    if response.status != 302 or not session:
        raise RuntimeError(f"login failed: {response.status}")
    return f"sessionid={session.group(1)}"


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_rss_mb(pids: list[int]) -> list[float]:
    peaks = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        peaks.append(round(int(match.group(1)) / 1024, 1) if match else 0.0)
    return peaks


def serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "bench.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    for _attempt in range(100):
        time.sleep(0.2)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/__bench/ping")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            continue
    server.kill()
    raise RuntimeError("gunicorn did not start")


def run_db(db: str, rounds: int, seconds: int) -> dict[str, object]:
    env = environment(db)
    subprocess.run([str(VENV / "python"), "bench/datagen.py"], env=env, cwd=ROOT, check=True)
    queries = json.loads(
        subprocess.run(
            [str(VENV / "python"), "bench/queries.py"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    token = (Path(env["ZHONGTAI_DATA_DIR"]) / "bench_token.txt").read_text().strip()
    server = serve(env)
    try:
        specs = endpoints(token, session_cookie())
        pids = worker_pids(server.pid)
        for spec in specs.values():  # warm-up: imports, templates, connections
            wrk(spec, 2, 1)
        samples: dict[str, list[dict[str, float]]] = {}
        rss: list[list[float]] = [peak_rss_mb(pids)]
        load: list[float] = []  # 1-minute load average after each round: others' work shows
        for round_no in range(rounds):
            for connections in (1, 4):
                for name, spec in specs.items():
                    result = wrk(spec, connections, seconds)
                    samples.setdefault(f"{name}@{connections}", []).append(result)
                    print(f"[{db}] round {round_no + 1} {name}@{connections}: {result}", flush=True)
            rss.append(peak_rss_mb(pids))
            load.append(round(os.getloadavg()[0], 1))
    finally:
        server.terminate()
        server.wait()
    return {"queries": queries, "samples": samples, "rss_mb": rss, "load": load}


def median_range(values: list[float], fmt: str = "{:.0f}") -> str:
    low, mid, high = (fmt.format(v) for v in (min(values), statistics.median(values), max(values)))
    return f"{mid} ({low}–{high})"


def table(db: str, result: dict[str, object]) -> str:
    samples: dict[str, list[dict[str, float]]] = result["samples"]  # type: ignore[assignment]
    queries = result["queries"]["endpoints"]  # type: ignore[index]
    qname = {"ceiling": "ping", "queue_api": "queue_api", "queue_page": "queue_page",
             "create": "create_api", "healthz": "healthz"}  # fmt: skip
    lines = [
        f"#### {db}",
        "| endpoint | conns | req/s median (min–max) | vs ceiling | p50 ms | p95 ms "
        "| queries | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, runs in samples.items():
        name, conns = key.split("@")
        ceiling = statistics.median(r["rps"] for r in samples[f"ceiling@{conns}"])
        rps = [r["rps"] for r in runs]
        lines.append(
            f"| {name} | {conns} | {median_range(rps)} | "
            f"{statistics.median(rps) / ceiling:.2f} | "
            f"{median_range([r['p50_ms'] for r in runs], '{:.1f}')} | "
            f"{median_range([r['p95_ms'] for r in runs], '{:.1f}')} | "
            f"{queries[qname[name]]['queries']} | {sum(int(r['errors']) for r in runs)} |"
        )
    rss = result["rss_mb"]  # type: ignore[assignment]
    lines.append(f"\nWorker peak RSS (VmHWM, MB) at start and after each round: {rss}")
    lines.append(f"Load average (1 min) after each round: {result.get('load')}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "pg", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    args = parser.parse_args()
    dbs = ["sqlite", "pg"] if args.db == "both" else [args.db]
    for db in dbs:
        result = run_db(db, args.rounds, args.duration)
        out = ROOT / "var" / f"bench-results-{db}.json"
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
        print(table(db, result))
        print("\nqueue plan:\n" + result["queries"]["queue_plan"])  # type: ignore[index]
    sys.stdout.flush()


if __name__ == "__main__":
    main()
