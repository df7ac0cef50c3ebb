"""How well search finds the article that answers a question: top-1, top-5 and MRR (the
mean of 1/rank of the right article within the first ``DEPTH`` hits, 0 when it is not
among them) over a file of ``{"question", "external_id"}`` lines."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from zhongtai.core.models import Tenant
from zhongtai.knowledge.choices import SearchKind, Visibility
from zhongtai.knowledge.importing import BadFile, question_rows
from zhongtai.knowledge.models import Article
from zhongtai.knowledge.search import Query, search

DEPTH = 10


@dataclass
class SearchScore:
    questions: int = 0
    top1: float = 0.0
    top5: float = 0.0
    mrr: float = 0.0
    unknown_articles: int = 0
    ms_per_query: float = 0.0
    misses: list[dict[str, Any]] = field(default_factory=list)

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
    elapsed = time.perf_counter() - started
    score.top1 /= len(rows)
    score.top5 /= len(rows)
    score.mrr = reciprocal / len(rows)
    score.ms_per_query = elapsed * 1000 / len(rows)
    return score
