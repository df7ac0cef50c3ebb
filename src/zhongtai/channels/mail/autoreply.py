"""Mail that was written by a machine: auto-replies, bounces and loops. Such mail is never
answered automatically (an answer to an auto-reply is how mail loops start).

Loops win over bounces, bounces over auto-replies; the first header that tells is kept as
the reason, e.g. ``"Auto-Submitted: auto-replied"``. The rate of mail per sender is the
intake's to count (it needs state across mails); this module looks at one mail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# Zhongtai writes this header into every mail it sends; a mail that comes back with it is
# our own (a forwarding rule pointing at the mailbox, another Zhongtai answering us).
LOOP_HEADER = "X-Zhongtai-Loop"

AUTO_REPLY = "auto_reply"
BOUNCE = "bounce"
LOOP = "loop"

_DAEMON = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:Auto(?:matic)?[ -]?reply|Autoreply|Out of (?:the )?Office|Auto Response|"
    r"自动回复|自動回覆|自动答复|自動回復|休假自动回复)\s*[:：]?",
    re.IGNORECASE,
)
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}


def _first(headers: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = headers.get(name.lower())
    return values[0].strip() if values else None


def _said(name: str, value: str) -> str:
    return f"{name}: {value[:80]}".strip()


def classify(
    headers: Mapping[str, Sequence[str]],
    *,
    from_address: str,
    subject: str,
    delivery_report: bool,
    max_hops: int,
) -> tuple[str | None, str]:
    """(class, what said so): class is None, ``"loop"``, ``"bounce"`` or ``"auto_reply"``.

    ``headers`` maps lower-case names to raw values; ``delivery_report`` is whether the mail
    holds a ``message/delivery-status`` report.
    """
    loop = _first(headers, LOOP_HEADER)
    if loop is not None:
        return LOOP, _said(LOOP_HEADER, loop)
    hops = len(headers.get("received", ()))
    if hops > max_hops:
        return LOOP, _said("Received", f"{hops}×")
    if delivery_report:
        return BOUNCE, "Content-Type: multipart/report; report-type=delivery-status"
    if _DAEMON.match(from_address):
        return BOUNCE, _said("From", from_address)
    failed = _first(headers, "X-Failed-Recipients")
    if failed is not None:
        return BOUNCE, _said("X-Failed-Recipients", failed)
    return _auto_reply(headers, subject)


def _auto_reply(headers: Mapping[str, Sequence[str]], subject: str) -> tuple[str | None, str]:
    submitted = _first(headers, "Auto-Submitted")
    if submitted is not None and submitted.split(";")[0].strip().lower() not in ("no", ""):
        return AUTO_REPLY, _said("Auto-Submitted", submitted)
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response-Suppress"):
        value = _first(headers, name)
        if value is not None and value.lower() not in ("no", "false", "0", ""):
            return AUTO_REPLY, _said(name, value)
    precedence = _first(headers, "Precedence")
    if precedence is not None and precedence.lower() in _AUTO_PRECEDENCE:
        return AUTO_REPLY, _said("Precedence", precedence)
    return_path = headers.get("return-path")
    if return_path and return_path[-1].strip() in ("<>", ""):
        return AUTO_REPLY, "Return-Path: <>"
    if _AUTO_SUBJECT.match(subject):
        return AUTO_REPLY, _said("Subject", subject)
    return None, ""
