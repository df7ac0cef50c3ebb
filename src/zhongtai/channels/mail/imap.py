"""Fetching a mailbox's mail over IMAP: every unseen mail becomes one ``InboundMail``.

One poll signs in (password, or XOAUTH2 with a token from ``oauth``), opens the folder
and, for each unseen UID in order:

1. ``UID FETCH uid (BODY.PEEK[])`` — PEEK, so that fetching does not mark it seen;
2. ``mail_intake(...)`` — stores the mail in its own transaction; idempotent on
   (mailbox, Message-ID);
3. ``UID STORE uid +FLAGS.SILENT (\\Seen)``.

The order is what makes a killed worker safe. Killed before the intake commits, the mail
is still unseen and is fetched again by the next poll; killed after the commit but before
the flag, the next poll fetches it again and the intake returns the row it already has.
Nothing is lost and nothing is doubled; no transaction is ever held across network I/O
(``mailbox_poll`` refuses to run inside one).

A mail the server cannot hand over (an error on its UID — Dovecot even drops the
connection) is skipped for this round and logged, and the poll goes on with the next
one, on a new connection if need be; it stays unseen, so the next round tries it again.
An error while connecting, signing in or opening the folder is written on the mailbox
(``last_error``, for the administrator, in the unit's language, never with a password)
and raised as ``MailboxUnreachable``; ``mailboxes_due`` then waits longer before each
new try (as long as the mailbox has been failing, one to thirty minutes), and a
successful poll clears the error. Each poll takes at most ``limit`` mails and stops
taking new ones after ``TIME_BUDGET_SECONDS``.
"""

from __future__ import annotations

import base64
import imaplib
import logging
import re
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import Error as DatabaseFailure
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhongtai.channels.mail import MailLimits, oauth
from zhongtai.channels.mail.intake import mail_intake
from zhongtai.channels.models import MAX_ERROR, MailAuth, Mailbox, MailSecurity

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30  # connecting, and each read or write on the connection
POLL_LIMIT = 200  # mails per poll; a poll that leaves more behind is followed by another
TIME_BUDGET_SECONDS = 240  # no new mail is fetched after this (well inside the task lease)
MAX_RECONNECTS = 3  # per poll, after a server error dropped the connection
BACKOFF_MIN = timedelta(minutes=1)
BACKOFF_MAX = timedelta(minutes=30)
SEEN = r"(\Seen)"
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


class MailboxUnreachable(Exception):
    """The poll could not connect, sign in or open the folder (or lost the connection
    for good). ``message`` is what was written on the mailbox."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class PollResult:
    mailbox_id: int
    unseen: int = 0  # unseen mails found
    taken: int = 0  # handed to the intake and flagged seen
    skipped: list[int] = field(default_factory=list)  # UIDs left for the next round
    remaining: int = 0  # unseen mails left for the next poll (limit or time budget)
    problems: list[str] = field(default_factory=list)  # what went wrong with single mails


def mailbox_poll(*, mailbox_id: int, limit: int = POLL_LIMIT) -> PollResult:
    """Take the mailbox's unseen mail (at most ``limit``). Raises ``MailboxUnreachable``
    (already written on the mailbox) when the server cannot be used at all."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("mailbox_poll talks to a mail server: never inside a transaction")
    mailbox = Mailbox.objects.select_related("tenant").get(pk=mailbox_id)
    result = PollResult(mailbox_id=mailbox_id)
    if not mailbox.is_active or not mailbox.imap_host:
        return result
    session = _Session(mailbox)
    try:
        with translation.override(mailbox.tenant.language):
            _take_unseen(session, mailbox, limit, result)
    except MailboxUnreachable as error:
        mailbox_fetch_failed(mailbox=mailbox, message=error.message)
        raise
    finally:
        session.close()
    mailbox_fetch_done(mailbox=mailbox, result=result)
    return result


