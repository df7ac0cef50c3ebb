"""A small bilingual ticket corpus with three clear labels, written here for the tests."""

from __future__ import annotations

import json
import random
from pathlib import Path

from zhongtai.routing.classifier import Example

PHRASES = {
    "refrigeration": [
        "compressor trips on high discharge temperature",
        "the chiller will not start after the power cut",
        "压缩机排气温度过高，频繁跳闸",
        "冷水机组停电后无法启动",
        "refrigerant leak near the condenser coil",
        "冷凝器附近有制冷剂泄漏",
    ],
    "billing": [
        "the invoice shows the wrong amount",
        "please refund the duplicate payment",
        "发票金额开错了，请重开",
        "重复扣款，请退款",
        "how do I change the billing address",
        "合同续费价格有疑问",
    ],
    "access": [
        "I cannot log in to the portal",
        "reset my password please",
        "门户登录不了，提示密码错误",
        "请帮我重置密码",
        "two-factor code never arrives",
        "账号被锁定，无法登录",
    ],
}
FILLERS = ["", "urgent", "请尽快处理", "thanks", "谢谢", "site B", "上海工厂", "since Monday"]


def examples(per_label: int = 30, seed: int = 1) -> list[Example]:
    rng = random.Random(seed)
    out = []
    for label, phrases in PHRASES.items():
        for _ in range(per_label):
            text = f"{rng.choice(phrases)} {rng.choice(FILLERS)} {rng.choice(FILLERS)}".strip()
            out.append(Example(text, label))
    rng.shuffle(out)
    return out


def write_jsonl(path: Path, items: list[Example]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for item in items:
            row = {"text": item.text, "label": item.label}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
