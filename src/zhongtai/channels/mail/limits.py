"""Limits that keep one mail from taking a worker's memory or time, and blocked file types."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

MB = 1024 * 1024

# Types that run code when opened on Windows, macOS or Linux desktops, or that wrap such code
# (disk images, shortcuts). Office macro formats are not blocked: customers send them every day.
BLOCKED_EXTENSIONS = frozenset({
    "ade", "adp", "app", "application", "appref-ms", "bas", "bat", "cab", "chm", "cmd", "com",
    "cpl", "dll", "exe", "gadget", "hta", "img", "inf", "ins", "iso", "isp", "jar", "js", "jse",
    "lnk", "msc", "msi", "msp", "mst", "pif", "ps1", "psm1", "reg", "scf", "scr", "sct", "shb",
    "sys", "vb", "vbe", "vbs", "vhd", "vhdx", "ws", "wsc", "wsf", "wsh", "xll",
})  # fmt: skip
BLOCKED_CONTENT_TYPES = frozenset({
    "application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
    "application/x-executable", "application/x-ms-installer", "application/x-msi",
    "application/hta", "application/x-ms-shortcut", "application/vnd.microsoft.portable-executable",
})  # fmt: skip


@dataclass(frozen=True)
class MailLimits:
    """How much of a mail the parser accepts; everything past a limit is refused or kept as
    metadata only, never read into memory twice.

    ``max_hops`` is the number of ``Received`` lines past which a mail counts as looping
    (Postfix bounces at 50).
    """

    max_message_bytes: int = 25 * MB
    max_attachment_bytes: int = 10 * MB
    max_attachments: int = 50
    max_header_bytes: int = 256 * 1024
    max_depth: int = 10
    max_parts: int = 500
    max_hops: int = 50
    max_references: int = 50
    blocked_extensions: frozenset[str] = field(default=BLOCKED_EXTENSIONS)
    blocked_content_types: frozenset[str] = field(default=BLOCKED_CONTENT_TYPES)

    @classmethod
    def from_settings(cls) -> MailLimits:
        """The limits with any of Django's ``MAIL_<FIELD>`` settings applied
        (``MAIL_MAX_MESSAGE_BYTES``, ``MAIL_BLOCKED_EXTENSIONS``, …); unset ones keep
        their default."""
        from django.conf import settings

        values: dict[str, Any] = {}
        for f in fields(cls):
            value = getattr(settings, f"MAIL_{f.name.upper()}", None)
            if value is None:
                continue
            if f.name.startswith("blocked_"):
                value = frozenset(str(v).lower().lstrip(".") if "ext" in f.name else str(v).lower()
                                  for v in value)  # fmt: skip
            else:
                value = int(value)
            values[f.name] = value
        return cls(**values)
