"""UI input of the service standards pages: the SLA report's filter bar, and the policy,
calendar and date forms of the standards pages (their data goes to ``sla.services``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhongtai.core.errors import InvalidInput
from zhongtai.core.models import validate_time_zone
from zhongtai.customers.models import CustomerTier
from zhongtai.sla import reports, services
from zhongtai.sla.choices import BreachAction, HolidaySource, ReportGroup, Target
from zhongtai.sla.models import BusinessCalendar, CalendarDate, SlaPolicy, Weekday
from zhongtai.tickets.choices import Channel, TicketPriority, TicketType

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


# --- the standards pages: policies and calendars -------------------------------------------

MINUTES_HELP = _("Business minutes, e.g. 240 for four working hours. Empty: not measured.")
HOURS_FORMAT = "%H:%M"


def percent_list(text: str) -> list[int]:
    """``"75, 90"`` (or with a Chinese comma) → ``[75, 90]``; each 1–99."""
    try:
        values = sorted({int(part) for part in text.replace("，", ",").split(",") if part.strip()})
    except ValueError:
        raise forms.ValidationError(_("Give whole percentages, e.g. 75, 90.")) from None
    if any(not 1 <= value <= 99 for value in values):
        raise forms.ValidationError(_("Each percentage is between 1 and 99."))
    return values


def _checkboxes(label: Any, choices: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def _minutes(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=services.MAX_TARGET_MINUTES,
        help_text=MINUTES_HELP,
    )


class PolicyForm(forms.Form):
    """A policy as a person edits it; the unit's calendars and categories are the choices."""

    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active"), required=False)
    published = forms.BooleanField(label=_("Shown to customers on the portal"), required=False)
    customer_tiers = _checkboxes(_("Customer tiers"), CustomerTier.choices, _("None ticked: any."))
    priorities = _checkboxes(_("Priorities"), TicketPriority.choices, _("None ticked: any."))
    types = _checkboxes(_("Ticket types"), TicketType.choices, _("None ticked: any."))
    channels = _checkboxes(_("Channels"), Channel.choices, _("None ticked: any."))
    categories = _checkboxes(
        _("Categories"), [], _("None ticked: any. A category covers its sub-categories.")
    )
    calendar = forms.TypedChoiceField(label=_("Business calendar"), coerce=int)
    first_response_minutes = _minutes(_("First response"))
    next_response_minutes = _minutes(_("Next response (after each customer message)"))
    resolution_minutes = _minutes(_("Resolution"))
    warn_at_percent = forms.CharField(
        label=_("Warn at (percent of the target)"),
        required=False,
        help_text=_("Whole percentages separated by commas, e.g. 75, 90."),
    )
    breach_actions = _checkboxes(_("When a target is breached"), BreachAction.choices)
    notify_outside_hours = forms.BooleanField(
        label=_("Send warnings and breaches outside working hours too"), required=False
    )

    def __init__(
        self,
        *args: Any,
        calendars: Sequence[tuple[int, str]],
        categories: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = list(calendars)  # type: ignore[attr-defined]
        self.fields["categories"].choices = [(str(pk), name) for pk, name in categories]  # type: ignore[attr-defined]

    def clean_warn_at_percent(self) -> list[int]:
        return percent_list(self.cleaned_data["warn_at_percent"] or "")

    def to_input(self) -> services.PolicyInput:
        data = self.cleaned_data
        return services.PolicyInput(
            name=data["name"],
            calendar_id=data["calendar"],
            first_response_minutes=data["first_response_minutes"],
            next_response_minutes=data["next_response_minutes"],
            resolution_minutes=data["resolution_minutes"],
            customer_tiers=data["customer_tiers"],
            priorities=data["priorities"],
            types=data["types"],
            channels=data["channels"],
            category_ids=[int(pk) for pk in data["categories"]],
            warn_at_percent=data["warn_at_percent"],
            breach_actions=data["breach_actions"],
            notify_outside_hours=data["notify_outside_hours"],
            is_active=data["is_active"],
            published=data["published"],
        )

    @staticmethod
    def initial_of(policy: SlaPolicy | None) -> dict[str, Any]:
        if policy is None:
            return {"is_active": True, "published": True, "warn_at_percent": "75, 90"}
        return {
            "name": policy.name,
            "is_active": policy.is_active,
            "published": policy.published,
            "customer_tiers": policy.customer_tiers,
            "priorities": policy.priorities,
            "types": policy.types,
            "channels": policy.channels,
            "categories": [str(c.pk) for c in policy.categories.all()],
            "calendar": policy.calendar_id,
            "first_response_minutes": policy.first_response_minutes,
            "next_response_minutes": policy.next_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "warn_at_percent": ", ".join(str(p) for p in policy.warn_at_percent),
            "breach_actions": policy.breach_actions,
            "notify_outside_hours": policy.notify_outside_hours,
        }


def _hours_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=200)


