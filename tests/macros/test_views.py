"""The macro pages and the composer's macro menu: who may open what, the editor's errors,
the text filled in for the ticket, and a reply that applies a macro's field actions."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.factories import World
from tests.macros.helpers import macro
from zhongtai.accounts.actors import Actor
from zhongtai.macros.models import Macro
from zhongtai.tickets.choices import EventType
from zhongtai.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(actor: Actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def _page(client: Client, number: int) -> str:
    response = client.get(reverse("tickets:ticket_detail", args=[number]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _reply(client: Client, ticket: Ticket, **data: Any) -> Any:
    data = {"version": ticket.version, "kind": "reply", "body": "Hello", **data}
    return client.post(reverse("tickets:ticket_reply", args=[ticket.number]), data, **HTMX)


# --- the list and the editor -----------------------------------------------------------------


def test_the_list_shows_what_the_agent_may_see_and_edit(world: World) -> None:
    macro(world.admin, "Shared hello", scope="shared", set_status="pending_customer")
    macro(world.agent, "My hello")
    macro(world.agent2, "Colleague's hello")

    page = _client(world.agent).get("/agent/macros/").content.decode()

    assert "Shared hello" in page
    assert "My hello" in page
    assert "Colleague" not in page
    assert page.count('data-testid="macro-edit"') == 1  # only their own is editable
    assert "Pending customer" in page
    assert 'data-testid="nav-macros"' in page


def test_the_editor_refuses_bad_input_and_saves(world: World) -> None:
    client = _client(world.agent)
    form = {"name": "Greeting", "scope": "personal", "body_en": "Hi {{ customer.secret }}"}

    bad = client.post("/agent/macros/new/", form)

    assert bad.status_code == 422
    assert 'data-testid="error-body_en"' in bad.content.decode()
    assert not Macro.objects.exists()
    refused = client.post("/agent/macros/new/", {**form, "scope": "shared", "body_en": "Hi"})
    assert refused.status_code == 422  # not a scope an agent may choose
    good = client.post(
        "/agent/macros/new/",
        {**form, "body_en": "Hi {{ contact.name }}", "add_tags": "a，b, c", "is_active": "on"},
    )
    assert good.status_code == 302
    saved = Macro.objects.get()
    assert (saved.owner, saved.add_tags, saved.is_active) == (
        world.agent.user,
        ["a", "b", "c"],
        True,
    )


def test_a_team_lead_writes_the_teams_macros_in_the_editor(world: World) -> None:
    world.l1_team.lead = world.lead.user
    world.l1_team.save()
    client = _client(world.lead)
    form_page = client.get("/agent/macros/new/").content.decode()
    assert 'value="team"' in form_page
    assert 'value="shared"' not in form_page

    saved = client.post(
        "/agent/macros/new/",
        {"name": "Frontline", "scope": "team", "team": world.l1_team.pk, "body_zh": "您好",
         "is_active": "on"},
    )  # fmt: skip

    assert saved.status_code == 302
    assert Macro.objects.get().team == world.l1_team
    edit = client.get(f"/agent/macros/{Macro.objects.get().pk}/edit/")
    assert edit.status_code == 200


def test_who_may_open_the_editor(world: World) -> None:
    shared = macro(world.admin, "Shared", scope="shared")
    mine = macro(world.agent, "Mine")

    assert _client(world.agent).get(f"/agent/macros/{shared.pk}/edit/").status_code == 403
    assert _client(world.l2).get(f"/agent/macros/{shared.pk}/edit/").status_code == 200
    assert _client(world.agent).get(f"/agent/macros/{mine.pk}/edit/").status_code == 200
    assert _client(world.agent2).get(f"/agent/macros/{mine.pk}/edit/").status_code == 404
    assert _client(world.other_agent).get(f"/agent/macros/{shared.pk}/edit/").status_code == 404
    posted = _client(world.other_agent).post(
        f"/agent/macros/{shared.pk}/edit/", {"name": "Taken", "scope": "personal", "body_en": "x"}
    )
    assert posted.status_code == 404
    for path in ("", "new/", f"{shared.pk}/edit/"):
        assert _client(world.customer).get(f"/agent/macros/{path}").status_code == 404
    assert Macro.objects.get(pk=shared.pk).name == "Shared"


# --- the composer --------------------------------------------------------------------------


def test_the_composer_offers_each_macro_filled_in_for_the_ticket(world: World) -> None:
    macro(world.admin, "Shared hello", scope="shared", body_zh="您好 {{contact.name}}")
    macro(world.agent, "Ask", body_en="Which model is {{ticket.number}}?", add_tags=["model"])
    ticket = factories.ticket(world.customer, subject="<b>Loud</b> {{settings.SECRET_KEY}}")
    macro(world.agent, "Subject", body_en="About: {{ticket.subject}}")

    page = _page(_client(world.agent), ticket.number)

    assert 'data-insert-text="Dear Customer, about SH-' in page
    assert f'data-insert-text="Which model is SH-{ticket.number:06d}?"' in page
    assert 'data-insert-text="您好 Customer"' in page  # the other language, offered
    assert 'name="macro" id="reply-macro"' in page
    assert page.count("data-insert-set") == 1  # only the macro with a field action names itself
    raw = _client(world.agent).get(reverse("tickets:ticket_detail", args=[ticket.number]))
    assert "About: &lt;b&gt;Loud&lt;/b&gt; {{settings.SECRET_KEY}}" in raw.content.decode()


def test_others_macros_are_not_in_the_composer(world: World) -> None:
    macro(world.agent2, "Colleague's own")
    macro(world.other_agent, "Other unit's")
    ticket = factories.ticket(world.customer)

    page = _page(_client(world.agent), ticket.number)

    assert "Colleague's own" not in page
    assert "Other unit's" not in page
    assert 'data-testid="macros"' not in page  # nothing to offer: no menu


def test_a_reply_with_a_macro_applies_its_actions_in_the_same_step(world: World) -> None:
    ask = macro(world.agent, "Ask", set_status="pending_customer", add_tags=["needs-model"])
    ticket = factories.ticket(world.customer)

    response = _reply(_client(world.agent), ticket, body="Which model?", macro=ask.pk)

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("tickets:ticket_detail", args=[ticket.number])
    ticket.refresh_from_db()
    assert ticket.status == "pending_customer"
    assert list(ticket.tags.values_list("name", flat=True)) == ["needs-model"]
    types = list(TicketEvent.objects.filter(ticket=ticket).values_list("type", flat=True))
    assert EventType.PUBLIC_REPLY in types
    assert EventType.FIELD_CHANGE in types
    ask.refresh_from_db()
    assert ask.use_count == 1


def test_a_macro_the_workflow_refuses_keeps_the_reply_back_too(world: World) -> None:
    closing = macro(world.admin, "Close", scope="shared", set_status="closed")
    ticket = factories.ticket(world.customer)

    response = _reply(_client(world.agent), ticket, body="Bye", macro=closing.pk)

    assert response.status_code == 409
    assert not TicketEvent.objects.filter(ticket=ticket, type=EventType.PUBLIC_REPLY).exists()
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


def test_a_macro_of_someone_else_cannot_ride_on_a_reply(world: World) -> None:
    theirs = macro(world.agent2, "Theirs", add_tags=["x"])
    other_unit = macro(world.other_agent, "Other", add_tags=["y"])
    ticket = factories.ticket(world.customer)
    client = _client(world.agent)

    assert _reply(client, ticket, macro=theirs.pk).status_code == 404
    assert _reply(client, ticket, macro=other_unit.pk).status_code == 404
    assert _reply(client, ticket, macro="abc").status_code == 422
    assert not TicketEvent.objects.filter(ticket=ticket, type=EventType.PUBLIC_REPLY).exists()
    assert not ticket.tags.exists()


def test_inserting_a_text_only_macro_counts_its_use(world: World) -> None:
    hello = macro(world.agent, "Hello")
    tagging = macro(world.agent, "Tagging", add_tags=["x"])
    used = reverse("macros:macro_used", args=[hello.pk])

    assert _client(world.agent).post(used, **HTMX).status_code == 204
    assert (
        _client(world.agent).post(reverse("macros:macro_used", args=[tagging.pk])).status_code
        == 204
    )
    assert _client(world.agent).get(used).status_code == 405
    assert _client(world.agent2).post(used).status_code == 404
    assert _client(world.other_agent).post(used).status_code == 404
    assert _client(world.customer).post(used).status_code == 404

    hello.refresh_from_db()
    tagging.refresh_from_db()
    assert (hello.use_count, tagging.use_count) == (1, 0)  # the other counts when applied


def test_the_ticket_page_reads_the_macros_in_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    ticket = factories.ticket(world.customer)
    client = _client(world.agent)
    _page(client, ticket.number)
    with django_assert_max_num_queries(40) as few:
        _page(client, ticket.number)
    for i in range(10):
        category = factories.category(world.tenant, f"C{i}")
        body = "{{ticket.due}} {{customer.name}}"
        macro(world.admin, f"Shared {i}", scope="shared", body_en=body, set_category_id=category.pk)

    with django_assert_max_num_queries(40) as many:
        _page(client, ticket.number)

    assert len(many.captured_queries) <= len(few.captured_queries) + 3
