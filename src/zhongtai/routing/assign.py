"""Who takes a ticket: the decision of assignment, without the database.

Intake (``zhongtai.routing.assignment``) and the simulator (``zhongtai.routing.simulate``)
both decide with ``choose``: the same code sends a real ticket and a simulated one.

A ticket is tried on *lanes* in order: the VIP lane for a VIP customer, the ticket's
team (with the team's surge pool of the day beside its members while surge mode is on),
the surge pool while the team overflows into it, and the backup team while the team
overflows. In the first lane where someone can
take it, the ticket goes to the agent with the least load (open tickets over capacity),
and among equals to the one who got a ticket longest ago (round robin). Nobody able to
take it in any lane: it waits in its team's queue until someone frees up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

AVAILABLE = "available"
# Why an agent cannot take a ticket, in the order they are checked.
STATUS, CAPACITY, CHANNEL, CATEGORY, PRODUCT_LINE, LANGUAGE, TIER = (
    "status",
    "capacity",
    "channel_capacity",
    "category",
    "product_line",
    "language",
    "customer_tier",
)
SHOWN_CANDIDATES = 5  # the explanation on the timeline names the best few


@dataclass(frozen=True)
class Agent:
    """An agent as assignment sees them: status, capacity, skills and current load."""

    user_id: int
    name: str
    status: str
    max_open: int
    channel_caps: Mapping[str, int] = field(default_factory=dict)
    categories: frozenset[int] = frozenset()  # empty: any category
    languages: frozenset[str] = frozenset()  # empty: any language
    customer_tiers: frozenset[str] = frozenset()  # empty: any tier
    product_lines: frozenset[str] = frozenset()  # lower-cased; empty: any product line
    open: int = 0
    open_by_channel: Mapping[str, int] = field(default_factory=dict)
    last_assigned: float = 0.0  # a timestamp; 0: never


@dataclass(frozen=True)
class Need:
    """What a ticket asks of the person who takes it."""

    channel: str
    category_ids: frozenset[int] = frozenset()  # its category and the category's ancestors
    language: str = ""
    customer_tier: str = ""
    product_line: str = ""  # of the ticket's asset, lower-cased; "" without one


@dataclass(frozen=True)
class Lane:
    kind: str  # "vip", "team", "surge" or "backup"
    team_id: int
    agents: Sequence[Agent]
    surge: bool = False  # the team's lane with the surge pool in it


@dataclass
class Decision:
    user_id: int | None
    team_id: int | None  # the lane's team (the backup team moves the ticket there)
    lane: str | None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)

    def explain(self) -> dict[str, Any]:
        """For the timeline: where it went, the best candidates and their scores, and how
        many could not take it and why."""
        return {
            "lane": self.lane,
            "team_id": self.team_id,
            "user_id": self.user_id,
            "candidates": self.candidates,
            "refused": self.refused,
        }


def refusal(agent: Agent, need: Need) -> str | None:
    """Why ``agent`` cannot take a ticket with ``need`` now, or None if they can."""
    if agent.status != AVAILABLE:
        return STATUS
    if agent.open >= agent.max_open:
        return CAPACITY
    cap = agent.channel_caps.get(need.channel)
    if cap is not None and agent.open_by_channel.get(need.channel, 0) >= cap:
        return CHANNEL
    if agent.categories and need.category_ids and not (agent.categories & need.category_ids):
        return CATEGORY
    if agent.product_lines and need.product_line and need.product_line not in agent.product_lines:
        return PRODUCT_LINE
    if agent.languages and need.language and need.language not in agent.languages:
        return LANGUAGE
    if agent.customer_tiers and need.customer_tier not in agent.customer_tiers:
        return TIER
    return None


def load(agent: Agent) -> float:
    """Open tickets over capacity: 0 is idle, 1 is full."""
    return agent.open / agent.max_open if agent.max_open else 1.0


def rank(agent: Agent) -> tuple[float, float, int]:
    """Least load first; among equals, whoever got a ticket longest ago (round robin)."""
    return (round(load(agent), 6), agent.last_assigned, agent.user_id)


def choose(lanes: Sequence[Lane], need: Need) -> Decision:
    """The agent who takes the ticket, lane by lane, with the reasons on record."""
    refused: Counter[str] = Counter()
    for lane in lanes:
        able = []
        for agent in lane.agents:
            reason = refusal(agent, need)
            if reason is None:
                able.append(agent)
            else:
                refused[reason] += 1
        if able:
            able.sort(key=rank)
            return Decision(
                user_id=able[0].user_id,
                team_id=lane.team_id,
                lane="team+surge" if lane.surge else lane.kind,
                candidates=[
                    {
                        "id": agent.user_id,
                        "name": agent.name,
                        "open": agent.open,
                        "max_open": agent.max_open,
                        "load": round(load(agent), 3),
                    }
                    for agent in able[:SHOWN_CANDIDATES]
                ],
                refused=dict(refused),
            )
    return Decision(user_id=None, team_id=None, lane=None, refused=dict(refused))


@dataclass(frozen=True)
class Overflow:
    """A team's overflow rule: past ``max_waiting`` unassigned tickets or an oldest wait
    of ``max_wait_minutes``, new work also goes to ``to`` ("surge" or "backup")."""

    to: str = ""  # "", "surge" or "backup"
    max_waiting: int | None = None
    max_wait_minutes: int | None = None

    def passed(self, waiting: int, oldest_wait_minutes: float) -> bool:
        if not self.to:
            return False
        return (self.max_waiting is not None and waiting >= self.max_waiting) or (
            self.max_wait_minutes is not None and oldest_wait_minutes >= self.max_wait_minutes
        )


def lanes_for(
    *,
    vip: Lane | None,
    team: Lane | None,
    surge: Lane | None,
    backup: Lane | None,
    surge_on: bool,
    overflowing: bool,
    overflow_to: str,
) -> list[Lane]:
    """The lanes a ticket tries, in order (see the module's docstring).

    With surge mode on, the day's pool works beside the team, one lane by least load: a
    lead enrolled them to share the work, not to wait until every member is full. A pool
    that only an overflow rule calls in is a lane after the team's."""
    lanes = [lane for lane in (vip,) if lane is not None]
    if team is not None and surge is not None and surge_on:
        lanes.append(Lane("team", team.team_id, [*team.agents, *surge.agents], surge=True))
    elif team is not None:
        lanes.append(team)
    if surge is not None and not surge_on and overflowing and overflow_to == "surge":
        lanes.append(surge)
    if backup is not None and overflowing and overflow_to == "backup":
        lanes.append(backup)
    return lanes


def language_of(text: str) -> str:
    """ "zh" for a text with Chinese characters in it, else "en": enough to send a ticket to
    someone who reads it."""
    for char in text:
        if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
            return "zh"
    return "en"
