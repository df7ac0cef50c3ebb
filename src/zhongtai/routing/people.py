"""The people side of assignment: agents' status, capacity and skills; teams' overflow
rules and surge mode; the day's surge enrolments; and the board a team lead reads.

Everyone on the staff sets their own status. Team leads and administrators
(``team.manage``) set anyone's status, capacity and skills, a team's overflow rule, switch
surge mode and enrol people in a surge pool for a day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team, User
from zhongtai.core.errors import InvalidInput
from zhongtai.core.locks import unit_lock
from zhongtai.core.permissions import AGENT_ROLES, ensure_can
from zhongtai.customers.models import CustomerTier
from zhongtai.routing import assignment
from zhongtai.routing.loads import loads_of
from zhongtai.routing.models import AgentProfile, AgentStatus, SurgeEnrolment, TeamRouting
from zhongtai.tickets import selectors as ticket_selectors
from zhongtai.tickets.choices import Channel

MANAGE = "team.manage"
LANGUAGES = {"zh": "中文", "en": "English"}
MAX_OPEN = 500
MAX_LINES, MAX_NAME = 50, 100  # product lines of a person, characters of one


def _bad(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(errors=[{"field": field_name, "message": message}])


def ensure_manager(actor: Actor) -> None:
    """Team leads and administrators manage people's routing."""
    ensure_can(actor, MANAGE)


def _ensure_staff(actor: Actor) -> None:
    if actor.role not in AGENT_ROLES:
        ensure_can(actor, MANAGE)  # (raises: customers have no status)


def profile_of(*, tenant_id: int, user: User) -> AgentProfile:
    found = AgentProfile.objects.filter(tenant_id=tenant_id, user=user).first()
    return found or AgentProfile(tenant_id=tenant_id, user=user)


@transaction.atomic
def agent_status_set(*, actor: Actor, status: str, user: User | None = None) -> AgentProfile:
    """Set one's own status (or, for a lead, someone's). Going offline returns the
    tickets not started yet to the queue; becoming available takes from the queue."""
    _ensure_staff(actor)
    if user is None or user.pk == actor.user.pk:
        user = actor.user
    else:
        ensure_can(actor, MANAGE)
        user = ticket_selectors.agent_get(actor=actor, user_id=user.pk)
    if status not in AgentStatus.values:
        raise _bad("status", _("Choose available, busy, away or offline."))
    unit_lock("assignment", actor.tenant.pk)
    profile: AgentProfile
    profile, _created = AgentProfile.objects.select_for_update().get_or_create(
        tenant=actor.tenant, user=user
    )
    if profile.status == status:
        return profile
    profile.status = status
    profile.status_changed_at = timezone.now()
    profile.save(update_fields=["status", "status_changed_at", "updated_at"])
    teams = set(
        Team.members.through.objects.filter(user_id=user.pk).values_list("team_id", flat=True)
    )
    if status == AgentStatus.OFFLINE:
        returned = assignment.unstarted_return(
            tenant_id=actor.tenant.pk,
            user_id=user.pk,
            reason=assignment.offline_message(user.display_name or user.username),
        )
        assignment.drain_after_commit(actor.tenant.pk, returned)
    elif status == AgentStatus.AVAILABLE:
        assignment.drain_after_commit(actor.tenant.pk, teams)
    return profile


@dataclass
class ProfileInput:
    max_open: int = 10
    channel_caps: dict[str, int] = field(default_factory=dict)
    categories: list[int] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    customer_tiers: list[str] = field(default_factory=list)
    product_lines: list[str] = field(default_factory=list)


