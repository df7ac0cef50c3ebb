"""The agent workspace: queues, the ticket page and its actions (server-rendered + htmx).

Views are thin: parse the form, call a selector or a service, render. Every view needs
a logged-in staff actor (a customer or a user without a role gets a 404; the queue root
sends a customer to the portal). Services enforce permissions and the workflow; a
refused action comes back as a message through ``core.htmx.user_errors``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Tier
from zhongtai.core.errors import ApplicationError, InvalidInput, NotFound
from zhongtai.core.htmx import htmx_partial, redirect_after_post, user_errors
from zhongtai.core.pagination import keyset_page
from zhongtai.core.permissions import Role
from zhongtai.macros import presenters as macro_presenters
from zhongtai.macros import selectors as macro_selectors
from zhongtai.macros import services as macro_services
from zhongtai.sla import countdown
from zhongtai.tickets import forms, presenters, selectors, services
from zhongtai.tickets.choices import TicketPriority, TicketStatus, TicketType
from zhongtai.tickets.downloads import attachment_image_response, attachment_response
from zhongtai.tickets.filters import Queue, ticket_filter_apply, ticket_filter_parse
from zhongtai.tickets.models import Ticket
from zhongtai.tickets.workflow import allowed_targets

PAGE_SIZE = 25
TAG_SUGGESTIONS = 200
CLOSING_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def staff_actor(request: HttpRequest) -> Actor:
    """The acting staff member, or 404: the workspace does not exist for anyone else."""
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None or not actor.is_staff_role:
        raise Http404
    return actor


def _detail_url(request: HttpRequest, number: int, *args: Any, **kwargs: Any) -> str:
    return reverse("tickets:ticket_detail", args=[number])


def ticket_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
    """A POST on one ticket: login, staff, CSRF (middleware), errors shown on its page."""
    wrapped = login_required(require_POST(user_errors(_detail_url)(view)))
    return functools.wraps(view)(wrapped)


def valid(form: django_forms.Form) -> dict[str, Any]:
    """The cleaned data, or ``InvalidInput`` naming each bad field by its label."""
    if form.is_valid():
        return form.cleaned_data
    errors = []
    for name, field_errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(message) for message in field_errors)
        errors.append({"field": name, "message": f"{label}: {text}" if label else text})
    raise InvalidInput(errors=errors)


def _ticket(actor: Actor, number: int) -> Ticket:
    return selectors.ticket_get(actor=actor, number=number)


def _done(request: HttpRequest, number: int) -> HttpResponse:
    return redirect_after_post(request, reverse("tickets:ticket_detail", args=[number]))


# --- The queue --------------------------------------------------------------------------


def _queue_url(request: HttpRequest, **kwargs: Any) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("tickets:ticket_list")


def _filter_params(request: HttpRequest) -> tuple[Any, str | None]:
    """The filter parameters (the bare queue URL means "my open tickets") and the cursor."""
    params = request.GET.copy()
    cursor = params.pop("cursor", [None])[-1]
    for key in list(params):  # the filter bar sends its empty selects ("any") as ""
        values = [value for value in params.getlist(key) if value]
        if values:
            params.setlist(key, values)
        else:
            del params[key]
    if not params:
        params["queue"] = Queue.MINE
    return params, cursor


def _filter_options(actor: Actor, params: Any) -> dict[str, Any]:
    """Choices of the filter bar, each marked selected from the current parameters."""
    options = presenters.select_options
    agents = [("me", _("Me")), ("none", _("Unassigned"))]
    agents += [(str(u.pk), str(u)) for u in selectors.agent_list(actor=actor)]
    return {
        "status": options(TicketStatus.choices, params.get("status", "")),
        "priority": options(TicketPriority.choices, params.get("priority", "")),
        "type": options(TicketType.choices, params.get("type", "")),
        "category": options(
            [(str(c.pk), str(c)) for c in selectors.category_list(actor=actor)],
            params.get("category", ""),
        ),
        "assignee": options(agents, params.get("assignee", "")),
        "tags": list(
            selectors.tag_list(actor=actor).values_list("name", flat=True)[:TAG_SUGGESTIONS]
        ),
    }


@login_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    """A queue with filters; htmx asks for just the rows (filtering, next page)."""
    actor: Actor | None = getattr(request, "actor", None)
    if actor is not None and actor.is_customer:
        return redirect("portal:ticket_list")
    actor = staff_actor(request)
    params, cursor = _filter_params(request)
    error, status, rows, next_cursor = "", 200, [], None
    try:
        filters = ticket_filter_parse(params)
        qs = ticket_filter_apply(
            actor=actor,
            qs=selectors.ticket_list(actor=actor).prefetch_related("tags"),
            filters=filters,
        )
        if filters.get("queue") == Queue.BREACHING:
            tickets = countdown.breaching_soon(actor=actor, qs=qs)  # by time left
        else:
            tickets, next_cursor = keyset_page(qs, cursor=cursor, limit=PAGE_SIZE)
        clocks = countdown.queue_clocks(actor=actor, tickets=tickets)
        rows = [
            presenters.ticket_row(actor.tenant, t, with_tags=True, sla=clocks.get(t.pk))
            for t in tickets
        ]
    except InvalidInput as exc:
        error, status = presenters.invalid_filter_text(exc), 400
    context: dict[str, Any] = {
        "rows": rows,
        "error": error,
        "next_url": presenters.next_page_url(params, next_cursor),
        "can_bulk_assign": actor.can("tickets.bulk_assign"),
    }
    if htmx_partial(request):
        return render(request, "tickets/partials/_ticket_rows.html", context, status=status)
    queue = params.get("queue", "")
    context |= {
        "queue": queue,
        "queue_links": presenters.queue_links(
            active=queue, counts=selectors.ticket_queue_counts(actor=actor)
        ),
        "options": _filter_options(actor, params),
        "params": params,
        "page_title": dict(Queue.choices).get(queue, _("Tickets")),
        "full_path": request.get_full_path(),
    }
    if context["can_bulk_assign"]:
        context["bulk_agents"] = selectors.agent_list(actor=actor)
        context["bulk_teams"] = selectors.team_list(actor=actor)
    return render(request, "tickets/ticket_list.html", context, status=status)


@login_required
@require_POST
@user_errors(_queue_url)
def ticket_bulk_assign(request: HttpRequest) -> HttpResponse:
    """Reassign the checked tickets to a colleague and/or a team (team leads)."""
    actor = staff_actor(request)
    data = valid(forms.BulkAssignForm(request.POST, actor=actor))
    tickets = services.tickets_bulk_assign(
        actor=actor, numbers=data["numbers"], assignee=data["assignee"], team=data["team"]
    )
    messages.success(request, _("%(n)d tickets were reassigned.") % {"n": len(tickets)})
    return redirect_after_post(request, _queue_url(request))


# --- A new ticket -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ticket_create(request: HttpRequest) -> HttpResponse:
    """Open a ticket for a customer (a phone call, a mail, a chat); errors stay in the form."""
    actor = staff_actor(request)
    if not actor.can("tickets.create"):
        raise Http404
    form = forms.AgentTicketForm(request.POST or None, request.FILES or None, actor=actor)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.ticket_create(
                    actor=actor,
                    **{name: data[name] for name in forms.AGENT_TICKET_FIELDS},
                    files=data["attachments"],
                )
            except ApplicationError as exc:
                for item in exc.errors or [{"field": "", "message": exc.message}]:
                    field = item.get("field")
                    form.add_error(field if field in form.fields else None, item["message"])
            else:
                messages.success(request, _("The ticket was created."))
                return redirect("tickets:ticket_detail", number=ticket.number)
    return render(request, "tickets/ticket_create.html", {"form": form}, status=status)


# --- The ticket page ----------------------------------------------------------------------


def _status_choices(actor: Actor, ticket: Ticket) -> list[tuple[str, str]]:
    """Statuses the workflow allows from here, less the closing ones without permission."""
    targets = allowed_targets(ticket.status)
    if not actor.can("tickets.resolve"):
        targets = targets - set(CLOSING_STATUSES)
    return [(value, str(label)) for value, label in TicketStatus.choices if value in targets]


def _permissions(actor: Actor, ticket: Ticket) -> dict[str, bool]:
    is_open = ticket.is_open and ticket.merged_into_id is None
    mine = actor.user.pk in (ticket.assignee_id, ticket.engineer_id)
    return {
        "can_reply": actor.can("tickets.reply"),
        "can_note": actor.can("tickets.note"),
        "can_write": ticket.status != TicketStatus.CLOSED or ticket.merged_into_id is not None,
        "can_update": actor.can("tickets.update"),
        "can_transition": actor.can("tickets.transition") and bool(_status_choices(actor, ticket)),
        "can_assign": actor.can("tickets.assign"),
        "can_take": actor.can("tickets.assign_self") and is_open and not mine,
        "can_escalate": actor.can("tickets.escalate") and is_open,
        "can_handback": actor.can("tickets.handback") and is_open and ticket.tier != Tier.L1,
        "can_merge": actor.can("tickets.merge") and is_open,
        "can_child": actor.can("tickets.create") and is_open,
        "can_knowledge": actor.can("knowledge.view"),
    }


def _detail_context(actor: Actor, ticket: Ticket) -> dict[str, Any]:
    tenant = actor.tenant
    events = selectors.ticket_timeline(actor=actor, ticket=ticket)
    children = selectors.ticket_children(actor=actor, ticket=ticket)
    teams = list(selectors.team_list(actor=actor))
    event_list = list(events)
    return {
        "ticket": ticket,
        "asset_warranty": presenters.asset_warranty(tenant, ticket.asset) if ticket.asset else None,
        "triage": presenters.triage_suggestions(event_list) if ticket.needs_triage else [],
        "row": presenters.ticket_row(tenant, ticket),
        "tags": ", ".join(tag.name for tag in ticket.tags.all()),
        "timeline": presenters.timeline_rows(tenant, ticket, event_list),
        "children": [presenters.ticket_row(tenant, child) for child in children],
        "parent": presenters.ticket_row(tenant, ticket.parent) if ticket.parent else None,
        "merged_into": presenters.ticket_row(tenant, ticket.merged_into)
        if ticket.merged_into
        else None,
        "status_choices": _status_choices(actor, ticket),
        "priority_choices": TicketPriority.choices,
        "type_choices": TicketType.choices,
        "categories": selectors.category_list(actor=actor),
        "agents": selectors.agent_list(actor=actor),
        "teams": teams,
        "escalation_teams": presenters.higher_tier_teams(teams, ticket.tier),
        "presence": presenters.presence_rows(selectors.presence_list(actor=actor, ticket=ticket)),
        "is_escalated": ticket.tier != Tier.L1,
        # mirrors services.ticket_take: engineers take escalated work as its engineer
        "take_as_engineer": ticket.tier != Tier.L1 and actor.role in (Role.L2, Role.L3),
        "macros": macro_presenters.macro_menu(actor=actor, ticket=ticket),
        **_sla_context(actor, ticket),
        **_permissions(actor, ticket),
    }


def _sla_context(actor: Actor, ticket: Ticket) -> dict[str, Any]:
    clocks = countdown.ticket_clocks(actor=actor, ticket=ticket)
    return {"clocks": clocks, "sla_policy": next((c.policy for c in clocks if c.policy), "")}


@login_required
@require_GET
@user_errors(_detail_url)
def ticket_sla(request: HttpRequest, number: int) -> HttpResponse:
    """The ticket's SLA panel alone (the page refreshes it every minute)."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    context = {"ticket": ticket, **_sla_context(actor, ticket)}
    return render(request, "sla/partials/_ticket_panel.html", context)


