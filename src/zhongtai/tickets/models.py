"""Tickets, their immutable timeline, attachments, categories, tags and presence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhongtai.accounts.models import Team, Tier
from zhongtai.core.models import TenantScopedModel
from zhongtai.customers.models import Asset, Contact, Customer
from zhongtai.tickets.choices import (
    Channel,
    EventType,
    PresenceState,
    TicketPriority,
    TicketStatus,
    TicketType,
)

# Waiting in its team's queue: open, triaged, not merged, and nobody holds it at its tier
# (the owner at L1, the engineer above). Routing hands these out, oldest first.
WAITING = Q(is_open=True, needs_triage=False, merged_into__isnull=True) & (
    Q(tier=Tier.L1, assignee__isnull=True) | (~Q(tier=Tier.L1) & Q(engineer__isnull=True))
)


class Category(TenantScopedModel):
    """A node of the tenant's category tree (e.g. Hardware › Compressor)."""

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "parent", "name"], name="category_name_unique_per_parent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent_id else self.name


class Tag(TenantScopedModel):
    """A free label on tickets, unique per tenant."""

    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="tag_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class Ticket(TenantScopedModel):
    """One customer issue on its way from intake to resolution (ITR).

    ``number`` is the per-tenant human number (shown as ``SH-000123``). ``assignee`` is
    the owner who keeps the customer conversation; ``engineer`` is the L2/L3 person
    working an escalated ticket. ``version`` grows with every write, for optimistic
    concurrency. ``is_open`` mirrors the status so that queue indexes stay simple.
    """

    number = models.PositiveBigIntegerField(_("number"))
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    type = models.CharField(
        _("type"), max_length=20, choices=TicketType.choices, default=TicketType.QUESTION
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    is_open = models.BooleanField(_("open"), default=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.L1)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("team")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engineered_tickets",
        verbose_name=_("engineer"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("customer")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("contact")
    )
    asset = models.ForeignKey(
        Asset,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("asset"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requested_tickets",
        verbose_name=_("created by"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent ticket"),
    )
    blocks_parent = models.BooleanField(_("blocks the parent"), default=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    needs_triage = models.BooleanField(
        _("needs triage"),
        default=False,
        help_text=_("The classifier was not sure of the category: a person decides."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="ticket_number_unique"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=models.F("id")),
                name="ticket_not_merged_into_itself",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "is_open", "-created_at", "-id"], name="ticket_queue_open"
            ),
            models.Index(fields=["tenant", "-created_at", "-id"], name="ticket_queue_all"),
            models.Index(
                fields=["tenant", "assignee", "is_open", "-created_at", "-id"],
                name="ticket_queue_mine",
            ),
            models.Index(
                fields=["tenant", "team", "is_open", "-created_at", "-id"], name="ticket_queue_team"
            ),
            models.Index(fields=["tenant", "contact", "-created_at", "-id"], name="ticket_portal"),
            # the Customer 360: its history, newest first, and its counts, read from the index
            # alone (no table rows); both hold the unit, which every query names
            models.Index(
                fields=["customer", "tenant", "-created_at", "-id"],
                name="ticket_customer_history",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(
                fields=["customer", "tenant", "is_open", "created_at"],
                name="ticket_customer_counts",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(
                fields=["tenant", "engineer"],
                name="ticket_engineer_open",
                condition=Q(is_open=True, engineer__isnull=False),
            ),
            models.Index(
                fields=["tenant", "-created_at", "-id"],
                name="ticket_triage",
                condition=Q(needs_triage=True, is_open=True),
            ),
            models.Index(
                fields=["tenant", "team", "created_at", "id"],
                name="ticket_waiting",
                condition=WAITING,
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"


class TicketEvent(TenantScopedModel):
    """One immutable entry on a ticket's timeline: who did what, when, before and after."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket")
    )
    type = models.CharField(_("type"), max_length=20, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("actor"),
    )
    is_public = models.BooleanField(_("visible to the customer"), default=False)
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_timeline")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.ticket_id}"


class Attachment(TenantScopedModel):
    """A file attached to a ticket, usually with a reply or note."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket")
    )
    event = models.ForeignKey(
        TicketEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("timeline event"),
    )
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    is_public = models.BooleanField(_("visible to the customer"), default=True)
    # a mail's inline image: its Content-ID, by which the mail's HTML shows it (cid:…)
    content_id = models.CharField(_("content ID"), max_length=250, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class TicketPresence(TenantScopedModel):
    """Who has a ticket open right now, and whether they are typing a reply.

    Kept in the database so that every web process sees it; rows older than a minute
    are ignored.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    state = models.CharField(max_length=10, choices=PresenceState.choices)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="presence_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} {self.ticket_id}"


class Notification(TenantScopedModel):
    """One e-mail about one timeline event to one recipient.

    The row is written before sending and marked sent after, so a retried job sends
    only what has not gone out yet.
    """

    event = models.ForeignKey(TicketEvent, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.EmailField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"], name="notification_once_per_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} ← event {self.event_id}"
