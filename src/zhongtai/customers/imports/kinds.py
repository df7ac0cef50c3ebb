"""What each kind of row is: its columns, how a row becomes a planned write, and what
must be unique across the unit and the file.

A ``Kind`` turns one row (and the stored object with the row's external id, if any) into a
``Plan``: the object with the row's values set, the fields that changed, and what else
follows (identities of a contact, the customers whose tier may move). A row whose values
equal the stored ones plans no write. Only the columns a row has are set: a column left
out of a file keeps what is stored.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongtai.accounts.models import Membership, User
from zhongtai.core.errors import InvalidInput
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import AGENT_ROLES
from zhongtai.customers import services
from zhongtai.customers.identities import identity_normalize
from zhongtai.customers.imports import cleaning
from zhongtai.customers.imports.cleaning import Bad, RowValues
from zhongtai.customers.models import (
    Asset,
    Contact,
    Contract,
    ContractKind,
    Customer,
    CustomField,
    Identity,
    IdentityKind,
    LifecycleStage,
    Purchase,
)

CHAT_KINDS: tuple[str, ...] = tuple(
    kind.value
    for kind in (
        IdentityKind.WECOM_EXTERNAL_USERID,
        IdentityKind.WECOM_USERID,
        IdentityKind.WECOM_UNIONID,
        IdentityKind.OTHER_CHAT,
    )
)


_NAME_TAKEN = gettext_lazy("Another customer of this unit has this name.")
_SERIAL_TAKEN = gettext_lazy("Another asset of this unit has this serial number.")


@dataclass
class Plan:
    """What one accepted row writes. ``fields`` are the model fields an update changes
    (empty for a new object, which is written whole)."""

    line: int
    external_id: str
    obj: Any
    created: bool
    fields: set[str] = field(default_factory=set)
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    identities: list[tuple[str, str]] = field(default_factory=list)
    moves_tier: bool = False
    customer_before: int | None = None

    @property
    def outcome(self) -> str:
        if self.created:
            return "created"
        return "updated" if self.fields or self.identities else "unchanged"


@dataclass
class Batch:
    """One import's unit and what its rows are checked against: the unit's custom fields
    and staff, the rows of the unit that the current chunk names (``customers`` by external
    id, ``holders`` of unique values), and what earlier rows of the file claimed."""

    tenant: Tenant
    today: date
    user: User | None
    custom_fields: list[CustomField]
    staff: dict[str, int]
    customers: dict[str, int] = field(default_factory=dict)
    holders: dict[tuple[str, str], int] = field(default_factory=dict)
    claims: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def of(cls, tenant: Tenant, today: date, user: User | None) -> Batch:
        members = Membership.objects.filter(tenant=tenant, role__in=AGENT_ROLES)
        people = list(members.values_list("user_id", "user__username", "user__email"))
        # a username wins over another member's email that reads the same
        staff = {email.lower(): user_id for user_id, _name, email in people if email}
        staff.update({username.lower(): user_id for user_id, username, _email in people})
        fields = list(CustomField.objects.filter(tenant=tenant))
        return cls(tenant, today, user, fields, staff)

    def unique(
        self, row: RowValues, column: str, key: tuple[str, str], owner: int | None, taken: Any
    ) -> None:
        """``key`` (e.g. ``("name", "Acme")``) is held by no other row of the unit (else the
        row fails with ``taken``), nor claimed by an earlier row of the file; ``owner`` is
        the row's own stored object."""
        holder = self.holders.get(key)
        if holder is not None and holder != owner:
            row.fail(column, str(taken() if callable(taken) else taken))
        line = self.claims.get(key)
        if line is not None:
            message = _("Line %(line)d of this file already has this value.")
            row.fail(column, message % {"line": line})

    def claim(self, keys: list[tuple[str, str]], line: int) -> None:
        for key in keys:
            self.claims.setdefault(key, line)

    def customer_ref(self, value: Any) -> int:
        external_id = cleaning.text(Customer, "external_id", required=True)(value)
        customer_id = self.customers.get(external_id)
        if customer_id is None:
            message = _("No customer of this unit has the external id %(id)s.")
            raise Bad(message % {"id": external_id})
        return customer_id

    def owner(self, value: Any) -> int | None:
        name = cleaning.text(User, "email")(value).lower()
        if not name:
            return None
        if name not in self.staff:
            raise Bad(_("No member of this unit's staff has this username or email."))
        return self.staff[name]