def _take_unseen(session: _Session, mailbox: Mailbox, limit: int, result: PollResult) -> None:
    session.open()
    uids = session.unseen()
    result.unseen = len(uids)
    # A mail over the size limit is not downloaded (the intake would refuse it after
    # holding it in memory): it stays unread in the folder, and the mailbox says so until
    # it is taken (the limit raised) or removed there.
    most = MailLimits.from_settings().max_message_bytes
    sizes = session.sizes(uids)
    too_large = [uid for uid in uids if sizes.get(uid, 0) > most]
    left = set(too_large)
    for uid in too_large:
        result.skipped.append(uid)
        result.problems.append(
            _(
                "UID %(uid)s: %(size)s MB, more than the limit of %(limit)s MB; it stays unread "
                "in the folder (ZHONGTAI_MAIL_MAX_MESSAGE_BYTES)"
            )
            % {"uid": uid, "size": _megabytes(sizes[uid]), "limit": _megabytes(most)}
        )
    uids = [uid for uid in uids if uid not in left]
    batch = uids[:limit]
    result.remaining = len(uids) - len(batch)
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    for position, uid in enumerate(batch):
        if time.monotonic() > deadline:
            result.remaining += len(batch) - position
            break
        raw = session.fetch(uid)
        if raw is None:
            result.skipped.append(uid)
            continue
        try:
            mail_intake(mailbox=mailbox, raw=raw, source="imap")
        except DatabaseFailure:
            raise  # the database is down: stop here, every mail left stays unseen
        except Exception:  # a bug with this one mail must not hold up the others
            logger.exception("Mailbox %s: the intake failed on UID %s", mailbox.pk, uid)
            result.skipped.append(uid)
            result.problems.append(_("UID %(uid)s: the mail could not be stored.") % {"uid": uid})
            continue
        session.mark_seen(uid)
        result.taken += 1
    result.problems[:0] = session.problems


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def mailbox_fetch_failed(*, mailbox: Mailbox, message: str) -> None:
    """Show the administrator why the mailbox cannot be fetched."""
    logger.warning("Mailbox %s cannot be fetched: %s", mailbox.pk, message)
    now = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(last_error=message[:MAX_ERROR], last_error_at=now)
    mailbox.last_error, mailbox.last_error_at = message[:MAX_ERROR], now


def mailbox_fetch_done(*, mailbox: Mailbox, result: PollResult) -> None:
    """A poll that reached the folder: the error is cleared, unless single mails could not
    be fetched (then it says so; they stay unseen and are tried again)."""
    now = timezone.now()
    message = ""
    if result.skipped:
        with translation.override(mailbox.tenant.language):
            message = ngettext(
                "%(count)d mail could not be fetched and will be tried again: %(detail)s",
                "%(count)d mails could not be fetched and will be tried again: %(detail)s",
                len(result.skipped),
            ) % {"count": len(result.skipped), "detail": "; ".join(result.problems)}
    fields = {"last_fetch_at": now, "last_error": message[:MAX_ERROR]}
    if message:
        fields["last_error_at"] = now
    Mailbox.objects.filter(pk=mailbox.pk).update(**fields)
    for name, value in fields.items():
        setattr(mailbox, name, value)


def mailboxes_due(*, now: datetime | None = None) -> list[int]:
    """The mailboxes to poll now: active, with an IMAP host, and not waiting after
    failures. A failing mailbox waits as long as it has been failing (since its last good
    poll, or since its settings were last saved), between ``BACKOFF_MIN`` and
    ``BACKOFF_MAX``: tries come after 1, 2, 4, 8… minutes, and at once after an edit."""
    now = now or timezone.now()
    due = []
    rows = (
        Mailbox.objects.filter(is_active=True)
        .exclude(imap_host="")
        .values_list("pk", "last_error", "last_error_at", "last_fetch_at", "updated_at")
        .order_by("pk")
    )
    for pk, error, error_at, fetch_at, updated_at in rows:
        good_since = max(fetch_at or updated_at, updated_at)
        if error and error_at is not None and error_at > good_since:
            wait = min(max(error_at - good_since, BACKOFF_MIN), BACKOFF_MAX)
            if now < error_at + wait:
                continue
        due.append(pk)
    return due


# --- the IMAP conversation --------------------------------------------------------------


