"""Writes and reads of routing rules: checked, ordered, compiled, and tried on the past.

The unit's administrators and L2 engineers (``routing.manage``) keep them. A rule set can
be tried against the tickets of the last days before it is published ("this rule would
have matched 312 tickets last month").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team
from zhongtai.core.errors import InvalidInput, NotFound
from zhongtai.core.ordering import POSITION_STEP, positions_move
from zhongtai.core.permissions import ensure_can
from zhongtai.customers.models import CustomerTier, WarrantyStatus, warranty_status
from zhongtai.routing.models import RoutingRule
from zhongtai.routing.rules import (
    CompiledRule,
    RuleFacts,
    asset_facts,
    category_ancestors,
    facts_text,
    keywords_clean,
    names_clean,
    pattern_compile,
)
from zhongtai.tickets.choices import Channel, TicketPriority, TicketType
from zhongtai.tickets.models import Category, Ticket

MANAGE = "routing.manage"
RULE_FIELDS = (
    "name",
    "channels",
    "customer_tiers",
    "keywords",
    "pattern",
    "contact_domains",
    "asset_product_lines",
    "asset_models",
    "asset_warranty",
    "set_type",
    "set_priority",
    "add_tags",
    "is_active",
)
DRY_RUN_MAX_DAYS = 92
DRY_RUN_SAMPLE = 20


@dataclass
class RuleInput:
    name: str
    channels: list[str] = field(default_factory=list)
    customer_tiers: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    pattern: str = ""
    category_ids: list[int] = field(default_factory=list)
    contact_domains: list[str] = field(default_factory=list)
    asset_product_lines: list[str] = field(default_factory=list)
    asset_models: list[str] = field(default_factory=list)
    asset_warranty: str = ""
    set_category_id: int | None = None
    set_type: str = ""
    set_priority: str = ""
    set_team_id: int | None = None
    add_tags: list[str] = field(default_factory=list)
    is_active: bool = True


def _error(name: str, message: str) -> InvalidInput:
    return InvalidInput(errors=[{"field": name, "message": message}])


def _choices(name: str, values: list[str], allowed: list[str]) -> list[str]:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise _error(name, _("Unknown value: %(values)s.") % {"values": ", ".join(unknown)})
    return list(dict.fromkeys(values))


def _names(values: list[str]) -> list[str]:
    """Product lines or models as written (compared in any case), each once."""
    seen: dict[str, str] = {}
    for value in values:
        value = value.strip()[:100]
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return list(seen.values())


def _check(actor: Actor, data: RuleInput) -> tuple[list[Category], Category | None, Team | None]:
    data.name = data.name.strip()[:120]
    if not data.name:
        raise _error("name", _("Give the rule a name."))
    data.channels = _choices("channels", data.channels, Channel.values)
    data.customer_tiers = _choices("customer_tiers", data.customer_tiers, CustomerTier.values)
    if data.set_type:
        _choices("set_type", [data.set_type], TicketType.values)
    if data.set_priority:
        _choices("set_priority", [data.set_priority], TicketPriority.values)
    data.keywords = list(keywords_clean(data.keywords))
    data.contact_domains = [
        d.strip().lower().lstrip("@") for d in data.contact_domains if d.strip()
    ]
    data.asset_product_lines = _names(data.asset_product_lines)
    data.asset_models = _names(data.asset_models)
    if data.asset_warranty:
        _choices("asset_warranty", [data.asset_warranty], WarrantyStatus.values)
    data.add_tags = list(dict.fromkeys(t.strip()[:50] for t in data.add_tags if t.strip()))
    try:
        pattern_compile(data.pattern)
    except re.error as exc:
        raise _error(
            "pattern", _("Not a valid regular expression: %(error)s.") % {"error": exc}
        ) from None
    categories = list(Category.objects.filter(tenant=actor.tenant, pk__in=data.category_ids))
    if len(categories) != len(set(data.category_ids)):
        raise _error("category_ids", _("Choose categories of this business unit."))
    set_category = None
    if data.set_category_id is not None:
        set_category = Category.objects.filter(tenant=actor.tenant, pk=data.set_category_id).first()
        if set_category is None:
            raise _error("set_category_id", _("Choose a category of this business unit."))
    set_team = None
    if data.set_team_id is not None:
        set_team = Team.objects.filter(tenant=actor.tenant, pk=data.set_team_id).first()
        if set_team is None:
            raise _error("set_team_id", _("Choose a team of this business unit."))
    conditions = (
        data.channels, data.customer_tiers, data.keywords, data.pattern,
        data.category_ids, data.contact_domains, data.asset_product_lines, data.asset_models,
        data.asset_warranty,
    )  # fmt: skip
    if not any(conditions):
        raise _error("keywords", _("Give the rule at least one condition."))
    if not (set_category or data.set_type or data.set_priority or set_team or data.add_tags):
        raise _error("set_category_id", _("Give the rule at least one thing to set."))
    return categories, set_category, set_team


def _rule_get(actor: Actor, rule_id: int) -> RoutingRule:
    rule: RoutingRule | None = (
        RoutingRule.objects.select_for_update().filter(tenant=actor.tenant, pk=rule_id).first()
    )
    if rule is None:
        raise NotFound()
    return rule


@transaction.atomic
def rule_save(*, actor: Actor, data: RuleInput, rule_id: int | None = None) -> RoutingRule:
    """Create a rule (tried after the others) or replace one."""
    ensure_can(actor, MANAGE)
    categories, set_category, set_team = _check(actor, data)
    if rule_id is None:
        last = RoutingRule.objects.filter(tenant=actor.tenant).aggregate(m=Max("position"))["m"]
        rule = RoutingRule(tenant=actor.tenant, position=(last or 0) + POSITION_STEP)
    else:
        rule = _rule_get(actor, rule_id)
    for name in RULE_FIELDS:
        setattr(rule, name, getattr(data, name))
    rule.set_category, rule.set_team = set_category, set_team
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise _error("name", _("Another rule has this name.")) from None
    rule.categories.set(categories)
    return rule


@transaction.atomic
def rule_delete(*, actor: Actor, rule_id: int) -> None:
    ensure_can(actor, MANAGE)
    _rule_get(actor, rule_id).delete()


@transaction.atomic
def rule_move(
    *, actor: Actor, rule_id: int, index: int | None = None, step: int | None = None
) -> list[RoutingRule]:
    """Put a rule at ``index`` (0: tried first) or one ``step`` up (-1) or down (+1);
    renumbers them all."""
    ensure_can(actor, MANAGE)
    rows: list[RoutingRule] = list(
        RoutingRule.objects.select_for_update()
        .filter(tenant=actor.tenant)
        .order_by("position", "id")
    )
    rules = positions_move(rows, rule_id, index=index, step=step)
    RoutingRule.objects.bulk_update(rules, ["position"])
    return rules


# --- reading and compiling ------------------------------------------------------------------


def rule_list(*, actor: Actor) -> list[RoutingRule]:
    ensure_can(actor, "tickets.view")
    return list(
        RoutingRule.objects.filter(tenant=actor.tenant)
        .select_related("set_category__parent", "set_team")
        .prefetch_related("categories__parent")
        .order_by("position", "id")
    )


def rule_compile(rule: RoutingRule) -> CompiledRule:
    return CompiledRule(
        id=rule.pk or 0,
        name=rule.name,
        channels=frozenset(rule.channels),
        customer_tiers=frozenset(rule.customer_tiers),
        keywords=keywords_clean(rule.keywords),
        pattern=pattern_compile(rule.pattern),
        category_ids=frozenset(c.pk for c in rule.categories.all()) if rule.pk else frozenset(),
        contact_domains=frozenset(rule.contact_domains),
        product_lines=names_clean(rule.asset_product_lines),
        product_models=names_clean(rule.asset_models),
        warranty=rule.asset_warranty,
        actions={
            "category_id": rule.set_category_id,
            "type": rule.set_type,
            "priority": rule.set_priority,
            "team_id": rule.set_team_id,
        },
        tags=tuple(rule.add_tags),
    )


@dataclass(frozen=True)
class DryRun:
    days: int
    tickets: int
    matched: int
    sample: tuple[int, ...]  # ticket numbers


def rules_dry_run(*, actor: Actor, data: RuleInput, days: int = 30) -> DryRun:
    """How many of the unit's tickets of the last ``days`` the rule would have matched
    (its conditions only; nothing is stored)."""
    ensure_can(actor, MANAGE)
    if not 1 <= days <= DRY_RUN_MAX_DAYS:
        raise _error("days", _("Give between 1 and %(max)d days.") % {"max": DRY_RUN_MAX_DAYS})
    categories, _category, _team = _check(actor, data)
    rule = CompiledRule(
        id=0,
        name=data.name,
        channels=frozenset(data.channels),
        customer_tiers=frozenset(data.customer_tiers),
        keywords=tuple(data.keywords),
        pattern=pattern_compile(data.pattern),
        category_ids=frozenset(c.pk for c in categories),
        contact_domains=frozenset(data.contact_domains),
        product_lines=names_clean(data.asset_product_lines),
        product_models=names_clean(data.asset_models),
        warranty=data.asset_warranty,
    )
    since = timezone.now() - timedelta(days=days)
    zone = ZoneInfo(actor.tenant.time_zone)
    parents = dict(Category.objects.filter(tenant=actor.tenant).values_list("pk", "parent_id"))
    rows = (
        Ticket.objects.filter(tenant=actor.tenant, created_at__gte=since)
        .order_by("-created_at")
        .values_list(
            "number",
            "subject",
            "description",
            "channel",
            "customer__tier",
            "category_id",
            "contact__email",
            "asset__product_line",
            "asset__product_model",
            "asset__warranty_ends_on",
            "created_at",
        )
        .iterator(chunk_size=2000)
    )
    total, matched = 0, 0
    sample: list[int] = []
    for row in rows:
        number, subject, description, channel, tier, category_id, email = row[:7]
        line, model, ends_on, created_at = row[7:]
        total += 1
        # (the warranty as it stood the day the ticket came in)
        day = timezone.localtime(created_at, zone).date()
        facts = RuleFacts(
            text=facts_text(subject, description),
            channel=channel,
            customer_tier=tier or "",
            category_ids=category_ancestors(category_id, parents),
            contact_domain=(email or "").rpartition("@")[2].lower(),
            **asset_facts(line, model, warranty_status(ends_on, day) if model else None),
        )
        if rule.matches(facts):
            matched += 1
            if len(sample) < DRY_RUN_SAMPLE:
                sample.append(number)
    return DryRun(days=days, tickets=total, matched=matched, sample=tuple(sample))
