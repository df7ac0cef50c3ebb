"""Views, API handlers and tasks read tenant data only through selectors (STYLE R6.2).

A raw ``Model.objects`` query in one of them is how another tenant's rows leak, so the
layer is checked by reading the source, as the style guide asks.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "zhongtai"
THIN_LAYERS = ("views.py", "portal_views.py", "api.py", "tasks.py")
RAW_QUERY = re.compile(r"\b[A-Z]\w*\.objects\b")


def test_thin_layers_never_query_models_directly() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name in THIN_LAYERS
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if RAW_QUERY.search(line)
    ]
    assert not offenders, "use a selector or a service instead:\n" + "\n".join(offenders)


def test_the_check_sees_a_raw_query() -> None:
    assert RAW_QUERY.search("ticket = Ticket.objects.get(pk=1)")
    assert not RAW_QUERY.search("ticket = selectors.ticket_get(actor=actor, number=1)")
