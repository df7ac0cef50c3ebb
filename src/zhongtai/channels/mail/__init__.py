"""The email channel's parser: raw mail in, a ``ParsedMail`` (or ``MailUnparseable``) out.

Pure: no models, no database, no network, no settings (``MailLimits.from_settings()`` is the
one explicit door to them). Mailboxes, IMAP polling, ticket intake and quarantine are built
on top of this::

    from zhongtai.channels.mail import MailLimits, MailUnparseable, parse_message

    try:
        mail = parse_message(raw, limits=MailLimits.from_settings())
    except MailUnparseable as exc:
        quarantine(raw, reason=exc.reason, code=exc.code)   # the caller's

Threading (ticket numbers in subjects, signed reply tokens, outgoing headers) is in
``zhongtai.channels.mail.threading``. See docs/email.md.
"""

from zhongtai.channels.mail.attachments import Attachment
from zhongtai.channels.mail.autoreply import AUTO_REPLY, BOUNCE, LOOP, LOOP_HEADER
from zhongtai.channels.mail.errors import MailUnparseable
from zhongtai.channels.mail.limits import MailLimits
from zhongtai.channels.mail.parser import ParsedMail, parse_message

__all__ = [
    "AUTO_REPLY",
    "BOUNCE",
    "LOOP",
    "LOOP_HEADER",
    "Attachment",
    "MailLimits",
    "MailUnparseable",
    "ParsedMail",
    "parse_message",
]
