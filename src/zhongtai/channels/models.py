"""Outbound webhooks: a unit's subscriptions, the deliveries made for them (a
transactional outbox: each row is written in the transaction of the change that causes
it) and the log of each delivery's attempts.

A delivery's ``event_id`` is the event's identity: every subscription that receives the
same event, every retry and every replay carry the same one, so a receiver can drop
what it has seen already (``X-Zhongtai-Delivery``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhongtai.channels.choices import ACTIVE_STATES, DeliveryState, WebhookEvent
from zhongtai.core.models import TenantScopedModel

MAX_URL = 500
MAX_DESCRIPTION = 1000
MAX_ERROR = 500
MAX_EXCERPT = 2048  # characters of a receiver's answer kept per attempt


class WebhookSubscription(TenantScopedModel):
    """A receiver of the unit's events: where to POST them, which ones, and the secret
    that signs them. The secret is kept as it is (an HMAC needs it); after a rotation the
    previous one keeps signing beside it until ``previous_secret_until``."""

    name = models.CharField(_("name"), max_length=120)
    url = models.CharField(_("target URL"), max_length=MAX_URL)
    events = models.JSONField(_("events"), default=list)
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    secret = models.CharField(_("signing secret"), max_length=100)
    previous_secret = models.CharField(_("previous signing secret"), max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["tenant", "name"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="webhook_name_unique"),
        ]
        # the hook on every timeline event asks for a unit's active subscriptions
        indexes = [models.Index(fields=["tenant", "is_active"], name="webhook_tenant_active")]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(TenantScopedModel):
    """One event to send to one subscription, and where its sending stands."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook"),
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True)
    last_error = models.CharField(_("last error"), max_length=MAX_ERROR, blank=True)
    response_excerpt = models.TextField(_("response (start)"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    replay_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replays",
        verbose_name=_("replay of"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # the minute's retry scan reads only deliveries with attempts left
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=ACTIVE_STATES),
                name="webhook_delivery_due",
            ),
            models.Index(
                fields=["subscription", "-created_at", "-id"], name="webhook_delivery_log"
            ),
            models.Index(fields=["tenant", "-created_at", "-id"], name="webhook_delivery_unit"),
            models.Index(fields=["event_id"], name="webhook_delivery_event"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="webhook_delivery_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"


class WebhookAttempt(TenantScopedModel):
    """One POST of a delivery: the receiver's status code (or the network error), the
    start of its answer and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    error = models.CharField(_("error"), max_length=MAX_ERROR, blank=True)
    response_excerpt = models.TextField(_("response (start)"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhook_attempt_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WeComApp(TenantScopedModel):
    """A WeCom (企业微信) self-built app of the unit: what its callback needs to check and
    decrypt what WeCom sends (corp id, token, EncodingAESKey, from the WeCom admin
    console), and the callback's health, which the admin sees."""

    name = models.CharField(_("name"), max_length=100)
    corp_id = models.CharField(_("corp id"), max_length=64)
    agent_id = models.PositiveBigIntegerField(_("agent id"), null=True, blank=True)
    token = models.CharField(_("token"), max_length=64)
    encoding_aes_key = models.CharField(_("EncodingAESKey"), max_length=43)
    is_active = models.BooleanField(_("active"), default=True)
    last_callback_at = models.DateTimeField(_("last callback"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=MAX_ERROR, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    class Meta:
        ordering = ["tenant", "name"]
        verbose_name = _("WeCom app")
        verbose_name_plural = _("WeCom apps")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="wecom_app_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class WeComInbound(TenantScopedModel):
    """One message or event a WeCom app's callback received, kept once (WeCom retries a
    callback it did not get an answer to in 5 s: ``dedupe_key`` makes the retry a no-op)."""

    app = models.ForeignKey(
        WeComApp, on_delete=models.CASCADE, related_name="inbound", verbose_name=_("app")
    )
    dedupe_key = models.CharField(max_length=200)
    msg_type = models.CharField(_("type"), max_length=40)
    event = models.CharField(_("event"), max_length=60, blank=True)
    change_type = models.CharField(_("change"), max_length=60, blank=True)
    from_user = models.CharField(pgettext_lazy("sender", "from"), max_length=128, blank=True)
    external_user_id = models.CharField(_("external user id"), max_length=128, blank=True)
    content = models.TextField(_("content"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    raw = models.JSONField(_("fields"), default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("WeCom message")
        verbose_name_plural = _("WeCom messages")
        constraints = [
            models.UniqueConstraint(fields=["app", "dedupe_key"], name="wecom_inbound_once"),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "external_user_id"],
                name="wecom_inbound_external",
                condition=~Q(external_user_id=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.msg_type} {self.event} {self.from_user}".strip()


class MailSecurity(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (a trusted network only)")


class MailAuth(models.TextChoices):
    PASSWORD = "password", _("Password")
    XOAUTH2 = "xoauth2", _("OAuth 2.0 (XOAUTH2)")


class Mailbox(TenantScopedModel):
    """A support address of the unit (or of one of its teams): where its mail is fetched
    (IMAP) or relayed from (the raw-message endpoint), and how replies leave (SMTP).
    Passwords and OAuth tokens are kept as they are: the poller needs them to log in."""

    name = models.CharField(_("name"), max_length=100)
    address = models.EmailField(_("address"))
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        help_text=_("New tickets from this mailbox go to this team (routing may move them)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    auth = models.CharField(
        _("sign-in"), max_length=20, choices=MailAuth.choices, default=MailAuth.PASSWORD
    )
    imap_host = models.CharField(_("IMAP host"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.SSL
    )
    imap_username = models.CharField(_("IMAP user"), max_length=200, blank=True)
    imap_password = models.CharField(_("IMAP password"), max_length=500, blank=True)
    imap_folder = models.CharField(_("IMAP folder"), max_length=200, default="INBOX")
    smtp_host = models.CharField(_("SMTP host"), max_length=200, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=465)
    smtp_security = models.CharField(
        _("SMTP security"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.SSL
    )
    smtp_username = models.CharField(_("SMTP user"), max_length=200, blank=True)
    smtp_password = models.CharField(_("SMTP password"), max_length=500, blank=True)
    oauth_token_url = models.URLField(_("OAuth token URL"), max_length=500, blank=True)
    oauth_client_id = models.CharField(_("OAuth client id"), max_length=300, blank=True)
    oauth_client_secret = models.CharField(_("OAuth client secret"), max_length=500, blank=True)
    oauth_refresh_token = models.TextField(_("OAuth refresh token"), blank=True)
    oauth_access_token = models.TextField(_("OAuth access token"), blank=True)
    oauth_expires_at = models.DateTimeField(_("access token expires"), null=True, blank=True)
    last_fetch_at = models.DateTimeField(_("last fetch"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=MAX_ERROR, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    class Meta:
        ordering = ["tenant", "name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "address"], name="mailbox_address_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class InboundState(models.TextChoices):
    TICKET = "ticket", _("New ticket")
    REPLY = "reply", _("Added to a ticket")
    IGNORED = "ignored", _("Not answered (automatic mail)")
    QUARANTINED = "quarantined", _("Quarantined")


class InboundMail(TenantScopedModel):
    """One received mail, kept raw: what became of it (a ticket, a reply, ignored as an
    automatic mail, or quarantined with the reason), so that it is never lost and never
    taken twice. ``message_key`` is the Message-ID (or, without one, a hash of the raw
    mail): the same key in the same mailbox is the same mail."""

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, related_name="inbound", verbose_name=_("mailbox")
    )
    message_key = models.CharField(_("Message-ID"), max_length=300)
    raw = models.BinaryField(_("raw mail"))
    size = models.PositiveIntegerField(_("size"), default=0)
    source = models.CharField(_("source"), max_length=20)
    state = models.CharField(_("state"), max_length=20, choices=InboundState.choices)
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    from_address = models.CharField(pgettext_lazy("sender", "from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    reprocessed_at = models.DateTimeField(_("re-processed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("received mail")
        verbose_name_plural = _("received mail")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "message_key"], name="inbound_mail_once_per_mailbox"
            ),
        ]
        indexes = [
            models.Index(fields=["mailbox", "state", "-created_at"], name="inbound_mail_state"),
            models.Index(
                fields=["mailbox", "from_address", "-created_at"], name="inbound_mail_sender"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_key} ({self.state})"
