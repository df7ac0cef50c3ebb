"""Tickets in search: one search document per ticket, for staff only.

A ticket is indexed when it is opened (subject and description: found at once by its
words) and again when it is resolved, with the conversation that solved it (replies and
internal notes), which is when it becomes useful as a precedent. A subject change
reindexes it too. Bulk paths (the demo, an upgrade) use ``tickets_reindex``.

The ticket's text is cut by the same tokenizer as articles; the cost per ticket create is
measured in ``bench/README.md``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse

from zhongtai.core.text import has_cjk
from zhongtai.knowledge import index
from zhongtai.knowledge import search as search_module
from zhongtai.knowledge.choices import ArticleLanguage, SearchKind, Visibility
from zhongtai.knowledge.models import SearchDocument
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket, TicketEvent

CONVERSATION_CHARS = index.MAX_BODY_CHARS
CONVERSATION_TYPES = (EventType.PUBLIC_REPLY, EventType.INTERNAL_NOTE)


def _language(*texts: str) -> str:
    return ArticleLanguage.ZH_HANS if any(has_cjk(t) for t in texts) else ArticleLanguage.EN


def _indexable(ticket: Ticket, conversation: Iterable[str] = ()) -> index.Indexable:
    parts = [ticket.description, *conversation]
    body = "\n".join(parts)[:CONVERSATION_CHARS]
    return index.Indexable(
        kind=SearchKind.TICKET,
        object_id=ticket.pk,
        audience=Visibility.INTERNAL,
        title=ticket.subject,
        body=body,
        language=_language(ticket.subject, ticket.description),
        category_id=ticket.category_id,
        product_line=ticket.asset.product_line if ticket.asset_id and ticket.asset else "",
    )


def ticket_index(ticket: Ticket, *, conversation: bool = False) -> None:
    """Put the ticket into search: its subject and description, and with
    ``conversation`` its replies and notes too. Precondition: inside the transaction
    that changed the ticket."""
    texts: list[str] = []
    if conversation:
        texts = list(
            TicketEvent.objects.filter(ticket=ticket, type__in=CONVERSATION_TYPES)
            .exclude(body="")
            .order_by("created_at", "id")
            .values_list("body", flat=True)
        )
    index.document_put(tenant_id=ticket.tenant_id, item=_indexable(ticket, texts))


def tickets_reindex(*, tenant_id: int, batch: int = 500) -> int:
    """Index every ticket of a unit (resolved ones with their conversation); answers how
    many. For the demo's bulk tickets and for tickets written before search existed."""
    done = 0
    tickets = (
        Ticket.objects.filter(tenant_id=tenant_id, merged_into__isnull=True)
        .select_related("asset")
        .order_by("id")
    )
    last = 0
    while True:
        chunk = list(tickets.filter(id__gt=last)[:batch])
        if not chunk:
            return done
        solved = [t.pk for t in chunk if t.resolved_at or t.closed_at]
        talk: dict[int, list[str]] = {}
        for ticket_id, body in (
            TicketEvent.objects.filter(ticket_id__in=solved, type__in=CONVERSATION_TYPES)
            .exclude(body="")
            .order_by("ticket_id", "created_at", "id")
            .values_list("ticket_id", "body")
        ):
            talk.setdefault(ticket_id, []).append(body)
        index.documents_put(
            tenant_id=tenant_id, items=[_indexable(t, talk.get(t.pk, ())) for t in chunk]
        )
        done += len(chunk)
        last = chunk[-1].pk


def ticket_unindex(ticket: Ticket) -> None:
    """A merged ticket is found through the ticket it was merged into."""
    index.document_delete(tenant_id=ticket.tenant_id, kind=SearchKind.TICKET, object_id=ticket.pk)


def _tickets_shown(tenant_id: int, ids: list[int]) -> dict[int, search_module.Shown]:
    from zhongtai.tickets.presenters import ticket_reference

    tickets = Ticket.objects.filter(tenant_id=tenant_id, pk__in=ids).select_related("tenant")
    return {
        ticket.pk: search_module.Shown(
            title=f"{ticket_reference(ticket.tenant, ticket.number)} {ticket.subject}",
            text=ticket.description,
            url=reverse("tickets:ticket_detail", args=[ticket.number]),
            extra={
                "number": ticket.number,
                "status": ticket.status,
                "status_label": ticket.get_status_display(),
            },
        )
        for ticket in tickets
    }


def unindexed_count(*, tenant_id: int) -> int:
    """Tickets of the unit without a search document (for the reindex command)."""
    indexed = SearchDocument.objects.filter(
        tenant_id=tenant_id, kind=SearchKind.TICKET
    ).values_list("object_id", flat=True)
    return (
        Ticket.objects.filter(tenant_id=tenant_id, merged_into__isnull=True)
        .filter(~Q(pk__in=indexed))
        .count()
    )


search_module.loader_register(SearchKind.TICKET, _tickets_shown)
