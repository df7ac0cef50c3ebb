"""Account pages: switch business unit, manage personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhongtai.accounts import selectors, services
from zhongtai.accounts.actors import Actor
from zhongtai.accounts.middleware import SESSION_TENANT_KEY
from zhongtai.core.errors import ApplicationError, NotFound


def _actor(request: HttpRequest) -> Actor:
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None:
        raise Http404
    return actor


@login_required
@require_POST
def tenant_switch(request: HttpRequest) -> HttpResponse:
    """Make another of the user's business units the active one."""
    tenant_id = request.POST.get("tenant", "")
    memberships = selectors.membership_list(user=request.user)  # type: ignore[arg-type]
    if not tenant_id.isdigit() or not memberships.filter(tenant_id=int(tenant_id)).exists():
        raise Http404
    request.session[SESSION_TENANT_KEY] = int(tenant_id)
    return redirect("home")


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """List personal API tokens and create one (its secret is shown once)."""
    actor = _actor(request)
    secret = None
    if request.method == "POST":
        try:
            _token, secret = services.api_token_create(
                actor=actor, name=request.POST.get("name", "")
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
    tokens = selectors.api_token_list(actor=actor)
    return render(request, "accounts/token_list.html", {"tokens": tokens, "secret": secret})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(actor=_actor(request), token_id=token_id)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:token_list")
