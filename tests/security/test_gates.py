"""Security gates: deploy checks, login throttling, session expiry, CSP on every page."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories

# --- zhongtai check --deploy -------------------------------------------------------------


def test_deploy_check_with_production_settings_reports_nothing(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ZHONGTAI_")
        # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; no deployment does)
        and key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="zhongtai.settings",
        ZHONGTAI_PRODUCTION="1",
        ZHONGTAI_SECRET_KEY=secrets.token_urlsafe(64),
        ZHONGTAI_ALLOWED_HOSTS="example.com",
        ZHONGTAI_DATA_DIR=str(tmp_path),
    )
    command = [sys.executable, "-m", "zhongtai", "check", "--deploy", "--fail-level", "WARNING"]

    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603

    assert result.returncode == 0, result.stdout + result.stderr
    # One documented silence: HSTS preload is opt-in (see settings.py), W021 reminds of it.
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ZHONGTAI_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="zhongtai.settings",
        ZHONGTAI_PRODUCTION="1",
        ZHONGTAI_DATA_DIR=str(tmp_path),
    )

    result = subprocess.run(
        [sys.executable, "-m", "zhongtai", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "ZHONGTAI_SECRET_KEY" in result.stderr


# --- login throttling (django-axes) ------------------------------------------------------


def _login(client: Client, username: str, password: str) -> Any:
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.1.2.3",
    )


@pytest.mark.django_db
def test_login_is_locked_after_repeated_failures(world: factories.World) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        failed = _login(client, "agent", "wrong password")
        assert failed.status_code == 200  # the form again, with an error
    last_try = _login(client, "agent", "wrong password")

    locked = _login(client, "agent", factories.PASSWORD)

    assert last_try.status_code == 429
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert b"Too many failed logins" in locked.content


@pytest.mark.django_db
def test_the_lock_is_per_user_and_address(world: factories.World) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "agent", "wrong password")

    colleague = _login(Client(), "agent2", factories.PASSWORD)
    elsewhere = Client().post(
        reverse("accounts:login"),
        {"username": "agent", "password": factories.PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )

    assert colleague.status_code == 302
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_a_good_login_before_the_limit_resets_the_count(world: factories.World) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "agent", "wrong password")
    assert _login(client, "agent", factories.PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "agent", "wrong password")

    assert _login(client, "agent", factories.PASSWORD).status_code == 302


# --- sessions expire ---------------------------------------------------------------------


@pytest.mark.django_db
def test_an_expired_session_is_logged_out(world: factories.World, monkeypatch: Any) -> None:
    client = Client()
    assert _login(client, "agent", factories.PASSWORD).status_code == 302
    queue = reverse("tickets:ticket_list")
    assert client.get(queue).status_code == 200

    later = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get(queue)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_sessions_are_short_and_end_with_the_browser() -> None:
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


# --- Content-Security-Policy on every page -----------------------------------------------

INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:json|ld\+json)\")[^>]*>", re.I
)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def _check_csp(response: Any, where: str) -> None:
    policy = response.get("Content-Security-Policy", "")
    assert policy, f"{where}: no Content-Security-Policy"
    directives = {}
    for part in policy.split(";"):
        name, _space, value = part.strip().partition(" ")
        directives[name] = value
    assert "'unsafe-inline'" not in policy, where
    assert "'unsafe-eval'" not in policy, where
    assert directives.get("script-src", directives.get("default-src")) == "'self'", where
    assert directives.get("object-src") == "'none'", where
    assert directives.get("frame-ancestors") == "'none'", where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    if response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), f"{where}: inline <script>"
        assert not INLINE_HANDLER.search(html), f"{where}: inline event handler"
        assert not JS_URL.search(html), f"{where}: javascript: URL"


def _pages(number: int) -> list[tuple[str | None, str]]:
    """(who, url) for every kind of page; ``None`` is an anonymous visitor."""
    return [
        (None, reverse("accounts:login")),
        (None, reverse("admin:login")),
        (None, "/api/v1/docs"),
        ("agent", "/api/v1/docs"),
        ("agent", reverse("tickets:ticket_list")),
        ("agent", reverse("tickets:ticket_detail", kwargs={"number": number})),
        ("agent", reverse("tickets:ticket_create")),
        ("agent", reverse("accounts:token_list")),
        ("customer", reverse("portal:ticket_list")),
        ("customer", reverse("portal:ticket_create")),
        ("customer", reverse("portal:ticket_detail", kwargs={"number": number})),
    ]


@pytest.mark.django_db
def test_every_page_sends_a_strict_csp_and_has_no_inline_script(world: factories.World) -> None:
    number = factories.ticket(world.customer).number
    for who, url in _pages(number):
        client = Client()
        if who is not None:
            client.force_login(getattr(world, who).user)
        response = client.get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        _check_csp(response, f"{url} as {who or 'anonymous'}")


@pytest.mark.django_db
def test_error_pages_and_the_api_send_the_csp_too(world: factories.World, api_for: Any) -> None:
    _check_csp(Client().get("/no-such-page/"), "404 page")
    _check_csp(api_for(world.agent).get("/tickets"), "API")
    _check_csp(Client().get("/api/v1/openapi.json"), "OpenAPI")
