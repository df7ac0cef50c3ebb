"""Who am I, my API tokens, and the tenant's teams, agents and categories."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from zhongtai.accounts import selectors as account_selectors
from zhongtai.accounts import services
from zhongtai.accounts.models import Tier
from zhongtai.core.api import actor_of
from zhongtai.core.inputs import LINE_PATTERN, PathId
from zhongtai.core.permissions import ensure_can
from zhongtai.tickets import selectors as ticket_selectors

router = Router(tags=["accounts"])


class TenantOut(Schema):
    slug: str
    name: str
    time_zone: str
    language: str
    ticket_prefix: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    tenant: TenantOut
    permissions: list[str]


class TokenCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80, pattern=LINE_PATTERN)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret. It is shown only this once.")


class TeamOut(Schema):
    id: int
    name: str
    tier: Tier
    member_ids: list[int]

    @staticmethod
    def resolve_member_ids(obj: object) -> list[int]:
        return [user.pk for user in obj.members.all()]  # type: ignore[attr-defined]


class AgentOut(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj: object) -> str:
        return str(obj)


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    path: str

    @staticmethod
    def resolve_path(obj: object) -> str:
        return str(obj)


@router.get("/me", response=MeOut, summary="The authenticated user and business unit")
def me_api(request: HttpRequest) -> dict[str, object]:
    actor = actor_of(request)
    return {
        "id": actor.user.pk,
        "username": actor.user.username,
        "name": str(actor.user),
        "role": actor.role,
        "tenant": actor.tenant,
        "permissions": sorted(actor.perms),
    }


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def token_list_api(request: HttpRequest) -> object:
    return list(account_selectors.api_token_list(actor=actor_of(request)))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token")
def token_create_api(request: HttpRequest, data: TokenCreateIn) -> Status[dict[str, object]]:
    token, secret = services.api_token_create(actor=actor_of(request), name=data.name)
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": secret})


@router.delete("/tokens/{int:token_id}", response=TokenOut, summary="Revoke an API token")
def token_revoke_api(request: HttpRequest, token_id: PathId) -> object:
    return services.api_token_revoke(actor=actor_of(request), token_id=token_id)


@router.get("/teams", response=list[TeamOut], summary="Teams of the business unit")
def team_list_api(request: HttpRequest) -> object:
    actor = actor_of(request)
    ensure_can(actor, "tickets.view")
    return list(ticket_selectors.team_list(actor=actor).prefetch_related("members"))


@router.get("/agents", response=list[AgentOut], summary="Staff who can be assigned tickets")
def agent_list_api(request: HttpRequest) -> object:
    actor = actor_of(request)
    ensure_can(actor, "tickets.view")
    return list(ticket_selectors.agent_list(actor=actor))


@router.get("/categories", response=list[CategoryOut], summary="The category tree, flat")
def category_list_api(request: HttpRequest) -> object:
    actor = actor_of(request)
    return list(ticket_selectors.category_list(actor=actor))
