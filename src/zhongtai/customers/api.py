"""The Customer 360 API (``/api/v1/customers``): profiles, contacts and identities,
contracts, notes, tiers, the unit's tier rules and custom fields, the whole profile in one
request (``/{id}/profile``), by a chat or mail identity (``/resolve``), and the service
history a page at a time.

Staff read; every role of the workspace writes profiles, contacts, identities and notes;
contracts, tiers set by hand, tier rules and custom fields need ``customers.manage`` (team
leads, L2, administrators). Customer contacts get 403; another unit's rows are 404.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from zhongtai.core.api import PROBLEM_JSON, actor_of, api
from zhongtai.core.errors import NotFound, problem_body
from zhongtai.core.inputs import LINE_PATTERN, TEXT_PATTERN, Id, PathId
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import ensure_can
from zhongtai.customers import exports, imports, profile, selectors, services
from zhongtai.customers.models import (
    Contact,
    ContractKind,
    Customer,
    CustomerTier,
    FieldKind,
    IdentityKind,
    LifecycleStage,
)
from zhongtai.tickets.models import Ticket
from zhongtai.tickets.presenters import ticket_reference

router = Router(tags=["customers"])

Line = Annotated[str, Field(max_length=200, pattern=LINE_PATTERN)]
Word = Annotated[str, Field(min_length=1, max_length=50, pattern=LINE_PATTERN)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
CustomValue = Annotated[str | int | float | bool | None, Field(union_mode="left_to_right")]


# --- schemas ---------------------------------------------------------------------------


class CustomerIn(Schema):
    """A profile's own fields (PUT replaces every one)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=LINE_PATTERN)
    owner_id: Id | None = Field(default=None, description="A member of the unit's staff.")
    lifecycle_stage: LifecycleStage = LifecycleStage.ACTIVE
    tags: list[Word] = Field(default_factory=list, max_length=30)
    domains: list[Word] = Field(default_factory=list, max_length=20)
    industry: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    region: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    custom: dict[Word, CustomValue] = Field(default_factory=dict, max_length=100)
    external_id: str = Field(default="", max_length=120, pattern=LINE_PATTERN)


class CustomerOut(Schema):
    id: int
    name: str
    tier: CustomerTier = Field(description="What the SLA and routing read.")
    tier_computed: CustomerTier = Field(description="The tier the unit's rules give.")
    tier_override: str = Field(description="The tier set by hand, or empty.")
    tier_override_reason: str
    owner_id: int | None
    lifecycle_stage: str
    tags: list[str]
    domains: list[str]
    industry: str
    region: str
    custom: dict[str, Any]
    external_id: str
    updated_at: datetime


class IdentityIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=200, pattern=LINE_PATTERN)
    label: str = Field(default="", max_length=60, pattern=LINE_PATTERN)


class IdentityOut(Schema):
    id: int
    kind: str
    value: str
    label: str


class ContactIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=150, pattern=LINE_PATTERN)
    email: str = Field(default="", max_length=254, pattern=LINE_PATTERN)
    phone: str = Field(default="", max_length=40, pattern=LINE_PATTERN)
    title: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    language: str = Field(default="", max_length=10, pattern=LINE_PATTERN)
    external_id: str = Field(default="", max_length=120, pattern=LINE_PATTERN)


class ContactOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    title: str = ""
    language: str = ""
    external_id: str = ""
    customer_id: int


class ContactFullOut(ContactOut):
    identities: list[IdentityOut]
    has_portal_login: bool


