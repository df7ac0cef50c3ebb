"""Files to rows: CSV or JSON Lines, each row with the physical line it starts on.

Files are UTF-8, with or without a byte-order mark. A file in another encoding is refused
with a message that says which encoding it looks like (Excel in China saves CSV as GBK);
an operator who knows the encoding names it (``--encoding gb18030``) and the file is read
in it, with a warning in the report.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from zhongtai.core.errors import InvalidInput

Reason = dict[str, Any]  # {"field": …, "message": …} (and "line" in a file's problems)

# What a spreadsheet would run as a formula: exports put a ' before such a cell, imports
# take it off again (see ``cell_escape``).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class BadFile(InvalidInput):
    """A file that cannot be read as rows at all (encoding, header): nothing is imported.
    ``errors`` name the line (1 for the header) and the column."""

    code = "bad_file"


@dataclass
class SourceRow:
    """One row as given: column → value (text from CSV, any JSON value from JSON Lines),
    or, for a line that could not be read, the reasons."""

    line: int
    data: dict[str, Any]
    problems: list[Reason] = field(default_factory=list)


def text_decode(raw: bytes, encoding: str | None = None) -> tuple[str, list[str]]:
    """The file's text and warnings; ``BadFile`` when it is not UTF-8 (or not in the
    ``encoding`` named)."""
    if encoding and encoding.lower().replace("-", "").replace("_", "") not in ("utf8", "utf8sig"):
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            message = _("The file cannot be read as %(encoding)s.") % {"encoding": encoding}
            raise BadFile(message, errors=[_problem(1, "", message)]) from exc
        note = _("The file was read as %(encoding)s and stored as UTF-8.")
        return text.removeprefix("\ufeff"), [note % {"encoding": encoding}]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        if _is_gb18030(raw):
            message = _(
                "The file is not UTF-8: it looks like GBK (GB18030), the encoding Excel in "
                "China saves CSV in. Save it as “CSV UTF-8” or import it with "
                "--encoding gb18030."
            )
        else:
            message = _("The file is not UTF-8 (line %(line)d). Save it as UTF-8.") % {"line": line}
        raise BadFile(message, errors=[_problem(line, "", message)]) from exc


def _is_gb18030(raw: bytes) -> bool:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def _problem(line: int, column: str, message: str) -> Reason:
    return {"line": line, "field": column, "message": message}


def cell_escape(value: str) -> str:
    """A CSV cell that a spreadsheet shows as text instead of running it as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def cell_unescape(value: str) -> str:
    """The value of a cell that ``cell_escape`` wrote (a ' before a formula sign is taken off)."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_STARTS):
        return value[1:]
    return value


def csv_read(text: str) -> tuple[list[str], Iterator[SourceRow]]:
    """The header (line 1) and the rows after it. A quoted cell may span lines: a row's
    line is the one it starts on. Rows of empty cells are skipped."""
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        message = _("The header is not valid CSV: %(error)s") % {"error": exc}
        raise BadFile(message, errors=[_problem(1, "", message)]) from exc
    if not any(header):
        message = _("The file is empty: the first line must name the columns.")
        raise BadFile(message, errors=[_problem(1, "", message)])
    return header, _csv_rows(reader, header)


def _csv_rows(reader: Any, header: list[str]) -> Iterator[SourceRow]:
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = _("Not valid CSV: %(error)s") % {"error": exc}
            yield SourceRow(start, {}, [{"field": "", "message": message}])
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            message = _("%(cells)d cells, but the header names %(columns)d columns.") % {
                "cells": len(cells),
                "columns": len(header),
            }
            yield SourceRow(start, {}, [{"field": "", "message": message}])
            continue
        yield SourceRow(
            start, {name: cell_unescape(cell) for name, cell in zip(header, cells, strict=True)}
        )


def header_check(header: Sequence[str], known: set[str], required: Sequence[str]) -> None:
    """``BadFile`` for unknown, repeated or missing columns (all of them, at line 1)."""
    problems: list[Reason] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(_problem(1, name, _("This column is named twice.")))
        elif name not in known:
            problems.append(_problem(1, name, unknown_column_message(name)))
        seen.add(name)
    for name in required:
        if name not in seen:
            problems.append(_problem(1, name, _("This column is required.")))
    if problems:
        raise BadFile(_("The header (line 1) is not right."), errors=problems)


def unknown_column_message(name: str) -> str:
    if name in ("tier", "tier_override", "tier_computed"):
        return _(
            "Tiers are not imported: they come from the unit's tier rules, or are set by "
            "hand on the profile."
        )
    return _("Unknown column.")


def jsonl_read(text: str) -> Iterator[SourceRow]:
    """One JSON object per line; blank lines are skipped."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            message = _("Not JSON: %(error)s (column %(column)d).") % {
                "error": exc.msg,
                "column": exc.colno,
            }
            yield SourceRow(number, {}, [{"field": "", "message": message}])
            continue
        yield _object_row(number, value)


def list_read(rows: Sequence[Any]) -> Iterator[SourceRow]:
    """Rows of an API request: row ``i`` (from 0) is line ``i + 1``."""
    for index, value in enumerate(rows):
        yield _object_row(index + 1, value)


def _object_row(line: int, value: Any) -> SourceRow:
    if not isinstance(value, dict):
        message = _("A row is one JSON object.")
        return SourceRow(line, {}, [{"field": "", "message": message}])
    return SourceRow(line, value)
