"""An agent opens a ticket for a customer in the workspace (a phone call, a mail)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhongtai.customers.models import Contact
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db
URL = reverse("tickets:ticket_create")


def _form(world, **extra):
    contact = Contact.objects.get(user=world.customer.user)
    data = {
        "subject": "Caller: chiller alarm E42",
        "description": "Called at 9:10, alarm after power cut.",
        "channel": "phone",
        "type": "incident",
        "priority": "high",
        "customer": contact.customer_id,
        "contact": contact.pk,
        "team": world.l1_team.pk,
        "assignee": world.agent.user.pk,
        "tags": "chiller, 报警",
    }
    data.update(extra)
    return data


def test_agent_opens_ticket_for_caller(client, world):
    client.force_login(world.agent.user)
    assert client.get(URL).status_code == 200
    upload = SimpleUploadedFile("photo.png", b"\x89PNG", content_type="image/png")
    response = client.post(URL, {**_form(world), "attachments": [upload]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:ticket_detail", args=[ticket.number])
    assert (ticket.channel, ticket.priority, ticket.assignee) == ("phone", "high", world.agent.user)
    assert ticket.contact.user == world.customer.user
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["chiller", "报警"]
    assert ticket.events.get().type == EventType.CREATED
    assert Attachment.objects.get().filename == "photo.png"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", ""),
        ("description", ""),
        ("channel", "portal"),
        ("type", "nonsense"),
        ("priority", "extreme"),
        ("assignee", "999999"),
    ],
)
def test_invalid_input_stores_nothing(client, world, field, value):
    client.force_login(world.agent.user)
    response = client.post(URL, _form(world, **{field: value}))
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_forbidden_file_type_shows_error_and_stores_nothing(client, world):
    client.force_login(world.agent.user)
    upload = SimpleUploadedFile("run.exe", b"MZ")
    response = client.post(URL, {**_form(world), "attachments": [upload]})
    assert response.status_code == 422
    assert "not allowed" in response.content.decode()
    assert not Ticket.objects.exists()


def test_contact_of_another_customer_is_refused(client, world):
    client.force_login(world.agent.user)
    other_contact = Contact.objects.get(user=world.customer2.user)
    response = client.post(URL, _form(world, contact=other_contact.pk))
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_other_tenant_objects_are_not_choices(client, world):
    client.force_login(world.other_agent.user)
    response = client.post(URL, _form(world, team=world.l1_team.pk, assignee="", contact=""))
    assert response.status_code == 422
    assert not Ticket.objects.exists()


def test_customer_and_anonymous_cannot_open_the_form(client, world):
    assert client.get(URL).status_code == 302
    client.force_login(world.customer.user)
    assert client.get(URL).status_code == 404
    assert client.post(URL, _form(world)).status_code == 404
    assert not Ticket.objects.exists()
