"""``zhongtai simulate --history-of``: a unit's real arrivals of a day, replayed."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from zhongtai.customers.models import Customer, CustomerTier
from zhongtai.tickets.choices import Channel


@pytest.mark.django_db
def test_a_days_arrivals_export_and_replay(world, time_machine, tmp_path: Path) -> None:
    vip = Customer.objects.create(tenant=world.tenant, name="Big", tier=CustomerTier.VIP)
    for hour, minute, subject, channel in [
        (9, 5, "打印机卡纸", Channel.PHONE),
        (10, 30, "Jam", Channel.EMAIL),
    ]:
        time_machine.move_to(f"2026-11-11 {hour:02d}:{minute:02d} +08:00", tick=False)
        factories.ticket(world.agent, subject=subject, channel=channel, customer=vip)
    time_machine.move_to("2026-11-12 09:00 +08:00", tick=False)
    factories.ticket(world.agent)  # another day
    history = tmp_path / "day.jsonl"
    call_command("simulate", history_of="sh", day="2026-11-11", out=str(history), stderr=StringIO())
    rows = [json.loads(line) for line in history.read_text().splitlines()]
    assert rows == [
        {"at": "09:05", "channel": "phone", "team": "Frontline", "tier": "vip", "language": "zh"},
        {"at": "10:30", "channel": "email", "team": "Frontline", "tier": "vip", "language": "en"},
    ]
    scenario = {
        "name": "replay",
        "seed": 1,
        "start": "09:00",
        "end": "12:00",
        "from_history": str(history),
        "teams": [{"name": "Frontline", "agents": 1, "max_open": 1}],
        "handling_minutes": 10,
        "first_response_target_minutes": 30,
        "strategies": ["least_load"],
    }
    path = tmp_path / "replay.json"
    path.write_text(json.dumps(scenario))
    out = StringIO()
    call_command("simulate", scenario=str(path), json="-", stdout=out, stderr=StringIO())
    report = json.loads(out.getvalue())
    assert report["strategies"][0]["tickets"] == 2


@pytest.mark.django_db
def test_a_bad_export_request_says_why(world) -> None:
    with pytest.raises(CommandError, match="No business unit"):
        call_command("simulate", history_of="nowhere", day="2026-11-11")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("simulate", history_of="sh", day="11/11")
    with pytest.raises(CommandError, match="--scenario"):
        call_command("simulate")
