"""Ranked full-text search over the index (``zhongtai.knowledge.index``), in Chinese and
English, with filters, highlighted snippets and prefix matching for search-as-you-type.

The query is cut by the same tokenizer as the documents. Terms are OR-ed and ranked by
BM25 (k1 = 1.2, b = 0.75) over the title, the questions the thing is known to answer and
the body, weighted 2 : 1 : 1 by term frequency, so the words that are rare in the unit
count most and no single word has to appear. SQLite computes BM25 inside FTS5. On
PostgreSQL the GIN index finds the candidates, ``ts_rank`` keeps the best ``POOL`` of
them, and BM25 ranks those here with document frequencies counted through the same index
(capped at ``DF_CAP``: above it a word is common and its weight is near nothing anyway).

This module only finds and ranks; who may see which audience is the caller's business
(``zhongtai.knowledge.selectors``).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhongtai.core.text import latin_term, search_terms

K1 = 1.2
B = 0.75
WEIGHTS = (2.0, 1.0, 1.0)  # title, questions, body
POOL = 200
DF_CAP = 10_000
MAX_TERMS = 32
SNIPPET_CHARS = 160
_TERM = re.compile(r"^\w+$")


@dataclass(frozen=True)
class Query:
    """What to look for and where."""

    tenant_id: int
    text: str
    audiences: frozenset[str]
    kinds: frozenset[str]
    language: str = ""
    category_ids: tuple[int, ...] = ()
    product_line: str = ""
    prefix: bool = False  # the last word may be unfinished (search-as-you-type)
    limit: int = 10
    offset: int = 0


@dataclass
class Hit:
    kind: str
    object_id: int
    score: float
    title: str = ""
    snippet: SafeString = field(default_factory=lambda: SafeString(""))
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Shown:
    """What a kind gives a hit for display."""

    title: str
    text: str
    url: str
    extra: dict[str, Any] = field(default_factory=dict)


# kind → loader(tenant_id, object ids) → {id: Shown}; each kind registers its own.
Loader = Callable[[int, list[int]], dict[int, Shown]]
LOADERS: dict[str, Loader] = {}


def loader_register(kind: str, loader: Loader) -> None:
    LOADERS[kind] = loader


def query_terms(text: str, *, prefix: bool = False) -> tuple[list[str], str]:
    """The distinct terms of a query, and the unfinished last one when ``prefix`` (it is
    matched as a prefix, and not stemmed: "retu" must find "return")."""
    partial = ""
    if prefix and text and not text[-1].isspace():
        raw = search_terms(text, keep_stopwords=True)
        words = re.findall(r"\w+", text.lower())
        if raw and words and words[-1].isascii():
            partial = words[-1]
            text = text[: text.lower().rfind(partial)]
    terms = search_terms(text)  # function words are not in the index either
    seen = list(dict.fromkeys(t for t in terms if _TERM.match(t)))[:MAX_TERMS]
    if partial and not _TERM.match(partial):
        partial = ""
    return seen, partial


def search(query: Query) -> list[Hit]:
    """The best hits for the query, best first, with titles and highlighted snippets. A
    Latin word that matches nothing in scope is replaced by its nearest neighbour that
    does (``typo_corrections``)."""
    terms, partial = query_terms(query.text, prefix=query.prefix)
    if not terms and not partial:
        return []
    if connection.vendor == "postgresql":
        ranked, dfs = _postgres(query, terms, partial)
        missing = [t for t in _typo_candidates(terms) if not dfs.get(t)]
        corrected = typo_corrections(query, missing)
        if corrected:
            terms = list(dict.fromkeys(corrected.get(t, t) for t in terms))
            ranked, _dfs = _postgres(query, terms, partial)
    else:
        corrected = typo_corrections(query, _sqlite_unknown(_typo_candidates(terms)))
        if corrected:
            terms = list(dict.fromkeys(corrected.get(t, t) for t in terms))
        ranked = _sqlite(query, terms, partial)
    hits = [Hit(kind=kind, object_id=object_id, score=score) for kind, object_id, score in ranked]
    _show(query.tenant_id, hits, highlight=[*terms, *([partial] if partial else [])])
    return hits


# --- typo tolerance -------------------------------------------------------------------
# A Latin term of at least TYPO_MIN_LENGTH letters that no document in scope holds is
# looked up again as its neighbours at edit distance 1 (a letter deleted, swapped,
# replaced or inserted: "pasword" → "password", "reciept" → "receipt"); the neighbour held
# by the most documents replaces it. Chinese has no spelling errors of this kind (its
# typos are homophones), and a term that exists is never corrected.
TYPO_MIN_LENGTH = 4
TYPO_MAX_TERMS = 3
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def edits1(word: str) -> set[str]:
    """Every string one edit away from ``word`` (lowercase Latin letters)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS if c != b[0]}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | swaps | replaces | inserts) - {word}


