"""``zhongtai demo``: a small variant of the demo data set keeps every ticket invariant."""

from __future__ import annotations

import io
import itertools
import random
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.test import Client
from django.utils import timezone

from zhongtai.accounts.models import User
from zhongtai.channels.models import InboundMail, WeComInbound
from zhongtai.core.demo import DEMO_PASSWORD
from zhongtai.core.demo.directory import directory_create
from zhongtai.core.demo.replay import plans_play
from zhongtai.core.demo.standards import standards_create
from zhongtai.core.demo.stories import StoryPlanner
from zhongtai.core.models import Tenant
from zhongtai.customers import services as customer_services
from zhongtai.customers.models import Asset, Contact, Customer, Identity, TierRule
from zhongtai.knowledge.models import BotConversation
from zhongtai.tickets.choices import OPEN_STATUSES, EventType, TicketStatus
from zhongtai.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def assert_ticket_invariants(ticket: Ticket, events: list[TicketEvent]) -> None:
    assert ticket.is_open == (ticket.status in OPEN_STATUSES)
    assert events[0].type == EventType.CREATED
    assert [e.type for e in events].count(EventType.CREATED) == 1
    assert events[0].created_at == ticket.created_at
    assert all(a.created_at <= b.created_at for a, b in itertools.pairwise(events))
    assert events[-1].created_at <= ticket.updated_at
    staff_replies = [
        e for e in events if e.type == EventType.PUBLIC_REPLY and e.actor not in customers(ticket)
    ]
    assert ticket.first_response_at == (staff_replies[0].created_at if staff_replies else None)
    to_status = [e for e in events if e.type == EventType.STATUS_CHANGE]
    assert (to_status[-1].data["to"] if to_status else TicketStatus.NEW) == ticket.status
    if ticket.status == TicketStatus.RESOLVED:
        resolved = [e for e in to_status if e.data["to"] == TicketStatus.RESOLVED]
        assert ticket.resolved_at == resolved[-1].created_at
    if ticket.is_open:
        assert ticket.resolved_at is None
        assert ticket.closed_at is None
    if ticket.status == TicketStatus.CLOSED:
        assert ticket.closed_at == to_status[-1].created_at


def customers(ticket: Ticket) -> set[User]:
    contact_user = ticket.contact.user if ticket.contact else None
    return {contact_user} if contact_user else set()


