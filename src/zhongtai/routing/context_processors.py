"""Template context: the acting staff member's routing status, for the header's switch."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhongtai.routing.models import AgentProfile, AgentStatus


def agent_status(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_staff_role:
        return {}
    status = (
        AgentProfile.objects.filter(tenant_id=actor.tenant.pk, user_id=actor.user.pk)
        .values_list("status", flat=True)
        .first()
    )
    return {"my_status": status or AgentStatus.OFFLINE, "agent_statuses": AgentStatus.choices}
