"""Statuses, visibilities and kinds of the knowledge base, with their labels and badges."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


STATUS_BADGES: dict[str, str] = {
    ArticleStatus.DRAFT: "secondary",
    ArticleStatus.IN_REVIEW: "warning",
    ArticleStatus.PUBLISHED: "success",
    ArticleStatus.ARCHIVED: "dark",
}


class Visibility(models.TextChoices):
    """Who may read: staff only, the unit's customer contacts, or anyone (the portal's
    public pages and the bot for visitors)."""

    INTERNAL = "internal", _("Internal")
    CUSTOMERS = "customers", _("Customers")
    PUBLIC = "public", _("Public")


class ArticleLanguage(models.TextChoices):
    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


class ArticleEventType(models.TextChoices):
    CREATED = "created", _("Written")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", _("Sent for review")
    PUBLISHED = "published", _("Published")
    RETURNED = "returned", _("Returned to draft")
    ARCHIVED = "archived", _("Archived")
    RESTORED = "restored", _("Restored")


class QuestionSource(models.TextChoices):
    IMPORT = "import", _("Imported")
    FEEDBACK = "feedback", _("Marked helpful")
    BOT = "bot", _("Bot conversation")
    TICKET = "ticket", _("Ticket")


class SearchKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    CASE = "case", _("Case")
    TICKET = "ticket", _("Ticket")


class ArticleKind(models.TextChoices):
    """An article is written for readers; a case records one solved problem (problem,
    cause, solution, the product or asset) and is made from a resolved ticket."""

    ARTICLE = "article", _("Article")
    CASE = "case", _("Case")


class TicketLinkRelation(models.TextChoices):
    SOURCE = "source", _("Made from this ticket")
    USED = "used", _("Used in a reply")
    LINKED = "linked", _("Linked")


class SearchSource(models.TextChoices):
    WORKSPACE = "workspace", _("Workspace search")
    SUGGEST = "suggest", _("Ticket suggestions")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    BOT = "bot", _("Bot")


class BotOutcome(models.TextChoices):
    OPEN = "open", _("Talking")
    ANSWERED = "answered", _("Answered")
    HANDED_OFF = "handed_off", _("Handed to a person")


class BotRole(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    BOT = "bot", _("Bot")
