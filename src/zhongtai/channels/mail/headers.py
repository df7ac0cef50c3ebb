"""Header values as text: encoded words (RFC 2047) decoded leniently, raw 8-bit headers and
wrong charsets repaired, addresses, message ids and dates.

The parser reads headers from ``Message.raw_items()`` and decodes them here instead of
through ``policy.default``'s header objects: those decode an encoded word in a wrong
charset with replacement characters, and split a character across two encoded words into
two halves that both fail (Chinese clients do both).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime

from zhongtai.channels.mail.charset import decode_bytes

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_SPACE = re.compile(r"\s+")
_QP = re.compile(rb"=([0-9A-Fa-f]{2})")
_MSGID = re.compile(r"<([^<>\s]{1,995})>")
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+$")
_LOOSE_ADDRESS = re.compile(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+")


def to_bytes(value: str) -> bytes:
    """A header value as parsed from bytes (non-ASCII bytes are surrogate escapes) back to bytes."""
    return value.encode("utf-8", "surrogateescape")


def _b_decode(text: str) -> bytes:
    cleaned = re.sub(r"[^A-Za-z0-9+/]", "", text)
    cleaned = cleaned[: len(cleaned) - len(cleaned) % 4 if len(cleaned) % 4 == 1 else None]
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        return b""


def _q_decode(text: str) -> bytes:
    raw = to_bytes(text.replace("_", " "))
    return _QP.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _chunks(raw: str) -> list[tuple[str | None, bytes]]:
    """(charset, bytes) runs; None is text outside encoded words. Adjacent encoded words in
    one charset are joined first, so a character split across two of them survives."""
    chunks: list[tuple[str | None, bytes]] = []
    pos = 0
    for match in _ENCODED_WORD.finditer(raw):
        between = raw[pos : match.start()]
        prev_encoded = bool(chunks) and chunks[-1][0] is not None
        if between and not (prev_encoded and not between.strip()):
            chunks.append((None, to_bytes(between)))
        charset = match.group(1).split("*", 1)[0]
        data = (_b_decode if match.group(2) in "bB" else _q_decode)(match.group(3))
        if chunks and chunks[-1][0] is not None and chunks[-1][0].lower() == charset.lower():
            chunks[-1] = (chunks[-1][0], chunks[-1][1] + data)
        else:
            chunks.append((charset, data))
        pos = match.end()
    if pos < len(raw):
        chunks.append((None, to_bytes(raw[pos:])))
    return chunks


def decode_header(raw: str, *, what: str = "") -> tuple[str, list[str]]:
    """A raw header value as one line of text (whitespace collapsed), and the repairs made."""
    warnings: list[str] = []
    parts: list[str] = []
    for charset, data in _chunks(_FOLD.sub("", raw)):
        decoded = decode_bytes(data, charset, what=what)
        parts.append(decoded.text)
        if decoded.warning:
            warnings.append(decoded.warning)
    text = _SPACE.sub(" ", "".join(parts)).strip()
    return text.replace("\x00", ""), warnings


def addresses(raws: Iterable[str]) -> list[tuple[str, str]]:
    """(display name, address) pairs of address headers; addresses are lower-cased, invalid
    ones are left out, names decoded."""
    values = [_FOLD.sub("", raw) for raw in raws]
    try:
        pairs = getaddresses(values)
    except Exception:  # a malformed header must never stop the parse
        pairs = []
    result: list[tuple[str, str]] = []
    for name, address in pairs:
        address = address.strip().lower()
        if not _ADDRESS.match(address) or not address.isprintable():
            continue
        result.append((decode_header(name)[0], address))
    if not result:
        for value in values:
            result.extend(("", a.lower()) for a in _LOOSE_ADDRESS.findall(value))
    unique: dict[str, str] = {}
    for name, address in result:
        unique.setdefault(address, name)
    return [(name, address) for address, name in unique.items()]


def message_ids(raw: str) -> list[str]:
    """The ids inside angle brackets, in order, without duplicates; a bare id (no brackets,
    one word with an @) is taken as it is."""
    found = _MSGID.findall(raw)
    if not found:
        bare = raw.strip()
        if bare and "@" in bare and not _SPACE.search(bare) and len(bare) < 996:
            found = [bare.strip("<>")]
    ids = [i for i in found if i.isascii() and i.isprintable()]
    return list(dict.fromkeys(ids))


def parse_date(raw: str) -> datetime | None:
    """An aware UTC time, or None when the header cannot be read (a missing zone means UTC)."""
    try:
        value = parsedate_to_datetime(_FOLD.sub("", raw).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
