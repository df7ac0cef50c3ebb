"""Customers and contacts (read-only here; Customer 360 adds more)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from zhongtai.core.api import actor_of
from zhongtai.core.inputs import LINE_PATTERN, PathId
from zhongtai.core.permissions import ensure_can
from zhongtai.customers import selectors
from zhongtai.customers.models import CustomerTier

router = Router(tags=["customers"])


class CustomerOut(Schema):
    id: int
    name: str
    tier: CustomerTier


class ContactOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    customer_id: int


class SearchParams(Schema):
    q: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    limit: int = Field(default=50, ge=1, le=200)


@router.get("", response=list[CustomerOut], summary="Customers (name search)")
def customer_list_api(request: HttpRequest, params: Query[SearchParams]) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    qs = selectors.customer_list(actor=actor)
    if params.q:
        qs = qs.filter(name__icontains=params.q)
    return list(qs[: params.limit])


@router.get("/{int:customer_id}", response=CustomerOut, summary="One customer")
def customer_get_api(request: HttpRequest, customer_id: PathId) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    return selectors.customer_get(actor=actor, customer_id=customer_id)


@router.get(
    "/{int:customer_id}/contacts", response=list[ContactOut], summary="A customer's contacts"
)
def contact_list_api(request: HttpRequest, customer_id: PathId) -> object:
    actor = actor_of(request)
    ensure_can(actor, "customers.view")
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    return list(selectors.contact_list(actor=actor).filter(customer=customer))