class ContractIn(Schema):
    model_config = ConfigDict(extra="forbid")
    plan: str = Field(min_length=1, max_length=120, pattern=LINE_PATTERN)
    kind: ContractKind = ContractKind.CONTRACT
    number: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    value_per_year: Money = Decimal(0)
    currency: str = Field(default="CNY", min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")
    starts_on: date
    ends_on: date | None = None
    renews_on: date | None = None
    auto_renew: bool = False
    external_id: str = Field(default="", max_length=120, pattern=LINE_PATTERN)


class ContractOut(Schema):
    id: int
    customer_id: int
    kind: str
    number: str
    plan: str
    value_per_year: Decimal
    currency: str
    starts_on: date
    ends_on: date | None
    renews_on: date | None
    auto_renew: bool
    status: str = Field(description="future, active or ended, today in the unit's time zone.")
    external_id: str


class PurchaseOut(Schema):
    id: int
    order_number: str
    ordered_on: date
    product: str
    quantity: int
    amount: Decimal
    currency: str
    external_id: str


class AssetOut(Schema):
    id: int
    product_line: str
    product_model: str
    serial_number: str
    site: str
    installed_on: date | None
    warranty_ends_on: date | None
    warranty: str = Field(description="active, expired or unknown, today.")
    external_id: str


class CustomFieldValueOut(Schema):
    key: str
    label: str
    kind: str
    value: Any


class ProfileEventOut(Schema):
    id: int
    type: str
    actor: str | None
    body: str
    data: dict[str, Any]
    created_at: datetime


class HistoryRowOut(Schema):
    number: int
    reference: str
    subject: str
    status: str
    priority: str
    channel: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    assignee: str | None
    contact: str | None
    asset: str | None
    replies: int


class HistoryOut(Schema):
    items: list[HistoryRowOut]
    next_cursor: str | None


class StatsOut(Schema):
    tickets: int
    open: int
    last_90_days: int
    last_ticket_at: datetime | None


class ProfileOut(Schema):
    customer: CustomerOut
    owner: str | None
    contacts: list[ContactFullOut]
    contracts: list[ContractOut]
    value_per_year: Decimal = Field(description="The active contracts' yearly values, summed.")
    next_renewal_on: date | None
    purchases: list[PurchaseOut]
    assets: list[AssetOut]
    warranty_counts: dict[str, int] = Field(description="Assets by warranty today.")
    custom_fields: list[CustomFieldValueOut]
    events: list[ProfileEventOut]
    stats: StatsOut
    history: HistoryOut


class ResolvedOut(ProfileOut):
    contact_id: int = Field(description="The contact the identity belongs to.")


class OverrideIn(Schema):
    model_config = ConfigDict(extra="forbid")
    tier: CustomerTier
    reason: str = Field(min_length=1, max_length=300, pattern=LINE_PATTERN)


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=services.MAX_NOTE, pattern=TEXT_PATTERN)


class TierRuleIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, pattern=LINE_PATTERN)
    tier: CustomerTier
    position: int = Field(default=0, ge=0, le=10_000)
    min_value_per_year: Money | None = None
    tag: str = Field(default="", max_length=50, pattern=LINE_PATTERN)
    lifecycle_stage: LifecycleStage | None = None
    min_assets: int | None = Field(default=None, ge=0, le=1_000_000)
    active: bool = True


class TierRuleOut(Schema):
    id: int
    name: str
    tier: str
    position: int
    min_value_per_year: Decimal | None
    tag: str
    lifecycle_stage: str
    min_assets: int | None
    active: bool


class CustomFieldIn(Schema):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=50, pattern=r"^[-a-zA-Z0-9_]+$")
    label_en: str = Field(min_length=1, max_length=100, pattern=LINE_PATTERN)
    label_zh: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    kind: FieldKind
    choices: list[Word] = Field(default_factory=list, max_length=50)
    required: bool = False
    position: int = Field(default=0, ge=0, le=10_000)


class CustomFieldOut(Schema):
    id: int
    key: str
    label_en: str
    label_zh: str
    kind: str
    choices: list[str]
    required: bool
    position: int


class ListParams(Schema):
    q: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    tier: CustomerTier | None = None
    lifecycle_stage: LifecycleStage | None = None
    owner_id: Id | None = None
    tag: str = Field(default="", max_length=50, pattern=LINE_PATTERN)
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class HistoryParams(Schema):
    cursor: str | None = Field(default=None, max_length=200, pattern=LINE_PATTERN)
    limit: int = Field(default=profile.HISTORY_PAGE, ge=1, le=100)


class ResolveParams(Schema):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=200, pattern=LINE_PATTERN)


# --- presenting ------------------------------------------------------------------------


