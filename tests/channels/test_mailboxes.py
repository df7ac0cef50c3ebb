"""Mailboxes through the API and the pages: settings (secrets never shown), the raw-message
endpoint for a mail relay, the kept mail and the quarantine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests import factories
from tests.factories import World
from zhongtai.channels.models import InboundMail, Mailbox
from zhongtai.core.permissions import Role
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "mail_corpus"
MAILBOX = {
    "name": "Support",
    "address": "Support@SH.example",
    "imap_host": "imap.sh.example",
    "imap_username": "support",
    "imap_password": "s3cret-pass",
}
MAIL = (
    b"From: Li Wei <li.wei@acme.example>\r\nTo: support@sh.example\r\n"
    b"Subject: Printer jams\r\nMessage-ID: <relay-1@acme.example>\r\n\r\nIt jams.\r\n"
)


def _post_raw(api: Any, mailbox_id: int, raw: bytes, content_type: str = "message/rfc822") -> Any:
    return api.raw("post", f"/mailboxes/{mailbox_id}/messages", raw, content_type)


def test_a_relay_posts_raw_mail_once(world: World, api_for: Any) -> None:
    admin = api_for(world.admin)
    mailbox = admin.post("/mailboxes", MAILBOX).json()
    assert mailbox["address"] == "support@sh.example"
    assert mailbox["has_password"] is True
    assert "s3cret-pass" not in str(admin.get("/mailboxes").json())

    first = _post_raw(admin, mailbox["id"], MAIL)
    again = _post_raw(admin, mailbox["id"], MAIL)
    garbage = _post_raw(admin, mailbox["id"], (CORPUS / "binary_garbage.eml").read_bytes())

    assert first.status_code == 201
    assert first.json()["state"] == "ticket"
    assert first.json()["duplicate"] is False
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["ticket"] == first.json()["ticket"]
    assert Ticket.objects.filter(channel="email").count() == 1
    assert garbage.status_code == 201
    assert garbage.json()["state"] == "quarantined"
    assert garbage.json()["reason"]
    quarantined = admin.get(f"/mailboxes/{mailbox['id']}/inbound", state="quarantined").json()
    assert [m["id"] for m in quarantined["items"]] == [garbage.json()["id"]]
    still = admin.post(f"/mailboxes/inbound/{garbage.json()['id']}/reprocess")
    assert still.json()["state"] == "quarantined"


def test_the_raw_endpoint_refuses_what_is_not_a_mail(world: World, api_for: Any) -> None:
    admin = api_for(world.admin)
    mailbox = admin.post("/mailboxes", MAILBOX).json()

    wrong_type = _post_raw(admin, mailbox["id"], MAIL, "application/json")
    empty = _post_raw(admin, mailbox["id"], b"  ")
    with override_settings(MAIL_MAX_MESSAGE_BYTES=100):
        too_big = _post_raw(admin, mailbox["id"], MAIL * 3)
    Mailbox.objects.filter(pk=mailbox["id"]).update(is_active=False)
    switched_off = _post_raw(admin, mailbox["id"], MAIL)

    assert wrong_type.status_code == 422
    assert empty.status_code == 422
    assert too_big.status_code == 413
    assert switched_off.status_code == 409
    assert not InboundMail.objects.exists()


def test_mailboxes_are_the_administrators_of_the_unit(world: World, api_for: Any) -> None:
    admin = api_for(world.admin)
    mailbox = admin.post("/mailboxes", MAILBOX).json()
    other_admin = api_for(factories.actor(world.other_tenant, Role.ADMIN, "other_admin"))

    assert api_for(world.agent).get("/mailboxes").status_code == 403
    assert api_for(world.lead).post("/mailboxes", MAILBOX).status_code == 403
    assert _post_raw(api_for(world.agent), mailbox["id"], MAIL).status_code == 403
    assert other_admin.get(f"/mailboxes/{mailbox['id']}").status_code == 404
    assert _post_raw(other_admin, mailbox["id"], MAIL).status_code == 404
    assert other_admin.get("/mailboxes").json() == []
    assert not InboundMail.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {**MAILBOX, "address": "not an address"},
        {**MAILBOX, "imap_port": 70000},
        {**MAILBOX, "imap_security": "ssl3"},
        {**MAILBOX, "auth": "xoauth2"},
        {**MAILBOX, "team_id": 999999},
        {**MAILBOX, "imap_username": ""},
        {**MAILBOX, "extra": 1},
    ],
)
def test_bad_settings_are_refused(world: World, api_for: Any, body: dict[str, Any]) -> None:
    response = api_for(world.admin).post("/mailboxes", body)

    assert response.status_code == 422
    assert not Mailbox.objects.exists()


def test_an_update_keeps_a_secret_left_empty(world: World, api_for: Any) -> None:
    admin = api_for(world.admin)
    mailbox = admin.post("/mailboxes", MAILBOX).json()

    admin.put(f"/mailboxes/{mailbox['id']}", {**MAILBOX, "imap_password": "", "name": "Desk"})

    stored = Mailbox.objects.get()
    assert (stored.name, stored.imap_password) == ("Desk", "s3cret-pass")


def _client(actor: factories.Actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def test_the_pages_show_errors_the_quarantine_and_take_mail_again(world: World) -> None:
    admin = _client(world.admin)
    added = admin.post(
        reverse("mail:mailbox_list"),
        {**MAILBOX, "auth": "password", "imap_port": 993, "imap_security": "ssl",
         "imap_folder": "INBOX", "smtp_port": 465, "smtp_security": "ssl", "is_active": "on"},
    )  # fmt: skip
    mailbox = Mailbox.objects.get()
    assert added.status_code == 302
    Mailbox.objects.filter(pk=mailbox.pk).update(last_error="Login failed: wrong password")
    from zhongtai.channels.mail.intake import mail_intake

    bad = mail_intake(
        mailbox=mailbox, raw=(CORPUS / "huge_received_5000.eml").read_bytes(), source="imap"
    )

    page = admin.get(reverse("mail:mailbox_detail", args=[mailbox.pk])).content.decode()
    raw = admin.get(reverse("mail:inbound_raw", args=[bad.pk]))
    with override_settings(MAIL_MAX_HEADER_BYTES=2_000_000, MAIL_MAX_HOPS=10_000):
        again = admin.post(reverse("mail:inbound_reprocess", args=[bad.pk]))

    assert "Login failed: wrong password" in page
    assert 'data-testid="inbound-again"' in page
    assert raw["Content-Type"] == "message/rfc822"
    assert bytes(raw.content) == bytes(bad.raw)
    assert again.status_code == 302
    bad.refresh_from_db()
    assert bad.state == "ticket"
    assert _client(world.agent).get(reverse("mail:mailbox_list")).status_code == 403
    assert (
        _client(world.other_agent).get(reverse("mail:inbound_raw", args=[bad.pk])).status_code
        == 403
    )


def test_the_mail_limits_come_from_the_environment(tmp_path: Path) -> None:
    """An operator sets them as ZHONGTAI_MAIL_* variables, like every other setting."""
    env = {
        **os.environ,
        "ZHONGTAI_DATA_DIR": str(tmp_path),
        "ZHONGTAI_MAIL_MAX_MESSAGE_BYTES": "1234",
        "ZHONGTAI_MAIL_MAX_ATTACHMENTS": "3",
        "ZHONGTAI_MAIL_SENDER_RATE": "7",
        "ZHONGTAI_MAIL_BLOCKED_EXTENSIONS": "exe, .DOCM",
        "DJANGO_SETTINGS_MODULE": "zhongtai.settings",
    }
    env.pop("DATABASE_URL", None)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from zhongtai.channels.mail import MailLimits; l = MailLimits.from_settings(); "
        "print(l.max_message_bytes, l.max_attachments, settings.MAIL_SENDER_RATE, "
        "sorted(l.blocked_extensions), l.max_attachment_bytes)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 3)[:3] == ["1234", "3", "7"]
    assert "['docm', 'exe'] 10485760" in result.stdout
