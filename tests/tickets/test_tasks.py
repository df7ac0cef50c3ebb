"""Notifications go through the real Huey queue (SQLite here, Redis when REDIS_URL is set)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.support import huey_drain
from zhongtai.core.errors import ApplicationError
from zhongtai.tickets import notifications, services
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Notification


@pytest.mark.django_db(transaction=True)
def test_mails_are_queued_after_commit_and_sent_by_a_worker(world, queue, mailoutbox):
    # given a customer's request (acknowledged by mail)
    ticket = factories.ticket(world.customer, subject="Compressor alarm E07")
    # when an agent replies publicly and adds a note
    services.ticket_reply(actor=world.agent, ticket=ticket, body="Please restart it.")
    services.ticket_reply(actor=world.agent, ticket=ticket, body="internal", public=False)
    # then two jobs wait in the real queue, and nothing was sent inside the requests
    assert queue.pending_count() == 2
    assert mailoutbox == []
    assert huey_drain() == 2
    assert [m.to for m in mailoutbox] == [[world.customer.user.email]] * 2
    assert "Please restart it." in mailoutbox[1].body
    assert "internal" not in "".join(m.body for m in mailoutbox)
    assert f"SH-{ticket.number:06d}" in mailoutbox[1].subject


@pytest.mark.django_db(transaction=True)
def test_failed_transaction_queues_nothing(world, queue):
    ticket = factories.ticket(world.agent)
    queue.flush()
    with pytest.raises(ApplicationError):
        services.ticket_reply(
            actor=world.agent, ticket=ticket, body="hi", then_status="no-such-status"
        )
    assert queue.pending_count() == 0


def test_notify_is_safe_to_run_twice(world, mailoutbox):
    ticket = factories.ticket(world.customer)
    event = services.ticket_reply(actor=world.agent, ticket=ticket, body="Done")
    assert notifications.ticket_event_notify(event_id=event.pk) == 1
    assert notifications.ticket_event_notify(event_id=event.pk) == 0
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(event=event, sent_at__isnull=False).count() == 1


def test_recipients(world):
    ticket = factories.ticket(world.customer)
    services.ticket_assign(actor=world.lead, ticket=ticket, assignee=world.agent.user)
    reply = services.ticket_reply(actor=world.customer, ticket=ticket, body="any news?")
    assert notifications.notification_recipients(reply) == [world.agent.user.email]
    assignment = ticket.events.get(type=EventType.ASSIGNMENT)
    assert notifications.notification_recipients(assignment) == [world.agent.user.email]
    services.ticket_escalate(actor=world.agent, ticket=ticket, team=world.l2_team, reason="board")
    escalation = ticket.events.get(type=EventType.ESCALATION)
    assert notifications.notification_recipients(escalation) == [world.l2.user.email]