def _customer_input(data: CustomerIn) -> services.CustomerInput:
    return services.CustomerInput(
        name=data.name,
        owner_id=data.owner_id,
        lifecycle_stage=str(data.lifecycle_stage),
        tags=list(data.tags),
        domains=list(data.domains),
        industry=data.industry,
        region=data.region,
        custom=dict(data.custom),
        external_id=data.external_id,
    )


def _contact_input(data: ContactIn) -> services.ContactInput:
    return services.ContactInput(**data.model_dump())


def _contract_input(data: ContractIn) -> services.ContractInput:
    values = data.model_dump()
    values["kind"] = str(data.kind)
    return services.ContractInput(**values)


def _contract_out(contract: Any, today: date) -> dict[str, Any]:
    return {**vars(contract), "status": contract.status_on(today)}


def _contact_out(contact: Contact) -> dict[str, Any]:
    return {
        **vars(contact),
        "identities": list(contact.identities.all()),
        "has_portal_login": contact.user_id is not None,
    }


def _history_row(ticket: Ticket, tenant: Tenant) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "reference": ticket_reference(tenant, ticket.number),
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "resolved_at": ticket.resolved_at,
        "assignee": ticket.assignee.get_full_name() or ticket.assignee.username
        if ticket.assignee
        else None,
        "contact": ticket.contact.name if ticket.contact else None,
        "asset": ticket.asset.serial_number if ticket.asset else None,
        "replies": getattr(ticket, "replies", None) or 0,
    }


def _person(user: Any) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def _profile_out(data: profile.Profile) -> dict[str, Any]:
    customer = data.customer
    return {
        "customer": customer,
        "owner": _person(customer.owner) if customer.owner_id else None,
        "contacts": [_contact_out(c) for c in data.contacts],
        "contracts": [_contract_out(c, data.today) for c in data.contracts],
        "value_per_year": data.value_per_year,
        "next_renewal_on": data.next_renewal_on,
        "purchases": data.purchases,
        "assets": [{**vars(a), "warranty": a.warranty} for a in data.assets],  # type: ignore[attr-defined]
        "warranty_counts": {str(k): v for k, v in data.warranty_counts.items()},
        "custom_fields": [vars(v) for v in data.custom],
        "events": [
            {**vars(e), "actor": _person(e.actor) if e.actor_id else None} for e in data.events
        ],
        "stats": vars(data.stats),
        "history": {
            "items": [_history_row(t, customer.tenant) for t in data.history],
            "next_cursor": data.history_cursor,
        },
    }


# --- customers -------------------------------------------------------------------------


@router.get("", response=list[CustomerOut], summary="Customers (search by name, filters)")
def customer_list_api(request: HttpRequest, params: Query[ListParams]) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    filters = selectors.CustomerFilter(
        text=params.q,
        tier=str(params.tier or ""),
        lifecycle_stage=str(params.lifecycle_stage or ""),
        owner_id=params.owner_id,
        tag=params.tag,
    )
    rows = selectors.customer_search(actor=actor, filters=filters)
    return list(rows[params.offset : params.offset + params.limit])


@router.post("", response={201: CustomerOut}, summary="Add a customer")
def customer_create_api(request: HttpRequest, data: CustomerIn) -> Status[Customer]:
    customer = services.customer_create(actor=actor_of(request), data=_customer_input(data))
    return Status(201, customer)


@router.get("/resolve", response=ResolvedOut, summary="The 360 of whoever holds an identity")
def customer_resolve_api(request: HttpRequest, params: Query[ResolveParams]) -> object:
    """One request from a chat sidebar or a mail relay: the identity's contact and the
    whole profile of its customer; 404 when no contact of the unit holds it."""
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    identity = profile.identity_resolve(actor=actor, kind=params.kind, value=params.value)
    if identity is None:
        raise NotFound()
    data = profile.customer_profile(
        actor=actor, customer_id=identity.contact.customer_id, language=request.LANGUAGE_CODE
    )
    return {**_profile_out(data), "contact_id": identity.contact_id}


