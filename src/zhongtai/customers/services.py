"""Writes of Customer 360: profiles, contacts and their identities, contracts, notes,
custom fields, tier rules and the tier each customer gets from them.

Every write is one transaction and leaves a line on the profile's own timeline
(``ProfileEvent``). A change that can move a customer's tier re-evaluates it at once
(``tier_evaluate``); a changed tier tells the SLA clocks, which recompute the
customer's open tickets after the commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Membership
from zhongtai.core.errors import Conflict, InvalidInput
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import AGENT_ROLES, ensure_can
from zhongtai.customers import selectors
from zhongtai.customers.identities import identity_normalize
from zhongtai.customers.models import (
    Asset,
    Contact,
    Contract,
    ContractKind,
    Customer,
    CustomerTier,
    CustomField,
    FieldKind,
    Identity,
    IdentityKind,
    LifecycleStage,
    ProfileEvent,
    ProfileEventType,
    TierRule,
)
from zhongtai.sla import clocks

MAX_TAGS = 30
MAX_TAG = 50
MAX_NOTE = 10_000
# more moved tiers than this: the SLA clocks of the whole unit are recomputed once
CLOCKS_ONE_BY_ONE = 20
_TAG = re.compile(r"^[^\s,<>\"'`]{1,50}$")
_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _invalid(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(errors=[{"field": field_name, "message": message}])


# --- identities -----------------------------------------------------------------------


def _identity_put(contact: Contact, kind: str, value: str, label: str = "") -> Identity:
    """Give ``contact`` an identity; one another contact of the unit holds is a conflict."""
    value = identity_normalize(kind, value)
    held: Identity | None = Identity.objects.filter(
        tenant_id=contact.tenant_id, kind=kind, value=value
    ).first()
    if held is not None:
        if held.contact_id != contact.pk:
            raise Conflict(
                _("Another contact already has this %(kind)s.")
                % {"kind": IdentityKind(kind).label},
                code="identity_taken",
            )
        return held
    try:
        with transaction.atomic():
            identity: Identity = Identity.objects.create(
                tenant_id=contact.tenant_id, contact=contact, kind=kind, value=value, label=label
            )
            return identity
    except IntegrityError as exc:  # taken by a concurrent write since the check above
        raise Conflict(
            _("Another contact already has this identity."), code="identity_taken"
        ) from exc


@transaction.atomic
def identity_add(
    *, actor: Actor, contact_id: int, kind: str, value: str, label: str = ""
) -> Identity:
    ensure_can(actor, "customers.write")
    contact = selectors.contact_get(actor=actor, contact_id=contact_id)
    identity = _identity_put(contact, kind, value, label.strip()[:60])
    _event(
        actor,
        contact.customer,
        ProfileEventType.UPDATED,
        data={"identity_added": {"contact": contact.name, "kind": kind, "value": identity.value}},
    )
    return identity


@transaction.atomic
def identity_remove(*, actor: Actor, identity_id: int) -> None:
    ensure_can(actor, "customers.write")
    identity = selectors.identity_get(actor=actor, identity_id=identity_id)
    contact = identity.contact
    _event(
        actor,
        contact.customer,
        ProfileEventType.UPDATED,
        data={
            "identity_removed": {
                "contact": contact.name,
                "kind": identity.kind,
                "value": identity.value,
            }
        },
    )
    identity.delete()


# --- contacts -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactInput:
    name: str
    email: str = ""
    phone: str = ""
    title: str = ""
    language: str = ""
    external_id: str = ""


def contact_fill(contact: Contact, data: ContactInput) -> None:
    """Check ``data`` and set it on ``contact`` (unsaved); the import shares it."""
    contact.name = data.name.strip()
    if not contact.name:
        raise _invalid("name", _("This field is required."))
    contact.email = identity_normalize(IdentityKind.EMAIL, data.email) if data.email.strip() else ""
    contact.phone = data.phone.strip()
    if contact.phone:
        identity_normalize(IdentityKind.PHONE, contact.phone)
    contact.title = data.title.strip()
    contact.language = data.language.strip()
    if contact.language and contact.language not in ("en", "zh-hans"):
        raise _invalid("language", _("Choose English or Simplified Chinese."))
    contact.external_id = data.external_id.strip()
    try:
        contact.full_clean(exclude=["customer", "tenant", "user"])
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc


def _contact_identities_follow(contact: Contact) -> None:
    """The contact's email and phone are also identities by which mail and calls find them."""
    if contact.email:
        _identity_put(contact, IdentityKind.EMAIL, contact.email)
    if contact.phone:
        _identity_put(contact, IdentityKind.PHONE, contact.phone)


