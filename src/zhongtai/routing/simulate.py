"""A day of ticket arrivals through the real assignment code (``zhongtai simulate``).

Every decision of who takes a ticket is ``assign.choose`` over the lanes of
``assign.lanes_for``, with the team's ``assign.Overflow`` rule: the code that sends real
tickets. Only the clock, the arrivals and the handling times are simulated, so a lead can
compare routing strategies on the same day before the peak comes.

The model (minutes; the clock is minutes since midnight, the day ``start`` to ``end``):

- Arrivals are a Poisson process with a rate per hour (the scenario's hourly list, or the
  built-in intraday ``profile``, times ``multiplier``), or a replay of a history file (at a
  multiplier other than 1, the history's hourly counts become the rates and each new
  arrival copies a history row of its hour). One ``random.Random(seed)`` draws them and
  every ticket's handling time up front, so every strategy sees the same tickets.
- Tickets arrive in their team (the first team, the *frontline*, unless a history row
  names another). The first team also owns the surge pool and the overflow rule.
- An agent holds up to ``max_open`` tickets (and ``channel_caps``) but works on one at a
  time, in the order they were given: a ticket's first response is when its agent starts
  it, and it closes after its handling time, which frees capacity.
- A ticket nobody can take waits in its team's queue. Queues are handed out oldest first,
  again through ``choose``, whenever capacity frees and every minute, like
  ``assignment.team_queue_drain`` (with its batch of 200 and its stop after 20 misses).
- The overflow rule is evaluated at each decision from the team's queue (length and
  oldest wait, leaving out the ticket decided), like ``assignment.decide``.

The strategies (what routing settings the day runs with):

- ``least_load``: the system's default, no surge and no overflow rule: the team lane only
  (and the VIP lane for VIP customers when the scenario has a ``vip_team``);
- ``surge``: surge mode switched on for the day: the pool works beside the team, in its
  lane, by least load;
- ``overflow_surge``: the pool is enrolled, but its lane opens only while the team's
  overflow rule has passed;
- ``overflow_backup``: the backup team's lane opens while the overflow rule has passed;
- ``round_robin``, a naive baseline that ignores load: ``choose`` is shown only the agents
  with room left, each as if they had nothing open, so that ``last_assigned`` alone
  orders them: the one given a ticket longest ago takes the next.

Simplifications: everyone is available all day (no breaks, shifts or going offline, so
nothing returns to a queue); the surge pool is enrolled for the whole day; handling time
does not depend on the agent or on how many tickets they hold; a ticket is done in one
sitting (no waiting on the customer, no reopening); the day ends at ``end``: tickets not
started by then count as missing the first-response target, with their wait so far in
the mean and p90 (a lower bound). Only the work that arrives in the scenario is
simulated (a backup team's own tickets are not), and utilisation counts only the groups
a strategy can send work to, on shift from ``start`` to ``end``.

Reading the results: lanes are tried in order, so a pool that only overflow calls in,
and the backup team, get a ticket only when nobody in the team has room below
``max_open``. As agents work one ticket at a time, a team at a high ``max_open`` keeps
tickets waiting behind its busy members while such a pool is idle; surge mode, where the
pool shares the team's lane by least load, does not.
"""

from __future__ import annotations

import csv
import heapq
import json
import math
import random
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from itertools import count, islice
from pathlib import Path
from typing import Any

from zhongtai.routing.assign import (
    AVAILABLE,
    CAPACITY,
    CHANNEL,
    Agent,
    Lane,
    Need,
    Overflow,
    choose,
    lanes_for,
    refusal,
)

STRATEGIES = ("least_load", "round_robin", "surge", "overflow_surge", "overflow_backup")
SURGE_GROUP = "surge"
DRAIN_BATCH = 200  # as assignment.DRAIN_BATCH (that module needs the database)
DRAIN_MISSES = 20  # as assignment.DRAIN_MISSES
Z90 = 1.2815515655446004  # the standard normal's 90th percentile
# The "normal" profile: arrivals per clock hour (0-23) relative to the day's peak hour.
# A business-facing desk: a morning peak at 11, a lunch dip, a second peak mid-afternoon.
NORMAL_PROFILE = (
    *(0.03, 0.02, 0.02, 0.02, 0.02, 0.04, 0.08, 0.20, 0.45, 0.75, 0.95, 1.00),
    *(0.80, 0.85, 0.95, 0.90, 0.80, 0.65, 0.50, 0.45, 0.40, 0.30, 0.20, 0.10),
)
DONE, TICK, ARRIVE = 0, 1, 2  # at the same minute: free capacity first, then hand out