def _typo_candidates(terms: list[str]) -> list[str]:
    return [t for t in terms if len(t) >= TYPO_MIN_LENGTH and t.isascii() and t.isalpha()][
        :TYPO_MAX_TERMS
    ]


def typo_corrections(query: Query, missing: list[str]) -> dict[str, str]:
    """Misspelt term → the neighbour to search instead, for ``missing``: terms of the
    query that the index does not hold (PostgreSQL knows them from its document counts,
    SQLite from its vocabulary, ``_sqlite_unknown``). The neighbour must be held by a
    document the asker may read."""
    corrections: dict[str, str] = {}
    spelt: dict[str, set[str]] = {}  # term → the words of the query it was stemmed from
    for word in re.findall(r"[a-z]+", query.text.lower()):
        spelt.setdefault(latin_term(word), set()).add(word)
    for term in missing:
        # neighbours of the stem, and the stems of the neighbours of the word as written
        # ("engineesr" → "engineers" → "engin")
        neighbours = edits1(term)
        for word in spelt.get(term, ()):
            neighbours |= {latin_term(n) for n in edits1(word)}
        neighbours.discard(term)
        found = _term_counts(query, sorted(neighbours))
        best = max(found.items(), key=lambda item: (item[1], item[0]), default=None)
        if best and best[1] > 0:
            corrections[term] = best[0]
    return corrections


def _sqlite_unknown(terms: list[str]) -> list[str]:
    """The terms that no document of any unit holds (SQLite's FTS vocabulary)."""
    if not terms:
        return []
    marks = ", ".join(["%s"] * len(terms))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term FROM knowledge_fts_vocab WHERE term IN ({marks})",  # noqa: S608
            terms,
        )
        known = {row[0] for row in cursor.fetchall()}
    return [t for t in terms if t not in known]


def _term_counts(query: Query, terms: list[str]) -> dict[str, int]:
    """How many documents in scope hold each term (only those that hold it; a count is
    capped, it only has to tell a common word from a rare one)."""
    if not terms:
        return {}
    where, params = _filters(query, "d")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"""
                SELECT t.term, (SELECT COUNT(*) FROM (
                    SELECT 1 FROM knowledge_searchdocument d
                    WHERE {where} AND d.search @@ to_tsquery('simple', quote_literal(t.term))
                    LIMIT 100) AS found)
                FROM unnest(%s::text[]) AS t(term)"""  # noqa: S608  (constants and marks only)
            cursor.execute(sql, [*params, terms])
            return {term: count for term, count in cursor.fetchall() if count}
        # SQLite: the vocabulary says which exist in the unit's index at all; the few that
        # do are then counted in scope.
        marks = ", ".join(["%s"] * len(terms))
        cursor.execute(
            f"SELECT term FROM knowledge_fts_vocab WHERE term IN ({marks})",  # noqa: S608
            terms,
        )
        known = [row[0] for row in cursor.fetchall()]
        counts: dict[str, int] = {}
        for term in known[:20]:
            cursor.execute(
                f"""SELECT COUNT(*) FROM (SELECT 1 FROM knowledge_fts
                    JOIN knowledge_searchdocument d ON d.id = knowledge_fts.rowid
                    WHERE knowledge_fts MATCH %s AND {where} LIMIT 100)""",  # noqa: S608
                [f'"{term}"', *params],
            )
            count = cursor.fetchone()[0]
            if count:
                counts[term] = count
        return counts


