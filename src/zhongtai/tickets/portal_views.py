"""The customer portal: a contact's own requests, their public conversation, new requests.

Every view parses input, calls a selector or a service, and renders. A customer never
gets here with a staff membership (they are sent to the agent queue), never sees another
contact's request (404, as if it did not exist), internal notes, child tickets or
staff-only fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import customer_view
from zhongtai.core.errors import ApplicationError, NotFound
from zhongtai.core.pagination import keyset_page
from zhongtai.knowledge import services as knowledge_services
from zhongtai.tickets import selectors, services
from zhongtai.tickets.choices import STATUS_BADGE, EventType, TicketStatus
from zhongtai.tickets.downloads import attachment_response
from zhongtai.tickets.models import Attachment, Ticket, TicketEvent
from zhongtai.tickets.portal_forms import (
    PortalReplyForm,
    PortalTicketCreateForm,
    PortalTicketFilterForm,
)

PAGE_SIZE = 25

# What a customer reads for each status: their point of view, not the agents' workflow.
PORTAL_STATUS_LABEL = {
    TicketStatus.NEW: gettext_lazy("Received"),
    TicketStatus.OPEN: gettext_lazy("Open"),
    TicketStatus.PENDING_INTERNAL: gettext_lazy("In progress"),
    TicketStatus.PENDING_CUSTOMER: gettext_lazy("Awaiting your reply"),
    TicketStatus.RESOLVED: gettext_lazy("Solved"),
    TicketStatus.CLOSED: gettext_lazy("Closed"),
}


@dataclass(frozen=True)
class StatusBadge:
    label: str
    colour: str


@dataclass
class Message:
    """One entry of the public conversation, with the files the customer may download."""

    event: TicketEvent
    from_customer: bool
    from_support: bool
    attachments: list[Attachment] = field(default_factory=list)


def status_badge(status: str) -> StatusBadge:
    return StatusBadge(
        label=str(PORTAL_STATUS_LABEL.get(TicketStatus(status), status)),
        colour=STATUS_BADGE.get(TicketStatus(status), "secondary"),
    )


def ticket_ref(ticket: Ticket, actor: Actor) -> str:
    """The number a customer quotes, e.g. ``SH-000123``."""
    return f"{actor.tenant.ticket_prefix}-{ticket.number:06d}"


def _portal_ticket_get(actor: Actor, number: int) -> Ticket:
    """The customer's own request; child tickets are internal work and do not exist here."""
    ticket = selectors.ticket_get(actor=actor, number=number)
    if ticket.parent_id is not None:
        raise NotFound()
    return ticket


def _portal_tickets(actor: Actor, state: str) -> QuerySet[Ticket]:
    qs = selectors.ticket_list(actor=actor).filter(parent__isnull=True)
    if state == PortalTicketFilterForm.STATE_OPEN:
        return qs.filter(selectors.open_q())
    if state == PortalTicketFilterForm.STATE_SOLVED:
        return qs.filter(selectors.open_q(False))
    return qs


@require_GET
@customer_view
def ticket_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The contact's requests, open ones first by default; htmx asks for more rows."""
    form = PortalTicketFilterForm(request.GET)
    if not form.is_valid():
        form = PortalTicketFilterForm({})
        form.is_valid()
    state = form.cleaned_data["state"]
    try:
        tickets, next_cursor = keyset_page(
            _portal_tickets(actor, state), cursor=form.cleaned_data["cursor"], limit=PAGE_SIZE
        )
    except ApplicationError:
        tickets, next_cursor = keyset_page(
            _portal_tickets(actor, state), cursor="", limit=PAGE_SIZE
        )
    context = {
        "rows": [
            {"ticket": t, "ref": ticket_ref(t, actor), "status": status_badge(t.status)}
            for t in tickets
        ],
        "next_cursor": next_cursor,
        "state": state,
        "states": form.fields["state"].choices,  # type: ignore[attr-defined]
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "portal/partials/_ticket_rows.html", context)
    return render(request, "portal/ticket_list.html", context)


