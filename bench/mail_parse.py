"""Mail parser throughput over the malformed-mail corpus, in one process (no database).

Every corpus mail is parsed ``--rounds`` times (oversized_attachment with the 64 KiB
attachment limit its test uses); the table shows messages per second over all files and
over the ordinary ones (the corpus without the 0.5–1 MB header files, whose cost is
refusing them), and the five slowest files.

    .venv/bin/python bench/mail_parse.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongtai.settings")

import django  # noqa: E402

django.setup()

from zhongtai.channels.mail import MailLimits, MailUnparseable, parse_message  # noqa: E402

CORPUS = ROOT / "tests" / "channels" / "mail_corpus"
HUGE = {"huge_header_1mb", "huge_received_5000"}


def parse_once(raw: bytes, limits: MailLimits) -> str:
    try:
        parse_message(raw, limits=limits)
    except MailUnparseable as exc:
        return exc.code
    return "parsed"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    mails = {p.stem: p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))}
    limits = {name: MailLimits() for name in mails}
    limits["oversized_attachment"] = MailLimits(max_attachment_bytes=64 * 1024)
    for name, raw in mails.items():  # warm up: imports, regexes, charset tables
        parse_once(raw, limits[name])
    per_file: dict[str, list[float]] = {name: [] for name in mails}
    for _round in range(args.rounds):
        for name, raw in mails.items():
            start = time.perf_counter()
            parse_once(raw, limits[name])
            per_file[name].append(time.perf_counter() - start)
    median = {name: statistics.median(times) for name, times in per_file.items()}
    total = sum(median.values())
    ordinary = [name for name in mails if name not in HUGE]
    ordinary_total = sum(median[name] for name in ordinary)
    size = sum(len(mails[name]) for name in ordinary)
    print(f"corpus: {len(mails)} mails, {args.rounds} rounds, median time per mail\n")
    print("| set | mails | messages/s | MB/s |")
    print("|---|---:|---:|---:|")
    all_size = sum(map(len, mails.values()))
    print(f"| all | {len(mails)} | {len(mails) / total:,.0f} | {all_size / total / 1e6:,.1f} |")
    rate = len(ordinary) / ordinary_total
    print(f"| without the two huge-header files | {len(ordinary)} | {rate:,.0f} | "
          f"{size / ordinary_total / 1e6:,.1f} |")  # fmt: skip
    print("\n| slowest | ms | outcome |")
    print("|---|---:|---|")
    for name in sorted(median, key=median.get, reverse=True)[:5]:  # type: ignore[arg-type]
        outcome = parse_once(mails[name], limits[name])
        print(f"| {name} | {median[name] * 1000:.2f} | {outcome} |")


if __name__ == "__main__":
    main()
