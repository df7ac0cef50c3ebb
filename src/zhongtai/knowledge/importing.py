"""Articles and questions from JSON Lines files, all or nothing.

Articles: one ``{"external_id", "title", "body", "language", "tags", "visibility"}`` per
line (``product_line`` and ``questions``, a list of strings, may be added). Imported
articles are published; importing the same file again changes nothing, and a changed line
makes a new version of its article.

Questions: one ``{"question", "external_id"}`` per line: the article that answers it. They
teach the articles the words people use (``ArticleQuestion``), as "helpful" clicks do.

Every line is checked before anything is written; a file with a bad line is refused
whole, with each problem's line number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from zhongtai.core.models import Tenant
from zhongtai.knowledge import services
from zhongtai.knowledge.choices import ArticleLanguage, QuestionSource, Visibility
from zhongtai.knowledge.models import Article

LANGUAGES = {
    "en": ArticleLanguage.EN,
    "en-us": ArticleLanguage.EN,
    "en-gb": ArticleLanguage.EN,
    "zh": ArticleLanguage.ZH_HANS,
    "zh-cn": ArticleLanguage.ZH_HANS,
    "zh-hans": ArticleLanguage.ZH_HANS,
    "zh_hans": ArticleLanguage.ZH_HANS,
}
MAX_PROBLEMS = 50


class BadFile(Exception):
    """A file that cannot be imported; ``problems`` name the lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    questions: int = 0
    lines: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _lines(lines: Iterable[str]) -> Iterable[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"line {number}: not JSON ({exc.msg})"
            continue
        yield number, value if isinstance(value, dict) else f"line {number}: not an object"


def _text(row: dict[str, Any], name: str, number: int, problems: list[str]) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"line {number}: {name!r} must be a non-empty string")
        return ""
    return value


def article_rows(lines: Iterable[str]) -> list[tuple[services.ArticleInput, list[str]]]:
    """The checked rows of an article file, or ``BadFile``."""
    problems: list[str] = []
    rows: list[tuple[services.ArticleInput, list[str]]] = []
    seen: dict[str, int] = {}
    for number, row in _lines(lines):
        if isinstance(row, str):
            problems.append(row)
            continue
        external_id = _text(row, "external_id", number, problems)[:120]
        title = _text(row, "title", number, problems)
        body = _text(row, "body", number, problems)
        language = LANGUAGES.get(str(row.get("language", "en")).lower())
        if language is None:
            problems.append(f"line {number}: unknown language {row.get('language')!r}")
        visibility = str(row.get("visibility", Visibility.INTERNAL))
        if visibility not in Visibility.values:
            problems.append(f"line {number}: visibility must be one of {Visibility.values}")
        tags, questions = row.get("tags", []), row.get("questions", [])
        for name, value in (("tags", tags), ("questions", questions)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(f"line {number}: {name!r} must be a list of strings")
        if external_id in seen:
            problems.append(
                f"line {number}: external_id {external_id!r} repeats line {seen[external_id]}"
            )
        seen.setdefault(external_id, number)
        if len(title) > 200 or len(body) > 100_000:
            problems.append(f"line {number}: title over 200 or body over 100,000 characters")
        rows.append(
            (
                services.ArticleInput(
                    title=title,
                    body=body,
                    language=language or ArticleLanguage.EN,
                    tags=tags if isinstance(tags, list) else [],
                    product_line=str(row.get("product_line", ""))[:100],
                    visibility=visibility,
                    external_id=external_id,
                ),
                questions if isinstance(questions, list) else [],
            )
        )
    if problems:
        raise BadFile(problems[:MAX_PROBLEMS])
    return rows


def articles_import(*, tenant: Tenant, lines: Iterable[str]) -> ImportResult:
    """Import an article file into the unit, all or nothing."""
    rows = article_rows(lines)
    result = ImportResult(lines=len(rows))
    with transaction.atomic():
        for data, questions in rows:
            outcome = services.article_import(tenant=tenant, data=data, questions=questions)
            setattr(result, outcome, getattr(result, outcome) + 1)
            result.questions += len(questions)
    return result


def question_rows(lines: Iterable[str]) -> list[tuple[int, str, str]]:
    """The checked ``(line, question, external_id)`` rows of a question file."""
    problems: list[str] = []
    rows: list[tuple[int, str, str]] = []
    for number, row in _lines(lines):
        if isinstance(row, str):
            problems.append(row)
            continue
        question = _text(row, "question", number, problems)
        external_id = _text(row, "external_id", number, problems)
        rows.append((number, question, external_id))
    if problems:
        raise BadFile(problems[:MAX_PROBLEMS])
    return rows


def questions_learn(*, tenant: Tenant, lines: Iterable[str]) -> ImportResult:
    """Teach the unit's articles the questions of a file (all or nothing)."""
    rows = question_rows(lines)
    articles = {
        a.external_id: a
        for a in Article.objects.filter(tenant=tenant, external_id__in={r[2] for r in rows})
    }
    missing = [f"line {n}: no article {e!r} in this unit" for n, _, e in rows if e not in articles]
    if missing:
        raise BadFile(missing[:MAX_PROBLEMS])
    by_article: dict[str, list[str]] = {}
    for _, question, external_id in rows:
        by_article.setdefault(external_id, []).append(question)
    result = ImportResult(lines=len(rows))
    with transaction.atomic():
        for external_id, questions in by_article.items():
            article = articles[external_id]
            added = services.questions_add(
                article=article, texts=questions, source=QuestionSource.IMPORT
            )
            result.questions += added
            if added:
                services.article_reindex(article)
                result.updated += 1
            else:
                result.unchanged += 1
    return result
