"""Routing rules, compiled and matched: pure, no database.

A rule matches a ticket when every condition it has holds: the channel, the customer
tier, a keyword in the text, the regular expression, the category (or an ancestor of
it), the contact's e-mail domain, the product line, model and warranty of the asset the
ticket is about. Matching rules apply in order; a field keeps the value
of the first rule that set it and tags add up, so a narrow rule placed first wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 8000  # characters of subject and description the rules read


@dataclass(frozen=True)
class RuleFacts:
    """What rules read of a ticket."""

    text: str  # subject and description, lower-cased
    channel: str
    customer_tier: str
    category_ids: frozenset[int]  # the category and its ancestors
    contact_domain: str
    product_line: str = ""  # of the ticket's asset, lower-cased ("" without one)
    product_model: str = ""  # lower-cased
    warranty: str = ""  # active, expired or unknown on the ticket's day ("" without an asset)


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    channels: frozenset[str] = frozenset()
    customer_tiers: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    category_ids: frozenset[int] = frozenset()
    contact_domains: frozenset[str] = frozenset()
    product_lines: frozenset[str] = frozenset()  # lower-cased
    product_models: frozenset[str] = frozenset()  # lower-cased
    warranty: str = ""
    actions: dict[str, Any] = field(default_factory=dict)  # category_id, type, priority, team_id
    tags: tuple[str, ...] = ()

    def matches(self, facts: RuleFacts) -> bool:
        return (
            (not self.channels or facts.channel in self.channels)
            and (not self.customer_tiers or facts.customer_tier in self.customer_tiers)
            and (not self.keywords or any(word in facts.text for word in self.keywords))
            and (self.pattern is None or self.pattern.search(facts.text) is not None)
            and (not self.category_ids or bool(self.category_ids & facts.category_ids))
            and (not self.contact_domains or facts.contact_domain in self.contact_domains)
            and (not self.product_lines or facts.product_line in self.product_lines)
            and (not self.product_models or facts.product_model in self.product_models)
            and (not self.warranty or facts.warranty == self.warranty)
        )


@dataclass
class Outcome:
    """What the matching rules set, and which rule set each field (the "why")."""

    fields: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    set_by: dict[str, str] = field(default_factory=dict)


def pattern_compile(text: str) -> re.Pattern[str] | None:
    """A rule's regular expression, case-insensitive (``re.error`` when it is invalid)."""
    return re.compile(text, re.IGNORECASE) if text else None


def category_ancestors(category_id: int | None, parents: dict[int, int | None]) -> frozenset[int]:
    """A category and every category above it (``parents``: id → parent id)."""
    seen: set[int] = set()
    while category_id is not None and category_id not in seen:
        seen.add(category_id)
        category_id = parents.get(category_id)
    return frozenset(seen)


def facts_text(subject: str, description: str) -> str:
    return f"{subject}\n{description}"[:MAX_TEXT].lower()


def asset_facts(
    product_line: str | None, product_model: str | None, warranty: str | None
) -> dict[str, str]:
    """The asset's part of ``RuleFacts`` (all "" for a ticket without an asset)."""
    return {
        "product_line": (product_line or "").strip().lower(),
        "product_model": (product_model or "").strip().lower(),
        "warranty": warranty or "",
    }


def names_clean(names: Iterable[str]) -> frozenset[str]:
    """Product lines or models as rules compare them: trimmed, lower-cased."""
    return frozenset(n.strip().lower() for n in names if n.strip())


def keywords_clean(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w.strip().lower() for w in words if w.strip()))


def rules_apply(rules: Sequence[CompiledRule], facts: RuleFacts) -> Outcome:
    outcome = Outcome()
    for rule in rules:
        if not rule.matches(facts):
            continue
        outcome.matched.append(rule.name)
        for name, value in rule.actions.items():
            if value not in (None, "") and name not in outcome.fields:
                outcome.fields[name] = value
                outcome.set_by[name] = rule.name
        for tag in rule.tags:
            if tag not in outcome.tags:
                outcome.tags.append(tag)
    return outcome