def test_small_demo_keeps_every_invariant_and_has_a_realistic_mix():
    # (one load for both: a demo load is the slowest part of the suite)
    # when a small demo is loaded
    output = demo("--tickets", "400")
    # then two demo units exist with their tickets numbered 1..n in creation order
    assert "Demo loaded" in output
    tenants = {t.slug: t for t in Tenant.objects.all()}
    assert set(tenants) == {"sh", "saas"}
    assert all(t.is_demo for t in tenants.values())
    # (besides the requests its bot conversations handed to a person and its mailboxes took
    # in, numbered after them)
    apart = {
        *BotConversation.objects.exclude(ticket=None).values_list("ticket", flat=True),
        *InboundMail.objects.exclude(ticket=None).values_list("ticket", flat=True),
    }
    assert Ticket.objects.exclude(pk__in=apart).count() == 400
    for tenant in tenants.values():
        tickets = list(
            Ticket.objects.filter(tenant=tenant).exclude(pk__in=apart).order_by("created_at", "id")
        )
        assert len(tickets) == 200
        assert tenant.ticket_seq == 200 + Ticket.objects.filter(tenant=tenant, pk__in=apart).count()
        assert sorted(t.number for t in tickets) == list(range(1, 201))
        assert [t.number for t in tickets] == sorted(t.number for t in tickets)
    # and every ticket is consistent with its own timeline
    events: dict[int, list[TicketEvent]] = {}
    for event in TicketEvent.objects.select_related("actor").order_by("created_at", "id"):
        events.setdefault(event.ticket_id, []).append(event)
    for ticket in Ticket.objects.exclude(pk__in=apart).select_related("contact__user"):
        assert_ticket_invariants(ticket, events[ticket.pk])
    # and the mix is realistic
    tickets = Ticket.objects.all()
    statuses = Counter(tickets.values_list("status", flat=True))
    assert set(statuses) == set(TicketStatus.values)
    assert 0.35 <= tickets.filter(is_open=True).count() / 400 <= 0.55
    oldest = tickets.order_by("created_at").first()
    assert oldest is not None
    assert (timezone.now() - oldest.created_at).days >= 90
    kinds = set(TicketEvent.objects.values_list("type", flat=True))
    assert {"escalation", "assignment", "internal_note", "merge", "child_link"} <= kinds
    assert tickets.filter(merged_into__isnull=False, status=TicketStatus.CLOSED).exists()
    assert tickets.filter(parent__isnull=False, blocks_parent=True).exists()
    assert tickets.annotate(n=Count("tags")).filter(n__gt=0).exists()
    sh = tickets.filter(tenant__slug="sh").first()
    saas = tickets.filter(tenant__slug="saas").first()
    assert sh is not None
    assert re.search(r"[\u4e00-\u9fff]", sh.subject + sh.description)
    assert saas is not None
    assert re.fullmatch(r"[\x00-\x7f’…]+", saas.description)
    # the equipment unit's customers run assets, some out of warranty; tickets name them
    assets = Asset.objects.filter(tenant__slug="sh")
    assert assets.filter(warranty_ends_on__lt=timezone.localdate()).exists()
    assert assets.filter(warranty_ends_on__gte=timezone.localdate()).exists()
    assert tickets.filter(tenant__slug="sh", asset__isnull=False).count() >= 50
    assert tickets.filter(asset__isnull=False).exclude(asset__customer=F("customer")).count() == 0
    # every customer has a 360: contracts that earn its tier under the unit's rules (or a
    # tier set by hand, with its reason), identities for its contacts, an owner
    for tenant in tenants.values():
        rules = list(TierRule.objects.filter(tenant=tenant))
        customers_ = list(Customer.objects.filter(tenant=tenant))
        facts = customer_services.tier_facts(customers_, timezone.localdate())
        for customer in customers_:
            assert customer.contracts.exists()
            assert customer.owner_id is not None
            assert customer_services.tier_of(facts[customer.pk], rules) == customer.tier_computed
            assert customer.tier == (customer.tier_override or customer.tier_computed)
        assert Customer.objects.filter(tenant=tenant).exclude(tier_override="").exists()
        assert (
            Identity.objects.filter(tenant=tenant, kind="email").count()
            == Contact.objects.filter(tenant=tenant).count()
        )
    assert Identity.objects.filter(kind="wecom_external_userid").exists()
    # each unit's mailbox took mail through the real intake: a request, a customer's answer
    # on its ticket, an out-of-office kept unanswered, an unreadable mail in quarantine
    for tenant in tenants.values():
        states = set(InboundMail.objects.filter(tenant=tenant).values_list("state", flat=True))
        assert states == {"ticket", "reply", "ignored", "quarantined"}
    assert WeComInbound.objects.filter(tenant__slug="sh").count() == 2


def test_bulk_path_writes_what_the_services_write():
    # given the same plans, once played through the services and once in bulk
    directories, _admin = directory_create(rng=random.Random(1))
    unit = directories[1]
    anchor = timezone.now()
    standards_create(tenant=unit.tenant, anchor=anchor)  # so both paths run SLA clocks
    statuses = list(TicketStatus.values) * 4

    def plans(via_services: bool) -> list:
        planner = StoryPlanner(rng=random.Random(99), unit=unit, anchor=anchor)
        made = [planner.plan(status) for status in statuses]
        for plan in made:
            plan.via_services = via_services
        return made

    served, bulk = plans(True), plans(False)
    plans_play(served)
    plans_play(bulk)
    # then each pair of tickets is identical but for its number
    assert sum(len(snapshot(plan.number)[1]) for plan in served) > 5 * len(served)
    assert sum(len(snapshot(plan.number)[3]) for plan in served) >= 2 * len(served)
    for one, two in zip(served, bulk, strict=True):
        assert snapshot(one.number) == snapshot(two.number)


