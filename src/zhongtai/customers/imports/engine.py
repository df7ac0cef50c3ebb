"""The import: rows of one kind, checked and written a chunk at a time inside one
transaction, keyed by (unit, external id).

Each chunk of rows costs a few queries whatever its size: the stored rows it names (by
external id), what its rows refer to (customers, names, serial numbers, identities), then
one ``bulk_update``, one ``bulk_create`` and the profile events. A row equal to what is
stored writes nothing. By default a batch with a rejected row is rolled back whole; with
``partial`` the valid rows are kept. Afterwards the tiers of the customers whose facts
changed are computed again, in bulk, and the SLA clocks are told once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import Conflict, InvalidInput, PayloadTooLarge
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import ensure_can
from zhongtai.customers import services
from zhongtai.customers.imports import reading
from zhongtai.customers.imports.cleaning import Bad, Reason, RowRejected, RowValues, text
from zhongtai.customers.imports.kinds import KINDS, Batch, Kind, Plan
from zhongtai.customers.models import (
    Customer,
    CustomerTier,
    Identity,
    ProfileEvent,
    ProfileEventType,
    TierRule,
)
from zhongtai.sla import clocks

CHUNK = 1000  # rows checked and written together
WRITE_BATCH = 500  # rows per INSERT / UPDATE statement
TIER_CHUNK = 2000
ROWS_PER_REQUEST = 10_000  # the API's limit; files have none
REPORTED_ROWS = 10_000  # rejected rows kept with their reasons (all are counted)
CLOCKS_ONE_BY_ONE = 20  # more customers whose tier moved: the unit's clocks at once


@dataclass
class RejectedRow:
    line: int
    external_id: str
    reasons: list[Reason]


@dataclass
class ImportReport:
    """What an import did (or, not committed, would have done) with each row."""

    kind: str
    partial: bool = False
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    committed: bool = False
    tiers_changed: int = 0
    rows: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    @property
    def writing(self) -> bool:
        """Whether the rows are (still) being written: not a dry run, and no rejected row
        unless ``partial``."""
        return not self.dry_run and (self.partial or not self.rejected)

    def reject(self, line: int, external_id: str, reasons: list[Reason]) -> None:
        self.rejected += 1
        if len(self.rows) < REPORTED_ROWS:
            self.rows.append(RejectedRow(line, external_id, reasons))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "committed": self.committed,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "tiers_changed": self.tiers_changed,
            "warnings": self.warnings,
            "rows": [vars(row) for row in self.rows],
        }


class _RolledBack(Exception):
    pass


def kind_get(kind: str) -> Kind:
    if kind not in KINDS:
        raise InvalidInput(errors=[{"field": "kind", "message": _("Unknown kind of rows.")}])
    return KINDS[kind]


def file_import(
    *,
    tenant: Tenant,
    kind: str,
    raw: bytes,
    fmt: str,
    encoding: str | None = None,
    actor: Actor | None = None,
    partial: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import a CSV (``fmt="csv"``) or JSON Lines file of one kind into ``tenant``.
    ``actor`` (optional from the shell) must hold ``customers.manage`` in the unit; it is
    the author of the profile events. Raises ``BadFile`` for a file that cannot be read
    as rows (encoding, header)."""
    spec = kind_get(kind)
    _actor_check(actor, tenant)
    content, warnings = reading.text_decode(raw, encoding)
    batch = _batch(tenant, actor)
    if fmt == "csv":
        header, rows = reading.csv_read(content)
        reading.header_check(header, spec.known(batch), spec.required)
    else:
        rows = reading.jsonl_read(content)
    report = ImportReport(kind=kind, partial=partial, dry_run=dry_run, warnings=warnings)
    _run(spec, batch, rows, report)
    return report


