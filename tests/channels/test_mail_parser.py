"""The mail parser against the malformed-mail corpus, hostile input and random bytes.

Every corpus file has one row in ``CORPUS``: what it must become (a parsed mail with these
facts) or the ``MailUnparseable`` code it must be quarantined with. A file without a row,
or a row without a file, fails the test run.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from django.utils.functional import Promise
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from zhongtai.channels.mail import (
    AUTO_REPLY,
    BOUNCE,
    LOOP,
    LOOP_HEADER,
    MailLimits,
    MailUnparseable,
    ParsedMail,
    parse_message,
)
from zhongtai.channels.mail.charset import decode_bytes
from zhongtai.channels.mail.errors import REASONS
from zhongtai.channels.mail.folding import fold_text

pytestmark = pytest.mark.no_database

CORPUS_DIR = Path(__file__).parent / "mail_corpus"
MB = 1024 * 1024


@dataclass(frozen=True)
class Parsed:
    """What a corpus mail must parse into. ``visible`` and ``folded`` are snippets."""

    subject: str
    sender: str
    visible: str
    attachments: int = 0
    auto: str | None = None
    folded: str = ""
    warning: str = ""
    rejected: int = 0
    limits: MailLimits = field(default_factory=MailLimits)


@dataclass(frozen=True)
class Quarantined:
    code: str


CORPUS: dict[str, Parsed | Quarantined] = {
    # Ordinary clients
    "gmail_reply_quoted": Parsed(
        "Re: [SH-000007] Printer shows E42",
        "anna.lee@gmail.com",
        "works again after the firmware update.",
        folded="> Please update the firmware",
    ),
    "outlook_reply_original_message": Parsed(
        "RE: [SH-000123] Replacement part shipped",
        "tom.baker@contoso.com",
        "The replacement part arrived",
        folded="-----Original Message-----",
    ),
    "outlook_chinese_reply_header_block": Parsed(
        "答复: [SH-000124] 扫描仪无法连接",
        "liming@contoso.cn",
        "问题已经解决，谢谢！",
        folded="发件人: 中台客服",
    ),
    "qq_mail_reply_gb18030": Parsed(
        "回复：[SH-000042] 设备无法开机",
        "10001@qq.com",
        "请安排工程师上门",
        folded="原始邮件",
    ),
    "foxmail_gbk_labelled_gb2312": Parsed(
        "验收安排",
        "zhurong@example.cn",
        "朱镕先生已确认，喆总下周到现场验收。",
        folded="发送时间：2024-06-03",
        warning="charset gb2312 declared but the text is GB18030",
    ),
    "netease_163_html_only": Parsed(
        "Re:[SH-000050] 发票", "wangfang@163.com", "发票已经收到，谢谢。", folded="写道："
    ),
    "apple_mail_inline_image": Parsed(
        "Screen shows a red light",
        "sam@icloud.com",
        "The panel shows a red light",
        attachments=1,
        folded="Sent from my iPad",
    ),
    "nested_mixed_alternative_related": Parsed(
        "Monthly maintenance report", "ops@fabrikam.com", "Report attached.", attachments=2
    ),
    "signature_dashes": Parsed(
        "Password reset link expired",
        "kim@example.org",
        "The reset link says it expired",
        folded="Kim Park | Example Org",
    ),
    "forwarded_message_attached": Parsed(
        "Fwd: Complaint from a customer",
        "boss@contoso.com",
        "Please handle the complaint below.",
        attachments=1,
    ),
    # Broken MIME
    "boundary_missing_close": Parsed(
        "Contract renewal",
        "li@example.cn",
        "renewal quote for contract C-2023-88",
        attachments=1,
        warning="closing MIME boundary is missing",
    ),
    "boundary_not_declared": Parsed(
        "Router keeps rebooting",
        "zhao@example.cn",
        "The router reboots every ten minutes",
        attachments=1,
        warning="boundary was guessed",
    ),
    "boundary_mismatch": Parsed(
        "Invoice address change",
        "qian@example.cn",
        "88 Century Avenue",
        warning="boundary was guessed",
    ),
    "deep_nesting": Quarantined(MailUnparseable.TOO_DEEP),
    "base64_broken_padding": Parsed(
        "Maschine", "jonas@example.de", "Die Maschine läuft wieder, danke!"
    ),
    # Charsets
    "gb18030_labelled_gb2312": Parsed(
        "Error E17",
        "sun@example.cn",
        "型号𠀀的设备显示错误码E17，欧元价格€120。",
        warning="gb2312 declared but the text is GB18030",
    ),
    "gbk_labelled_iso8859_1": Parsed(
        "Printer jam",
        "zhou@example.cn",
        "您好，我们的打印机卡纸了",
        warning="iso-8859-1 declared but the text is GB18030",
    ),
    "big5_labelled_utf8": Parsed(
        "Device down",
        "chen@example.com.tw",
        "我們的設備昨天出現故障",
        warning="utf-8 declared but the text is Big5",
    ),
    "gbk_unlabelled": Parsed(
        "Invoice",
        "wu@example.cn",
        "请问发票什么时候可以开出来？",
        warning="no charset declared, read as GB18030",
    ),
    "big5_unlabelled_raw_subject": Parsed(
        "保固期限查詢",
        "lin@example.com.tw",
        "請問保固期限到什麼時候？",
        warning="no charset declared, read as Big5",
    ),
    "utf8_labelled_gb2312": Parsed(
        "Locked",
        "he@example.cn",
        "账号被锁定了，无法登录系统。",
        warning="gb2312 declared but the text is UTF-8",
    ),
    "latin1_western": Parsed(
        "Imprimante", "claire@example.fr", "le problème de l'imprimante est résolu"
    ),
    "html_meta_charset_gbk": Parsed("AC", "ma@example.cn", "空调不制冷，请派人检查。"),
    "raw_8bit_utf8_headers": Parsed("合同续费 提醒", "xu@example.cn", "合同下个月到期"),
    "encoded_words_mixed": Parsed("设备报修 — café and 紧急", "ding@example.cn", "Details follow."),
    "encoded_words_broken": Parsed(
        "Hello world =?utf-8?B?not base64 at all?= =?utf-8?Q?unterminated",
        "broken@example.com",
        "Body survives broken headers.",
    ),
    # Attachments
    "rfc2231_filenames": Parsed("Files", "gao@example.cn", "Three files attached.", attachments=3),
    "zero_byte_attachment": Parsed(
        "Log file",
        "empty@example.com",
        "The log is attached.",
        attachments=1,
        warning="app.log is empty",
    ),
    "oversized_attachment": Parsed(
        "Video of the fault",
        "big@example.com",
        "Video attached.",
        attachments=1,
        rejected=1,
        limits=MailLimits(max_attachment_bytes=64 * 1024),
    ),
    "blocked_executables": Parsed(
        "Invoice overdue", "phish@example.biz", "Open the invoice.", attachments=4, rejected=3
    ),
    "tnef_winmail": Parsed(
        "Logs and quote",
        "mark@contoso.com",
        "The error log and the quote are attached.",
        attachments=2,
        warning="winmail.dat (Outlook TNEF) was unpacked: 2 files",
    ),
    "tnef_corrupt": Parsed(
        "Broken winmail",
        "mark@contoso.com",
        "See the attachment.",
        attachments=1,
        warning="could not be unpacked",
    ),
    # HTML
    "html_with_scripts": Parsed("Order 8812", "order@example.com", "Please check my order #8812."),
    # Machines
    "dsn_bounce": Parsed(
        "Undelivered Mail Returned to Sender",
        "mailer-daemon@mail.zt.example",
        "could not\nbe delivered",
        attachments=1,
        auto=BOUNCE,
    ),
    "bounce_plain_mailer_daemon": Parsed(
        "failure notice", "mailer-daemon@mx.example.net", "qmail-send program", auto=BOUNCE
    ),
    "ooo_exchange_english": Parsed(
        "Automatic reply: [SH-000123] Replacement part shipped",
        "tom.baker@contoso.com",
        "I am out of the office",
        auto=AUTO_REPLY,
    ),
    "ooo_chinese_x_autoreply": Parsed(
        "自动回复: [SH-000042] 设备无法开机", "10001@qq.com", "我正在休假", auto=AUTO_REPLY
    ),
    "ooo_chinese_subject_only": Parsed(
        "自动回复：您的工单已更新", "liu@example.cn", "邮件已收到", auto=AUTO_REPLY
    ),
    "precedence_bulk_newsletter": Parsed(
        "June product news", "news@example.com", "New products this month.", auto=AUTO_REPLY
    ),
    "loop_header_ours": Parsed(
        "[SH-000123] We received your request",
        "support@zt.example",
        "We received your request.",
        auto=LOOP,
    ),
    "received_loop_120_hops": Parsed("ping", "looper@example.net", "ping", auto=LOOP),
    # Hostile and broken files
    "huge_received_5000": Quarantined(MailUnparseable.HEADERS_TOO_LARGE),
    "huge_header_1mb": Quarantined(MailUnparseable.HEADERS_TOO_LARGE),
    "binary_garbage": Quarantined(MailUnparseable.NOT_EMAIL),
    "empty": Quarantined(MailUnparseable.EMPTY),
    "no_sender": Quarantined(MailUnparseable.NO_SENDER),
    "subject_only_no_body": Parsed(
        "打印机坏了", "short@example.cn", "", warning="The mail has no body"
    ),
    "nothing_at_all": Quarantined(MailUnparseable.NO_CONTENT),
}


def corpus_mail(name: str) -> bytes:
    return (CORPUS_DIR / f"{name}.eml").read_bytes()


def parsed(name: str) -> ParsedMail:
    expected = CORPUS[name]
    assert isinstance(expected, Parsed)
    return parse_message(corpus_mail(name), limits=expected.limits)


def test_every_corpus_file_has_an_expected_outcome() -> None:
    on_disk = {p.stem for p in CORPUS_DIR.glob("*.eml")}
    assert on_disk == set(CORPUS)
    assert len(on_disk) >= 30


@pytest.mark.parametrize("name", sorted(n for n, e in CORPUS.items() if isinstance(e, Parsed)))
def test_corpus_mail_becomes_the_expected_mail(name: str) -> None:
    # Given a corpus mail that can become a ticket or a reply
    expected = CORPUS[name]
    assert isinstance(expected, Parsed)

    # When it is parsed
    mail = parsed(name)

    # Then its facts are the expected ones
    assert mail.subject == expected.subject
    assert mail.from_address == expected.sender
    assert expected.visible in mail.visible_text
    assert len(mail.attachments) == expected.attachments
    assert sum(1 for a in mail.attachments if a.rejected_reason) == expected.rejected
    assert mail.auto == expected.auto
    assert bool(mail.auto_reason) == bool(expected.auto)
    if expected.folded:
        assert expected.folded in mail.folded_text
        assert expected.folded not in mail.visible_text
    else:
        assert mail.folded_text == ""
    if expected.warning:
        assert any(expected.warning in w for w in mail.warnings), mail.warnings
    assert "\ufffd" not in mail.text + mail.subject + mail.from_name


@pytest.mark.parametrize("name", sorted(n for n, e in CORPUS.items() if isinstance(e, Quarantined)))
def test_corpus_mail_is_quarantined_with_a_reason(name: str) -> None:
    expected = CORPUS[name]
    assert isinstance(expected, Quarantined)

    with pytest.raises(MailUnparseable) as caught:
        parse_message(corpus_mail(name))

    assert caught.value.code == expected.code
    assert isinstance(caught.value.reason, Promise)  # translated where it is shown
    assert str(caught.value.reason)


# --- Headers and threading fields -----------------------------------------------------------


def test_headers_are_normalized() -> None:
    mail = parsed("gmail_reply_quoted")

    assert mail.message_id == "CAF3x+1Yq2=gm@mail.gmail.com"
    assert mail.in_reply_to == "t.1-7-abc.1@zt.example"
    assert mail.references == ("t.1-7-abc.1@zt.example",)
    assert mail.from_name == "Anna Lee"
    assert mail.to == ("support@zt.example",)
    assert mail.date is not None
    assert mail.date.isoformat() == "2024-06-03T02:00:01+00:00"


def test_display_names_in_chinese_charsets_are_decoded() -> None:
    assert parsed("qq_mail_reply_gb18030").from_name == "张伟"
    assert parsed("outlook_chinese_reply_header_block").from_name == "李明"
    assert parsed("raw_8bit_utf8_headers").from_name == "徐静"


def test_cc_keeps_quoted_commas_inside_names() -> None:
    mail = parsed("nested_mixed_alternative_related")

    assert mail.cc == ("lee.chen@fabrikam.com", "night@fabrikam.com")


def test_a_missing_message_id_and_an_unreadable_date_stay_empty() -> None:
    mail = parsed("encoded_words_broken")

    assert mail.message_id == ""
    assert mail.date is None


# --- Bodies ---------------------------------------------------------------------------------


def test_html_is_sanitized_and_keeps_links() -> None:
    mail = parsed("html_with_scripts")

    lowered = mail.html.lower()
    forbidden_parts = ("<script", "onerror", "onload", "onclick", "javascript:", "<iframe")
    forbidden_parts += ("<form", "<input", "style=", "<style", "data:", "<object", "<svg")
    for forbidden in forbidden_parts:
        assert forbidden not in lowered, forbidden
    assert 'href="https://shop.example/orders/8812"' in mail.html
    assert "alert" not in mail.text


def test_inline_images_keep_their_cid_and_are_marked_inline() -> None:
    mail = parsed("nested_mixed_alternative_related")

    image, pdf = mail.attachments
    assert image.content_id == "chart-1@fabrikam.com"
    assert image.is_inline
    assert image.data.startswith(b"\x89PNG")
    assert 'src="cid:chart-1@fabrikam.com"' in mail.html
    assert not pdf.is_inline
    assert pdf.filename == "report-2024-05.pdf"


def test_plain_text_is_preferred_and_html_only_mail_gets_text_from_html() -> None:
    assert parsed("nested_mixed_alternative_related").text == (
        "Report attached. Chart inline in the HTML version."
    )
    netease = parsed("netease_163_html_only")
    assert netease.text.startswith("发票已经收到，谢谢。")
    assert "<div" in netease.html


def test_tnef_files_and_body_are_unpacked() -> None:
    mail = parsed("tnef_winmail")

    log, quote = mail.attachments
    assert log.filename == "error-log.txt"
    assert log.data == b"2024-06-03 10:00 E42 fuser overheat\r\n"
    assert quote.filename == "quote.pdf"
    assert quote.content_type == "application/pdf"
    assert quote.data.startswith(b"%PDF")
    assert mail.text.startswith("Hello support,")


def test_corrupt_tnef_is_kept_as_winmail_dat() -> None:
    (attachment,) = parsed("tnef_corrupt").attachments

    assert attachment.filename == "winmail.dat"
    assert attachment.data.startswith(b"this is not TNEF")
    assert attachment.rejected_reason == ""


# --- Attachments ----------------------------------------------------------------------------


def test_rfc2231_and_encoded_word_file_names_are_decoded() -> None:
    names = [a.filename for a in parsed("rfc2231_filenames").attachments]

    assert names == ["报价单 2024.pdf", "设备维修记录表（第二季度）.xlsx", "合同草案.doc"]


def test_executables_are_refused_by_name_type_and_content_and_paths_are_stripped() -> None:
    exe, disguised, script, traversal = parsed("blocked_executables").attachments

    assert exe.filename == "invoice.pdf.exe"
    assert exe.rejected_reason
    assert exe.data == b""
    assert exe.size == 64
    assert disguised.filename == "statement.pdf"  # a PE file named .pdf
    assert disguised.rejected_reason
    assert script.rejected_reason
    assert traversal.filename == "passwd.pdf"
    assert traversal.rejected_reason == ""
    assert traversal.data.startswith(b"%PDF")


def test_an_oversized_attachment_keeps_metadata_only_under_the_default_limits() -> None:
    # Given a mail with an 11 MB attachment (the default limit is 10 MB)
    message = EmailMessage()
    message["From"] = "big@example.com"
    message["Subject"] = "Crash dump"
    message.set_content("Dump attached.")
    message.add_attachment(b"\x00" * (11 * MB), maintype="application", subtype="octet-stream",
                           filename="core.dmp")  # fmt: skip

    # When it is parsed
    mail = parse_message(message.as_bytes())

    # Then the file is listed with its size and why it is not kept
    (attachment,) = mail.attachments
    assert attachment.size == 11 * MB
    assert attachment.data == b""
    assert "10.0" in attachment.rejected_reason
    assert mail.accepted_attachments == ()


def test_attachments_past_the_count_limit_are_listed_but_not_kept() -> None:
    mail = parse_message(corpus_mail("rfc2231_filenames"), limits=MailLimits(max_attachments=2))

    assert [bool(a.rejected_reason) for a in mail.attachments] == [False, False, True]
    assert mail.attachments[2].size == 12


def test_a_mail_over_the_size_limit_is_quarantined() -> None:
    with pytest.raises(MailUnparseable) as caught:
        parse_message(
            corpus_mail("oversized_attachment"), limits=MailLimits(max_message_bytes=1000)
        )

    assert caught.value.code == MailUnparseable.TOO_LARGE


def test_too_many_parts_is_quarantined() -> None:
    with pytest.raises(MailUnparseable) as caught:
        parse_message(corpus_mail("rfc2231_filenames"), limits=MailLimits(max_parts=3))

    assert caught.value.code == MailUnparseable.TOO_MANY_PARTS


def test_limits_come_from_settings_only_when_asked(settings: object) -> None:
    settings.MAIL_MAX_ATTACHMENT_BYTES = "2048"  # type: ignore[attr-defined]
    settings.MAIL_BLOCKED_EXTENSIONS = [".EXE", "zip"]  # type: ignore[attr-defined]

    limits = MailLimits.from_settings()

    assert limits.max_attachment_bytes == 2048
    assert limits.blocked_extensions == frozenset({"exe", "zip"})
    assert limits.max_depth == MailLimits().max_depth
    assert MailLimits().max_attachment_bytes == 10 * MB


# --- Machines -------------------------------------------------------------------------------


def test_auto_classification_names_the_header() -> None:
    assert parsed("ooo_exchange_english").auto_reason == "Auto-Submitted: auto-replied"
    assert parsed("loop_header_ours").auto_reason.startswith(LOOP_HEADER)
    assert parsed("received_loop_120_hops").auto_reason == "Received: 120×"
    assert "delivery-status" in parsed("dsn_bounce").auto_reason


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Auto-Submitted: auto-generated", AUTO_REPLY),
        ("Auto-Submitted: no", None),
        ("Precedence: junk", AUTO_REPLY),
        ("Precedence: list", AUTO_REPLY),
        ("Precedence: first-class", None),
        ("X-Autorespond: yes", AUTO_REPLY),
        ("X-Auto-Response-Suppress: OOF", AUTO_REPLY),
        ("Return-Path: <>", AUTO_REPLY),
        ("Return-Path: <someone@example.com>", None),
        ("From: postmaster@example.com", BOUNCE),
        ("X-Failed-Recipients: gone@example.com", BOUNCE),
        (f"{LOOP_HEADER}: zt.example", LOOP),
    ],
)
def test_each_machine_header_is_recognised(header: str, expected: str | None) -> None:
    raw = f"{header}\nFrom: person@example.com\nSubject: Hello\n\nA body.\n".encode()
    if header.startswith("From:"):
        raw = f"{header}\nSubject: Hello\n\nA body.\n".encode()

    assert parse_message(raw).auto == expected


# --- Folding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "visible", "folded_start"),
    [
        ("Yes.\n\nOn Tue, 4 Jun 2024, Bob wrote:\n> q", "Yes.", "On Tue"),
        ("好的\n\n在 2024年6月3日周一 09:00，客服 <s@x.cn> 写道：\n> 旧", "好的", "在 2024"),
        ("收到\n\n-----邮件原件-----\n发件人: a", "收到", "-----邮件原件-----"),
        ("OK\n------------------ Original ------------------\nFrom: a", "OK", "-------"),
        ("Fine\n\nFrom: Bob <b@x.com>\nDate: Tue\nTo: c\nSubject: s\n\nold", "Fine", "From: Bob"),
        ("谢谢\n\n发自我的华为手机", "谢谢", "发自我的华为手机"),
        ("Thanks\n\nGet Outlook for Android", "Thanks", "Get Outlook"),
        ("> a\nmy answer\n> b\nanother answer", "> a\nmy answer\n> b\nanother answer", ""),
        ("> only quoted", "> only quoted", ""),
        ("From: the start of a sentence, not a header", "From: the start", ""),
    ],
)
def test_folding(text: str, visible: str, folded_start: str) -> None:
    got_visible, got_folded = fold_text(text)

    assert got_visible.startswith(visible)
    assert got_folded.startswith(folded_start)
    if not folded_start:
        assert got_folded == ""


# --- Charsets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "declared", "text"),
    [
        ("故障报修".encode("gbk"), None, "故障报修"),
        ("故障報修".encode("big5"), None, "故障報修"),
        ("故障報修".encode("big5"), "gb2312", "故障報修"),
        ("故障报修".encode(), "big5", "故障报修"),
        ("Grüße aus Köln".encode("latin-1"), None, "Grüße aus Köln"),
        ("Grüße aus Köln".encode("latin-1"), "utf-8", "Grüße aus Köln"),
        ("Привет, как дела? Всё работает.".encode("koi8-r"), "koi8-r", "Привет"),
        ("€ 12".encode("cp1252"), "iso-8859-1", "€ 12"),
        # GB18030 bytes that are valid UTF-8 too: the Chinese reading reads as Chinese
        ("一".encode("gb18030"), "gb18030", "一"),
        ("一".encode("gb18030"), None, "一"),
        ("詟".encode("gb18030"), "gb2312", "詟"),
        ("café 😀".encode(), "gb2312", "café 😀"),
    ],
)
def test_decoding_repairs_wrong_labels(data: bytes, declared: str | None, text: str) -> None:
    assert decode_bytes(data, declared).text.startswith(text)


def test_undecodable_bytes_are_replaced_with_a_warning() -> None:
    decoded = decode_bytes(b"\xff\xfe\xfa ok", "utf-8")

    assert decoded.warning
    assert "ok" in decoded.text


# --- Properties -----------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# A parser_error is the parser's own bug caught at the last line of defence: fuzzing must
# find none.
EXPECTED_OUTCOMES = (set(REASONS) - {MailUnparseable.PARSER_ERROR}) | {"parsed"}


def outcome(raw: bytes) -> str:
    """ "parsed" or the quarantine code; any other exception fails the test that calls it."""
    try:
        mail = parse_message(raw)
    except MailUnparseable as exc:
        return exc.code
    return "parsed" if mail.from_address else "parsed without a sender"


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_never_raise_anything_but_unparseable(raw: bytes) -> None:
    assert outcome(raw) in EXPECTED_OUTCOMES


@FUZZ
@given(
    st.sampled_from(sorted(n for n, e in CORPUS.items() if isinstance(e, Parsed))),
    st.data(),
)
def test_damaged_corpus_mails_never_raise_anything_but_unparseable(
    name: str, data: st.DataObject
) -> None:
    raw = bytearray(corpus_mail(name))
    cut = data.draw(st.integers(0, len(raw)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)),
                               max_size=20))  # fmt: skip
    for position, value in flips:
        raw[position] = value
    assert outcome(bytes(raw[:cut])) in EXPECTED_OUTCOMES


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


SUBJECT_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=120
).filter(lambda s: "=?" not in s)


@FUZZ
@given(SUBJECT_TEXT, st.sampled_from(["utf-8", "gb18030"]))
def test_subjects_survive_encoding_and_parsing(subject: str, charset: str) -> None:
    # Given a subject as a client would encode it; GB18030 bytes that are also valid UTF-8
    # are ambiguous (é is C3 A9 in UTF-8, 茅 in GB18030) and decided by score, tested above
    data = subject.encode(charset)
    assume(charset == "utf-8" or data.isascii() or not _valid_utf8(data))
    encoded = base64.b64encode(data).decode()
    raw = f"From: a@example.com\nSubject: =?{charset}?B?{encoded}?=\n\nbody\n".encode()
    message = EmailMessage(policy=SMTP)
    message["From"] = "a@example.com"
    message["Subject"] = subject
    message.set_content("body")

    # Then both come back as the subject, whitespace normalized
    expected = " ".join(subject.split())
    assert parse_message(raw).subject == expected
    assert parse_message(message.as_bytes()).subject == expected
