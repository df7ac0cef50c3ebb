"""The knowledge pages of the workspace: the article list with search, an article with
its review actions, trail and versions, the editor, and the diff of two versions.

Thin: a form or a search box, a service or selector call, a render or a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from zhongtai.core.htmx import user_errors
from zhongtai.knowledge import reports, selectors, services, suggestions, workflow
from zhongtai.knowledge.cases import case_draft
from zhongtai.knowledge.choices import (
    STATUS_BADGES,
    ArticleKind,
    ArticleLanguage,
    ArticleStatus,
    SearchKind,
    SearchSource,
    TicketLinkRelation,
    Visibility,
)
from zhongtai.knowledge.forms import ArticleForm, SettingsForm
from zhongtai.knowledge.markdown import plain_text
from zhongtai.knowledge.markdown import render as render_markdown
from zhongtai.knowledge.search import Hit
from zhongtai.tickets import selectors as ticket_selectors
from zhongtai.tickets.models import Ticket
from zhongtai.tickets.presenters import ticket_reference

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
    kind = request.GET.get("kind", "")
    kind = kind if kind in SearchKind.values else ""
    hits = None
    ticket_hits: list[Hit] = []
    articles: Any = []
    if query:
        # Everything at once: knowledge first, then the tickets (they outnumber it).
        knowledge_kinds = {SearchKind.ARTICLE, SearchKind.CASE}
        hits = services.search_run(
            actor=actor,
            source=SearchSource.WORKSPACE,
            text=query,
            kinds=frozenset([kind] if kind else knowledge_kinds),
            limit=PAGE,
        )
        if not kind:
            ticket_hits = selectors.knowledge_search(
                actor=actor,
                tenant_id=actor.tenant.pk,
                text=query,
                kinds=frozenset({SearchKind.TICKET}),
                limit=PAGE // 2,
            )
        for hit in [*hits, *ticket_hits]:
            hit.extra["kind_label"] = SearchKind(hit.kind).label
            if hit.kind != SearchKind.TICKET:
                hit.url = reverse("knowledge:article_detail", args=[hit.object_id])
                hit.extra["visibility_label"] = Visibility(
                    hit.extra.get("visibility", "internal")
                ).label
    else:
        article_kind = kind if kind in ArticleKind.values else ""
        filters = selectors.ArticleFilter(status=status, kind=article_kind)
        articles = [
            {"article": a, "badge": STATUS_BADGES.get(a.status, "secondary")}
            for a in selectors.article_list(actor=actor, filters=filters)[:PAGE]
        ]
    context = {
        "query": query,
        "ticket_hits": ticket_hits,
        "status": status,
        "kind": kind,
        "kinds": SearchKind.choices,
        "statuses": ArticleStatus.choices,
        "hits": hits,
        "articles": articles,
        "can_publish": services.can_publish(actor),
        "can_manage": actor.can("knowledge.manage"),
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
        "links": [
            {"link": link, "reference": ticket_reference(link.ticket.tenant, link.ticket.number)}
            for link in selectors.article_tickets(actor=actor, article_id=article.pk)
        ],
        "reuses": selectors.reuse_count(article),
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
    kind = article.kind if article else request.GET.get("kind", ArticleKind.ARTICLE)
    form = ArticleForm(
        request.POST or None,
        initial=ArticleForm.initial_of(article, _language()),
        categories=_categories(actor),
        kind=kind if kind in ArticleKind.values else ArticleKind.ARTICLE,
        asset_id=article.asset_id if article else None,
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
                _form_errors(form, exc)
    context = {"form": form, "article": article}
    return render(request, "knowledge/article_form.html", context, status=status)


def _categories(actor: Actor) -> list[tuple[int, str]]:
    return [(c.pk, str(c)) for c in ticket_selectors.category_list(actor=actor)]


def _form_errors(form: ArticleForm, exc: ApplicationError) -> None:
    for item in exc.errors or [{"field": "", "message": exc.message}]:
        name = item.get("field", "").removesuffix("_id")
        form.add_error(name if name in form.fields else None, item["message"])


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


# Knowledge in the ticket: the suggestions panel, uses and votes, a case from the ticket.

INSERT_CHARS = 3_000


def _ticket_of(actor: Actor, number: int) -> Ticket:
    try:
        return ticket_selectors.ticket_get(actor=actor, number=number)
    except NotFound as exc:
        raise Http404 from exc


def _insert_text(request: HttpRequest, hit: Hit, tenant_slug: str) -> str:
    """What "insert" puts into the reply: a case's solution, an article's text; with a
    link to the portal's page when customers may read it."""
    if hit.kind == SearchKind.CASE and hit.extra.get("solution"):
        text = str(hit.extra["solution"])
    else:
        text = plain_text(hit.extra.get("markdown", "")) or hit.title
    text = text[:INSERT_CHARS]
    visibility = hit.extra.get("visibility")
    if visibility in (Visibility.CUSTOMERS, Visibility.PUBLIC):
        path = (
            reverse("public_help:article", args=[tenant_slug, hit.object_id])
            if visibility == Visibility.PUBLIC
            else reverse("help:article", args=[hit.object_id])
        )
        text = f"{text}\n\n{hit.title}: {request.build_absolute_uri(path)}"
    return text


