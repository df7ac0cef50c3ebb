"""Reads of customers and contacts, scoped to the actor's tenant."""

from __future__ import annotations

from django.db.models import QuerySet

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import NotFound
from zhongtai.customers.models import Contact, Customer


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
