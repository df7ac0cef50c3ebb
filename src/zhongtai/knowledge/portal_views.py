"""The help centre: the unit's published articles for its customers, and for anyone at
``/help/<unit>/`` (public articles only), with search, "was this helpful?", and the
search-as-you-type suggestions of the portal's request form.

A signed-in customer contact reads articles for customers and the public; a visitor
reads public ones. Staff read the workspace's knowledge pages instead. An article opened
from the request form's suggestions is a portal visit: if no request follows within the
hour, it counts as a deflection (``services.portal_ticket_filed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.core.errors import ApplicationError, NotFound
from zhongtai.core.models import Tenant
from zhongtai.knowledge import selectors, services
from zhongtai.knowledge.choices import SearchKind, SearchSource
from zhongtai.knowledge.markdown import render as render_markdown

SEARCH_LIMIT = 20
SUGGEST_LIMIT = 5
QUERY_CHARS = 200


@dataclass(frozen=True)
class Reader:
    """Who reads the help centre and which unit's: a customer contact, or a visitor."""

    tenant: Tenant
    actor: Actor | None
    unit: str  # the slug in the URL; "" for the signed-in portal

    @property
    def audiences(self) -> frozenset[str]:
        return selectors.audiences_for(self.actor)

    def url(self, name: str, *args: Any) -> str:
        if self.unit:
            return reverse(f"public_help:{name}", args=[self.unit, *args])
        return reverse(f"help:{name}", args=args)


def _reader(request: HttpRequest, unit: str = "") -> Reader:
    actor: Actor | None = getattr(request, "actor", None)
    if unit:
        tenant = selectors.unit_by_slug(unit)
        if tenant is None:
            raise Http404
        same_unit = actor is not None and actor.is_customer and actor.tenant.pk == tenant.pk
        return Reader(tenant=tenant, actor=actor if same_unit else None, unit=unit)
    if actor is None or not actor.is_customer or not actor.can("portal.use"):
        raise Http404
    return Reader(tenant=actor.tenant, actor=actor, unit="")


def _query(request: HttpRequest) -> str:
    return " ".join(request.GET.get("q", "").split())[:QUERY_CHARS]


@require_GET
def help_home(request: HttpRequest, unit: str = "") -> HttpResponse:
    """The articles by category, or the search hits for ``q``."""
    if not unit:
        actor = getattr(request, "actor", None)
        if actor is None:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if actor.is_staff_role:  # staff read the workspace's knowledge base
            return redirect("knowledge:article_list")
    reader = _reader(request, unit)
    query = _query(request)
    hits = None
    if query:
        hits = services.search_run(
            actor=reader.actor,
            tenant_id=reader.tenant.pk,
            source=SearchSource.PORTAL,
            text=query,
            kinds=frozenset({SearchKind.ARTICLE}),
            limit=SEARCH_LIMIT,
        )
        for hit in hits:
            hit.url = reader.url("article", hit.object_id) + "?" + urlencode({"q": query})
    shelves = [
        {"category": category, "items": list(items)}
        for category, items in groupby(
            selectors.help_articles(tenant_id=reader.tenant.pk, audiences=reader.audiences),
            key=lambda item: item.live.category,
        )
    ]
    context = {"reader": reader, "query": query, "hits": hits, "shelves": shelves}
    return render(request, "help/home.html", context)


@require_GET
def help_article(request: HttpRequest, article_id: int, unit: str = "") -> HttpResponse:
    """An article's live version. Opened from the request form's suggestions
    (``from=new``), it is recorded as a portal visit."""
    if not unit:
        actor = getattr(request, "actor", None)
        if actor is None:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if actor.is_staff_role:
            return redirect("knowledge:article_detail", article_id=article_id)
    reader = _reader(request, unit)
    try:
        item = selectors.help_article_get(
            tenant_id=reader.tenant.pk, audiences=reader.audiences, article_id=article_id
        )
    except NotFound as exc:
        raise Http404 from exc
    query = _query(request)
    if request.GET.get("from") == "new" and reader.actor is not None:
        services.portal_visit_record(actor=reader.actor, article_id=article_id, searched=query)
    context = {
        "reader": reader,
        "item": item,
        "html": render_markdown(item.live.body),
        "query": query,
        "voted": request.session.get(f"kb-vote-{article_id}"),
    }
    return render(request, "help/article.html", context)


@require_POST
def help_feedback(request: HttpRequest, article_id: int, unit: str = "") -> HttpResponse:
    """ "Was this helpful?" (once per article and browser session). A helpful answer to a
    search teaches the article the words searched."""
    reader = _reader(request, unit)
    helpful = request.POST.get("helpful")
    if helpful not in ("1", "0"):
        return HttpResponse(_("Say helpful=1 or helpful=0."), status=400)
    key = f"kb-vote-{article_id}"
    if not request.session.get(key):
        try:
            services.article_feedback_public(
                tenant_id=reader.tenant.pk,
                audiences=reader.audiences,
                article_id=article_id,
                helpful=helpful == "1",
                question=request.POST.get("q", "")[:QUERY_CHARS],
            )
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            return HttpResponse(exc.message, status=exc.status)
        request.session[key] = helpful
    messages.success(request, _("Thank you for your feedback."))
    return redirect(reader.url("article", article_id))


@require_GET
def help_suggest(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type for the request form: the public and customer articles whose
    words begin like what the customer is typing."""
    reader = _reader(request)
    query = " ".join(request.GET.get("subject", request.GET.get("q", "")).split())
    query = query[:QUERY_CHARS]
    hits = []
    if len(query) >= 2:
        hits = selectors.knowledge_search(
            actor=reader.actor,
            tenant_id=reader.tenant.pk,
            text=query,
            kinds=frozenset({SearchKind.ARTICLE}),
            prefix=True,
            limit=SUGGEST_LIMIT,
        )
        for hit in hits:
            hit.url = reader.url("article", hit.object_id) + "?from=new"
    return render(request, "help/partials/_suggest.html", {"hits": hits, "query": query})