MAX_BADGES = 100


@login_required
@require_GET
def queue_sla(request: HttpRequest) -> HttpResponse:
    """Fresh SLA badges of the queue rows ``?n=<number>&n=…``, as out-of-band swaps."""
    actor = staff_actor(request)
    values = request.GET.getlist("n")
    if len(values) > MAX_BADGES or not all(v.isdigit() and len(v) <= 12 for v in values):
        return HttpResponseBadRequest(_("Give up to 100 ticket numbers."))
    numbers = sorted({int(v) for v in values})
    tickets = list(selectors.ticket_list(actor=actor).filter(number__in=numbers))
    clocks = countdown.queue_clocks(actor=actor, tickets=tickets)
    badges = [{"number": t.number, "clock": clocks.get(t.pk), "oob": True} for t in tickets]
    return render(request, "sla/partials/_badges.html", {"badges": badges})


@login_required
@require_GET
@user_errors(lambda request, *a, **k: reverse("tickets:ticket_list"))
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    """The ticket: conversation and timeline, properties, related tickets and actions."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    context = _detail_context(actor, ticket)
    if htmx_partial(request):
        return render(request, "tickets/partials/_timeline.html", context)
    return render(request, "tickets/ticket_detail.html", context)


@ticket_action
@transaction.atomic  # the reply and the field actions of a macro it used, or neither
def ticket_reply(request: HttpRequest, number: int) -> HttpResponse:
    """A public reply or an internal note, with files and optionally the next status."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    form = forms.ReplyForm(request.POST, request.FILES)
    then_status = form.fields["then_status"]
    assert isinstance(then_status, django_forms.ChoiceField)  # noqa: S101
    then_status.choices = [
        ("", _("Keep the status")),
        *_status_choices(actor, ticket),
    ]
    data = valid(form)
    event = services.ticket_reply(
        actor=actor,
        ticket=ticket,
        body=data["body"],
        public=form.public,
        files=data["attachments"],
        then_status=data["then_status"] or None,
        expected_version=data["version"],
    )
    if data["macro"]:  # picked in the composer: its field actions go with the reply
        macro = macro_selectors.macro_get(actor=actor, macro_id=data["macro"])
        macro_services.macro_apply_actions(actor=actor, ticket=event.ticket, macro=macro)
    return _done(request, event.ticket.number)


