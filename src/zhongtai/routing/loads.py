"""Each person's open tickets per channel, kept by the database (``AgentLoad``).

Assignment needs every candidate's load for every decision. Counting it from the tickets
costs as much as all the rest of a decision together and grows with the unit's history,
so the counts are kept instead, by triggers on the ticket table: a ticket counts once
for each distinct person holding it (owner, engineer) while it is open, under its channel
and under "" (the total). Being triggers, they follow every write to a ticket in the
same transaction: the services, bulk loads, ``QuerySet.update``, deletes and raw SQL.

The triggers are (re)installed after every ``migrate`` (``post_migrate``): SQLite drops a
table's triggers when a migration rebuilds the table, and a missing trigger is found and
put back there, with the counts recounted from the tickets. Changing what a trigger does
means a new name in ``NAMES`` (the old ones are dropped).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connections, transaction
from django.db.models import Count, Q

NAMES = ("routing_load_v1_insert", "routing_load_v1_update", "routing_load_v1_delete")
FUNCTION = "routing_load_v1_follow"
OLD_NAMES: tuple[str, ...] = ()  # earlier trigger names, dropped on install
# Which writes can change a count: only these columns, and only when they changed.
COLUMNS = ("assignee_id", "engineer_id", "is_open", "channel")


def _add(row: str) -> str:
    """The upsert adding one for each distinct holder of ``row`` (NEW), channel and total."""
    # (``row`` is NEW or OLD, never input: S608 below)
    return f"""
    INSERT INTO routing_agentload (tenant_id, user_id, channel, tickets)
    SELECT {row}.tenant_id, holder.id, lane.channel, 1
    FROM (SELECT {row}.assignee_id AS id UNION SELECT {row}.engineer_id) AS holder,
         (SELECT {row}.channel AS channel UNION ALL SELECT '') AS lane
    WHERE holder.id IS NOT NULL AND {row}.is_open
    ON CONFLICT (tenant_id, user_id, channel)
    DO UPDATE SET tickets = routing_agentload.tickets + 1"""  # noqa: S608


def _take(row: str) -> str:
    return f"""
    UPDATE routing_agentload SET tickets = tickets - 1
    WHERE {row}.is_open AND tenant_id = {row}.tenant_id
      AND user_id IN ({row}.assignee_id, {row}.engineer_id)
      AND channel IN ({row}.channel, '')"""  # noqa: S608


def _changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in COLUMNS)


def _sqlite() -> list[str]:
    insert, update, delete = NAMES
    return [
        f"""CREATE TRIGGER {insert} AFTER INSERT ON tickets_ticket
        WHEN NEW.is_open BEGIN {_add("NEW")}; END""",
        f"""CREATE TRIGGER {update} AFTER UPDATE OF {", ".join(COLUMNS)} ON tickets_ticket
        WHEN {_changed("IS NOT")} BEGIN {_take("OLD")}; {_add("NEW")}; END""",
        f"""CREATE TRIGGER {delete} AFTER DELETE ON tickets_ticket
        WHEN OLD.is_open BEGIN {_take("OLD")}; END""",
    ]


def _postgresql() -> list[str]:
    insert, update, delete = NAMES
    return [
        f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP <> 'INSERT' THEN {_take("OLD")}; END IF;
          IF TG_OP <> 'DELETE' THEN {_add("NEW")}; END IF;
          RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER {insert} AFTER INSERT ON tickets_ticket
        FOR EACH ROW WHEN (NEW.is_open) EXECUTE FUNCTION {FUNCTION}()""",
        f"""CREATE TRIGGER {update} AFTER UPDATE OF {", ".join(COLUMNS)} ON tickets_ticket
        FOR EACH ROW WHEN ({_changed("IS DISTINCT FROM")}) EXECUTE FUNCTION {FUNCTION}()""",
        f"""CREATE TRIGGER {delete} AFTER DELETE ON tickets_ticket
        FOR EACH ROW WHEN (OLD.is_open) EXECUTE FUNCTION {FUNCTION}()""",
    ]


