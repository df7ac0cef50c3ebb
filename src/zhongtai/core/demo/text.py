"""Realistic ticket text from the phrase banks: every ticket draws its own slot values."""

from __future__ import annotations

import random
from types import ModuleType
from typing import Any


class TextWriter:
    """Fills phrase templates of one language with values drawn from a seeded ``rng``."""

    def __init__(self, rng: random.Random, phrases: ModuleType, engineers: list[str]) -> None:
        self.rng = rng
        self.phrases = phrases
        self.engineers = engineers
        self.topics: dict[str, dict[str, list[str]]] = phrases.TOPICS

    def context(self, leaf: str) -> dict[str, str]:
        """The slot values of one ticket, so that all its messages talk about one machine."""
        rng = self.rng
        topic = self.topics[leaf]
        return {
            "leaf": leaf,
            "model": rng.choice(topic["models"]),
            "code": rng.choice(self.phrases.CODES),
            "part": rng.choice(self.phrases.PARTS),
            "site": rng.choice(self.phrases.SITES),
            "hours": str(rng.randrange(800, 24000, 10)),
            "sn": f"{rng.choice('ABCDEFGHJK')}{rng.randrange(10**6, 10**7)}",
            "pressure": f"{rng.uniform(4.5, 6.5):.1f}",
            "temp": str(rng.randrange(105, 121)),
            "days": str(rng.randrange(1, 6)),
            "n": str(rng.randrange(2, 10)),
            "engineer": rng.choice(self.engineers),
        }

    def fill(self, template: str, ctx: dict[str, Any]) -> str:
        return template.format_map(ctx)

    def pick(self, bank: str, ctx: dict[str, Any]) -> str:
        """One phrase of a named bank (e.g. ``REPLY_ACK``) with the ticket's slots filled."""
        return self.fill(self.rng.choice(getattr(self.phrases, bank)), ctx)

    def subject(self, ctx: dict[str, str]) -> str:
        """The ticket's subject; it also fixes which symptom the description tells."""
        subjects = self.topics[ctx["leaf"]]["subjects"]
        case = self.rng.randrange(len(subjects))
        ctx["case"] = str(case)
        ctx["subject"] = self.fill(subjects[case], ctx)[:200]
        return ctx["subject"]

    def description(self, ctx: dict[str, str]) -> str:
        symptoms = self.topics[ctx["leaf"]]["symptoms"]
        parts = [
            self.pick("OPENERS", ctx),
            self.fill(symptoms[int(ctx.get("case", 0)) % len(symptoms)], ctx),
            self.pick("CONTEXT", ctx),
            self.pick("ASKS", ctx),
        ]
        separator = "" if self.phrases.__name__.endswith("_zh") else " "
        return separator.join(part for part in parts if part)
