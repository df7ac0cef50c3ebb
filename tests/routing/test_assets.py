"""Assets in routing: a ticket names the asset it is about (API, agent form); rules match
its product line, model and warranty (also when tried on past tickets); assignment
matches agents' product-line skills. Wrong input, other units and other customers are
refused and store nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.support import problem
from zhongtai.customers.models import Asset, Customer, WarrantyStatus, warranty_status
from zhongtai.routing import assign
from zhongtai.routing.models import AgentProfile, RoutingRule, RoutingSettings
from zhongtai.routing.rule_services import RuleInput, rule_save
from zhongtai.routing.rules import CompiledRule, RuleFacts, asset_facts, names_clean
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _today() -> date:
    """Today in the unit's time zone (Asia/Shanghai), where warranties are judged: between
    16:00 and 24:00 UTC it is already tomorrow there."""
    return timezone.now().astimezone(ZoneInfo("Asia/Shanghai")).date()


def _asset(world: Any, serial: str, *, line: str = "Printers", ends: date | None = None,
           customer: Customer | None = None, tenant: Any = None) -> Asset:  # fmt: skip
    tenant = tenant or world.tenant
    customer = customer or Customer.objects.get(tenant=tenant, name="Acme")
    return Asset.objects.create(
        tenant=tenant,
        customer=customer,
        product_line=line,
        product_model="LaserJet 9000",
        serial_number=serial,
        warranty_ends_on=ends,
    )


def _facts(**asset: Any) -> RuleFacts:
    return RuleFacts(
        text="paper jam",
        channel="email",
        customer_tier="standard",
        category_ids=frozenset(),
        contact_domain="",
        **asset,
    )


def test_warranty_runs_through_its_last_day():
    day = date(2026, 6, 30)
    assert warranty_status(day, day) == WarrantyStatus.ACTIVE
    assert warranty_status(day, day + timedelta(days=1)) == WarrantyStatus.EXPIRED
    assert warranty_status(None, day) == WarrantyStatus.UNKNOWN


def test_rules_match_the_assets_line_model_and_warranty_in_any_case():
    rule = CompiledRule(
        id=1,
        name="Paid printer service",
        product_lines=names_clean(["printers"]),
        product_models=names_clean([" LASERJET 9000 "]),
        warranty=WarrantyStatus.EXPIRED,
    )
    assert rule.matches(_facts(**asset_facts("Printers", "LaserJet 9000", "expired")))
    assert not rule.matches(_facts(**asset_facts("Printers", "LaserJet 9000", "active")))
    assert not rule.matches(_facts(**asset_facts("Scanners", "LaserJet 9000", "expired")))
    assert not rule.matches(_facts())  # no asset: an asset condition does not hold
    assert CompiledRule(id=2, name="any").matches(_facts())


def _paid_service_rule(world: Any) -> RoutingRule:
    return rule_save(
        actor=world.admin,
        data=RuleInput(
            name="Out-of-warranty printers",
            asset_product_lines=["PRINTERS"],
            asset_warranty=WarrantyStatus.EXPIRED,
            add_tags=["paid-service"],
            set_team_id=world.l2_team.pk,
        ),
    )


def test_intake_applies_a_rule_on_the_assets_warranty(world):
    _paid_service_rule(world)
    expired = _asset(world, "SN-1", ends=_today() - timedelta(days=1))
    active = _asset(world, "SN-2", ends=_today())
    paid = factories.ticket(world.admin, asset=expired)
    free = factories.ticket(world.admin, asset=active)
    bare = factories.ticket(world.admin)
    assert paid.customer == expired.customer  # the asset names the customer
    assert [t.name for t in paid.tags.all()] == ["paid-service"]
    assert paid.team == world.l2_team
    assert not free.tags.exists()
    assert not bare.tags.exists()


def test_a_dry_run_judges_the_warranty_on_the_day_each_ticket_came_in(world, api_for):
    asset = _asset(world, "SN-3", ends=_today() - timedelta(days=10))
    old = factories.ticket(world.admin, asset=asset)
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))
    factories.ticket(world.admin, asset=asset)  # after the warranty ended
    body = {
        "name": "Expired",
        "asset_warranty": "expired",
        "add_tags": ["paid-service"],
        "days": 30,
    }
    response = api_for(world.admin).post("/routing/rules/dry-run", body)
    assert response.status_code == 200, response.content
    assert (response.json()["tickets"], response.json()["matched"]) == (2, 1)


def test_the_rules_api_keeps_asset_conditions_and_refuses_a_bad_warranty(world, api_for):
    admin = api_for(world.admin)
    body = {
        "name": "Scanners",
        "asset_product_lines": ["Scanners", "scanners"],
        "asset_models": ["S-10"],
        "asset_warranty": "active",
        "set_priority": "high",
    }
    created = admin.post("/routing/rules", body)
    assert created.status_code == 201, created.content
    rule = created.json()
    assert (rule["asset_product_lines"], rule["asset_models"], rule["asset_warranty"]) == (
        ["Scanners"],
        ["S-10"],
        "active",
    )
    problem(admin.post("/routing/rules", {**body, "name": "x", "asset_warranty": "soon"}), 422)
    assert RoutingRule.objects.count() == 1


def test_the_ticket_api_takes_an_asset_by_serial_or_id(world, api_for):
    asset = _asset(world, "SN-4", ends=_today() + timedelta(days=30))
    admin = api_for(world.admin)
    created = admin.post("/tickets", {"subject": "Jam", "description": "x", "asset_serial": "sn-4"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["asset"]["serial_number"] == "SN-4"
    assert body["asset"]["warranty"] == "active"
    assert body["customer"]["id"] == asset.customer_id
    by_id = admin.post("/tickets", {"subject": "Jam", "description": "x", "asset_id": asset.pk})
    assert by_id.json()["asset"]["id"] == asset.pk
    shown = admin.get(f"/tickets/{body['number']}")
    assert shown.json()["asset"]["product_line"] == "Printers"


def test_the_ticket_api_refuses_a_wrong_asset_and_stores_nothing(world, api_for):
    asset = _asset(world, "SN-5")
    theirs = Customer.objects.create(tenant=world.tenant, name="Other Co")
    elsewhere = Customer.objects.create(tenant=world.other_tenant, name="Acme")
    foreign = _asset(world, "SN-6", customer=elsewhere, tenant=world.other_tenant)
    admin = api_for(world.admin)
    before = Ticket.objects.count()
    base = {"subject": "Jam", "description": "x"}
    problem(admin.post("/tickets", {**base, "asset_serial": "nope"}), 422)
    problem(admin.post("/tickets", {**base, "asset_id": foreign.pk}), 422)  # another unit's
    problem(admin.post("/tickets", {**base, "asset_id": asset.pk, "asset_serial": "SN-5"}), 422)
    problem(admin.post("/tickets", {**base, "asset_id": asset.pk, "customer_id": theirs.pk}), 422)
    problem(admin.post("/tickets", {**base, "asset_serial": "x" * 121}), 422)
    assert Ticket.objects.count() == before


def test_the_agent_form_finds_the_asset_by_serial(world):
    asset = _asset(world, "SN-7", ends=_today() - timedelta(days=1))
    page = Client()
    page.force_login(world.agent.user)
    form = {"subject": "Jam", "description": "x", "channel": "phone", "type": "incident",
            "priority": "normal", "team": world.l1_team.pk}  # fmt: skip
    refused = page.post("/agent/tickets/new/", {**form, "asset": "SN-404"})
    assert refused.status_code == 422
    assert "No asset of this unit has this serial number." in refused.content.decode()
    created = page.post("/agent/tickets/new/", {**form, "asset": "sn-7"})
    assert created.status_code == 302
    ticket = Ticket.objects.get(asset=asset)
    shown = page.get(f"/agent/tickets/{ticket.number}/").content.decode()
    assert "LaserJet 9000" in shown
    assert "Out of warranty" in shown


def test_assignment_matches_product_line_skills(world):
    RoutingSettings.objects.create(tenant=world.tenant, auto_assign=True)
    for actor, lines in ((world.agent, ["Scanners"]), (world.agent2, ["printers"])):
        AgentProfile.objects.create(
            tenant=world.tenant, user=actor.user, status="available", product_lines=lines
        )
    printer = factories.ticket(world.admin, asset=_asset(world, "SN-8"))
    scanner = factories.ticket(world.admin, asset=_asset(world, "SN-9", line="scanners"))
    printer.refresh_from_db()
    scanner.refresh_from_db()
    assert printer.assignee == world.agent2.user
    assert scanner.assignee == world.agent.user
    explain = printer.events.get(type="routing").data["assignment"]
    assert explain["refused"] == {assign.PRODUCT_LINE: 1}


def test_the_people_api_keeps_product_lines(world, api_for):
    lead = api_for(world.lead)
    url = f"/routing/agents/{world.agent.user.pk}/profile"
    saved = lead.put(url, {"max_open": 5, "product_lines": ["Printers", "printers", "Scanners"]})
    assert saved.status_code == 200, saved.content
    assert saved.json()["product_lines"] == ["Printers", "Scanners"]
    problem(lead.put(url, {"max_open": 5, "product_lines": [f"L{i}" for i in range(51)]}), 422)
    problem(lead.put(url, {"max_open": 5, "product_lines": ["x" * 101]}), 422)
    profile = AgentProfile.objects.get(user=world.agent.user)
    assert profile.product_lines == ["Printers", "Scanners"]
