"""The knowledge API (``/api/v1/knowledge/…``): articles, their review flow, versions and
diffs, feedback, search, and the unit's knowledge settings.

Staff read everything of their unit and write drafts; the roles named in the knowledge
settings publish. Customer contacts read and search the live version of articles
published for customers or the public, and may say whether one helped.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from zhongtai.core.api import actor_of
from zhongtai.core.errors import PermissionDenied
from zhongtai.core.inputs import LINE_PATTERN, TEXT_PATTERN, Id, PathId
from zhongtai.core.permissions import Role
from zhongtai.knowledge import selectors, services, workflow
from zhongtai.knowledge.choices import ArticleLanguage, ArticleStatus, SearchKind, Visibility
from zhongtai.knowledge.markdown import render
from zhongtai.knowledge.models import Article, ArticleVersion

router = Router(tags=["knowledge"])

Tag = Field(max_length=50, pattern=LINE_PATTERN)


class ArticleIn(Schema):
    """An article's whole content (PUT replaces every field and saves a new version)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, pattern=LINE_PATTERN)
    body: str = Field(min_length=1, max_length=100_000, pattern=TEXT_PATTERN)
    language: ArticleLanguage = ArticleLanguage.EN
    category_id: Id | None = None
    tags: list[str] = Field(default_factory=list, max_length=20)
    product_line: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    visibility: Visibility = Visibility.INTERNAL
    note: str = Field(default="", max_length=300, pattern=LINE_PATTERN, description="Why.")


class ArticleCreateIn(ArticleIn):
    external_id: str = Field(default="", max_length=120, pattern=LINE_PATTERN)
    publish: bool = Field(default=False, description="Publish at once (publishers only).")


class ArticleOut(Schema):
    id: int
    external_id: str
    title: str
    body: str = Field(description="Markdown.")
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


def _content(data: ArticleIn, external_id: str = "") -> services.ArticleInput:
    return services.ArticleInput(
        title=data.title,
        body=data.body,
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
        "external_id": article.external_id,
        "title": shown.title,
        "body": shown.body,
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
        data=_content(data, data.external_id),
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
    hits = selectors.knowledge_search(
        actor=actor,
        tenant_id=actor.tenant.pk,
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