class ScenarioError(ValueError):
    """A scenario that cannot be simulated. The message names the field at fault."""


@dataclass(frozen=True)
class Handling:
    """Handling minutes: lognormal(``mu``, ``sigma``), or always ``mean`` when sigma is 0."""

    mean: float
    mu: float = 0.0
    sigma: float = 0.0

    def draw(self, rng: random.Random) -> float:
        return rng.lognormvariate(self.mu, self.sigma) if self.sigma else self.mean


@dataclass(frozen=True)
class TeamSpec:
    """A team of identical agents (the surge pool is one too)."""

    name: str
    agents: int
    max_open: int
    channel_caps: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    customer_tiers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OverflowSpec:
    max_waiting: int | None
    max_wait_minutes: int | None
    backup_team: str | None


@dataclass(frozen=True)
class Arrival:
    """A ticket of the day: when it arrives, its team, what it needs, how long it takes.
    ``handling`` is None in a history row without one (drawn when the day is made)."""

    at: float
    team: str
    need: Need
    handling: float | None


@dataclass(frozen=True)
class Scenario:
    name: str
    note: str
    seed: int
    start: float
    end: float
    rates: tuple[float, ...]  # per hour from ``start``, before the multiplier
    multiplier: float
    history: tuple[Arrival, ...] | None
    channels: Mapping[str, float]
    vip_share: float
    vip_team: str | None
    teams: tuple[TeamSpec, ...]
    surge: TeamSpec | None
    overflow: OverflowSpec | None
    handling: Handling
    target: float
    strategies: tuple[str, ...]


@dataclass(eq=False)
class SimAgent:
    """An agent during the run: tickets held (the one in hand and a FIFO behind it)."""

    user_id: int
    group: str
    spec: TeamSpec
    fifo: deque[int] = field(default_factory=deque)
    current: int | None = None
    open: int = 0
    open_by_channel: Counter[str] = field(default_factory=Counter)
    last_assigned: float = 0.0
    busy: float = 0.0
    _seen: Agent | None = None

    def seen(self) -> Agent:
        """The agent as ``choose`` sees them now."""
        if self._seen is None:
            self._seen = Agent(
                user_id=self.user_id,
                name=f"{self.group}-{self.user_id}",
                status=AVAILABLE,
                max_open=self.spec.max_open,
                channel_caps=self.spec.channel_caps,
                languages=self.spec.languages,
                customer_tiers=self.spec.customer_tiers,
                open=self.open,
                open_by_channel=dict(self.open_by_channel),
                last_assigned=self.last_assigned,
            )
        return self._seen

    def take(self, ticket: int, channel: str, at: float) -> None:
        self.fifo.append(ticket)
        self.open += 1
        self.open_by_channel[channel] += 1
        self.last_assigned = at
        self._seen = None

    def close(self, channel: str) -> None:
        self.current = None
        self.open -= 1
        self.open_by_channel[channel] -= 1
        self._seen = None


Check = Callable[[float, Sequence[SimAgent]], None]


@dataclass(frozen=True)
class StrategyResult:
    """One strategy's day. Waits are minutes to first response; ``sla_met`` is the share
    (%) of tickets answered within the target; ``utilisation`` is busy over on-shift time
    (%) per group; ``lanes`` counts the tickets each lane took."""

    strategy: str
    tickets: int
    mean_wait: float | None
    p90_wait: float | None
    sla_met: float | None
    utilisation: dict[str, float]
    lanes: dict[str, int]
    max_queue: int
    waiting_at_end: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "tickets": self.tickets,
            "mean_wait_minutes": self.mean_wait,
            "p90_wait_minutes": self.p90_wait,
            "sla_met_percent": self.sla_met,
            "utilisation_percent": self.utilisation,
            "lanes": self.lanes,
            "to_surge": self.lanes.get("surge", 0),
            "to_backup": self.lanes.get("backup", 0),
            "max_queue": self.max_queue,
            "waiting_at_end": self.waiting_at_end,
        }


