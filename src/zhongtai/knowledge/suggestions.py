"""Knowledge pushed into the ticket: the articles and cases that fit a ticket's words.

The query is the ticket's subject, then what the customer wrote last, then the
description (the search keeps the first ``search.MAX_TERMS`` distinct terms, so the
newest words count). It is asked again each time the ticket page loads, so the
suggestions follow the conversation.

Agents' judgements improve the ranking in two ways: a "helpful" vote or a use in a reply
teaches the article the ticket's subject (``services.article_use``), which search then
matches directly; and each article's record of uses and votes nudges its score
(``prior``). An article voted "not helpful" on a ticket is not suggested there again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import PermissionDenied
from zhongtai.knowledge import search as search_module
from zhongtai.knowledge.choices import SearchKind, TicketLinkRelation, Visibility
from zhongtai.knowledge.models import ArticleTicket
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket, TicketEvent

SUGGESTIONS = 5
POOL = 20
PRIOR_WEIGHT = 0.15
QUERY_CHARS = 1_500


@dataclass
class Suggestion:
    hit: search_module.Hit
    used: bool
    vote: bool | None  # this agent's team's vote on this ticket

    @property
    def is_case(self) -> bool:
        return self.hit.kind == SearchKind.CASE


def prior(*, helpful: int, unhelpful: int, uses: int) -> float:
    """How much an article's record raises (or lowers) its score: 1 for none, slowly
    growing with uses and helpful votes, shrinking with unhelpful ones."""
    return (1 + PRIOR_WEIGHT * math.log1p(helpful + uses)) / (
        1 + PRIOR_WEIGHT * math.log1p(unhelpful)
    )


def ticket_query(ticket: Ticket) -> str:
    """The ticket's words, most telling first: subject, the customer's latest message,
    the description."""
    latest = ""
    customer_user = ticket.contact.user_id if ticket.contact_id and ticket.contact else None
    if customer_user is not None:
        latest = (
            TicketEvent.objects.filter(
                ticket=ticket, type=EventType.PUBLIC_REPLY, actor_id=customer_user
            )
            .exclude(body="")
            .order_by("-created_at", "-id")
            .values_list("body", flat=True)
            .first()
        ) or ""
    return "\n".join([ticket.subject, latest, ticket.description])[:QUERY_CHARS]


def ticket_suggestions(
    *, actor: Actor, ticket: Ticket, limit: int = SUGGESTIONS
) -> list[Suggestion]:
    """The best articles and cases for the ticket, for staff (internal ones included)."""
    if not actor.can("knowledge.view") or ticket.tenant_id != actor.tenant.pk:
        raise PermissionDenied()
    hits = search_module.search(
        search_module.Query(
            tenant_id=ticket.tenant_id,
            text=ticket_query(ticket),
            audiences=frozenset(Visibility.values),
            kinds=frozenset({SearchKind.ARTICLE, SearchKind.CASE}),
            limit=POOL,
        )
    )
    links = ArticleTicket.objects.filter(ticket=ticket).values_list(
        "article_id", "relation", "helpful"
    )
    used = {a for a, relation, _h in links if relation == TicketLinkRelation.USED}
    source = {a for a, relation, _h in links if relation == TicketLinkRelation.SOURCE}
    votes = {a: h for a, relation, h in links if h is not None}
    kept = [h for h in hits if votes.get(h.object_id) is not False and h.object_id not in source]
    for hit in kept:
        hit.score *= prior(
            helpful=hit.extra.get("helpful", 0),
            unhelpful=hit.extra.get("unhelpful", 0),
            uses=hit.extra.get("uses", 0),
        )
    kept.sort(key=lambda h: -h.score)
    return [
        Suggestion(hit=h, used=h.object_id in used, vote=votes.get(h.object_id))
        for h in kept[:limit]
    ]