def _save_unique(obj: Any, message: str, code: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(message, code=code) from exc


@transaction.atomic
def contact_create(*, actor: Actor, customer_id: int, data: ContactInput) -> Contact:
    ensure_can(actor, "customers.write")
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    contact = Contact(tenant=actor.tenant, customer=customer)
    contact_fill(contact, data)
    _save_unique(contact, _("Another contact has this external id."), "duplicate")
    _contact_identities_follow(contact)
    _event(actor, customer, ProfileEventType.UPDATED, data={"contact_added": contact.name})
    return contact


@transaction.atomic
def contact_update(*, actor: Actor, contact_id: int, data: ContactInput) -> Contact:
    ensure_can(actor, "customers.write")
    contact = selectors.contact_get(actor=actor, contact_id=contact_id)
    before = {name: getattr(contact, name) for name in ("name", "email", "phone", "title")}
    contact_fill(contact, data)
    _save_unique(contact, _("Another contact has this external id."), "duplicate")
    _contact_identities_follow(contact)
    changes = _changes(before, contact)
    if changes:
        _event(
            actor,
            contact.customer,
            ProfileEventType.UPDATED,
            data={"contact": contact.name, "changes": changes},
        )
    return contact


# --- customers ------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerInput:
    """A profile's own fields as a person, the API or an import gives them. ``None`` in
    ``owner_id`` leaves the customer without owner."""

    name: str
    owner_id: int | None = None
    lifecycle_stage: str = LifecycleStage.ACTIVE
    tags: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    industry: str = ""
    region: str = ""
    custom: dict[str, Any] = field(default_factory=dict)
    external_id: str = ""


PROFILE_FIELDS = (
    "name",
    "owner_id",
    "lifecycle_stage",
    "tags",
    "domains",
    "industry",
    "region",
    "custom",
    "external_id",
)


def tags_clean(tags: Iterable[str], field_name: str = "tags") -> list[str]:
    """Trimmed, without repeats, in the order given; each a word of at most 50 signs."""
    cleaned: list[str] = []
    for tag in tags:
        tag = str(tag).strip()
        if not tag or tag in cleaned:
            continue
        if not _TAG.fullmatch(tag):
            raise _invalid(
                field_name,
                _("A tag is one word of at most 50 characters: %(tag)s") % {"tag": tag[:60]},
            )
        cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise _invalid(field_name, _("At most %(n)d tags.") % {"n": MAX_TAGS})
    return cleaned


def domains_clean(domains: Iterable[str]) -> list[str]:
    """Mail domains, lower-case, without "@" or repeats, each a valid host name (20 kept)."""
    cleaned: list[str] = []
    for domain in domains:
        domain = str(domain).strip().lower().lstrip("@")
        if not domain or domain in cleaned:
            continue
        if not _DOMAIN.fullmatch(domain):
            raise _invalid("domains", _("Not a mail domain: %(domain)s") % {"domain": domain[:80]})
        cleaned.append(domain)
    return cleaned[:20]


def custom_values_clean(
    *, tenant_id: int, values: Mapping[str, Any], fields: list[CustomField] | None = None
) -> dict[str, Any]:
    """Check values against the unit's custom fields: known keys only, each of its kind,
    required ones present. Returns them in their stored form (dates as ISO strings)."""
    if fields is None:
        fields = list(CustomField.objects.filter(tenant_id=tenant_id))
    by_key = {f.key: f for f in fields}
    errors: list[dict[str, str]] = []
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        definition = by_key.get(key)
        name = f"custom.{key}"
        if definition is None:
            errors.append({"field": name, "message": _("No such custom field.")})
            continue
        if value is None or value == "":
            continue
        try:
            cleaned[key] = _custom_value(definition, value)
        except ValueError:
            errors.append({"field": name, "message": _custom_message(definition)})
    for definition in fields:
        if definition.required and definition.key not in cleaned:
            errors.append(
                {"field": f"custom.{definition.key}", "message": _("This field is required.")}
            )
    if errors:
        raise InvalidInput(errors=errors)
    return cleaned


def _custom_value(definition: CustomField, value: Any) -> Any:
    kind = definition.kind
    if kind == FieldKind.TEXT:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError
        text = str(value).strip()
        if len(text) > 500:
            raise ValueError
        return text
    if kind == FieldKind.NUMBER:
        if isinstance(value, bool):
            raise ValueError
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError from exc
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            raise ValueError
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == FieldKind.DATE:
        return date.fromisoformat(str(value).strip()).isoformat()
    if kind == FieldKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "是"):
            return True
        if text in ("false", "0", "no", "否"):
            return False
        raise ValueError
    if str(value).strip() not in definition.choices:
        raise ValueError
    return str(value).strip()


