"""The ITR workflow through its services, against the real database."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from zhongtai.core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, PermissionDenied
from zhongtai.tickets import selectors, services
from zhongtai.tickets.choices import EventType, TicketStatus
from zhongtai.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_create_numbers_per_tenant_and_records_created_event(world):
    # given two tenants
    # when tickets are created in each
    first = factories.ticket(world.agent)
    second = factories.ticket(world.agent)
    other = factories.ticket(world.other_agent)
    # then numbers count per tenant and the timeline starts with "created"
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert first.team == world.l1_team
    assert list(first.events.values_list("type", flat=True)) == [EventType.CREATED]


def test_customer_creates_for_own_contact_on_portal(world):
    ticket = factories.ticket(world.customer, subject="Screen flickers")
    assert ticket.contact.user == world.customer.user
    assert ticket.channel == "portal"
    assert selectors.ticket_get(actor=world.customer, number=ticket.number) == ticket
    with pytest.raises(NotFound):
        selectors.ticket_get(actor=world.customer2, number=ticket.number)


def test_agent_reply_sets_first_response_and_opens(world):
    ticket = factories.ticket(world.customer)
    services.ticket_reply(actor=world.agent, ticket=ticket, body="We are on it.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.first_response_at is not None


def test_customer_never_sees_internal_notes(world):
    ticket = factories.ticket(world.customer)
    services.ticket_reply(actor=world.agent, ticket=ticket, body="secret note", public=False)
    services.ticket_reply(actor=world.agent, ticket=ticket, body="public answer")
    bodies = [e.body for e in selectors.ticket_timeline(actor=world.customer, ticket=ticket)]
    assert "public answer" in bodies
    assert "secret note" not in bodies


def test_l2_cannot_reply_publicly(world):
    ticket = factories.ticket(world.agent)
    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=world.l2, ticket=ticket, body="hi", public=True)
    assert not TicketEvent.objects.filter(type=EventType.PUBLIC_REPLY).exists()


def test_invalid_transition_is_refused_and_changes_nothing(world):
    ticket = factories.ticket(world.agent)
    with pytest.raises(Conflict):
        services.ticket_transition(actor=world.agent, ticket=ticket, to_status=TicketStatus.CLOSED)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert ticket.version == 1
    assert not ticket.events.filter(type=EventType.STATUS_CHANGE).exists()


def test_resolved_ticket_reopens_on_customer_reply(world):
    ticket = factories.ticket(world.customer)
    services.ticket_transition(actor=world.agent, ticket=ticket, to_status=TicketStatus.RESOLVED)
    services.ticket_reply(actor=world.customer, ticket=ticket, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.resolved_at is None


def test_escalate_and_hand_back_keeps_owner(world):
    ticket = factories.ticket(world.agent, assignee=world.agent.user)
    services.ticket_escalate(
        actor=world.agent, ticket=ticket, team=world.l2_team, reason="Board fault"
    )
    services.ticket_take(actor=world.l2, ticket=ticket)
    services.ticket_escalate(
        actor=world.l2, ticket=ticket, team=world.l3_team, reason="Firmware bug"
    )
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team, ticket.assignee) == ("l3", world.l3_team, world.agent.user)
    services.ticket_handback(actor=world.l3, ticket=ticket, reason="Patched")
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team) == ("l2", world.l2_team)
    services.ticket_handback(actor=world.l2, ticket=ticket, reason="Fixed")
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team) == ("l1", world.l1_team)


def test_escalation_must_go_up(world):
    ticket = factories.ticket(world.agent)
    with pytest.raises(InvalidInput):
        services.ticket_escalate(actor=world.agent, ticket=ticket, team=world.l1_team, reason="x")


def test_parent_cannot_be_resolved_while_blocking_child_open(world):
    parent = factories.ticket(world.agent)
    child = services.ticket_child_create(
        actor=world.l2,
        parent=parent,
        subject="Check firmware",
        description="R&D please",
        team=world.l3_team,
    )
    with pytest.raises(Conflict):
        services.ticket_transition(
            actor=world.agent, ticket=parent, to_status=TicketStatus.RESOLVED
        )
    services.ticket_transition(actor=world.agent, ticket=child, to_status=TicketStatus.RESOLVED)
    services.ticket_transition(actor=world.agent, ticket=parent, to_status=TicketStatus.RESOLVED)
    assert Ticket.objects.get(pk=parent.pk).status == TicketStatus.RESOLVED


def test_merge_keeps_both_histories_and_redirects_replies(world):
    target = factories.ticket(world.customer, subject="Pump leaks")
    source = factories.ticket(world.customer, subject="Pump leaking again")
    services.ticket_merge(actor=world.agent, source=source, target=target, reason="duplicate")
    source.refresh_from_db()
    assert source.status == TicketStatus.CLOSED
    assert source.merged_into == target
    timeline_tickets = {
        e.ticket_id for e in selectors.ticket_timeline(actor=world.agent, ticket=target)
    }
    assert timeline_tickets == {source.pk, target.pk}
    event = services.ticket_reply(actor=world.customer, ticket=source, body="any news?")
    assert event.ticket_id == target.pk


def test_stale_version_is_refused(world):
    ticket = factories.ticket(world.agent)
    services.ticket_update(
        actor=world.agent, ticket=ticket, changes={"priority": "high"}, expected_version=1
    )
    with pytest.raises(Conflict):
        services.ticket_update(
            actor=world.agent2, ticket=ticket, changes={"priority": "low"}, expected_version=1
        )
    ticket.refresh_from_db()
    assert ticket.priority == "high"


def test_field_change_event_has_before_and_after(world):
    ticket = factories.ticket(world.agent)
    services.ticket_update(
        actor=world.agent, ticket=ticket, changes={"priority": "urgent", "tags": ["vip"]}
    )
    event = ticket.events.get(type=EventType.FIELD_CHANGE)
    assert event.data["changes"]["priority"] == {"from": "normal", "to": "urgent"}
    assert event.data["changes"]["tags"] == {"from": [], "to": ["vip"]}


def test_bulk_assign_is_all_or_nothing(world):
    a = factories.ticket(world.agent)
    b = factories.ticket(world.agent)
    foreign = factories.ticket(world.other_agent)
    with pytest.raises(NotFound):
        services.tickets_bulk_assign(
            actor=world.lead, numbers=[a.number, b.number, 999], assignee=world.agent2.user
        )
    assert not Ticket.objects.filter(assignee=world.agent2.user).exists()
    services.tickets_bulk_assign(
        actor=world.lead, numbers=[a.number, b.number], assignee=world.agent2.user
    )
    assert Ticket.objects.filter(assignee=world.agent2.user).count() == 2
    assert foreign.assignee is None
    with pytest.raises(PermissionDenied):
        services.tickets_bulk_assign(actor=world.agent, numbers=[a.number], assignee=None)


def test_attachment_limits(world, settings):
    settings.MAX_ATTACHMENT_BYTES = 10
    big = SimpleUploadedFile("log.txt", b"x" * 11)
    with pytest.raises(PayloadTooLarge):
        factories.ticket(world.agent, files=[big])
    exe = SimpleUploadedFile("evil.exe", b"MZ")
    with pytest.raises(InvalidInput):
        factories.ticket(world.agent, files=[exe])
    assert not Ticket.objects.exists()


def test_cannot_assign_to_other_tenant_user(world):
    ticket = factories.ticket(world.agent)
    with pytest.raises(NotFound):
        services.ticket_assign(actor=world.agent, ticket=ticket, assignee=world.other_agent.user)


def test_note_cannot_resolve_without_resolve_permission(world):
    ticket = factories.ticket(world.agent)
    with pytest.raises(PermissionDenied):
        services.ticket_reply(
            actor=world.l3, ticket=ticket, body="fixed", public=False, then_status="resolved"
        )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert not ticket.events.filter(type=EventType.INTERNAL_NOTE).exists()
