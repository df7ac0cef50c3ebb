"""The routing API (``/api/v1/routing/…``): the unit's routing rules, in order.

Staff read them; the unit's administrators and L2 engineers (``routing.manage``) write,
reorder and try them: ``POST /routing/rules/dry-run`` counts the tickets of the last
days that a rule would have matched, storing nothing.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from zhongtai.core.api import actor_of
from zhongtai.core.inputs import LINE_PATTERN, Id, PathId
from zhongtai.customers.models import CustomerTier, WarrantyStatus
from zhongtai.routing import rule_services
from zhongtai.routing.models import RoutingRule
from zhongtai.tickets.choices import Channel, TicketPriority, TicketType

router = Router(tags=["routing"])

Text = Field(max_length=100, pattern=LINE_PATTERN)


class RuleIn(Schema):
    """A whole rule (PUT replaces every field). Conditions: an empty list matches any
    ticket, and a rule needs one condition or more and one thing to set or more."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=120, pattern=LINE_PATTERN, description="Unique in the unit.")
    is_active: bool = True
    channels: list[Channel] = Field(default_factory=list, max_length=20)
    customer_tiers: list[CustomerTier] = Field(default_factory=list, max_length=20)
    keywords: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Any of these in the subject or description, any case (Chinese too).",
    )
    pattern: str = Field(
        default="",
        max_length=200,
        description="A regular expression searched in the subject and description, any case.",
    )
    category_ids: list[Id] = Field(
        default_factory=list, max_length=200, description="The ticket's category or a parent."
    )
    contact_domains: list[str] = Field(
        default_factory=list, max_length=50, description="The contact's e-mail domain."
    )
    asset_product_lines: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="The product line of the ticket's asset, any case.",
    )
    asset_models: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="The model of the ticket's asset, any case.",
    )
    asset_warranty: WarrantyStatus | None = Field(
        default=None, description="The warranty of the ticket's asset on the day it came in."
    )
    set_category_id: Id | None = None
    set_type: TicketType | None = None
    set_priority: TicketPriority | None = None
    set_team_id: Id | None = Field(default=None, description="Also sets the ticket's tier.")
    add_tags: list[str] = Field(default_factory=list, max_length=20)


class RuleOut(RuleIn):
    id: int
    position: int = Field(description="Rules are tried in this order.")


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")
    index: int = Field(ge=0, description="The rule's new place: 0 = tried first.")


class DryRunIn(RuleIn):
    days: int = Field(default=30, ge=1, le=rule_services.DRY_RUN_MAX_DAYS)


class DryRunOut(Schema):
    days: int
    tickets: int = Field(description="Tickets of the unit created in those days.")
    matched: int = Field(description="How many of them the rule's conditions match.")
    sample: list[int] = Field(description="Numbers of up to 20 matched tickets, newest first.")


def _input(data: RuleIn) -> rule_services.RuleInput:
    return rule_services.RuleInput(
        name=data.name,
        is_active=data.is_active,
        channels=[str(c) for c in data.channels],
        customer_tiers=[str(t) for t in data.customer_tiers],
        keywords=[k[:100] for k in data.keywords],
        pattern=data.pattern,
        category_ids=list(data.category_ids),
        contact_domains=[d[:100] for d in data.contact_domains],
        asset_product_lines=list(data.asset_product_lines),
        asset_models=list(data.asset_models),
        asset_warranty=str(data.asset_warranty or ""),
        set_category_id=data.set_category_id,
        set_type=str(data.set_type or ""),
        set_priority=str(data.set_priority or ""),
        set_team_id=data.set_team_id,
        add_tags=[t[:50] for t in data.add_tags],
    )


def _out(rule: RoutingRule) -> dict[str, object]:
    return {
        "id": rule.pk,
        "position": rule.position,
        "name": rule.name,
        "is_active": rule.is_active,
        "channels": rule.channels,
        "customer_tiers": rule.customer_tiers,
        "keywords": rule.keywords,
        "pattern": rule.pattern,
        "category_ids": sorted(c.pk for c in rule.categories.all()),
        "contact_domains": rule.contact_domains,
        "asset_product_lines": rule.asset_product_lines,
        "asset_models": rule.asset_models,
        "asset_warranty": rule.asset_warranty or None,
        "set_category_id": rule.set_category_id,
        "set_type": rule.set_type or None,
        "set_priority": rule.set_priority or None,
        "set_team_id": rule.set_team_id,
        "add_tags": rule.add_tags,
    }


def _read(request: HttpRequest, rule_id: int) -> dict[str, object]:
    rules = rule_services.rule_list(actor=actor_of(request))
    return _out(next(rule for rule in rules if rule.pk == rule_id))


@router.get("/rules", response=list[RuleOut], summary="Routing rules, in the order they are tried")
def routing_rules_api(request: HttpRequest) -> list[dict[str, object]]:
    return [_out(rule) for rule in rule_services.rule_list(actor=actor_of(request))]


@router.post("/rules", response={201: RuleOut}, summary="Add a routing rule (tried last)")
def routing_rule_create_api(request: HttpRequest, data: RuleIn) -> Status[dict[str, object]]:
    rule = rule_services.rule_save(actor=actor_of(request), data=_input(data))
    return Status(201, _read(request, rule.pk))


@router.put("/rules/{int:rule_id}", response=RuleOut, summary="Replace a routing rule")
def routing_rule_update_api(
    request: HttpRequest, rule_id: PathId, data: RuleIn
) -> dict[str, object]:
    rule_services.rule_save(actor=actor_of(request), data=_input(data), rule_id=rule_id)
    return _read(request, rule_id)


@router.delete("/rules/{int:rule_id}", response={204: None}, summary="Delete a routing rule")
def routing_rule_delete_api(request: HttpRequest, rule_id: PathId) -> Status[None]:
    rule_services.rule_delete(actor=actor_of(request), rule_id=rule_id)
    return Status(204, None)


@router.post(
    "/rules/{int:rule_id}/move",
    response=list[RuleOut],
    summary="Move a routing rule in the order; returns every rule in the new order",
)
def routing_rule_move_api(
    request: HttpRequest, rule_id: PathId, data: MoveIn
) -> list[dict[str, object]]:
    actor = actor_of(request)
    rule_services.rule_move(actor=actor, rule_id=rule_id, index=data.index)
    return [_out(rule) for rule in rule_services.rule_list(actor=actor)]


@router.post(
    "/rules/dry-run",
    response=DryRunOut,
    summary="How many tickets of the last days a rule would have matched (nothing is stored)",
)
def routing_rule_dry_run_api(request: HttpRequest, data: DryRunIn) -> dict[str, object]:
    result = rule_services.rules_dry_run(actor=actor_of(request), data=_input(data), days=data.days)
    return {
        "days": result.days,
        "tickets": result.tickets,
        "matched": result.matched,
        "sample": list(result.sample),
    }