def _custom_message(definition: CustomField) -> str:
    messages = {
        FieldKind.TEXT: _("Enter text of at most 500 characters."),
        FieldKind.NUMBER: _("Enter a number."),
        FieldKind.DATE: _("Enter a date as YYYY-MM-DD."),
        FieldKind.BOOLEAN: _("Enter yes or no."),
    }
    if definition.kind in messages:
        return messages[FieldKind(definition.kind)]
    return _("Choose one of: %(choices)s") % {"choices": ", ".join(definition.choices)}


def _owner_check(actor: Actor, owner_id: int | None) -> None:
    if owner_id is None:
        return
    staff = Membership.objects.filter(
        tenant=actor.tenant, user_id=owner_id, role__in=AGENT_ROLES
    ).exists()
    if not staff:
        raise _invalid("owner_id", _("The owner must be a member of this unit's staff."))


def _customer_fill(actor: Actor, customer: Customer, data: CustomerInput) -> None:
    customer.name = data.name.strip()
    if not customer.name:
        raise _invalid("name", _("This field is required."))
    if data.lifecycle_stage not in LifecycleStage.values:
        raise _invalid("lifecycle_stage", _("Unknown lifecycle stage."))
    _owner_check(actor, data.owner_id)
    customer.owner_id = data.owner_id
    customer.lifecycle_stage = data.lifecycle_stage
    customer.tags = tags_clean(data.tags)
    customer.domains = domains_clean(data.domains)
    customer.industry = data.industry.strip()
    customer.region = data.region.strip()
    customer.custom = custom_values_clean(tenant_id=actor.tenant.pk, values=data.custom)
    customer.external_id = data.external_id.strip()
    try:
        customer.full_clean(exclude=["tenant", "owner", "tier_override_by"], validate_unique=False)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc


def _customer_save(customer: Customer) -> None:
    _save_unique(
        customer,
        _("Another customer has this name or external id."),
        "duplicate",
    )


@transaction.atomic
def customer_create(*, actor: Actor, data: CustomerInput) -> Customer:
    ensure_can(actor, "customers.write")
    customer = Customer(tenant=actor.tenant)
    _customer_fill(actor, customer, data)
    _customer_save(customer)
    _event(actor, customer, ProfileEventType.CREATED)
    tier_evaluate(customer=customer, actor=actor)
    return customer


@transaction.atomic
def customer_update(*, actor: Actor, customer_id: int, data: CustomerInput) -> Customer:
    ensure_can(actor, "customers.write")
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    before = {name: getattr(customer, name) for name in PROFILE_FIELDS}
    _customer_fill(actor, customer, data)
    changes = _changes(before, customer)
    if not changes:
        return customer
    _customer_save(customer)
    _event(actor, customer, ProfileEventType.UPDATED, data={"changes": changes})
    tier_evaluate(customer=customer, actor=actor)
    return customer


def _changes(before: Mapping[str, Any], obj: Any) -> dict[str, dict[str, Any]]:
    return {
        name: {"from": old, "to": getattr(obj, name)}
        for name, old in before.items()
        if getattr(obj, name) != old
    }