class _Session:
    """One mailbox's connection, re-opened (at most ``MAX_RECONNECTS`` times) when the
    server drops it over a single mail."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.client: imaplib.IMAP4 | None = None
        self.reconnects = 0
        self.problems: list[str] = []

    @property
    def _client(self) -> imaplib.IMAP4:
        if self.client is None:
            raise RuntimeError("the IMAP session is not open")
        return self.client

    def open(self) -> None:
        mailbox = self.mailbox
        try:
            self.client = _connect(mailbox)
        except (imaplib.IMAP4.error, OSError) as error:
            raise MailboxUnreachable(_connection_problem(error, mailbox)) from error
        try:
            _sign_in(self.client, mailbox)
        except oauth.OAuthError as error:
            raise MailboxUnreachable(error.message) from error
        except (imaplib.IMAP4.abort, OSError) as error:
            raise MailboxUnreachable(_connection_problem(error, mailbox)) from error
        except imaplib.IMAP4.error as error:
            raise MailboxUnreachable(
                _("The IMAP server refused the sign-in of %(user)s: %(reason)s")
                % {"user": mailbox.imap_username or mailbox.address, "reason": _text(error)}
            ) from error
        try:
            status, data = self.client.select(_folder_name(mailbox.imap_folder))
        except imaplib.IMAP4.readonly as error:
            raise MailboxUnreachable(
                _("The folder “%(folder)s” is read-only: mail could not be marked as read.")
                % {"folder": mailbox.imap_folder}
            ) from error
        except (imaplib.IMAP4.error, OSError) as error:
            raise MailboxUnreachable(_connection_problem(error, mailbox)) from error
        if status != "OK":
            raise MailboxUnreachable(
                _("The folder “%(folder)s” cannot be opened: %(reason)s")
                % {"folder": mailbox.imap_folder, "reason": _text(data)}
            )

    def unseen(self) -> list[int]:
        try:
            status, data = self._client.uid("SEARCH", "UNSEEN")
        except (imaplib.IMAP4.error, OSError) as error:
            raise MailboxUnreachable(_connection_problem(error, self.mailbox)) from error
        if status != "OK":
            raise MailboxUnreachable(
                _("The server refused to search the folder: %(reason)s") % {"reason": _text(data)}
            )
        return sorted(int(uid) for uid in b" ".join(d for d in data if d).split())

    def sizes(self, uids: list[int]) -> dict[int, int]:
        """Each mail's size in bytes (``RFC822.SIZE``), in one command; a server that will
        not say gives no sizes, and every mail is fetched as before."""
        if not uids:
            return {}
        found: dict[int, int] = {}
        for start in range(0, len(uids), 500):  # command lines stay short
            chunk = ",".join(str(uid) for uid in uids[start : start + 500])
            try:
                status, data = self._client.uid("FETCH", chunk, "(RFC822.SIZE)")
            except imaplib.IMAP4.error as error:
                logger.warning("Mailbox %s: no sizes: %s", self.mailbox.pk, error)
                return found
            except (imaplib.IMAP4.abort, OSError) as error:
                raise MailboxUnreachable(_connection_problem(error, self.mailbox)) from error
            if status != "OK":
                return found
            for line in data:
                text = line[0] if isinstance(line, tuple) else line
                uid, size = _UID.search(text or b""), _SIZE.search(text or b"")
                if uid and size:
                    found[int(uid.group(1))] = int(size.group(1))
        return found

    def fetch(self, uid: int) -> bytes | None:
        """The mail's bytes, or None when the server would not hand them over now."""
        try:
            status, data = self._client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        except (imaplib.IMAP4.abort, OSError) as error:
            self._failed(uid, _text(error))
            self._reopen()
            return None
        except imaplib.IMAP4.error as error:
            self._failed(uid, _text(error))
            return None
        if status != "OK":
            self._failed(uid, _text(data))
            return None
        for part in data:
            if isinstance(part, tuple) and b"BODY[" in part[0] and isinstance(part[1], bytes):
                return part[1]
        self._failed(uid, _("the mail is no longer on the server"))
        return None

    def mark_seen(self, uid: int) -> None:
        """Flag a stored mail seen. If that fails it stays unseen: the next poll fetches
        it again and the intake returns the row it already has."""
        try:
            status, data = self._client.uid("STORE", str(uid), "+FLAGS.SILENT", SEEN)
        except (imaplib.IMAP4.abort, OSError) as error:
            logger.warning("Mailbox %s: UID %s not flagged seen: %s", self.mailbox.pk, uid, error)
            self._reopen()
            return
        except imaplib.IMAP4.error as error:
            status, data = "NO", [str(error).encode()]
        if status != "OK":
            logger.warning("Mailbox %s: UID %s not flagged seen: %s", self.mailbox.pk, uid, data)

    def close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
        finally:
            self.client = None

    def _failed(self, uid: int, reason: str) -> None:
        logger.warning("Mailbox %s: UID %s not fetched: %s", self.mailbox.pk, uid, reason)
        self.problems.append(_("UID %(uid)s: %(reason)s") % {"uid": uid, "reason": reason})

    def _reopen(self) -> None:
        self.close()
        self.reconnects += 1
        if self.reconnects > MAX_RECONNECTS:
            raise MailboxUnreachable(
                _("The IMAP server keeps dropping the connection: %(reason)s")
                % {"reason": self.problems[-1] if self.problems else ""}
            )
        self.open()


