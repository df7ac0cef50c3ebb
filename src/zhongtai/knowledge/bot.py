"""The bot's judgement: which published article answers a message, and how sure it is.

Search ranks the articles the asker may read; the bot then asks how well the best one
covers the question (``confidence``, between 0 and 1):

- ``asked``: the share of the question's terms found in the article's title and in the
  questions it is known to answer (the words customers use);
- ``covered``: the share found anywhere in the article;
- ``margin``: how far the best article is ahead of the second (1 when alone).

confidence = 0.45 * asked + 0.25 * covered + 0.30 * margin. The weights and the default
threshold were chosen on the Bitext customer-service set (``bench/README.md``, "Bot");
the unit's threshold is a knowledge setting. Below it, or when the customer asks for a
person, a person takes over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhongtai.knowledge import search as search_module
from zhongtai.knowledge.choices import SearchKind
from zhongtai.knowledge.markdown import plain_text
from zhongtai.knowledge.models import SearchDocument

WEIGHTS = (0.45, 0.25, 0.30)  # asked, covered, margin
ANSWER_CHARS = 700
CANDIDATES = 3

# "I want a person": in the customer's words, English or Chinese.
_PERSON = re.compile(
    r"\b(human|person|agent|operator|representative|someone real|real person|talk to (a |an )?"
    r"(human|person|agent))\b|人工|转人工|真人|客服人员|找客服|联系客服",
    re.IGNORECASE,
)


def wants_person(text: str) -> bool:
    """Whether the message asks for a person rather than an answer."""
    return _PERSON.search(text) is not None


@dataclass(frozen=True)
class Judgement:
    hit: search_module.Hit | None
    confidence: float
    asked: float = 0.0
    covered: float = 0.0
    margin: float = 0.0


def judge(*, tenant_id: int, audiences: frozenset[str], text: str) -> Judgement:
    """The best article for ``text`` among those ``audiences`` may read, and how sure."""
    terms, _partial = search_module.query_terms(text)
    if not terms:
        return Judgement(hit=None, confidence=0.0)
    hits = search_module.search(
        search_module.Query(
            tenant_id=tenant_id,
            text=text,
            audiences=audiences,
            kinds=frozenset({SearchKind.ARTICLE}),
            limit=CANDIDATES,
        )
    )
    if not hits:
        return Judgement(hit=None, confidence=0.0)
    best = hits[0]
    doc = (
        SearchDocument.objects.filter(
            tenant_id=tenant_id, kind=SearchKind.ARTICLE, object_id=best.object_id
        )
        .values_list("title_terms", "question_terms", "body_terms")
        .first()
    )
    title, questions, body = doc or ("", "", "")
    wanted = set(terms)
    asked_terms = set(title.split()) | set(questions.split())
    all_terms = asked_terms | set(body.split())
    asked = len(wanted & asked_terms) / len(wanted)
    covered = len(wanted & all_terms) / len(wanted)
    margin = 1.0
    if len(hits) > 1 and best.score > 0:
        margin = max(0.0, 1.0 - hits[1].score / best.score)
    confidence = WEIGHTS[0] * asked + WEIGHTS[1] * covered + WEIGHTS[2] * margin
    return Judgement(
        hit=best,
        confidence=round(confidence, 4),
        asked=asked,
        covered=covered,
        margin=margin,
    )


def answer_text(markdown: str) -> str:
    """The start of an article as the bot's answer: whole paragraphs up to
    ``ANSWER_CHARS``, then an ellipsis; the link to the whole article goes beside it."""
    paragraphs = [p.strip() for p in plain_text(markdown).split("\n") if p.strip()]
    kept: list[str] = []
    size = 0
    for paragraph in paragraphs:
        if kept and size + len(paragraph) > ANSWER_CHARS:
            kept.append("…")
            break
        kept.append(paragraph[:ANSWER_CHARS])
        size += len(paragraph)
    return "\n".join(kept)