def _profile_checked(actor: Actor, data: ProfileInput) -> ProfileInput:
    if not 1 <= data.max_open <= MAX_OPEN:
        raise _bad("max_open", _("Give a number from 1 to %(n)d.") % {"n": MAX_OPEN})
    for channel, cap in data.channel_caps.items():
        if channel not in Channel.values:
            raise _bad("channel_caps", _("Unknown channel: %(v)s.") % {"v": channel})
        if not 0 <= cap <= MAX_OPEN:
            raise _bad("channel_caps", _("Give a number from 0 to %(n)d.") % {"n": MAX_OPEN})
    known = set(
        ticket_selectors.category_list(actor=actor)
        .filter(pk__in=data.categories)
        .values_list("pk", flat=True)
    )
    if set(data.categories) - known:
        raise _bad("categories", _("Unknown category."))
    for language in data.languages:
        if language not in LANGUAGES:
            raise _bad("languages", _("Unknown language: %(v)s.") % {"v": language})
    for tier in data.customer_tiers:
        if tier not in CustomerTier.values:
            raise _bad("customer_tiers", _("Unknown customer tier: %(v)s.") % {"v": tier})
    lines: dict[str, str] = {}
    for line in data.product_lines:
        line = line.strip()
        if len(line) > MAX_NAME:
            raise _bad("product_lines", _("At most %(n)d characters.") % {"n": MAX_NAME})
        if line:
            lines.setdefault(line.lower(), line)
    if len(lines) > MAX_LINES:
        raise _bad("product_lines", _("At most %(n)d product lines.") % {"n": MAX_LINES})
    return ProfileInput(
        max_open=data.max_open,
        channel_caps=dict(sorted(data.channel_caps.items())),
        categories=sorted(set(data.categories)),
        languages=sorted(set(data.languages)),
        customer_tiers=sorted(set(data.customer_tiers)),
        product_lines=sorted(lines.values(), key=str.lower),
    )


@transaction.atomic
def agent_profile_save(*, actor: Actor, user: User, data: ProfileInput) -> AgentProfile:
    """Set a person's capacity and skills (their status stays as it is)."""
    ensure_can(actor, MANAGE)
    user = ticket_selectors.agent_get(actor=actor, user_id=user.pk)
    clean = _profile_checked(actor, data)
    profile: AgentProfile
    profile, _created = AgentProfile.objects.update_or_create(
        tenant=actor.tenant,
        user=user,
        defaults={
            "max_open": clean.max_open,
            "channel_caps": clean.channel_caps,
            "categories": clean.categories,
            "languages": clean.languages,
            "customer_tiers": clean.customer_tiers,
            "product_lines": clean.product_lines,
        },
    )
    if profile.status == AgentStatus.AVAILABLE:  # more capacity may take from the queue
        teams = Team.members.through.objects.filter(user_id=user.pk).values_list(
            "team_id", flat=True
        )
        assignment.drain_after_commit(actor.tenant.pk, teams)
    return profile


def team_routing_of(team: Team) -> TeamRouting:
    found = TeamRouting.objects.filter(team=team).first()
    return found or TeamRouting(tenant_id=team.tenant_id, team=team)


@transaction.atomic
def team_overflow_save(
    *,
    actor: Actor,
    team: Team,
    overflow_to: str,
    backup_team: Team | None = None,
    max_waiting: int | None = None,
    max_wait_minutes: int | None = None,
) -> TeamRouting:
    """Set where a team's new work goes when its queue is too long or too old."""
    ensure_can(actor, MANAGE)
    team = ticket_selectors.team_get(actor=actor, team_id=team.pk)
    if overflow_to not in TeamRouting.OverflowTo.values:
        raise _bad("overflow_to", _("Choose nowhere, the surge pool or the backup team."))
    if backup_team is not None:
        backup_team = ticket_selectors.team_get(actor=actor, team_id=backup_team.pk)
        if backup_team.pk == team.pk:
            raise _bad("backup_team", _("A team cannot be its own backup."))
    if overflow_to == TeamRouting.OverflowTo.BACKUP and backup_team is None:
        raise _bad("backup_team", _("Choose the backup team."))
    if overflow_to and max_waiting is None and max_wait_minutes is None:
        raise _bad("max_waiting", _("Give a queue length, an oldest wait, or both."))
    for name, value in (("max_waiting", max_waiting), ("max_wait_minutes", max_wait_minutes)):
        if value is not None and not 1 <= value <= 100_000:
            raise _bad(name, _("Give a number from 1 to %(n)d.") % {"n": 100_000})
    routing, _created = TeamRouting.objects.update_or_create(
        team=team,
        defaults={
            "tenant": actor.tenant,
            "overflow_to": overflow_to,
            "backup_team": backup_team,
            "max_waiting": max_waiting,
            "max_wait_minutes": max_wait_minutes,
        },
    )
    return routing


