"""The demo's knowledge base: each unit's articles (``knowledge_sh``, ``knowledge_saas``),
loaded through the knowledge services as a unit would have them a few months in.

Most articles are published by an import, with the questions customers ask them. A few
show the review flow with the unit's own staff: drafts and an article waiting for review
written by frontline agents, one returned to its author with a note, one published article
edited by an L2 engineer (so its versions have a diff to show), and one archived.
"""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction

from zhongtai.core.demo import knowledge_saas, knowledge_sh
from zhongtai.core.demo.directory import UnitDirectory
from zhongtai.core.demo.units import ArticleSpec
from zhongtai.knowledge import services
from zhongtai.knowledge.choices import ArticleStatus, QuestionSource
from zhongtai.knowledge.models import Article
from zhongtai.knowledge.services import ArticleInput
from zhongtai.tickets.models import Category

ARTICLES: dict[str, tuple[ArticleSpec, ...]] = {
    "sh": knowledge_sh.ARTICLES,
    "saas": knowledge_saas.ARTICLES,
}


@transaction.atomic
def knowledge_create(*, directory: UnitDirectory) -> None:
    """Load the unit's articles (none for a unit without a knowledge base)."""
    categories = dict(Category.objects.filter(tenant=directory.tenant).values_list("name", "pk"))
    for spec in ARTICLES.get(directory.tenant.slug, ()):
        data = ArticleInput(
            title=spec.title,
            body=spec.body,
            language=spec.language,
            category_id=categories[spec.category],
            tags=list(spec.tags),
            product_line=spec.product_line,
            visibility=spec.visibility,
            external_id=spec.key,
        )
        if spec.stage in ("published", "revised", "archived"):
            _imported(directory, spec, data)
        else:
            _written(directory, spec, data)


def _imported(directory: UnitDirectory, spec: ArticleSpec, data: ArticleInput) -> None:
    """Published by the import; then edited by an L2 engineer, or archived."""
    first = replace(data, body=earlier_body(spec)) if spec.stage == "revised" else data
    services.article_import(tenant=directory.tenant, data=first, questions=list(spec.questions))
    if spec.stage == "published":
        return
    article_id = _article_id(directory, spec)
    if spec.stage == "revised":
        services.article_update(
            actor=directory.staff[spec.by], article_id=article_id, data=data, note=spec.note
        )
    else:
        services.article_transition(
            actor=directory.staff[spec.by],
            article_id=article_id,
            to_status=ArticleStatus.ARCHIVED,
            note=spec.note,
        )


def _written(directory: UnitDirectory, spec: ArticleSpec, data: ArticleInput) -> None:
    """Written by a member of the staff: left a draft, sent for review, or returned."""
    author = directory.staff[spec.by]
    article = services.article_create(actor=author, data=data)
    services.questions_add(
        article=article, texts=list(spec.questions), source=QuestionSource.IMPORT
    )
    if spec.stage == "draft":
        return
    services.article_transition(
        actor=author, article_id=article.pk, to_status=ArticleStatus.IN_REVIEW
    )
    if spec.stage == "returned":
        services.article_transition(
            actor=directory.staff[spec.reviewer],
            article_id=article.pk,
            to_status=ArticleStatus.DRAFT,
            note=spec.note,
        )


def earlier_body(spec: ArticleSpec) -> str:
    """The body as its first version read: ``spec.earlier`` undone."""
    body = spec.body
    for now, then in spec.earlier:
        if now not in body:
            raise ValueError(f"{spec.key}: {now!r} is not in the body")
        body = body.replace(now, then)
    return body


def _article_id(directory: UnitDirectory, spec: ArticleSpec) -> int:
    return int(
        Article.objects.filter(tenant=directory.tenant, external_id=spec.key)
        .values_list("pk", flat=True)
        .get()
    )
