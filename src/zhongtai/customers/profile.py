"""The Customer 360 read: one customer's whole profile in a fixed, small number of
queries, and its service history a page at a time (keyset, newest first), so the page
stays fast for a customer with thousands of tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import NotFound
from zhongtai.core.pagination import cursor_decode, keyset_page
from zhongtai.customers import presenters, selectors
from zhongtai.customers.identities import identity_normalize
from zhongtai.customers.models import (
    Asset,
    Contact,
    Contract,
    ContractStatus,
    Customer,
    CustomField,
    Identity,
    IdentityKind,
    ProfileEvent,
    Purchase,
    WarrantyStatus,
)
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket, TicketEvent
from zhongtai.tickets.selectors import ticket_visible_qs

HISTORY_PAGE = 25
PROFILE_EVENTS = 20
PURCHASES = 50


@dataclass(frozen=True)
class ServiceStats:
    tickets: int
    open: int
    last_90_days: int
    last_ticket_at: Any


@dataclass(frozen=True)
class CustomValue:
    key: str
    label: str
    kind: str
    value: Any


@dataclass(frozen=True)
class Profile:
    customer: Customer
    contacts: list[Contact]
    contracts: list[Contract]
    value_per_year: Decimal
    next_renewal: Contract | None
    next_renewal_on: date | None
    currency: str
    purchases: list[Purchase]
    assets: list[Asset]
    assets_total: int
    warranty_counts: dict[str, int]
    custom: list[CustomValue]
    events: list[ProfileEvent]
    stats: ServiceStats
    history: list[Ticket]
    history_cursor: str | None
    today: date


def history_qs(*, actor: Actor, customer: Customer) -> QuerySet[Ticket]:
    """The customer's tickets with what a history row shows (not the merged-away ones).

    The description is left out: no history row shows it, and a mail's can be long."""
    replies = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), type=EventType.PUBLIC_REPLY)
        .order_by()
        .values("ticket")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        ticket_visible_qs(actor=actor)
        .filter(customer=customer, merged_into__isnull=True)
        .select_related("assignee", "contact", "asset")
        .defer("description")
        .annotate(replies=Subquery(replies))
    )


def _customer(actor: Actor, customer_id: int, *related: str) -> Customer:
    """The customer (``NotFound`` as ``customer_get``), its unit taken from the actor: the
    selector keeps to that unit, and history rows print its ticket prefix."""
    customer = (
        selectors.customer_list(actor=actor).select_related(*related).filter(pk=customer_id).first()
    )
    if customer is None:
        raise NotFound()
    customer.tenant = actor.tenant
    return customer


def history_page(
    *, actor: Actor, customer_id: int, cursor: str | None = None, limit: int = HISTORY_PAGE
) -> tuple[Customer, list[Ticket], str | None]:
    customer = _customer(actor, customer_id)
    rows = history_qs(actor=actor, customer=customer)
    if cursor:
        # What keyset_page adds, "(created_at, id) before the cursor's", is an OR no index
        # can start from; this bound, which it implies, lets both databases seek to the
        # cursor instead of walking every newer ticket (PostgreSQL, which takes the
        # created_at index for a big customer, walked 75,000 of them at page 150: 50 ms).
        created, _pk = cursor_decode(cursor)
        rows = rows.filter(created_at__lte=created)
    page, next_cursor = keyset_page(rows, cursor=cursor, limit=limit)
    return customer, page, next_cursor


def _stats(actor: Actor, customer: Customer, now: Any) -> ServiceStats:
    tickets = ticket_visible_qs(actor=actor).filter(customer=customer, merged_into__isnull=True)
    counts = tickets.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(is_open=True)),
        recent=Count("id", filter=Q(created_at__gte=now - timedelta(days=90))),
        last=Max("created_at"),
    )
    return ServiceStats(
        tickets=counts["total"],
        open=counts["open"],
        last_90_days=counts["recent"],
        last_ticket_at=counts["last"],
    )