def triggers_present(using: str = "default") -> set[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'tickets_ticket'::regclass"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["tickets_ticket"],
            )
        return {row[0] for row in cursor.fetchall()}


def triggers_install(using: str = "default") -> bool:
    """Put back what is missing of the triggers, and recount if anything was. Returns
    whether anything was installed."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"agent loads need triggers on {connection.vendor}")
    present = triggers_present(using)
    if present.issuperset(NAMES) and not present & set(OLD_NAMES):
        return False
    statements = _postgresql() if connection.vendor == "postgresql" else _sqlite()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for name in (*OLD_NAMES, *NAMES):
            on = " ON tickets_ticket" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        for statement in statements:
            cursor.execute(statement)
        loads_recount(using=using)
    return True


def counted(
    rows: Iterable[tuple[int, int | None, int | None, str, int]],
) -> dict[tuple[int, int, str], int]:
    """(tenant, owner, engineer, channel, tickets) groups → open tickets per (tenant,
    person, channel), "" the total: what the triggers keep."""
    counts: Counter[tuple[int, int, str]] = Counter()
    for tenant_id, assignee_id, engineer_id, channel, n in rows:
        for user_id in {assignee_id, engineer_id}:
            if user_id is None:
                continue
            counts[tenant_id, user_id, channel] += n
            counts[tenant_id, user_id, ""] += n
    return dict(counts)


def counted_from_tickets(
    using: str = "default", tenant_id: int | None = None
) -> dict[tuple[int, int, str], int]:
    from zhongtai.tickets.models import Ticket

    rows = (
        Ticket.objects.using(using)
        .filter(is_open=True)
        .filter(Q(assignee__isnull=False) | Q(engineer__isnull=False))
    )
    if tenant_id is not None:
        rows = rows.filter(tenant_id=tenant_id)
    return counted(
        rows.order_by()
        .values_list("tenant_id", "assignee_id", "engineer_id", "channel")
        .annotate(n=Count("id"))
    )


def loads_recount(*, using: str = "default", tenant_id: int | None = None) -> int:
    """Count again from the tickets (all units, or one). Returns how many rows were wrong."""
    from zhongtai.routing.models import AgentLoad

    with transaction.atomic(using=using):
        truth = counted_from_tickets(using, tenant_id)
        kept = AgentLoad.objects.using(using).select_for_update()
        if tenant_id is not None:
            kept = kept.filter(tenant_id=tenant_id)
        current = {
            (t, u, c): n
            for t, u, c, n in kept.values_list("tenant_id", "user_id", "channel", "tickets")
        }
        wrong = {
            key for key in truth.keys() | current.keys() if truth.get(key, 0) != current.get(key, 0)
        }
        if wrong:
            stale = Q()
            for t, u, c in wrong:
                stale |= Q(tenant_id=t, user_id=u, channel=c)
            AgentLoad.objects.using(using).filter(stale).delete()
            AgentLoad.objects.using(using).bulk_create(
                AgentLoad(tenant_id=t, user_id=u, channel=c, tickets=truth[t, u, c])
                for t, u, c in wrong
                if truth.get((t, u, c), 0)
            )
    return len(wrong)


def loads_of(tenant_id: int, user_ids: Iterable[int]) -> dict[int, Counter[str]]:
    """Open tickets held per person (as owner or engineer) and channel."""
    from zhongtai.routing.models import AgentLoad

    loads: dict[int, Counter[str]] = defaultdict(Counter)
    ids = list(user_ids)
    if not ids:
        return loads
    rows = (
        AgentLoad.objects.filter(tenant_id=tenant_id, user_id__in=ids, tickets__gt=0)
        .exclude(channel="")
        .order_by()
        .values_list("user_id", "channel", "tickets")
    )
    for user_id, channel, n in rows:
        loads[user_id][channel] = n
    return loads


def migrated(using: str = "default", apps: Any = None, **kwargs: Any) -> None:
    """``post_migrate``: the triggers are there after every migrate (once the table is)."""
    if apps is not None:
        try:
            apps.get_model("routing", "AgentLoad")
        except LookupError:  # (migrated back before it)
            return
    triggers_install(using)
