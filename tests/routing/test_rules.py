"""Routing rules: matching, the order, what they set at intake, and trying them on the past."""

from __future__ import annotations

import pytest

from tests import factories
from zhongtai.core.errors import InvalidInput, NotFound, PermissionDenied
from zhongtai.customers.models import Contact, Customer
from zhongtai.routing import rule_services
from zhongtai.routing.rule_services import RuleInput
from zhongtai.routing.rules import CompiledRule, RuleFacts, rules_apply
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Category

pytestmark = pytest.mark.django_db


def _facts(**kw) -> RuleFacts:
    values = {
        "text": "压缩机跳闸 compressor trips",
        "channel": "email",
        "customer_tier": "vip",
        "category_ids": frozenset({1, 2}),
        "contact_domain": "acme.com",
    }
    values.update(kw)
    return RuleFacts(**values)


def test_every_condition_a_rule_has_must_hold():
    rule = CompiledRule(
        id=1, name="VIP compressors", customer_tiers=frozenset({"vip"}), keywords=("压缩机",)
    )
    assert rule.matches(_facts())
    assert not rule.matches(_facts(customer_tier="standard"))
    assert not rule.matches(_facts(text="printer jam"))
    assert CompiledRule(id=2, name="parent category", category_ids=frozenset({2})).matches(_facts())
    assert not CompiledRule(id=3, name="domain", contact_domains=frozenset({"x.cn"})).matches(
        _facts()
    )


def test_the_first_rule_that_sets_a_field_wins_and_tags_add_up():
    first = CompiledRule(
        id=1, name="first", keywords=("trips",), actions={"priority": "high"}, tags=("a",)
    )
    second = CompiledRule(
        id=2,
        name="second",
        channels=frozenset({"email"}),
        actions={"priority": "low", "team_id": 7},
        tags=("a", "b"),
    )
    outcome = rules_apply([first, second], _facts())
    assert outcome.fields == {"priority": "high", "team_id": 7}
    assert outcome.set_by == {"priority": "first", "team_id": "second"}
    assert outcome.tags == ["a", "b"]
    assert outcome.matched == ["first", "second"]


def _rule(world, **kw) -> RuleInput:
    values = {"name": "Compressors to L2", "keywords": ["压缩机", "compressor"]}
    values.update(kw)
    return RuleInput(**values)


def test_at_intake_rules_set_team_priority_and_tags_and_say_why(world):
    rule_services.rule_save(
        actor=world.admin,
        data=_rule(world, set_team_id=world.l2_team.pk, set_priority="high", add_tags=["冷机"]),
    )
    ticket = factories.ticket(world.customer, subject="压缩机排气温度过高", description="跳闸")
    ticket.refresh_from_db()
    assert (ticket.team, ticket.tier, ticket.priority) == (world.l2_team, "l2", "high")
    assert list(ticket.tags.values_list("name", flat=True)) == ["冷机"]
    [event] = ticket.events.filter(type=EventType.ROUTING)
    assert event.data["rules"] == ["Compressors to L2"]
    assert event.data["set_by"] == {"team": "Compressors to L2", "priority": "Compressors to L2"}
    other = factories.ticket(world.customer, subject="invoice question")
    other.refresh_from_db()
    assert other.priority == "normal"
    assert not other.events.filter(type=EventType.ROUTING).exists()


def test_a_rule_by_customer_tier_and_mail_domain(world):
    vip = Customer.objects.create(tenant=world.tenant, name="Big", tier="vip")
    contact = Contact.objects.create(
        tenant=world.tenant, customer=vip, name="Li", email="li@big.cn"
    )
    rule_services.rule_save(
        actor=world.l2,
        data=RuleInput(
            name="VIP lane",
            customer_tiers=["vip"],
            contact_domains=["@BIG.cn"],
            set_priority="urgent",
        ),
    )
    ticket = factories.ticket(world.agent, subject="anything", contact=contact)
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"


def test_a_category_chosen_by_a_person_is_kept(world):
    chosen = Category.objects.create(tenant=world.tenant, name="Chosen")
    ruled = Category.objects.create(tenant=world.tenant, name="Ruled")
    rule_services.rule_save(actor=world.admin, data=_rule(world, set_category_id=ruled.pk))
    ticket = factories.ticket(world.agent, subject="compressor noise", category=chosen)
    ticket.refresh_from_db()
    assert ticket.category == chosen
    fresh = factories.ticket(world.agent, subject="compressor noise")
    fresh.refresh_from_db()
    assert fresh.category == ruled


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"keywords": [], "pattern": ""}, "keywords"),
        ({"set_priority": ""}, "set_category_id"),
        ({"pattern": "(unclosed"}, "pattern"),
        ({"channels": ["fax"]}, "channels"),
        ({"set_priority": "whenever"}, "set_priority"),
    ],
)
def test_bad_rules_are_refused(world, changes, field):
    data = _rule(world, set_priority="high")
    for name, value in changes.items():
        setattr(data, name, value)
    with pytest.raises(InvalidInput) as caught:
        rule_services.rule_save(actor=world.admin, data=data)
    assert caught.value.errors[0]["field"] == field
    assert rule_services.rule_list(actor=world.admin) == []


def test_another_units_team_or_rule_and_the_wrong_role(world):
    with pytest.raises(InvalidInput):
        rule_services.rule_save(
            actor=world.admin, data=_rule(world, set_team_id=world.other_team.pk)
        )
    with pytest.raises(PermissionDenied):
        rule_services.rule_save(actor=world.lead, data=_rule(world, set_priority="high"))
    theirs = rule_services.rule_save(
        actor=factories.actor(world.other_tenant, "admin", "other_admin"),
        data=_rule(world, set_priority="high"),
    )
    with pytest.raises(NotFound):
        rule_services.rule_delete(actor=world.admin, rule_id=theirs.pk)


def test_the_order_can_be_changed(world):
    a = rule_services.rule_save(actor=world.admin, data=_rule(world, name="A", set_priority="low"))
    b = rule_services.rule_save(actor=world.admin, data=_rule(world, name="B", set_priority="high"))
    rule_services.rule_move(actor=world.admin, rule_id=b.pk, index=0)
    assert [r.name for r in rule_services.rule_list(actor=world.admin)] == ["B", "A"]
    ticket = factories.ticket(world.customer, subject="compressor")
    ticket.refresh_from_db()
    assert ticket.priority == "high"
    with pytest.raises(InvalidInput):
        rule_services.rule_move(actor=world.admin, rule_id=a.pk, index=5)


def test_a_dry_run_counts_the_past_tickets_it_would_have_matched(world):
    for subject in ("compressor trips", "压缩机异响", "printer", "invoice"):
        factories.ticket(world.customer, subject=subject)
    factories.ticket(world.other_agent, subject="compressor elsewhere")
    result = rule_services.rules_dry_run(
        actor=world.l2, data=_rule(world, set_priority="high"), days=30
    )
    assert (result.tickets, result.matched, len(result.sample)) == (4, 2, 2)
    assert not rule_services.rule_list(actor=world.l2)  # nothing stored
