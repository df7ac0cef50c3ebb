"""Writes of accounts: API tokens, the active business unit of a session."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import ApiToken
from zhongtai.core.errors import InvalidInput, NotFound

TOKEN_PREFIX = "zt_"  # noqa: S105 - a public prefix, not a secret


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Create a personal token for the actor's membership; the secret is returned once only."""
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput(errors=[{"field": "name", "message": _("Give the token a short name.")}])
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=actor.membership, name=name, prefix=secret[:10], key_hash=token_hash(secret)
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (another person's token is not found)."""
    token = (
        ApiToken.objects.select_for_update()
        .filter(membership__user=actor.user, membership__tenant=actor.tenant, pk=token_id)
        .first()
    )
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token