class Kind:
    """One kind of row. Subclasses name the model, the columns (in the order exports write
    them) and how a row is planned."""

    name: ClassVar[str]
    model: ClassVar[type[models.Model]]
    columns: ClassVar[tuple[str, ...]]
    required: ClassVar[tuple[str, ...]]
    # what a plan reads of a stored row (the rest is left to the database)
    stored: ClassVar[tuple[str, ...] | None] = None

    def known(self, batch: Batch) -> set[str]:
        """Every column a file may have (JSON Lines may also have the JSON forms)."""
        return set(self.columns)

    def json_known(self, batch: Batch) -> set[str]:
        return self.known(batch)

    def header(self, batch: Batch) -> list[str]:
        """The columns of a CSV export, in order."""
        return list(self.columns)

    def preload(self, batch: Batch, rows: list[dict[str, Any]]) -> None:
        """Look up what this chunk of rows refers to (a query or two for the whole chunk)."""
        refs = {
            str(r["customer_external_id"]).strip() for r in rows if r.get("customer_external_id")
        }
        batch.customers = _customer_ids(batch.tenant, refs)

    def plan(self, batch: Batch, row: RowValues, obj: Any, line: int, external_id: str) -> Plan:
        raise NotImplementedError

    def customer_id(self, obj: Any) -> int:
        return int(obj.customer_id)

    def summary(self, obj: Any) -> dict[str, Any]:
        """What a profile's timeline names the row by."""
        return {}


def _customer_ids(tenant: Tenant, external_ids: set[str]) -> dict[str, int]:
    if not external_ids:
        return {}
    rows = Customer.objects.filter(tenant=tenant, external_id__in=external_ids)
    return dict(rows.values_list("external_id", "pk"))


def _apply(plan: Plan, values: dict[str, Any]) -> None:
    """Set ``values`` on the plan's object; for a stored one, note what changed."""
    obj = plan.obj
    for name, value in values.items():
        old = getattr(obj, name)
        if plan.created:
            setattr(obj, name, value)
        elif old != value:
            setattr(obj, name, value)
            plan.fields.add(name)
            plan.changes[name] = {"from": old, "to": value}


def _parent(batch: Batch, row: RowValues, obj: Any) -> int | None:
    """The row's customer: from ``customer_external_id``, required for a new row."""
    current = obj.customer_id if obj is not None else None
    customer_id = row.take("customer_external_id", batch.customer_ref, current)
    if customer_id is None and not any(e["field"] == "customer_external_id" for e in row.errors):
        row.fail("customer_external_id", _("This field is required."))
    return customer_id


def _child_plan(obj: Any, customer_id: int | None, line: int, external_id: str) -> Plan:
    plan = Plan(line, external_id, obj, created=obj.pk is None)
    if customer_id is not None and customer_id != obj.customer_id:
        plan.customer_before = None if plan.created else obj.customer_id
        if not plan.created:
            plan.fields.add("customer")
            plan.changes["customer"] = {"from": obj.customer_id, "to": customer_id}
        obj.customer_id = customer_id
    return plan


# --- customers ---------------------------------------------------------------------------


