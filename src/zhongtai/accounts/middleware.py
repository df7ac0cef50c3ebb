"""Resolve the acting membership and activate the business unit's time zone."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from zhongtai.accounts.selectors import actor_for_session

SESSION_TENANT_KEY = "zhongtai_tenant_id"


class TenantMiddleware:
    """Sets ``request.actor`` (or ``None``) for session users; API auth sets its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor = None
        if request.user.is_authenticated:
            actor = actor_for_session(
                user=request.user,
                tenant_id=request.session.get(SESSION_TENANT_KEY),
            )
        request.actor = actor  # type: ignore[attr-defined]
        if actor is not None:
            timezone.activate(actor.tenant.time_zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
