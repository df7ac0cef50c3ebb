"""What the parser raises for a mail that cannot become a ticket.

The caller keeps the raw bytes in quarantine with the reason, so that an administrator can
read why and re-process the mail once the cause is fixed (a raised limit, a parser fix).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class MailUnparseable(Exception):
    """A mail that cannot become a ticket or a reply.

    ``code`` is a stable identifier (for filters, metrics and tests); ``reason`` is a short
    translatable sentence for the administrator.
    """

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    HEADERS_TOO_LARGE = "headers_too_large"
    NOT_EMAIL = "not_email"
    TOO_DEEP = "too_deep"
    TOO_MANY_PARTS = "too_many_parts"
    NO_SENDER = "no_sender"
    NO_CONTENT = "no_content"
    PARSER_ERROR = "parser_error"

    def __init__(self, reason: Any, code: str) -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.code = code

    def __repr__(self) -> str:
        return f"MailUnparseable(code={self.code!r}, reason={str(self.reason)!r})"


REASONS: dict[str, Any] = {
    MailUnparseable.EMPTY: _("The mail is empty."),
    MailUnparseable.TOO_LARGE: _("The mail is larger than the size limit."),
    MailUnparseable.HEADERS_TOO_LARGE: _("The mail's header section is larger than the limit."),
    MailUnparseable.NOT_EMAIL: _("The data is not an email message."),
    MailUnparseable.TOO_DEEP: _("The mail's parts are nested deeper than the limit."),
    MailUnparseable.TOO_MANY_PARTS: _("The mail has more parts than the limit."),
    MailUnparseable.NO_SENDER: _("The mail has no usable sender address."),
    MailUnparseable.NO_CONTENT: _("The mail has no subject, no readable body and no attachments."),
    MailUnparseable.PARSER_ERROR: _("The mail could not be read."),
}


def unparseable(code: str) -> MailUnparseable:
    """The exception for ``code``, with its translatable reason."""
    return MailUnparseable(REASONS[code], code)