class CustomerRows(Kind):
    name = "customers"
    model = Customer
    columns = (
        "external_id",
        "name",
        "lifecycle_stage",
        "owner",
        "tags",
        "domains",
        "industry",
        "region",
    )
    required = ("external_id", "name")
    stored = (
        "tenant",
        "external_id",
        "name",
        "lifecycle_stage",
        "owner",
        "tags",
        "domains",
        "industry",
        "region",
        "custom",
    )

    def known(self, batch: Batch) -> set[str]:
        return set(self.header(batch))

    def json_known(self, batch: Batch) -> set[str]:
        return self.known(batch) | {"custom"}

    def header(self, batch: Batch) -> list[str]:
        return [*self.columns, *(f"custom.{f.key}" for f in batch.custom_fields)]

    def preload(self, batch: Batch, rows: list[dict[str, Any]]) -> None:
        names = {str(r["name"]).strip() for r in rows if isinstance(r.get("name"), str)}
        held = Customer.objects.filter(tenant=batch.tenant, name__in=names)
        batch.holders = {("name", name): pk for name, pk in held.values_list("name", "pk")}

    def plan(self, batch: Batch, row: RowValues, obj: Any, line: int, external_id: str) -> Plan:
        customer = obj or Customer(tenant=batch.tenant, external_id=external_id)
        plan = Plan(line, external_id, customer, created=obj is None)
        values: dict[str, Any] = {
            "name": row.take("name", cleaning.text(Customer, "name", required=True), ""),
            "lifecycle_stage": row.take(
                "lifecycle_stage",
                cleaning.choice(LifecycleStage, LifecycleStage.ACTIVE),
                customer.lifecycle_stage,
            ),
            "owner_id": row.take("owner", batch.owner, customer.owner_id),
            "tags": row.take(
                "tags", lambda v: services.tags_clean(cleaning.words(v)), customer.tags
            ),
            "domains": row.take(
                "domains", lambda v: services.domains_clean(cleaning.words(v)), customer.domains
            ),
            "industry": row.take(
                "industry", cleaning.text(Customer, "industry"), customer.industry
            ),
            "region": row.take("region", cleaning.text(Customer, "region"), customer.region),
        }
        if not row.has("name"):
            values["name"] = customer.name
        custom = self._custom(batch, row, customer)
        if custom is not None:
            values["custom"] = custom
        batch.unique(row, "name", ("name", values["name"]), customer.pk, _NAME_TAKEN)
        row.check()
        _apply(plan, values)
        plan.moves_tier = plan.created or bool(plan.fields & {"tags", "lifecycle_stage"})
        batch.claim([("name", values["name"])], line)
        return plan

    def _custom(self, batch: Batch, row: RowValues, customer: Customer) -> dict[str, Any] | None:
        """The row's custom values over the stored ones, checked against the unit's fields
        (``custom.<key>`` columns, or a ``custom`` object in JSON); None when the row has
        none and the customer is stored already."""
        given: dict[str, Any] = {}
        for name, value in row.data.items():
            if name.startswith("custom."):
                given[name.removeprefix("custom.")] = value
        if "custom" in row.data:
            if not isinstance(row.data["custom"], dict):
                row.fail("custom", _("Enter an object of custom field values."))
                return None
            given.update(row.data["custom"])
        if not given and customer.pk is not None:
            return None
        merged = {**customer.custom, **given}
        try:
            return services.custom_values_clean(
                tenant_id=batch.tenant.pk, values=merged, fields=batch.custom_fields
            )
        except InvalidInput as exc:
            row.fail_from(exc)
            return None

    def customer_id(self, obj: Any) -> int:
        return int(obj.pk)


# --- contacts ----------------------------------------------------------------------------


class ContactRows(Kind):
    name = "contacts"
    model = Contact
    columns = (
        "external_id",
        "customer_external_id",
        "name",
        "email",
        "phone",
        "title",
        "language",
        *CHAT_KINDS,
    )
    required = ("external_id", "customer_external_id", "name")
    _texts = ("name", "email", "phone", "title", "language")

    def json_known(self, batch: Batch) -> set[str]:
        return set(self.columns) | {"identities"}

    def preload(self, batch: Batch, rows: list[dict[str, Any]]) -> None:
        super().preload(batch, rows)
        values = {value for r in rows for _kind, value in _identities_given(r)}
        held = Identity.objects.filter(tenant=batch.tenant, value__in=values)
        batch.holders = {
            (kind, value): contact_id
            for kind, value, contact_id in held.values_list("kind", "value", "contact_id")
        }

    def plan(self, batch: Batch, row: RowValues, obj: Any, line: int, external_id: str) -> Plan:
        contact = obj or Contact(tenant=batch.tenant)
        customer_id = _parent(batch, row, obj)
        given = {
            name: row.take(name, cleaning.text(Contact, name), getattr(contact, name))
            for name in self._texts
        }
        for name in ("email", "phone"):
            if given[name]:
                row.take(name, _normalizer(name, given[name]), "")
        identities = self._identities(row)
        row.check()
        before = {name: getattr(contact, name) for name in self._texts}
        try:
            services.contact_fill(contact, services.ContactInput(**given, external_id=external_id))
        except InvalidInput as exc:
            row.fail_from(exc)
        row.check()
        plan = _child_plan(contact, customer_id, line, external_id)
        after = {name: getattr(contact, name) for name in self._texts}
        for name in self._texts:
            setattr(contact, name, before[name])
        _apply(plan, after)
        if contact.email:
            identities.insert(0, ("email", (IdentityKind.EMAIL, contact.email)))
        if contact.phone:
            phone = identity_normalize(IdentityKind.PHONE, contact.phone)
            identities.insert(0, ("phone", (IdentityKind.PHONE, phone)))
        for column, key in identities:
            batch.unique(row, column, key, contact.pk, functools.partial(_identity_taken, key))
        row.check()
        keys = list(dict.fromkeys(key for _column, key in identities))
        plan.identities = [key for key in keys if batch.holders.get(key) is None]
        batch.claim(keys, line)
        return plan

    def _identities(self, row: RowValues) -> list[tuple[str, tuple[str, str]]]:
        """The chat ids of the row (its columns, or an ``identities`` list in JSON), each
        with the column a problem with it is reported under."""
        found: list[tuple[str, tuple[str, str]]] = []
        for kind in CHAT_KINDS:
            values: list[str] = row.take(kind, _chat_ids(kind), [])
            found += [(kind, (kind, value)) for value in values]
        items: list[tuple[str, str]] = row.take("identities", _identity_items, [])
        found += [("identities", item) for item in items]
        return found

    def summary(self, obj: Any) -> dict[str, Any]:
        return {"contact": obj.name}


