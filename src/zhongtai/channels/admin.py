"""Django admin for outbound webhooks, read-only: subscriptions (their secrets never shown)
and the delivery log with each delivery's attempts (written by the outbox and the sender)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhongtai.channels.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: a webhook is written through its service (the secret is made there and
    the address checked), on the unit's webhook pages or the API."""

    list_display = ["name", "tenant", "url", "is_active", "updated_at"]
    list_filter = ["tenant", "is_active"]
    search_fields = ["name", "url"]
    exclude = ["secret", "previous_secret"]  # shown to the unit's administrator once


class WebhookAttemptInline(_ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("number", "created_at", "status_code", "error", "duration_ms", "response_excerpt")
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "created_at",
        "tenant",
        "subscription",
        "event",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["tenant", "state", "event"]
    search_fields = ["=event_id"]
    list_select_related = ["tenant", "subscription"]
    show_full_result_count = False
    inlines = [WebhookAttemptInline]
