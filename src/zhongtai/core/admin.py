from django.contrib import admin

from zhongtai.core.models import Tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "ticket_prefix", "time_zone", "language", "is_demo"]
    search_fields = ["name", "slug"]
    readonly_fields = ["ticket_seq", "created_at", "updated_at"]
