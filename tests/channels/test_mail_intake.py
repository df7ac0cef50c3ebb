"""Mail intake: a raw mail becomes a ticket, a message on a ticket, an ignored automatic
mail or a quarantined one — once per mailbox, never lost; replies thread only through
what we signed, or a subject reference from someone of that ticket's customer."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from django.test import override_settings

from tests import factories
from tests.factories import World
from zhongtai.channels.mail.intake import mail_intake, mail_reprocess
from zhongtai.channels.mail.threading import reply_headers
from zhongtai.channels.models import InboundMail, InboundState, Mailbox
from zhongtai.customers.models import Contact, Customer, Identity
from zhongtai.tickets import services as ticket_services
from zhongtai.tickets.models import Attachment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "mail_corpus"


def _mailbox(world: World, **kwargs: object) -> Mailbox:
    return Mailbox.objects.create(
        tenant=world.tenant,
        name="Support",
        address=str(kwargs.pop("address", "support@sh.example")),
        team=world.l1_team,
        **kwargs,
    )


def _mail(
    sender: str = "Li Wei <li.wei@acme.example>",
    subject: str = "Printer jams on tray 2",
    body: str = "Since Monday the printer jams.\n\nLi Wei",
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@sh.example"
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", make_msgid(domain="acme.example"))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def test_a_new_mail_opens_a_ticket_for_a_new_contact(world: World) -> None:
    mailbox = _mailbox(world)

    inbound = mail_intake(mailbox=mailbox, raw=_mail(), source="relay")

    assert inbound.state == InboundState.TICKET
    ticket = inbound.ticket
    assert ticket is not None
    assert (ticket.subject, ticket.channel, ticket.team) == (
        "Printer jams on tray 2",
        "email",
        world.l1_team,
    )
    assert "jams" in ticket.description
    contact = Contact.objects.get(email="li.wei@acme.example")
    assert contact.name == "Li Wei"
    assert contact.customer.name == "acme.example"
    assert contact.customer.domains == ["acme.example"]
    assert ticket.contact == contact
    assert Identity.objects.filter(contact=contact, kind="email").exists()
    created = TicketEvent.objects.get(ticket=ticket, type="created")
    assert created.data["mail"]["from"] == "li.wei@acme.example"


def test_the_same_message_id_twice_makes_one_ticket(world: World) -> None:
    mailbox = _mailbox(world)
    raw = _mail(message_id="<once@acme.example>")

    first = mail_intake(mailbox=mailbox, raw=raw, source="imap")
    again = mail_intake(mailbox=mailbox, raw=raw, source="imap")

    assert first.pk == again.pk
    assert Ticket.objects.count() == 1
    # in another mailbox (of another unit) it is another mail
    other = Mailbox.objects.create(
        tenant=world.other_tenant, name="Desk", address="desk@saas.example"
    )
    assert mail_intake(mailbox=other, raw=raw, source="imap").ticket.tenant == world.other_tenant  # type: ignore[union-attr]
    assert Ticket.objects.count() == 2


def test_known_senders_and_company_domains_find_their_customer(world: World) -> None:
    mailbox = _mailbox(world)
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    acme.domains = ["acme.example"]
    acme.save()

    by_domain = mail_intake(mailbox=mailbox, raw=_mail(), source="relay")
    by_address = mail_intake(mailbox=mailbox, raw=_mail(subject="Second question"), source="relay")
    public = mail_intake(
        mailbox=mailbox, raw=_mail(sender="张三 <zhangsan@qq.com>"), source="relay"
    )

    assert by_domain.ticket.customer == acme  # type: ignore[union-attr]
    assert by_address.ticket.contact == by_domain.ticket.contact  # type: ignore[union-attr]
    assert Contact.objects.filter(email="li.wei@acme.example").count() == 1
    assert public.ticket.customer.name == "张三"  # type: ignore[union-attr]


def test_a_reply_threads_by_our_signed_message_id_and_reopens(world: World) -> None:
    mailbox = _mailbox(world)
    ticket = mail_intake(mailbox=mailbox, raw=_mail(), source="relay").ticket
    assert ticket is not None
    ticket_services.ticket_reply(actor=world.agent, ticket=ticket, body="Try a new roller.")
    ticket_services.ticket_transition(actor=world.agent, ticket=ticket, to_status="resolved")
    ours = reply_headers(tenant_id=world.tenant.pk, ticket_id=ticket.pk, domain="sh.example")

    reply = mail_intake(
        mailbox=mailbox,
        raw=_mail(
            subject="Re: something else entirely",
            body="Still jams.\n\nOn Monday support wrote:\n> Try a new roller.",
            In_Reply_To=ours["Message-ID"],
        ),
        source="relay",
    )

    assert reply.state == InboundState.REPLY
    assert reply.ticket == ticket
    ticket.refresh_from_db()
    assert ticket.status == "open"
    message = TicketEvent.objects.filter(ticket=ticket, type="public_reply").latest("id")
    assert message.body == "Still jams."
    assert "Try a new roller" in message.data["mail"]["quoted"]


def test_a_token_of_another_unit_or_a_forged_one_is_not_followed(world: World) -> None:
    mailbox = _mailbox(world)
    theirs = factories.ticket(world.other_customer)
    foreign = reply_headers(
        tenant_id=world.other_tenant.pk, ticket_id=theirs.pk, domain="x.example"
    )
    forged = foreign["Message-ID"].replace(str(theirs.pk), "1", 1)

    one = mail_intake(mailbox=mailbox, raw=_mail(In_Reply_To=foreign["Message-ID"]), source="relay")
    two = mail_intake(
        mailbox=mailbox, raw=_mail(subject="Other", In_Reply_To=forged), source="relay"
    )

    assert one.state == two.state == InboundState.TICKET
    assert one.ticket != theirs
    assert theirs.events.filter(type="public_reply").count() == 0  # type: ignore[attr-defined]


def test_a_subject_reference_threads_only_for_the_tickets_customer(world: World) -> None:
    mailbox = _mailbox(world)
    ticket = mail_intake(mailbox=mailbox, raw=_mail(), source="relay").ticket
    assert ticket is not None
    reference = f"[SH-{ticket.number:06d}]"

    same_customer = mail_intake(
        mailbox=mailbox,
        raw=_mail(sender="Wang <wang@acme.example>", subject=f"Re: {reference} printer"),
        source="relay",
    )
    stranger = mail_intake(
        mailbox=mailbox,
        raw=_mail(sender="Eve <eve@evil.example>", subject=f"Re: {reference} printer"),
        source="relay",
    )

    assert same_customer.state == InboundState.REPLY
    assert same_customer.ticket == ticket
    assert stranger.state == InboundState.TICKET
    assert stranger.ticket != ticket


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ooo_exchange_english.eml", "auto_reply"),
        ("ooo_chinese_x_autoreply.eml", "auto_reply"),
        ("dsn_bounce.eml", "bounce"),
        ("loop_header_ours.eml", "loop"),
    ],
)
def test_automatic_mail_is_kept_and_never_answered(world: World, name: str, code: str) -> None:
    mailbox = _mailbox(world)

    inbound = mail_intake(mailbox=mailbox, raw=(CORPUS / name).read_bytes(), source="imap")

    assert inbound.state == InboundState.IGNORED
    assert inbound.reason_code == code
    assert Ticket.objects.count() == 0


def test_our_own_address_and_a_flooding_sender_are_not_answered(world: World) -> None:
    mailbox = _mailbox(world)
    own = mail_intake(
        mailbox=mailbox, raw=_mail(sender="Support <support@sh.example>"), source="relay"
    )
    with override_settings(MAIL_SENDER_RATE=3):
        states = [
            mail_intake(mailbox=mailbox, raw=_mail(subject=f"Spam {n}"), source="relay").state
            for n in range(6)
        ]

    assert own.reason_code == "loop"
    assert states == ["ticket"] * 3 + ["ignored"] * 3


def test_attachments_are_kept_and_refused_ones_listed(world: World) -> None:
    mailbox = _mailbox(world)
    message = EmailMessage()
    message["From"] = "li.wei@acme.example"
    message["To"] = "support@sh.example"
    message["Subject"] = "Logs"
    message["Message-ID"] = "<logs@acme.example>"
    message.set_content("See the log.")
    message.add_attachment(
        b"%PDF-1.4 report", maintype="application", subtype="pdf", filename="report.pdf"
    )
    message.add_attachment(
        b"MZ\x90\x00evil", maintype="application", subtype="octet-stream", filename="setup.exe"
    )

    inbound = mail_intake(mailbox=mailbox, raw=message.as_bytes(), source="relay")

    assert inbound.ticket is not None
    kept = Attachment.objects.get(ticket=inbound.ticket)
    assert kept.filename == "report.pdf"
    created = TicketEvent.objects.get(ticket=inbound.ticket, type="created")
    assert [r["filename"] for r in created.data["mail"]["attachments_refused"]] == ["setup.exe"]


def test_a_closed_tickets_reply_opens_a_follow_up(world: World) -> None:
    mailbox = _mailbox(world)
    ticket = mail_intake(mailbox=mailbox, raw=_mail(), source="relay").ticket
    assert ticket is not None
    Ticket.objects.filter(pk=ticket.pk).update(status="closed", is_open=False)
    ours = reply_headers(tenant_id=world.tenant.pk, ticket_id=ticket.pk, domain="sh.example")

    follow = mail_intake(
        mailbox=mailbox,
        raw=_mail(subject="Re: again", In_Reply_To=ours["Message-ID"]),
        source="relay",
    )

    assert follow.state == InboundState.TICKET
    assert follow.ticket != ticket
    created = TicketEvent.objects.get(ticket=follow.ticket, type="created")
    assert created.data["mail"]["follows_up"] == ticket.number


def test_a_quarantined_mail_is_kept_raw_and_can_be_taken_again(world: World) -> None:
    mailbox = _mailbox(world)
    raw = (CORPUS / "huge_received_5000.eml").read_bytes()

    inbound = mail_intake(mailbox=mailbox, raw=raw, source="imap")

    assert inbound.state == InboundState.QUARANTINED
    assert inbound.reason_code == "headers_too_large"
    assert inbound.reason
    assert bytes(inbound.raw) == raw
    with override_settings(MAIL_MAX_HEADER_BYTES=2_000_000, MAIL_MAX_HOPS=10_000):
        again = mail_reprocess(inbound=inbound)
    assert again.pk == inbound.pk
    assert again.state == InboundState.TICKET
    assert again.reprocessed_at is not None
    assert mail_intake(mailbox=mailbox, raw=raw, source="imap").pk == inbound.pk


def test_every_mail_of_the_corpus_is_kept_with_what_became_of_it(world: World) -> None:
    mailbox = _mailbox(world)
    files = sorted(CORPUS.glob("*.eml"))

    rows = [mail_intake(mailbox=mailbox, raw=f.read_bytes(), source="imap") for f in files]

    assert len({r.pk for r in rows}) == InboundMail.objects.count()
    for path, row in zip(files, rows, strict=True):
        assert row.state in InboundState.values, path.name
        if row.state == InboundState.QUARANTINED:
            assert row.reason, path.name
        if row.state in (InboundState.TICKET, InboundState.REPLY):
            assert row.ticket is not None, path.name
    assert Ticket.objects.filter(channel="email").count() >= len(files) // 2
