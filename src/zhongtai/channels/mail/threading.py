"""Which ticket a reply belongs to, and the headers that make our answers thread.

A reply is matched to a ticket only through something we issued: the signed reply token
in the Message-ID of a mail we sent (which comes back in In-Reply-To / References), or in
the plus-address of the Reply-To we set (``support+<token>@…``). The token is an HMAC over
the tenant and ticket ids with the secret key, so it cannot be guessed or moved to another
ticket. The ticket number in the subject (``[SH-000123]``) is a weaker hint: the intake
accepts it only when the sender is already a participant of that ticket. The From address
alone never attaches a mail to a ticket.
"""

from __future__ import annotations

import re
import secrets
from base64 import b32encode
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from zhongtai.channels.mail.autoreply import LOOP_HEADER

_SALT = "zhongtai.channels.mail.reply_token"
_MAC_LENGTH = 20  # base32 characters: 100 bits
_TOKEN = re.compile(rf"^(\d{{1,19}})-(\d{{1,19}})-([a-z2-7]{{{_MAC_LENGTH}}})$")
_TOKEN_IN_TEXT = re.compile(
    rf"(?<![\w-])(\d{{1,19}}-\d{{1,19}}-[a-z2-7]{{{_MAC_LENGTH}}})(?![\w-])"
)
# The reference our subjects carry: "[SH-000123]" (tickets.presenters), 【】 from clients
# that turn brackets full-width.
_SUBJECT_REFERENCE = re.compile(r"[\[【]\s*([A-Z]{1,6})-(\d{6,18})\s*[\]】]")
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|antw|回复|回覆|答复|答覆|转发|轉寄|转寄)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)
MAX_REFERENCES = 20


@dataclass(frozen=True)
class TicketReference:
    """A ticket number as written in a subject: ``prefix`` is the tenant's ticket prefix."""

    prefix: str
    number: int


@dataclass(frozen=True)
class ReplyTarget:
    """The tenant and ticket a verified reply token names."""

    tenant_id: int
    ticket_id: int


def ticket_reference_in_subject(subject: str) -> TicketReference | None:
    """The first ``[PREFIX-000123]`` in a subject, or None."""
    match = _SUBJECT_REFERENCE.search(subject)
    if match is None:
        return None
    return TicketReference(prefix=match.group(1), number=int(match.group(2)))


def subject_without_prefixes(subject: str) -> str:
    """The subject without "Re:", "Fwd:", "回复：", "转发：" and the like in front."""
    return _REPLY_PREFIX.sub("", subject).strip()


def _secrets(secret: str | None) -> list[str]:
    if secret is not None:
        return [secret]
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _mac(tenant_id: int, ticket_id: int, secret: str) -> str:
    digest = salted_hmac(_SALT, f"{tenant_id}-{ticket_id}", secret=secret, algorithm="sha256")
    return b32encode(digest.digest()).decode("ascii").lower()[:_MAC_LENGTH]


def reply_token(tenant_id: int, ticket_id: int, secret: str | None = None) -> str:
    """``{tenant_id}-{ticket_id}-{mac}``: lower-case letters, digits and dashes, safe in a
    Message-ID and in an address's local part (mail servers may lower-case those)."""
    return f"{tenant_id}-{ticket_id}-{_mac(tenant_id, ticket_id, _secrets(secret)[0])}"


def reply_token_verify(token: str, secret: str | None = None) -> ReplyTarget | None:
    """The target of a token we issued, or None for anything else. Without ``secret``, the
    key and its fallbacks (``SECRET_KEY_FALLBACKS``) are tried, so rotating keys keeps
    threads."""
    match = _TOKEN.match(token.strip().lower())
    if match is None:
        return None
    tenant_id, ticket_id = int(match.group(1)), int(match.group(2))
    for key in _secrets(secret):
        if constant_time_compare(_mac(tenant_id, ticket_id, key), match.group(3)):
            return ReplyTarget(tenant_id=tenant_id, ticket_id=ticket_id)
    return None


def reply_targets(
    *,
    in_reply_to: str,
    references: Sequence[str],
    addresses: Iterable[str] = (),
    secret: str | None = None,
) -> list[ReplyTarget]:
    """The verified targets found in a mail, most direct first: In-Reply-To, then References
    from the newest, then plus-addresses (pass To, Cc and Delivered-To). A ``ParsedMail``
    gives all of these."""
    candidates = [in_reply_to, *reversed(list(references))]
    candidates += [a.split("@", 1)[0].partition("+")[2] for a in addresses if "+" in a]
    found: list[ReplyTarget] = []
    for candidate in candidates:
        for token in _TOKEN_IN_TEXT.findall(candidate.lower()):
            target = reply_token_verify(token, secret)
            if target is not None and target not in found:
                found.append(target)
    return found


def reply_address(mailbox_address: str, token: str) -> str:
    """``support@example.com`` → ``support+{token}@example.com``, for Reply-To."""
    local, _at, domain = mailbox_address.rpartition("@")
    return f"{local}+{token}@{domain}"


def outgoing_message_id(token: str, domain: str) -> str:
    """``<t.{token}.{random}@{domain}>``: the token threads replies to the ticket, the random
    part keeps every mail's id unique (clients drop mails whose id they have seen)."""
    return f"<t.{token}.{secrets.token_hex(6)}@{domain}>"


def reply_headers(
    *,
    tenant_id: int,
    ticket_id: int,
    domain: str,
    parent_message_id: str = "",
    parent_references: Sequence[str] = (),
    secret: str | None = None,
) -> dict[str, str]:
    """Message-ID, In-Reply-To, References and the loop header for a mail about a ticket,
    answering ``parent_message_id`` (ids without angle brackets, as ``ParsedMail`` has them).
    References keep the first id and the newest ones, at most ``MAX_REFERENCES``."""
    token = reply_token(tenant_id, ticket_id, secret)
    result = {
        "Message-ID": outgoing_message_id(token, domain),
        LOOP_HEADER: f"{domain}; ticket={ticket_id}",
    }
    chain = [r for r in dict.fromkeys([*parent_references, parent_message_id]) if r]
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    if parent_message_id:
        result["In-Reply-To"] = f"<{parent_message_id}>"
    if chain:
        result["References"] = " ".join(f"<{r}>" for r in chain)
    return result
