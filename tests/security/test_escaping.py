"""Every user-supplied text is escaped or sanitized where it is shown.

Script payloads go in through the API (subject, description, tags, replies, notes, file
names) and through the rows an administrator sets up (names of people, customers, teams,
categories); then the agent and portal pages that show them are rendered.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests import factories
from zhongtai.customers.models import Contact, Customer
from zhongtai.tickets.models import Attachment

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "<svg/onload=alert(1)>"
# Raw markup that must never reach a page: the payloads' tags as the browser would parse them.
DANGEROUS = ["<script>alert(", "<img src=x onerror", "<svg/onload", "javascript:alert"]


def _payload(marker: str) -> str:
    """A marker to find the field on the page, followed by three kinds of payload."""
    return f"{marker} {SCRIPT}{IMG}{SVG}"


@pytest.fixture
def poisoned(world: factories.World, api_for: Any) -> dict[str, Any]:
    """A ticket whose every text shown on its pages carries a payload."""
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    Customer.objects.filter(pk=acme.pk).update(name=_payload("CUSTOMERNAME"))
    Contact.objects.filter(user=world.customer.user).update(name=_payload("CONTACTNAME"))
    for actor, marker in ((world.agent, "AGENTNAME"), (world.customer, "CUSTOMERUSER")):
        actor.user.display_name = _payload(marker)[:150]
        actor.user.save(update_fields=["display_name"])
    world.l2_team.name = _payload("TEAMNAME")[:100]
    world.l2_team.save(update_fields=["name"])
    category = factories.category(world.tenant, _payload("CATEGORY")[:100])

    customer, agent = api_for(world.customer), api_for(world.agent)
    created = customer.post(
        "/tickets", {"subject": _payload("SUBJECT"), "description": _payload("DESCRIPTION")}
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    changes = {"version": created.json()["version"], "tags": [SCRIPT], "category_id": category.pk}
    assert agent.patch(f"/tickets/{number}", changes).status_code == 200
    assert agent.post(f"/tickets/{number}/replies", {"body": _payload("REPLY")}).status_code == 201
    note = {"body": _payload("NOTE"), "public": False}
    assert agent.post(f"/tickets/{number}/replies", note).status_code == 201
    escalation = {"team_id": world.l2_team.pk, "reason": _payload("REASON")}
    assert agent.post(f"/tickets/{number}/escalate", escalation).status_code == 200
    upload = SimpleUploadedFile(f"{IMG}{SCRIPT}.txt", b"log", content_type="text/plain")
    attached = customer.client.post(f"/api/v1/tickets/{number}/attachments", {"files": [upload]})
    assert attached.status_code == 201, attached.content
    return {"number": number, "attachment": attached.json()[0]}


def _assert_safe(html: str, where: str) -> None:
    for raw in DANGEROUS:
        assert raw not in html, f"{where}: {raw!r} reached the page unescaped"


def _render(world: factories.World, who: str, url: str) -> str:
    client = Client()
    client.force_login(getattr(world, who).user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.django_db
def test_agent_ticket_page_escapes_every_text(
    world: factories.World, poisoned: dict[str, Any]
) -> None:
    url = reverse("tickets:ticket_detail", kwargs={"number": poisoned["number"]})

    html = _render(world, "agent", url)

    _assert_safe(html, url)
    for marker in ("SUBJECT", "DESCRIPTION", "REPLY", "NOTE", "CUSTOMERNAME", "AGENTNAME"):
        assert marker in html, f"{marker} is not shown, so its escaping is not tested"
    assert "&lt;script&gt;" in html or "&lt;script>" in html


@pytest.mark.django_db
def test_portal_ticket_page_escapes_every_text(
    world: factories.World, poisoned: dict[str, Any]
) -> None:
    url = reverse("portal:ticket_detail", kwargs={"number": poisoned["number"]})

    html = _render(world, "customer", url)

    _assert_safe(html, url)
    for marker in ("SUBJECT", "DESCRIPTION", "REPLY"):
        assert marker in html, f"{marker} is not shown, so its escaping is not tested"
    assert "NOTE" not in html  # an internal note never reaches the portal


@pytest.mark.django_db
def test_queues_escape_every_text(world: factories.World, poisoned: dict[str, Any]) -> None:
    agent_queue = _render(world, "agent", reverse("tickets:ticket_list") + "?queue=all")
    portal_queue = _render(world, "customer", reverse("portal:ticket_list"))

    _assert_safe(agent_queue, "agent queue")
    _assert_safe(portal_queue, "portal queue")
    assert "SUBJECT" in agent_queue
    assert "SUBJECT" in portal_queue


@pytest.mark.django_db
def test_token_page_escapes_the_token_name(world: factories.World, api_for: Any) -> None:
    api_for(world.agent).post("/tokens", {"name": _payload("TOKEN")[:80]})

    html = _render(world, "agent", reverse("accounts:token_list"))

    _assert_safe(html, "token page")
    assert "TOKEN" in html


@pytest.mark.django_db
def test_file_names_are_cleaned_and_downloads_never_render(
    world: factories.World, poisoned: dict[str, Any], api_for: Any
) -> None:
    stored = Attachment.objects.get(pk=poisoned["attachment"]["id"])
    number = poisoned["number"]

    response = api_for(world.agent).get(f"/tickets/{number}/attachments/{stored.pk}")

    assert not set('<>"/\\') & set(stored.filename)
    assert stored.filename.endswith(".txt")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert "<" not in response["Content-Disposition"]
    for name, kwargs in (
        ("tickets:attachment_download", {"number": number, "attachment_id": stored.pk}),
        ("portal:attachment_download", {"number": number, "attachment_id": stored.pk}),
    ):
        who = "agent" if name.startswith("tickets") else "customer"
        client = Client()
        client.force_login(getattr(world, who).user)
        page = client.get(reverse(name, kwargs=kwargs))
        assert page.status_code == 200, name
        assert page["Content-Disposition"].startswith("attachment;"), name
        assert page["X-Content-Type-Options"] == "nosniff", name