def customer_profile(
    *,
    actor: Actor,
    customer_id: int,
    language: str = "en",
    assets_limit: int | None = None,
) -> Profile:
    """Everything the 360 page shows, in a bounded number of queries (13); the first
    ``assets_limit`` assets only (the page), or all of them (the API)."""
    customer = _customer(actor, customer_id, "owner", "tier_override_by")
    now = timezone.now()
    today = local_today(actor)
    contacts = list(
        Contact.objects.filter(customer=customer)
        .select_related("user")
        .prefetch_related(
            Prefetch("identities", queryset=Identity.objects.order_by("kind", "value"))
        )
    )
    contracts = list(Contract.objects.filter(customer=customer))
    active = [c for c in contracts if c.status_on(today) == ContractStatus.ACTIVE]
    renewals = [c for c in active if c.renews_on or c.ends_on]
    next_renewal = min(renewals, key=lambda c: c.renews_on or c.ends_on, default=None)
    owned = Asset.objects.filter(customer=customer)
    assets = _with_warranty(owned, today, assets_limit)
    counts = owned.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(warranty_ends_on__gte=today)),
        expired=Count("id", filter=Q(warranty_ends_on__lt=today)),
    )
    warranty: dict[str, int] = {
        WarrantyStatus.ACTIVE.value: counts["active"],
        WarrantyStatus.EXPIRED.value: counts["expired"],
        WarrantyStatus.UNKNOWN.value: counts["total"] - counts["active"] - counts["expired"],
    }
    definitions = list(CustomField.objects.filter(tenant_id=customer.tenant_id))
    custom = [
        CustomValue(d.key, d.label(language), d.kind, customer.custom.get(d.key))
        for d in definitions
    ]
    events = presenters.events_with_lines(
        ProfileEvent.objects.filter(customer=customer).select_related("actor")[:PROFILE_EVENTS]
    )
    history, cursor = keyset_page(
        history_qs(actor=actor, customer=customer), cursor=None, limit=HISTORY_PAGE
    )
    return Profile(
        customer=customer,
        contacts=contacts,
        contracts=contracts,
        value_per_year=sum((c.value_per_year for c in active), Decimal(0)),
        next_renewal=next_renewal,
        next_renewal_on=(next_renewal.renews_on or next_renewal.ends_on) if next_renewal else None,
        currency=active[0].currency if len({c.currency for c in active}) == 1 else "",
        purchases=list(Purchase.objects.filter(customer=customer)[:PURCHASES]),
        assets=assets,
        assets_total=counts["total"],
        warranty_counts=warranty,
        custom=custom,
        events=events,
        stats=_stats(actor, customer, now),
        history=history,
        history_cursor=cursor,
        today=today,
    )


def _with_warranty(
    assets: QuerySet[Asset], today: date, limit: int | None = None, offset: int = 0
) -> list[Asset]:
    ordered = assets.order_by("serial_number", "pk")
    rows = list(ordered[offset : offset + limit] if limit is not None else ordered[offset:])
    for asset in rows:
        asset.warranty = asset.warranty_on(today)  # type: ignore[attr-defined]
    return rows


def asset_list(*, actor: Actor, customer_id: int, offset: int = 0) -> list[Asset]:
    """A customer's assets with their warranty today, by serial number, from ``offset``
    on (the page shows the first ones with the profile)."""
    customer = _customer(actor, customer_id)
    return _with_warranty(
        Asset.objects.filter(customer=customer), local_today(actor), offset=max(offset, 0)
    )


def local_today(actor: Actor) -> date:
    """Today in the actor's unit (contract status and warranty are by the unit's days)."""
    return actor.tenant.local_today()


def identity_resolve(*, actor: Actor, kind: str, value: str) -> Identity | None:
    """The identity a chat or a message names (its value spelled as stored), or None."""
    if kind not in IdentityKind.values:
        return None
    return selectors.identity_find(actor=actor, kind=kind, value=identity_normalize(kind, value))
