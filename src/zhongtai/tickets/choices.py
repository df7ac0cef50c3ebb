"""Choices of the ticket domain, each with its label and badge colour in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    PENDING_INTERNAL = "pending_internal", _("Pending internal")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(
    {
        TicketStatus.NEW,
        TicketStatus.OPEN,
        TicketStatus.PENDING_CUSTOMER,
        TicketStatus.PENDING_INTERNAL,
    }
)

STATUS_BADGE = {
    TicketStatus.NEW: "primary",
    TicketStatus.OPEN: "info",
    TicketStatus.PENDING_CUSTOMER: "warning",
    TicketStatus.PENDING_INTERNAL: "secondary",
    TicketStatus.RESOLVED: "success",
    TicketStatus.CLOSED: "dark",
}


class TicketType(models.TextChoices):
    QUESTION = "question", _("Question")
    INCIDENT = "incident", _("Incident")
    REQUEST = "request", _("Request")
    COMPLAINT = "complaint", _("Complaint")


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_BADGE = {
    TicketPriority.LOW: "light",
    TicketPriority.NORMAL: "secondary",
    TicketPriority.HIGH: "warning",
    TicketPriority.URGENT: "danger",
}


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    WEB_FORM = "web_form", _("Web form")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    API = "api", _("API")
    PHONE = "phone", _("Phone")


class EventType(models.TextChoices):
    CREATED = "created", _("Created")
    PUBLIC_REPLY = "public_reply", _("Public reply")
    INTERNAL_NOTE = "internal_note", _("Internal note")
    FIELD_CHANGE = "field_change", _("Field change")
    STATUS_CHANGE = "status_change", _("Status change")
    ASSIGNMENT = "assignment", _("Assignment")
    ESCALATION = "escalation", _("Escalation")
    HANDBACK = "handback", _("Handed back")
    MERGE = "merge", _("Merge")
    CHILD_LINK = "child_link", _("Child ticket")
    ATTACHMENT = "attachment", _("Attachment")
    SLA = "sla", _("Service level")
    ROUTING = "routing", _("Routing")


PUBLIC_EVENT_TYPES = frozenset({EventType.CREATED, EventType.PUBLIC_REPLY})


class PresenceState(models.TextChoices):
    VIEWING = "viewing", _("viewing")
    REPLYING = "replying", _("replying")
