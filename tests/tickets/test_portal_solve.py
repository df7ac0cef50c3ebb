"""A customer marks their own request as solved on the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from zhongtai.core.errors import Conflict, PermissionDenied
from zhongtai.tickets import services
from zhongtai.tickets.choices import EventType, TicketStatus
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _url(ticket: Ticket) -> str:
    return reverse("portal:ticket_solve", kwargs={"number": ticket.number})


def test_customer_solves_own_request_and_a_reply_reopens_it(client, world):
    ticket = factories.ticket(world.customer)
    client.force_login(world.customer.user)
    response = client.post(_url(ticket))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    event = ticket.events.get(type=EventType.STATUS_CHANGE)
    assert (event.actor, event.data["cause"]) == (world.customer.user, "customer_solved")
    services.ticket_reply(actor=world.customer, ticket=ticket, body="It is back.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_solve_button_shows_only_on_open_requests(client, world):
    ticket = factories.ticket(world.customer)
    client.force_login(world.customer.user)
    detail = reverse("portal:ticket_detail", kwargs={"number": ticket.number})
    assert 'data-testid="solve-form"' in client.get(detail).content.decode()
    client.post(_url(ticket))
    assert 'data-testid="solve-form"' not in client.get(detail).content.decode()


def test_solving_a_solved_request_changes_nothing(client, world):
    ticket = factories.ticket(world.customer)
    services.ticket_transition(actor=world.agent, ticket=ticket, to_status="resolved")
    with pytest.raises(Conflict):
        services.ticket_customer_solve(actor=world.customer, ticket=ticket)
    client.force_login(world.customer.user)
    assert client.post(_url(ticket)).status_code == 302
    assert ticket.events.filter(type=EventType.STATUS_CHANGE).count() == 1


def test_other_customer_other_tenant_and_staff_cannot_solve(client, world):
    ticket = factories.ticket(world.customer)
    client.force_login(world.customer2.user)
    assert client.post(_url(ticket)).status_code == 404
    client.force_login(world.other_customer.user)
    assert client.post(_url(ticket)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.ticket_customer_solve(actor=world.agent, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


def test_get_is_not_allowed(client, world):
    ticket = factories.ticket(world.customer)
    client.force_login(world.customer.user)
    assert client.get(_url(ticket)).status_code == 405