def rows_import(
    *, actor: Actor, kind: str, rows: Sequence[Any], partial: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import rows given as JSON objects (the API); row ``i`` is reported as line ``i+1``."""
    spec = kind_get(kind)
    _actor_check(actor, actor.tenant)
    if len(rows) > ROWS_PER_REQUEST:
        raise PayloadTooLarge(
            _("At most %(n)d rows per request; send the rest in further requests.")
            % {"n": ROWS_PER_REQUEST}
        )
    report = ImportReport(kind=kind, partial=partial, dry_run=dry_run)
    _run(spec, _batch(actor.tenant, actor), reading.list_read(rows), report)
    return report


def _actor_check(actor: Actor | None, tenant: Tenant) -> None:
    if actor is None:
        return
    ensure_can(actor, "customers.manage")
    if actor.tenant.pk != tenant.pk:
        raise InvalidInput(_("The actor is not a member of this unit."))


def _batch(tenant: Tenant, actor: Actor | None) -> Batch:
    return Batch.of(tenant, tenant.local_today(), actor.user if actor is not None else None)


def _run(spec: Kind, batch: Batch, rows: Iterable[reading.SourceRow], report: ImportReport) -> None:
    seen: dict[str, int] = {}
    tiers: set[int] = set()
    try:
        with transaction.atomic():
            _plans_fresh()
            for chunk in _chunks(rows, CHUNK):
                plans = _chunk_plan(spec, batch, chunk, seen, report)
                if report.writing:
                    tiers |= _chunk_write(spec, batch, plans)
            if not report.writing:
                raise _RolledBack
            report.tiers_changed = _tiers_follow(batch, tiers)
    except _RolledBack:
        pass
    except IntegrityError as exc:  # a concurrent write took a key since the rows were read
        raise Conflict(
            _(
                "Rows of this import were changed at the same time; nothing was imported. "
                "Run it again."
            ),
            code="import_conflict",
        ) from exc
    report.committed = report.writing


def _plans_fresh() -> None:
    """On PostgreSQL, plan each statement for the rows the batch has written so far.
    Prepared statements (settings: ``PG_PREPARED_STATEMENTS``) switch to a generic plan
    after a few runs; one made while the unit had no rows scans the whole table, and as
    the batch grows the table, every chunk's look-ups scan it again (100,000 new customers
    took minutes more). For this transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")


