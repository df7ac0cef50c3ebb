"""The knowledge API (``/api/v1/knowledge/…``): articles, their review flow, versions and
diffs, feedback, search, and the unit's knowledge settings.

Staff read everything of their unit and write drafts; the roles named in the knowledge
settings publish. Customer contacts read and search the live version of articles
published for customers or the public, and may say whether one helped.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from zhongtai.core.api import actor_of
from zhongtai.core.errors import PermissionDenied
from zhongtai.core.inputs import LINE_PATTERN, TEXT_PATTERN, Id, PathId
from zhongtai.core.permissions import Role
from zhongtai.knowledge import reports, selectors, services, suggestions, workflow
from zhongtai.knowledge.choices import (
    ArticleKind,
    ArticleLanguage,
    ArticleStatus,
    SearchKind,
    SearchSource,
    Visibility,
)
from zhongtai.knowledge.markdown import render
from zhongtai.knowledge.models import Article, ArticleVersion
from zhongtai.tickets import selectors as ticket_selectors
from zhongtai.tickets.models import Ticket
from zhongtai.tickets.presenters import ticket_reference

router = Router(tags=["knowledge"])

Tag = Field(max_length=50, pattern=LINE_PATTERN)


class ArticleIn(Schema):
    """An article's whole content (PUT replaces every field and saves a new version)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, pattern=LINE_PATTERN)
    body: str = Field(
        default="", max_length=100_000, pattern=TEXT_PATTERN, description="Markdown (articles)."
    )
    problem: str = Field(default="", max_length=20_000, pattern=TEXT_PATTERN, description="Cases.")
    cause: str = Field(default="", max_length=20_000, pattern=TEXT_PATTERN, description="Cases.")
    solution: str = Field(default="", max_length=20_000, pattern=TEXT_PATTERN, description="Cases.")
    language: ArticleLanguage = ArticleLanguage.EN
    category_id: Id | None = None
    tags: list[str] = Field(default_factory=list, max_length=20)
    product_line: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    visibility: Visibility = Visibility.INTERNAL
    note: str = Field(default="", max_length=300, pattern=LINE_PATTERN, description="Why.")


class ArticleCreateIn(ArticleIn):
    kind: ArticleKind = ArticleKind.ARTICLE
    asset_id: Id | None = Field(default=None, description="A case's asset.")
    external_id: str = Field(default="", max_length=120, pattern=LINE_PATTERN)
    publish: bool = Field(default=False, description="Publish at once (publishers only).")


class ArticleOut(Schema):
    id: int
    kind: str
    external_id: str
    title: str
    body: str = Field(description="Markdown.")
    problem: str
    cause: str
    solution: str
    asset_id: int | None
    html: str = Field(description="The body rendered and sanitized.")
    language: str
    category_id: int | None
    tags: list[str]
    product_line: str
    visibility: str
    status: str
    version: int
    published_version: int | None
    published_at: datetime | None
    updated_at: datetime
    helpful_count: int
    unhelpful_count: int
    use_count: int
    next_statuses: list[str] = Field(description="Where the caller may move it next.")


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    to_status: ArticleStatus
    note: str = Field(default="", max_length=500, pattern=LINE_PATTERN)


class VersionOut(Schema):
    number: int
    title: str
    language: str
    visibility: str
    author: str | None
    note: str
    created_at: datetime


class DiffOut(Schema):
    older: int
    newer: int
    fields: dict[str, list[object]] = Field(description="Changed fields: [older, newer].")
    body: list[str] = Field(description="Unified diff of the Markdown.")


class FeedbackIn(Schema):
    model_config = ConfigDict(extra="forbid")
    helpful: bool
    question: str = Field(
        default="",
        max_length=500,
        pattern=LINE_PATTERN,
        description="What the reader asked; a helpful answer learns it.",
    )


class ListParams(Schema):
    status: ArticleStatus | None = None
    language: ArticleLanguage | None = None
    visibility: Visibility | None = None
    category_id: Id | None = None
    q: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


class SearchParams(Schema):
    q: str = Field(min_length=1, max_length=300, pattern=LINE_PATTERN)
    kind: list[SearchKind] = Field(default_factory=lambda: [SearchKind.ARTICLE], max_length=3)
    language: ArticleLanguage | None = None
    category_id: list[Id] = Field(default_factory=list, max_length=50)
    product_line: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    prefix: bool = Field(
        default=False, description="Search-as-you-type: the last word may be unfinished."
    )
    limit: int = Field(default=10, ge=1, le=50)
    offset: int = Field(default=0, ge=0, le=1000)


class HitOut(Schema):
    kind: str
    id: int
    title: str
    snippet: str = Field(description="HTML: escaped text, the matches in <mark>.")
    score: float
    language: str = ""
    visibility: str = ""


class SettingsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    publisher_roles: list[Role] = Field(min_length=1, max_length=6)
    bot_threshold: float = Field(ge=0.0, le=1.0)


class SettingsOut(Schema):
    publisher_roles: list[str]
    bot_threshold: float


def _content(
    data: ArticleIn, external_id: str = "", kind: str = ArticleKind.ARTICLE
) -> services.ArticleInput:
    return services.ArticleInput(
        kind=kind,
        title=data.title,
        body=data.body,
        problem=data.problem,
        cause=data.cause,
        solution=data.solution,
        asset_id=getattr(data, "asset_id", None),
        language=str(data.language),
        category_id=data.category_id,
        tags=[t[:50] for t in data.tags],
        product_line=data.product_line,
        visibility=str(data.visibility),
        external_id=external_id,
    )


def _out(request: HttpRequest, article: Article) -> dict[str, object]:
    """Staff see the working copy; customers the live version."""
    actor = actor_of(request)
    staff = actor.can("knowledge.view")
    live = None if staff else selectors.article_live(article)
    shown: Article | ArticleVersion = live or article
    publisher = staff and services.can_publish(actor)
    return {
        "id": article.pk,
        "kind": article.kind,
        "external_id": article.external_id,
        "title": shown.title,
        "body": shown.body,
        "problem": shown.problem,
        "cause": shown.cause,
        "solution": shown.solution,
        "asset_id": shown.asset_id if staff else None,
        "html": render(shown.body),
        "language": shown.language,
        "category_id": shown.category_id,
        "tags": shown.tags,
        "product_line": shown.product_line,
        "visibility": shown.visibility,
        "status": article.status,
        "version": article.version if staff else article.published_version,
        "published_version": article.published_version,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "helpful_count": article.helpful_count,
        "unhelpful_count": article.unhelpful_count,
        "use_count": article.use_count,
        "next_statuses": workflow.next_statuses(article.status, publisher=publisher)
        if staff
        else [],
    }


@router.get("/articles", response=list[ArticleOut], summary="Articles the caller may read")
def article_list_api(request: HttpRequest, params: Query[ListParams]) -> list[dict[str, object]]:
    filters = selectors.ArticleFilter(
        status=str(params.status or ""),
        language=str(params.language or ""),
        visibility=str(params.visibility or ""),
        category_id=params.category_id,
        text=params.q,
    )
    articles = selectors.article_list(actor=actor_of(request), filters=filters)
    page = articles[params.offset : params.offset + params.limit]
    return [_out(request, article) for article in page]


@router.post("/articles", response={201: ArticleOut}, summary="Write an article (a draft)")
def article_create_api(request: HttpRequest, data: ArticleCreateIn) -> Status[dict[str, object]]:
    article = services.article_create(
        actor=actor_of(request),
        data=_content(data, data.external_id, str(data.kind)),
        publish=data.publish,
        note=data.note,
    )
    return Status(201, _out(request, article))


@router.get("/articles/{int:article_id}", response=ArticleOut, summary="One article")
def article_get_api(request: HttpRequest, article_id: PathId) -> dict[str, object]:
    return _out(request, selectors.article_get(actor=actor_of(request), article_id=article_id))


@router.put(
    "/articles/{int:article_id}",
    response=ArticleOut,
    summary="Save a new version (a non-publisher's edit of a published article goes to review)",
)
def article_update_api(
    request: HttpRequest, article_id: PathId, data: ArticleIn
) -> dict[str, object]:
    article = services.article_update(
        actor=actor_of(request), article_id=article_id, data=_content(data), note=data.note
    )
    return _out(request, article)


@router.post(
    "/articles/{int:article_id}/transition",
    response=ArticleOut,
    summary="Send for review, publish, return to draft, archive or restore",
)
def article_transition_api(
    request: HttpRequest, article_id: PathId, data: TransitionIn
) -> dict[str, object]:
    article = services.article_transition(
        actor=actor_of(request),
        article_id=article_id,
        to_status=str(data.to_status),
        note=data.note,
    )
    return _out(request, article)


@router.get("/articles/{int:article_id}/versions", response=list[VersionOut], summary="Versions")
def article_versions_api(request: HttpRequest, article_id: PathId) -> list[dict[str, object]]:
    versions = selectors.article_versions(actor=actor_of(request), article_id=article_id)
    return [
        {
            "number": v.number,
            "title": v.title,
            "language": v.language,
            "visibility": v.visibility,
            "author": (v.author.display_name or v.author.username) if v.author else None,
            "note": v.note,
            "created_at": v.created_at,
        }
        for v in versions
    ]