@dataclass(frozen=True)
class Report:
    scenario: Scenario
    tickets: int
    results: list[StrategyResult]

    def as_dict(self) -> dict[str, Any]:
        s = self.scenario
        return {
            "scenario": s.name,
            "note": s.note,
            "day": f"{clock_text(s.start)}-{clock_text(s.end)}",
            "multiplier": s.multiplier,
            "seed": s.seed,
            "first_response_target_minutes": s.target,
            "tickets": self.tickets,
            "strategies": [result.as_dict() for result in self.results],
        }


def clock_text(minutes: float) -> str:
    return f"{int(minutes // 60):02d}:{int(minutes % 60):02d}"


# Reading a scenario ----------------------------------------------------------------------


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _get(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ScenarioError(f"{_path(where, key)}: missing")
    return data[key]


def _num(value: Any, path: str, *, low: float = 0.0, above: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{path}: must be a number, not {value!r}")
    if value < low or (above and value == low):
        raise ScenarioError(f"{path}: must be {'above' if above else 'at least'} {low:g}")
    return float(value)


def _int(value: Any, path: str, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{path}: must be a whole number, not {value!r}")
    if value < low:
        raise ScenarioError(f"{path}: must be at least {low}")
    return value


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(f"{path}: must be a non-empty text, not {value!r}")
    return value


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{path}: must be an object, not {type(value).__name__}")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScenarioError(f"{path}: must be a list, not {type(value).__name__}")
    return value


def _clock(value: Any, path: str) -> float:
    text = _str(value, path)
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ScenarioError(f"{path}: must be a time like 09:00, not {text!r}")
    at = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or at > 24 * 60:
        raise ScenarioError(f"{path}: not a time of day: {text!r}")
    return float(at)


def _team(value: Any, path: str, *, name: str | None = None) -> TeamSpec:
    data = _obj(value, path)
    caps = _obj(data.get("channel_caps", {}), f"{path}.channel_caps")
    skills = _obj(data.get("skills", {}), f"{path}.skills")
    sets = {}
    for key in ("languages", "customer_tiers"):
        items = _list(skills.get(key, []), f"{path}.skills.{key}")
        sets[key] = frozenset(_str(item, f"{path}.skills.{key}") for item in items)
    return TeamSpec(
        name=name or _str(_get(data, "name", path), f"{path}.name"),
        agents=_int(_get(data, "agents", path), f"{path}.agents"),
        max_open=_int(_get(data, "max_open", path), f"{path}.max_open", low=1),
        channel_caps={k: _int(v, f"{path}.channel_caps.{k}") for k, v in caps.items()},
        languages=sets["languages"],
        customer_tiers=sets["customer_tiers"],
    )


def _handling(value: Any) -> Handling:
    path = "handling_minutes"
    if not isinstance(value, dict):
        return Handling(mean=_num(value, path, above=True))
    mean = _num(_get(value, "mean", path), f"{path}.mean", above=True)
    if "p90" in value:
        p90 = _num(value["p90"], f"{path}.p90", low=mean, above=True)
        spread = Z90**2 - 2 * math.log(p90 / mean)
        if spread < 0:
            raise ScenarioError(f"{path}.p90: a lognormal's p90 is at most 2.27 times its mean")
        sigma = Z90 - math.sqrt(spread)
    elif "sd" in value:
        sd = _num(value["sd"], f"{path}.sd")
        sigma = math.sqrt(math.log(1 + (sd / mean) ** 2))
    else:
        raise ScenarioError(f"{path}: needs p90 or sd besides the mean (or one number)")
    return Handling(mean=mean, mu=math.log(mean) - sigma**2 / 2, sigma=sigma)


def _rates(root: Mapping[str, Any], slots: int) -> tuple[float, ...]:
    if "from_history" in root:
        return ()  # (the history replaces generated arrivals)
    if "arrivals_per_hour" in root:
        items = _list(root["arrivals_per_hour"], "arrivals_per_hour")
        if len(items) != slots:
            raise ScenarioError(f"arrivals_per_hour: needs {slots} rates, one per hour of the day")
        return tuple(_num(item, "arrivals_per_hour") for item in items)
    if "profile" in root:
        if root["profile"] != "normal":
            raise ScenarioError(
                f"profile: the only built-in profile is 'normal', not {root['profile']!r}"
            )
        peak = _num(_get(root, "peak_per_hour", ""), "peak_per_hour")
        start = int(_clock(root["start"], "start")) // 60
        return tuple(peak * NORMAL_PROFILE[(start + slot) % 24] for slot in range(slots))
    raise ScenarioError("arrivals_per_hour: missing (or profile, or from_history)")


def _history_rows(path: Path) -> list[tuple[int, Mapping[str, Any]]]:
    """The rows of a history file (JSON lines, or CSV with a header) by line number."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            if path.suffix == ".csv":
                reader = csv.DictReader(handle)
                return [(reader.line_num, row) for row in reader]
            rows = []
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        rows.append((number, _obj(json.loads(line), f"from_history line {number}")))
                    except json.JSONDecodeError as exc:
                        raise ScenarioError(f"from_history line {number}: {exc.msg}") from exc
            return rows
    except OSError as exc:
        raise ScenarioError(f"from_history: cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"from_history: {path} is not UTF-8 text") from exc


def _time_of_day(text: Any, path: str) -> float:
    """Minutes since midnight of "09:03", "09:03:12" or a date and time (its wall clock)."""
    try:
        moment = time.fromisoformat(text) if len(text) <= 8 else datetime.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"{path}: not a time: {text!r}") from exc
    return moment.hour * 60 + moment.minute + moment.second / 60


def _history_arrival(row: Mapping[str, Any], where: str, scenario: Scenario) -> Arrival:
    at = _time_of_day(_get(row, "at", where), f"{where}.at")
    text = {}
    for key in ("team", "channel", "language", "tier"):
        value = row.get(key)
        text[key] = "" if value in (None, "") else _str(value, f"{where}.{key}")
    team = text["team"] or scenario.teams[0].name
    if team not in {spec.name for spec in scenario.teams}:
        raise ScenarioError(f"{where}.team: no team {team!r} in the scenario")
    handling = row.get("handling_minutes")
    if handling not in (None, ""):
        try:
            handling = float(handling)
        except (TypeError, ValueError) as exc:
            raise ScenarioError(f"{where}.handling_minutes: not a number: {handling!r}") from exc
        handling = _num(handling, f"{where}.handling_minutes", above=True)
    need = Need(
        channel=text["channel"] or next(iter(scenario.channels)),
        language=text["language"],
        customer_tier=text["tier"],
    )
    return Arrival(at=at, team=team, need=need, handling=handling or None)


def _history(path: Path, scenario: Scenario) -> tuple[Arrival, ...]:
    """The history's arrivals within the day, in order (rows outside it are left out)."""
    arrivals = [
        _history_arrival(row, f"from_history line {number}", scenario)
        for number, row in _history_rows(path)
    ]
    within = [arrival for arrival in arrivals if scenario.start <= arrival.at < scenario.end]
    return tuple(sorted(within, key=lambda arrival: arrival.at))


def _strategies(root: Mapping[str, Any], scenario: Scenario) -> tuple[str, ...]:
    if "strategies" not in root:
        return tuple(name for name in STRATEGIES if not strategy_problem(scenario, name))
    names = tuple(_str(name, "strategies") for name in _list(root["strategies"], "strategies"))
    for name in names:
        problem = strategy_problem(scenario, name)
        if problem:
            raise ScenarioError(f"strategies: {problem}")
    return names


def strategy_problem(scenario: Scenario, name: str) -> str:
    """Why ``scenario`` cannot run strategy ``name`` ("" if it can)."""
    if name not in STRATEGIES:
        return f"unknown strategy {name!r} (known: {', '.join(STRATEGIES)})"
    if name in ("surge", "overflow_surge") and not (scenario.surge and scenario.surge.agents):
        return f"{name} needs a surge_pool with agents"
    if name.startswith("overflow_") and scenario.overflow is None:
        return f"{name} needs an overflow rule"
    if name == "overflow_backup" and not (scenario.overflow and scenario.overflow.backup_team):
        return "overflow_backup needs overflow.backup_team"
    return ""


def _overflow(root: Mapping[str, Any], teams: set[str]) -> OverflowSpec | None:
    if "overflow" not in root:
        return None
    data = _obj(root["overflow"], "overflow")
    if data.get("to", "surge") not in ("surge", "backup"):
        raise ScenarioError(f"overflow.to: must be 'surge' or 'backup', not {data['to']!r}")
    waiting = data.get("max_waiting")
    wait = data.get("max_wait_minutes")
    if waiting is None and wait is None:
        raise ScenarioError("overflow: needs max_waiting or max_wait_minutes")
    backup = data.get("backup_team")
    if backup is not None and _str(backup, "overflow.backup_team") not in teams:
        raise ScenarioError(f"overflow.backup_team: no team {backup!r} in teams")
    return OverflowSpec(
        max_waiting=None if waiting is None else _int(waiting, "overflow.max_waiting"),
        max_wait_minutes=None if wait is None else _int(wait, "overflow.max_wait_minutes"),
        backup_team=backup,
    )


def _teams(root: Mapping[str, Any]) -> tuple[TeamSpec, ...]:
    items = _list(_get(root, "teams", ""), "teams")
    if not items:
        raise ScenarioError("teams: needs at least one team")
    teams = tuple(_team(team, f"teams[{n}]") for n, team in enumerate(items))
    names = {team.name for team in teams}
    if len(names) != len(teams):
        raise ScenarioError("teams: two teams have the same name")
    if SURGE_GROUP in names:
        raise ScenarioError(f"teams: {SURGE_GROUP!r} is the surge pool's name; call the team else")
    return teams


def scenario_parse(data: Any, *, base: Path | None = None) -> Scenario:
    """A scenario from its JSON data (ScenarioError naming the field at fault); a history
    file is read relative to ``base``. The fields (* marks the required ones):

    - ``name``*, ``note``, ``seed`` (0), ``start``* and ``end``* ("09:00", "21:00");
    - the arrivals: ``arrivals_per_hour`` (one rate per hour of the day), or ``profile``
      "normal" with ``peak_per_hour``, or ``from_history`` (a .jsonl or .csv file of rows
      with ``at`` and optionally ``channel``, ``tier``, ``language``, ``team`` and
      ``handling_minutes``; it replaces the other two); ``multiplier`` (1);
      ``channels`` (shares, ``{"email": 1}``); ``vip_share`` (0) and ``vip_team``;
    - ``teams``*: ``name``, ``agents``, ``max_open``, ``channel_caps``, ``skills``
      (``languages``, ``customer_tiers``); the first team is the frontline;
    - ``surge_pool``: ``agents``, ``max_open`` (and ``channel_caps``, ``skills``);
    - ``overflow``: ``max_waiting`` and/or ``max_wait_minutes``, ``backup_team``, ``to``
      (checked only: the ``overflow_*`` strategy says where the overflow goes);
    - ``handling_minutes``*: a number (fixed), or a lognormal's ``mean`` with ``p90`` or
      ``sd``; ``first_response_target_minutes``*; ``strategies`` (all it can run).
    """
    root = _obj(data, "scenario")
    start, end = _clock(_get(root, "start", ""), "start"), _clock(_get(root, "end", ""), "end")
    if end <= start:
        raise ScenarioError("end: must be after start")
    teams = _teams(root)
    names = {team.name for team in teams}
    vip_team = root.get("vip_team")
    if vip_team is not None and _str(vip_team, "vip_team") not in names:
        raise ScenarioError(f"vip_team: no team {vip_team!r} in teams")
    channels = _obj(root.get("channels", {"email": 1}), "channels")
    scenario = Scenario(
        name=_str(_get(root, "name", ""), "name"),
        note=str(root.get("note", "")),
        seed=_int(root.get("seed", 0), "seed"),
        start=start,
        end=end,
        rates=_rates(root, math.ceil((end - start) / 60)),
        multiplier=_num(root.get("multiplier", 1), "multiplier"),
        history=None,
        channels={k: _num(v, f"channels.{k}", above=True) for k, v in channels.items()}
        or {"email": 1},
        vip_share=_num(root.get("vip_share", 0), "vip_share"),
        vip_team=vip_team,
        teams=teams,
        surge=_team(root["surge_pool"], "surge_pool", name=SURGE_GROUP)
        if "surge_pool" in root
        else None,
        overflow=_overflow(root, names - {teams[0].name}),
        handling=_handling(_get(root, "handling_minutes", "")),
        target=_num(
            _get(root, "first_response_target_minutes", ""),
            "first_response_target_minutes",
            above=True,
        ),
        strategies=(),
    )
    if scenario.vip_share > 1:
        raise ScenarioError("vip_share: must be at most 1")
    if "from_history" in root:
        source = Path(_str(root["from_history"], "from_history"))
        history = _history(source if source.is_absolute() else (base or Path()) / source, scenario)
        scenario = replace(scenario, history=history)
    return replace(scenario, strategies=_strategies(root, scenario))


def scenario_load(path: str | Path) -> Scenario:
    """The scenario in a JSON file (ScenarioError if unreadable or invalid)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read {path}: {exc.strerror}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path} is not valid JSON: {exc}") from exc
    return scenario_parse(data, base=path.parent)


# The day's tickets -----------------------------------------------------------------------


def _poisson(
    rng: random.Random, rates: Sequence[float], start: float, end: float
) -> list[tuple[float, int]]:
    """Arrival times (and their hour) of a Poisson process with a rate per hour."""
    times = []
    for slot, rate in enumerate(rates):
        at, high = start + 60 * slot, min(start + 60 * (slot + 1), end)
        while rate > 0:
            at += rng.expovariate(rate / 60)
            if at >= high:
                break
            times.append((at, slot))
    return times


def _generated(scenario: Scenario, rng: random.Random) -> list[Arrival]:
    rates = [rate * scenario.multiplier for rate in scenario.rates]
    names, weights = list(scenario.channels), list(scenario.channels.values())
    arrivals = []
    for at, _slot in _poisson(rng, rates, scenario.start, scenario.end):
        channel = rng.choices(names, weights)[0] if len(names) > 1 else names[0]
        vip = scenario.vip_share > 0 and rng.random() < scenario.vip_share
        need = Need(channel=channel, customer_tier="vip" if vip else "standard")
        arrivals.append(Arrival(at=at, team=scenario.teams[0].name, need=need, handling=None))
    return arrivals


def _history_scaled(scenario: Scenario, rng: random.Random) -> list[Arrival]:
    """The history's hourly counts times the multiplier as Poisson rates; each arrival
    copies a random history row of its hour (its team, need and handling time if any)."""
    history = scenario.history or ()
    slots = math.ceil((scenario.end - scenario.start) / 60)
    by_slot: list[list[Arrival]] = [[] for _ in range(slots)]
    for arrival in history:
        by_slot[int((arrival.at - scenario.start) // 60)].append(arrival)
    rates = [len(rows) * scenario.multiplier for rows in by_slot]
    return [
        replace(rng.choice(by_slot[slot]), at=at)
        for at, slot in _poisson(rng, rates, scenario.start, scenario.end)
    ]


def arrivals_make(scenario: Scenario) -> list[Arrival]:
    """The day's tickets in order of arrival, each with its handling time. They come from
    ``random.Random(seed)`` alone: the same scenario gives the same day, for every
    strategy."""
    rng = random.Random(scenario.seed)  # noqa: S311 (a simulation, not a secret)
    if scenario.history is None:
        made = _generated(scenario, rng)
    elif scenario.multiplier == 1:
        made = list(scenario.history)
    else:
        made = _history_scaled(scenario, rng)
    return [
        arrival
        if arrival.handling is not None
        else replace(arrival, handling=scenario.handling.draw(rng))
        for arrival in made
    ]


# The day, for one strategy ---------------------------------------------------------------


class _Day:
    """One strategy's run: an event loop over arrivals, completions and the minute's
    drain, with agents, team queues and what was measured."""

    def __init__(
        self, scenario: Scenario, arrivals: Sequence[Arrival], strategy: str, check: Check | None
    ) -> None:
        self.scenario, self.arrivals, self.check = scenario, arrivals, check
        self.round_robin = strategy == "round_robin"
        self.surge_on = strategy == "surge"
        self.overflow_to = {"overflow_surge": "surge", "overflow_backup": "backup"}.get(
            strategy, ""
        )
        rule = scenario.overflow
        self.rule = Overflow(
            self.overflow_to,
            rule.max_waiting if rule else None,
            rule.max_wait_minutes if rule else None,
        )
        self.backup = rule.backup_team if rule and self.overflow_to == "backup" else None
        self.team_ids = {team.name: number for number, team in enumerate(scenario.teams, 1)}
        # On shift: the teams this strategy can send work to, and the surge pool if it joins.
        used = {arrival.team for arrival in arrivals} | {scenario.vip_team, self.backup}
        specs = [team for team in scenario.teams if team.name in used]
        if scenario.surge and strategy in ("surge", "overflow_surge"):
            specs.append(scenario.surge)
        ids = count(1)
        self.groups = {
            spec.name: [SimAgent(next(ids), spec.name, spec) for _ in range(spec.agents)]
            for spec in specs
        }
        self.agents = [agent for group in self.groups.values() for agent in group]
        self.by_id = {agent.user_id: agent for agent in self.agents}
        self.queues: dict[str, deque[int]] = {team.name: deque() for team in scenario.teams}
        self.events: list[tuple[float, int, int, int]] = []  # at, kind, sequence, ticket/agent
        self.sequence = count()
        self.started: dict[int, float] = {}
        self.lane_counts: Counter[str] = Counter()
        self.max_queue = 0
        self.now = scenario.start
        self.version = 0  # of the agents' state: a change can make a miss a hit
        self.missed: dict[tuple[str, Need, bool], int] = {}

    def push(self, at: float, kind: int, what: int) -> None:
        heapq.heappush(self.events, (at, kind, next(self.sequence), what))

    def run(self) -> None:
        for number, arrival in enumerate(self.arrivals):
            self.push(arrival.at, ARRIVE, number)
        for minute in range(int(self.scenario.start) + 1, math.ceil(self.scenario.end)):
            self.push(float(minute), TICK, 0)
        while self.events and self.events[0][0] < self.scenario.end:
            self.now, kind, _sequence, what = heapq.heappop(self.events)
            if kind == ARRIVE:
                self.arrive(what)
            elif kind == DONE:
                self.done(self.by_id[what])
            else:
                self.drain()
            if self.check is not None:
                self.check(self.now, self.agents)

    def shown(self, group: str | None, need: Need) -> list[Agent]:
        """A group's agents as ``choose`` gets them. For round robin, those with room are
        shown with nothing open, so only ``last_assigned`` orders them (the rotation)."""
        seen = [agent.seen() for agent in self.groups.get(group or "", [])]
        if not self.round_robin:
            return seen
        return [
            replace(agent, open=0, open_by_channel={})
            for agent in seen
            if refusal(agent, need) not in (CAPACITY, CHANNEL)
        ]

    def overflowing(self, team: str, ticket: int, *, queued: bool) -> bool:
        """The team's overflow rule on its queue, leaving ``ticket`` out (as ``decide``)."""
        queue = self.queues[team]
        head = [other for other in islice(queue, 2) if other != ticket]
        oldest = self.now - self.arrivals[head[0]].at if head else 0.0
        return self.rule.passed(len(queue) - (1 if queued else 0), oldest)

    def decide(self, ticket: int, *, queued: bool) -> tuple[int | None, str]:
        """Who takes ``ticket`` now (None: nobody) and in which lane, with ``choose``.
        A ticket like one that nobody could take, with no agent changed since, is a miss
        without asking again (the answer would be the same)."""
        arrival = self.arrivals[ticket]
        frontline = arrival.team == self.scenario.teams[0].name
        overflowing = bool(self.overflow_to) and frontline
        overflowing = overflowing and self.overflowing(arrival.team, ticket, queued=queued)
        key = (arrival.team, arrival.need, overflowing)
        if self.missed.get(key) == self.version:
            return None, ""
        decision = choose(self.lanes(arrival.team, arrival.need, overflowing), arrival.need)
        if decision.user_id is None:
            self.missed[key] = self.version
        return decision.user_id, decision.lane or ""

    def lanes(self, team: str, need: Need, overflowing: bool) -> list[Lane]:
        """The lanes a ticket of ``team`` tries, built as ``assignment.decide`` builds them."""
        frontline = team == self.scenario.teams[0].name
        vip = self.scenario.vip_team if need.customer_tier == "vip" else None

        def lane(kind: str, group: str | None, team_name: str | None) -> Lane | None:
            if group not in self.groups or team_name is None:
                return None
            if kind == "vip" and team_name == team:
                return None
            return Lane(kind, self.team_ids[team_name], self.shown(group, need))

        return lanes_for(
            vip=lane("vip", vip, vip),
            team=lane("team", team, team),
            surge=lane("surge", SURGE_GROUP, team) if frontline else None,
            backup=lane("backup", self.backup, self.backup) if frontline else None,
            surge_on=self.surge_on,
            overflowing=overflowing,
            overflow_to=self.overflow_to,
        )

    def arrive(self, ticket: int) -> None:
        user_id, lane = self.decide(ticket, queued=False)
        if user_id is not None:
            self.assign(ticket, user_id, lane)
            return
        self.queues[self.arrivals[ticket].team].append(ticket)
        self.max_queue = max(self.max_queue, sum(len(queue) for queue in self.queues.values()))

    def assign(self, ticket: int, user_id: int, lane: str) -> None:
        agent = self.by_id[user_id]
        agent.take(ticket, self.arrivals[ticket].need.channel, self.now)
        self.version += 1
        # With surge mode on, the pool shares the team's lane: count by who took it.
        if lane == "team+surge":
            lane = "surge" if agent.group == SURGE_GROUP else "team"
        self.lane_counts[lane] += 1
        if agent.current is None:
            self.start(agent)

    def start(self, agent: SimAgent) -> None:
        """The agent takes their next ticket in hand: its first response is now."""
        ticket = agent.fifo.popleft()
        handling = self.arrivals[ticket].handling or 0.0
        agent.current = ticket
        agent.busy += min(handling, self.scenario.end - self.now)
        self.started[ticket] = self.now
        self.push(self.now + handling, DONE, agent.user_id)

    def done(self, agent: SimAgent) -> None:
        """The agent's ticket in hand closes: the next one of theirs starts, and the
        capacity it frees may take a waiting ticket."""
        ticket = agent.current
        if ticket is not None:
            agent.close(self.arrivals[ticket].need.channel)
            self.version += 1
        if agent.fifo:
            self.start(agent)
        self.drain()

    def drain(self) -> None:
        """Every team's queue, oldest first, to whoever can take them (``team_queue_drain``)."""
        for queue in self.queues.values():
            misses = 0
            for ticket in list(islice(queue, DRAIN_BATCH)):
                user_id, lane = self.decide(ticket, queued=True)
                if user_id is None:
                    misses += 1
                    if misses >= DRAIN_MISSES:
                        break
                    continue
                misses = 0
                queue.remove(ticket)
                self.assign(ticket, user_id, lane)

    def result(self, strategy: str) -> StrategyResult:
        end, target = self.scenario.end, self.scenario.target
        waits = sorted(
            self.started.get(number, end) - arrival.at
            for number, arrival in enumerate(self.arrivals)
        )
        met = sum(
            1
            for number, arrival in enumerate(self.arrivals)
            if number in self.started and self.started[number] - arrival.at <= target
        )
        shift = end - self.scenario.start
        utilisation = {
            group: round(100 * sum(a.busy for a in agents) / (shift * len(agents)), 1)
            for group, agents in self.groups.items()
            if agents
        }
        return StrategyResult(
            strategy=strategy,
            tickets=len(waits),
            mean_wait=round(sum(waits) / len(waits), 2) if waits else None,
            p90_wait=round(waits[math.ceil(0.9 * len(waits)) - 1], 2) if waits else None,
            sla_met=round(100 * met / len(waits), 1) if waits else None,
            utilisation=utilisation,
            lanes=dict(sorted(self.lane_counts.items())),
            max_queue=self.max_queue,
            waiting_at_end=len(waits) - len(self.started),
        )


def simulate(
    scenario: Scenario, strategies: Sequence[str] | None = None, *, check: Check | None = None
) -> Report:
    """Run the scenario's day once per strategy (the scenario's, or ``strategies``).
    ``check`` is called after every event with the clock and the agents (for tests)."""
    names = tuple(strategies) if strategies else scenario.strategies
    for name in names:
        problem = strategy_problem(scenario, name)
        if problem:
            raise ScenarioError(f"strategy: {problem}")
    arrivals = arrivals_make(scenario)
    results = []
    for name in names:
        day = _Day(scenario, arrivals, name, check)
        day.run()
        results.append(day.result(name))
    return Report(scenario=scenario, tickets=len(arrivals), results=results)