@router.get("/{int:customer_id}", response=CustomerOut, summary="One customer")
def customer_get_api(request: HttpRequest, customer_id: PathId) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    return selectors.customer_get(actor=actor, customer_id=customer_id)


@router.put("/{int:customer_id}", response=CustomerOut, summary="Change a customer's profile")
def customer_update_api(request: HttpRequest, customer_id: PathId, data: CustomerIn) -> object:
    return services.customer_update(
        actor=actor_of(request), customer_id=customer_id, data=_customer_input(data)
    )


@router.get(
    "/{int:customer_id}/profile", response=ProfileOut, summary="The whole Customer 360 profile"
)
def customer_profile_api(request: HttpRequest, customer_id: PathId) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    data = profile.customer_profile(
        actor=actor, customer_id=customer_id, language=request.LANGUAGE_CODE
    )
    return _profile_out(data)


@router.get(
    "/{int:customer_id}/history",
    response=HistoryOut,
    summary="The customer's tickets, newest first, a page at a time",
)
def customer_history_api(
    request: HttpRequest, customer_id: PathId, params: Query[HistoryParams]
) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    _customer, rows, cursor = profile.history_page(
        actor=actor, customer_id=customer_id, cursor=params.cursor, limit=params.limit
    )
    return {"items": [_history_row(t, actor.tenant) for t in rows], "next_cursor": cursor}


@router.post(
    "/{int:customer_id}/tier-override", response=CustomerOut, summary="Set the tier by hand"
)
def tier_override_set_api(request: HttpRequest, customer_id: PathId, data: OverrideIn) -> object:
    return services.tier_override_set(
        actor=actor_of(request), customer_id=customer_id, tier=str(data.tier), reason=data.reason
    )


@router.delete(
    "/{int:customer_id}/tier-override",
    response=CustomerOut,
    summary="Give the tier back to the rules",
)
def tier_override_clear_api(request: HttpRequest, customer_id: PathId) -> object:
    return services.tier_override_clear(actor=actor_of(request), customer_id=customer_id)


@router.post(
    "/{int:customer_id}/notes", response={201: ProfileEventOut}, summary="A note on the profile"
)
def note_add_api(request: HttpRequest, customer_id: PathId, data: NoteIn) -> Status[object]:
    event = services.note_add(actor=actor_of(request), customer_id=customer_id, body=data.body)
    return Status(201, {**vars(event), "actor": _person(event.actor)})


# --- contacts and identities -----------------------------------------------------------


@router.get(
    "/{int:customer_id}/contacts", response=list[ContactOut], summary="A customer's contacts"
)
def contact_list_api(request: HttpRequest, customer_id: PathId) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    return list(selectors.contact_list(actor=actor).filter(customer=customer))


@router.post("/{int:customer_id}/contacts", response={201: ContactFullOut}, summary="Add a contact")
def contact_create_api(
    request: HttpRequest, customer_id: PathId, data: ContactIn
) -> Status[object]:
    contact = services.contact_create(
        actor=actor_of(request), customer_id=customer_id, data=_contact_input(data)
    )
    return Status(201, _contact_out(contact))


@router.put("/contacts/{int:contact_id}", response=ContactFullOut, summary="Change a contact")
def contact_update_api(request: HttpRequest, contact_id: PathId, data: ContactIn) -> object:
    contact = services.contact_update(
        actor=actor_of(request), contact_id=contact_id, data=_contact_input(data)
    )
    return _contact_out(contact)


@router.post(
    "/contacts/{int:contact_id}/identities",
    response={201: IdentityOut},
    summary="Give a contact an email, phone or chat identity",
)
def identity_add_api(request: HttpRequest, contact_id: PathId, data: IdentityIn) -> Status[object]:
    identity = services.identity_add(
        actor=actor_of(request),
        contact_id=contact_id,
        kind=str(data.kind),
        value=data.value,
        label=data.label,
    )
    return Status(201, identity)


@router.delete("/identities/{int:identity_id}", response={204: None}, summary="Remove an identity")
def identity_remove_api(request: HttpRequest, identity_id: PathId) -> Status[None]:
    services.identity_remove(actor=actor_of(request), identity_id=identity_id)
    return Status(204, None)


