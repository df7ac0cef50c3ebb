"""Reads of Customer 360, scoped to the actor's tenant: customers, contacts, identities,
contracts, the unit's tier rules and custom fields."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import NotFound
from zhongtai.customers.models import (
    Asset,
    Contact,
    Contract,
    Customer,
    CustomField,
    Identity,
    ProfileEvent,
    Purchase,
    TierRule,
)


def customer_list(*, actor: Actor) -> QuerySet[Customer]:
    if not actor.is_staff_role:
        return Customer.objects.none()
    return Customer.objects.filter(tenant=actor.tenant)


@dataclass(frozen=True)
class CustomerFilter:
    text: str = ""
    tier: str = ""
    lifecycle_stage: str = ""
    owner_id: int | None = None
    tag: str = ""


def customer_search(*, actor: Actor, filters: CustomerFilter) -> QuerySet[Customer]:
    """Customers matching a name (or an external id, or a contact's email), tier, stage,
    owner and tag, by name."""
    rows = customer_list(actor=actor).select_related("owner")
    text = filters.text.strip()
    if text:
        by_contact = Contact.objects.filter(tenant=actor.tenant, email__iexact=text)
        rows = rows.filter(
            Q(name__icontains=text)
            | Q(external_id=text)
            | Q(pk__in=by_contact.values("customer_id"))
        )
    if filters.tier:
        rows = rows.filter(tier=filters.tier)
    if filters.lifecycle_stage:
        rows = rows.filter(lifecycle_stage=filters.lifecycle_stage)
    if filters.owner_id:
        rows = rows.filter(owner_id=filters.owner_id)
    if filters.tag:
        rows = rows.filter(tag_q(filters.tag))
    return rows.order_by("name", "id")


def tag_q(tag: str) -> Q:
    """Customers whose tags hold ``tag``."""
    return json_list_q("tags", tag)


def json_list_q(field: str, value: str) -> Q:
    """Rows whose JSON list ``field`` holds ``value`` exactly: PostgreSQL's jsonb
    containment; SQLite has none, so the value is looked for as a whole JSON string in the
    list's stored text (written by ``json.dumps``, as Django stores it there). SQLite's
    LIKE ignores case, so a case-sensitive regular expression confirms what it found."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})
    quoted = json.dumps(value)
    return Q(**{f"{field}__icontains": quoted}) & Q(**{f"{field}__regex": re.escape(quoted)})


def customer_get(*, actor: Actor, customer_id: int) -> Customer:
    customer = customer_list(actor=actor).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    return customer


def contact_list(*, actor: Actor) -> QuerySet[Contact]:
    if not actor.is_staff_role:
        return Contact.objects.none()
    return Contact.objects.filter(tenant=actor.tenant).select_related("customer")


def contact_get(*, actor: Actor, contact_id: int) -> Contact:
    contact = contact_list(actor=actor).filter(pk=contact_id).first()
    if contact is None:
        raise NotFound()
    return contact


def asset_list(*, actor: Actor) -> QuerySet[Asset]:
    """Every asset of the unit for staff; a customer's contact sees their company's."""
    rows = Asset.objects.filter(tenant=actor.tenant).select_related("customer")
    if actor.is_staff_role:
        return rows
    contact = Contact.objects.filter(tenant=actor.tenant, user=actor.user).first()
    return rows.filter(customer_id=contact.customer_id) if contact else rows.none()


def asset_get(
    *, actor: Actor, asset_id: int | None = None, serial_number: str | None = None
) -> Asset:
    """One asset by id or by serial number (either case, spaces around it ignored)."""
    rows = asset_list(actor=actor)
    if asset_id is not None:
        rows = rows.filter(pk=asset_id)
    elif serial_number:
        rows = rows.filter(serial_number__iexact=serial_number.strip())
    else:
        raise NotFound()
    asset = rows.first()
    if asset is None:
        raise NotFound()
    return asset


def _one(rows: QuerySet, **lookup: object):  # type: ignore[no-untyped-def,type-arg]
    found = rows.filter(**lookup).first()
    if found is None:
        raise NotFound()
    return found


def identity_list(*, actor: Actor) -> QuerySet[Identity]:
    if not actor.is_staff_role:
        return Identity.objects.none()
    return Identity.objects.filter(tenant=actor.tenant).select_related("contact__customer")


def identity_get(*, actor: Actor, identity_id: int) -> Identity:
    identity: Identity = _one(identity_list(actor=actor), pk=identity_id)
    return identity


def identity_find(*, actor: Actor, kind: str, value: str) -> Identity | None:
    """The identity of this kind and (normalized) value in the actor's unit, if any."""
    return identity_list(actor=actor).filter(kind=kind, value=value).first()


def contract_list(*, actor: Actor) -> QuerySet[Contract]:
    if not actor.is_staff_role:
        return Contract.objects.none()
    return Contract.objects.filter(tenant=actor.tenant).select_related("customer")


def contract_get(*, actor: Actor, contract_id: int) -> Contract:
    contract: Contract = _one(contract_list(actor=actor), pk=contract_id)
    return contract


def purchase_list(*, actor: Actor) -> QuerySet[Purchase]:
    if not actor.is_staff_role:
        return Purchase.objects.none()
    return Purchase.objects.filter(tenant=actor.tenant)


def profile_event_list(*, actor: Actor) -> QuerySet[ProfileEvent]:
    if not actor.is_staff_role:
        return ProfileEvent.objects.none()
    return ProfileEvent.objects.filter(tenant=actor.tenant).select_related("actor")


def tier_rule_list(*, actor: Actor) -> QuerySet[TierRule]:
    if not actor.is_staff_role:
        return TierRule.objects.none()
    return TierRule.objects.filter(tenant=actor.tenant)


def tier_rule_get(*, actor: Actor, rule_id: int) -> TierRule:
    rule: TierRule = _one(tier_rule_list(actor=actor), pk=rule_id)
    return rule


def custom_field_list(*, actor: Actor) -> QuerySet[CustomField]:
    if not actor.is_staff_role:
        return CustomField.objects.none()
    return CustomField.objects.filter(tenant=actor.tenant)


def custom_field_get(*, actor: Actor, field_id: int) -> CustomField:
    definition: CustomField = _one(custom_field_list(actor=actor), pk=field_id)
    return definition
