"""Macros: who writes which, what each person sees, the text for a ticket, and the field
actions applied through the ticket services (on the timeline, all or nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings

from tests import factories
from tests.factories import World
from tests.macros.helpers import macro
from zhongtai.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from zhongtai.macros import selectors, services
from zhongtai.macros.choices import MacroScope
from zhongtai.macros.models import Macro
from zhongtai.macros.selectors import due_text
from zhongtai.sla.models import BusinessCalendar, SlaPolicy
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)


def _names(actor: object) -> list[str]:
    return [m.name for m in selectors.macro_list(actor=actor)]  # type: ignore[arg-type]


# --- who writes which ----------------------------------------------------------------------


def test_anyone_on_the_staff_writes_personal_macros_for_themselves(world: World) -> None:
    mine = macro(world.agent, "Mine")

    assert (mine.scope, mine.owner_id, mine.team_id) == ("personal", world.agent.user.pk, None)
    with pytest.raises(PermissionDenied):
        macro(world.customer, "Customer's")
    with pytest.raises(NotFound):  # another person's personal macro does not exist for you
        services.macro_update(
            actor=world.agent2, macro_id=mine.pk, data=services.MacroInput(name="Taken")
        )


def test_team_macros_are_written_by_the_lead_of_that_team_or_a_manager(world: World) -> None:
    world.l1_team.lead = world.lead.user
    world.l1_team.save()
    team = {"scope": MacroScope.TEAM, "team_id": world.l1_team.pk}

    by_lead = macro(world.lead, "Frontline hello", **team)
    by_l2 = macro(world.l2, "From L2", **team)

    assert by_lead.team == by_l2.team == world.l1_team
    with pytest.raises(PermissionDenied):
        macro(world.agent, "Agent's team macro", **team)
    with pytest.raises(PermissionDenied):  # a lead of another team is not this team's lead
        macro(world.lead, "Not my team", scope=MacroScope.TEAM, team_id=world.l2_team.pk)


def test_shared_macros_are_written_by_those_who_manage_knowledge(world: World) -> None:
    for actor in (world.agent, world.lead, world.l3):
        with pytest.raises(PermissionDenied):
            macro(actor, "Shared hello", scope=MacroScope.SHARED)
    assert macro(world.admin, "Shared hello", scope=MacroScope.SHARED).scope == "shared"
    shared = Macro.objects.get()
    with pytest.raises(PermissionDenied):
        services.macro_deactivate(actor=world.agent, macro_id=shared.pk)
    with pytest.raises(PermissionDenied):  # nor may an agent make it their own
        services.macro_update(
            actor=world.agent,
            macro_id=shared.pk,
            data=services.MacroInput(name="Mine now", body_en="x"),
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "  "}, "name"),
        ({"body_en": "", "body_zh": " "}, "body_en"),
        ({"body_en": "Hi {{customer.__class__}}"}, "body_en"),
        ({"body_zh": "您好 {{ settings.SECRET_KEY }}"}, "body_zh"),
        ({"body_en": "{% load static %}Hi"}, "body_en"),
        ({"body_en": "lone \ud800 surrogate"}, "body_en"),
        ({"body_en": "x" * 10_001}, "body_en"),
        ({"set_status": "new"}, "set_status"),
        ({"set_status": "gone"}, "set_status"),
        ({"add_tags": [f"t{i}" for i in range(21)]}, "add_tags"),
        ({"add_tags": ["x" * 51]}, "add_tags"),
        ({"scope": "everyone"}, "scope"),
        ({"scope": "team"}, "team_id"),
        ({"team_id": 1}, "team_id"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    world: World, change: dict[str, object], field: str
) -> None:
    data = {"name": "Greeting", "body_en": "Hello {{contact.name}}", **change}

    with pytest.raises(InvalidInput) as raised:
        services.macro_create(actor=world.admin, data=services.MacroInput(**data))  # type: ignore[arg-type]

    assert field in [e["field"] for e in raised.value.errors]
    assert not Macro.objects.exists()


def test_a_category_and_a_team_of_another_unit_are_refused(world: World) -> None:
    theirs = factories.category(world.other_tenant, "Theirs")
    with pytest.raises(InvalidInput) as raised:
        macro(world.admin, "X", set_category_id=theirs.pk)
    assert raised.value.errors[0]["field"] == "set_category_id"
    with pytest.raises(InvalidInput):
        macro(world.admin, "Y", scope=MacroScope.TEAM, team_id=world.other_team.pk)
    assert not Macro.objects.exists()


def test_names_are_unique_per_unit_team_or_owner(world: World) -> None:
    macro(world.agent, "Hello")
    macro(world.agent2, "Hello")  # another owner
    macro(world.admin, "Hello", scope=MacroScope.SHARED)
    macro(world.admin, "Hello", scope=MacroScope.TEAM, team_id=world.l1_team.pk)
    macro(world.other_agent, "Hello")

    with pytest.raises(InvalidInput) as raised:
        macro(world.agent, "Hello")
    assert raised.value.errors[0]["field"] == "name"
    with pytest.raises(InvalidInput):
        macro(world.l2, "Hello", scope=MacroScope.SHARED)
    assert Macro.objects.count() == 5


# --- who sees which --------------------------------------------------------------------------


def test_each_person_sees_shared_their_teams_and_their_own(world: World) -> None:
    macro(world.admin, "Shared", scope=MacroScope.SHARED)
    macro(world.admin, "Frontline", scope=MacroScope.TEAM, team_id=world.l1_team.pk)
    macro(world.admin, "Engineering", scope=MacroScope.TEAM, team_id=world.l2_team.pk)
    macro(world.agent, "Agent's own")
    macro(world.other_agent, "Other unit")

    assert _names(world.agent) == ["Shared", "Frontline", "Agent's own"]
    assert _names(world.agent2) == ["Shared", "Frontline"]
    assert _names(world.l3) == ["Shared"]
    assert _names(world.l2) == ["Shared", "Engineering", "Frontline"]  # manages every team's
    assert _names(world.other_agent) == ["Other unit"]
    with pytest.raises(PermissionDenied):
        selectors.macro_list(actor=world.customer)


def test_a_deactivated_macro_leaves_the_menu_and_cannot_be_applied(world: World) -> None:
    mine = macro(world.agent, "Mine", add_tags=["x"])
    ticket = factories.ticket(world.customer)

    services.macro_deactivate(actor=world.agent, macro_id=mine.pk)

    mine.refresh_from_db()
    assert not mine.is_active
    assert selectors.macro_menu(actor=world.agent) == []
    with pytest.raises(Conflict):
        services.macro_apply_actions(actor=world.agent, ticket=ticket, macro=mine)


# --- the text for a ticket -------------------------------------------------------------------


@pytest.fixture
def policy(world: World) -> SlaPolicy:
    calendar = BusinessCalendar.objects.create(
        tenant=world.tenant, name="24×7", always_open=True, holiday_source=""
    )
    return SlaPolicy.objects.create(
        tenant=world.tenant,
        name="Standard support",
        calendar=calendar,
        first_response_minutes=60,
        resolution_minutes=480,
    )


def test_every_placeholder_is_filled_in_for_the_ticket(world: World, policy: SlaPolicy) -> None:
    body = (
        "{{customer.name}} / {{contact.name}} / {{ticket.number}} / {{ticket.subject}} / "
        "{{ticket.due}} / {{agent.name}}"
    )
    greeting = macro(world.agent, "All", body_en=body, body_zh="您好 {{contact.name}}")
    with time_machine.travel(T0, tick=False):
        ticket = factories.ticket(world.customer, subject="Compressor alarm")
        text = services.macro_render(
            actor=world.agent, ticket=ticket, macro=greeting, language="en"
        )
        chinese = services.macro_render(
            actor=world.agent, ticket=ticket, macro=greeting, language="zh-hans"
        )

    # resolution due 8 hours later, shown in the unit's time zone (Shanghai)
    assert text == (
        f"Acme / Customer / SH-{ticket.number:06d} / Compressor alarm / "
        "2025-06-02 17:00 UTC+8 / Agent"
    )
    assert chinese == "您好 Customer"


def test_a_ticket_without_the_values_shows_dashes(world: World) -> None:
    ticket = factories.ticket(world.agent, subject="Called in")  # no customer, no SLA policy
    dashes = macro(world.agent, "Dashes", body_en="{{customer.name}}|{{ticket.due}}")

    assert services.macro_render(actor=world.agent, ticket=ticket, macro=dashes) == "—|—"


def test_the_other_language_is_used_when_the_macro_lacks_the_asked_one(world: World) -> None:
    ticket = factories.ticket(world.customer)
    chinese_only = macro(world.agent, "只有中文", body_en="", body_zh="您好 {{ticket.number}}")

    text = services.macro_render(
        actor=world.agent, ticket=ticket, macro=chinese_only, language="en"
    )

    assert text == f"您好 SH-{ticket.number:06d}"


def test_nothing_in_a_stored_macro_or_a_ticket_is_evaluated(world: World) -> None:
    ticket = factories.ticket(world.customer, subject="{{settings.SECRET_KEY}} {0.__class__}")
    # written past the service's checks, as if by hand in the database
    raw = Macro.objects.create(
        tenant=world.tenant,
        name="Raw",
        scope=MacroScope.SHARED,
        body_en=(
            "{{ticket.customer.__class__}} {{settings.SECRET_KEY}} {% load static %} "
            "{{ request.user.password }} {0.__class__} {{ticket.subject}}"
        ),
    )

    text = services.macro_render(actor=world.agent, ticket=ticket, macro=raw)

    assert text == (
        "{{ticket.customer.__class__}} {{settings.SECRET_KEY}} {% load static %} "
        "{{ request.user.password }} {0.__class__} {{settings.SECRET_KEY}} {0.__class__}"
    )
    assert settings.SECRET_KEY not in text
    assert world.agent.user.password not in text
    assert "class" not in text.replace("__class__", "")


def test_due_text_follows_the_units_time_zone() -> None:
    assert due_text(T0, "Asia/Shanghai") == "2025-06-02 09:00 UTC+8"
    assert due_text(T0, "UTC") == "2025-06-02 01:00 UTC"
    assert due_text(T0, "Asia/Kolkata") == "2025-06-02 06:30 UTC+5:30"
    assert due_text(T0, "America/New_York") == "2025-06-01 21:00 UTC-4"
    assert due_text(None, "UTC") == ""


# --- field actions -----------------------------------------------------------------------


def test_field_actions_go_through_the_ticket_services_onto_the_timeline(world: World) -> None:
    hardware = factories.category(world.tenant, "Hardware")
    waiting = macro(
        world.agent,
        "Ask for the model",
        set_status="pending_customer",
        add_tags=["needs-model", "a"],
        set_category_id=hardware.pk,
    )
    ticket = factories.ticket(world.customer, tags=["a"])

    changed = services.macro_apply_actions(actor=world.agent, ticket=ticket, macro=waiting)

    changed.refresh_from_db()
    assert changed.status == "pending_customer"
    assert changed.category == hardware
    assert sorted(changed.tags.values_list("name", flat=True)) == ["a", "needs-model"]
    events = TicketEvent.objects.filter(ticket=ticket).order_by("id")
    field_change = events.get(type=EventType.FIELD_CHANGE)
    status_change = events.get(type=EventType.STATUS_CHANGE)
    assert field_change.actor == status_change.actor == world.agent.user
    assert set(field_change.data["changes"]) == {"category", "tags"}
    assert "Ask for the model" in status_change.body
    waiting.refresh_from_db()
    assert waiting.use_count == 1


def test_a_move_the_workflow_forbids_refuses_the_whole_use(world: World) -> None:
    closing = macro(
        world.admin, "Close", scope=MacroScope.SHARED, set_status="closed", add_tags=["x"]
    )
    ticket = factories.ticket(world.customer)
    version = ticket.version

    with pytest.raises(Conflict):
        services.macro_apply_actions(actor=world.agent, ticket=ticket, macro=closing)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, ticket.tags.count()) == ("new", version, 0)
    closing.refresh_from_db()
    assert closing.use_count == 0


def test_apply_with_reply_sends_the_text_and_the_actions_together(world: World) -> None:
    ticket = factories.ticket(world.customer)
    waiting = macro(world.agent, "Waiting", set_status="pending_customer")

    applied = services.macro_apply(actor=world.agent, ticket=ticket, macro=waiting, reply=True)

    assert applied.reply is not None
    assert applied.reply.body == f"Dear Customer, about SH-{ticket.number:06d}: Agent"
    assert Ticket.objects.get(pk=ticket.pk).status == "pending_customer"


def test_an_l2_engineer_cannot_send_a_macro_as_a_public_reply(world: World) -> None:
    ticket = factories.ticket(world.customer)
    tagged = macro(world.l2, "Tagged", add_tags=["l2"])

    with pytest.raises(PermissionDenied):
        services.macro_apply(actor=world.l2, ticket=ticket, macro=tagged, reply=True)

    assert ticket.tags.count() == 0
    assert not TicketEvent.objects.filter(ticket=ticket, type=EventType.PUBLIC_REPLY).exists()


def test_a_lead_sees_and_writes_the_macros_of_the_team_they_lead(world: World) -> None:
    world.l3_team.lead = world.lead.user  # leads it without being a member
    world.l3_team.save()

    written = macro(world.lead, "R&D hand-off", scope=MacroScope.TEAM, team_id=world.l3_team.pk)

    assert "R&D hand-off" in _names(world.lead)
    assert "R&D hand-off" in _names(world.l3)  # a member
    assert "R&D hand-off" not in _names(world.agent)
    assert services.can_edit(world.lead, written)
    assert not services.can_edit(world.l3, written)
