"""IMAP polling against a real Dovecot (see ``imap_support``): every unseen mail becomes
one ``InboundMail``, a worker killed between fetching and storing or between storing and
flagging loses and doubles nothing, and an unreachable server or a refused sign-in is
written on the mailbox for the administrator.

Every test here commits for real (``transaction=True``): the poller refuses to run inside
a transaction, since it must never hold one across network I/O.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.db.models.signals import post_save
from django.db.utils import load_backend
from django.utils import timezone

from tests.channels.imap_support import HOST, Dovecot, ImapUser, free_port
from tests.channels.test_mail_parser import CORPUS, Quarantined
from tests.support import huey_drain
from zhongtai.channels import tasks
from zhongtai.channels.mail import imap, mailboxes, oauth
from zhongtai.channels.models import (
    InboundMail,
    InboundState,
    MailAuth,
    Mailbox,
    MailSecurity,
)
from zhongtai.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

CORPUS_DIR = Path(__file__).parent / "mail_corpus"
MAILBOX_INPUT = {f.name for f in dataclasses.fields(mailboxes.MailboxInput)}
# Ordinary mail from Chinese and Western clients, an out-of-office reply, and malformed
# mail that must be quarantined, not lost (empty.eml is left out: IMAP has no empty mail)
BATCH = [
    "netease_163_html_only",
    "qq_mail_reply_gb18030",
    "latin1_western",
    "tnef_winmail",
    "forwarded_message_attached",
    "ooo_exchange_english",
    "deep_nesting",
    "no_sender",
    "nothing_at_all",
    "binary_garbage",
]


def mail(number: int, sender: str = "li.wei@example.cn") -> bytes:
    return (
        f"From: Li Wei <{sender}>\r\n"
        "To: support@example.com\r\n"
        f"Subject: Printer {number} is jammed\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@example.cn>\r\n"
        "Date: Mon, 23 Nov 2026 09:00:00 +0800\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"Printer {number} makes a grinding noise.\r\n"
    ).encode()


def mailbox_for(world: Any, dovecot: Dovecot, user: ImapUser, **fields: Any) -> Mailbox:
    """A mailbox on the test server, saved as the admin saves one; ``fields`` that the
    admin does not type (a stored access token) are then written directly."""
    stored = {
        name: fields.pop(name)
        for name in list(fields)
        if name.startswith("oauth_") and (name not in MAILBOX_INPUT)
    }
    values: dict[str, Any] = {
        "name": "Support",
        "address": user.username,
        "team_id": world.l1_team.pk,
        "imap_host": HOST,
        "imap_port": dovecot.port,
        "imap_security": MailSecurity.NONE,
        "imap_username": user.username,
        "imap_password": user.password,
        **fields,
    }
    mailbox = mailboxes.mailbox_save(actor=world.admin, data=mailboxes.MailboxInput(**values))
    if stored:
        Mailbox.objects.filter(pk=mailbox.pk).update(**stored)
        mailbox.refresh_from_db()
    return mailbox


def inbound(mailbox: Mailbox) -> list[InboundMail]:
    return list(InboundMail.objects.filter(mailbox=mailbox).order_by("id"))


def tickets(world: Any) -> int:
    return Ticket.objects.filter(tenant=world.tenant).count()


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# --- taking mail ----------------------------------------------------------------------


def test_a_batch_of_mail_becomes_inbound_mails_and_all_are_seen(world, dovecot):
    user = dovecot.user()
    raws = {name: (CORPUS_DIR / f"{name}.eml").read_bytes() for name in BATCH}
    dovecot.append(user, *raws.values())
    mailbox = mailbox_for(world, dovecot, user)

    result = imap.mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.unseen, result.taken, result.skipped) == (len(BATCH), len(BATCH), [])
    rows = inbound(mailbox)
    assert len(rows) == len(BATCH)
    for name, row in zip(BATCH, rows, strict=True):
        expected = CORPUS[name]
        if isinstance(expected, Quarantined):
            assert (row.state, row.reason_code) == (InboundState.QUARANTINED, expected.code), name
        elif expected.auto:
            assert row.state == InboundState.IGNORED, name
        else:
            assert row.state == InboundState.TICKET, name
            assert row.ticket is not None
        assert row.source == "imap"
        if name != "binary_garbage":  # Dovecot stores NUL bytes as it can
            assert bytes(row.raw) == crlf(raws[name]), name
    assert tickets(world) == 5
    assert dovecot.unseen(user) == []
    mailbox.refresh_from_db()
    assert mailbox.last_fetch_at is not None
    assert mailbox.last_error == ""

    again = imap.mailbox_poll(mailbox_id=mailbox.pk)

    assert (again.unseen, again.taken) == (0, 0)
    assert len(inbound(mailbox)) == len(BATCH)
    assert tickets(world) == 5


def test_a_mail_appended_between_polls_is_taken_by_the_next(world, dovecot):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    mailbox = mailbox_for(world, dovecot, user)
    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 1

    dovecot.append(user, mail(2))

    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 1
    assert [row.subject for row in inbound(mailbox)] == [
        "Printer 1 is jammed",
        "Printer 2 is jammed",
    ]
    assert tickets(world) == 2
    assert dovecot.unseen(user) == []


def test_fetching_does_not_mark_a_mail_seen_before_it_is_stored(world, dovecot, monkeypatch):
    user = dovecot.user()
    (uid,) = dovecot.append(user, mail(1))
    mailbox = mailbox_for(world, dovecot, user)
    real_intake = imap.mail_intake
    seen_by_then: list[list[int]] = []

    def intake(**kwargs: Any) -> InboundMail:
        seen_by_then.append(dovecot.unseen(user))  # asked on a second connection
        return real_intake(**kwargs)

    monkeypatch.setattr(imap, "mail_intake", intake)
    imap.mailbox_poll(mailbox_id=mailbox.pk)

    assert seen_by_then == [[uid]]  # still unseen while the intake ran
    assert dovecot.unseen(user) == []


def test_a_poll_takes_at_most_its_limit_in_order(world, dovecot):
    user = dovecot.user()
    dovecot.append(user, *(mail(n) for n in range(1, 6)))
    mailbox = mailbox_for(world, dovecot, user)

    result = imap.mailbox_poll(mailbox_id=mailbox.pk, limit=2)

    assert (result.unseen, result.taken, result.remaining) == (5, 2, 3)
    assert [row.subject for row in inbound(mailbox)] == [
        "Printer 1 is jammed",
        "Printer 2 is jammed",
    ]
    assert len(dovecot.unseen(user)) == 3


def test_a_folder_with_a_chinese_name_is_polled(world, dovecot):
    user = dovecot.user()
    with dovecot.session(user) as client:
        client.create('"&W6JnDQ-"')  # 客服 in IMAP's modified UTF-7
        client.append('"&W6JnDQ-"', "", None, mail(1))
    mailbox = mailbox_for(world, dovecot, user, imap_folder="客服")

    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 1


def test_the_poller_never_runs_inside_a_transaction(world, dovecot):
    mailbox = mailbox_for(world, dovecot, dovecot.user())
    with transaction.atomic(), pytest.raises(RuntimeError, match="never inside a transaction"):
        imap.mailbox_poll(mailbox_id=mailbox.pk)


def test_an_inactive_mailbox_or_one_without_imap_is_not_polled(world, dovecot):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    off = mailbox_for(world, dovecot, user, is_active=False)

    assert imap.mailbox_poll(mailbox_id=off.pk).taken == 0
    assert dovecot.unseen(user) != []


# --- TLS ------------------------------------------------------------------------------


@pytest.mark.parametrize("security", [MailSecurity.SSL, MailSecurity.STARTTLS])
def test_tls_with_a_trusted_certificate(world, dovecot, trust_dovecot, security):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    port = dovecot.ssl_port if security == MailSecurity.SSL else dovecot.port
    mailbox = mailbox_for(world, dovecot, user, imap_security=security, imap_port=port)

    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 1


def test_an_untrusted_certificate_is_refused_and_shown(world, dovecot):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    mailbox = mailbox_for(
        world, dovecot, user, imap_security=MailSecurity.SSL, imap_port=dovecot.ssl_port
    )

    with pytest.raises(imap.MailboxUnreachable):
        imap.mailbox_poll(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert "certificate is not trusted" in mailbox.last_error
    assert inbound(mailbox) == []
    assert len(dovecot.unseen(user)) == 1


# --- errors are shown, nothing is lost --------------------------------------------------


def test_a_wrong_password_is_shown_without_the_password_and_loses_nothing(world, dovecot):
    user = dovecot.user()
    dovecot.append(user, mail(1), mail(2))
    mailbox = mailbox_for(world, dovecot, user, imap_password="wrong-Secret-123")

    with pytest.raises(imap.MailboxUnreachable):
        imap.mailbox_poll(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert "refused the sign-in" in mailbox.last_error
    assert "AUTHENTICATIONFAILED" in mailbox.last_error
    assert "wrong-Secret-123" not in mailbox.last_error
    assert mailbox.last_error_at is not None
    assert mailbox.last_fetch_at is None
    assert inbound(mailbox) == []
    assert len(dovecot.unseen(user)) == 2

    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password=user.password)
    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 2
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""
    assert mailbox.last_fetch_at is not None


def test_a_server_that_is_down_is_shown_and_its_mail_taken_when_it_is_back(world, dovecot):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    mailbox = mailbox_for(world, dovecot, user)
    dovecot.stop()
    try:
        with pytest.raises(imap.MailboxUnreachable):
            imap.mailbox_poll(mailbox_id=mailbox.pk)
    finally:
        dovecot.start()

    mailbox.refresh_from_db()
    assert "refused the connection" in mailbox.last_error
    assert f"{HOST}:{dovecot.port}" in mailbox.last_error

    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 1
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_a_server_that_never_answers_times_out(world, dovecot, monkeypatch):
    import socket

    silent = socket.socket()
    silent.bind((HOST, 0))
    silent.listen(1)  # accepts, never greets
    monkeypatch.setattr(imap, "TIMEOUT_SECONDS", 1)
    mailbox = mailbox_for(world, dovecot, dovecot.user(), imap_port=silent.getsockname()[1])
    try:
        with pytest.raises(imap.MailboxUnreachable):
            imap.mailbox_poll(mailbox_id=mailbox.pk)
    finally:
        silent.close()
    mailbox.refresh_from_db()
    assert "did not answer within 1 seconds" in mailbox.last_error


def test_a_missing_folder_is_shown(world, dovecot):
    mailbox = mailbox_for(world, dovecot, dovecot.user(), imap_folder="Support")

    with pytest.raises(imap.MailboxUnreachable):
        imap.mailbox_poll(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert "“Support” cannot be opened" in mailbox.last_error


def test_a_mail_the_server_cannot_hand_over_does_not_stop_the_others(world, dovecot):
    user = dovecot.user()
    _, broken, _ = dovecot.append(user, mail(1), mail(2), mail(3))
    mailbox = mailbox_for(world, dovecot, user)
    stored = dovecot.message_file(user, broken)
    stored.chmod(0)  # Dovecot fails to read it, answers with an error and hangs up
    try:
        result = imap.mailbox_poll(mailbox_id=mailbox.pk)
    finally:
        stored.chmod(0o600)

    assert (result.taken, result.skipped) == (2, [broken])
    assert [row.subject for row in inbound(mailbox)] == [
        "Printer 1 is jammed",
        "Printer 3 is jammed",
    ]
    assert dovecot.unseen(user) == [broken]
    mailbox.refresh_from_db()
    assert mailbox.last_error.startswith("1 mail could not be fetched and will be tried again")
    assert f"UID {broken}" in mailbox.last_error
    assert mailbox.last_fetch_at is not None

    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 1
    assert len(inbound(mailbox)) == 3
    assert tickets(world) == 3
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_an_intake_bug_on_one_mail_does_not_stop_the_others(world, dovecot, monkeypatch):
    user = dovecot.user()
    _, bad, _ = dovecot.append(user, mail(1), mail(2), mail(3))
    mailbox = mailbox_for(world, dovecot, user)
    real_intake = imap.mail_intake

    def intake(*, mailbox: Mailbox, raw: bytes, source: str) -> InboundMail:
        if b"Printer 2 " in raw:
            raise ValueError("a bug")
        return real_intake(mailbox=mailbox, raw=raw, source=source)

    monkeypatch.setattr(imap, "mail_intake", intake)
    result = imap.mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.taken, result.skipped) == (2, [bad])
    assert dovecot.unseen(user) == [bad]  # kept for the next round, after the fix
    mailbox.refresh_from_db()
    assert f"UID {bad}: the mail could not be stored" in mailbox.last_error


def test_a_database_failure_stops_the_poll_and_leaves_the_rest_unseen(world, dovecot, monkeypatch):
    user = dovecot.user()
    uids = dovecot.append(user, mail(1), mail(2), mail(3))
    mailbox = mailbox_for(world, dovecot, user)
    real_intake = imap.mail_intake

    def intake(*, mailbox: Mailbox, raw: bytes, source: str) -> InboundMail:
        if b"Printer 2 " in raw:
            raise OperationalError("the database is down")
        return real_intake(mailbox=mailbox, raw=raw, source=source)

    monkeypatch.setattr(imap, "mail_intake", intake)
    with pytest.raises(OperationalError):
        imap.mailbox_poll(mailbox_id=mailbox.pk)

    assert dovecot.unseen(user) == uids[1:]
    monkeypatch.setattr(imap, "mail_intake", real_intake)
    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 2
    assert tickets(world) == 3


def test_a_mail_over_the_size_limit_is_left_unread_and_named_until_the_limit_allows_it(
    world, dovecot, settings
):
    user = dovecot.user()
    big = mail(2).replace(b"grinding noise.", b"grinding noise. " + b"x" * 6_000)
    uids = dovecot.append(user, mail(1), big, mail(3))
    mailbox = mailbox_for(world, dovecot, user)
    settings.MAIL_MAX_MESSAGE_BYTES = 4_000

    result = imap.mailbox_poll(mailbox_id=mailbox.pk)

    assert (result.unseen, result.taken, result.skipped) == (3, 2, [uids[1]])
    assert [row.subject for row in inbound(mailbox)] == [
        "Printer 1 is jammed",
        "Printer 3 is jammed",
    ]
    assert dovecot.unseen(user) == [uids[1]]  # not downloaded, not lost
    mailbox.refresh_from_db()
    assert f"UID {uids[1]}: " in mailbox.last_error
    assert "more than the limit of" in mailbox.last_error

    settings.MAIL_MAX_MESSAGE_BYTES = 25 * 1024 * 1024
    again = imap.mailbox_poll(mailbox_id=mailbox.pk)

    assert (again.taken, again.skipped) == (1, [])
    assert tickets(world) == 3
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


# --- a worker killed mid-poll -----------------------------------------------------------


@pytest.fixture
def shared_database(tmp_path: Path) -> Iterator[None]:
    """A database that a forked worker shares with the test. PostgreSQL is one already;
    SQLite's test database lives in this process's memory (a child writes to its own
    copy), so it is copied to a file that both open, for this test."""
    memory = connections["default"]
    if connection.vendor != "sqlite" or not memory.is_in_memory_db():
        yield
        return
    memory.ensure_connection()
    path = tmp_path / "shared.sqlite3"
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    shared = memory.__class__({**memory.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = shared
    try:
        yield
    finally:
        shared.close()
        connections["default"] = memory


def _worker(database: dict[str, Any], mailbox_id: int, point: str, pipe: Any) -> None:
    """A worker polling the mailbox, in a forked process, that stops at ``point`` on the
    second mail and waits there to be killed.

    It connects from ``database``, the settings of the test's connection, as a worker
    process starts from its settings: what ``connections`` holds is not inherited through
    fork. Django keeps connections per thread, and per asyncio context while an event
    loop runs in the thread. Playwright's sync API (the browser tests) leaves its loop
    marked running in the main thread for the rest of the session, so there the test's
    connections (the shared file) are in the context's storage; asyncio ignores a running
    loop inherited through fork, so a child looked in the thread's storage instead, found
    the in-memory database of before the browser tests (its own copy, without the
    mailbox), and the poll failed with ``Mailbox.DoesNotExist``."""
    backend = load_backend(database["ENGINE"])
    connections["default"] = backend.DatabaseWrapper(database, alias="default")

    def at_point() -> None:
        pipe.send(("at", point, connection.in_atomic_block))
        time.sleep(60)
        os._exit(3)  # never reached: the parent kills us

    calls = {"n": 0}
    real_intake = imap.mail_intake

    def intake(**kwargs: Any) -> InboundMail:
        calls["n"] += 1
        if point == "fetched" and calls["n"] == 2:
            at_point()  # fetched, not handed to the intake
        row = real_intake(**kwargs)
        if point == "stored" and calls["n"] == 2:
            at_point()  # the intake committed, the mail is not flagged seen
        return row

    def saved(sender: Any, instance: InboundMail, created: bool, **kwargs: Any) -> None:
        if point == "storing" and created and calls["n"] == 2:
            at_point()  # the row is written in the intake's transaction, not committed

    imap.mail_intake = intake  # type: ignore[assignment]  # this process only
    post_save.connect(saved, sender=InboundMail, weak=False)
    imap.mailbox_poll(mailbox_id=mailbox_id)
    pipe.send(("finished", point, False))


@pytest.mark.parametrize(
    ("point", "stored_before_kill"), [("fetched", 1), ("storing", 1), ("stored", 2)]
)
def test_a_worker_killed_mid_poll_loses_and_doubles_nothing(
    world, dovecot, shared_database, point, stored_before_kill
):
    user = dovecot.user()
    uids = dovecot.append(user, mail(1), mail(2), mail(3))
    mailbox = mailbox_for(world, dovecot, user)
    connections.close_all()  # the child opens its own connection, never shares ours
    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe()
    database = dict(connection.settings_dict)
    worker = context.Process(target=_worker, args=(database, mailbox.pk, point, child_end))
    worker.start()
    try:
        assert parent_end.poll(60), "the worker never reached the point"
        event, reached, in_transaction = parent_end.recv()
        assert (event, reached) == ("at", point)
        assert in_transaction == (point == "storing")
    finally:
        os.kill(worker.pid, signal.SIGKILL)  # type: ignore[arg-type]
        worker.join(30)
    assert worker.exitcode == -signal.SIGKILL

    # what the killed worker left: the first mail taken, the second not flagged seen
    assert len(inbound(mailbox)) == stored_before_kill
    assert dovecot.unseen(user) == uids[1:]

    result = imap.mailbox_poll(mailbox_id=mailbox.pk)

    assert result.taken == 2
    rows = inbound(mailbox)
    assert sorted(row.subject for row in rows) == [f"Printer {n} is jammed" for n in (1, 2, 3)]
    assert len({row.message_key for row in rows}) == 3
    assert tickets(world) == 3
    assert Ticket.objects.filter(tenant=world.tenant, subject="Printer 2 is jammed").count() == 1
    assert dovecot.unseen(user) == []


# --- OAuth 2.0 (XOAUTH2) ----------------------------------------------------------------


def oauth_mailbox(world: Any, dovecot: Dovecot, idp: Any, user: ImapUser, **fields: Any) -> Mailbox:
    values: dict[str, Any] = {
        "auth": MailAuth.XOAUTH2,
        "imap_password": "",
        "oauth_token_url": idp.token_url,
        "oauth_client_id": idp.client_id,
        "oauth_client_secret": idp.client_secret,
        "oauth_refresh_token": idp.grant(user.username),
        **fields,
    }
    return mailbox_for(world, dovecot, user, **values)


def test_xoauth2_refreshes_the_token_then_signs_in_with_it(world, dovecot, idp):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    mailbox = oauth_mailbox(world, dovecot, idp, user)

    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 1

    assert [form["grant_type"] for form in idp.token_requests] == ["refresh_token"]
    mailbox.refresh_from_db()
    assert idp.tokens[mailbox.oauth_access_token] == user.username
    assert idp.introspections == [mailbox.oauth_access_token]  # Dovecot asked the provider
    expires = mailbox.oauth_expires_at
    assert expires is not None
    assert timedelta(minutes=59) < expires - timezone.now() <= timedelta(hours=1)

    dovecot.append(user, mail(2))
    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 1
    assert len(idp.token_requests) == 1  # the stored token was still good


def test_xoauth2_refreshes_a_token_about_to_expire_and_keeps_a_rotated_refresh_token(
    world, dovecot, idp
):
    user = dovecot.user()
    idp.rotate = True
    mailbox = oauth_mailbox(
        world,
        dovecot,
        idp,
        user,
        oauth_access_token=idp.issue(user.username),
        oauth_expires_at=timezone.now() + timedelta(seconds=90),
    )
    old_refresh = mailbox.oauth_refresh_token

    imap.mailbox_poll(mailbox_id=mailbox.pk)

    assert len(idp.token_requests) == 1
    mailbox.refresh_from_db()
    assert mailbox.oauth_refresh_token != old_refresh
    assert mailbox.oauth_refresh_token in idp.grants
    assert mailbox.last_error == ""


def test_xoauth2_retries_once_with_a_fresh_token_when_the_stored_one_was_revoked(
    world, dovecot, idp
):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    mailbox = oauth_mailbox(
        world,
        dovecot,
        idp,
        user,
        oauth_access_token="revoked-before-its-time",
        oauth_expires_at=timezone.now() + timedelta(hours=1),
    )

    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 1
    assert len(idp.token_requests) == 1


def test_an_expired_sign_in_is_shown_to_the_admin(world, dovecot, idp):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    mailbox = oauth_mailbox(world, dovecot, idp, user)
    idp.grants.clear()  # the refresh token expired or was revoked

    with pytest.raises(imap.MailboxUnreachable):
        imap.mailbox_poll(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert mailbox.last_error == (
        "The mailbox's sign-in has expired or was revoked; sign in again."
    )
    assert mailbox.last_error_at is not None
    assert dovecot.unseen(user) != []


def test_the_expired_sign_in_is_shown_in_the_units_language(world, dovecot, idp):
    world.tenant.language = "zh-hans"
    world.tenant.save()
    user = dovecot.user()
    mailbox = oauth_mailbox(world, dovecot, idp, user)
    idp.grants.clear()

    with pytest.raises(imap.MailboxUnreachable):
        imap.mailbox_poll(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert mailbox.last_error  # translated when the catalog has it, never empty


def test_a_refused_client_and_an_unreachable_token_endpoint_are_shown(world, dovecot, idp):
    user = dovecot.user()
    mailbox = oauth_mailbox(world, dovecot, idp, user, oauth_client_secret="wrong")
    with pytest.raises(imap.MailboxUnreachable):
        imap.mailbox_poll(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert "client id or secret was refused" in mailbox.last_error

    Mailbox.objects.filter(pk=mailbox.pk).update(
        oauth_token_url=f"http://{HOST}:{free_port()}/token"
    )
    with pytest.raises(imap.MailboxUnreachable):
        imap.mailbox_poll(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    assert "token endpoint cannot be reached" in mailbox.last_error


def test_a_refresh_asks_microsoft_for_the_mail_scopes_and_others_for_none(world, dovecot):
    mailbox = mailbox_for(world, dovecot, dovecot.user())
    mailbox.oauth_token_url = "https://login.microsoftonline.com/contoso/oauth2/v2.0/token"
    assert oauth.refresh_form(mailbox)["scope"] == (
        "https://outlook.office.com/IMAP.AccessAsUser.All "
        "https://outlook.office.com/SMTP.Send offline_access"
    )
    mailbox.oauth_token_url = "https://oauth2.googleapis.com/token"
    assert "scope" not in oauth.refresh_form(mailbox)


# --- Huey: the minute's job, one poll per mailbox at a time, backoff --------------------


def test_the_minutes_job_polls_each_due_mailbox(world, dovecot, queue):
    users = [dovecot.user(), dovecot.user()]
    for user in users:
        dovecot.append(user, mail(1), mail(2))
    polled = [mailbox_for(world, dovecot, user) for user in users]
    idle = dovecot.user()
    dovecot.append(idle, mail(3))
    mailbox_for(world, dovecot, idle, is_active=False)
    relay = mailboxes.MailboxInput(name="Relay", address="relay@example.com")  # no IMAP
    mailboxes.mailbox_save(actor=world.admin, data=relay)

    assert tasks.mailboxes_poll_task.call_local() == 2
    assert queue.pending_count() == 2
    huey_drain()

    for mailbox in polled:
        assert len(inbound(mailbox)) == 2
    assert dovecot.unseen(idle) != []


def test_a_poll_that_leaves_mail_behind_is_followed_by_another(world, dovecot, queue, monkeypatch):
    user = dovecot.user()
    dovecot.append(user, *(mail(n) for n in range(5)))
    mailbox = mailbox_for(world, dovecot, user)
    monkeypatch.setattr(imap, "POLL_LIMIT", 2)
    real_poll, taken = imap.mailbox_poll, []

    def poll(**kwargs: Any) -> imap.PollResult:
        result = real_poll(**kwargs)
        taken.append(result.taken)
        return result

    monkeypatch.setattr(imap, "mailbox_poll", poll)
    tasks.mailbox_poll_task(mailbox.pk)
    huey_drain()

    assert taken == [2, 2, 1]
    assert len(inbound(mailbox)) == 5
    assert dovecot.unseen(user) == []


def test_two_workers_never_poll_one_mailbox_at_once(world, dovecot, queue):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    mailbox = mailbox_for(world, dovecot, user)
    held = tasks._lease_take(mailbox.pk)  # another worker is polling it
    assert held is not None
    try:
        assert tasks.mailbox_poll_task.call_local(mailbox.pk) == 0
        assert inbound(mailbox) == []
    finally:
        tasks._lease_release(mailbox.pk, held)

    assert tasks.mailbox_poll_task.call_local(mailbox.pk) == 1


def test_the_lease_of_a_killed_worker_ends_by_itself(world, dovecot, queue, monkeypatch):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    mailbox = mailbox_for(world, dovecot, user)
    tasks._lease_take(mailbox.pk)  # taken, never released: the worker was killed
    assert tasks.mailbox_poll_task.call_local(mailbox.pk) == 0

    later = time.time() + tasks.POLL_LEASE_SECONDS + 1
    monkeypatch.setattr(tasks.time, "time", lambda: later)

    assert tasks.mailbox_poll_task.call_local(mailbox.pk) == 1


def test_a_failing_mailbox_is_polled_less_and_less_often_until_it_is_fixed(world, dovecot):
    user = dovecot.user()
    dovecot.append(user, mail(1))
    mailbox = mailbox_for(world, dovecot, user, imap_password="wrong")
    now = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(
        updated_at=now - timedelta(hours=2), last_fetch_at=now - timedelta(minutes=1)
    )
    assert mailbox.pk in imap.mailboxes_due(now=now)

    with pytest.raises(imap.MailboxUnreachable):
        imap.mailbox_poll(mailbox_id=mailbox.pk)
    failed_at = Mailbox.objects.get(pk=mailbox.pk).last_error_at
    assert failed_at is not None

    # failing for a minute since the last good poll: the next try a minute later
    assert mailbox.pk not in imap.mailboxes_due(now=failed_at + timedelta(seconds=30))
    assert mailbox.pk in imap.mailboxes_due(now=failed_at + timedelta(seconds=61))
    # failing for an hour: half an hour between tries
    Mailbox.objects.filter(pk=mailbox.pk).update(last_fetch_at=failed_at - timedelta(hours=1))
    assert mailbox.pk not in imap.mailboxes_due(now=failed_at + timedelta(minutes=29))
    assert mailbox.pk in imap.mailboxes_due(now=failed_at + timedelta(minutes=31))

    # the admin fixes the password (saving the mailbox): polled at the next minute
    data = mailboxes.MailboxInput(
        name="Support",
        address=user.username,
        imap_host=HOST,
        imap_port=dovecot.port,
        imap_security=MailSecurity.NONE,
        imap_username=user.username,
        imap_password=user.password,
    )
    mailboxes.mailbox_save(actor=world.admin, data=data, mailbox_id=mailbox.pk)
    assert mailbox.pk in imap.mailboxes_due()
    assert imap.mailbox_poll(mailbox_id=mailbox.pk).taken == 1
