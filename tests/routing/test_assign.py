"""The assignment decision without a database: who can take a ticket, who is chosen, and
what the lanes do."""

from __future__ import annotations

from typing import Any

from zhongtai.routing.assign import (
    Agent,
    Lane,
    Need,
    Overflow,
    choose,
    lanes_for,
    language_of,
    refusal,
)


def agent(user_id: int, **kwargs: Any) -> Agent:
    kwargs.setdefault("status", "available")
    kwargs.setdefault("max_open", 4)
    return Agent(user_id=user_id, name=f"a{user_id}", **kwargs)


NEED = Need(channel="email", category_ids=frozenset({7, 3}), language="zh", customer_tier="vip")


def test_each_reason_why_someone_cannot_take_a_ticket() -> None:
    assert refusal(agent(1), NEED) is None
    assert refusal(agent(1, status="busy"), NEED) == "status"
    assert refusal(agent(1, open=4), NEED) == "capacity"
    assert refusal(agent(1, channel_caps={"email": 1}, open_by_channel={"email": 1}), NEED) == (
        "channel_capacity"
    )
    assert refusal(agent(1, channel_caps={"chat": 0}), NEED) is None
    assert refusal(agent(1, categories=frozenset({9})), NEED) == "category"
    assert refusal(agent(1, categories=frozenset({3})), NEED) is None  # an ancestor matches
    assert refusal(agent(1, languages=frozenset({"en"})), NEED) == "language"
    assert refusal(agent(1, customer_tiers=frozenset({"standard"})), NEED) == "customer_tier"
    assert refusal(agent(1, customer_tiers=frozenset({"vip"})), NEED) is None


def test_an_uncategorised_ticket_can_go_to_a_specialist() -> None:
    need = Need(channel="email")
    assert refusal(agent(1, categories=frozenset({9})), need) is None


def test_least_load_wins_and_round_robin_breaks_ties() -> None:
    team = [
        agent(1, open=2, max_open=4, last_assigned=10.0),
        agent(2, open=1, max_open=4, last_assigned=50.0),
        agent(3, open=1, max_open=4, last_assigned=20.0),
        agent(4, open=5, max_open=8, last_assigned=0.0),  # more loaded, though idle longest
    ]
    decision = choose([Lane("team", 5, team)], NEED)
    assert (decision.user_id, decision.team_id, decision.lane) == (3, 5, "team")
    assert [c["id"] for c in decision.candidates] == [3, 2, 1, 4]
    assert decision.candidates[0]["load"] == 0.25


def test_round_robin_over_a_day_spreads_evenly() -> None:
    last = {1: 0.0, 2: 0.0, 3: 0.0}
    given = {1: 0, 2: 0, 3: 0}
    for clock in range(1, 31):
        team = [agent(u, max_open=100, open=0, last_assigned=last[u]) for u in last]
        chosen = choose([Lane("team", 1, team)], NEED).user_id
        assert chosen is not None
        given[chosen] += 1
        last[chosen] = float(clock)
    assert given == {1: 10, 2: 10, 3: 10}


def test_lanes_in_order_and_the_refusals_on_record() -> None:
    vip = Lane("vip", 9, [agent(1, status="away"), agent(2, open=4)])
    team = Lane("team", 5, [agent(3)])
    decision = choose([vip, team], NEED)
    assert (decision.user_id, decision.lane, decision.team_id) == (3, "team", 5)
    assert decision.refused == {"status": 1, "capacity": 1}
    nobody = choose([Lane("team", 5, [agent(4, status="offline")])], NEED)
    assert (nobody.user_id, nobody.lane) == (None, None)
    assert nobody.explain()["refused"] == {"status": 1}


def test_overflow_passes_on_queue_length_or_oldest_wait() -> None:
    rule = Overflow(to="backup", max_waiting=10, max_wait_minutes=15)
    assert not rule.passed(9, 14.9)
    assert rule.passed(10, 0)
    assert rule.passed(0, 15)
    assert not Overflow(to="", max_waiting=1).passed(100, 100)
    assert not Overflow(to="surge", max_wait_minutes=5).passed(100, 4)


def test_surge_and_backup_lanes_join_when_they_should() -> None:
    team = Lane("team", 1, [agent(1)])
    surge, backup = Lane("surge", 1, [agent(2)]), Lane("backup", 2, [agent(3)])

    def kinds(**kwargs: Any) -> list[tuple[str, list[int]]]:
        lanes = lanes_for(vip=None, team=team, surge=surge, backup=backup, **kwargs)
        return [(lane.kind, [a.user_id for a in lane.agents]) for lane in lanes]

    assert kinds(surge_on=False, overflowing=False, overflow_to="backup") == [("team", [1])]
    # surge mode on: the pool works beside the team, one lane
    assert kinds(surge_on=True, overflowing=False, overflow_to="") == [("team", [1, 2])]
    assert kinds(surge_on=False, overflowing=True, overflow_to="surge") == [
        ("team", [1]),
        ("surge", [2]),
    ]
    assert kinds(surge_on=False, overflowing=True, overflow_to="backup") == [
        ("team", [1]),
        ("backup", [3]),
    ]
    assert kinds(surge_on=True, overflowing=True, overflow_to="backup") == [
        ("team", [1, 2]),
        ("backup", [3]),
    ]


def test_with_surge_on_an_idle_pool_member_goes_before_a_busy_member() -> None:
    team = Lane("team", 1, [agent(1, open=1, max_open=4)])
    surge = Lane("surge", 1, [agent(2, open=0, max_open=4)])
    lanes = lanes_for(
        vip=None,
        team=team,
        surge=surge,
        backup=None,
        surge_on=True,
        overflowing=False,
        overflow_to="",
    )
    decision = choose(lanes, NEED)
    assert (decision.user_id, decision.lane) == (2, "team+surge")


def test_language_of_a_ticket() -> None:
    assert language_of("打印机卡纸") == "zh"
    assert language_of("Printer 卡纸 again") == "zh"
    assert language_of("Printer is jammed") == "en"
    assert language_of("") == "en"