@ticket_action
def ticket_update(request: HttpRequest, number: int) -> HttpResponse:
    """Change priority, type, category and tags."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    data = valid(forms.TicketUpdateForm(request.POST, actor=actor))
    changes = {name: data[name] for name in ("priority", "type", "category", "tags")}
    services.ticket_update(
        actor=actor, ticket=ticket, changes=changes, expected_version=data["version"]
    )
    return _done(request, number)


@ticket_action
def ticket_transition(request: HttpRequest, number: int) -> HttpResponse:
    """Move the ticket to another status (the workflow decides which are allowed)."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    data = valid(forms.TransitionForm(request.POST))
    services.ticket_transition(
        actor=actor,
        ticket=ticket,
        to_status=data["to_status"],
        reason=data["reason"],
        expected_version=data["version"],
    )
    return _done(request, number)


@ticket_action
def ticket_assign(request: HttpRequest, number: int) -> HttpResponse:
    """Give the ticket (or its L2/L3 work) to a colleague, or unassign it."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    data = valid(forms.AssignForm(request.POST, actor=actor))
    services.ticket_assign(
        actor=actor,
        ticket=ticket,
        assignee=data["assignee"],
        as_engineer=data["role"] == forms.AssignForm.ROLE_ENGINEER,
        expected_version=data["version"],
    )
    return _done(request, number)


@ticket_action
def ticket_take(request: HttpRequest, number: int) -> HttpResponse:
    """Take the ticket: as owner at L1, as engineer once escalated."""
    actor = staff_actor(request)
    services.ticket_take(actor=actor, ticket=_ticket(actor, number))
    return _done(request, number)


@ticket_action
def ticket_escalate(request: HttpRequest, number: int) -> HttpResponse:
    """Escalate to a team of a higher tier, with a reason."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    data = valid(forms.EscalateForm(request.POST, actor=actor))
    services.ticket_escalate(
        actor=actor,
        ticket=ticket,
        team=data["team"],
        reason=data["reason"],
        expected_version=data["version"],
    )
    return _done(request, number)


