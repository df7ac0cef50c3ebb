from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from zhongtai.accounts.models import ApiToken, Membership, Team, User


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    fields = ["tenant", "role", "is_active"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Zhongtai"), {"fields": ["display_name"]}),
    )
    list_display = ["username", "display_name", "email", "is_staff", "is_active"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "tenant", "role", "is_active"]
    list_filter = ["tenant", "role", "is_active"]
    search_fields = ["user__username", "user__display_name"]
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "tenant", "tier", "lead"]
    list_filter = ["tenant", "tier"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens are created by their owners; administrators can only see and revoke them."""

    list_display = ["name", "prefix", "membership", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["membership", "name", "prefix", "key_hash", "last_used_at", "created_at"]
    list_filter = ["revoked_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