def snapshot(number: int) -> tuple:
    ticket = Ticket.objects.get(tenant__slug="saas", number=number)
    fields = [
        "status", "is_open", "tier", "team_id", "assignee_id", "engineer_id", "priority",
        "category_id", "channel", "version", "first_response_at", "resolved_at", "closed_at",
        "created_at", "updated_at", "requester_id", "contact_id", "customer_id", "subject",
    ]  # fmt: skip
    # (the bulk path writes the SLA events after the others: compare each kind in order,
    # since events of the same instant are ordered by id)
    events = sorted(
        (
            (e.type == "sla", e.type, e.actor_id, e.is_public, e.body, e.data, e.created_at)
            for e in ticket.events.order_by("created_at", "id")
        ),
        key=lambda e: e[0],
    )
    tags = sorted(ticket.tags.values_list("name", flat=True))
    timers = list(
        ticket.sla_timers.order_by("id").values_list(
            "target", "policy_id", "target_minutes", "started_at", "pauses", "due_at",
            "next_check_at", "fulfilled_at", "breached_at", "cancelled_at", "business_minutes",
            "team_id", "assignee_id", "tier", "priority", "type",
        )
    )  # fmt: skip
    return tuple(getattr(ticket, f) for f in fields), events, tags, timers


def test_second_run_is_a_no_op_and_reset_reloads():
    demo("--tickets", "40")
    first_ids = set(Ticket.objects.values_list("pk", flat=True))
    # when run again it changes nothing
    assert "already loaded" in demo("--tickets", "40")
    assert set(Ticket.objects.values_list("pk", flat=True)) == first_ids
    # and --reset wipes the demo and loads the same data again
    assert "Demo loaded" in demo("--tickets", "40", "--reset")
    apart = {
        *BotConversation.objects.exclude(ticket=None).values_list("ticket", flat=True),
        *InboundMail.objects.exclude(ticket=None).values_list("ticket", flat=True),
    }
    assert Ticket.objects.exclude(pk__in=apart).count() == 40
    assert not first_ids & set(Ticket.objects.values_list("pk", flat=True))
    assert User.objects.filter(username="demo.admin").count() == 1


def test_refuses_a_database_with_other_data_unless_forced():
    # given a real user and a real business unit
    User.objects.create_user(username="boss", password="x-secret-1")
    Tenant.objects.create(slug="real", name="Real unit", ticket_prefix="RL")
    # when the demo runs, it refuses and loads nothing
    with pytest.raises(CommandError, match="not demo data"):
        demo("--tickets", "10")
    assert not Tenant.objects.filter(is_demo=True).exists()
    # unless forced, and then it leaves the other data alone
    demo("--tickets", "10", "--force")
    assert Tenant.objects.filter(is_demo=True).count() == 2
    assert Tenant.objects.filter(slug="real", is_demo=False).exists()
    assert User.objects.filter(username="boss").exists()


def test_refuses_when_a_demo_username_is_taken_by_a_real_user():
    User.objects.create_user(username="demo.admin", password="x-secret-1")
    with pytest.raises(CommandError, match=r"demo\.admin"):
        demo("--tickets", "10", "--force")


def test_printed_logins_log_in():
    output = demo("--tickets", "20")
    rows = re.findall(r"^  (\S+)\s+(\S+)\s+(.+?)\s+(sh|saas|all)$", output, re.MULTILINE)
    logins = {username: (password, role) for username, password, role, _unit in rows}
    assert logins["demo.admin"][0] == DEMO_PASSWORD
    assert {role for _p, role in logins.values()} >= {
        "agent", "lead", "l2", "l3", "admin", "customer (portal)", "admin + Django admin",
    }  # fmt: skip
    assert "sh.c001" in logins
    assert "saas.c001" in logins
    for username, (password, _role) in logins.items():
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302, username
        assert client.session.get("_auth_user_id"), username
    admin = Client()
    admin.post("/accounts/login/", {"username": "demo.admin", "password": DEMO_PASSWORD})
    assert admin.get("/admin/").status_code == 200
