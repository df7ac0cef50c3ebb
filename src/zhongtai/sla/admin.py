from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhongtai.sla.models import (
    BusinessCalendar,
    CalendarDate,
    HolidayYear,
    SlaPolicy,
    WorkingInterval,
)


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


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "name",
        "tenant",
        "position",
        "is_active",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "calendar",
    ]
    list_editable = ["position", "is_active"]
    list_filter = ["tenant", "is_active"]
    filter_horizontal = ["categories"]
