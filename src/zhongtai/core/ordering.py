"""An explicit order of a unit's rows (SLA policies, routing rules): move one, renumber all.

Rows carry a ``position``; moving one puts it at a place (``index``, 0 = first) or one
step up or down (``step`` -1 or +1, kept within the list), and renumbers every row in
steps of ``POSITION_STEP`` so that a new row can always go last. The caller locks the
rows, saves the positions and says what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from django.utils.translation import gettext as _

from zhongtai.core.errors import InvalidInput, NotFound

POSITION_STEP = 10


class Positioned(Protocol):
    pk: Any
    position: int


P = TypeVar("P", bound=Positioned)


def positions_move(
    rows: Sequence[P], row_id: int, *, index: int | None = None, step: int | None = None
) -> list[P]:
    """``rows`` (in their order) with ``row_id`` moved, renumbered; ``NotFound`` when it
    is not among them, ``InvalidInput`` (field ``index``) for a place outside the list."""
    ordered = list(rows)
    moving = next((row for row in ordered if row.pk == row_id), None)
    if moving is None:
        raise NotFound()
    if step is not None:
        index = min(max(ordered.index(moving) + step, 0), len(ordered) - 1)
    if index is None or not 0 <= index < len(ordered):
        message = _("Give a place between 0 and %(last)d.") % {"last": len(ordered) - 1}
        raise InvalidInput(errors=[{"field": "index", "message": message}])
    ordered.remove(moving)
    ordered.insert(index, moving)
    for number, row in enumerate(ordered, start=1):
        row.position = number * POSITION_STEP
    return ordered
