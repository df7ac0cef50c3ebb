"""The ticket status machine as data, plus pure guards. Nothing here touches the database.

``ticket_transition`` in ``services.py`` is the only way to change a status; it asks this
module whether the move is allowed. Templates read ``allowed_targets`` to build menus.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from zhongtai.tickets.choices import TicketStatus as S


class Cause(StrEnum):
    """Why a status changes; some moves are only possible for one cause."""

    MANUAL = "manual"
    REPLY = "reply"  # an agent's public reply opens a new ticket
    CUSTOMER_REPLY = "customer_reply"  # a customer's reply reopens a resolved ticket
    MERGE = "merge"  # a merged duplicate is closed whatever its state
    CUSTOMER_SOLVED = "customer_solved"  # the contact says their own request is solved


TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.PENDING_INTERNAL, S.RESOLVED}),
    S.OPEN: frozenset({S.PENDING_CUSTOMER, S.PENDING_INTERNAL, S.RESOLVED}),
    S.PENDING_CUSTOMER: frozenset({S.OPEN, S.PENDING_INTERNAL, S.RESOLVED}),
    S.PENDING_INTERNAL: frozenset({S.OPEN, S.PENDING_CUSTOMER, S.RESOLVED}),
    S.RESOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset(),
}

# Moves that only a specific cause may make, on top of the table above.
CAUSE_TRANSITIONS: dict[Cause, frozenset[tuple[str, str]]] = {
    Cause.MERGE: frozenset(
        (source, S.CLOSED) for source in (S.NEW, S.OPEN, S.PENDING_CUSTOMER, S.PENDING_INTERNAL)
    ),
}


def allowed_targets(from_status: str, cause: Cause = Cause.MANUAL) -> frozenset[str]:
    extra = {target for source, target in CAUSE_TRANSITIONS.get(cause, ()) if source == from_status}
    return TRANSITIONS.get(from_status, frozenset()) | extra


def transition_error(
    *, from_status: str, to_status: str, cause: Cause, open_blocking_children: int
) -> str | None:
    """Why the move is refused, or ``None`` when it is allowed."""
    if to_status not in S.values:
        return _("Unknown status.")
    if to_status == from_status:
        return _("The ticket already has this status.")
    if to_status not in allowed_targets(from_status, cause):
        return _("A ticket cannot go from “%(from)s” to “%(to)s”.") % {
            "from": S(from_status).label,
            "to": S(to_status).label,
        }
    if to_status in (S.RESOLVED, S.CLOSED) and cause != Cause.MERGE and open_blocking_children:
        return _("A child ticket that blocks this one is still open.")
    return None
