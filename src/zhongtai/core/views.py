"""Platform-level views: the landing redirect and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their workspace: agents to the queue, contacts to the portal."""
    actor = getattr(request, "actor", None)
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if actor is None:
        return redirect("admin:index") if request.user.is_staff else redirect("accounts:login")
    return redirect("tickets:ticket_list" if actor.is_staff_role else "portal:ticket_list")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
