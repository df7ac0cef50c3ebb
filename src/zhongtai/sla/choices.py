"""Choices of service standards: targets, breach actions and holiday sources."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class BreachAction(models.TextChoices):
    NOTIFY = "notify", _("Notify the assignee and the team lead")
    RAISE_PRIORITY = "raise_priority", _("Raise the priority")
    ESCALATE = "escalate", _("Escalate to the next tier's team")
    REASSIGN = "reassign", _("Reassign to the team lead")


class HolidaySource(models.TextChoices):
    NONE = "", _("No public holidays")
    CN = "CN", _("China (public holidays and make-up workdays)")
    US = "US", _("United States")
    GB = "GB", _("United Kingdom")
    DE = "DE", _("Germany")
    JP = "JP", _("Japan")
    SG = "SG", _("Singapore")


class ReportGroup(models.TextChoices):
    """How the SLA attainment report groups its rows."""

    TENANT = "tenant", _("Business unit")
    TEAM = "team", _("Team")
    AGENT = "agent", _("Agent")
    TIER = "tier", _("Tier")
    PRIORITY = "priority", _("Priority")
    TYPE = "type", _("Ticket type")
