"""One filter set for the agent queue, the API list and (later) exports.

``TicketFilterForm`` validates query parameters (an unknown enum value is an error, not
silently ignored) and ``ticket_filter_apply`` turns them into a tenant-scoped queryset.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Tier
from zhongtai.core.errors import InvalidInput
from zhongtai.core.inputs import MAX_ID
from zhongtai.tickets import selectors
from zhongtai.tickets.choices import Channel, TicketPriority, TicketStatus, TicketType
from zhongtai.tickets.models import Ticket

QUEUE_COUNT_CAP = 999


class Queue:
    MINE = "mine"
    TEAM = "team"
    TEAM_ALL = "team_all"
    OPEN = "open"
    BREACHING = "breaching"
    TRIAGE = "triage"
    ALL = "all"

    choices = [
        (MINE, _("My open tickets")),
        (TEAM, _("Unassigned in my team")),
        (TEAM_ALL, _("My team's open tickets")),
        (OPEN, _("All open")),
        (BREACHING, _("Breaching soon")),
        (TRIAGE, _("Needs triage")),
        (ALL, _("All tickets")),
    ]


def queue_filter(*, actor: Actor, queue: str) -> Q:
    user = actor.user
    if queue == Queue.MINE:
        return selectors.open_q() & (Q(assignee=user) | Q(engineer=user))
    if queue in (Queue.TEAM, Queue.TEAM_ALL):
        base = selectors.open_q() & Q(team_id__in=selectors.my_team_ids(actor=actor))
        if queue == Queue.TEAM_ALL:
            return base
        unassigned = Q(tier=Tier.L1, assignee__isnull=True) | (
            ~Q(tier=Tier.L1) & Q(engineer__isnull=True)
        )
        return base & unassigned
    if queue == Queue.OPEN:
        return selectors.open_q()
    if queue == Queue.TRIAGE:  # the classifier was not sure of the category
        return selectors.open_q() & Q(needs_triage=True)
    if queue == Queue.BREACHING:  # the page lists these by time left; the API by age
        return selectors.open_q() & Q(selectors.has_running_sla_clock())
    return Q()


class TicketFilterForm(forms.Form):
    queue = forms.ChoiceField(label=_("Queue"), choices=Queue.choices, required=False)
    status = forms.MultipleChoiceField(
        label=_("Status"), choices=TicketStatus.choices, required=False
    )
    priority = forms.MultipleChoiceField(
        label=_("Priority"), choices=TicketPriority.choices, required=False
    )
    type = forms.MultipleChoiceField(label=_("Type"), choices=TicketType.choices, required=False)
    channel = forms.MultipleChoiceField(label=_("Channel"), choices=Channel.choices, required=False)
    category = forms.IntegerField(
        label=_("Category"), required=False, min_value=1, max_value=MAX_ID
    )
    customer = forms.IntegerField(
        label=_("Customer"), required=False, min_value=1, max_value=MAX_ID
    )
    customer_name = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1, max_value=MAX_ID)
    assignee = forms.CharField(label=_("Assignee"), required=False, max_length=20)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    q = forms.CharField(label=_("Text"), required=False, max_length=200)

    def clean_assignee(self) -> str:
        value: str = self.cleaned_data["assignee"]
        if value not in ("", "none", "me") and not (value.isdigit() and int(value) <= MAX_ID):
            raise forms.ValidationError(_("Use a user id, “me” or “none”."))
        return value


def ticket_filter_parse(params: Any) -> dict[str, Any]:
    """Validate query parameters; raise ``InvalidInput`` with field errors."""
    form = TicketFilterForm(params)
    if not form.is_valid():
        errors = [
            {"field": field, "message": " ".join(str(m) for m in messages)}
            for field, messages in form.errors.items()
        ]
        raise InvalidInput(errors=errors)
    return form.cleaned_data


def ticket_filter_apply(
    *, actor: Actor, qs: QuerySet[Ticket], filters: dict[str, Any]
) -> QuerySet[Ticket]:
    if filters.get("queue"):
        qs = qs.filter(queue_filter(actor=actor, queue=filters["queue"]))
    for name in ("status", "priority", "type", "channel"):
        if filters.get(name):
            qs = qs.filter(**{f"{name}__in": filters[name]})
    if filters.get("category"):
        qs = qs.filter(
            Q(category_id=filters["category"]) | Q(category__parent_id=filters["category"])
        )
    if filters.get("customer"):
        qs = qs.filter(customer_id=filters["customer"])
    if filters.get("customer_name"):
        qs = qs.filter(customer__name__icontains=filters["customer_name"])
    if filters.get("team"):
        qs = qs.filter(team_id=filters["team"])
    assignee = filters.get("assignee")
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee == "me":
        qs = qs.filter(assignee=actor.user)
    elif assignee:
        qs = qs.filter(assignee_id=int(assignee))
    if filters.get("tag"):
        qs = qs.filter(tags__tenant=actor.tenant, tags__name=filters["tag"])
    if filters.get("q"):
        qs = qs.filter(selectors.ticket_search_q(filters["q"]))
    return qs