# --- contracts -------------------------------------------------------------------------


@router.get(
    "/{int:customer_id}/contracts", response=list[ContractOut], summary="A customer's contracts"
)
def contract_list_api(request: HttpRequest, customer_id: PathId) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    today = profile.local_today(actor)
    return [_contract_out(c, today) for c in customer.contracts.all()]


@router.post("/{int:customer_id}/contracts", response={201: ContractOut}, summary="Add a contract")
def contract_create_api(
    request: HttpRequest, customer_id: PathId, data: ContractIn
) -> Status[object]:
    actor = actor_of(request)
    contract = services.contract_create(
        actor=actor, customer_id=customer_id, data=_contract_input(data)
    )
    return Status(201, _contract_out(contract, profile.local_today(actor)))


@router.put("/contracts/{int:contract_id}", response=ContractOut, summary="Change a contract")
def contract_update_api(request: HttpRequest, contract_id: PathId, data: ContractIn) -> object:
    actor = actor_of(request)
    contract = services.contract_update(
        actor=actor, contract_id=contract_id, data=_contract_input(data)
    )
    return _contract_out(contract, profile.local_today(actor))


@router.delete("/contracts/{int:contract_id}", response={204: None}, summary="Remove a contract")
def contract_delete_api(request: HttpRequest, contract_id: PathId) -> Status[None]:
    services.contract_delete(actor=actor_of(request), contract_id=contract_id)
    return Status(204, None)


# --- the unit's tier rules and custom fields ----------------------------------------


def _rule_input(data: TierRuleIn) -> services.TierRuleInput:
    return services.TierRuleInput(
        name=data.name,
        tier=str(data.tier),
        position=data.position,
        min_value_per_year=data.min_value_per_year,
        tag=data.tag,
        lifecycle_stage=str(data.lifecycle_stage or ""),
        min_assets=data.min_assets,
        is_active=data.active,
    )


def _rule_out(rule: Any) -> dict[str, Any]:
    return {**vars(rule), "active": rule.is_active}


@router.get("/tier-rules", response=list[TierRuleOut], summary="The unit's tier rules, in order")
def tier_rule_list_api(request: HttpRequest) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    return [_rule_out(r) for r in selectors.tier_rule_list(actor=actor)]


@router.post(
    "/tier-rules",
    response={201: TierRuleOut},
    summary="Add a tier rule (every customer is re-evaluated in the background)",
)
def tier_rule_create_api(request: HttpRequest, data: TierRuleIn) -> Status[object]:
    rule = services.tier_rule_create(actor=actor_of(request), data=_rule_input(data))
    return Status(201, _rule_out(rule))


@router.put("/tier-rules/{int:rule_id}", response=TierRuleOut, summary="Change a tier rule")
def tier_rule_update_api(request: HttpRequest, rule_id: PathId, data: TierRuleIn) -> object:
    rule = services.tier_rule_update(
        actor=actor_of(request), rule_id=rule_id, data=_rule_input(data)
    )
    return _rule_out(rule)


@router.delete("/tier-rules/{int:rule_id}", response={204: None}, summary="Remove a tier rule")
def tier_rule_delete_api(request: HttpRequest, rule_id: PathId) -> Status[None]:
    services.tier_rule_delete(actor=actor_of(request), rule_id=rule_id)
    return Status(204, None)


def _field_input(data: CustomFieldIn) -> services.CustomFieldInput:
    values = data.model_dump()
    values["kind"] = str(data.kind)
    return services.CustomFieldInput(**values)


@router.get(
    "/custom-fields", response=list[CustomFieldOut], summary="The unit's custom profile fields"
)
def custom_field_list_api(request: HttpRequest) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    return list(selectors.custom_field_list(actor=actor))


@router.post("/custom-fields", response={201: CustomFieldOut}, summary="Add a custom field")
def custom_field_create_api(request: HttpRequest, data: CustomFieldIn) -> Status[object]:
    definition = services.custom_field_create(actor=actor_of(request), data=_field_input(data))
    return Status(201, definition)