def _chunks(rows: Iterable[reading.SourceRow], size: int) -> Iterator[list[reading.SourceRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _chunk_plan(
    spec: Kind,
    batch: Batch,
    chunk: list[reading.SourceRow],
    seen: dict[str, int],
    report: ImportReport,
) -> list[Plan]:
    """Check a chunk's rows; returns the plans of the rows that write something."""
    known = spec.json_known(batch)
    ready: list[tuple[reading.SourceRow, str]] = []
    for row in chunk:
        external_id, reasons = _key(spec, row, known, seen)
        if reasons:
            report.reject(row.line, external_id, reasons)
        else:
            ready.append((row, external_id))
    ids = [external_id for _row, external_id in ready]
    model: Any = spec.model
    stored: Any = model.objects.filter(tenant=batch.tenant, external_id__in=ids) if ids else []
    if ids and spec.stored:
        stored = stored.only(*spec.stored)
    existing = {obj.external_id: obj for obj in stored}
    spec.preload(batch, [row.data for row, _id in ready])
    plans = []
    for row, external_id in ready:
        try:
            obj = existing.get(external_id)
            plan = spec.plan(batch, RowValues(row.data), obj, row.line, external_id)
        except RowRejected as exc:
            report.reject(row.line, external_id, exc.reasons)
            continue
        setattr(report, plan.outcome, getattr(report, plan.outcome) + 1)
        if plan.outcome != "unchanged":
            plans.append(plan)
    return plans


def _key(
    spec: Kind, row: reading.SourceRow, known: set[str], seen: dict[str, int]
) -> tuple[str, list[Reason]]:
    """The row's external id, and what makes the row unusable before its values are read:
    a line that could not be read, unknown or missing columns, an external id that is
    missing or came earlier in the file."""
    if row.problems:
        return "", row.problems
    reasons: list[Reason] = [
        {"field": name, "message": reading.unknown_column_message(name)}
        for name in row.data
        if name not in known
    ]
    reasons += [
        {"field": name, "message": _("This field is required.")}
        for name in spec.required
        if name != "external_id" and name not in row.data
    ]
    try:
        external_id = text(spec.model, "external_id", required=True)(row.data.get("external_id"))
    except Bad as exc:
        reasons.append({"field": "external_id", "message": exc.message})
        return "", reasons
    first = seen.setdefault(external_id, row.line)
    if first != row.line:
        message = _("Line %(line)d of this file has the same external id.") % {"line": first}
        reasons.append({"field": "external_id", "message": message})
    return external_id, reasons


def _chunk_write(spec: Kind, batch: Batch, plans: list[Plan]) -> set[int]:
    """Write a chunk's plans; returns the customers whose tier may have moved."""
    if not plans:
        return set()
    model: Any = spec.model
    _update(model, [p for p in plans if p.fields])
    model.objects.bulk_create([p.obj for p in plans if p.created], batch_size=WRITE_BATCH)
    identities = [
        Identity(tenant=batch.tenant, contact_id=p.obj.pk, kind=kind, value=value)
        for p in plans
        for kind, value in p.identities
    ]
    Identity.objects.bulk_create(identities, batch_size=WRITE_BATCH)
    events = [_event(spec, batch, plan) for plan in plans]
    ProfileEvent.objects.bulk_create(events, batch_size=WRITE_BATCH)
    tiers: set[int] = set()
    for plan in plans:
        if plan.moves_tier:
            tiers.add(spec.customer_id(plan.obj))
            if plan.customer_before is not None:
                tiers.add(plan.customer_before)
    return tiers


def _update(model: Any, plans: list[Plan]) -> None:
    """Write the changed fields of stored rows: one statement per set of changed fields,
    run for every row at once (``executemany``). ``bulk_update`` would build a CASE of
    every row per field, and spend 3 ms a row building it."""
    groups: dict[tuple[str, ...], list[Any]] = defaultdict(list)
    for plan in plans:
        groups[tuple(sorted(plan.fields))].append(plan.obj)
    now = timezone.now()
    quote = connection.ops.quote_name
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for names, objs in groups.items():
            fields = [model._meta.get_field(name) for name in (*names, "updated_at")]
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (names from the model)
            rows = []
            for obj in objs:
                obj.updated_at = now
                values = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                rows.append([*values, obj.pk])
            cursor.executemany(sql, rows)


def _event(spec: Kind, batch: Batch, plan: Plan) -> ProfileEvent:
    """The ``imported`` line on the profile: which row, created or updated, and how."""
    data: dict[str, Any] = {
        "import": spec.name,
        "external_id": plan.external_id,
        "action": plan.outcome,
        **spec.summary(plan.obj),
    }
    if plan.changes:
        data["changes"] = plan.changes
    if plan.identities:
        data["identities_added"] = [value for _kind, value in plan.identities]
    return ProfileEvent(
        tenant=batch.tenant,
        customer_id=spec.customer_id(plan.obj),
        type=ProfileEventType.IMPORTED,
        actor=batch.user,
        data=services.json_ready(data),
    )


def _tiers_follow(batch: Batch, customer_ids: set[int]) -> int:
    """Compute the tier of ``customer_ids`` again, in chunks, as ``services.tier_evaluate``
    does for one; returns how many tiers moved. The SLA clocks hear of each customer whose
    tier moved, or of the whole unit once when there are many."""
    if not customer_ids:
        return 0
    rules = list(TierRule.objects.filter(tenant=batch.tenant, is_active=True))
    ids = sorted(customer_ids)
    moved: list[int] = []
    for start in range(0, len(ids), TIER_CHUNK):
        moved += _tiers_chunk(batch, ids[start : start + TIER_CHUNK], rules)
    if len(moved) > CLOCKS_ONE_BY_ONE:
        clocks.standards_changed(tenant_id=batch.tenant.pk, reason="customer_tier")
    else:
        for customer_id in moved:
            clocks.standards_changed(
                tenant_id=batch.tenant.pk, customer_id=customer_id, reason="customer_tier"
            )
    return len(moved)


def _tiers_chunk(batch: Batch, ids: list[int], rules: list[TierRule]) -> list[int]:
    customers = list(
        Customer.objects.select_for_update()
        .filter(tenant=batch.tenant, pk__in=ids)
        .only("tenant_id", "tags", "lifecycle_stage", "tier", "tier_computed", "tier_override")
        .order_by("pk")
    )
    facts = services.tier_facts(customers, batch.today) if rules else {}
    now = timezone.now()
    changed: list[Customer] = []
    events: list[ProfileEvent] = []
    for customer in customers:
        computed = services.tier_of(facts[customer.pk], rules) if rules else CustomerTier.STANDARD
        effective = customer.tier_override or computed
        if computed == customer.tier_computed and effective == customer.tier:
            continue
        old = customer.tier
        customer.tier_computed, customer.tier, customer.updated_at = computed, effective, now
        changed.append(customer)
        if effective != old:
            events.append(
                ProfileEvent(
                    tenant=batch.tenant,
                    customer_id=customer.pk,
                    type=ProfileEventType.TIER,
                    actor=batch.user,
                    data={"from": old, "to": effective, "reason": "rules"},
                )
            )
    Customer.objects.bulk_update(changed, ["tier_computed", "tier", "updated_at"], WRITE_BATCH)
    ProfileEvent.objects.bulk_create(events, batch_size=WRITE_BATCH)
    return [event.customer_id for event in events]
