"""How routing rules read on their page: conditions and actions in words (active language)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhongtai.customers.models import CustomerTier, WarrantyStatus
from zhongtai.routing.models import RoutingRule
from zhongtai.sla.presenters import word_list
from zhongtai.tickets.choices import Channel, TicketPriority, TicketType


@dataclass(frozen=True)
class Line:
    label: str
    text: str


@dataclass(frozen=True)
class RuleRow:
    id: int
    name: str
    is_active: bool
    conditions: tuple[Line, ...]
    actions: tuple[Line, ...]


def _labels(values: Sequence[str], choices: type[Channel] | type[CustomerTier]) -> str:
    names = dict(choices.choices)
    return word_list(str(names.get(value, value)) for value in values)


def rule_rows(rules: Sequence[RoutingRule]) -> list[RuleRow]:
    rows = []
    for rule in rules:
        conditions = [
            (_("Keywords"), word_list(rule.keywords)),
            (_("Regular expression"), rule.pattern),
            (_("Channel"), _labels(rule.channels, Channel)),
            (_("Customer tier"), _labels(rule.customer_tiers, CustomerTier)),
            (_("Category"), word_list(str(c) for c in rule.categories.all())),
            (_("Mail domain"), word_list(rule.contact_domains)),
            (_("Product line"), word_list(rule.asset_product_lines)),
            (_("Product model"), word_list(rule.asset_models)),
            (
                _("Warranty"),
                str(WarrantyStatus(rule.asset_warranty).label) if rule.asset_warranty else "",
            ),
        ]
        actions = [
            (_("Category"), str(rule.set_category) if rule.set_category else ""),
            (_("Type"), str(TicketType(rule.set_type).label) if rule.set_type else ""),
            (
                _("Priority"),
                str(TicketPriority(rule.set_priority).label) if rule.set_priority else "",
            ),
            (_("Team"), rule.set_team.name if rule.set_team else ""),
            (_("Tags"), word_list(rule.add_tags)),
        ]
        rows.append(
            RuleRow(
                id=rule.pk,
                name=rule.name,
                is_active=rule.is_active,
                conditions=tuple(Line(str(k), v) for k, v in conditions if v),
                actions=tuple(Line(str(k), v) for k, v in actions if v),
            )
        )
    return rows
