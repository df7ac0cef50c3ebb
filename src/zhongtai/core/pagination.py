"""Keyset (cursor) pagination over ``(-created_at, -id)``: stable and fast at any depth."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from zhongtai.core.errors import InvalidInput

M = TypeVar("M", bound=Model)


def cursor_encode(obj: Any) -> str:
    raw = f"{obj.created_at.isoformat()}|{obj.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        moment = datetime.fromisoformat(created)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return moment, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(
            errors=[{"field": "cursor", "message": _("This cursor is not valid.")}]
        ) from exc


def keyset_page(qs: QuerySet[M], *, cursor: str | None, limit: int) -> tuple[list[M], str | None]:
    """One page of newest-first rows after ``cursor``, and the cursor of the next page."""
    qs = qs.order_by("-created_at", "-id")
    if cursor:
        created, pk = cursor_decode(cursor)
        qs = qs.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=pk))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (cursor_encode(rows[-1]) if more and rows else None)
