"""The placeholders a macro may use, how they are checked, and how they are filled in.

A fixed, documented whitelist (``PLACEHOLDERS``). Filling in is one regular-expression
substitution that looks each name up in a dict of strings computed beforehand: no template
engine, no ``str.format``, no attribute lookup. A name that is not on the list is left as
it was written, so ``{{ticket.customer.__class__}}``, ``{{settings.SECRET_KEY}}``,
``{% load %}`` or ``{0.__class__}`` are only ever text. The substitution makes one pass,
so a value that itself looks like a placeholder (a customer called "{{agent.name}}") is
not filled in again.

Saving a macro refuses a ``{{…}}`` that is not on the list, and any ``{%…%}``, so that an
author learns at once that only these placeholders exist (``placeholder_errors``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MISSING = "—"  # what a placeholder becomes when the ticket has no value for it


@dataclass(frozen=True)
class Placeholder:
    name: str
    label: Promise
    example: str


PLACEHOLDERS: dict[str, Placeholder] = {
    p.name: p
    for p in (
        Placeholder(
            "customer.name", gettext_lazy("The customer (company) of the ticket"), "Acme Ltd"
        ),
        Placeholder("contact.name", gettext_lazy("The contact who asked"), "Li Na"),
        Placeholder("ticket.number", gettext_lazy("The ticket's reference"), "SH-000123"),
        Placeholder("ticket.subject", gettext_lazy("The ticket's subject"), "Printer is jammed"),
        Placeholder(
            "ticket.due",
            gettext_lazy("When the ticket is due to be resolved, in the unit's time zone"),
            "2025-06-03 17:00 UTC+8",
        ),
        Placeholder("agent.name", gettext_lazy("The name of the agent who sends it"), "Zhang Wei"),
    )
}

# A placeholder as written: the name between double braces, spaces and tabs around it.
_PLACEHOLDER = re.compile(r"\{\{[ \t]*([a-z]+(?:\.[a-z_]+)+)[ \t]*\}\}")
# What is left of a ``{{`` or a ``{%`` once the known placeholders are taken out.
_LEFTOVER = re.compile(r"\{\{[^\n]{0,40}|\{%[^\n]{0,40}")


def placeholder_names(text: str) -> set[str]:
    """The known placeholders the text uses."""
    return {m.group(1) for m in _PLACEHOLDER.finditer(text) if m.group(1) in PLACEHOLDERS}


def placeholder_errors(text: str) -> list[str]:
    """Why the text cannot be saved: each ``{{…}}`` that is not a known placeholder, and
    each template tag (``{%…%}``); empty when it is fine."""
    known = _PLACEHOLDER.sub(lambda m: "" if m.group(1) in PLACEHOLDERS else m.group(0), text)
    errors = []
    for match in _LEFTOVER.finditer(known):
        found = match.group(0)
        end = found.find("}}") if found.startswith("{{") else found.find("%}")
        shown = found[: end + 2] if end >= 0 else found
        if found.startswith("{%"):
            errors.append(_("Template tags such as %(tag)s are not supported.") % {"tag": shown})
        else:
            errors.append(_("Unknown placeholder: %(name)s.") % {"name": shown})
    return errors


def placeholders_fill(text: str, values: Mapping[str, str]) -> str:
    """The text with each known placeholder replaced by its value (``MISSING`` when the
    value is empty); anything else stays exactly as written."""

    def swap(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        return str(values.get(name) or MISSING)

    return _PLACEHOLDER.sub(swap, text)


LazyValues = Mapping[str, Callable[[], str]]


def values_compute(names: set[str], getters: LazyValues) -> dict[str, str]:
    """Compute only the values that are used (the due time costs a query)."""
    return {name: getters[name]() for name in names if name in getters}
