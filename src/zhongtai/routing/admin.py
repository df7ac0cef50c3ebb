"""Django admin for routing: the classifier versions of each business unit, with their
training progress and scores; a new version is trained on the unit's tickets in a task."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zhongtai.routing import services
from zhongtai.routing.models import (
    AgentProfile,
    ClassifierModel,
    RoutingRule,
    RoutingSettings,
    SurgeEnrolment,
    TeamRouting,
)


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "tenant",
        "target",
        "version",
        "status",
        "progress",
        "examples",
        "held_back",
        "held_back_accuracy",
        "held_back_macro_f1",
        "seconds",
        "trained_at",
    ]
    list_filter = ["tenant", "target", "status"]
    readonly_fields = [f.name for f in ClassifierModel._meta.fields if f.name != "blob"]
    exclude = ["blob"]
    actions = ["train_again"]

    def _held(self, obj: ClassifierModel, key: str) -> Any:
        held = (obj.metrics or {}).get("held_back") or {}
        return held.get(key, "—")

    @admin.display(description=_("held-back accuracy"))
    def held_back_accuracy(self, obj: ClassifierModel) -> Any:
        return self._held(obj, "accuracy")

    @admin.display(description=_("held-back macro-F1"))
    def held_back_macro_f1(self, obj: ClassifierModel) -> Any:
        return self._held(obj, "macro_f1")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClassifierModel]:
        return super().get_queryset(request).defer("blob")

    @admin.action(description=_("Train a new version on these units' resolved tickets"))
    def train_again(self, request: HttpRequest, queryset: QuerySet[ClassifierModel]) -> None:
        from zhongtai.routing.tasks import classifier_train_task

        for tenant_id, target in set(queryset.values_list("tenant_id", "target")):
            model = services.classifier_version_new_for(tenant_id=tenant_id, target=target)
            classifier_train_task(model.pk)
        self.message_user(request, _("Training queued."), messages.INFO)


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["tenant", "classify_at_intake", "confidence_threshold"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "tenant", "position", "is_active", "set_priority", "set_team"]
    list_filter = ["tenant", "is_active"]
    filter_horizontal = ["categories"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "tenant", "status", "max_open", "status_changed_at", "last_assigned_at"]
    list_filter = ["tenant", "status"]
    raw_id_fields = ["user"]


@admin.register(TeamRouting)
class TeamRoutingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["team", "tenant", "overflow_to", "max_waiting", "max_wait_minutes", "surge_on"]
    list_filter = ["tenant", "surge_on"]


@admin.register(SurgeEnrolment)
class SurgeEnrolmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["day", "team", "user", "enrolled_by"]
    list_filter = ["tenant", "day"]
    raw_id_fields = ["user", "enrolled_by"]
