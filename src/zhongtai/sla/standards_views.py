"""The service standards pages of the workspace: SLA policies (in order) and business calendars.

For the unit's administrators and L2 engineers (``standards.manage``; other staff get a
403, anyone else a 404). Thin: a form, a service call, a redirect; a service's error goes
back into the form (422). Every change recomputes the open tickets' clocks in a task.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.core.errors import ApplicationError, NotFound
from zhongtai.core.htmx import user_errors
from zhongtai.sla import selectors, services
from zhongtai.sla.forms import CalendarDateForm, CalendarForm, PolicyForm
from zhongtai.tickets import selectors as ticket_selectors


def _manager(request: HttpRequest) -> Actor:
    return staff_actor_with(request, services.MANAGE)


def _home(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    return reverse("standards:home")


def _calendar_url(request: HttpRequest, calendar_id: int, *args: Any, **kwargs: Any) -> str:
    return reverse("standards:calendar_edit", args=[calendar_id])


def _first_of_year() -> date:
    return timezone.localdate().replace(month=1, day=1)


def _form_errors(form: Any, exc: ApplicationError, aliases: dict[str, str]) -> None:
    """Put a service's errors on the form's fields (``aliases``: service name → field)."""
    for item in exc.errors or [{"field": "", "message": exc.message}]:
        name = aliases.get(item.get("field", ""), item.get("field", ""))
        form.add_error(name if name in form.fields else None, item["message"])


@login_required
@require_GET
def standards_home(request: HttpRequest) -> HttpResponse:
    """The unit's policies in the order they are tried, and its calendars."""
    actor = _manager(request)
    context = {
        "policies": selectors.policy_rows(tenant_id=actor.tenant.pk),
        "calendars": selectors.calendar_rows(tenant_id=actor.tenant.pk),
    }
    return render(request, "sla/standards.html", context)


def _policy_form(actor: Actor, data: Any, initial: dict[str, Any]) -> PolicyForm:
    calendars = [(c.pk, c.name) for c in selectors.calendar_list(tenant_id=actor.tenant.pk)]
    categories = [(c.pk, str(c)) for c in ticket_selectors.category_list(actor=actor)]
    return PolicyForm(data, initial=initial, calendars=calendars, categories=categories)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, policy_id: int | None = None) -> HttpResponse:
    """Create a policy (tried after the others) or change one."""
    actor = _manager(request)
    policy = None
    if policy_id is not None:
        policy = selectors.policy_list(tenant_id=actor.tenant.pk).filter(pk=policy_id).first()
        if policy is None:
            raise Http404
    form = _policy_form(actor, request.POST or None, PolicyForm.initial_of(policy))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                saved = services.policy_save(actor=actor, data=form.to_input(), policy_id=policy_id)
            except NotFound as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                _form_errors(form, exc, {"calendar_id": "calendar", "category_ids": "categories"})
            else:
                messages.success(
                    request,
                    _("Policy “%(name)s” saved; the open tickets' clocks are being recomputed.")
                    % {"name": saved.name},
                )
                return redirect("standards:home")
    context = {"form": form, "policy": policy}
    return render(request, "sla/policy_form.html", context, status=status)


@login_required
@require_POST
@user_errors(_home)
def policy_delete(request: HttpRequest, policy_id: int) -> HttpResponse:
    actor = _manager(request)
    services.policy_delete(actor=actor, policy_id=policy_id)
    messages.success(request, _("The policy was deleted."))
    return redirect("standards:home")


@login_required
@require_POST
@user_errors(_home)
def policy_move(request: HttpRequest, policy_id: int) -> HttpResponse:
    """Move a policy one place up or down the order (``direction``: up or down)."""
    step = -1 if request.POST.get("direction") == "up" else 1
    services.policy_move(actor=_manager(request), policy_id=policy_id, step=step)
    return redirect("standards:home")


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, calendar_id: int | None = None) -> HttpResponse:
    """Create a calendar or change its settings and weekly hours; its dates below."""
    actor = _manager(request)
    calendar = None
    if calendar_id is not None:
        calendar = selectors.calendar_list(tenant_id=actor.tenant.pk).filter(pk=calendar_id).first()
        if calendar is None:
            raise Http404
    form = CalendarForm(request.POST or None, initial=CalendarForm.initial_of(calendar))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                saved = services.calendar_save(
                    actor=actor, data=form.to_input(), calendar_id=calendar_id
                )
            except NotFound as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                _form_errors(form, exc, {"intervals": "day_0"})
            else:
                messages.success(
                    request,
                    _("Calendar “%(name)s” saved; the open tickets' clocks are being recomputed.")
                    % {"name": saved.name},
                )
                return redirect("standards:calendar_edit", calendar_id=saved.pk)
    context = {
        "form": form,
        "calendar": calendar,
        "date_form": CalendarDateForm(),
        "dates": (
            selectors.calendar_dates(calendar=calendar, since=_first_of_year()) if calendar else []
        ),
    }
    return render(request, "sla/calendar_form.html", context, status=status)


@login_required
@require_POST
@user_errors(_calendar_url)
def calendar_date_set(request: HttpRequest, calendar_id: int) -> HttpResponse:
    actor = _manager(request)
    form = CalendarDateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("standards:calendar_edit", calendar_id=calendar_id)
    data = form.cleaned_data
    services.calendar_date_set(
        actor=actor, calendar_id=calendar_id, day=data["date"], kind=data["kind"], name=data["name"]
    )
    messages.success(request, _("%(date)s set.") % {"date": data["date"].isoformat()})
    return redirect("standards:calendar_edit", calendar_id=calendar_id)


@login_required
@require_POST
@user_errors(_calendar_url)
def calendar_date_clear(request: HttpRequest, calendar_id: int, day: str) -> HttpResponse:
    actor = _manager(request)
    try:
        parsed = date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    services.calendar_date_clear(actor=actor, calendar_id=calendar_id, day=parsed)
    messages.success(request, _("%(date)s cleared.") % {"date": parsed.isoformat()})
    return redirect("standards:calendar_edit", calendar_id=calendar_id)


@login_required
@require_POST
@user_errors(_calendar_url)
def calendar_holidays(request: HttpRequest, calendar_id: int) -> HttpResponse:
    actor = _manager(request)
    unknown = services.calendar_holidays_reload(actor=actor, calendar_id=calendar_id)
    if unknown:
        messages.warning(
            request,
            ngettext(
                "The holiday library does not know %(years)s yet: set its holidays and "
                "make-up days by hand.",
                "The holiday library does not know %(years)s yet: set their holidays and "
                "make-up days by hand.",
                len(unknown),
            )
            % {"years": ", ".join(map(str, unknown))},
        )
    else:
        messages.success(request, _("Public holidays loaded."))
    return redirect("standards:calendar_edit", calendar_id=calendar_id)
