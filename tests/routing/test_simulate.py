"""The simulator of a day of arrivals (``zhongtai simulate``): hand-checked days, the same
numbers for the same seed, capacity kept, what surge buys at a peak, bad scenarios, and
the command. No database: the simulator never touches it."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhongtai.routing.simulate import (
    STRATEGIES,
    Report,
    ScenarioError,
    SimAgent,
    StrategyResult,
    arrivals_make,
    scenario_load,
    scenario_parse,
    simulate,
)

BENCH = Path(__file__).resolve().parents[2] / "bench" / "scenarios"


def scenario(**fields: Any) -> dict[str, Any]:
    """A small generated day; ``fields`` replace the defaults."""
    data: dict[str, Any] = {
        "name": "test",
        "seed": 3,
        "start": "09:00",
        "end": "13:00",
        "arrivals_per_hour": [20, 40, 30, 10],
        "teams": [{"name": "frontline", "agents": 4, "max_open": 2}],
        "surge_pool": {"agents": 2, "max_open": 2},
        "overflow": {"to": "surge", "max_waiting": 3},
        "handling_minutes": {"mean": 6, "p90": 12},
        "first_response_target_minutes": 30,
    }
    data.update(fields)
    return data


def history_day(tmp_path: Path, rows: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A day replayed from a history file with these rows."""
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    fields.setdefault("end", "10:00")
    return scenario(from_history=str(path), **fields)


def run(data: dict[str, Any], strategy: str) -> StrategyResult:
    return simulate(scenario_parse(data), [strategy]).results[0]


def test_one_agent_two_arrivals_hand_checked(tmp_path: Path) -> None:
    # given one agent and tickets at 09:00 and 09:05 of 10 min each, then one at 09:30
    rows = [{"at": "09:00", "handling_minutes": 10}, {"at": "2024-11-11T09:05:00"}]
    rows.append({"at": "09:30:00", "handling_minutes": 10, "channel": "chat"})
    for max_open in (1, 2):
        data = history_day(
            tmp_path,
            rows,
            teams=[{"name": "frontline", "agents": 1, "max_open": max_open}],
            handling_minutes=10,
            first_response_target_minutes=3,
        )
        # when the day runs
        result = run(data, "least_load")
        # then the second waits for the first to close at 09:10, in the agent's own list
        # (max_open 2) or in the team's queue until capacity frees (max_open 1)
        assert result.tickets == 3
        assert result.mean_wait == round(5 / 3, 2)
        assert result.p90_wait == 5.0
        assert result.sla_met == round(100 * 2 / 3, 1)
        assert result.utilisation == {"frontline": 50.0}  # 30 of 60 minutes
        assert result.lanes == {"team": 3}
        assert result.max_queue == (1 if max_open == 1 else 0)
        assert result.waiting_at_end == 0


def test_tickets_not_started_by_the_end_of_the_day_miss_the_target(tmp_path: Path) -> None:
    rows = [{"at": "09:40"}, {"at": "09:52"}, {"at": "08:59"}, {"at": "10:00"}]
    data = history_day(
        tmp_path,
        rows,
        teams=[{"name": "frontline", "agents": 1, "max_open": 3}],
        handling_minutes=30,
    )
    result = run(data, "least_load")
    assert result.tickets == 2  # the rows before 09:00 and from 10:00 are not in the day
    assert result.mean_wait == 4.0  # 0, and 8 so far at 10:00
    assert result.sla_met == 50.0
    assert result.waiting_at_end == 1
    assert result.utilisation == {"frontline": 33.3}  # busy from 09:40 to 10:00


def test_overflow_opens_the_surge_lane_only_while_the_rule_has_passed(tmp_path: Path) -> None:
    rows = [{"at": "09:00"}, {"at": "09:01"}, {"at": "09:02"}]
    data = history_day(
        tmp_path,
        rows,
        end="11:00",
        teams=[{"name": "frontline", "agents": 1, "max_open": 1}],
        surge_pool={"agents": 1, "max_open": 1},
        overflow={"to": "surge", "max_waiting": 1},
        handling_minutes=60,
    )
    # the second ticket finds an empty queue: it waits; the third finds one waiting: the
    # rule has passed and the surge pool takes it; the second (the queue without itself
    # is empty) waits for the team until 10:00
    overflow = run(data, "overflow_surge")
    assert overflow.lanes == {"surge": 1, "team": 2}
    assert overflow.mean_wait == round(59 / 3, 2)
    # surge on: the pool takes the second at once, and the third waits until 10:00
    surge = run(data, "surge")
    assert surge.lanes == {"surge": 1, "team": 2}
    assert surge.mean_wait == round(58 / 3, 2)
    assert run(data, "least_load").lanes == {"team": 2}  # the third never gets anyone


