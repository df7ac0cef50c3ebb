"""The people pages of routing: one's own status (every staff page's header), and the
board where a team lead sees who is available and how loaded, sets capacity and skills,
a team's overflow rule, surge mode and the day's surge pool.

Thin: a form, a service call of ``routing.people``, a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.core.errors import ApplicationError, NotFound
from zhongtai.core.htmx import user_errors
from zhongtai.routing import people
from zhongtai.routing.forms import ProfileForm
from zhongtai.routing.models import AgentStatus, TeamRouting
from zhongtai.tickets import selectors as ticket_selectors


def _lead(request: HttpRequest) -> Actor:
    return staff_actor_with(request, people.MANAGE)


def _board_url(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    return reverse("routing:people")


def _number(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return -1  # (the service says what is wrong)


@login_required
@require_POST
@user_errors(lambda request: reverse("tickets:ticket_list"))
def status_set(request: HttpRequest) -> HttpResponse:
    """The status switch in the header: back to the page it was on."""
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None or not actor.is_staff_role:
        raise Http404
    people.agent_status_set(actor=actor, status=request.POST.get("status", ""))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("tickets:ticket_list")
    return redirect(target)


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    actor = _lead(request)
    context = people.board(actor=actor)
    context.update(
        statuses=AgentStatus.choices,
        overflow_choices=TeamRouting.OverflowTo.choices,
        staff=list(ticket_selectors.agent_list(actor=actor)),
    )
    return render(request, "routing/people.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _lead(request)
    try:
        user = ticket_selectors.agent_get(actor=actor, user_id=user_id)
    except NotFound as exc:
        raise Http404 from exc
    profile = people.profile_of(tenant_id=actor.tenant.pk, user=user)
    categories = [(c.pk, str(c)) for c in ticket_selectors.category_list(actor=actor)]
    form = ProfileForm(
        request.POST or None, initial=ProfileForm.initial_of(profile), categories=categories
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                people.agent_profile_save(actor=actor, user=user, data=form.to_input())
                if request.POST.get("status") in AgentStatus.values:
                    people.agent_status_set(actor=actor, status=request.POST["status"], user=user)
                messages.success(request, _("Saved for %(name)s.") % {"name": user})
                return redirect("routing:people")
            except ApplicationError as exc:
                for item in exc.errors or [{"field": "", "message": exc.message}]:
                    name = item.get("field", "")
                    form.add_error(name if name in form.fields else None, item["message"])
    context = {"form": form, "person": user, "profile": profile, "statuses": AgentStatus.choices}
    return render(request, "routing/profile_form.html", context, status=status)


@login_required
@require_POST
@user_errors(_board_url)
def team_overflow(request: HttpRequest, team_id: int) -> HttpResponse:
    actor = _lead(request)
    team = ticket_selectors.team_get(actor=actor, team_id=team_id)
    backup_id = _number(request, "backup_team")
    backup = (
        ticket_selectors.team_get(actor=actor, team_id=backup_id)
        if backup_id and backup_id > 0
        else None
    )
    people.team_overflow_save(
        actor=actor,
        team=team,
        overflow_to=request.POST.get("overflow_to", ""),
        backup_team=backup,
        max_waiting=_number(request, "max_waiting"),
        max_wait_minutes=_number(request, "max_wait_minutes"),
    )
    messages.success(request, _("Overflow rule of %(team)s saved.") % {"team": team.name})
    return redirect("routing:people")


@login_required
@require_POST
@user_errors(_board_url)
def team_surge(request: HttpRequest, team_id: int) -> HttpResponse:
    actor = _lead(request)
    team = ticket_selectors.team_get(actor=actor, team_id=team_id)
    on = request.POST.get("on") == "1"
    people.surge_switch(actor=actor, team=team, on=on)
    text = _("Surge mode is on for %(team)s.") if on else _("Surge mode is off for %(team)s.")
    messages.success(request, text % {"team": team.name})
    return redirect("routing:people")


@login_required
@require_POST
@user_errors(_board_url)
def surge_enrol(request: HttpRequest, team_id: int) -> HttpResponse:
    actor = _lead(request)
    team = ticket_selectors.team_get(actor=actor, team_id=team_id)
    user = ticket_selectors.agent_get(actor=actor, user_id=_number(request, "user") or 0)
    people.surge_enrol(actor=actor, team=team, user=user)
    messages.success(
        request,
        _("%(name)s is in the surge pool of %(team)s today.") % {"name": user, "team": team.name},
    )
    return redirect("routing:people")


@login_required
@require_POST
@user_errors(_board_url)
def surge_unenrol(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    actor = _lead(request)
    team = ticket_selectors.team_get(actor=actor, team_id=team_id)
    user = ticket_selectors.agent_get(actor=actor, user_id=user_id)
    people.surge_unenrol(actor=actor, team=team, user=user)
    return redirect("routing:people")
