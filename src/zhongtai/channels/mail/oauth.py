"""Access tokens for mailboxes that sign in with OAuth 2.0 (XOAUTH2: Microsoft 365, Google).

The administrator's one-time consent leaves a refresh token on the mailbox. Before each
sign-in, ``access_token(mailbox)`` returns the stored access token while it is good for
more than ``REFRESH_MARGIN``; otherwise it asks the mailbox's token endpoint for a new
one with the ``refresh_token`` grant (RFC 6749 §6) and stores it with its expiry, and the
new refresh token when the provider rotates it. When the provider refuses, the reason is
written on the mailbox (``last_error``) for the administrator and ``OAuthError`` raised:
``invalid_grant`` means the consent has expired or was revoked, and only signing in again
mends it.

The HTTP request runs outside any transaction; the tokens are then written in one UPDATE
that succeeds only if the refresh token is still the one that was used, so that two
processes refreshing at once (the poller and an outgoing mail) cannot overwrite a rotated
refresh token with a revoked one.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhongtai.channels.models import MAX_ERROR, Mailbox

logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=2)
TIMEOUT_SECONDS = 30
DEFAULT_LIFETIME = 3600  # seconds, when the provider does not say (RFC 6749 §5.1)
USER_AGENT = "Zhongtai-Mail/1"
# The scopes a refresh asks for, by the token URL's host (where the provider needs them)
SCOPES = {
    "login.microsoftonline.com": (
        "https://outlook.office.com/IMAP.AccessAsUser.All "
        "https://outlook.office.com/SMTP.Send offline_access"
    ),
}


class OAuthError(Exception):
    """A refresh that failed. ``code`` is the provider's error (``invalid_grant``,
    ``invalid_client``, …) or ours (``not_configured``, ``unreachable``,
    ``bad_response``); ``message`` is the sentence written on the mailbox. ``transient``
    says whether trying again later may help without the administrator."""

    def __init__(self, message: str, code: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.transient = transient


@dataclass(frozen=True)
class TokenAnswer:
    access_token: str
    expires_at: datetime
    refresh_token: str  # "" when the provider keeps the old one


def access_token(mailbox: Mailbox, *, now: datetime | None = None) -> str:
    """An access token good for at least ``REFRESH_MARGIN``, refreshed when needed."""
    now = now or timezone.now()
    expires = mailbox.oauth_expires_at
    if mailbox.oauth_access_token and expires is not None and expires - now > REFRESH_MARGIN:
        return mailbox.oauth_access_token
    return access_token_refresh(mailbox, now=now)


def access_token_refresh(mailbox: Mailbox, *, now: datetime | None = None) -> str:
    """A new access token from the token endpoint, stored on ``mailbox`` (the instance is
    updated too). Raises ``OAuthError``, recorded on the mailbox."""
    now = now or timezone.now()
    used = mailbox.oauth_refresh_token
    try:
        answer = _refresh(mailbox, now=now)
    except OAuthError as error:
        mailbox.refresh_from_db(
            fields=["oauth_refresh_token", "oauth_access_token", "oauth_expires_at"]
        )
        if mailbox.oauth_refresh_token != used and _still_good(mailbox, now):
            # another process rotated the refresh token and stored its access token
            return mailbox.oauth_access_token
        logger.warning("Mailbox %s: token refresh failed: %s", mailbox.pk, error.code)
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_error=error.message[:MAX_ERROR], last_error_at=now
        )
        mailbox.last_error, mailbox.last_error_at = error.message[:MAX_ERROR], now
        raise
    fields: dict[str, Any] = {
        "oauth_access_token": answer.access_token,
        "oauth_expires_at": answer.expires_at,
    }
    if answer.refresh_token:
        fields["oauth_refresh_token"] = answer.refresh_token
    stored = Mailbox.objects.filter(pk=mailbox.pk, oauth_refresh_token=used).update(**fields)
    if not stored:
        logger.info("Mailbox %s: its refresh token changed meanwhile; kept the other", mailbox.pk)
    for name, value in fields.items():
        setattr(mailbox, name, value)
    return answer.access_token


def _still_good(mailbox: Mailbox, now: datetime) -> bool:
    expires = mailbox.oauth_expires_at
    return (
        bool(mailbox.oauth_access_token)
        and expires is not None
        and expires - now > (REFRESH_MARGIN)
    )


def _refresh(mailbox: Mailbox, *, now: datetime) -> TokenAnswer:
    with translation.override(mailbox.tenant.language):
        if not (mailbox.oauth_token_url and mailbox.oauth_client_id):
            raise OAuthError(
                _("OAuth 2.0 is not set up for this mailbox: its token URL and client id."),
                "not_configured",
            )
        if not mailbox.oauth_refresh_token:
            raise OAuthError(
                _("The mailbox has not been signed in with OAuth 2.0 yet; sign in."),
                "not_configured",
            )
        status, body = _post(mailbox)
        return _answer(status, body, now=now)


def refresh_form(mailbox: Mailbox) -> dict[str, str]:
    """The refresh request's form. Microsoft's v2.0 endpoint wants the scopes again (the
    consent's or fewer); Google and most others take the consent's without being told."""
    form = {
        "grant_type": "refresh_token",
        "refresh_token": mailbox.oauth_refresh_token,
        "client_id": mailbox.oauth_client_id,
        "client_secret": mailbox.oauth_client_secret,
    }
    scope = SCOPES.get(urlsplit(mailbox.oauth_token_url).hostname or "")
    if scope:
        form["scope"] = scope
    return form


def _post(mailbox: Mailbox) -> tuple[int, Any]:
    form = urlencode(refresh_form(mailbox)).encode()
    if urlsplit(mailbox.oauth_token_url).scheme not in ("https", "http"):
        raise OAuthError(_("The OAuth token URL must be an https:// address."), "not_configured")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        mailbox.oauth_token_url,
        data=form,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status, raw = response.status, response.read(1_000_000)
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read(1_000_000)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise OAuthError(
            _("The OAuth token endpoint cannot be reached: %(reason)s") % {"reason": reason},
            "unreachable",
            transient=True,
        ) from error
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


def _answer(status: int, body: Any, *, now: datetime) -> TokenAnswer:
    if not isinstance(body, dict):
        raise OAuthError(
            _("The OAuth token endpoint answered %(status)s without JSON.") % {"status": status},
            "bad_response",
            transient=status >= 500,
        )
    if status != 200 or "error" in body:
        code = str(body.get("error") or "error")
        raise OAuthError(_refusal(code, body), code, transient=status >= 500)
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise OAuthError(
            _("The OAuth token endpoint answered without an access token."), "bad_response"
        )
    try:
        lifetime = int(body.get("expires_in", DEFAULT_LIFETIME))
    except (TypeError, ValueError):
        lifetime = DEFAULT_LIFETIME
    refresh = body.get("refresh_token")
    return TokenAnswer(
        access_token=token,
        expires_at=now + timedelta(seconds=max(lifetime, 0)),
        refresh_token=refresh if isinstance(refresh, str) else "",
    )


def _refusal(code: str, body: dict[str, Any]) -> str:
    if code == "invalid_grant":
        return _("The mailbox's sign-in has expired or was revoked; sign in again.")
    if code in ("invalid_client", "unauthorized_client"):
        return _("The OAuth client id or secret was refused; check them, then sign in again.")
    description = str(body.get("error_description") or "")[:200]
    return _("The OAuth token endpoint refused the refresh: %(error)s %(description)s") % {
        "error": code,
        "description": description,
    }
