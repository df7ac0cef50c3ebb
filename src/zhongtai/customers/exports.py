"""Exports: a unit's customers, contacts, contracts, assets or purchases as CSV or JSON
Lines, in the columns the import reads, so that an export imports again with no change.

Only rows with an external id are written (the import is keyed by it; a customer made by
hand in Zhongtai has none), and of the other kinds only those whose customer has one.
CSV starts with a byte-order mark so that Excel reads it as UTF-8; a cell that a
spreadsheet would run as a formula gets a ``'`` before it, which the import takes off.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import InvalidInput
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import ensure_can
from zhongtai.customers.identities import identity_normalize
from zhongtai.customers.imports import cleaning, kind_get
from zhongtai.customers.imports.kinds import CHAT_KINDS, Batch
from zhongtai.customers.imports.reading import cell_escape
from zhongtai.customers.models import (
    Asset,
    Contact,
    Contract,
    Customer,
    CustomField,
    IdentityKind,
    Purchase,
)

CHUNK = 2000
CSV_FLUSH = 500  # rows per piece of a streamed CSV
FORMATS = ("csv", "jsonl")


def rows_export(
    *, tenant: Tenant, kind: str, fmt: str, actor: Actor | None = None
) -> Iterator[str]:
    """The pieces of the export file (a header first for CSV), read a chunk at a time.
    ``actor`` (for the API) must hold ``customers.manage``; the unit is then theirs."""
    spec = kind_get(kind)
    if actor is not None:
        ensure_can(actor, "customers.manage")
        tenant = actor.tenant
    fields = list(CustomField.objects.filter(tenant=tenant))
    records = _RECORDS[spec.name](tenant)
    if fmt == "csv":
        header = spec.header(Batch(tenant, date.min, None, fields, {}))
        return _csv(header, records)
    return (json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def _csv(header: list[str], records: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for number, record in enumerate(records, start=1):
        writer.writerow([_cell(_csv_value(record, name)) for name in header])
        if number % CSV_FLUSH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_value(record: dict[str, Any], name: str) -> Any:
    if name.startswith("custom."):
        return record["custom"].get(name.removeprefix("custom."))
    if name in CHAT_KINDS:
        return [i["value"] for i in record.get("identities", []) if i["kind"] == name]
    return record.get(name)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return cell_escape(cleaning.LIST_SEPARATOR.join(str(item) for item in value))
    return cell_escape(str(value))


def _keyset(rows: QuerySet[Any]) -> Iterator[Any]:
    """Every row, a chunk at a time by primary key (no cursor held open while streaming)."""
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].pk


def _children(model: type[Model], tenant: Tenant) -> QuerySet[Any]:
    manager: Any = model._default_manager
    rows: QuerySet[Any] = manager.filter(tenant=tenant).exclude(external_id="")
    return rows.exclude(customer__external_id="").select_related("customer")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _customers(tenant: Tenant) -> Iterator[dict[str, Any]]:
    rows = Customer.objects.filter(tenant=tenant).exclude(external_id="").select_related("owner")
    for c in _keyset(rows):
        yield {
            "external_id": c.external_id,
            "name": c.name,
            "lifecycle_stage": c.lifecycle_stage,
            "owner": c.owner.username if c.owner is not None else "",
            "tags": c.tags,
            "domains": c.domains,
            "industry": c.industry,
            "region": c.region,
            "custom": c.custom,
        }


def _contacts(tenant: Tenant) -> Iterator[dict[str, Any]]:
    rows = _children(Contact, tenant).prefetch_related("identities")
    for c in _keyset(rows):
        own = {(IdentityKind.EMAIL, c.email), (IdentityKind.PHONE, _phone(c.phone))}
        yield {
            "external_id": c.external_id,
            "customer_external_id": c.customer.external_id,
            "name": c.name,
            "email": c.email,
            "phone": c.phone,
            "title": c.title,
            "language": c.language,
            "identities": [
                {"kind": i.kind, "value": i.value}
                for i in c.identities.all()
                if (i.kind, i.value) not in own
            ],
        }


def _phone(value: str) -> str:
    try:
        return identity_normalize(IdentityKind.PHONE, value)
    except InvalidInput:
        return value


def _contracts(tenant: Tenant) -> Iterator[dict[str, Any]]:
    for c in _keyset(_children(Contract, tenant)):
        yield {
            "external_id": c.external_id,
            "customer_external_id": c.customer.external_id,
            "kind": c.kind,
            "number": c.number,
            "plan": c.plan,
            "value_per_year": _money(c.value_per_year),
            "currency": c.currency,
            "starts_on": _day(c.starts_on),
            "ends_on": _day(c.ends_on),
            "renews_on": _day(c.renews_on),
            "auto_renew": c.auto_renew,
        }


def _assets(tenant: Tenant) -> Iterator[dict[str, Any]]:
    for a in _keyset(_children(Asset, tenant)):
        yield {
            "external_id": a.external_id,
            "customer_external_id": a.customer.external_id,
            "product_line": a.product_line,
            "product_model": a.product_model,
            "serial_number": a.serial_number,
            "site": a.site,
            "installed_on": _day(a.installed_on),
            "warranty_ends_on": _day(a.warranty_ends_on),
        }


def _purchases(tenant: Tenant) -> Iterator[dict[str, Any]]:
    for p in _keyset(_children(Purchase, tenant)):
        yield {
            "external_id": p.external_id,
            "customer_external_id": p.customer.external_id,
            "order_number": p.order_number,
            "ordered_on": _day(p.ordered_on),
            "product": p.product,
            "quantity": p.quantity,
            "amount": _money(p.amount),
            "currency": p.currency,
        }


_RECORDS: dict[str, Callable[[Tenant], Iterator[dict[str, Any]]]] = {
    "customers": _customers,
    "contacts": _contacts,
    "contracts": _contracts,
    "assets": _assets,
    "purchases": _purchases,
}