@require_http_methods(["GET", "POST"])
@customer_view
def ticket_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Submit a new request; on any error nothing is stored and the form shows why."""
    form = PortalTicketCreateForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.ticket_create(
                    actor=actor,
                    subject=data["subject"],
                    description=data["description"],
                    type=data["type"],
                    files=data["attachments"],
                )
            except NotFound:
                raise
            except ApplicationError as exc:
                status = exc.status
                form.add_service_error(exc, ["subject", "description", "type", "attachments"])
            else:
                knowledge_services.portal_ticket_filed(actor=actor, ticket=ticket)
                messages.success(
                    request,
                    _("Your request %(ref)s was submitted. We will reply here and by email.")
                    % {"ref": ticket_ref(ticket, actor)},
                )
                return redirect("portal:ticket_detail", number=ticket.number)
    return render(request, "portal/ticket_create.html", {"form": form}, status=status)


def _conversation(actor: Actor, ticket: Ticket) -> list[Message]:
    """The public messages, each marked as the customer's own, support's or someone else's.

    Attachments of duplicates merged into this request are left out: they are downloaded
    through their own request.
    """
    events = list(selectors.ticket_timeline(actor=actor, ticket=ticket))
    author_ids = {e.actor_id for e in events if e.actor_id is not None}
    staff_ids = set(
        selectors.agent_list(actor=actor).filter(pk__in=author_ids).values_list("pk", flat=True)
    )
    return [
        Message(
            event=event,
            from_customer=event.actor_id == actor.user.pk,
            from_support=event.actor_id in staff_ids,
            attachments=[
                a for a in event.attachments.all() if a.is_public and a.ticket_id == ticket.pk
            ],
        )
        for event in events
    ]


def _merged_into_ref(actor: Actor, ticket: Ticket) -> tuple[int, str] | None:
    """Number and reference of the request this one was merged into, if the customer may see it."""
    if ticket.merged_into is None:
        return None
    try:
        target = _portal_ticket_get(actor, ticket.merged_into.number)
    except NotFound:
        return None
    return target.number, ticket_ref(target, actor)


def _detail_context(actor: Actor, ticket: Ticket, form: PortalReplyForm) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "ref": ticket_ref(ticket, actor),
        "status": status_badge(ticket.status),
        "conversation": _conversation(actor, ticket),
        "files": list(selectors.ticket_attachments(actor=actor, ticket=ticket)),
        "form": form,
        "can_reply": ticket.status != TicketStatus.CLOSED,
        "can_solve": ticket.is_open and ticket.merged_into_id is None,
        "is_solved": ticket.status == TicketStatus.RESOLVED,
        "awaiting_customer": ticket.status == TicketStatus.PENDING_CUSTOMER,
        "merged_into": _merged_into_ref(actor, ticket),
        "created_event": EventType.CREATED,
    }


@require_GET
@customer_view
def ticket_detail(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    """One request: its status, the public conversation, its files and a reply form."""
    ticket = _portal_ticket_get(actor, number)
    return render(
        request, "portal/ticket_detail.html", _detail_context(actor, ticket, PortalReplyForm())
    )


@require_POST
@customer_view
def ticket_reply(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    """Reply on a request (a solved one reopens); a closed one refuses and says so."""
    ticket = _portal_ticket_get(actor, number)
    form = PortalReplyForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        try:
            services.ticket_reply(
                actor=actor,
                ticket=ticket,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except NotFound:
            raise
        except ApplicationError as exc:
            status = exc.status
            form.add_service_error(exc, ["body", "attachments"])
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("portal:ticket_detail", number=ticket.number)
    return render(
        request, "portal/ticket_detail.html", _detail_context(actor, ticket, form), status=status
    )


@require_POST
@customer_view
def ticket_solve(request: HttpRequest, actor: Actor, number: int) -> HttpResponse:
    """The customer says the request is solved (a later reply reopens it)."""
    ticket = _portal_ticket_get(actor, number)
    try:
        services.ticket_customer_solve(actor=actor, ticket=ticket)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you. We marked your request as solved."))
    return redirect("portal:ticket_detail", number=ticket.number)


@require_GET
@customer_view
def attachment_download(
    request: HttpRequest, actor: Actor, number: int, attachment_id: int
) -> FileResponse:
    """A public file of the customer's own request, always as a download."""
    ticket = _portal_ticket_get(actor, number)
    attachment = selectors.attachment_get(actor=actor, ticket=ticket, attachment_id=attachment_id)
    return attachment_response(attachment)
