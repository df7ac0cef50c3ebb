"""View decorators that turn a request into an ``Actor`` of the right kind."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import NotFound

PortalView = Callable[..., HttpResponseBase]


def customer_view(view: PortalView) -> PortalView:
    """Log in, be a customer contact of the active business unit, then run ``view``.

    Staff go to the agent queue; a user without an active membership gets a 404. A
    ``NotFound`` from a selector or service becomes a 404 too.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        actor: Actor | None = getattr(request, "actor", None)
        if actor is None:
            raise Http404
        if actor.is_staff_role:
            return redirect("tickets:ticket_list")
        if not actor.is_customer:
            raise Http404
        try:
            return view(request, actor, *args, **kwargs)
        except NotFound as exc:
            raise Http404 from exc

    return login_required(wrapper)


def staff_actor_with(request: HttpRequest, perm: str) -> Actor:
    """The acting staff member whose role grants ``perm``: anyone else who is not staff
    gets a 404 (the workspace does not exist for them), staff without it a 403."""
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None or not actor.is_staff_role:
        raise Http404
    if not actor.can(perm):
        raise DjangoPermissionDenied
    return actor
