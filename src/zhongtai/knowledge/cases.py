"""What a case made from a resolved ticket starts with, read off the ticket's timeline.

- problem: the subject and the customer's own words (the description and what the
  customer wrote before the first answer that helped);
- cause: the staff's internal notes, newest last (where engineers write what they found);
- solution: the staff's public replies from the last one before the resolution
  backwards, up to two;
- the product line and asset, category and tags of the ticket.

The person who makes the case edits it before sending it for review; nothing here is
published as is.
"""

from __future__ import annotations

from zhongtai.core.text import has_cjk
from zhongtai.knowledge.choices import ArticleKind, ArticleLanguage, Visibility
from zhongtai.knowledge.services import ArticleInput
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket, TicketEvent

PART_CHARS = 4_000


def _join(texts: list[str]) -> str:
    return "\n\n".join(t.strip() for t in texts if t.strip())[:PART_CHARS]


def case_draft(ticket: Ticket) -> ArticleInput:
    """The case a resolved ticket suggests (see the module's notes)."""
    events = list(
        TicketEvent.objects.filter(
            ticket=ticket, type__in=[EventType.PUBLIC_REPLY, EventType.INTERNAL_NOTE]
        )
        .exclude(body="")
        .select_related("actor")
        .order_by("created_at", "id")
    )
    requester_id = ticket.requester_id if ticket.contact_id else None

    def by_customer(event: TicketEvent) -> bool:
        return (
            event.actor_id is None
            or (ticket.contact is not None and event.actor_id == ticket.contact.user_id)
            or event.actor_id == requester_id
        )

    staff_replies = [e for e in events if e.type == EventType.PUBLIC_REPLY and not by_customer(e)]
    first_answer = staff_replies[0].created_at if staff_replies else None
    customer_words = [
        e.body
        for e in events
        if e.type == EventType.PUBLIC_REPLY
        and by_customer(e)
        and (first_answer is None or e.created_at < first_answer)
    ]
    notes = [e.body for e in events if e.type == EventType.INTERNAL_NOTE]
    solution = [e.body for e in staff_replies[-2:]]
    if not solution:  # resolved without a reply: the reason given for resolving it
        solution = list(
            TicketEvent.objects.filter(
                ticket=ticket, type=EventType.STATUS_CHANGE, data__to="resolved"
            )
            .exclude(body="")
            .order_by("-created_at", "-id")
            .values_list("body", flat=True)[:1]
        )
    text = " ".join([ticket.subject, ticket.description])
    language = ArticleLanguage.ZH_HANS if has_cjk(text) else ArticleLanguage.EN
    asset = ticket.asset
    return ArticleInput(
        kind=ArticleKind.CASE,
        title=ticket.subject,
        body="",
        problem=_join([ticket.description, *customer_words]),
        cause=_join(notes[-3:]),
        solution=_join(solution),
        language=language,
        category_id=ticket.category_id,
        tags=list(ticket.tags.values_list("name", flat=True)),
        product_line=asset.product_line if asset else "",
        asset_id=asset.pk if asset else None,
        visibility=Visibility.INTERNAL,
    )
