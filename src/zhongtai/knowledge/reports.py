"""The knowledge report: what the knowledge base answered and where it falls short.

- gaps: searches that found nothing, bot questions it was not sure enough to answer, and
  resolved tickets that no article or case helped, by category (the middle platform's
  to-do list);
- self-service: articles opened from the request form and how many of those visits
  ended without a request (deflections);
- the bot: conversations answered, handed to a person, and the thumbs-up rate of its
  answers.

Every figure covers ``days`` days up to now, in the actor's unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import PermissionDenied
from zhongtai.knowledge.choices import BotOutcome, BotRole, SearchSource
from zhongtai.knowledge.models import (
    ArticleTicket,
    BotConversation,
    BotMessage,
    PortalVisit,
    SearchLog,
)
from zhongtai.knowledge.services import DEFLECTION_WINDOW, settings_for
from zhongtai.tickets.models import Ticket

TOP = 20


@dataclass(frozen=True)
class Missed:
    text: str
    times: int
    source: str
    last: str  # ISO time

    @property
    def source_label(self) -> str:
        return str(SearchSource(self.source).label)


@dataclass(frozen=True)
class CategoryGap:
    category: str
    resolved: int
    without_knowledge: int

    @property
    def share(self) -> float:
        return self.without_knowledge / self.resolved if self.resolved else 0.0


@dataclass
class KnowledgeReport:
    days: int
    searches: int = 0
    searches_without_hits: int = 0
    missed: list[Missed] = field(default_factory=list)
    categories: list[CategoryGap] = field(default_factory=list)
    resolved: int = 0
    resolved_without_knowledge: int = 0
    portal_visits: int = 0
    deflections: int = 0
    visits_then_request: int = 0
    bot_conversations: int = 0
    bot_answered: int = 0
    bot_handed_off: int = 0
    bot_rated: int = 0
    bot_thumbs_up: int = 0
    bot_threshold: float = 0.0

    def rate(self, part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def answered_rate(self) -> float:
        return self.rate(self.bot_answered, self.bot_conversations)

    @property
    def handed_off_rate(self) -> float:
        return self.rate(self.bot_handed_off, self.bot_conversations)

    @property
    def thumbs_up_rate(self) -> float:
        return self.rate(self.bot_thumbs_up, self.bot_rated)

    @property
    def deflection_rate(self) -> float:
        return self.rate(self.deflections, self.portal_visits)


def knowledge_report(*, actor: Actor, days: int = 30) -> KnowledgeReport:
    """The report for the actor's unit (knowledge managers and report readers)."""
    if not (actor.can("knowledge.manage") or actor.can("reports.view")):
        raise PermissionDenied()
    tenant = actor.tenant
    now = timezone.now()
    since = now - timedelta(days=days)
    report = KnowledgeReport(days=days, bot_threshold=settings_for(tenant).bot_threshold)

    searches = SearchLog.objects.filter(tenant=tenant, created_at__gte=since)
    report.searches = searches.count()
    report.searches_without_hits = searches.filter(hits=0).count()
    missed = (
        searches.filter(Q(hits=0) | Q(source=SearchSource.BOT, confidence__lt=report.bot_threshold))
        .annotate(key=Lower("text"))
        .values("key", "source")
        .annotate(times=Count("id"), last=Max("created_at"))
        .order_by("-times", "-last")[:TOP]
    )
    report.missed = [
        Missed(
            text=row["key"], times=row["times"], source=row["source"], last=row["last"].isoformat()
        )
        for row in missed
    ]

    resolved = Ticket.objects.filter(
        tenant=tenant, resolved_at__gte=since, merged_into__isnull=True
    ).annotate(
        helped=Exists(
            ArticleTicket.objects.filter(ticket=OuterRef("pk")).exclude(relation="source")
        )
    )
    rows = (
        resolved.values("category__name", "category__parent__name")
        .annotate(total=Count("id"), without=Count("id", filter=Q(helped=False)))
        .order_by("-without", "-total")
    )
    for row in rows:
        name = row["category__name"] or ""
        if row["category__parent__name"]:
            name = f"{row['category__parent__name']} › {name}"
        report.categories.append(
            CategoryGap(category=name, resolved=row["total"], without_knowledge=row["without"])
        )
        report.resolved += row["total"]
        report.resolved_without_knowledge += row["without"]

    visits = PortalVisit.objects.filter(tenant=tenant, created_at__gte=since)
    report.portal_visits = visits.filter(
        Q(ticket__isnull=False) | Q(created_at__lt=now - DEFLECTION_WINDOW)
    ).count()  # a visit younger than the window is not decided yet
    report.visits_then_request = visits.filter(ticket__isnull=False).count()
    report.deflections = report.portal_visits - report.visits_then_request

    conversations = BotConversation.objects.filter(tenant=tenant, created_at__gte=since)
    report.bot_conversations = conversations.count()
    report.bot_answered = conversations.filter(outcome=BotOutcome.ANSWERED).count()
    report.bot_handed_off = conversations.filter(outcome=BotOutcome.HANDED_OFF).count()
    answers = BotMessage.objects.filter(
        tenant=tenant, created_at__gte=since, role=BotRole.BOT, article__isnull=False
    )
    report.bot_rated = answers.filter(rating__isnull=False).count()
    report.bot_thumbs_up = answers.filter(rating=True).count()
    return report
