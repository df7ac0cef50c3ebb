"""The mailboxes API (``/api/v1/mailboxes``): the unit's mailboxes, the mail they kept,
taking a quarantined mail again, and the raw-message endpoint a mail relay posts to.

``POST /api/v1/mailboxes/{id}/messages`` takes one RFC 822 mail as the request body
(``Content-Type: message/rfc822``), e.g. from Postfix's ``pipe`` or any relay that can
POST with an API token; it answers 201 with what became of the mail, or 200 with the same
answer when the mail (its Message-ID) was taken before. Only administrators
(``integrations.manage``) use it; another unit's mailbox is a 404. Passwords and tokens
are never in an answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from zhongtai.channels.mail import mailboxes
from zhongtai.channels.models import InboundMail, InboundState, MailAuth, Mailbox, MailSecurity
from zhongtai.core.api import actor_of
from zhongtai.core.errors import InvalidInput, PayloadTooLarge
from zhongtai.core.inputs import LINE_PATTERN, Id, PathId
from zhongtai.core.pagination import keyset_page
from zhongtai.core.permissions import ensure_can

router = Router(tags=["mailboxes"])

Line = Field(default="", max_length=200, pattern=LINE_PATTERN)


class MailboxIn(Schema):
    """A mailbox's settings (PUT replaces them; a password or secret left empty keeps the
    stored one)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=LINE_PATTERN)
    address: str = Field(min_length=3, max_length=254, pattern=LINE_PATTERN)
    team_id: Id | None = None
    active: bool = True
    auth: MailAuth = MailAuth.PASSWORD
    imap_host: str = Line
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_security: MailSecurity = MailSecurity.SSL
    imap_username: str = Line
    imap_password: str = Field(default="", max_length=500, pattern=LINE_PATTERN)
    imap_folder: str = Field(default="INBOX", min_length=1, max_length=200, pattern=LINE_PATTERN)
    smtp_host: str = Line
    smtp_port: int = Field(default=465, ge=1, le=65535)
    smtp_security: MailSecurity = MailSecurity.SSL
    smtp_username: str = Line
    smtp_password: str = Field(default="", max_length=500, pattern=LINE_PATTERN)
    oauth_token_url: str = Field(default="", max_length=500, pattern=LINE_PATTERN)
    oauth_client_id: str = Field(default="", max_length=300, pattern=LINE_PATTERN)
    oauth_client_secret: str = Field(default="", max_length=500, pattern=LINE_PATTERN)
    oauth_refresh_token: str = Field(default="", max_length=4000, pattern=LINE_PATTERN)


class MailboxOut(Schema):
    id: int
    name: str
    address: str
    team_id: int | None
    active: bool
    auth: str
    imap_host: str
    imap_port: int
    imap_security: str
    imap_username: str
    imap_folder: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_username: str
    oauth_token_url: str
    oauth_client_id: str
    has_password: bool = Field(description="Whether an IMAP password is stored.")
    has_refresh_token: bool
    last_fetch_at: datetime | None
    last_error: str = Field(description="The last fetch error, empty after a good fetch.")
    last_error_at: datetime | None


class InboundOut(Schema):
    id: int
    mailbox_id: int
    message_id: str
    state: str
    reason_code: str
    reason: str
    from_address: str
    subject: str
    size: int
    source: str
    ticket: int | None = Field(description="The ticket's number, when it made or joined one.")
    created_at: datetime
    reprocessed_at: datetime | None


class ReceivedOut(InboundOut):
    duplicate: bool = Field(description="The mail was taken before: nothing new was made.")


class InboundPage(Schema):
    items: list[InboundOut]
    next_cursor: str | None


class InboundParams(Schema):
    state: InboundState | None = None
    cursor: str | None = Field(default=None, max_length=200, pattern=LINE_PATTERN)
    limit: int = Field(default=50, ge=1, le=200)


def _mailbox_out(mailbox: Mailbox) -> dict[str, Any]:
    return {
        **vars(mailbox),
        "active": mailbox.is_active,
        "has_password": bool(mailbox.imap_password),
        "has_refresh_token": bool(mailbox.oauth_refresh_token),
    }