def _identity_taken(key: tuple[str, str]) -> str:
    message = _("Another contact of this unit already has the %(kind)s %(value)s.")
    return message % {"kind": IdentityKind(key[0]).label, "value": key[1]}


def _normalizer(kind: str, value: str) -> Callable[[Any], str]:
    return lambda _given: identity_normalize(kind, value)


def _chat_ids(kind: str) -> Callable[[Any], list[str]]:
    return lambda value: [identity_normalize(kind, item) for item in cleaning.words(value)]


def _identity_items(value: Any) -> list[tuple[str, str]]:
    """``[{"kind": "wecom_userid", "value": "liwei"}, …]``, normalized."""
    if not isinstance(value, list):
        raise Bad(_("Enter a list of {kind, value} objects."))
    items: list[tuple[str, str]] = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise Bad(_("Enter a list of {kind, value} objects."))
        kind = str(item.get("kind", ""))
        items.append((kind, identity_normalize(kind, item["value"])))
    return items


def _identities_given(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The identities a contact row names, normalized as its plan will normalize them (to
    look up who holds them; the plan reports the values that cannot be)."""
    candidates: list[tuple[str, Any]] = [
        (IdentityKind.EMAIL.value, data.get("email")),
        (IdentityKind.PHONE.value, data.get("phone")),
    ]
    for kind in CHAT_KINDS:
        try:
            candidates += [(kind, part) for part in cleaning.words(data.get(kind))]
        except Bad:
            continue
    items = data.get("identities")
    if isinstance(items, list):
        candidates += [(str(i.get("kind")), i.get("value")) for i in items if isinstance(i, dict)]
    found = []
    for kind, value in candidates:
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            continue
        try:
            found.append((kind, identity_normalize(kind, str(value))))
        except InvalidInput:
            continue
    return found


# --- contracts, assets, purchases ------------------------------------------------------


class ContractRows(Kind):
    name = "contracts"
    model = Contract
    columns = (
        "external_id",
        "customer_external_id",
        "kind",
        "number",
        "plan",
        "value_per_year",
        "currency",
        "starts_on",
        "ends_on",
        "renews_on",
        "auto_renew",
    )
    required = ("external_id", "customer_external_id", "plan", "starts_on")
    _fields = (
        "kind",
        "number",
        "plan",
        "value_per_year",
        "currency",
        "starts_on",
        "ends_on",
        "renews_on",
        "auto_renew",
    )

    def plan(self, batch: Batch, row: RowValues, obj: Any, line: int, external_id: str) -> Plan:
        contract = obj or Contract(tenant=batch.tenant)
        customer_id = _parent(batch, row, obj)
        given: dict[str, Any] = {
            "kind": row.take("kind", cleaning.choice(ContractKind, "contract"), contract.kind),
            "number": row.take("number", cleaning.text(Contract, "number"), contract.number),
            "plan": row.take("plan", cleaning.text(Contract, "plan", required=True), contract.plan),
            "value_per_year": row.take("value_per_year", cleaning.money, contract.value_per_year),
            "currency": row.take("currency", _currency, contract.currency),
            "starts_on": row.take("starts_on", cleaning.day_required, contract.starts_on),
            "ends_on": row.take("ends_on", cleaning.day, contract.ends_on),
            "renews_on": row.take("renews_on", cleaning.day, contract.renews_on),
            "auto_renew": row.take("auto_renew", cleaning.yes_no, contract.auto_renew),
        }
        for name in ("plan", "starts_on"):
            if not given[name] and not any(e["field"] == name for e in row.errors):
                row.fail(name, _("This field is required."))
        row.check()
        before = {name: getattr(contract, name) for name in self._fields}
        try:
            services.contract_fill(
                contract, services.ContractInput(**given, external_id=external_id)
            )
        except InvalidInput as exc:
            row.fail_from(exc)
        row.check()
        after = {name: getattr(contract, name) for name in self._fields}
        for name in self._fields:
            setattr(contract, name, before[name])
        plan = _child_plan(contract, customer_id, line, external_id)
        _apply(plan, after)
        plan.moves_tier = plan.created or bool(plan.fields)
        return plan

    def summary(self, obj: Any) -> dict[str, Any]:
        return {"contract": obj.number or obj.plan}


def _currency(value: Any) -> str:
    code = cleaning.text(Contract, "currency")(value).upper() or "CNY"
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise Bad(_("A currency is a three-letter code such as CNY."))
    return code


class AssetRows(Kind):
    name = "assets"
    model = Asset
    columns = (
        "external_id",
        "customer_external_id",
        "product_line",
        "product_model",
        "serial_number",
        "site",
        "installed_on",
        "warranty_ends_on",
    )
    required = ("external_id", "customer_external_id", "product_model", "serial_number")

    def preload(self, batch: Batch, rows: list[dict[str, Any]]) -> None:
        super().preload(batch, rows)
        serials = {str(r.get("serial_number", "")).strip() for r in rows}
        held = Asset.objects.filter(tenant=batch.tenant, serial_number__in=serials - {""})
        batch.holders = {("serial", s): pk for s, pk in held.values_list("serial_number", "pk")}

    def plan(self, batch: Batch, row: RowValues, obj: Any, line: int, external_id: str) -> Plan:
        asset = obj or Asset(tenant=batch.tenant, external_id=external_id)
        customer_id = _parent(batch, row, obj)
        values = {
            "product_line": row.take(
                "product_line", cleaning.text(Asset, "product_line"), asset.product_line
            ),
            "product_model": row.take(
                "product_model", cleaning.text(Asset, "product_model", required=True), ""
            ),
            "serial_number": row.take(
                "serial_number", cleaning.text(Asset, "serial_number", required=True), ""
            ),
            "site": row.take("site", cleaning.text(Asset, "site"), asset.site),
            "installed_on": row.take("installed_on", cleaning.day, asset.installed_on),
            "warranty_ends_on": row.take("warranty_ends_on", cleaning.day, asset.warranty_ends_on),
        }
        for name in ("product_model", "serial_number"):
            if not row.has(name):
                values[name] = getattr(asset, name)
        key = ("serial", str(values["serial_number"]))
        batch.unique(row, "serial_number", key, asset.pk, _SERIAL_TAKEN)
        row.check()
        plan = _child_plan(asset, customer_id, line, external_id)
        _apply(plan, values)
        plan.moves_tier = plan.created or "customer" in plan.fields
        batch.claim([key], line)
        return plan

    def summary(self, obj: Any) -> dict[str, Any]:
        return {"asset": obj.serial_number}


class PurchaseRows(Kind):
    name = "purchases"
    model = Purchase
    columns = (
        "external_id",
        "customer_external_id",
        "order_number",
        "ordered_on",
        "product",
        "quantity",
        "amount",
        "currency",
    )
    required = ("external_id", "customer_external_id", "order_number", "ordered_on", "product")

    def plan(self, batch: Batch, row: RowValues, obj: Any, line: int, external_id: str) -> Plan:
        purchase = obj or Purchase(tenant=batch.tenant, external_id=external_id)
        customer_id = _parent(batch, row, obj)
        values = {
            "order_number": row.take(
                "order_number",
                cleaning.text(Purchase, "order_number", required=True),
                purchase.order_number,
            ),
            "ordered_on": row.take("ordered_on", cleaning.day_required, purchase.ordered_on),
            "product": row.take(
                "product", cleaning.text(Purchase, "product", required=True), purchase.product
            ),
            "quantity": row.take("quantity", cleaning.count, purchase.quantity),
            "amount": row.take("amount", cleaning.money, purchase.amount),
            "currency": row.take("currency", _currency, purchase.currency),
        }
        for name in ("order_number", "ordered_on", "product"):
            if not values[name] and not any(e["field"] == name for e in row.errors):
                row.fail(name, _("This field is required."))
        row.check()
        plan = _child_plan(purchase, customer_id, line, external_id)
        _apply(plan, values)
        return plan

    def summary(self, obj: Any) -> dict[str, Any]:
        return {"purchase": obj.order_number}


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (CustomerRows(), ContactRows(), ContractRows(), AssetRows(), PurchaseRows())
}