def _filters(query: Query, alias: str) -> tuple[str, list[Any]]:
    sql = [f"{alias}.tenant_id = %s"]
    params: list[Any] = [query.tenant_id]
    for column, values in (("kind", query.kinds), ("audience", query.audiences)):
        values_sorted = sorted(values)
        sql.append(f"{alias}.{column} IN ({', '.join(['%s'] * len(values_sorted))})")
        params += values_sorted
    if query.language:
        sql.append(f"{alias}.language = %s")
        params.append(query.language)
    if query.category_ids:
        sql.append(f"{alias}.category_id IN ({', '.join(['%s'] * len(query.category_ids))})")
        params += list(query.category_ids)
    if query.product_line:
        sql.append(f"LOWER({alias}.product_line) = %s")
        params.append(query.product_line.strip().lower())
    return " AND ".join(sql), params


def _sqlite(query: Query, terms: list[str], partial: str) -> list[tuple[str, int, float]]:
    match = " OR ".join([*(f'"{t}"' for t in terms), *([f'"{partial}" *'] if partial else [])])
    where, params = _filters(query, "d")
    weights = ", ".join(str(w) for w in WEIGHTS)
    sql = f"""
        SELECT d.kind, d.object_id, bm25(knowledge_fts, {weights}) AS score
        FROM knowledge_fts JOIN knowledge_searchdocument d ON d.id = knowledge_fts.rowid
        WHERE knowledge_fts MATCH %s AND {where}
        ORDER BY score LIMIT %s OFFSET %s"""  # noqa: S608  (constants and marks only)
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *params, query.limit, query.offset])
        return [(kind, object_id, -score) for kind, object_id, score in cursor.fetchall()]


def _tsquery(terms: Sequence[str], partial: str) -> str:
    parts = [f"'{t}'" for t in terms] + ([f"'{partial}':*"] if partial else [])
    return " | ".join(parts)


_scope_cache: dict[tuple[Any, ...], tuple[float, int, float]] = {}
_scope_lock = threading.Lock()
SCOPE_TTL = 300.0


