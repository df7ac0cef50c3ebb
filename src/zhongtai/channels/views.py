"""The outbound webhook pages of the workspace: the list, the editor, the secret shown
once, a webhook's delivery log with its test event and replays, and one delivery's
attempts.

Thin: a form, a service or selector call, a render or a redirect. Only the unit's
administrators (``integrations.manage``) open them: other staff get a 403, customers a
404; another unit's webhook or delivery is a 404.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.channels import selectors, services
from zhongtai.channels.choices import STATE_BADGE, DeliveryState, WebhookEvent
from zhongtai.channels.forms import WebhookForm
from zhongtai.channels.models import WebhookDelivery, WebhookSubscription
from zhongtai.core.errors import ApplicationError, InvalidInput, NotFound
from zhongtai.core.htmx import htmx_partial, redirect_after_post, user_errors
from zhongtai.core.pagination import keyset_page

LOG_PAGE = 50


def _admin(request: HttpRequest) -> Actor:
    return staff_actor_with(request, selectors.PERM)


def _webhook(actor: Actor, webhook_id: int) -> WebhookSubscription:
    try:
        return selectors.webhook_get(actor=actor, webhook_id=webhook_id)
    except NotFound as exc:
        raise Http404 from exc


def _events_text(events: list[str]) -> str:
    return ", ".join(str(WebhookEvent(e).label) for e in events if e in WebhookEvent.values)


def _list_row(webhook: WebhookSubscription) -> dict[str, Any]:
    """A row of the list: the webhook and its latest delivery (the selector's annotations)."""
    state = getattr(webhook, "last_state", None) or ""
    return {
        "webhook": webhook,
        "events": _events_text(webhook.events),
        "last_state": state,
        "last_label": DeliveryState(state).label if state else "",
        "last_badge": STATE_BADGE.get(state, "light"),
        "last_code": getattr(webhook, "last_code", None),
        "last_at": getattr(webhook, "last_at", None),
    }


@login_required
@require_GET
def webhook_list(request: HttpRequest) -> HttpResponse:
    """The unit's webhooks with their events and how their latest delivery went."""
    actor = _admin(request)
    rows = [_list_row(webhook) for webhook in selectors.webhook_list(actor=actor)]
    return render(request, "channels/webhook_list.html", {"rows": rows})


def _secret_page(request: HttpRequest, webhook: WebhookSubscription, created: bool) -> HttpResponse:
    """The secret, this once (the answer to the POST that made it: nothing keeps it for a
    later page)."""
    context = {"webhook": webhook, "secret": webhook.secret, "created": created}
    return render(request, "channels/webhook_secret.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, webhook_id: int | None = None) -> HttpResponse:
    """Subscribe a new receiver (then show its secret once), or change a webhook."""
    actor = _admin(request)
    webhook = _webhook(actor, webhook_id) if webhook_id is not None else None
    form = WebhookForm(request.POST or None, initial=WebhookForm.initial_of(webhook))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if webhook is None:
                    created = services.webhook_create(actor=actor, data=form.to_input())
                    return _secret_page(request, created, created=True)
                saved = services.webhook_update(
                    actor=actor, webhook_id=webhook.pk, data=form.to_input()
                )
                messages.success(request, _("Webhook “%(name)s” saved.") % {"name": saved.name})
                return redirect("webhooks:webhook_detail", saved.pk)
            except NotFound as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                for item in exc.errors or [{"field": "", "message": exc.message}]:
                    name = item.get("field", "")
                    form.add_error(name if name in form.fields else None, item["message"])
    context = {"form": form, "webhook": webhook}
    return render(request, "channels/webhook_form.html", context, status=status)


def _delivery_rows(deliveries: list[WebhookDelivery]) -> list[dict[str, Any]]:
    return [{"delivery": d, "badge": STATE_BADGE[d.state]} for d in deliveries]


@login_required
@require_GET
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """A webhook's settings and its delivery log, newest first, a page at a time (htmx
    asks for the log alone when filtering or paging)."""
    actor = _admin(request)
    webhook = _webhook(actor, webhook_id)
    state = request.GET.get("state", "")
    state = state if state in DeliveryState.values else ""
    filters = selectors.DeliveryFilter(webhook_id=webhook.pk, state=state)
    deliveries = selectors.delivery_list(actor=actor, filters=filters)
    try:
        rows, next_cursor = keyset_page(
            deliveries, cursor=request.GET.get("cursor") or None, limit=LOG_PAGE
        )
    except InvalidInput:  # a cursor edited by hand: start from the newest
        rows, next_cursor = keyset_page(deliveries, cursor=None, limit=LOG_PAGE)
    context = {
        "webhook": webhook,
        "events": _events_text(webhook.events),
        "rows": _delivery_rows(rows),
        "next_cursor": next_cursor,
        "state": state,
        "states": DeliveryState.choices,
    }
    if htmx_partial(request):
        return render(request, "channels/partials/_webhook_deliveries.html", context)
    return render(request, "channels/webhook_detail.html", context)


def _list_url(request: HttpRequest, **kwargs: Any) -> str:
    return reverse("webhooks:webhook_list")


def _detail_url(request: HttpRequest, webhook_id: int) -> str:
    return reverse("webhooks:webhook_detail", args=[webhook_id])


@login_required
@require_POST
@user_errors(_list_url)
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    services.webhook_delete(actor=_admin(request), webhook_id=webhook_id)
    messages.success(request, _("The webhook and its delivery log were deleted."))
    return redirect_after_post(request, reverse("webhooks:webhook_list"))


@login_required
@require_POST
@user_errors(_detail_url)
def webhook_rotate(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = services.webhook_secret_rotate(actor=_admin(request), webhook_id=webhook_id)
    return _secret_page(request, webhook, created=False)


@login_required
@require_POST
@user_errors(_detail_url)
def webhook_ping(request: HttpRequest, webhook_id: int) -> HttpResponse:
    services.webhook_ping(actor=_admin(request), webhook_id=webhook_id)
    messages.success(request, _("A test event is on its way; reload to see how it went."))
    return redirect("webhooks:webhook_detail", webhook_id)


@login_required
@require_GET
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """One delivery: its payload and every attempt's status code, error and answer (htmx
    asks for the attempts alone, under the delivery's row in the log)."""
    actor = _admin(request)
    try:
        delivery = selectors.delivery_get(actor=actor, delivery_id=delivery_id)
    except NotFound as exc:
        raise Http404 from exc
    context = {
        "delivery": delivery,
        "badge": STATE_BADGE[delivery.state],
        "attempts": selectors.delivery_attempts(actor=actor, delivery=delivery),
        "payload": json.dumps(delivery.payload, ensure_ascii=False, indent=2),
    }
    if htmx_partial(request):
        return render(request, "channels/partials/_delivery_attempts.html", context)
    return render(request, "channels/delivery_detail.html", context)


@login_required
@require_POST
@user_errors(_list_url)
def delivery_replay(request: HttpRequest, delivery_id: int) -> HttpResponse:
    replay = services.delivery_replay(actor=_admin(request), delivery_id=delivery_id)
    messages.success(request, _("The event is sent again; reload to see how it went."))
    return redirect("webhooks:webhook_detail", replay.subscription_id)
