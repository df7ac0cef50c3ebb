"""Attachments: names decoded and made safe, limits and blocked types applied, and the
files inside an Outlook ``winmail.dat`` (TNEF) taken out.

A refused attachment keeps its name, type and size with ``rejected_reason`` set, and no
bytes, so the agent sees that something was sent and why it is not there.
"""

from __future__ import annotations

import logging
import mimetypes
import os.path
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from zhongtai.channels.mail.charset import decode_bytes
from zhongtai.channels.mail.headers import decode_header
from zhongtai.channels.mail.limits import MailLimits

logger = logging.getLogger(__name__)
# tnefparse logs a warning for every oddity of a malformed stream (and one of its messages
# cannot be formatted); what matters reaches the mail's warnings instead.
logging.getLogger("tnefparse").setLevel(logging.ERROR)

TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_MAX_NAME = 200


@dataclass(frozen=True)
class Attachment:
    """One file of a mail. ``data`` is empty when ``rejected_reason`` is set; ``size`` is the
    decoded size either way. ``is_inline`` means the HTML body shows it (``cid:content_id``)."""

    filename: str
    content_type: str
    size: int
    data: bytes = field(repr=False, default=b"")
    content_id: str = ""
    is_inline: bool = False
    rejected_reason: str = ""


def safe_filename(name: str, *, content_type: str, index: int) -> str:
    """A file name without paths, control characters or reserved characters; one is made up
    from the type when the mail gave none."""
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if not name:
        ext = mimetypes.guess_extension(content_type) or ".bin"
        prefix = "image" if content_type.startswith("image/") else "attachment"
        name = f"{prefix}-{index}{ext}"
    if len(name) > _MAX_NAME:
        stem, ext = os.path.splitext(name)
        name = stem[: _MAX_NAME - len(ext[:20])] + ext[:20]
    return name


def decode_filename(raw: str | None) -> tuple[str, list[str]]:
    """A file name from ``get_filename()``: RFC 2231 is decoded by the stdlib already;
    encoded words (a common violation) and raw 8-bit names are decoded here."""
    if not raw:
        return "", []
    if "=?" in raw or any("\udc80" <= ch <= "\udcff" for ch in raw):
        return decode_header(raw, what=_("attachment name"))
    return raw, []


def _extension(filename: str) -> str:
    return os.path.splitext(filename)[1].lower().lstrip(".")


def _looks_executable(data: bytes) -> bool:
    return data[:2] == b"MZ" or data[:4] == b"\x7fELF" or data[:4] in (b"\xcf\xfa\xed\xfe",)


def make_attachment(
    *,
    filename: str,
    content_type: str,
    data: bytes,
    content_id: str,
    limits: MailLimits,
    count: int,
) -> Attachment:
    """The attachment, or its metadata with the reason it was refused. ``count`` is how many
    attachments the mail had before this one."""
    content_type = content_type.lower()
    if content_type == "application/octet-stream":
        content_type = mimetypes.guess_type(filename)[0] or content_type
    reason = ""
    if count >= limits.max_attachments:
        reason = _("The mail has more than %(count)d attachments.") % {
            "count": limits.max_attachments
        }
    elif len(data) > limits.max_attachment_bytes:
        reason = _("The file is larger than %(size)s.") % {
            "size": filesizeformat(limits.max_attachment_bytes)
        }
    elif (
        _extension(filename) in limits.blocked_extensions
        or content_type in limits.blocked_content_types
        or _looks_executable(data)
    ):
        reason = _("Programs and scripts are not accepted as attachments.")
    return Attachment(
        filename=filename,
        content_type=content_type,
        size=len(data),
        data=b"" if reason else data,
        content_id=content_id,
        rejected_reason=reason,
    )


@dataclass
class TnefContent:
    """What came out of a winmail.dat: files, and the message body when it had one."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    text: str = ""
    html: str = ""


def _tnef_text(value: Any) -> str:
    if isinstance(value, bytes):
        return decode_bytes(value.rstrip(b"\x00"), None, what="winmail.dat").text
    return str(value or "").rstrip("\x00")


def tnef_extract(data: bytes) -> TnefContent | None:
    """The files and body of a TNEF stream, or None when it cannot be read (the caller then
    keeps winmail.dat itself as the attachment)."""
    from tnefparse.tnef import TNEF  # type: ignore[import-untyped]

    try:
        tnef = TNEF(data, do_checksum=False)
        content = TnefContent(text=_tnef_text(tnef.body), html=_tnef_text(tnef.htmlbody))
        for index, item in enumerate(tnef.attachments, start=1):
            try:
                name = item.long_filename()
            except (UnicodeDecodeError, AttributeError):
                name = ""
            name = _tnef_text(name) if not isinstance(name, str) else name
            content.files.append((name or f"attachment-{index}.bin", bytes(item.data or b"")))
    except Exception:  # a third-party decoder on untrusted bytes may fail anyhow
        logger.info("winmail.dat could not be decoded", exc_info=True)
        return None
    return content
