"""The help centre (customers and visitors), search-as-you-type on the request form,
deflections; the ticket page's knowledge panel, making a case from a ticket, and the
settings and report pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.factories import World
from zhongtai.knowledge import reports, services
from zhongtai.knowledge.models import Article, ArticleTicket, PortalVisit, SearchLog
from zhongtai.tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def _client(actor: object | None = None) -> Client:
    client = Client()
    if actor is not None:
        client.force_login(actor.user)  # type: ignore[attr-defined]
    return client


def _publish(world: World, title: str, body: str, visibility: str) -> int:
    data = services.ArticleInput(title=title, body=body, visibility=visibility)
    return services.article_create(actor=world.l2, data=data, publish=True).pk


@pytest.fixture
def shelf(world: World) -> dict[str, int]:
    return {
        "public": _publish(
            world, "Reset the printer", "Hold **power**. <script>x()</script>", "public"
        ),
        "customers": _publish(world, "Printer warranty", "Two years on parts.", "customers"),
        "internal": _publish(world, "Printer service PIN", "The PIN is 4711.", "internal"),
    }


def test_a_customer_reads_public_and_customer_articles_never_internal(
    world: World, shelf: dict[str, int]
) -> None:
    client = _client(world.customer)

    home = client.get("/portal/help/").content.decode()
    found = client.get("/portal/help/", {"q": "printer"}).content.decode()

    assert "Reset the printer" in home
    assert "Printer warranty" in home
    assert "Printer service PIN" not in home
    assert "Printer service PIN" not in found
    page = client.get(f"/portal/help/{shelf['public']}/")
    assert page.status_code == 200
    assert "<strong>power</strong>" in page.content.decode()
    assert "<script>x()" not in page.content.decode()
    assert client.get(f"/portal/help/{shelf['internal']}/").status_code == 404
    assert SearchLog.objects.filter(source="portal", text="printer").exists()


def test_a_visitor_reads_only_public_articles_of_the_unit(
    world: World, shelf: dict[str, int]
) -> None:
    client = _client()

    home = client.get("/help/sh/").content.decode()

    assert "Reset the printer" in home
    assert "Printer warranty" not in home
    assert client.get(f"/help/sh/{shelf['public']}/").status_code == 200
    assert client.get(f"/help/sh/{shelf['customers']}/").status_code == 404
    assert client.get(f"/help/saas/{shelf['public']}/").status_code == 404  # another unit
    assert client.get("/help/nowhere/").status_code == 404
    voted = client.post(f"/help/sh/{shelf['public']}/feedback/", {"helpful": "1", "q": "stuck"})
    assert voted.status_code == 302
    again = client.post(f"/help/sh/{shelf['public']}/feedback/", {"helpful": "1"})
    assert again.status_code == 302
    assert Article.objects.get(pk=shelf["public"]).helpful_count == 1  # once per session
    assert client.post(f"/help/sh/{shelf['public']}/feedback/", {"helpful": "x"}).status_code in (
        302,
        400,
    )


def test_typing_a_subject_suggests_articles_and_a_visit_without_a_request_deflects(
    world: World, shelf: dict[str, int]
) -> None:
    client = _client(world.customer)

    typed = client.get("/portal/help/suggest/", {"subject": "reset the prin"}).content.decode()

    assert "Reset the printer" in typed
    assert "service PIN" not in typed
    assert f"/portal/help/{shelf['public']}/?from=new" in typed
    client.get(f"/portal/help/{shelf['public']}/", {"from": "new"})
    client.get(f"/portal/help/{shelf['customers']}/", {"from": "new"})
    PortalVisit.objects.filter(article_id=shelf["customers"]).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    created = client.post(
        "/portal/new/", {"subject": "Printer still stuck", "description": "x", "type": "question"}
    )
    assert created.status_code == 302

    visits = dict(PortalVisit.objects.values_list("article_id", "ticket_id"))
    assert visits[shelf["public"]] is not None  # opened, then filed: not a deflection
    assert visits[shelf["customers"]] is None  # two hours before: it answered then
    report = reports.knowledge_report(actor=world.admin)
    assert (report.portal_visits, report.deflections) == (2, 1)
    assert SearchLog.objects.filter(source="portal", text="Printer still stuck").exists()


def test_staff_are_sent_to_the_workspace_and_suggestions_are_for_customers(
    world: World, shelf: dict[str, int]
) -> None:
    client = _client(world.agent)
    assert client.get("/portal/help/").status_code == 302
    assert client.get("/portal/help/suggest/", {"subject": "reset"}).status_code == 404


def test_the_ticket_panel_suggests_inserts_and_learns(world: World, shelf: dict[str, int]) -> None:
    ticket = factories.ticket(world.agent, subject="Printer needs a reset", description="-")
    client = _client(world.agent)

    panel = client.get(f"/agent/knowledge/tickets/{ticket.number}/").content.decode()

    assert "Reset the printer" in panel
    assert "Printer service PIN" in panel
    assert f"/help/sh/{shelf['public']}/" in panel  # the insert carries the public link
    used = client.post(f"/agent/knowledge/tickets/{ticket.number}/use/{shelf['public']}/")
    assert used.status_code == 204
    voted = client.post(
        f"/agent/knowledge/tickets/{ticket.number}/vote/{shelf['internal']}/", {"helpful": "0"}
    )
    assert voted.status_code == 200
    assert "Printer service PIN" not in voted.content.decode()  # not helpful here: gone
    bad = client.post(
        f"/agent/knowledge/tickets/{ticket.number}/vote/{shelf['internal']}/", {"helpful": "y"}
    )
    assert bad.status_code == 400
    foreign = _client(world.other_agent)
    assert foreign.get(f"/agent/knowledge/tickets/{ticket.number}/").status_code == 404
    assert (
        _client(world.customer).get(f"/agent/knowledge/tickets/{ticket.number}/").status_code == 404
    )


def test_making_a_case_from_the_ticket_page(world: World) -> None:
    ticket = factories.ticket(world.agent, subject="Fuser overheats", description="Smell.")
    ticket_services.ticket_assign(actor=world.agent, ticket=ticket, assignee=world.agent.user)
    ticket.refresh_from_db()
    ticket_services.ticket_transition(actor=world.agent, ticket=ticket, to_status="resolved")
    client = _client(world.agent)

    # no reply and no reason: the timeline has no solution, so the form asks for it
    asked = client.post(f"/agent/knowledge/tickets/{ticket.number}/case/")
    assert asked.status_code == 422
    assert "Fuser overheats" in asked.content.decode()
    made = client.post(
        f"/agent/knowledge/tickets/{ticket.number}/case/",
        {
            "title": "Fuser overheats",
            "problem": "Burning smell.",
            "cause": "Dust on the fan.",
            "solution": "Clean the fan.",
            "language": "en",
            "visibility": "internal",
        },
    )
    assert made.status_code == 302
    case = Article.objects.get(kind="case")
    assert ArticleTicket.objects.get(article=case).ticket_id == ticket.pk
    again = client.post(f"/agent/knowledge/tickets/{ticket.number}/case/")
    assert again.status_code == 302
    assert again["Location"].endswith(f"/agent/knowledge/{case.pk}/")


def test_the_settings_page(world: World) -> None:
    client = _client(world.admin)
    assert client.get("/agent/knowledge/settings/").status_code == 200
    bad = client.post(
        "/agent/knowledge/settings/", {"publisher_roles": ["customer"], "bot_threshold": "2"}
    )
    assert bad.status_code == 422
    saved = client.post(
        "/agent/knowledge/settings/", {"publisher_roles": ["l2", "lead"], "bot_threshold": "0.7"}
    )
    assert saved.status_code == 302
    assert services.settings_for(world.tenant).bot_threshold == 0.7
    assert _client(world.agent).get("/agent/knowledge/settings/").status_code == 403


def test_the_report_page(world: World) -> None:
    services.search_record(tenant_id=world.tenant.pk, text="toner <b>", source="portal", hits=0)
    page = _client(world.lead).get("/agent/knowledge/report/", {"days": "7"})
    assert page.status_code == 200
    assert "toner &lt;b&gt;" in page.content.decode()
    assert _client(world.agent).get("/agent/knowledge/report/").status_code == 403
