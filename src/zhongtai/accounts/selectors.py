"""Reads of accounts: who is acting, in which business unit."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import ApiToken, Membership, User
from zhongtai.accounts.services import TOKEN_PREFIX, token_hash

TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def membership_list(*, user: User) -> QuerySet[Membership]:
    """The user's active memberships, in the order the tenant switcher shows them."""
    return (
        Membership.objects.filter(user=user, is_active=True, tenant__isnull=False)
        .select_related("tenant", "user")
        .order_by("tenant__name")
    )


def actor_for_session(*, user: User, tenant_id: int | None) -> Actor | None:
    """The actor for a logged-in user: the chosen tenant, else their first one."""
    memberships = list(membership_list(user=user))
    if not memberships:
        return None
    chosen = next((m for m in memberships if m.tenant_id == tenant_id), memberships[0])
    return Actor(chosen)


def actor_for_token(*, secret: str) -> Actor | None:
    """The actor behind an API token, or ``None`` for an unknown or revoked token."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.filter(key_hash=token_hash(secret), revoked_at__isnull=True)
        .select_related("membership__tenant", "membership__user")
        .first()
    )
    if token is None:
        return None
    membership = token.membership
    if not membership.is_active or not membership.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        # A cheap, throttled touch so that the hot path does not write on every request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Actor(membership)


def api_token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=actor.membership)
