"""In headless Chromium: the API docs work under our CSP with nothing loaded from outside,
and script payloads in a ticket never run on the agent and portal pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

from tests import factories
from zhongtai.core.api import api
from zhongtai.tickets import services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PAYLOAD = '<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=1">'


def _watch(session: Any, base_url: str) -> dict[str, list[str]]:
    """Record dialogs, CSP refusals and requests that leave the live server."""
    seen: dict[str, list[str]] = {"dialogs": [], "outside": []}
    page = session.page
    host = urlparse(base_url).netloc

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    def on_request(request: Any) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https") and parsed.netloc != host:
            seen["outside"].append(request.url)

    page.on("dialog", on_dialog)
    page.on("request", on_request)
    return seen


def test_api_docs_show_every_operation_under_the_csp(
    session_for: Any,
    live_server: Any,
) -> None:
    session = session_for()
    seen = _watch(session, live_server.url)
    page = session.page

    response = page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    session.shot("api-docs")

    operations = sum(len(ops) for ops in api.get_openapi_schema()["paths"].values())
    assert response is not None
    assert "'unsafe-inline'" not in (response.headers.get("content-security-policy") or "")
    assert page.locator(".opblock").count() == operations
    assert page.get_by_text("/api/v1/tickets/{number}/escalate").count() >= 1
    assert session.csp_errors() == []
    assert seen["outside"] == []


def test_payloads_never_run_on_agent_and_portal_pages(
    session_for: Any,
    live_server: Any,
    world: factories.World,
) -> None:
    ticket = factories.ticket(world.customer, subject=PAYLOAD, description=PAYLOAD)
    services.ticket_reply(actor=world.agent, ticket=ticket, body=PAYLOAD)
    pages = {
        "agent": [f"/agent/tickets/{ticket.number}/", "/agent/?queue=all"],
        "customer": [f"/portal/{ticket.number}/", "/portal/"],
    }
    for who, urls in pages.items():
        session = session_for()
        seen = _watch(session, live_server.url)
        page = session.login(who)
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            assert page.get_by_text("window.__xss=1;alert(1)", exact=False).count() >= 1, url
            assert page.evaluate("window.__xss === undefined"), url
        session.shot(f"xss-{who}")
        assert seen["dialogs"] == [], who
        assert seen["outside"] == [], who