@transaction.atomic
def surge_switch(*, actor: Actor, team: Team, on: bool) -> TeamRouting:
    """Switch a team's surge mode: while on, its surge pool of the day takes new work."""
    ensure_can(actor, MANAGE)
    team = ticket_selectors.team_get(actor=actor, team_id=team.pk)
    routing: TeamRouting
    routing, _created = TeamRouting.objects.select_for_update().get_or_create(
        team=team, defaults={"tenant": actor.tenant}
    )
    if routing.surge_on != on:
        routing.surge_on = on
        routing.surge_changed_at = timezone.now()
        routing.surge_changed_by = actor.user
        routing.save(
            update_fields=["surge_on", "surge_changed_at", "surge_changed_by", "updated_at"]
        )
        if on:
            assignment.drain_after_commit(actor.tenant.pk, [team.pk])
    return routing


def unit_today(actor: Actor) -> date:
    return timezone.localtime(timezone.now(), ZoneInfo(actor.tenant.time_zone)).date()


@transaction.atomic
def surge_enrol(*, actor: Actor, team: Team, user: User, day: date | None = None) -> SurgeEnrolment:
    """Enrol someone of the unit's staff in a team's surge pool for a day (today by
    default). Enrolling twice is the same as once."""
    ensure_can(actor, MANAGE)
    team = ticket_selectors.team_get(actor=actor, team_id=team.pk)
    user = ticket_selectors.agent_get(actor=actor, user_id=user.pk)
    today = unit_today(actor)
    day = day or today
    if day < today:
        raise _bad("day", _("Enrol for today or a later day."))
    enrolment, _created = SurgeEnrolment.objects.get_or_create(
        team=team, user=user, day=day, defaults={"tenant": actor.tenant, "enrolled_by": actor.user}
    )
    if day == today:
        assignment.drain_after_commit(actor.tenant.pk, [team.pk])
    return enrolment


@transaction.atomic
def surge_unenrol(*, actor: Actor, team: Team, user: User, day: date | None = None) -> int:
    ensure_can(actor, MANAGE)
    team = ticket_selectors.team_get(actor=actor, team_id=team.pk)
    deleted, _rows = SurgeEnrolment.objects.filter(
        tenant=actor.tenant, team=team, user_id=user.pk, day=day or unit_today(actor)
    ).delete()
    return deleted


@dataclass
class BoardRow:
    user: User
    profile: AgentProfile
    open: int
    teams: list[str]

    @property
    def load(self) -> float:
        return self.open / self.profile.max_open if self.profile.max_open else 1.0


@dataclass
class TeamBoard:
    team: Team
    routing: TeamRouting
    waiting: int
    oldest_wait_minutes: float
    surge: list[User]


def board(*, actor: Actor) -> dict[str, Any]:
    """What a lead reads: every staff member's status, load and skills; every team's
    queue, overflow rule, surge mode and today's surge pool."""
    ensure_can(actor, MANAGE)
    tenant_id = actor.tenant.pk
    staff = list(ticket_selectors.agent_list(actor=actor).prefetch_related("teams"))
    profiles = {p.user_id: p for p in AgentProfile.objects.filter(tenant_id=tenant_id)}
    loads = loads_of(tenant_id, [u.pk for u in staff])
    rows = [
        BoardRow(
            user=user,
            profile=profiles.get(user.pk) or AgentProfile(tenant_id=tenant_id, user=user),
            open=sum(loads.get(user.pk, {}).values()),
            teams=[t.name for t in user.teams.all() if t.tenant_id == tenant_id],
        )
        for user in staff
    ]
    today = unit_today(actor)
    enrolled: dict[int, list[User]] = {}
    for enrolment in SurgeEnrolment.objects.filter(tenant_id=tenant_id, day=today).select_related(
        "user"
    ):
        enrolled.setdefault(enrolment.team_id, []).append(enrolment.user)
    teams = []
    for team in ticket_selectors.team_list(actor=actor).order_by("tier", "name"):
        waiting, oldest = assignment.queue_of(tenant_id, team.pk)
        teams.append(
            TeamBoard(
                team=team,
                routing=team_routing_of(team),
                waiting=waiting,
                oldest_wait_minutes=oldest,
                surge=enrolled.get(team.pk, []),
            )
        )
    return {"agents": rows, "teams": teams, "today": today}