@transaction.atomic
def note_add(*, actor: Actor, customer_id: int, body: str) -> ProfileEvent:
    """A note on the profile (from the workspace or a chat sidebar)."""
    ensure_can(actor, "customers.write")
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    body = body.strip()
    if not body:
        raise _invalid("body", _("This field is required."))
    if len(body) > MAX_NOTE:
        raise _invalid("body", _("A note has at most %(n)d characters.") % {"n": MAX_NOTE})
    return _event(actor, customer, ProfileEventType.NOTE, body=body)


def _event(
    actor: Actor | None,
    customer: Customer,
    type: ProfileEventType,
    *,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> ProfileEvent:
    event: ProfileEvent = ProfileEvent.objects.create(
        tenant_id=customer.tenant_id,
        customer=customer,
        type=type,
        actor=actor.user if actor is not None else None,
        body=body,
        data=json_ready(data or {}),
    )
    if type != ProfileEventType.NOTE:
        _customer_updated(customer, event)
    return event


def _customer_updated(customer: Customer, event: ProfileEvent) -> None:
    """Tell the unit's webhook subscribers (``customer.updated``), in this transaction."""
    from zhongtai.channels.webhooks import webhook_emit  # (channels reads customers)

    webhook_emit(
        tenant_id=customer.tenant_id,
        event="customer.updated",
        at=event.created_at,
        data={
            "customer": {
                "id": customer.pk,
                "name": customer.name,
                "tier": customer.tier,
                "external_id": customer.external_id,
            },
            "change": event.type,
            "details": event.data,
        },
    )


def json_ready(value: Any) -> Any:
    """JSON-ready: dates and decimals as strings."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, date | Decimal):
        return str(value)
    return value


# --- contracts ------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractInput:
    plan: str
    starts_on: date
    kind: str = ContractKind.CONTRACT
    number: str = ""
    value_per_year: Decimal = Decimal(0)
    currency: str = "CNY"
    ends_on: date | None = None
    renews_on: date | None = None
    auto_renew: bool = False
    external_id: str = ""


def contract_fill(contract: Contract, data: ContractInput) -> None:
    """Check ``data`` and set it on ``contract`` (unsaved); the import shares it."""
    contract.plan = data.plan.strip()
    contract.kind = data.kind
    contract.number = data.number.strip()
    contract.value_per_year = data.value_per_year
    contract.currency = data.currency.strip().upper()
    contract.starts_on = data.starts_on
    contract.ends_on = data.ends_on
    contract.renews_on = data.renews_on
    contract.auto_renew = data.auto_renew
    contract.external_id = data.external_id.strip()
    errors: dict[str, list[str]] = {}
    if data.ends_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = [_("The end is before the start.")]
    if not re.fullmatch(r"[A-Z]{3}", contract.currency):
        errors["currency"] = [_("A currency is a three-letter code such as CNY.")]
    try:
        contract.full_clean(exclude=["customer", "tenant"], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise InvalidInput.from_validation_error(ValidationError(errors))


@transaction.atomic
def contract_create(*, actor: Actor, customer_id: int, data: ContractInput) -> Contract:
    ensure_can(actor, "customers.manage")
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    contract = Contract(tenant=actor.tenant, customer=customer)
    contract_fill(contract, data)
    _save_unique(contract, _("Another contract has this external id."), "duplicate")
    _event(
        actor,
        customer,
        ProfileEventType.UPDATED,
        data={"contract_added": {"plan": contract.plan, "value_per_year": contract.value_per_year}},
    )
    tier_evaluate(customer=customer, actor=actor)
    return contract


@transaction.atomic
def contract_update(*, actor: Actor, contract_id: int, data: ContractInput) -> Contract:
    ensure_can(actor, "customers.manage")
    contract = selectors.contract_get(actor=actor, contract_id=contract_id)
    before = {
        name: getattr(contract, name)
        for name in ("plan", "value_per_year", "starts_on", "ends_on", "renews_on")
    }
    contract_fill(contract, data)
    _save_unique(contract, _("Another contract has this external id."), "duplicate")
    changes = _changes(before, contract)
    if changes:
        _event(
            actor,
            contract.customer,
            ProfileEventType.UPDATED,
            data={"contract": contract.plan, "changes": changes},
        )
    tier_evaluate(customer=contract.customer, actor=actor)
    return contract


@transaction.atomic
def contract_delete(*, actor: Actor, contract_id: int) -> None:
    ensure_can(actor, "customers.manage")
    contract = selectors.contract_get(actor=actor, contract_id=contract_id)
    customer = contract.customer
    _event(actor, customer, ProfileEventType.UPDATED, data={"contract_removed": contract.plan})
    contract.delete()
    tier_evaluate(customer=customer, actor=actor)


# --- tiers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TierFacts:
    """What tier rules look at, for one customer on one day."""

    value_per_year: Decimal
    tags: frozenset[str]
    lifecycle_stage: str
    assets: int


def tier_of(facts: TierFacts, rules: Iterable[TierRule]) -> str:
    """The tier of the first active rule (by position) whose every condition holds."""
    for rule in rules:
        if not rule.is_active:
            continue
        if rule.min_value_per_year is not None and facts.value_per_year < rule.min_value_per_year:
            continue
        if rule.tag and rule.tag not in facts.tags:
            continue
        if rule.lifecycle_stage and rule.lifecycle_stage != facts.lifecycle_stage:
            continue
        if rule.min_assets is not None and facts.assets < rule.min_assets:
            continue
        return rule.tier
    return CustomerTier.STANDARD


def tier_facts(customers: list[Customer], today: date) -> dict[int, TierFacts]:
    """What the rules look at for each of ``customers`` (two queries for all of them)."""
    ids = [c.pk for c in customers]
    values = dict(
        Contract.objects.filter(customer_id__in=ids, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values("customer_id")
        .annotate(total=Sum("value_per_year"))
        .values_list("customer_id", "total")
    )
    assets = dict(
        Asset.objects.filter(customer_id__in=ids)
        .values("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
    )
    return {
        c.pk: TierFacts(
            value_per_year=Decimal(values.get(c.pk) or 0),
            tags=frozenset(c.tags),
            lifecycle_stage=c.lifecycle_stage,
            assets=assets.get(c.pk, 0),
        )
        for c in customers
    }


def _tier_apply(
    customer: Customer, computed: str, actor: Actor | None, reason: str, *, clocks_too: bool = True
) -> bool:
    """Store a newly computed tier; True when the tier the SLA reads changed (then the
    customer's SLA clocks hear of it, unless the caller tells them for many at once)."""
    effective = customer.tier_override or computed
    if computed == customer.tier_computed and effective == customer.tier:
        return False
    old = customer.tier
    customer.tier_computed = computed
    customer.tier = effective
    customer.save(update_fields=["tier_computed", "tier", "updated_at"])
    if effective == old:
        return False
    _event(
        actor,
        customer,
        ProfileEventType.TIER,
        data={"from": old, "to": effective, "reason": reason},
    )
    if clocks_too:
        clocks.standards_changed(
            tenant_id=customer.tenant_id, customer_id=customer.pk, reason="customer_tier"
        )
    return True


def tier_evaluate(
    *, customer: Customer, actor: Actor | None = None, today: date | None = None
) -> bool:
    """Recompute one customer's tier from the unit's rules (inside the caller's
    transaction); True when its tier changed."""
    today = today or (actor.tenant if actor is not None else customer.tenant).local_today()
    rules = list(TierRule.objects.filter(tenant_id=customer.tenant_id, is_active=True))
    computed = tier_of(tier_facts([customer], today)[customer.pk], rules)
    return _tier_apply(customer, computed, actor, "rules")


def tiers_reevaluate(*, tenant_id: int, today: date | None = None, chunk: int = 2000) -> int:
    """Recompute every customer of a unit (after its rules changed); returns how many
    tiers changed. The SLA clocks hear once for the unit when many moved, as after an
    import, not once per customer."""
    today = today or Tenant.objects.get(pk=tenant_id).local_today()
    rules = list(TierRule.objects.filter(tenant_id=tenant_id, is_active=True))
    moved: list[int] = []
    last = 0
    while True:
        with transaction.atomic():
            batch = list(
                Customer.objects.select_for_update()
                .filter(tenant_id=tenant_id, pk__gt=last)
                .order_by("pk")[:chunk]
            )
            if not batch:
                break
            facts = tier_facts(batch, today)
            for customer in batch:
                computed = tier_of(facts[customer.pk], rules)
                if _tier_apply(customer, computed, None, "rules", clocks_too=False):
                    moved.append(customer.pk)
            last = batch[-1].pk
    if len(moved) > CLOCKS_ONE_BY_ONE:
        clocks.standards_changed(tenant_id=tenant_id, reason="customer_tier")
    else:
        for customer_id in moved:
            clocks.standards_changed(
                tenant_id=tenant_id, customer_id=customer_id, reason="customer_tier"
            )
    return len(moved)


def tiers_follow_contract_dates(*, now: datetime | None = None) -> int:
    """Re-evaluate the customers whose contracts started or ended in the last two days of
    their unit's calendar (run every hour, so a missed run is caught up); returns how many
    tiers changed."""
    now = now or timezone.now()
    changed = 0
    for tenant in Tenant.objects.only("pk", "time_zone"):
        today = tenant.local_today(now)
        recent = Contract.objects.filter(tenant=tenant).filter(
            Q(starts_on__range=(today - timedelta(days=2), today))
            | Q(ends_on__range=(today - timedelta(days=3), today - timedelta(days=1)))
        )
        ids = set(recent.values_list("customer_id", flat=True))
        for customer_id in sorted(ids):
            with transaction.atomic():
                customer = Customer.objects.select_for_update().get(pk=customer_id)
                changed += tier_evaluate(customer=customer, today=today)
    return changed


@transaction.atomic
def tier_override_set(*, actor: Actor, customer_id: int, tier: str, reason: str) -> Customer:
    """Set a customer's tier by hand: it wins over the rules until cleared; who, when and
    why are kept on the customer and on its timeline."""
    ensure_can(actor, "customers.manage")
    if tier not in CustomerTier.values:
        raise _invalid("tier", _("Unknown tier."))
    reason = reason.strip()
    if not reason:
        raise _invalid("reason", _("Say why the tier is set by hand."))
    if len(reason) > 300:
        raise _invalid("reason", _("At most 300 characters."))
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    old = customer.tier
    customer.tier_override = tier
    customer.tier_override_reason = reason
    customer.tier_override_by = actor.user
    customer.tier_override_at = timezone.now()
    customer.tier = tier
    customer.save()
    _event(
        actor,
        customer,
        ProfileEventType.OVERRIDE,
        body=reason,
        data={"from": old, "to": tier},
    )
    if old != tier:
        clocks.standards_changed(
            tenant_id=customer.tenant_id, customer_id=customer.pk, reason="customer_tier"
        )
    return customer


@transaction.atomic
def tier_override_clear(*, actor: Actor, customer_id: int) -> Customer:
    """Give the tier back to the rules."""
    ensure_can(actor, "customers.manage")
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    if not customer.tier_override:
        return customer
    old = customer.tier
    customer.tier_override = ""
    customer.tier_override_reason = ""
    customer.tier_override_by = None
    customer.tier_override_at = None
    customer.save()
    _event(actor, customer, ProfileEventType.OVERRIDE, data={"from": old, "to": None})
    tier_evaluate(customer=customer, actor=actor)
    if customer.tier != old:
        clocks.standards_changed(
            tenant_id=customer.tenant_id, customer_id=customer.pk, reason="customer_tier"
        )
    return customer


# --- tier rules and custom fields (the unit's settings) ------------------------------


@dataclass(frozen=True)
class TierRuleInput:
    name: str
    tier: str
    position: int = 0
    min_value_per_year: Decimal | None = None
    tag: str = ""
    lifecycle_stage: str = ""
    min_assets: int | None = None
    is_active: bool = True


def _rule_fill(rule: TierRule, data: TierRuleInput) -> None:
    rule.name = data.name.strip()
    rule.tier = data.tier
    rule.position = data.position
    rule.min_value_per_year = data.min_value_per_year
    rule.tag = data.tag.strip()
    rule.lifecycle_stage = data.lifecycle_stage
    rule.min_assets = data.min_assets
    rule.is_active = data.is_active
    try:
        rule.full_clean(exclude=["tenant"])
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc
    if rule.tag:
        tags_clean([rule.tag], "tag")
    if (
        rule.min_value_per_year is None
        and not rule.tag
        and not rule.lifecycle_stage
        and rule.min_assets is None
    ):
        raise _invalid("", _("A rule needs at least one condition."))


def _rules_changed(tenant_id: int) -> None:
    from zhongtai.customers.tasks import tiers_reevaluate_task

    transaction.on_commit(lambda: tiers_reevaluate_task(tenant_id))


@transaction.atomic
def tier_rule_create(*, actor: Actor, data: TierRuleInput) -> TierRule:
    ensure_can(actor, "customers.manage")
    rule = TierRule(tenant=actor.tenant)
    _rule_fill(rule, data)
    rule.save()
    _rules_changed(actor.tenant.pk)
    return rule


@transaction.atomic
def tier_rule_update(*, actor: Actor, rule_id: int, data: TierRuleInput) -> TierRule:
    ensure_can(actor, "customers.manage")
    rule = selectors.tier_rule_get(actor=actor, rule_id=rule_id)
    _rule_fill(rule, data)
    rule.save()
    _rules_changed(actor.tenant.pk)
    return rule


@transaction.atomic
def tier_rule_delete(*, actor: Actor, rule_id: int) -> None:
    ensure_can(actor, "customers.manage")
    selectors.tier_rule_get(actor=actor, rule_id=rule_id).delete()
    _rules_changed(actor.tenant.pk)


@dataclass(frozen=True)
class CustomFieldInput:
    key: str
    label_en: str
    kind: str
    label_zh: str = ""
    choices: list[str] = field(default_factory=list)
    required: bool = False
    position: int = 0


def _custom_field_fill(definition: CustomField, data: CustomFieldInput) -> None:
    definition.key = data.key.strip()
    definition.label_en = data.label_en.strip()
    definition.label_zh = data.label_zh.strip()
    definition.kind = data.kind
    definition.choices = [c.strip() for c in data.choices if c.strip()][:50]
    definition.required = data.required
    definition.position = data.position
    try:
        definition.full_clean(exclude=["tenant"], validate_unique=False)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc
    if definition.kind == FieldKind.CHOICE and not definition.choices:
        raise _invalid("choices", _("A choice field needs its choices."))
    if definition.kind != FieldKind.CHOICE:
        definition.choices = []


@transaction.atomic
def custom_field_create(*, actor: Actor, data: CustomFieldInput) -> CustomField:
    ensure_can(actor, "customers.manage")
    definition = CustomField(tenant=actor.tenant)
    _custom_field_fill(definition, data)
    _save_unique(definition, _("Another custom field has this key."), "duplicate")
    return definition


@transaction.atomic
def custom_field_update(*, actor: Actor, field_id: int, data: CustomFieldInput) -> CustomField:
    """Change a field's labels, choices or order; its key and kind stay (the stored values
    are written in them)."""
    ensure_can(actor, "customers.manage")
    definition = selectors.custom_field_get(actor=actor, field_id=field_id)
    if data.key.strip() != definition.key or data.kind != definition.kind:
        raise _invalid("key", _("The key and kind of a field cannot change; add a new field."))
    _custom_field_fill(definition, data)
    definition.save()
    return definition


@transaction.atomic
def custom_field_delete(*, actor: Actor, field_id: int) -> None:
    """Remove a field and its values from every profile of the unit."""
    ensure_can(actor, "customers.manage")
    definition = selectors.custom_field_get(actor=actor, field_id=field_id)
    key = definition.key
    holders = list(
        Customer.objects.filter(tenant=actor.tenant, custom__has_key=key).only("pk", "custom")
    )
    now = timezone.now()
    for customer in holders:
        customer.custom.pop(key, None)
        customer.updated_at = now
    Customer.objects.bulk_update(holders, ["custom", "updated_at"], batch_size=500)
    definition.delete()
