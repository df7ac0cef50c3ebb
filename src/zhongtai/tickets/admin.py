"""Admin for the ticket domain's reference data. Tickets themselves change only through the
workspace and the API (services write the timeline), so they are read-only here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhongtai.tickets.models import Category, Tag, Ticket, TicketEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "tenant", "parent"]
    list_filter = ["tenant"]
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "tenant"]
    list_filter = ["tenant"]
    search_fields = ["name"]


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TicketEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TicketEvent
    extra = 0
    fields = ["created_at", "type", "actor", "is_public", "body", "data"]
    readonly_fields = ["created_at", "type", "actor", "is_public", "body", "data"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "tenant", "subject", "status", "priority", "tier", "assignee"]
    list_filter = ["tenant", "status", "priority", "type", "tier", "channel"]
    search_fields = ["subject"]
    list_select_related = ["tenant", "assignee"]
    show_full_result_count = False
    inlines = [TicketEventInline]