class DiffParams(Schema):
    older: int = Field(ge=1, le=1_000_000, alias="from")
    newer: int = Field(ge=1, le=1_000_000, alias="to")


@router.get(
    "/articles/{int:article_id}/diff",
    response=DiffOut,
    summary="What changed between two versions (?from=1&to=2)",
)
def article_diff_api(
    request: HttpRequest, article_id: PathId, params: Query[DiffParams]
) -> dict[str, object]:
    diff = selectors.article_diff(
        actor=actor_of(request), article_id=article_id, older=params.older, newer=params.newer
    )
    return {
        "older": diff.older,
        "newer": diff.newer,
        "fields": {name: list(pair) for name, pair in diff.fields.items()},
        "body": diff.body,
    }


@router.post(
    "/articles/{int:article_id}/feedback",
    response={204: None},
    summary="Say whether a published article helped",
)
def article_feedback_api(
    request: HttpRequest, article_id: PathId, data: FeedbackIn
) -> Status[None]:
    actor = actor_of(request)
    selectors.article_get(actor=actor, article_id=article_id)
    services.article_feedback(
        actor=actor, article_id=article_id, helpful=data.helpful, question=data.question
    )
    return Status(204, None)


@router.get("/search", response=list[HitOut], summary="Ranked search in Chinese and English")
def knowledge_search_api(
    request: HttpRequest, params: Query[SearchParams]
) -> list[dict[str, object]]:
    actor = actor_of(request)
    hits = services.search_run(
        actor=actor,
        source=SearchSource.API,
        text=params.q,
        kinds=frozenset(str(k) for k in params.kind),
        language=str(params.language or ""),
        category_ids=tuple(params.category_id),
        product_line=params.product_line,
        prefix=params.prefix,
        limit=params.limit,
        offset=params.offset,
    )
    return [
        {
            "kind": hit.kind,
            "id": hit.object_id,
            "title": hit.title,
            "snippet": str(hit.snippet),
            "score": round(hit.score, 4),
            "language": hit.extra.get("language", ""),
            "visibility": hit.extra.get("visibility", ""),
        }
        for hit in hits
    ]


@router.get("/settings", response=SettingsOut, summary="The unit's knowledge settings")
def knowledge_settings_api(request: HttpRequest) -> dict[str, object]:
    actor = actor_of(request)
    if not actor.can("knowledge.view"):
        raise PermissionDenied()
    found = services.settings_for(actor.tenant)
    return {"publisher_roles": found.publisher_roles, "bot_threshold": found.bot_threshold}


@router.put("/settings", response=SettingsOut, summary="Who publishes; the bot's threshold")
def knowledge_settings_update_api(request: HttpRequest, data: SettingsIn) -> dict[str, object]:
    found = services.settings_update(
        actor=actor_of(request),
        publisher_roles=[str(r) for r in data.publisher_roles],
        bot_threshold=data.bot_threshold,
    )
    return {"publisher_roles": found.publisher_roles, "bot_threshold": found.bot_threshold}


# Knowledge in the ticket -------------------------------------------------------------


class SuggestionOut(HitOut):
    used: bool = Field(description="Already used on this ticket.")
    vote: bool | None = Field(description="The helpful / not helpful vote on this ticket.")


class TicketKnowledgeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    article_id: Id


class TicketVoteIn(TicketKnowledgeIn):
    helpful: bool


def _ticket(request: HttpRequest, number: int) -> Ticket:
    return ticket_selectors.ticket_get(actor=actor_of(request), number=number)


@router.get(
    "/tickets/{int:number}/suggestions",
    response=list[SuggestionOut],
    summary="Articles and cases for a ticket's words, best first",
)
def ticket_suggestions_api(request: HttpRequest, number: PathId) -> list[dict[str, object]]:
    actor = actor_of(request)
    found = suggestions.ticket_suggestions(actor=actor, ticket=_ticket(request, number))
    return [
        {
            "kind": s.hit.kind,
            "id": s.hit.object_id,
            "title": s.hit.title,
            "snippet": str(s.hit.snippet),
            "score": round(s.hit.score, 4),
            "language": s.hit.extra.get("language", ""),
            "visibility": s.hit.extra.get("visibility", ""),
            "used": s.used,
            "vote": s.vote,
        }
        for s in found
    ]


@router.post(
    "/tickets/{int:number}/uses",
    response={204: None},
    summary="Record that an article or case was used in a reply on the ticket",
)
def ticket_use_api(request: HttpRequest, number: PathId, data: TicketKnowledgeIn) -> Status[None]:
    services.article_use(
        actor=actor_of(request), article_id=data.article_id, ticket=_ticket(request, number)
    )
    return Status(204, None)


