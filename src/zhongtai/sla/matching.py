"""Which SLA policy covers a ticket: the first active policy, in order, whose conditions all hold.

Pure: the caller passes the policies (ordered) and the ticket's attributes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

P = TypeVar("P")


@dataclass(frozen=True)
class TicketFacts:
    """What a policy can match on."""

    customer_tier: str
    priority: str
    type: str
    channel: str
    category_ids: frozenset[int]  # the ticket's category and its ancestors


@dataclass(frozen=True)
class PolicyConditions:
    """A policy's conditions; an empty collection matches everything."""

    customer_tiers: Sequence[str]
    priorities: Sequence[str]
    types: Sequence[str]
    channels: Sequence[str]
    category_ids: frozenset[int]

    def matches(self, facts: TicketFacts) -> bool:
        return (
            _allows(self.customer_tiers, facts.customer_tier)
            and _allows(self.priorities, facts.priority)
            and _allows(self.types, facts.type)
            and _allows(self.channels, facts.channel)
            and (not self.category_ids or bool(self.category_ids & facts.category_ids))
        )


def _allows(allowed: Sequence[str], value: str) -> bool:
    return not allowed or value in allowed


def first_match(policies: Iterable[tuple[P, PolicyConditions]], facts: TicketFacts) -> P | None:
    """The first policy whose conditions hold for the ticket, or ``None``."""
    for policy, conditions in policies:
        if conditions.matches(facts):
            return policy
    return None
