"""The unit's mailboxes and the mail they received: writes (save, remove, take a mail in
from a relay, take a quarantined mail again) and reads, for the unit's administrators
(``integrations.manage``)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team
from zhongtai.channels.mail.intake import mail_intake, mail_reprocess
from zhongtai.channels.models import InboundMail, InboundState, MailAuth, Mailbox, MailSecurity
from zhongtai.core.errors import Conflict, InvalidInput, NotFound
from zhongtai.core.permissions import ensure_can

PERM = "integrations.manage"


# --- reads ----------------------------------------------------------------------------


def mailbox_list(*, actor: Actor) -> QuerySet[Mailbox]:
    if not actor.can(PERM):
        return Mailbox.objects.none()
    return Mailbox.objects.filter(tenant=actor.tenant).select_related("team")


def mailbox_overview(*, actor: Actor) -> QuerySet[Mailbox]:
    """The mailboxes, each with ``quarantined``: how many of its mails wait there."""
    return mailbox_list(actor=actor).annotate(
        quarantined=Count("inbound", filter=Q(inbound__state=InboundState.QUARANTINED))
    )


def mailbox_get(*, actor: Actor, mailbox_id: int) -> Mailbox:
    mailbox = mailbox_list(actor=actor).filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound()
    return mailbox


def inbound_list(*, actor: Actor, mailbox: Mailbox, state: str = "") -> QuerySet[InboundMail]:
    """The mailbox's received mail, newest first, without the raw bytes."""
    rows = (
        InboundMail.objects.filter(tenant=actor.tenant, mailbox=mailbox)
        .defer("raw")
        .select_related("ticket")
    )
    return rows.filter(state=state) if state else rows


def inbound_get(*, actor: Actor, inbound_id: int) -> InboundMail:
    if not actor.can(PERM):
        raise NotFound()
    inbound: InboundMail | None = (
        InboundMail.objects.filter(tenant=actor.tenant, pk=inbound_id)
        .select_related("mailbox", "ticket")
        .first()
    )
    if inbound is None:
        raise NotFound()
    return inbound


# --- writes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MailboxInput:
    name: str
    address: str
    team_id: int | None = None
    is_active: bool = True
    auth: str = MailAuth.PASSWORD
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = MailSecurity.SSL
    imap_username: str = ""
    imap_password: str = ""
    imap_folder: str = "INBOX"
    smtp_host: str = ""
    smtp_port: int = 465
    smtp_security: str = MailSecurity.SSL
    smtp_username: str = ""
    smtp_password: str = ""
    oauth_token_url: str = ""
    oauth_client_id: str = ""
    oauth_client_secret: str = ""
    oauth_refresh_token: str = ""


SECRETS = ("imap_password", "smtp_password", "oauth_client_secret", "oauth_refresh_token")


def _fill(actor: Actor, mailbox: Mailbox, data: MailboxInput) -> None:
    """Copy the input; a secret left empty on a saved mailbox keeps the stored one."""
    for f in fields(data):
        value = getattr(data, f.name)
        if isinstance(value, str):
            value = value.strip()
        if f.name in SECRETS and not value and mailbox.pk:
            continue
        if f.name == "team_id" and (
            value is not None and not Team.objects.filter(tenant=actor.tenant, pk=value).exists()
        ):
            raise InvalidInput(errors=[{"field": "team_id", "message": _("No such team.")}])
        setattr(mailbox, f.name, value)
    mailbox.address = mailbox.address.lower()
    try:
        mailbox.full_clean(exclude=["tenant", "team"], validate_unique=False)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc
    errors = []
    if mailbox.imap_host and not mailbox.imap_username:
        errors.append({"field": "imap_username", "message": _("Enter the IMAP user name.")})
    if (
        mailbox.auth == MailAuth.XOAUTH2
        and mailbox.imap_host
        and not (
            mailbox.oauth_token_url and mailbox.oauth_client_id and mailbox.oauth_refresh_token
        )
    ):
        errors.append(
            {
                "field": "oauth_token_url",
                "message": _("OAuth needs the token URL, the client id and a refresh token."),
            }
        )
    if errors:
        raise InvalidInput(errors=errors)


@transaction.atomic
def mailbox_save(*, actor: Actor, data: MailboxInput, mailbox_id: int | None = None) -> Mailbox:
    ensure_can(actor, PERM)
    mailbox = (
        mailbox_get(actor=actor, mailbox_id=mailbox_id)
        if mailbox_id is not None
        else Mailbox(tenant=actor.tenant)
    )
    _fill(actor, mailbox, data)
    if mailbox_id is not None:
        # new sign-in details: the old access token and error no longer say anything
        mailbox.oauth_access_token = ""
        mailbox.oauth_expires_at = None
    try:
        with transaction.atomic():
            mailbox.save()
    except IntegrityError as exc:
        raise Conflict(_("Another mailbox has this address."), code="duplicate") from exc
    return mailbox


@transaction.atomic
def mailbox_delete(*, actor: Actor, mailbox_id: int) -> None:
    """Remove a mailbox and the mail it kept (its tickets stay)."""
    ensure_can(actor, PERM)
    mailbox_get(actor=actor, mailbox_id=mailbox_id).delete()


def mail_receive(*, actor: Actor, mailbox_id: int, raw: bytes) -> tuple[InboundMail, bool]:
    """A raw RFC 822 mail from a relay; returns the kept mail and whether it is new."""
    ensure_can(actor, PERM)
    mailbox = mailbox_get(actor=actor, mailbox_id=mailbox_id)
    if not mailbox.is_active:
        raise Conflict(_("This mailbox is switched off."), code="mailbox_inactive")
    if not raw.strip():
        raise InvalidInput(errors=[{"field": "", "message": _("The mail is empty.")}])
    started = timezone.now()
    inbound = mail_intake(mailbox=mailbox, raw=raw, source="relay")
    return inbound, inbound.created_at >= started


def mail_take_again(*, actor: Actor, inbound_id: int) -> InboundMail:
    """Take a quarantined mail again (after a limit was raised or the parser fixed)."""
    ensure_can(actor, PERM)
    inbound = inbound_get(actor=actor, inbound_id=inbound_id)
    return mail_reprocess(inbound=inbound)
