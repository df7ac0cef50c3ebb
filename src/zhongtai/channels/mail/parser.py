"""``parse_message``: raw RFC 5322 bytes to a ``ParsedMail``, or ``MailUnparseable``.

The stdlib ``email`` package (``policy.default``) splits the MIME tree; headers are
decoded by ``headers``, bodies by ``charset``, HTML by ``sanitize``, replies folded by
``folding``, machines recognised by ``autoreply``. Nothing here touches the database, the
network or Django settings: the caller passes ``MailLimits``.

The one promise: for any bytes, ``parse_message`` returns a ``ParsedMail`` or raises
``MailUnparseable``, whose ``reason`` the caller shows with the quarantined raw mail.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongtai.channels.mail import autoreply, headers
from zhongtai.channels.mail.attachments import (
    TNEF_TYPES,
    Attachment,
    decode_filename,
    make_attachment,
    safe_filename,
    tnef_extract,
)
from zhongtai.channels.mail.charset import decode_bytes
from zhongtai.channels.mail.errors import MailUnparseable, unparseable
from zhongtai.channels.mail.folding import fold_text
from zhongtai.channels.mail.limits import MailLimits
from zhongtai.channels.mail.sanitize import html_to_text, sanitize_html

logger = logging.getLogger(__name__)

T = TypeVar("T")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_BOUNDARY_LINE = re.compile(rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70})[ \t]*\r?$", re.MULTILINE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([\w.:-]{1,40})", re.I)
_NEWLINES = re.compile(r"\r\n?")
_MAX_WARNINGS = 30
# A mail has at least one of these; a file with none is not a mail.
_MAIL_HEADERS = {
    "from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
    "mime-version", "content-type", "sender", "reply-to", "delivered-to",
}  # fmt: skip
_DEFECTS: dict[str, Any] = {
    "CloseBoundaryNotFoundDefect": gettext_lazy("The closing MIME boundary is missing."),
    "StartBoundaryNotFoundDefect": gettext_lazy("The declared MIME boundary is not in the body."),
    "NoBoundaryInMultipartDefect": gettext_lazy("A multipart part declares no boundary."),
    "InvalidBase64PaddingDefect": gettext_lazy("Broken base64 padding was repaired."),
    "InvalidBase64CharactersDefect": gettext_lazy("Invalid characters in base64 were skipped."),
    "InvalidBase64LengthDefect": gettext_lazy("A base64 part has an impossible length."),
    "MissingHeaderBodySeparatorDefect": gettext_lazy(
        "A malformed header line ended the headers; the rest was read as the body."
    ),
    "InvalidMultipartContentTransferEncodingDefect": gettext_lazy(
        "A multipart part has a content transfer encoding."
    ),
}


@dataclass(frozen=True)
class ParsedMail:
    """Everything the intake needs from one mail. Addresses are lower-case; message ids are
    without angle brackets; ``message_id`` is empty when the mail has none (the caller then
    keys it by a hash of the raw bytes). ``text`` is the whole plain body; ``visible_text``
    and ``folded_text`` split it into what is new and the quoted history and signature.
    ``html`` is sanitized. ``auto`` is None, ``"auto_reply"``, ``"bounce"`` or ``"loop"``,
    and ``auto_reason`` the header that said so. ``warnings`` lists what was repaired."""

    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    subject: str
    from_address: str
    from_name: str
    reply_to: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    delivered_to: tuple[str, ...]
    date: datetime | None
    text: str
    html: str
    visible_text: str
    folded_text: str
    attachments: tuple[Attachment, ...]
    auto: str | None
    auto_reason: str
    warnings: tuple[str, ...]

    @property
    def accepted_attachments(self) -> tuple[Attachment, ...]:
        """The attachments whose bytes were kept."""
        return tuple(a for a in self.attachments if not a.rejected_reason)


@dataclass
class _Walk:
    limits: MailLimits
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    tnef_plain: list[str] = field(default_factory=list)
    tnef_html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    delivery_report: bool = False
    parts: int = 0

    def warn(self, message: Any) -> None:
        text = str(message)
        if text and text not in self.warnings and len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(text)


def _safe(call: Callable[[], T], default: T) -> T:
    """The stdlib's header parser has raised on hostile input before; a part whose header
    cannot be read is treated as if it had none."""
    try:
        return call()
    except Exception:
        return default


def _raw_header(part: Message, name: str) -> str:
    name = name.lower()
    for key, value in part.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


def _payload(part: Message) -> bytes:
    data = _safe(lambda: part.get_payload(decode=True), None)
    return data if isinstance(data, bytes) else b""


def _filename(part: Message) -> str | None:
    name = _safe(part.get_filename, None)
    return name if isinstance(name, str) else None


def _check_size(raw: bytes, limits: MailLimits) -> None:
    if not raw.strip():
        raise unparseable(MailUnparseable.EMPTY)
    if len(raw) > limits.max_message_bytes:
        raise unparseable(MailUnparseable.TOO_LARGE)
    end = _HEADER_END.search(raw, 0, limits.max_header_bytes + 4)
    if (end.start() if end else len(raw)) > limits.max_header_bytes:
        raise unparseable(MailUnparseable.HEADERS_TOO_LARGE)


def parse_message(raw: bytes, *, limits: MailLimits | None = None) -> ParsedMail:
    """Parse one mail as received (the bytes IMAP's ``RFC822`` fetch returns).

    Raises ``MailUnparseable`` (and nothing else) for what cannot become a ticket or a reply.
    """
    limits = limits or MailLimits()
    raw = bytes(raw)
    _check_size(raw, limits)
    try:
        return _parse(raw, limits)
    except MailUnparseable:
        raise
    except RecursionError:
        raise unparseable(MailUnparseable.TOO_DEEP) from None
    except Exception as exc:
        logger.exception("mail parser failed")
        raise unparseable(MailUnparseable.PARSER_ERROR) from exc


def _parse(raw: bytes, limits: MailLimits) -> ParsedMail:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    raw_headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        raw_headers.setdefault(name.lower(), []).append(str(value))
    if not _MAIL_HEADERS & raw_headers.keys():
        raise unparseable(MailUnparseable.NOT_EMAIL)
    walk = _Walk(limits=limits)
    _walk_part(msg, 0, walk)
    sender, from_name = _sender(raw_headers, walk)
    subject, subject_warnings = headers.decode_header(
        _first(raw_headers, "subject"), what=_("subject")
    )
    for warning in subject_warnings:
        walk.warn(warning)
    text, html = _bodies(walk)
    if not (text.strip() or walk.attachments or subject):
        raise unparseable(MailUnparseable.NO_CONTENT)
    if not text.strip() and not walk.attachments:
        walk.warn(_("The mail has no body; its subject is its content."))
    visible, folded = fold_text(text)
    auto, auto_reason = autoreply.classify(
        raw_headers,
        from_address=sender,
        subject=subject,
        delivery_report=walk.delivery_report,
        max_hops=limits.max_hops,
    )
    return ParsedMail(
        message_id=next(iter(headers.message_ids(_first(raw_headers, "message-id"))), ""),
        in_reply_to=next(iter(headers.message_ids(_first(raw_headers, "in-reply-to"))), ""),
        references=tuple(
            headers.message_ids(" ".join(raw_headers.get("references", [])))[
                -limits.max_references :
            ]
        ),
        subject=subject,
        from_address=sender,
        from_name=from_name,
        reply_to=next((a for _n, a in headers.addresses(raw_headers.get("reply-to", []))), ""),
        to=tuple(a for _n, a in headers.addresses(raw_headers.get("to", []))),
        cc=tuple(a for _n, a in headers.addresses(raw_headers.get("cc", []))),
        delivered_to=tuple(
            a
            for _n, a in headers.addresses(
                raw_headers.get("delivered-to", []) + raw_headers.get("x-original-to", [])
            )
        ),
        date=headers.parse_date(_first(raw_headers, "date")),
        text=text,
        html=html,
        visible_text=visible,
        folded_text=folded,
        attachments=_mark_inline(walk.attachments, html),
        auto=auto,
        auto_reason=auto_reason,
        warnings=tuple(walk.warnings),
    )


def _first(raw_headers: dict[str, list[str]], name: str) -> str:
    values = raw_headers.get(name)
    return values[0] if values else ""


def _sender(raw_headers: dict[str, list[str]], walk: _Walk) -> tuple[str, str]:
    for name in ("from", "sender", "reply-to", "return-path"):
        found = headers.addresses(raw_headers.get(name, []))
        if found:
            if name != "from":
                walk.warn(
                    _("The From header has no usable address; the sender is taken from %(h)s.")
                    % {"h": name.title()}
                )
            display, address = found[0]
            return address, display
    raise unparseable(MailUnparseable.NO_SENDER)


def _clean_text(text: str) -> str:
    return _NEWLINES.sub("\n", text).replace("\x00", "")


def _bodies(walk: _Walk) -> tuple[str, str]:
    plain = [p for p in walk.plain if p.strip()] or [p for p in walk.tnef_plain if p.strip()]
    html_parts = [h for h in walk.html if h.strip()] or [h for h in walk.tnef_html if h.strip()]
    html = sanitize_html("\n".join(html_parts)) if html_parts else ""
    text = "\n\n".join(_clean_text(p).strip("\n") for p in plain)
    if not text.strip() and html:
        text = html_to_text(html)
    return text.strip(), html


def _mark_inline(attachments: list[Attachment], html: str) -> tuple[Attachment, ...]:
    lowered = html.lower()
    return tuple(
        replace(a, is_inline=True)
        if a.content_id and f"cid:{a.content_id.lower()}" in lowered
        else a
        for a in attachments
    )


def _walk_part(part: Message, depth: int, walk: _Walk) -> None:
    walk.parts += 1
    if walk.parts > walk.limits.max_parts:
        raise unparseable(MailUnparseable.TOO_MANY_PARTS)
    if depth > walk.limits.max_depth:
        raise unparseable(MailUnparseable.TOO_DEEP)
    for defect in part.defects:
        walk.warn(_DEFECTS.get(type(defect).__name__, ""))
    ctype = _safe(part.get_content_type, "text/plain")
    if ctype == "message/delivery-status":
        walk.delivery_report = True
        return
    if ctype in ("message/rfc822", "message/global"):
        _forwarded(part, walk)
        return
    if part.is_multipart():
        report_type = _safe(lambda: part.get_param("report-type"), None)
        if ctype == "multipart/report" and str(report_type).lower() == "delivery-status":
            walk.delivery_report = True
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _walk_part(sub, depth + 1, walk)
        return
    if ctype.startswith("multipart/"):
        repaired = _repair_boundary(part, ctype)
        if repaired is not None:
            walk.warn(_("A MIME boundary was guessed from the body."))
            walk.parts -= 1
            _walk_part(repaired, depth, walk)
            return
        ctype = "text/plain"
    _leaf(part, ctype, walk)


def _repair_boundary(part: Message, ctype: str) -> EmailMessage | None:
    """A multipart whose boundary is not declared, or not the one the body uses: the first
    ``--token`` line followed by a ``Content-`` header is taken as the boundary."""
    body = _payload(part)
    for match in _BOUNDARY_LINE.finditer(body):
        following = body[match.end() : match.end() + 200].lstrip(b"\r\n")
        if not following[:8].lower().startswith(b"content-"):
            continue
        head = b'Content-Type: %s; boundary="%s"\r\n\r\n' % (ctype.encode(), match.group(1))
        repaired = BytesParser(policy=policy.default).parsebytes(head + body)
        if repaired.is_multipart() and repaired.get_payload():
            return repaired
    return None


def _forwarded(part: Message, walk: _Walk) -> None:
    inner = _safe(part.get_payload, None)
    message = inner[0] if isinstance(inner, list) and inner else None
    data = _safe(message.as_bytes, b"") if isinstance(message, Message) else _payload(part)
    name, _warnings = decode_filename(_filename(part))
    subject = (
        headers.decode_header(_raw_header(message, "subject"))[0]
        if isinstance(message, Message)
        else ""
    )
    name = name or (f"{subject[:80]}.eml" if subject else "")
    _add_attachment(walk, name or "message.eml", "message/rfc822", data, "")


def _leaf(part: Message, ctype: str, walk: _Walk) -> None:
    disposition = _safe(part.get_content_disposition, None)
    filename, warnings = decode_filename(_filename(part))
    for warning in warnings:
        walk.warn(warning)
    data = _payload(part)
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        charset = _safe(part.get_content_charset, None)
        if ctype == "text/html" and not charset:
            meta = _META_CHARSET.search(data[:4096])
            charset = meta.group(1).decode("ascii") if meta else None
        decoded = decode_bytes(data, charset, what=_("body"))
        walk.warn(decoded.warning)
        (walk.plain if ctype == "text/plain" else walk.html).append(decoded.text)
        return
    if ctype in TNEF_TYPES or filename.lower() == "winmail.dat":
        if _unpack_tnef(data, walk):
            return
        walk.warn(_("winmail.dat (Outlook TNEF) could not be unpacked; it is kept as it is."))
    content_id = _raw_header(part, "content-id").strip().strip("<>").strip()
    _add_attachment(walk, filename, ctype, data, content_id)


def _add_attachment(walk: _Walk, filename: str, ctype: str, data: bytes, cid: str) -> None:
    index = len(walk.attachments) + 1
    name = safe_filename(filename, content_type=ctype, index=index)
    attachment = make_attachment(
        filename=name,
        content_type=ctype,
        data=data,
        content_id=cid[:250],
        limits=walk.limits,
        count=len(walk.attachments),
    )
    if attachment.size == 0:
        walk.warn(_("The attachment %(name)s is empty.") % {"name": name})
    if attachment.rejected_reason:
        walk.warn(f"{name}: {attachment.rejected_reason}")
    walk.attachments.append(attachment)


def _unpack_tnef(data: bytes, walk: _Walk) -> bool:
    content = tnef_extract(data)
    if content is None or not (content.files or content.text.strip() or content.html.strip()):
        return False
    for name, file_data in content.files:
        ctype = "application/octet-stream"
        _add_attachment(walk, name, ctype, file_data, "")
    if content.text.strip():
        walk.tnef_plain.append(content.text)
    if content.html.strip():
        walk.tnef_html.append(content.html)
    walk.warn(
        _("winmail.dat (Outlook TNEF) was unpacked: %(count)d files.")
        % {"count": len(content.files)}
    )
    return True