@router.post(
    "/tickets/{int:number}/votes",
    response={204: None},
    summary="Say whether a suggestion helped on the ticket",
)
def ticket_vote_api(request: HttpRequest, number: PathId, data: TicketVoteIn) -> Status[None]:
    services.article_ticket_feedback(
        actor=actor_of(request),
        article_id=data.article_id,
        ticket=_ticket(request, number),
        helpful=data.helpful,
    )
    return Status(204, None)


@router.post(
    "/tickets/{int:number}/case",
    response={201: ArticleOut},
    summary="Make a case from a resolved ticket (a draft pre-filled from its timeline)",
)
def case_from_ticket_api(request: HttpRequest, number: PathId) -> Status[dict[str, object]]:
    actor = actor_of(request)
    if not actor.can("knowledge.write"):
        raise PermissionDenied()
    case = services.case_from_ticket(actor=actor, ticket=_ticket(request, number))
    return Status(201, _out(request, case))


class ReportParams(Schema):
    days: int = Field(default=30, ge=1, le=366)


class MissedOut(Schema):
    text: str
    times: int
    source: str
    last: str


class CategoryGapOut(Schema):
    category: str
    resolved: int
    without_knowledge: int


class ReportOut(Schema):
    days: int
    searches: int
    searches_without_hits: int
    missed: list[MissedOut]
    resolved: int
    resolved_without_knowledge: int
    categories: list[CategoryGapOut]
    portal_visits: int
    deflections: int
    deflection_rate: float
    bot_conversations: int
    bot_answered: int
    bot_handed_off: int
    bot_answered_rate: float
    bot_handed_off_rate: float
    bot_thumbs_up_rate: float
    bot_threshold: float


@router.get(
    "/report", response=ReportOut, summary="Gaps, deflections and the bot's results (N days)"
)
def knowledge_report_api(request: HttpRequest, params: Query[ReportParams]) -> dict[str, object]:
    report = reports.knowledge_report(actor=actor_of(request), days=params.days)
    return {
        **{name: getattr(report, name) for name in ReportOut.model_fields if hasattr(report, name)},
        "missed": [vars(m) for m in report.missed],
        "categories": [vars(c) for c in report.categories],
        "deflection_rate": round(report.deflection_rate, 4),
        "bot_answered_rate": round(report.answered_rate, 4),
        "bot_handed_off_rate": round(report.handed_off_rate, 4),
        "bot_thumbs_up_rate": round(report.thumbs_up_rate, 4),
    }


# The bot -------------------------------------------------------------------------------

bot_router = Router(tags=["bot"])


class BotMessageIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2_000, pattern=TEXT_PATTERN)
    conversation_id: Id | None = Field(default=None, description="Omit to start one.")
    person: bool = Field(default=False, description="Ask for a person now.")


class BotSourceOut(Schema):
    id: int
    title: str
    url: str


class BotTicketOut(Schema):
    number: int
    reference: str
    url: str


class BotReplyOut(Schema):
    conversation_id: int
    message_id: int
    text: str
    confidence: float | None
    source: BotSourceOut | None = Field(description="The article the answer came from.")
    handed_off: bool
    ticket: BotTicketOut | None = Field(description="The request a person answers.")


class BotRatingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    helpful: bool


@bot_router.post(
    "/messages",
    response=BotReplyOut,
    summary="Ask the bot: an answer from published knowledge, or a person",
)
def bot_message_api(request: HttpRequest, data: BotMessageIn) -> dict[str, object]:
    actor = actor_of(request)
    reply = services.bot_message(
        actor=actor, text=data.text, conversation_id=data.conversation_id, person=data.person
    )
    message = reply.message
    source = None
    if message.article_id is not None and message.article is not None:
        url = request.build_absolute_uri(reverse("help:article", args=[message.article_id]))
        source = {"id": message.article_id, "title": message.article.title, "url": url}
    ticket = None
    if reply.ticket is not None:
        ticket = {
            "number": reply.ticket.number,
            "reference": ticket_reference(actor.tenant, reply.ticket.number),
            "url": request.build_absolute_uri(
                reverse("portal:ticket_detail", args=[reply.ticket.number])
            ),
        }
    return {
        "conversation_id": reply.conversation.pk,
        "message_id": message.pk,
        "text": message.text,
        "confidence": message.confidence,
        "source": source,
        "handed_off": reply.handed_off,
        "ticket": ticket,
    }


@bot_router.post(
    "/messages/{int:message_id}/rating",
    response={204: None},
    summary="Thumbs up or down on one of the bot's answers",
)
def bot_rating_api(request: HttpRequest, message_id: PathId, data: BotRatingIn) -> Status[None]:
    services.bot_rate(actor=actor_of(request), message_id=message_id, helpful=data.helpful)
    return Status(204, None)
