"""Reads of customers, contacts and assets, scoped to the actor's tenant."""

from __future__ import annotations

from django.db.models import QuerySet

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import NotFound
from zhongtai.customers.models import Asset, Contact, Customer


def customer_list(*, actor: Actor) -> QuerySet[Customer]:
    if not actor.is_staff_role:
        return Customer.objects.none()
    return Customer.objects.filter(tenant=actor.tenant)


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