def test_round_robin_ignores_load(tmp_path: Path) -> None:
    # agent 1 takes a long ticket at 09:00, agent 2 a short one at 09:10; at 09:20 agent 2
    # is idle: least load chooses them, round robin agent 1 (given a ticket longest ago)
    rows = [
        {"at": "09:00", "handling_minutes": 50},
        {"at": "09:10", "handling_minutes": 5},
        {"at": "09:20", "handling_minutes": 5},
    ]
    data = history_day(tmp_path, rows, teams=[{"name": "frontline", "agents": 2, "max_open": 2}])
    assert run(data, "least_load").mean_wait == 0.0
    assert run(data, "round_robin").mean_wait == 10.0  # 30 min behind the long one


def test_vip_and_backup_lanes(tmp_path: Path) -> None:
    rows = [{"at": "09:00", "tier": "vip"}, {"at": "09:01"}, {"at": "09:02"}]
    teams = [
        {"name": "frontline", "agents": 1, "max_open": 1},
        {"name": "vip-desk", "agents": 1, "max_open": 1},
        {"name": "second-line", "agents": 1, "max_open": 1},
    ]
    data = history_day(
        tmp_path,
        rows,
        teams=teams,
        vip_team="vip-desk",
        overflow={"to": "backup", "max_waiting": 0, "backup_team": "second-line"},
        handling_minutes=30,
    )
    # the VIP desk takes the VIP ticket; the third waits for the frontline until 09:31 ...
    plain = run(data, "least_load")
    assert plain.lanes == {"team": 2, "vip": 1}
    assert plain.mean_wait == round(29 / 3, 2)
    # ... or, with the team overflowing to its backup, goes to the backup team at once
    backup = run(data, "overflow_backup")
    assert backup.lanes == {"backup": 1, "team": 1, "vip": 1}
    assert set(backup.utilisation) == {"frontline", "vip-desk", "second-line"}


def test_the_same_seed_gives_the_same_report() -> None:
    first = simulate(scenario_parse(scenario())).as_dict()
    again = simulate(scenario_parse(scenario())).as_dict()
    other = simulate(scenario_parse(scenario(seed=4))).as_dict()
    assert first == again
    assert first != other
    assert [s["strategy"] for s in first["strategies"]] == [
        "least_load",
        "round_robin",
        "surge",
        "overflow_surge",
    ]  # overflow_backup needs a backup team


def test_the_multiplier_scales_arrivals_also_from_history(tmp_path: Path) -> None:
    normal = arrivals_make(scenario_parse(scenario(multiplier=1)))
    peak = arrivals_make(scenario_parse(scenario(multiplier=3)))
    assert 70 < len(normal) < 130  # 100 expected (20 + 40 + 30 + 10)
    assert 250 < len(peak) < 350
    rows = [{"at": f"09:{minute:02d}", "channel": "chat"} for minute in range(0, 60, 2)]
    replayed = arrivals_make(scenario_parse(history_day(tmp_path, rows, multiplier=3)))
    assert 60 < len(replayed) < 120
    assert {arrival.need.channel for arrival in replayed} == {"chat"}


def test_capacity_is_never_exceeded() -> None:
    seen = 0

    def check(at: float, agents: Any) -> None:
        nonlocal seen
        seen += 1
        for agent in agents:
            assert isinstance(agent, SimAgent)
            assert agent.open <= agent.spec.max_open
            assert agent.open == len(agent.fifo) + (agent.current is not None)
            for channel, cap in agent.spec.channel_caps.items():
                assert agent.open_by_channel[channel] <= cap
            assert agent.current is not None or not agent.fifo  # nobody idle with work

    data = scenario(
        multiplier=3,
        channels={"chat": 2, "email": 1},
        teams=[
            {"name": "frontline", "agents": 4, "max_open": 3, "channel_caps": {"chat": 1}},
            {"name": "second-line", "agents": 2, "max_open": 2},
        ],
        overflow={"to": "backup", "max_wait_minutes": 5, "backup_team": "second-line"},
        handling_minutes={"mean": 6, "sd": 4},
    )
    report = simulate(scenario_parse(data), list(STRATEGIES), check=check)
    assert seen > 1000
    assert all(result.max_queue > 0 for result in report.results)  # it was busy
    assert all(0 < share <= 100 for r in report.results for share in r.utilisation.values())


def bench(name: str) -> Report:
    return simulate(scenario_load(BENCH / f"{name}.json"))