@router.put(
    "/custom-fields/{int:field_id}",
    response=CustomFieldOut,
    summary="Change a custom field's labels, choices or order",
)
def custom_field_update_api(request: HttpRequest, field_id: PathId, data: CustomFieldIn) -> object:
    return services.custom_field_update(
        actor=actor_of(request), field_id=field_id, data=_field_input(data)
    )


@router.delete(
    "/custom-fields/{int:field_id}",
    response={204: None},
    summary="Remove a custom field and its values",
)
def custom_field_delete_api(request: HttpRequest, field_id: PathId) -> Status[None]:
    services.custom_field_delete(actor=actor_of(request), field_id=field_id)
    return Status(204, None)


# --- CRM sync: bulk import and export (zhongtai.customers.imports, .exports) -------------
# Rows keyed by the source system's external id; the same rows twice change nothing. A
# rejected row rejects the batch (422, nothing written) unless ``partial``. For leads, L2
# and administrators (``customers.manage``); the rows are always the caller's unit's.

RowKind = Literal["customers", "contacts", "contracts", "assets", "purchases"]


class ImportIn(Schema):
    model_config = ConfigDict(extra="forbid")
    rows: list[Any] = Field(
        description=(
            f"At most {imports.ROWS_PER_REQUEST} objects with the columns of docs/customers.md; "
            "row i (from 0) is reported as line i+1."
        )
    )
    partial: bool = Field(default=False, description="Write the valid rows, report the others.")
    dry_run: bool = Field(default=False, description="Check and report, write nothing.")


class ImportReasonOut(Schema):
    field: str
    message: str


class ImportRowOut(Schema):
    line: int
    external_id: str
    reasons: list[ImportReasonOut]


class ImportReportOut(Schema):
    kind: str
    committed: bool = Field(description="Whether the rows were written.")
    dry_run: bool
    partial: bool
    created: int
    updated: int
    unchanged: int
    rejected: int
    tiers_changed: int
    warnings: list[str]
    rows: list[ImportRowOut] = Field(description="The rejected rows, with their reasons.")


class ExportParams(Schema):
    format: Literal["csv", "jsonl"] = "csv"


@router.post(
    "/import/{kind}",
    response={200: ImportReportOut},
    summary="Create or update rows by external id (CRM sync), all or nothing",
)
def rows_import_api(request: HttpRequest, kind: RowKind, data: ImportIn) -> object:
    """200 with the report when the batch was written (or, ``dry_run``, would be); 422
    (``import_rejected``) when it was not, with every rejected row in ``errors``."""
    report = imports.rows_import(
        actor=actor_of(request),
        kind=kind,
        rows=data.rows,
        partial=data.partial,
        dry_run=data.dry_run,
    )
    if report.rejected and not (report.committed and report.partial):
        return _import_rejected(request, report)
    return report.as_dict()


def _import_rejected(request: HttpRequest, report: imports.ImportReport) -> HttpResponse:
    title = _("The batch has rejected rows: nothing was written.")
    body: dict[str, Any] = problem_body(status=422, code="import_rejected", title=title)
    body["errors"] = [
        {"line": row.line, "external_id": row.external_id, **reason}
        for row in report.rows
        for reason in row.reasons
    ]
    body["report"] = {k: v for k, v in report.as_dict().items() if k != "rows"}
    return api.create_response(
        request,
        body,
        status=422,
        temporal_response=HttpResponse(content_type=PROBLEM_JSON, status=422),
    )


@router.get("/export/{kind}", summary="The unit's rows of a kind as CSV or JSON Lines (streamed)")
def rows_export_api(
    request: HttpRequest, kind: RowKind, params: Query[ExportParams]
) -> StreamingHttpResponse:
    """The columns the import reads; only rows with an external id."""
    actor = actor_of(request)
    pieces = exports.rows_export(tenant=actor.tenant, kind=kind, fmt=params.format, actor=actor)
    content_type = "text/csv" if params.format == "csv" else "application/x-ndjson"
    response = StreamingHttpResponse(pieces, content_type=f"{content_type}; charset=utf-8")
    filename = f"{actor.tenant.slug}-{kind}.{params.format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
