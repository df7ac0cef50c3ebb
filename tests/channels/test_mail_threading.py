"""Replies find their ticket only through what we issued: signed tokens in our Message-IDs
and Reply-To plus-addresses; subjects give a ticket number as a hint; From alone, nothing."""

from __future__ import annotations

from typing import Any

import pytest

from zhongtai.channels.mail import LOOP_HEADER, parse_message
from zhongtai.channels.mail.threading import (
    MAX_REFERENCES,
    ReplyTarget,
    TicketReference,
    reply_address,
    reply_headers,
    reply_targets,
    reply_token,
    reply_token_verify,
    subject_without_prefixes,
    ticket_reference_in_subject,
)

pytestmark = pytest.mark.no_database

SECRET = "test-secret-for-reply-tokens"


def test_a_token_verifies_to_its_ticket() -> None:
    token = reply_token(3, 12345, SECRET)

    assert reply_token_verify(token, SECRET) == ReplyTarget(tenant_id=3, ticket_id=12345)
    assert reply_token_verify(token.upper(), SECRET) == ReplyTarget(
        3, 12345
    )  # lower-cased on the way


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t.replace("3-12345-", "3-12346-", 1),  # another ticket, same mac
        lambda t: t.replace("3-12345-", "4-12345-", 1),  # another tenant
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # a changed mac
        lambda t: t[:-2],  # a shortened mac
        lambda t: "3-12345-" + "a" * 20,
        lambda t: "",
        lambda t: "not a token",
    ],
)
def test_forged_tokens_are_refused(forge: Any) -> None:
    assert reply_token_verify(forge(reply_token(3, 12345, SECRET)), SECRET) is None


def test_a_token_made_with_another_key_is_refused() -> None:
    assert reply_token_verify(reply_token(3, 12345, "other-key"), SECRET) is None


def test_tokens_survive_a_key_rotation(settings: Any) -> None:
    # Given a token made with the old key
    settings.SECRET_KEY = "old-key"
    token = reply_token(1, 7)

    # When the key is rotated and the old one kept as a fallback
    settings.SECRET_KEY = "new-key"
    settings.SECRET_KEY_FALLBACKS = ["old-key"]

    # Then the token still verifies, and stops verifying once the fallback is dropped
    assert reply_token_verify(token) == ReplyTarget(1, 7)
    settings.SECRET_KEY_FALLBACKS = []
    assert reply_token_verify(token) is None


def test_reply_headers_thread_and_carry_the_loop_header() -> None:
    headers = reply_headers(
        tenant_id=1,
        ticket_id=7,
        domain="zt.example",
        parent_message_id="CAF3x@mail.gmail.com",
        parent_references=["first@x", "second@x"],
        secret=SECRET,
    )

    assert headers["Message-ID"].startswith(f"<t.{reply_token(1, 7, SECRET)}.")
    assert headers["Message-ID"].endswith("@zt.example>")
    assert headers["In-Reply-To"] == "<CAF3x@mail.gmail.com>"
    assert headers["References"] == "<first@x> <second@x> <CAF3x@mail.gmail.com>"
    assert LOOP_HEADER in headers


def test_every_outgoing_message_id_is_unique() -> None:
    ids = {reply_headers(tenant_id=1, ticket_id=7, domain="d", secret=SECRET)["Message-ID"]
           for _ in range(20)}  # fmt: skip

    assert len(ids) == 20


def test_references_keep_the_first_and_the_newest() -> None:
    chain = [f"m{i}@x" for i in range(40)]

    headers = reply_headers(tenant_id=1, ticket_id=7, domain="d", parent_message_id="last@x",
                            parent_references=chain, secret=SECRET)  # fmt: skip

    references = headers["References"].split()
    assert len(references) == MAX_REFERENCES
    assert references[0] == "<m0@x>"
    assert references[-1] == "<last@x>"


def test_a_reply_to_our_mail_finds_its_ticket_through_in_reply_to() -> None:
    # Given a mail we sent about ticket 7 of tenant 1
    ours = reply_headers(tenant_id=1, ticket_id=7, domain="zt.example", secret=SECRET)
    our_id = ours["Message-ID"]

    # When the customer replies to it
    raw = (
        f"From: anna@example.com\nTo: support@zt.example\nSubject: Re: thanks\n"
        f"In-Reply-To: {our_id}\nReferences: <other@x> {our_id}\n\nThanks!\n"
    ).encode()
    mail = parse_message(raw)

    # Then the reply names that ticket
    targets = reply_targets(in_reply_to=mail.in_reply_to, references=mail.references,
                            addresses=[*mail.to, *mail.cc], secret=SECRET)  # fmt: skip
    assert targets == [ReplyTarget(1, 7)]


def test_a_reply_to_our_plus_address_finds_its_ticket() -> None:
    address = reply_address("support@zt.example", reply_token(2, 99, SECRET))
    mail = parse_message(f"From: a@example.com\nTo: {address}\nSubject: x\n\nhi\n".encode())

    assert reply_targets(in_reply_to="", references=(), addresses=mail.to, secret=SECRET) == [
        ReplyTarget(2, 99)
    ]


def test_from_and_subject_alone_give_no_reply_target() -> None:
    raw = b"From: anna@example.com\nSubject: Re: [SH-000007] hi\nIn-Reply-To: <x@y>\n\nhi\n"
    mail = parse_message(raw)

    targets = reply_targets(in_reply_to=mail.in_reply_to, references=mail.references,
                            addresses=[mail.from_address], secret=SECRET)  # fmt: skip
    assert targets == []


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: [SH-000123] Printer", TicketReference("SH", 123)),
        ("回复：【SH-000042】设备无法开机", TicketReference("SH", 42)),
        ("RE: FW: [ACME-1234567] x", TicketReference("ACME", 1234567)),
        ("Model SH-000123 is broken", None),  # not in brackets: a product code, maybe
        ("[SH-123] too short to be ours", None),
        ("[sh-000123] lower case", None),
        ("", None),
    ],
)
def test_ticket_reference_in_subject(subject: str, expected: TicketReference | None) -> None:
    assert ticket_reference_in_subject(subject) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: RE: Fwd: Printer", "Printer"),
        ("回复：转发: 答复: 打印机", "打印机"),
        ("Re[2]: AW: WG: Drucker", "Drucker"),
        ("Report on Re: usage", "Report on Re: usage"),
    ],
)
def test_subject_without_prefixes(subject: str, expected: str) -> None:
    assert subject_without_prefixes(subject) == expected