def _panel(request: HttpRequest, actor: Actor, ticket: Ticket, status: int = 200) -> HttpResponse:
    found = suggestions.ticket_suggestions(actor=actor, ticket=ticket)
    case = selectors.case_of_ticket(actor=actor, ticket_id=ticket.pk)
    context = {
        "ticket": ticket,
        "suggestions": [
            {
                "s": s,
                "insert": _insert_text(request, s.hit, actor.tenant.slug),
                "url": reverse("knowledge:article_detail", args=[s.hit.object_id]),
                "kind_label": SearchKind(s.hit.kind).label,
            }
            for s in found
        ],
        "case": case,
        "can_make_case": case is None
        and actor.can("knowledge.write")
        and ticket.status in services.CASE_SOURCE_STATUSES
        and ticket.merged_into_id is None,
        "used": [
            link
            for link in selectors.ticket_links(actor=actor, ticket_id=ticket.pk)
            if link.relation == TicketLinkRelation.USED
        ],
    }
    return render(request, "knowledge/partials/_ticket_panel.html", context, status=status)


@login_required
@require_GET
def ticket_panel(request: HttpRequest, number: int) -> HttpResponse:
    """The ticket page's knowledge panel: suggestions, what was used, the case."""
    actor = _reader(request)
    return _panel(request, actor, _ticket_of(actor, number))


def _ticket_url(request: HttpRequest, number: int, **kwargs: Any) -> str:
    return reverse("tickets:ticket_detail", args=[number])


@login_required
@require_POST
@user_errors(_ticket_url)
def ticket_use(request: HttpRequest, number: int, article_id: int) -> HttpResponse:
    """Record that an article was inserted into a reply on the ticket (the insert itself
    happens in the browser)."""
    actor = _reader(request)
    ticket = _ticket_of(actor, number)
    services.article_use(actor=actor, article_id=article_id, ticket=ticket)
    return HttpResponse(status=204)


@login_required
@require_POST
@user_errors(_ticket_url)
def ticket_vote(request: HttpRequest, number: int, article_id: int) -> HttpResponse:
    """An agent's "helpful / not helpful" on a suggestion; answers the fresh panel."""
    actor = _reader(request)
    ticket = _ticket_of(actor, number)
    helpful = request.POST.get("helpful")
    if helpful not in ("1", "0"):
        return HttpResponse(_("Say helpful=1 or helpful=0."), status=400)
    services.article_ticket_feedback(
        actor=actor, article_id=article_id, ticket=ticket, helpful=helpful == "1"
    )
    return _panel(request, actor, ticket)


@login_required
@require_http_methods(["GET", "POST"])
def case_from_ticket(request: HttpRequest, number: int) -> HttpResponse:
    """Make a case from a resolved ticket. The ticket page's button posts nothing: the
    case is drafted from the timeline at once. When the timeline lacks a part (no
    solution written), or on GET, the pre-filled form is shown to complete."""
    actor = staff_actor_with(request, "knowledge.write")
    ticket = _ticket_of(actor, number)
    existing = selectors.case_of_ticket(actor=actor, ticket_id=ticket.pk)
    if existing is not None:
        messages.info(request, _("A case was already made from this ticket."))
        return redirect("knowledge:article_detail", article_id=existing.pk)
    draft = case_draft(ticket)
    posted = request.method == "POST" and "title" in request.POST
    form = ArticleForm(
        request.POST if posted else None,
        initial=ArticleForm.initial_of(draft, draft.language),
        categories=_categories(actor),
        kind=ArticleKind.CASE,
        asset_id=draft.asset_id,
    )
    status = 200
    if request.method == "POST":
        status = 422
        data = form.to_input() if posted and form.is_valid() else None
        if not posted or data is not None:
            try:
                case = services.case_from_ticket(actor=actor, ticket=ticket, data=data)
                messages.success(
                    request,
                    _("Case drafted from the ticket. Check it, then send it for review."),
                )
                return redirect("knowledge:article_detail", article_id=case.pk)
            except InvalidInput as exc:
                if not posted:  # show the pre-filled form with what is missing
                    initial = ArticleForm.initial_of(draft, draft.language)
                    form = ArticleForm(
                        {k: "" if v is None else v for k, v in initial.items()},
                        categories=_categories(actor),
                        kind=ArticleKind.CASE,
                        asset_id=draft.asset_id,
                    )
                    form.is_valid()
                _form_errors(form, exc)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("tickets:ticket_detail", number=ticket.number)
    context = {"form": form, "article": None, "ticket": ticket}
    return render(request, "knowledge/article_form.html", context, status=status)


# The unit's knowledge settings and report ---------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def knowledge_settings(request: HttpRequest) -> HttpResponse:
    """Who publishes; the bot's threshold (``knowledge.manage``)."""
    actor = staff_actor_with(request, "knowledge.manage")
    current = services.settings_for(actor.tenant)
    form = SettingsForm(
        request.POST or None,
        initial={
            "publisher_roles": current.publisher_roles,
            "bot_threshold": current.bot_threshold,
        },
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.settings_update(
                    actor=actor,
                    publisher_roles=form.cleaned_data["publisher_roles"],
                    bot_threshold=form.cleaned_data["bot_threshold"],
                )
            except ApplicationError as exc:
                for item in exc.errors or [{"field": "", "message": exc.message}]:
                    name = item.get("field", "")
                    form.add_error(name if name in form.fields else None, item["message"])
            else:
                messages.success(request, _("The knowledge settings are saved."))
                return redirect("knowledge:settings")
    return render(request, "knowledge/settings.html", {"form": form}, status=status)


REPORT_DAYS = (7, 30, 90)


@login_required
@require_GET
def knowledge_report(request: HttpRequest) -> HttpResponse:
    """Gaps, deflections and the bot's results over 7, 30 or 90 days."""
    actor = _reader(request)
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    days = days if days in REPORT_DAYS else 30
    try:
        report = reports.knowledge_report(actor=actor, days=days)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied from exc
    context = {"report": report, "days": days, "choices": REPORT_DAYS}
    return render(request, "knowledge/report.html", context)
