"""Split a reply's text into what the sender wrote now and what can be folded away: the
quoted history and the signature.

Quoted history starts at the first attribution line or header block of the common clients:
"On … wrote:" (Gmail, Apple Mail, Thunderbird; wrapped over two lines too), "在 … 写道："
(Gmail, NetEase, Apple Mail in Chinese), Outlook's "-----Original Message-----" and its
"From: … Sent: …" / "发件人: … 发送时间: …" block (after a line of underscores or not),
QQ Mail's and Foxmail's "------------------ 原始邮件 ------------------" and
"------------------ Original ------------------", or a closing run of "> " lines.
The signature is the "-- " line (RFC 3676) or a client's "Sent from my …" line near the
end. Forwarded messages are not folded: what was forwarded is the content.
If folding would leave nothing visible, nothing is folded.
"""

from __future__ import annotations

import re

_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"On\b.{4,300}\bwrote:"
    r"|Le\b.{4,300}\ba écrit\s*:"
    r"|Am\b.{4,300}\bschrieb.{0,40}:"
    r"|.{0,300}(?:写道|寫道|写到)\s*[:：]"
    r")\s*$",
    re.IGNORECASE,
)
# An attribution that a client wrapped over two lines starts like this.
_WRAPPED_START = re.compile(r"^\s*(?:On|Le|Am|在|于)\s", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^\s*(?:"
    r"-{3,}\s*(?:Original Message|Original|Reply Message|原始邮件|原始郵件|邮件原件|回复的原邮件)"
    r"\s*-{3,}"
    r"|_{10,}"
    r")\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\**(?:From|发件人|寄件者|發件人)\**\s*[:：]", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\**(?:Sent|Date|To|Subject|Cc|发送时间|时间|日期|收件人|主题|寄件日期|收件者|主旨|"
    r"發送時間|抄送)\**\s*[:：]",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")
_SIGNATURE_DASHES = re.compile(r"^-- ?$")
_SIGNATURE_PHRASE = re.compile(
    r"^\s*(?:"
    r"Sent from my \w+|Sent from (?:Mail|Outlook) for \w+|Get Outlook for \w+|Sent from Yahoo Mail"
    r"|Sent from my (?:iPhone|iPad|Android|Huawei|HUAWEI|Xiaomi)"
    r"|发自我的\s*\S+|从我的\s*\S+\s*发送|来自\s*\S*邮箱|发自\s*\S*邮箱\S*|发自网易邮箱大师|"
    r"来自网易邮箱大师|发自手机\S*|使用\S*邮箱\S*发送"
    r").{0,40}$",
    re.IGNORECASE,
)


def _quote_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if _SEPARATOR.match(line):
            return i
        if _ATTRIBUTION.match(line):
            return i
        if (
            _WRAPPED_START.match(line)
            and i + 1 < len(lines)
            and _ATTRIBUTION.match(f"{line} {lines[i + 1]}")
        ):
            return i
        if _HEADER_FROM.match(line) and any(_HEADER_NEXT.match(n) for n in lines[i + 1 : i + 5]):
            return i
    # A closing run of quoted lines (blank lines between them allowed).
    start = None
    for i in range(len(lines) - 1, -1, -1):
        if _QUOTED.match(lines[i]):
            start = i
        elif lines[i].strip():
            break
    return start


def _signature_start(lines: list[str]) -> int | None:
    for i in range(len(lines) - 1, -1, -1):
        if _SIGNATURE_DASHES.match(lines[i]):
            return i
    content = [i for i, line in enumerate(lines) if line.strip()]
    for i in content[-3:]:
        if _SIGNATURE_PHRASE.match(lines[i]):
            return i
    return None


def fold_text(text: str) -> tuple[str, str]:
    """(visible, folded): the new text, and the quoted history and signature after it."""
    lines = text.split("\n")
    cut = _quote_start(lines)
    head = lines if cut is None else lines[:cut]
    sig = _signature_start(head)
    if sig is not None:
        cut = sig
    if cut is None:
        return text.strip(), ""
    visible = "\n".join(lines[:cut]).strip()
    if not visible:
        return text.strip(), ""
    return visible, "\n".join(lines[cut:]).strip()
