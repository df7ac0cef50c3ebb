"""The knowledge pages of the workspace: the article list with search, an article with
its review actions, trail and versions, the editor, and the diff of two versions.

Thin: a form or a search box, a service or selector call, a render or a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.core.errors import ApplicationError, NotFound
from zhongtai.core.htmx import user_errors
from zhongtai.knowledge import selectors, services, workflow
from zhongtai.knowledge.choices import (
    STATUS_BADGES,
    ArticleLanguage,
    ArticleStatus,
    SearchKind,
    Visibility,
)
from zhongtai.knowledge.forms import ArticleForm
from zhongtai.knowledge.markdown import render as render_markdown
from zhongtai.tickets import selectors as ticket_selectors

PAGE = 50
ACTION_LABELS = {
    ArticleStatus.IN_REVIEW: gettext_lazy("Send for review"),
    ArticleStatus.PUBLISHED: gettext_lazy("Publish"),
    ArticleStatus.DRAFT: gettext_lazy("Return to draft"),
    ArticleStatus.ARCHIVED: gettext_lazy("Archive"),
}


def _reader(request: HttpRequest) -> Actor:
    return staff_actor_with(request, "knowledge.view")


def _language() -> str:
    return (
        ArticleLanguage.ZH_HANS if (get_language() or "").startswith("zh") else ArticleLanguage.EN
    )


@login_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    """Every article of the unit (filtered by status), or the search hits for ``q``."""
    actor = _reader(request)
    query = request.GET.get("q", "").strip()[:300]
    status = request.GET.get("status", "")
    status = status if status in ArticleStatus.values else ""
    hits = None
    articles: Any = []
    if query:
        hits = selectors.knowledge_search(
            actor=actor,
            tenant_id=actor.tenant.pk,
            text=query,
            kinds=frozenset({SearchKind.ARTICLE}),
            limit=PAGE,
        )
        for hit in hits:
            hit.extra["visibility_label"] = Visibility(
                hit.extra.get("visibility", "internal")
            ).label
    else:
        filters = selectors.ArticleFilter(status=status)
        articles = [
            {"article": a, "badge": STATUS_BADGES.get(a.status, "secondary")}
            for a in selectors.article_list(actor=actor, filters=filters)[:PAGE]
        ]
    context = {
        "query": query,
        "status": status,
        "statuses": ArticleStatus.choices,
        "hits": hits,
        "articles": articles,
        "can_publish": services.can_publish(actor),
    }
    return render(request, "knowledge/article_list.html", context)


@login_required
@require_GET
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    actor = _reader(request)
    try:
        article = selectors.article_get(actor=actor, article_id=article_id)
    except NotFound as exc:
        raise Http404 from exc
    publisher = services.can_publish(actor)
    actions = [
        {"status": status, "label": ACTION_LABELS[ArticleStatus(status)]}
        for status in workflow.next_statuses(article.status, publisher=publisher)
        if status in ACTION_LABELS
    ]
    if article.status == ArticleStatus.ARCHIVED and publisher:
        actions = [{"status": ArticleStatus.DRAFT, "label": _("Restore as a draft")}]
    context = {
        "article": article,
        "html": render_markdown(article.body),
        "badge": STATUS_BADGES.get(article.status, "secondary"),
        "actions": actions,
        "versions": selectors.article_versions(actor=actor, article_id=article.pk),
        "events": selectors.article_events(actor=actor, article_id=article.pk),
        "pending": article.published_version not in (None, article.version),
    }
    return render(request, "knowledge/article_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    """Write a new article or a new version of one."""
    actor = staff_actor_with(request, "knowledge.write")
    article = None
    if article_id is not None:
        try:
            article = selectors.article_get(actor=actor, article_id=article_id)
        except NotFound as exc:
            raise Http404 from exc
    categories = [(c.pk, str(c)) for c in ticket_selectors.category_list(actor=actor)]
    form = ArticleForm(
        request.POST or None,
        initial=ArticleForm.initial_of(article, _language()),
        categories=categories,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                note = form.cleaned_data["note"]
                if article is None:
                    saved = services.article_create(actor=actor, data=form.to_input(), note=note)
                else:
                    saved = services.article_update(
                        actor=actor, article_id=article.pk, data=form.to_input(), note=note
                    )
                messages.success(request, _("Saved as version %(n)s.") % {"n": saved.version})
                return redirect("knowledge:article_detail", article_id=saved.pk)
            except NotFound as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                for item in exc.errors or [{"field": "", "message": exc.message}]:
                    name = item.get("field", "").removesuffix("_id")
                    form.add_error(name if name in form.fields else None, item["message"])
    context = {"form": form, "article": article}
    return render(request, "knowledge/article_form.html", context, status=status)


def _detail_url(request: HttpRequest, article_id: int, **kwargs: Any) -> str:
    return reverse("knowledge:article_detail", kwargs={"article_id": article_id})


@login_required
@require_POST
@user_errors(_detail_url)
def article_transition(request: HttpRequest, article_id: int) -> HttpResponse:
    actor = staff_actor_with(request, "knowledge.write")
    to_status = request.POST.get("to_status", "")
    article = services.article_transition(
        actor=actor,
        article_id=article_id,
        to_status=to_status,
        note=request.POST.get("note", "")[:500],
    )
    messages.success(request, _("The article is now: %(s)s.") % {"s": article.get_status_display()})
    return redirect("knowledge:article_detail", article_id=article.pk)


@login_required
@require_GET
def article_diff(request: HttpRequest, article_id: int) -> HttpResponse:
    actor = _reader(request)
    try:
        article = selectors.article_get(actor=actor, article_id=article_id)
        newer = int(request.GET.get("to", article.version))
        older = max(int(request.GET.get("from", newer - 1)), 1)
        diff = selectors.article_diff(actor=actor, article_id=article_id, older=older, newer=newer)
    except (ValueError, NotFound) as exc:
        raise Http404 from exc
    lines = [
        {"text": line, "kind": "add" if line[:1] == "+" else "del" if line[:1] == "-" else ""}
        for line in diff.body[2:]
    ]
    context = {"article": article, "diff": diff, "lines": lines}
    return render(request, "knowledge/article_diff.html", context)