def test_surge_keeps_the_wait_under_5_minutes_at_a_3x_peak() -> None:
    peak = {result.strategy: result for result in bench("peak-3x").results}
    normal = {result.strategy: result for result in bench("normal").results}
    assert (peak["surge"].mean_wait or 0) < 5
    assert (peak["least_load"].mean_wait or 0) > 15
    assert peak["surge"].lanes["surge"] > 0
    assert (peak["surge"].sla_met or 0) > (peak["least_load"].sla_met or 0)
    # on a normal day surge changes little
    assert abs((normal["surge"].mean_wait or 0) - (normal["least_load"].mean_wait or 0)) < 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"teams": None}, "teams: must be a list"),
        ({"teams": [{"name": "f", "agents": "12", "max_open": 2}]}, "teams[0].agents: must be"),
        ({"teams": [{"name": "f", "agents": 2}]}, "teams[0].max_open: missing"),
        ({"start": "9am"}, "start: must be a time"),
        ({"end": "08:00"}, "end: must be after start"),
        ({"arrivals_per_hour": [1, 2]}, "arrivals_per_hour: needs 4 rates"),
        ({"handling_minutes": {"mean": 6, "p90": 5}}, "handling_minutes.p90: must be above 6"),
        ({"handling_minutes": {"mean": 6, "p90": 60}}, "handling_minutes.p90: a lognormal"),
        ({"strategies": ["fastest"]}, "strategies: unknown strategy 'fastest'"),
        ({"strategies": ["overflow_backup"]}, "overflow_backup needs overflow.backup_team"),
        ({"overflow": {"to": "elsewhere"}}, "overflow.to: must be"),
        ({"vip_team": "nobody"}, "vip_team: no team 'nobody'"),
        ({"first_response_target_minutes": 0}, "first_response_target_minutes: must be above"),
    ],
)
def test_a_bad_scenario_names_the_field(change: dict[str, Any], message: str) -> None:
    data = scenario(**change)
    if change.get("teams") is None and "teams" in change:
        del data["teams"]
        message = "teams: missing"
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("(", r"\(")):
        scenario_parse(data)


def test_a_bad_history_file_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"from_history line 2\.at: not a time"):
        scenario_parse(history_day(tmp_path, [{"at": "09:00"}, {"at": "noon"}]))
    with pytest.raises(ScenarioError, match="from_history: cannot read"):
        scenario_parse(scenario(from_history=str(tmp_path / "missing.csv")))


def test_history_from_csv(tmp_path: Path) -> None:
    (tmp_path / "day.csv").write_text("at,channel,handling_minutes\n09:00,chat,5\n09:01,,\n")
    data = scenario(from_history="day.csv", end="10:00")
    (tmp_path / "day.json").write_text(json.dumps(data))
    arrivals = arrivals_make(scenario_load(tmp_path / "day.json"))
    assert [(a.at, a.need.channel) for a in arrivals] == [(540.0, "chat"), (541.0, "email")]
    assert arrivals[0].handling == 5.0


def test_command_writes_the_report_as_json(tmp_path: Path) -> None:
    out, err = StringIO(), StringIO()
    path = str(BENCH / "normal.json")
    call_command(
        "simulate", "--scenario", path, "--strategy", "surge", "--json", stdout=out, stderr=err
    )
    report = json.loads(out.getvalue())
    assert report["scenario"] == "normal"
    assert [s["strategy"] for s in report["strategies"]] == ["surge"]
    assert {"mean_wait_minutes", "p90_wait_minutes", "sla_met_percent"} <= set(
        report["strategies"][0]
    )
    assert "mean wait" in err.getvalue()  # the table, out of the JSON's way
    # to a file: the table on standard output
    target = tmp_path / "report.json"
    out = StringIO()
    call_command("simulate", "--scenario", path, "--json", str(target), stdout=out)
    assert len(json.loads(target.read_text())["strategies"]) == 5
    assert out.getvalue().splitlines()[1].split()[:3] == ["strategy", "mean", "wait"]


def test_command_stops_on_a_bad_scenario_before_printing(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"name": "x",')
    out = StringIO()
    with pytest.raises(CommandError, match=r"bad\.json is not valid JSON"):
        call_command("simulate", "--scenario", str(path), stdout=out)
    path.write_text(json.dumps(scenario(teams=[{"name": "f", "max_open": 2}])))
    with pytest.raises(CommandError, match=r"teams\[0\].agents: missing"):
        call_command("simulate", "--scenario", str(path), stdout=out)
    with pytest.raises(CommandError, match="unknown strategy 'nope'"):
        call_command("simulate", "--scenario", str(BENCH / "normal.json"), "--strategy", "nope")
    assert out.getvalue() == ""