def _inbound_out(inbound: InboundMail) -> dict[str, Any]:
    return {
        "id": inbound.pk,
        "mailbox_id": inbound.mailbox_id,
        "message_id": inbound.message_key,
        "state": inbound.state,
        "reason_code": inbound.reason_code,
        "reason": inbound.reason,
        "from_address": inbound.from_address,
        "subject": inbound.subject,
        "size": inbound.size,
        "source": inbound.source,
        "ticket": inbound.ticket.number if inbound.ticket_id and inbound.ticket else None,
        "created_at": inbound.created_at,
        "reprocessed_at": inbound.reprocessed_at,
    }


def _input(data: MailboxIn) -> mailboxes.MailboxInput:
    values = data.model_dump()
    values["is_active"] = values.pop("active")
    for name in ("auth", "imap_security", "smtp_security"):
        values[name] = str(values[name])
    return mailboxes.MailboxInput(**values)


@router.get("", response=list[MailboxOut], summary="The unit's mailboxes")
def mailbox_list_api(request: HttpRequest) -> object:
    actor = actor_of(request)
    ensure_can(actor, mailboxes.PERM)
    return [_mailbox_out(m) for m in mailboxes.mailbox_list(actor=actor)]


@router.post("", response={201: MailboxOut}, summary="Add a mailbox")
def mailbox_create_api(request: HttpRequest, data: MailboxIn) -> Status[object]:
    mailbox = mailboxes.mailbox_save(actor=actor_of(request), data=_input(data))
    return Status(201, _mailbox_out(mailbox))


@router.get("/{int:mailbox_id}", response=MailboxOut, summary="One mailbox")
def mailbox_get_api(request: HttpRequest, mailbox_id: PathId) -> object:
    actor = actor_of(request)
    ensure_can(actor, mailboxes.PERM)
    return _mailbox_out(mailboxes.mailbox_get(actor=actor, mailbox_id=mailbox_id))


@router.put("/{int:mailbox_id}", response=MailboxOut, summary="Change a mailbox")
def mailbox_update_api(request: HttpRequest, mailbox_id: PathId, data: MailboxIn) -> object:
    mailbox = mailboxes.mailbox_save(
        actor=actor_of(request), data=_input(data), mailbox_id=mailbox_id
    )
    return _mailbox_out(mailbox)


@router.delete("/{int:mailbox_id}", response={204: None}, summary="Remove a mailbox")
def mailbox_delete_api(request: HttpRequest, mailbox_id: PathId) -> Status[None]:
    mailboxes.mailbox_delete(actor=actor_of(request), mailbox_id=mailbox_id)
    return Status(204, None)


@router.post(
    "/{int:mailbox_id}/messages",
    response={200: ReceivedOut, 201: ReceivedOut},
    summary="Take in one raw RFC 822 mail (for a mail relay)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def mail_receive_api(request: HttpRequest, mailbox_id: PathId) -> Status[object]:
    limit = settings.MAIL_MAX_MESSAGE_BYTES
    content_type = request.content_type or ""
    if content_type not in ("message/rfc822", "application/octet-stream", "text/plain"):
        raise InvalidInput(
            errors=[{"field": "", "message": "Send the mail as Content-Type: message/rfc822."}],
            code="unsupported_media_type",
        )
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(code="too_large")
    inbound, new = mailboxes.mail_receive(actor=actor_of(request), mailbox_id=mailbox_id, raw=raw)
    return Status(201 if new else 200, {**_inbound_out(inbound), "duplicate": not new})


@router.get(
    "/{int:mailbox_id}/inbound",
    response=InboundPage,
    summary="The mail a mailbox kept, newest first (filter by state, e.g. quarantined)",
)
def inbound_list_api(
    request: HttpRequest, mailbox_id: PathId, params: Query[InboundParams]
) -> object:
    actor = actor_of(request)
    ensure_can(actor, mailboxes.PERM)
    mailbox = mailboxes.mailbox_get(actor=actor, mailbox_id=mailbox_id)
    rows, cursor = keyset_page(
        mailboxes.inbound_list(actor=actor, mailbox=mailbox, state=str(params.state or "")),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_inbound_out(r) for r in rows], "next_cursor": cursor}


@router.post(
    "/inbound/{int:inbound_id}/reprocess",
    response=InboundOut,
    summary="Take a quarantined mail again",
)
def inbound_reprocess_api(request: HttpRequest, inbound_id: PathId) -> object:
    return _inbound_out(mailboxes.mail_take_again(actor=actor_of(request), inbound_id=inbound_id))