@ticket_action
def ticket_handback(request: HttpRequest, number: int) -> HttpResponse:
    """Hand an escalated ticket back to the team that escalated it."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    data = valid(forms.HandbackForm(request.POST))
    services.ticket_handback(
        actor=actor, ticket=ticket, reason=data["reason"], expected_version=data["version"]
    )
    return _done(request, number)


@ticket_action
def ticket_merge(request: HttpRequest, number: int) -> HttpResponse:
    """Merge this ticket (a duplicate) into another one, given by its number."""
    actor = staff_actor(request)
    source = _ticket(actor, number)
    data = valid(forms.MergeForm(request.POST))
    try:
        target = _ticket(actor, data["into"])
    except NotFound as exc:
        raise InvalidInput(
            errors=[{"field": "into", "message": _("There is no ticket with this number.")}]
        ) from exc
    services.ticket_merge(actor=actor, source=source, target=target, reason=data["reason"])
    return _done(request, target.number)


@ticket_action
def ticket_child_create(request: HttpRequest, number: int) -> HttpResponse:
    """Open a child ticket (e.g. for R&D), by default blocking this one from resolving."""
    actor = staff_actor(request)
    parent = _ticket(actor, number)
    data = valid(forms.ChildTicketForm(request.POST, actor=actor))
    services.ticket_child_create(
        actor=actor,
        parent=parent,
        subject=data["subject"],
        description=data["description"],
        team=data["team"],
        blocks_parent=data["blocks_parent"],
    )
    return _done(request, number)


@login_required
@require_POST
@user_errors(_detail_url)
def ticket_presence(request: HttpRequest, number: int) -> HttpResponse:
    """Say "I am viewing / replying" and get who else has the ticket open (polled)."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    data = valid(forms.PresenceForm(request.POST))
    services.presence_touch(actor=actor, ticket=ticket, state=data["state"])
    context = {
        "presence": presenters.presence_rows(selectors.presence_list(actor=actor, ticket=ticket))
    }
    return render(request, "tickets/partials/_presence.html", context)


@login_required
@require_GET
@user_errors(_detail_url)
def attachment_download(request: HttpRequest, number: int, attachment_id: int) -> HttpResponseBase:
    """Download a file of this ticket (never shown inline)."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    return attachment_response(
        selectors.attachment_get(actor=actor, ticket=ticket, attachment_id=attachment_id)
    )


@login_required
@require_GET
@user_errors(_detail_url)
def attachment_view(request: HttpRequest, number: int, attachment_id: int) -> HttpResponseBase:
    """A picture of this ticket drawn in the page (a mail's inline image, a thumbnail)."""
    actor = staff_actor(request)
    ticket = _ticket(actor, number)
    return attachment_image_response(
        selectors.attachment_get(actor=actor, ticket=ticket, attachment_id=attachment_id)
    )
