"""Ticket classifier quality and speed on the shared data sets (``../shared/data``).

    .venv/bin/python bench/classifier.py [--data ../shared/data] [--sets clinc150,bitext_cs]

For each set: train with the product's default settings (``zhongtai.routing.classifier``)
on ``train.jsonl``, score ``test.jsonl`` (accuracy, macro-F1), time the training and one
prediction at a time (p50/p95 over 500 test texts). CLINC150 also reports how its
out-of-scope queries fare under a confidence threshold: the share the classifier would
send to triage instead of labelling (out-of-scope recall) against the in-scope share it
still labels. No database: the classifier is pure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhongtai.routing import classifier  # noqa: E402

THRESHOLDS = (0.3, 0.5, 0.7)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(data: Path, name: str) -> dict[str, object]:
    train = classifier.read_jsonl(data / name / "train.jsonl")
    test = classifier.read_jsonl(data / name / "test.jsonl")
    started = time.perf_counter()
    model = classifier.train(train)
    seconds = time.perf_counter() - started
    result = classifier.evaluate(model, test)
    latencies = []
    for example in test[:500]:
        begun = time.perf_counter()
        model.predict([example.text], k=3)
        latencies.append((time.perf_counter() - begun) * 1000)
    row: dict[str, object] = {
        "set": name,
        "train": len(train),
        "test": len(test),
        "labels": len(model.labels),
        "accuracy": round(result.accuracy, 4),
        "macro_f1": round(result.macro_f1, 4),
        "train_s": round(seconds, 1),
        "predict_ms_p50": round(statistics.median(latencies), 2),
        "predict_ms_p95": round(_percentile(latencies, 0.95), 2),
        "model_mb": round(len(model.to_bytes()) / 1e6, 1),
    }
    oos_path = data / name / "oos_test.jsonl"
    if oos_path.exists():
        oos = [e.text for e in classifier.read_jsonl(oos_path)]
        top_in = [r[0][1] for r in model.predict([e.text for e in test], k=1)]
        top_out = [r[0][1] for r in model.predict(oos, k=1)]
        row["threshold"] = {
            str(t): {
                "in_scope_labelled": round(sum(p >= t for p in top_in) / len(top_in), 4),
                "out_of_scope_to_triage": round(sum(p < t for p in top_out) / len(top_out), 4),
            }
            for t in THRESHOLDS
        }
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--sets", default="clinc150,bitext_cs")
    parser.add_argument("--out", help="write the results (JSON) here")
    args = parser.parse_args()
    results = [run(Path(args.data), name) for name in args.sets.split(",")]
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
