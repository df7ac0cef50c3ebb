"""The SLA report page of the agent workspace: attainment per group and time distributions.

Thin: parse the filter form, call the report selectors, render. The page needs a logged-in
staff member (anyone else gets a 404: the workspace does not exist for them) whose role
grants ``reports.view`` (otherwise 403). The charts are drawn by ``static/zhongtai/
sla_report.js`` from data the template embeds with ``json_script`` (the CSP forbids inline
scripts).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.decorators import staff_actor_with
from zhongtai.sla import report_presenters as presenters
from zhongtai.sla import reports
from zhongtai.sla.choices import ReportGroup
from zhongtai.sla.forms import SlaReportFilterForm

PARAMS = ("from", "to", "group_by", "target")


def _report_actor(request: HttpRequest) -> Actor:
    return staff_actor_with(request, reports.REPORT_PERMISSION)


def _params(request: HttpRequest, actor: Actor) -> dict[str, str]:
    """The query's filter values over the defaults: the last 30 days, by team, all targets."""
    first_day, end = reports.report_default_period(actor=actor)
    values = {
        "from": first_day.isoformat(),
        "to": (end - timedelta(days=1)).isoformat(),
        "group_by": ReportGroup.TEAM.value,
        "target": "",
    }
    values.update({name: request.GET[name] for name in PARAMS if name in request.GET})
    return values


def _results(actor: Actor, form: SlaReportFilterForm) -> dict[str, Any]:
    date_from, date_to = form.cleaned_data["period"]
    report = reports.sla_attainment(
        actor=actor,
        date_from=date_from,
        date_to=date_to,
        group_by=form.cleaned_data["group_by"],
        target=form.cleaned_data["target"] or None,
    )
    distribution = reports.sla_distribution(actor=actor, date_from=date_from, date_to=date_to)
    return {
        "report": report,
        "group_label": ReportGroup(report.group_by).label,
        "distribution": presenters.distribution_rows(distribution),
        "chart": presenters.chart_data(report, distribution),
    }


@login_required
@require_GET
def sla_report(request: HttpRequest) -> HttpResponse:
    """The report for the chosen days; invalid filters show their errors (400)."""
    actor = _report_actor(request)
    values = _params(request, actor)
    form = SlaReportFilterForm(values)
    context: dict[str, Any] = {
        "form": form,
        "values": values,
        "group_options": presenters.select_options(ReportGroup.choices, values["group_by"]),
        "target_options": presenters.select_options(
            form.fields["target"].choices,  # type: ignore[attr-defined]
            values["target"],
        ),
        "time_zone": actor.tenant.time_zone,
    }
    status = 200
    if form.is_valid():
        context |= _results(actor, form)
    else:
        status = 400
    return render(request, "sla/report.html", context, status=status)
