"""Cache invalidation only: an edit of a calendar's hours or dates, or of a policy's
categories, touches the calendar or policy, so that every process's compiled standards
(``zhongtai.sla.standards``) see a new stamp, and this process forgets its compiled
standards at once. No workflow step happens here."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from zhongtai.sla.models import BusinessCalendar, CalendarDate, SlaPolicy, WorkingInterval
from zhongtai.sla.standards import standards_forget


@receiver([post_save, post_delete], sender=WorkingInterval)
@receiver([post_save, post_delete], sender=CalendarDate)
def calendar_touch(sender: Any, instance: WorkingInterval | CalendarDate, **kwargs: Any) -> None:
    BusinessCalendar.objects.filter(pk=instance.calendar_id).update(updated_at=timezone.now())
    standards_forget()


@receiver([post_save, post_delete], sender=BusinessCalendar)
@receiver([post_save, post_delete], sender=SlaPolicy)
def standards_touch(sender: Any, **kwargs: Any) -> None:
    standards_forget()


@receiver(m2m_changed, sender=SlaPolicy.categories.through)
def policy_touch(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and isinstance(instance, SlaPolicy):
        SlaPolicy.objects.filter(pk=instance.pk).update(updated_at=timezone.now())
        standards_forget()
