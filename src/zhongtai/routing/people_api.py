"""The routing API of people and settings (``/api/v1/routing/…``).

Everyone on the staff sets their own status (``PUT /routing/status``). Team leads and
administrators (``team.manage``) read the board of agents and teams, set anyone's status,
capacity and skills, a team's overflow rule, surge mode and the day's surge pool. The
unit's administrators and L2 (``routing.manage``) set how intake routes (classification,
threshold, automatic assignment, the VIP lane) and queue a classifier's training.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from zhongtai.core.api import actor_of
from zhongtai.core.inputs import LINE_PATTERN, TEXT_PATTERN, Id, PathId
from zhongtai.customers.models import CustomerTier
from zhongtai.routing import people, services
from zhongtai.routing.classifier import Example
from zhongtai.routing.models import (
    AgentProfile,
    AgentStatus,
    ClassifierModel,
    ClassifierTarget,
    TeamRouting,
)
from zhongtai.tickets import selectors as ticket_selectors
from zhongtai.tickets.choices import Channel

router = Router(tags=["routing"])


class RoutingStatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: AgentStatus = Field(description="Only an available agent is given tickets.")


class RoutingProfileIn(Schema):
    model_config = ConfigDict(extra="forbid")
    max_open: int = Field(default=10, ge=1, le=people.MAX_OPEN)
    channel_caps: dict[Channel, int] = Field(
        default_factory=dict, description="Open tickets at most per channel, e.g. {'chat': 3}."
    )
    category_ids: list[Id] = Field(
        default_factory=list, max_length=200, description="Empty: any category."
    )
    languages: list[str] = Field(
        default_factory=list, max_length=10, description="'zh', 'en'; empty: any."
    )
    customer_tiers: list[CustomerTier] = Field(
        default_factory=list, max_length=10, description="Empty: any tier."
    )
    product_lines: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Of the ticket's asset, any case; empty: any product line.",
    )


class RoutingAgentOut(Schema):
    user_id: int
    name: str
    status: AgentStatus
    status_changed_at: datetime | None
    open: int = Field(description="Open tickets held, as owner or engineer.")
    max_open: int
    channel_caps: dict[str, int]
    category_ids: list[int]
    languages: list[str]
    customer_tiers: list[str]
    product_lines: list[str]
    teams: list[str]


class RoutingOverflowIn(Schema):
    model_config = ConfigDict(extra="forbid")
    overflow_to: TeamRouting.OverflowTo = Field(description="'', 'surge' or 'backup'.")
    backup_team_id: Id | None = None
    max_waiting: int | None = Field(default=None, ge=1, le=100_000)
    max_wait_minutes: int | None = Field(default=None, ge=1, le=100_000)


class RoutingSurgeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    on: bool


class RoutingEnrolIn(Schema):
    model_config = ConfigDict(extra="forbid")
    user_id: Id
    day: date | None = Field(default=None, description="Today (the unit's) by default.")


class RoutingTeamOut(Schema):
    team_id: int
    name: str
    tier: str
    waiting: int = Field(description="Unassigned open tickets in the team's queue.")
    oldest_wait_minutes: float
    overflow_to: str
    backup_team_id: int | None
    max_waiting: int | None
    max_wait_minutes: int | None
    surge_on: bool
    surge_today: list[int] = Field(description="User ids enrolled in the surge pool today.")


class RoutingSettingsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    classify_at_intake: bool = True
    confidence_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    auto_assign: bool = False
    vip_team_id: Id | None = None


class RoutingSettingsOut(RoutingSettingsIn):
    pass


class RoutingTrainIn(Schema):
    model_config = ConfigDict(extra="forbid")
    target: ClassifierTarget = ClassifierTarget.CATEGORY


class RoutingVersionOut(Schema):
    id: int
    target: str
    version: int
    status: str
    progress: int
    source: str
    examples: int
    held_back: int
    metrics: dict[str, Any]
    trained_at: datetime | None


def _agent(row: people.BoardRow) -> dict[str, Any]:
    profile: AgentProfile = row.profile
    return {
        "user_id": row.user.pk,
        "name": str(row.user),
        "status": profile.status,
        "status_changed_at": profile.status_changed_at,
        "open": row.open,
        "max_open": profile.max_open,
        "channel_caps": profile.channel_caps,
        "category_ids": profile.categories,
        "languages": profile.languages,
        "customer_tiers": profile.customer_tiers,
        "product_lines": profile.product_lines,
        "teams": row.teams,
    }


def _agent_of(request: HttpRequest, user_id: int) -> dict[str, Any]:
    rows = people.board(actor=actor_of(request))["agents"]
    return _agent(next(row for row in rows if row.user.pk == user_id))


def _team(row: people.TeamBoard) -> dict[str, Any]:
    routing = row.routing
    return {
        "team_id": row.team.pk,
        "name": row.team.name,
        "tier": row.team.tier,
        "waiting": row.waiting,
        "oldest_wait_minutes": round(row.oldest_wait_minutes, 1),
        "overflow_to": routing.overflow_to,
        "backup_team_id": routing.backup_team_id,
        "max_waiting": routing.max_waiting,
        "max_wait_minutes": routing.max_wait_minutes,
        "surge_on": routing.surge_on,
        "surge_today": [user.pk for user in row.surge],
    }


def _team_of(request: HttpRequest, team_id: int) -> dict[str, Any]:
    rows = people.board(actor=actor_of(request))["teams"]
    return _team(next(row for row in rows if row.team.pk == team_id))


@router.put("/status", response=RoutingStatusIn, summary="Set my own status")
def routing_my_status_api(request: HttpRequest, data: RoutingStatusIn) -> dict[str, Any]:
    profile = people.agent_status_set(actor=actor_of(request), status=data.status)
    return {"status": profile.status}


@router.get(
    "/agents", response=list[RoutingAgentOut], summary="The unit's staff: status, load, skills"
)
def routing_agents_api(request: HttpRequest) -> list[dict[str, Any]]:
    return [_agent(row) for row in people.board(actor=actor_of(request))["agents"]]


@router.put(
    "/agents/{int:user_id}/status", response=RoutingAgentOut, summary="Set someone's status"
)
def routing_agent_status_api(
    request: HttpRequest, user_id: PathId, data: RoutingStatusIn
) -> dict[str, Any]:
    actor = actor_of(request)
    people.ensure_manager(actor)
    user = ticket_selectors.agent_get(actor=actor, user_id=user_id)
    people.agent_status_set(actor=actor, status=data.status, user=user)
    return _agent_of(request, user_id)


@router.put(
    "/agents/{int:user_id}/profile",
    response=RoutingAgentOut,
    summary="Set someone's capacity and skills",
)
def routing_agent_profile_api(
    request: HttpRequest, user_id: PathId, data: RoutingProfileIn
) -> dict[str, Any]:
    actor = actor_of(request)
    people.ensure_manager(actor)
    user = ticket_selectors.agent_get(actor=actor, user_id=user_id)
    people.agent_profile_save(
        actor=actor,
        user=user,
        data=people.ProfileInput(
            max_open=data.max_open,
            channel_caps={str(k): v for k, v in data.channel_caps.items()},
            categories=list(data.category_ids),
            languages=list(data.languages),
            customer_tiers=[str(t) for t in data.customer_tiers],
            product_lines=list(data.product_lines),
        ),
    )
    return _agent_of(request, user_id)


@router.get(
    "/teams", response=list[RoutingTeamOut], summary="Teams: queue, overflow rule, surge mode"
)
def routing_teams_api(request: HttpRequest) -> list[dict[str, Any]]:
    return [_team(row) for row in people.board(actor=actor_of(request))["teams"]]


@router.put(
    "/teams/{int:team_id}/overflow", response=RoutingTeamOut, summary="Set a team's overflow rule"
)
def routing_team_overflow_api(
    request: HttpRequest, team_id: PathId, data: RoutingOverflowIn
) -> dict[str, Any]:
    actor = actor_of(request)
    people.ensure_manager(actor)
    team = ticket_selectors.team_get(actor=actor, team_id=team_id)
    backup = (
        ticket_selectors.team_get(actor=actor, team_id=data.backup_team_id)
        if data.backup_team_id
        else None
    )
    people.team_overflow_save(
        actor=actor,
        team=team,
        overflow_to=str(data.overflow_to),
        backup_team=backup,
        max_waiting=data.max_waiting,
        max_wait_minutes=data.max_wait_minutes,
    )
    return _team_of(request, team_id)


@router.put("/teams/{int:team_id}/surge", response=RoutingTeamOut, summary="Switch surge mode")
def routing_team_surge_api(
    request: HttpRequest, team_id: PathId, data: RoutingSurgeIn
) -> dict[str, Any]:
    actor = actor_of(request)
    people.ensure_manager(actor)
    team = ticket_selectors.team_get(actor=actor, team_id=team_id)
    people.surge_switch(actor=actor, team=team, on=data.on)
    return _team_of(request, team_id)


@router.post(
    "/teams/{int:team_id}/surge/enrolments",
    response={201: RoutingTeamOut},
    summary="Enrol someone in the team's surge pool for a day",
)
def routing_surge_enrol_api(
    request: HttpRequest, team_id: PathId, data: RoutingEnrolIn
) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    people.ensure_manager(actor)
    team = ticket_selectors.team_get(actor=actor, team_id=team_id)
    user = ticket_selectors.agent_get(actor=actor, user_id=data.user_id)
    people.surge_enrol(actor=actor, team=team, user=user, day=data.day)
    return Status(201, _team_of(request, team_id))


@router.delete(
    "/teams/{int:team_id}/surge/enrolments/{int:user_id}",
    response={204: None},
    summary="Take someone out of today's surge pool",
)
def routing_surge_unenrol_api(
    request: HttpRequest, team_id: PathId, user_id: PathId
) -> Status[None]:
    actor = actor_of(request)
    people.ensure_manager(actor)
    team = ticket_selectors.team_get(actor=actor, team_id=team_id)
    user = ticket_selectors.agent_get(actor=actor, user_id=user_id)
    people.surge_unenrol(actor=actor, team=team, user=user)
    return Status(204, None)


def _settings(request: HttpRequest) -> dict[str, Any]:
    found = services.routing_settings_of(actor=actor_of(request))
    return {
        "classify_at_intake": found.classify_at_intake,
        "confidence_threshold": found.confidence_threshold,
        "auto_assign": found.auto_assign,
        "vip_team_id": found.vip_team_id,
    }


@router.get("/settings", response=RoutingSettingsOut, summary="How intake routes new tickets")
def routing_settings_api(request: HttpRequest) -> dict[str, Any]:
    services.ensure_manager(actor_of(request))
    return _settings(request)


@router.put("/settings", response=RoutingSettingsOut, summary="Set how intake routes new tickets")
def routing_settings_update_api(request: HttpRequest, data: RoutingSettingsIn) -> dict[str, Any]:
    actor = actor_of(request)
    services.ensure_manager(actor)
    vip_team = (
        ticket_selectors.team_get(actor=actor, team_id=data.vip_team_id)
        if data.vip_team_id
        else None
    )
    services.routing_settings_save(
        actor=actor,
        classify_at_intake=data.classify_at_intake,
        confidence_threshold=data.confidence_threshold,
        auto_assign=data.auto_assign,
        vip_team=vip_team,
    )
    return _settings(request)


def _version(model: ClassifierModel) -> dict[str, Any]:
    return {
        "id": model.pk,
        "target": model.target,
        "version": model.version,
        "status": model.status,
        "progress": model.progress,
        "source": model.source,
        "examples": model.examples,
        "held_back": model.held_back,
        "metrics": model.metrics or {},
        "trained_at": model.trained_at,
    }


@router.get(
    "/classifier/versions",
    response=list[RoutingVersionOut],
    summary="The classifier's latest versions, newest first, with held-back scores",
)
def routing_classifier_versions_api(request: HttpRequest) -> list[dict[str, Any]]:
    return [_version(m) for m in services.classifier_versions(actor=actor_of(request))]


@router.post(
    "/classifier/train",
    response={202: RoutingVersionOut},
    summary="Train a new version on the unit's resolved tickets, in the worker",
)
def routing_classifier_train_api(
    request: HttpRequest, data: RoutingTrainIn
) -> Status[dict[str, Any]]:
    model = services.classifier_train_request(actor=actor_of(request), target=str(data.target))
    return Status(202, _version(model))


class RoutingExampleIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20_000, pattern=TEXT_PATTERN)
    label: str = Field(min_length=1, max_length=200, pattern=LINE_PATTERN)


class RoutingEvaluateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    target: ClassifierTarget = ClassifierTarget.CATEGORY
    examples: list[RoutingExampleIn] = Field(min_length=1, max_length=5_000)


class RoutingLabelScoreOut(Schema):
    label: str
    precision: float
    recall: float
    f1: float
    support: int


class RoutingEvaluationOut(Schema):
    version: int = Field(description="The active version that was scored.")
    examples: int
    accuracy: float
    macro_f1: float
    unknown_labels: int = Field(description="Examples whose label the version never saw.")
    per_label: list[RoutingLabelScoreOut]


@router.post(
    "/classifier/evaluate",
    response=RoutingEvaluationOut,
    summary="Score the active version on labelled examples (nothing is stored)",
)
def routing_classifier_evaluate_api(
    request: HttpRequest, data: RoutingEvaluateIn
) -> dict[str, Any]:
    version, evaluation = services.classifier_evaluate_for(
        actor=actor_of(request),
        target=str(data.target),
        examples=[Example(e.text, e.label) for e in data.examples],
    )
    return {"version": version.version, **evaluation.as_dict()}
