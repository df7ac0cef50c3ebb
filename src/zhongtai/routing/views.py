"""The routing rules pages of the workspace, for the unit's administrators and L2.

Thin: a form, a service call, a redirect. *Try* runs the rule's conditions over the last
days' tickets and shows the count on the form without saving anything.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.core.errors import ApplicationError, NotFound
from zhongtai.core.htmx import user_errors
from zhongtai.routing import rule_services, services
from zhongtai.routing.forms import RuleForm
from zhongtai.routing.presenters import rule_rows
from zhongtai.tickets import selectors as ticket_selectors

ALIASES = {
    "set_category_id": "set_category",
    "set_team_id": "set_team",
    "category_ids": "categories",
}


def _manager(request: HttpRequest) -> Actor:
    return staff_actor_with(request, rule_services.MANAGE)


def _list_url(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    return reverse("routing:rule_list")


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    rules = rule_services.rule_list(actor=actor)
    return render(request, "routing/rules.html", {"rules": rule_rows(rules)})


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    """Create or change a rule; the *Try* button counts past matches instead of saving."""
    actor = _manager(request)
    rule = None
    if rule_id is not None:
        rule = next((r for r in rule_services.rule_list(actor=actor) if r.pk == rule_id), None)
        if rule is None:
            raise Http404
    form = RuleForm(
        request.POST or None,
        initial=RuleForm.initial_of(rule),
        categories=[(c.pk, str(c)) for c in ticket_selectors.category_list(actor=actor)],
        teams=[(t.pk, t.name) for t in ticket_selectors.team_list(actor=actor)],
    )
    status, dry_run = 200, None
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if "try" in request.POST:
                    dry_run = rule_services.rules_dry_run(
                        actor=actor, data=form.to_input(), days=form.cleaned_data["days"] or 30
                    )
                    status = 200
                else:
                    saved = rule_services.rule_save(
                        actor=actor, data=form.to_input(), rule_id=rule_id
                    )
                    messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
                    return redirect("routing:rule_list")
            except NotFound as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                for item in exc.errors or [{"field": "", "message": exc.message}]:
                    name = ALIASES.get(item.get("field", ""), item.get("field", ""))
                    form.add_error(name if name in form.fields else None, item["message"])
    context = {"form": form, "rule": rule, "dry_run": dry_run}
    return render(request, "routing/rule_form.html", context, status=status)


@login_required
@require_POST
@user_errors(_list_url)
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule_services.rule_delete(actor=_manager(request), rule_id=rule_id)
    messages.success(request, _("The rule was deleted."))
    return redirect("routing:rule_list")


@login_required
@require_POST
@user_errors(_list_url)
def rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    step = -1 if request.POST.get("direction") == "up" else 1
    rule_services.rule_move(actor=_manager(request), rule_id=rule_id, step=step)
    return redirect("routing:rule_list")


@login_required
@require_GET
def classifier_page(request: HttpRequest) -> HttpResponse:
    """The unit's classification settings and its classifier versions, newest first."""
    actor = _manager(request)
    context = {
        "settings": services.routing_settings_of(actor=actor),
        "versions": services.classifier_versions(actor=actor),
        "teams": ticket_selectors.team_list(actor=actor).order_by("tier", "name"),
        "corrections": services.classifier_corrections(actor=actor),
    }
    return render(request, "routing/classifier.html", context)


def _classifier_url(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    return reverse("routing:classifier")


@login_required
@require_POST
@user_errors(_classifier_url)
def classifier_settings(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    try:
        threshold = float(request.POST.get("confidence_threshold", "").replace(",", "."))
    except ValueError:
        threshold = -1.0  # (the service says what is wrong)
    vip_id = request.POST.get("vip_team", "")
    vip_team = (
        ticket_selectors.team_get(actor=actor, team_id=int(vip_id)) if vip_id.isdigit() else None
    )
    services.routing_settings_save(
        actor=actor,
        classify_at_intake=request.POST.get("classify_at_intake") == "on",
        confidence_threshold=threshold,
        auto_assign=request.POST.get("auto_assign") == "on",
        vip_team=vip_team,
    )
    messages.success(request, _("Routing settings saved."))
    return redirect("routing:classifier")


@login_required
@require_POST
@user_errors(_classifier_url)
def classifier_train(request: HttpRequest) -> HttpResponse:
    actor = _manager(request)
    model = services.classifier_train_request(actor=actor)
    messages.info(
        request,
        _("Version %(version)s is queued; this page shows its progress when you reload it.")
        % {"version": model.version},
    )
    return redirect("routing:classifier")
