"""Who is in a ticket's lanes right now, read in one query: the members of the lane teams
and the day's surge pool, with each one's status, capacity, load and skills.

Assignment reads this for every new ticket, for a couple of hundred people, so it is
written for speed: one SQL statement joins the team members, the surge enrolments, the
routing profiles, the people, their memberships and their kept loads
(``zhongtai.routing.loads``), without the ORM's per-row conversions. Skills and channel
caps change seldom and are JSON: they are kept per process and read again for a person
only when their profile's ``updated_at`` moved, which every save of the profile does.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from zhongtai.routing.assign import AVAILABLE, Agent
from zhongtai.routing.loads import loads_of

SURGE = 0  # the "team" of a surge pool row


@dataclass(frozen=True)
class Skills:
    stamp: Any  # the profile's updated_at, as the database spells it
    channel_caps: Mapping[str, int]
    categories: frozenset[int]
    languages: frozenset[str]
    customer_tiers: frozenset[str]
    product_lines: frozenset[str]  # lower-cased


_skills: dict[int, dict[int, Skills]] = {}  # unit → person → skills
_lock = threading.Lock()


def _json(value: Any, empty: Any) -> Any:
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return value or empty


def _skills_read(tenant_id: int, user_ids: list[int]) -> dict[int, Skills]:
    marks = ", ".join(["%s"] * len(user_ids))
    sql = f"""
        SELECT user_id, CAST(updated_at AS TEXT), channel_caps, categories, languages,
               customer_tiers, product_lines
        FROM routing_agentprofile WHERE tenant_id = %s AND user_id IN ({marks})"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant_id, *user_ids])
        rows = cursor.fetchall()
    return {
        user_id: Skills(
            stamp=stamp,
            channel_caps=_json(caps, {}),
            categories=frozenset(_json(categories, ())),
            languages=frozenset(_json(languages, ())),
            customer_tiers=frozenset(_json(tiers, ())),
            product_lines=frozenset(line.strip().lower() for line in _json(lines, ())),
        )
        for user_id, stamp, caps, categories, languages, tiers, lines in rows
    }


def skills_forget() -> None:
    """Between tests (a recreated database reuses ids and times)."""
    with _lock:
        _skills.clear()


def epoch_sql(column: str) -> str:
    """SQL for a timestamp column in seconds since 1970 (None stays None)."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::float8"
    return f"(julianday({column}) - 2440587.5) * 86400.0"


@dataclass
class Roster:
    members: dict[int, list[int]]  # lane team → its people (profiled, active)
    surge_ids: list[int]
    agents: dict[int, Agent]


def roster_read(
    *,
    tenant_id: int,
    team_ids: Iterable[int],
    surge_team_id: int | None = None,
    surge_day: date | None = None,
    channel: str | None = None,
) -> Roster:
    """The people of ``team_ids`` and, with ``surge_team_id``, of that team's surge pool
    on ``surge_day``. Loads are read for ``channel`` (a single decision), or for every
    channel when it is None (a drain, whose tickets come in on any channel)."""
    teams = list(team_ids)
    parts: list[str] = []
    params: list[Any] = []
    if teams:
        marks = ", ".join(["%s"] * len(teams))
        where = f"team_id IN ({marks})"
        parts.append(f"SELECT team_id, user_id FROM accounts_team_members WHERE {where}")  # noqa: S608
        params += teams
    if surge_team_id is not None and surge_day is not None:
        parts.append(
            f"SELECT {SURGE}, user_id FROM routing_surgeenrolment"  # noqa: S608
            " WHERE team_id = %s AND day = %s"
        )
        params += [surge_team_id, surge_day]
    roster = Roster(members={}, surge_ids=[], agents={})
    if not parts:
        return roster
    on_channel = "%s" if channel is not None else "''"
    sql = f"""
        SELECT lane.team_id, p.user_id, p.status, p.max_open, CAST(p.updated_at AS TEXT),
               {epoch_sql("p.last_assigned_at")}, u.display_name, u.username,
               COALESCE(total.tickets, 0), COALESCE(here.tickets, 0)
        FROM ({" UNION ALL ".join(parts)}) AS lane
        JOIN routing_agentprofile p ON p.tenant_id = %s AND p.user_id = lane.user_id
        JOIN accounts_user u ON u.id = p.user_id AND u.is_active
        JOIN accounts_membership m
          ON m.tenant_id = p.tenant_id AND m.user_id = p.user_id AND m.is_active
        LEFT JOIN routing_agentload total
          ON total.tenant_id = p.tenant_id AND total.user_id = p.user_id AND total.channel = ''
        LEFT JOIN routing_agentload here
          ON here.tenant_id = p.tenant_id AND here.user_id = p.user_id
          AND here.channel = {on_channel}"""  # noqa: S608  (marks and constants only)
    params.append(tenant_id)
    if channel is not None:
        params.append(channel)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    known = _skills.get(tenant_id, {})
    stale = [
        row[1] for row in rows if row[2] == AVAILABLE and known.get(row[1], _NO).stamp != row[4]
    ]
    if stale:
        fresh = _skills_read(tenant_id, sorted(set(stale)))
        with _lock:
            known = {**_skills.get(tenant_id, {}), **fresh}
            _skills[tenant_id] = known
    by_channel: dict[int, Counter[str]] = {}
    if channel is None:
        by_channel = loads_of(tenant_id, [row[1] for row in rows if row[2] == AVAILABLE])
    for team_id, user_id, status, max_open, _stamp, last, display, username, total, here in rows:
        if team_id == SURGE:
            roster.surge_ids.append(user_id)
        else:
            roster.members.setdefault(team_id, []).append(user_id)
        if user_id in roster.agents:
            continue
        name = display or username
        if status != AVAILABLE:  # (refused for it before anything else is looked at)
            roster.agents[user_id] = Agent(user_id, name, status, max_open)
            continue
        skills = known.get(user_id, _NO)
        roster.agents[user_id] = Agent(
            user_id=user_id,
            name=name,
            status=status,
            max_open=max_open,
            channel_caps=skills.channel_caps,
            categories=skills.categories,
            languages=skills.languages,
            customer_tiers=skills.customer_tiers,
            product_lines=skills.product_lines,
            open=total,
            open_by_channel={channel: here} if channel is not None else by_channel.get(user_id, {}),
            last_assigned=float(last or 0.0),
        )
    return roster


_NO = Skills(None, {}, frozenset(), frozenset(), frozenset(), frozenset())
