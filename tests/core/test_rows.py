"""Plain-row writes (``zhongtai.core.rows``) store what the ORM would, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests import factories
from zhongtai.core.rows import rows_insert, rows_update
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

AT = datetime(2025, 10, 1, 8, 30, 15, 123456, tzinfo=UTC)


def _row(ticket, n: int) -> dict:
    return {
        "created_at": AT + timedelta(minutes=n),
        "updated_at": AT + timedelta(minutes=n),
        "tenant_id": ticket.tenant_id,
        "ticket_id": ticket.pk,
        "type": EventType.SLA,
        "actor_id": None,
        "is_public": n % 2 == 0,
        "body": f"引号 ' \" and {{braces}} %s {n}",
        "data": {"n": n, "people": [1, 2], "text": "中文", "none": None},
    }


def test_insert_returns_the_keys_in_row_order_and_stores_what_the_orm_reads(world):
    ticket = factories.ticket(world.agent)
    rows = [_row(ticket, n) for n in range(5)]

    keys = rows_insert(TicketEvent, rows, returning=True)

    assert len(keys) == 5
    for key, row in zip(keys, rows, strict=True):
        event = TicketEvent.objects.get(pk=key)
        stored = {name: getattr(event, name) for name in row}
        assert stored == row


def test_insert_in_several_statements_when_the_rows_exceed_the_parameter_limit(world):
    ticket = factories.ticket(world.agent)
    rows = [_row(ticket, n) for n in range(250)]  # 2,250 values: over SQLite's 999

    keys = rows_insert(TicketEvent, rows, returning=True)

    assert len(set(keys)) == 250
    assert [TicketEvent.objects.get(pk=k).data["n"] for k in keys[::50]] == [0, 50, 100, 150, 200]


def test_insert_without_returning_and_of_nothing(world):
    ticket = factories.ticket(world.agent)
    before = TicketEvent.objects.count()
    assert rows_insert(TicketEvent, [_row(ticket, 1)]) == []
    assert rows_insert(TicketEvent, []) == []
    assert TicketEvent.objects.count() == before + 1


def test_update_sets_the_named_fields_of_each_row(world):
    ticket = factories.ticket(world.agent)
    first, second = rows_insert(TicketEvent, [_row(ticket, 1), _row(ticket, 2)], returning=True)

    rows_update(
        TicketEvent,
        ("updated_at", "data", "is_public"),
        [(AT, {"changed": True}, True, first), (AT, {"changed": 2}, False, second)],
    )

    one, two = TicketEvent.objects.get(pk=first), TicketEvent.objects.get(pk=second)
    assert (one.updated_at, one.data, one.is_public) == (AT, {"changed": True}, True)
    assert (two.data, two.is_public, two.body) == ({"changed": 2}, False, _row(ticket, 2)["body"])


def test_a_name_that_is_not_a_column_is_refused(world):
    with pytest.raises(ValueError, match="not a column"):
        rows_insert(TicketEvent, [{"attachments": []}])
