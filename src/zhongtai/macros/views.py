"""The macro pages of the workspace: the list and the editor, and the composer's note that
a macro's text was inserted (its use counted).

Thin: a form, a service or selector call, a render or a redirect. Customers and people
without a role find no page here (404); another unit's macro, or another person's
personal one, is a 404; a macro the actor sees but may not change is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.core.errors import ApplicationError, NotFound
from zhongtai.macros import presenters, selectors, services
from zhongtai.macros.choices import REACHABLE_STATUSES, SCOPE_BADGES, MacroScope
from zhongtai.macros.forms import MacroForm
from zhongtai.macros.models import Macro
from zhongtai.macros.placeholders import PLACEHOLDERS
from zhongtai.tickets import selectors as ticket_selectors
from zhongtai.tickets.choices import TicketStatus

PAGE = 200


def _user(request: HttpRequest) -> Actor:
    return staff_actor_with(request, "macros.use")


def _macro(actor: Actor, macro_id: int) -> Macro:
    try:
        return selectors.macro_get(actor=actor, macro_id=macro_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_GET
def macro_list(request: HttpRequest) -> HttpResponse:
    """Every macro the actor may see, with who may use it, its languages and actions."""
    actor = _user(request)
    scope = request.GET.get("scope", "")
    scope = scope if scope in MacroScope.values else ""
    macros = selectors.macro_list(actor=actor, filters=selectors.MacroFilter(scope=scope))
    rows = [
        {
            "macro": macro,
            "badge": SCOPE_BADGES[macro.scope],
            "holder": presenters.holder_text(macro),
            "languages": presenters.language_labels(macro),
            "actions": presenters.actions_text(macro),
            "can_edit": services.can_edit(actor, macro),
        }
        for macro in macros[:PAGE]
    ]
    context = {"rows": rows, "scope": scope, "scopes": MacroScope.choices}
    return render(request, "macros/macro_list.html", context)


def _form(request: HttpRequest, actor: Actor, macro: Macro | None) -> MacroForm:
    scopes = [(MacroScope.PERSONAL.value, str(MacroScope.PERSONAL.label))]
    teams = [(t.pk, t.name) for t in selectors.macro_teams_for(actor=actor)]
    if teams:
        scopes.insert(0, (MacroScope.TEAM.value, str(MacroScope.TEAM.label)))
    if actor.can("macros.manage"):
        scopes.insert(0, (MacroScope.SHARED.value, str(MacroScope.SHARED.label)))
    categories = [(c.pk, str(c)) for c in ticket_selectors.category_list(actor=actor)]
    statuses = [(s, str(TicketStatus(s).label)) for s in REACHABLE_STATUSES]
    return MacroForm(
        request.POST or None,
        initial=MacroForm.initial_of(macro),
        scopes=scopes,
        teams=teams,
        statuses=statuses,
        categories=categories,
    )


@login_required
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, macro_id: int | None = None) -> HttpResponse:
    """Write a new macro, or change one the actor may change."""
    actor = _user(request)
    macro = _macro(actor, macro_id) if macro_id is not None else None
    if macro is not None and not services.can_edit(actor, macro):
        raise DjangoPermissionDenied
    form = _form(request, actor, macro)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if macro is None:
                    saved = services.macro_create(actor=actor, data=form.to_input())
                else:
                    saved = services.macro_update(
                        actor=actor, macro_id=macro.pk, data=form.to_input()
                    )
                messages.success(request, _("Macro “%(name)s” saved.") % {"name": saved.name})
                return redirect("macros:macro_list")
            except NotFound as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                for item in exc.errors or [{"field": "", "message": exc.message}]:
                    name = item.get("field", "").removesuffix("_id")
                    form.add_error(name if name in form.fields else None, item["message"])
    placeholders = list(PLACEHOLDERS.values())
    context = {"form": form, "macro": macro, "placeholders": placeholders}
    return render(request, "macros/macro_form.html", context, status=status)


@login_required
@require_POST
def macro_used(request: HttpRequest, macro_id: int) -> HttpResponse:
    """The composer inserted a macro's text (htmx, no answer to show): count the use."""
    actor = _user(request)
    services.macro_use_record(actor=actor, macro=_macro(actor, macro_id))
    return HttpResponse(status=204)
