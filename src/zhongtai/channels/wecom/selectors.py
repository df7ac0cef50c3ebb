"""Reads of the unit's WeCom apps and what their callbacks received."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from zhongtai.accounts.actors import Actor
from zhongtai.channels.models import WeComApp, WeComInbound
from zhongtai.core.errors import NotFound
from zhongtai.customers.models import Identity, IdentityKind


def wecom_app_list(*, actor: Actor) -> QuerySet[WeComApp]:
    if not actor.can("integrations.manage"):
        return WeComApp.objects.none()
    return WeComApp.objects.filter(tenant=actor.tenant)


def wecom_app_get(*, actor: Actor, app_id: int) -> WeComApp:
    app = wecom_app_list(actor=actor).filter(pk=app_id).first()
    if app is None:
        raise NotFound()
    return app


def wecom_app_for_callback(*, app_id: int) -> WeComApp | None:
    """The active app a callback URL names (no actor: WeCom calls it, and the signature
    made with the app's token is what proves the caller)."""
    return WeComApp.objects.filter(pk=app_id, is_active=True).first()


def unlinked_external_contacts(*, actor: Actor, limit: int = 20) -> QuerySet[WeComInbound]:
    """External contacts members added on WeCom whose id no contact of the unit holds."""
    if not actor.is_staff_role:
        return WeComInbound.objects.none()
    known = Identity.objects.filter(
        tenant=actor.tenant,
        kind=IdentityKind.WECOM_EXTERNAL_USERID,
        value=OuterRef("external_user_id"),
    )
    return (
        WeComInbound.objects.filter(tenant=actor.tenant, change_type="add_external_contact")
        .exclude(external_user_id="")
        .filter(~Exists(known))
        .order_by("-created_at", "-id")[:limit]
    )


def inbound_recent(*, actor: Actor, app: WeComApp, limit: int = 50) -> QuerySet[WeComInbound]:
    return WeComInbound.objects.filter(tenant=actor.tenant, app=app)[:limit]
