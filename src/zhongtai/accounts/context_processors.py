"""Template context: the acting membership and the business units one can switch to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhongtai.accounts.selectors import membership_list


def tenancy(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"actor": None, "memberships": []}
    return {
        "actor": actor,
        "memberships": membership_list(user=actor.user),
    }