def hours_text(spans: Sequence[tuple[time, time]]) -> str:
    return ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in spans)


def _parse_hours(text: str) -> list[tuple[time, time]]:
    """``"09:00-12:00, 13:30-18:00"`` (hyphen, en dash or 至; comma or 、) → spans."""
    spans = []
    cleaned = text.replace("，", ",").replace("、", ",").replace("–", "-").replace("至", "-")
    for part in cleaned.split(","):
        if not part.strip():
            continue
        try:
            start_text, end_text = (piece.strip() for piece in part.split("-"))
            start = datetime.strptime(start_text, HOURS_FORMAT).time()  # noqa: DTZ007
            end = datetime.strptime(end_text, HOURS_FORMAT).time()  # noqa: DTZ007
        except ValueError:
            raise forms.ValidationError(_("Write spans like 09:00-12:00, 13:30-18:00.")) from None
        spans.append((start, end))
    return spans


class CalendarForm(forms.Form):
    """A business calendar: its settings and its hours, one line of spans per weekday."""

    name = forms.CharField(label=_("Name"), max_length=120)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("An IANA name, e.g. Asia/Shanghai or Europe/Berlin."),
    )
    always_open = forms.BooleanField(label=_("24×7: every hour of every day"), required=False)
    holiday_source = forms.ChoiceField(
        label=_("Public holidays"), choices=HolidaySource.choices, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in Weekday:
            self.fields[f"day_{day.value}"] = _hours_field(day.label)

    def weekday_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{day.value}"] for day in Weekday]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in Weekday:
            name = f"day_{day.value}"
            try:
                data[name] = _parse_hours(data.get(name) or "")
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return data

    def to_input(self) -> services.CalendarInput:
        data = self.cleaned_data
        return services.CalendarInput(
            name=data["name"],
            time_zone=data["time_zone"],
            always_open=data["always_open"],
            holiday_source=data["holiday_source"] or "",
            intervals=[
                (day.value, start, end)
                for day in Weekday
                for start, end in data[f"day_{day.value}"]
            ],
        )

    @staticmethod
    def initial_of(calendar: BusinessCalendar | None) -> dict[str, Any]:
        if calendar is None:
            office = hours_text([(time(9), time(12)), (time(13, 30), time(18))])
            return {
                "time_zone": "Asia/Shanghai",
                "holiday_source": HolidaySource.CN,
                **{f"day_{day}": office for day in range(5)},
            }
        spans: dict[int, list[tuple[time, time]]] = {day: [] for day in range(7)}
        for interval in calendar.intervals.all():
            spans[interval.weekday].append((interval.start, interval.end))
        return {
            "name": calendar.name,
            "time_zone": calendar.time_zone,
            "always_open": calendar.always_open,
            "holiday_source": calendar.holiday_source,
            **{f"day_{day}": hours_text(sorted(items)) for day, items in spans.items()},
        }


class CalendarDateForm(forms.Form):
    """A date set by hand: closed (a holiday) or a working day (e.g. a make-up day)."""

    date = forms.DateField(label=_("Date"), input_formats=DATE_FORMATS)
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDate.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