def _tls_context() -> ssl.SSLContext:
    # the system's CA bundle (or SSL_CERT_FILE's, e.g. an intranet CA), host names checked
    return ssl.create_default_context()


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    host, port = mailbox.imap_host, mailbox.imap_port
    if mailbox.imap_security == MailSecurity.SSL:
        return imaplib.IMAP4_SSL(host, port, ssl_context=_tls_context(), timeout=TIMEOUT_SECONDS)
    client = imaplib.IMAP4(host, port, timeout=TIMEOUT_SECONDS)
    if mailbox.imap_security == MailSecurity.STARTTLS:
        try:
            client.starttls(ssl_context=_tls_context())
        except imaplib.IMAP4.error as error:
            client.shutdown()
            raise _NoStartTLS(str(error)) from error
    return client


class _NoStartTLS(imaplib.IMAP4.error):
    pass


def _sign_in(client: imaplib.IMAP4, mailbox: Mailbox) -> None:
    user = mailbox.imap_username or mailbox.address
    if mailbox.auth == MailAuth.XOAUTH2:
        try:
            client.authenticate("XOAUTH2", _xoauth2(user, oauth.access_token(mailbox)))
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error:
            # a token revoked before its expiry (a password change, an admin's revocation):
            # one fresh token, then the refusal stands
            client.authenticate("XOAUTH2", _xoauth2(user, oauth.access_token_refresh(mailbox)))
        return
    password = mailbox.imap_password
    if (user + password).isascii():
        client.login(user, password)
    else:  # LOGIN is ASCII only; SASL PLAIN carries UTF-8
        client.authenticate("PLAIN", lambda _challenge: f"\0{user}\0{password}".encode())


def _xoauth2(user: str, token: str) -> Callable[[bytes], bytes]:
    """The XOAUTH2 initial response; an empty answer to the server's error challenge."""
    sent = False

    def answer(_challenge: bytes) -> bytes:
        nonlocal sent
        if sent:
            return b""
        sent = True
        return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()

    return answer


def _connection_problem(error: BaseException, mailbox: Mailbox) -> str:
    where = f"{mailbox.imap_host}:{mailbox.imap_port}"
    if isinstance(error, _NoStartTLS):
        return _("The IMAP server %(where)s does not offer STARTTLS.") % {"where": where}
    if isinstance(error, ssl.SSLCertVerificationError):
        return _("The IMAP server's certificate is not trusted: %(reason)s") % {
            "reason": error.verify_message or error.reason
        }
    if isinstance(error, ssl.SSLError):
        return _("TLS with the IMAP server failed: %(reason)s") % {"reason": error.reason or error}
    if isinstance(error, TimeoutError | socket.timeout):
        return _("The IMAP server %(where)s did not answer within %(seconds)s seconds.") % {
            "where": where,
            "seconds": TIMEOUT_SECONDS,
        }
    if isinstance(error, ConnectionRefusedError):
        return _("The IMAP server %(where)s refused the connection.") % {"where": where}
    if isinstance(error, socket.gaierror):
        return _("The IMAP host %(host)s is unknown.") % {"host": mailbox.imap_host}
    if isinstance(error, imaplib.IMAP4.abort | OSError):
        return _("The connection to the IMAP server %(where)s failed: %(reason)s") % {
            "where": where,
            "reason": _text(error),
        }
    return _("The IMAP server refused: %(reason)s") % {"reason": _text(error)}


def _text(value: object) -> str:
    """A server's answer as text (imaplib hands over bytes, lists of bytes, exceptions)."""
    if isinstance(value, BaseException):
        value = value.args[0] if value.args else str(value)
    if isinstance(value, list | tuple):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value if v)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip()[:300]


def _folder_name(folder: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 §5.1.3), quoted."""
    encoded, pending = [], ""

    def flush() -> None:
        nonlocal pending
        if pending:
            chunk = base64.b64encode(pending.encode("utf-16-be")).decode().rstrip("=")
            encoded.append("&" + chunk.replace("/", ",") + "-")
            pending = ""

    for char in folder:
        if " " <= char <= "~":
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending += char
    flush()
    quoted = "".join(encoded).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}"'
