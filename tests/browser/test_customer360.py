"""Customer 360 and the chat sidebar in a real browser: a team lead finds a customer, reads
its profile (contracts, assets and warranty, history), loads older tickets, writes a note
and sets the tier by hand; an agent opens the sidebar from a WeCom chat and opens a ticket
from it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories
from zhongtai.customers import services
from zhongtai.customers.models import Asset, Customer
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.usefixtures("transactional_db")


def _scene(world: factories.World) -> Customer:
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    services.customer_update(
        actor=world.admin,
        customer_id=acme.pk,
        data=services.CustomerInput(
            name="Acme",
            owner_id=world.lead.user.pk,
            lifecycle_stage="renewal",
            tags=["华东", "key-account"],
            industry="汽车零部件",
        ),
    )
    services.contract_create(
        actor=world.admin,
        customer_id=acme.pk,
        data=services.ContractInput(
            plan="金牌维保（7×24）",
            starts_on=date.today() - timedelta(days=300),
            ends_on=date.today() + timedelta(days=64),
            renews_on=date.today() + timedelta(days=34),
            value_per_year=680000,  # type: ignore[arg-type]
            number="HT-2025-0001",
        ),
    )
    Asset.objects.create(
        tenant=world.tenant,
        customer=acme,
        product_line="数控机床",
        product_model="VMC-850",
        serial_number="VMC2401-00017",
        site="苏州一号车间",
        installed_on=date.today() - timedelta(days=400),
        warranty_ends_on=date.today() + timedelta(days=330),
    )
    Asset.objects.create(
        tenant=world.tenant,
        customer=acme,
        product_line="空压机",
        product_model="AC-37",
        serial_number="AC1903-00208",
        warranty_ends_on=date.today() - timedelta(days=30),
    )
    contact = services.contact_create(
        actor=world.admin,
        customer_id=acme.pk,
        data=services.ContactInput(
            name="李伟", email="li.wei@acme.example", phone="13800001111", title="设备科长"
        ),
    )
    services.identity_add(
        actor=world.admin, contact_id=contact.pk, kind="wecom_external_userid", value="wmLiWei"
    )
    for n in range(30):
        factories.ticket(world.agent, contact=contact, subject=f"主轴报警 {n}")
    return acme


def test_a_lead_reads_the_360_writes_a_note_and_sets_the_tier(
    session_for: Any, world: factories.World
) -> None:
    acme = _scene(world)
    lead = session_for("zh-CN")
    page = lead.login("lead")

    page.get_by_test_id("nav-customers").click()
    page.get_by_test_id("customers-q").fill("Acme")
    page.get_by_test_id("customers-q").press("Enter")
    page.get_by_test_id("customer-link").filter(has_text="Acme").click()

    expect(page.get_by_test_id("customer-name")).to_contain_text("Acme")
    expect(page.get_by_test_id("contract")).to_contain_text("金牌维保")
    expect(page.get_by_test_id("asset")).to_have_count(2)
    expect(page.get_by_test_id("history-row")).to_have_count(25)
    page.get_by_test_id("history-more").click()
    expect(page.get_by_test_id("history-row")).to_have_count(30)

    page.locator("#id_body").fill("来电请先报设备序列号。")
    page.get_by_test_id("note-add").click()
    expect(page.get_by_test_id("profile-event").first).to_contain_text("来电请先报设备序列号")

    page.locator("#id_tier").select_option("vip")
    page.locator("#id_reason").fill("战略合作伙伴")
    page.get_by_test_id("override-set").click()
    expect(page.get_by_test_id("tier-by-hand")).to_be_visible()
    expect(page.get_by_test_id("override-note")).to_contain_text("战略合作伙伴")
    acme.refresh_from_db()
    assert acme.tier == "vip"
    lead.shot("customer-360-zh")


def test_an_agent_opens_a_ticket_from_the_chat_sidebar(
    session_for: Any, world: factories.World
) -> None:
    _scene(world)
    agent = session_for("en-US")
    page = agent.login("agent")
    page.set_viewport_size({"width": 400, "height": 900})

    page.goto(reverse("chat:sidebar") + "?external_userid=wmLiWei")
    expect(page.get_by_test_id("sidebar-contact")).to_contain_text("李伟")
    expect(page.get_by_test_id("sidebar-customer")).to_contain_text("Acme")
    expect(page.get_by_test_id("sidebar-open")).to_have_text("30")

    form = page.get_by_test_id("sidebar-ticket-form")
    form.locator("[name=subject]").fill("Alarm 1040 after restart")
    form.locator("[name=description]").fill("The spindle stops after ten minutes.")
    form.locator("[name=asset]").select_option(label="VMC-850 · VMC2401-00017")
    page.get_by_test_id("sidebar-ticket-create").click()

    expect(page.get_by_test_id("sidebar-open")).to_have_text("31")
    expect(page.get_by_test_id("sidebar-tickets")).to_contain_text("Alarm 1040 after restart")
    ticket = Ticket.objects.get(subject="Alarm 1040 after restart")
    assert ticket.channel == "chat"
    assert ticket.asset is not None
    agent.shot("chat-sidebar-en")

    page.goto(reverse("chat:sidebar") + "?external_userid=wmSomeoneNew")
    expect(page.get_by_test_id("sidebar-unknown")).to_be_visible()