def _scope(query: Query, where: str, params: list[Any]) -> tuple[int, float]:
    """How many documents are in scope and their mean length in terms (cached for five
    minutes per process: both move slowly and are only BM25's normalisers)."""
    key = (where, *params)
    now = time.monotonic()
    cached = _scope_cache.get(key)
    if cached and now - cached[0] < SCOPE_TTL:
        return cached[1], cached[2]
    sql = f"""
        SELECT COUNT(*), AVG(length(search)) FROM knowledge_searchdocument d
        WHERE {where}"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, mean = cursor.fetchone()
    with _scope_lock:
        _scope_cache[key] = (now, int(count), float(mean or 1.0))
    return int(count), float(mean or 1.0)


def scope_forget() -> None:
    with _scope_lock:
        _scope_cache.clear()


def _postgres(
    query: Query, terms: list[str], partial: str
) -> tuple[list[tuple[str, int, float]], dict[str, int]]:
    where, params = _filters(query, "d")
    tsquery = _tsquery(terms, partial)
    every = [*terms, *([partial] if partial else [])]
    counts = ", ".join(
        "(SELECT COUNT(*) FROM (SELECT 1 FROM knowledge_searchdocument d WHERE "  # noqa: S608
        f"{where} AND d.search @@ to_tsquery('simple', %s) LIMIT {DF_CAP}) AS s{i})"
        for i in range(len(every))
    )
    df_params: list[Any] = []
    for i, term in enumerate(every):
        df_params += [*params, _tsquery([term], "") if i < len(terms) else _tsquery([], term)]
    pool_sql = f"""
        SELECT d.kind, d.object_id, d.title_terms, d.question_terms, d.body_terms
        FROM knowledge_searchdocument d
        WHERE {where} AND d.search @@ to_tsquery('simple', %s)
        ORDER BY ts_rank(d.search, to_tsquery('simple', %s)) DESC, d.id DESC
        LIMIT {POOL}"""  # noqa: S608  (constants and marks only)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}", df_params)
        dfs = dict(zip(every, cursor.fetchone(), strict=True))
        cursor.execute(pool_sql, [*params, tsquery, tsquery])
        pool = cursor.fetchall()
    total, mean_length = _scope(query, where, params)
    scored = [
        (kind, object_id, bm25(terms, partial, (title, questions, body), dfs, total, mean_length))
        for kind, object_id, title, questions, body in pool
    ]
    scored.sort(key=lambda row: (-row[2], row[0], -row[1]))
    return scored[query.offset : query.offset + query.limit], dfs


def bm25(
    terms: Iterable[str],
    partial: str,
    fields: tuple[str, str, str],
    dfs: dict[str, int],
    total: int,
    mean_length: float,
) -> float:
    """BM25 of one document whose fields hold space-separated terms; the frequency of a
    term is the weighted sum over the fields (as FTS5's ``bm25`` counts it)."""
    counted = [Counter(text.split()) for text in fields]
    length = sum(sum(c.values()) for c in counted) or 1
    norm = K1 * (1 - B + B * length / max(mean_length, 1.0))
    score = 0.0
    for term in [*terms, *([partial] if partial else [])]:
        if term == partial and term not in terms:
            tf = sum(
                w * sum(n for word, n in c.items() if word.startswith(term))
                for w, c in zip(WEIGHTS, counted, strict=True)
            )
        else:
            tf = sum(w * c.get(term, 0) for w, c in zip(WEIGHTS, counted, strict=True))
        if not tf:
            continue
        df = max(dfs.get(term, 1), 1)
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        score += idf * tf * (K1 + 1) / (tf + norm)
    return score


def _show(tenant_id: int, hits: list[Hit], *, highlight: list[str]) -> None:
    by_kind: dict[str, list[int]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit.object_id)
    shown: dict[tuple[str, int], Shown] = {}
    for kind, ids in by_kind.items():
        loader = LOADERS.get(kind)
        if loader is not None:
            shown.update({(kind, i): s for i, s in loader(tenant_id, ids).items()})
    for hit in hits:
        item = shown.get((hit.kind, hit.object_id))
        if item is None:
            continue
        hit.title, hit.url, hit.extra = item.title, item.url, item.extra
        hit.snippet = snippet(item.text, highlight)


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    parts = sorted({re.escape(t) for t in terms if t}, key=len, reverse=True)
    if not parts:
        return None
    # Latin terms are stems or prefixes: match them at the start of a word.
    latin = [p for p in parts if p.isascii()]
    other = [p for p in parts if not p.isascii()]
    alternatives = [*(rf"\b{p}\w*" for p in latin), *other]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def snippet(text: str, terms: Iterable[str], *, size: int = SNIPPET_CHARS) -> SafeString:
    """A window of ``text`` around the first match, escaped, matches in ``<mark>``."""
    pattern = _pattern(terms)
    first = pattern.search(text) if pattern else None
    start = 0
    if first and first.start() > size // 3:
        start = first.start() - size // 3
        space = text.rfind(" ", 0, start)
        start = space + 1 if space > start - 15 else start
    window = text[start : start + size]
    pieces: list[str] = ["…" if start else ""]
    last = 0
    if pattern:
        for match in pattern.finditer(window):
            pieces.append(escape(window[last : match.start()]))
            pieces.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    pieces.append(escape(window[last:]))
    if start + size < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))
