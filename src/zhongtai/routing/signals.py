"""Cache invalidation only: a write of routing data makes this process forget its compiled
routing (``zhongtai.routing.state``); other processes see the new stamp within seconds.
No workflow step happens here."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from zhongtai.routing.models import ClassifierModel, RoutingRule, RoutingSettings, TeamRouting
from zhongtai.routing.state import routing_forget
from zhongtai.tickets.models import Category


@receiver([post_save, post_delete], sender=RoutingRule)
@receiver([post_save, post_delete], sender=RoutingSettings)
@receiver([post_save, post_delete], sender=ClassifierModel)
@receiver([post_save, post_delete], sender=TeamRouting)
@receiver([post_save, post_delete], sender=Category)
def routing_touch(sender: Any, **kwargs: Any) -> None:
    routing_forget()


@receiver(m2m_changed, sender=RoutingRule.categories.through)
def rule_touch(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and isinstance(instance, RoutingRule):
        RoutingRule.objects.filter(pk=instance.pk).update(updated_at=timezone.now())
        routing_forget()
