"""How well search finds the article that answers a question: top-1, top-5 and MRR (the
mean of 1/rank of the right article within the first ``DEPTH`` hits, 0 when it is not
among them) over a file of ``{"question", "external_id"}`` lines; and how the bot does
on the same questions at the unit's threshold: the share it answers, the share it
answers with the right article, and its precision (right answers / answers), with the
same three at other thresholds (``BotScore.curve``) to choose a threshold from."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from zhongtai.core.models import Tenant
from zhongtai.knowledge import bot
from zhongtai.knowledge.choices import SearchKind, Visibility
from zhongtai.knowledge.importing import BadFile, question_rows
from zhongtai.knowledge.models import Article
from zhongtai.knowledge.search import Query, search
from zhongtai.knowledge.services import settings_for

DEPTH = 10


CURVE = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9)


@dataclass
class BotScore:
    threshold: float = 0.0
    answered: float = 0.0
    correct: float = 0.0
    precision: float = 0.0
    curve: list[dict[str, float]] = field(default_factory=list)


def _bot_at(judged: list[tuple[float, bool]], threshold: float) -> dict[str, float]:
    answered = [right for confidence, right in judged if confidence >= threshold]
    total = len(judged) or 1
    return {
        "threshold": threshold,
        "answered": len(answered) / total,
        "correct": sum(answered) / total,
        "precision": sum(answered) / len(answered) if answered else 0.0,
    }


@dataclass
class SearchScore:
    questions: int = 0
    top1: float = 0.0
    top5: float = 0.0
    mrr: float = 0.0
    unknown_articles: int = 0
    ms_per_query: float = 0.0
    misses: list[dict[str, Any]] = field(default_factory=list)
    bot: BotScore = field(default_factory=BotScore)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def search_evaluate(*, tenant: Tenant, lines: Iterable[str], misses: int = 10) -> SearchScore:
    """Search every question of the file as staff would (every audience) and score where
    the expected article came."""
    rows = question_rows(lines)
    if not rows:
        raise BadFile(["the file has no questions"])
    ids = dict(
        Article.objects.filter(tenant=tenant, external_id__in={r[2] for r in rows}).values_list(
            "pk", "external_id"
        )
    )
    wanted = set(ids.values())
    score = SearchScore(questions=len(rows))
    reciprocal = 0.0
    judged: list[tuple[float, bool]] = []
    audiences = frozenset(Visibility.values)
    started = time.perf_counter()
    for _number, question, external_id in rows:
        if external_id not in wanted:
            score.unknown_articles += 1
        hits = search(
            Query(
                tenant_id=tenant.pk,
                text=question,
                audiences=frozenset(Visibility.values),
                kinds=frozenset({SearchKind.ARTICLE}),
                limit=DEPTH,
            )
        )
        found = [ids.get(hit.object_id) for hit in hits]
        rank = found.index(external_id) + 1 if external_id in found else 0
        score.top1 += rank == 1
        score.top5 += 0 < rank <= 5
        reciprocal += 1 / rank if rank else 0.0
        if rank != 1 and len(score.misses) < misses:
            score.misses.append({"question": question, "expected": external_id, "got": found[:3]})
        judgement = bot.judge(tenant_id=tenant.pk, audiences=audiences, text=question)
        answer = judgement.hit and ids.get(judgement.hit.object_id)
        judged.append((judgement.confidence if answer else 0.0, answer == external_id))
    elapsed = time.perf_counter() - started
    score.top1 /= len(rows)
    score.top5 /= len(rows)
    score.mrr = reciprocal / len(rows)
    score.ms_per_query = elapsed * 1000 / len(rows)
    threshold = settings_for(tenant).bot_threshold
    score.bot = BotScore(**_bot_at(judged, threshold), curve=[_bot_at(judged, t) for t in CURVE])
    return score
