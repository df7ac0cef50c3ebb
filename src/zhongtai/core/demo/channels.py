"""The demo units' channels: a support mailbox each (relay-only until an admin points it at
an IMAP server, e.g. a local Dovecot) with mail that went through the real intake — a new
request, a customer's answer threaded on its ticket, an out-of-office kept unanswered, a
mail that could not be read waiting in the quarantine — and, for the equipment unit, a
WeCom app with new external contacts waiting to be linked in the chat sidebar."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from django.utils import timezone

from zhongtai.channels.mail.intake import mail_intake
from zhongtai.channels.models import Mailbox, WeComApp, WeComInbound
from zhongtai.core.demo.directory import UnitDirectory
from zhongtai.tickets.models import Ticket

# The sample settings of WeCom's own callback documentation (token QDG6eK): a developer can
# replay its published requests against the demo's callback URL.
WECOM_SAMPLE = {
    "corp_id": "wx5823bf96d3bd56c7",
    "token": "QDG6eK",
    "encoding_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
}


def _mail(sender: str, subject: str, body: str, key: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = headers.pop("to", "support@example.com")
    message["Subject"] = subject
    message["Message-ID"] = f"<{key}@demo.example>"
    message["Date"] = format_datetime(timezone.now() - timedelta(hours=2))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def _picture(width: int = 160, height: int = 96) -> bytes:
    """A PNG the demo's mail shows inline: a warning-orange panel with a dark band (what a
    customer's phone photo of a machine's display stands for)."""
    rows = []
    for y in range(height):
        band = height // 3 <= y < 2 * height // 3
        pixel = b"\x33\x33\x33" if band else b"\xf0\x8c\x28"
        rows.append(b"\x00" + pixel * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _with_photo(raw: bytes, caption: str) -> bytes:
    """The mail as a phone's mail app sends it: the text, and HTML showing a photo inline."""
    message = message_from_bytes(raw, policy=policy.default)
    lines = [line for line in message.get_content().splitlines() if line.strip()]
    said = [f"<p>{escape(line)}</p>" for line in lines if not line.startswith(">")]
    quoted = "".join(f"<p>{escape(line[1:].strip())}</p>" for line in lines if line.startswith(">"))
    photo = f'<p><img src="cid:photo@demo.example" alt="{escape(caption)}"></p>'
    message.add_alternative(  # the photo under the first paragraph, above the quoted mail
        f"<div>{said[0]}{photo}{''.join(said[1:])}<blockquote>{quoted}</blockquote></div>",
        subtype="html",
    )
    html = message.get_body(preferencelist=("html",))
    if html is not None:  # (always: it was added just above)
        html.add_related(
            _picture(), "image", "png", cid="<photo@demo.example>", filename="photo.png"
        )
    return message.as_bytes()


def channels_create(*, directory: UnitDirectory) -> None:
    tenant = directory.tenant
    zh = directory.spec.language == "zh-hans"
    address = f"support@{tenant.slug}.example"
    mailbox = Mailbox.objects.create(
        tenant=tenant,
        name="客服邮箱" if zh else "Support",
        address=address,
        team=directory.teams.get("l1"),
    )
    contact = next(c for c in directory.contacts if c.email)
    who = f"{contact.name} <{contact.email}>"
    first = mail_intake(
        mailbox=mailbox,
        raw=_mail(
            who,
            "设备报警 E-210，无法启动" if zh else "Cannot sign in after the password reset",
            "您好，今天早上设备报警 E-210，重启后仍无法启动，请尽快安排工程师。\n\n谢谢"
            if zh
            else "Hello, since this morning's password reset nobody on our team can sign in.\n\n"
            "Thanks",
            f"{tenant.slug}-demo-1",
            to=address,
        ),
        source="relay",
    )
    ticket = first.ticket
    if isinstance(ticket, Ticket):
        reference = f"[{tenant.ticket_prefix}-{ticket.number:06d}]"
        answer = _mail(
            who,
            f"Re: {reference}",
            "补充：报警前主轴有异响。照片见下。\n\n"
            "在 2026年11月23日，客服 写道：\n> 我们已收到您的请求"
            if zh
            else "One more thing: it started after the update. A photo of the screen is below."
            "\n\nOn Monday, Support wrote:\n> We received your request",
            f"{tenant.slug}-demo-2",
            to=address,
        )
        mail_intake(
            mailbox=mailbox,
            raw=_with_photo(answer, "报警屏幕" if zh else "the screen"),
            source="relay",
        )
    mail_intake(
        mailbox=mailbox,
        raw=_mail(
            who,
            "自动回复：休假中" if zh else "Automatic reply: out of office",
            "我正在休假，11月30日返回。" if zh else "I am out of the office until Monday.",
            f"{tenant.slug}-demo-3",
            to=address,
            Auto_Submitted="auto-replied",
        ),
        source="relay",
    )
    mail_intake(
        mailbox=mailbox,
        raw=b"\x00\x01\x02 this is not a mail \xff\xfe",
        source="relay",
    )
    if zh:
        _wecom_create(directory)


def _wecom_create(directory: UnitDirectory) -> None:
    tenant = directory.tenant
    app = WeComApp.objects.create(
        tenant=tenant, name="企业微信客服", agent_id=1000002, **WECOM_SAMPLE
    )
    now = timezone.now()
    WeComInbound.objects.bulk_create(
        WeComInbound(
            tenant=tenant,
            app=app,
            dedupe_key=f"event:demo:{n}",
            msg_type="event",
            event="change_external_contact",
            change_type="add_external_contact",
            from_user=user,
            external_user_id=f"wmDemoNew{n:04d}",
            sent_at=now - timedelta(hours=n),
            raw={"demo": "1"},
        )
        for n, user in enumerate(("zhangwei", "liqiang"), start=1)
    )
