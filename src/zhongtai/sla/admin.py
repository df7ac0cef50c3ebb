"""Django admin for service standards: calendars (hours, holidays, dates) and SLA policies.

Saving a calendar or a policy recomputes the clocks of the tenant's open tickets in a
task (``standards_changed``); lists of values are edited as checkboxes, not raw JSON.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zhongtai.customers.models import CustomerTier
from zhongtai.sla.choices import BreachAction
from zhongtai.sla.clocks import standards_changed
from zhongtai.sla.forms import percent_list
from zhongtai.sla.models import (
    BusinessCalendar,
    CalendarDate,
    HolidayYear,
    SlaPolicy,
    SlaTimer,
    WorkingInterval,
)
from zhongtai.sla.services import calendar_holidays_load
from zhongtai.tickets.choices import Channel, TicketPriority, TicketType


class WorkingIntervalInline(admin.TabularInline):  # type: ignore[type-arg]
    model = WorkingInterval
    extra = 0


class CalendarDateInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CalendarDate
    extra = 0
    fields = ["date", "kind", "source", "name"]


class HolidayYearInline(admin.TabularInline):  # type: ignore[type-arg]
    """Years of the holiday library: an unknown year is shown so that someone acts on it."""

    model = HolidayYear
    extra = 0
    fields = ["year", "known", "loaded_at"]
    readonly_fields = ["year", "known", "loaded_at"]
    can_delete = False
    verbose_name_plural = _("holiday years (an unknown year needs its dates set by hand)")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "tenant", "time_zone", "always_open", "holiday_source"]
    list_filter = ["tenant", "holiday_source"]
    inlines = [WorkingIntervalInline, HolidayYearInline, CalendarDateInline]
    actions = ["load_holidays"]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        standards_changed(tenant_id=form.instance.tenant_id, reason="calendar")

    @admin.action(description=_("Load public holidays for this year and the next"))
    def load_holidays(self, request: HttpRequest, queryset: QuerySet[BusinessCalendar]) -> None:
        year = timezone.localdate().year
        for calendar in queryset:
            unknown = calendar_holidays_load(calendar=calendar, years=[year, year + 1])
            standards_changed(tenant_id=calendar.tenant_id, reason="calendar")
            if unknown:
                self.message_user(
                    request,
                    ngettext(
                        "%(calendar)s: the holiday library does not know %(years)s yet; "
                        "set its holidays and make-up days by hand.",
                        "%(calendar)s: the holiday library does not know %(years)s yet; "
                        "set their holidays and make-up days by hand.",
                        len(unknown),
                    )
                    % {"calendar": calendar, "years": ", ".join(map(str, unknown))},
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request, _("%(calendar)s: holidays loaded.") % {"calendar": calendar}
                )


def _checkboxes(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None checked: any."),
    )


class SlaPolicyForm(forms.ModelForm):  # type: ignore[type-arg]
    customer_tiers = _checkboxes(_("customer tiers"), CustomerTier.choices)
    priorities = _checkboxes(_("priorities"), TicketPriority.choices)
    types = _checkboxes(_("ticket types"), TicketType.choices)
    channels = _checkboxes(_("channels"), Channel.choices)
    breach_actions = forms.MultipleChoiceField(
        label=_("breach actions"),
        choices=BreachAction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    warn_at_percent = forms.CharField(
        label=SlaPolicy._meta.get_field("warn_at_percent").verbose_name,
        required=False,
        help_text=_("Whole percentages separated by commas, e.g. 75, 90."),
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "tenant",
            "name",
            "position",
            "is_active",
            "published",
            "customer_tiers",
            "priorities",
            "types",
            "channels",
            "categories",
            "calendar",
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "warn_at_percent",
            "breach_actions",
            "notify_outside_hours",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            values = self.instance.warn_at_percent or []
            self.initial["warn_at_percent"] = ", ".join(str(v) for v in values)

    def clean_warn_at_percent(self) -> list[int]:
        return percent_list(self.cleaned_data["warn_at_percent"] or "")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = SlaPolicyForm
    list_display = [
        "name",
        "tenant",
        "position",
        "is_active",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "calendar",
        "published",
    ]
    list_editable = ["position", "is_active"]
    list_filter = ["tenant", "is_active"]
    filter_horizontal = ["categories"]
    fieldsets = [
        (None, {"fields": ["tenant", "name", "position", "is_active", "published"]}),
        (
            _("Which tickets (first matching policy wins)"),
            {"fields": ["customer_tiers", "priorities", "types", "channels", "categories"]},
        ),
        (
            _("Targets in business minutes"),
            {
                "fields": [
                    "calendar",
                    "first_response_minutes",
                    "next_response_minutes",
                    "resolution_minutes",
                ]
            },
        ),
        (
            _("Warnings and breaches"),
            {"fields": ["warn_at_percent", "breach_actions", "notify_outside_hours"]},
        ),
    ]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        standards_changed(tenant_id=form.instance.tenant_id, reason="policy")

    def delete_model(self, request: Any, obj: SlaPolicy) -> None:
        tenant_id = obj.tenant_id
        super().delete_model(request, obj)
        standards_changed(tenant_id=tenant_id, reason="policy")

    def delete_queryset(self, request: Any, queryset: QuerySet[SlaPolicy]) -> None:
        tenant_ids = set(queryset.values_list("tenant_id", flat=True))
        super().delete_queryset(request, queryset)
        for tenant_id in tenant_ids:
            standards_changed(tenant_id=tenant_id, reason="policy")


@admin.register(SlaTimer)
class SlaTimerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: timers are kept by the ticket services and the sweep."""

    list_display = ["ticket", "target", "policy", "started_at", "due_at", "fulfilled_at"]
    list_filter = ["tenant", "target"]
    raw_id_fields = ["ticket"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
