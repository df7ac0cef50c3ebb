"""UI input of the service standards pages: the SLA report's filter bar."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhongtai.core.errors import InvalidInput
from zhongtai.sla import reports
from zhongtai.sla.choices import ReportGroup, Target

DATE_FORMATS = ["%Y-%m-%d"]


class SlaReportFilterForm(forms.Form):
    """The days of the report (both included, as in the API), the grouping and the target.

    ``cleaned_data["period"]`` is the checked half-open period for ``zhongtai.sla.reports``.
    """

    group_by = forms.ChoiceField(label=_("Group by"), choices=ReportGroup.choices)
    target = forms.ChoiceField(
        label=_("Target"), choices=[("", _("All targets")), *Target.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The API calls the days ``from`` and ``to``; ``from`` is a Python keyword, so the
        # two date fields are named here rather than declared on the class.
        self.fields = {
            "from": forms.DateField(label=_("From"), input_formats=DATE_FORMATS),
            "to": forms.DateField(label=_("To"), input_formats=DATE_FORMATS),
            **self.fields,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first_day: date | None = data.get("from")
        last_day: date | None = data.get("to")
        if first_day and last_day:
            try:
                data["period"] = reports.report_period(first_day=first_day, last_day=last_day)
            except InvalidInput as exc:
                for error in exc.errors:
                    self.add_error("to", error["message"])
        return data
