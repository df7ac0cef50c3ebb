"""Routing at intake: the ticket services call ``ticket_route`` inside their transaction.

First the unit's routing rules (``zhongtai.routing.rules``) set what they set: category,
type, priority, team, tags. Then a ticket still without a category is classified by the
unit's active category classifier: a prediction at least as sure as the unit's threshold
sets the category; a less sure one marks the ticket for triage, where a person picks
(the top three suggestions are on its timeline). Either way one routing event on the
timeline says why (the rules that matched and what each set, the classifier version and
its confidences), so a team lead can see where a ticket went and on what grounds. The
category a person sets later is what the next training learns from. Last, where the unit
assigns automatically, the ticket goes to a person of its team
(``zhongtai.routing.assignment``), and the event says who else could have taken it.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from zhongtai.routing import assignment, services
from zhongtai.routing.rules import (
    RuleFacts,
    asset_facts,
    category_ancestors,
    facts_text,
    rules_apply,
)
from zhongtai.routing.state import RoutingState, routing_state
from zhongtai.tickets import events
from zhongtai.tickets.choices import EventType, TicketPriority
from zhongtai.tickets.models import Ticket

SUGGESTIONS = 3


def ticket_route(*, ticket: Ticket, chosen: frozenset[str] = frozenset()) -> list[str]:
    """Route a new ticket (the caller saved it): the unit's rules, then the classifier for
    a category still missing, then the team and priority classifiers (where the unit
    trained them) for what neither a rule nor the person who opened it (``chosen``) set,
    then assignment. Returns the fields it changed; the timeline says why."""
    state = routing_state(ticket.tenant_id)
    data: dict[str, Any] = {}
    changed = _rules(ticket, state, data)
    changed += _classify(ticket, state, data)
    changed += _predict(ticket, state, data, chosen | set(changed) | set(data.get("set_by", {})))
    from_team = ticket.team
    assigned, explain = assignment.assign_at_intake(ticket, state)
    if explain is not None:
        data["assignment"] = explain
    changed += assigned
    if changed:
        ticket.save(update_fields=sorted(set(changed) - {"tags"}))
    if data:
        events.events_insert(
            [
                events.event_row(
                    tenant_id=ticket.tenant_id,
                    ticket_id=ticket.pk,
                    type=EventType.ROUTING,
                    at=timezone.now(),
                    data=data,
                )
            ]
        )
    if assigned:  # (after the routing event: the timeline reads why, then who)
        assignment.assignment_recorded(ticket, assigned, from_team)
    return changed


def _facts(ticket: Ticket, state: RoutingState) -> RuleFacts:
    email = ticket.contact.email if ticket.contact else ""
    asset = ticket.asset if ticket.asset_id else None
    today = timezone.localdate(timezone=ZoneInfo(ticket.tenant.time_zone))
    return RuleFacts(
        text=facts_text(ticket.subject, ticket.description),
        channel=ticket.channel,
        customer_tier=ticket.customer.tier if ticket.customer else "",
        category_ids=category_ancestors(ticket.category_id, state.parents),
        contact_domain=email.rpartition("@")[2].lower(),
        **asset_facts(
            asset.product_line if asset else None,
            asset.product_model if asset else None,
            asset.warranty_on(today) if asset else None,
        ),
    )


def _rules(ticket: Ticket, state: RoutingState, data: dict[str, Any]) -> list[str]:
    if not state.rules:
        return []
    outcome = rules_apply(state.rules, _facts(ticket, state))
    if not outcome.matched:
        return []
    changed: list[str] = []
    fields = dict(outcome.fields)
    if ticket.category_id is not None:
        fields.pop("category_id", None)  # a category chosen by a person stays
    for name, value in fields.items():
        if getattr(ticket, name) != value:
            setattr(ticket, name, value)
            changed.append(name.removesuffix("_id"))
    if "team" in changed and ticket.team is not None:
        ticket.tier = ticket.team.tier
        changed.append("tier")
    if outcome.tags:
        from zhongtai.tickets.services._base import tags_resolve  # (they call this module)

        ticket.tags.add(*tags_resolve(tenant=ticket.tenant, names=outcome.tags))
        changed.append("tags")
    data["rules"] = outcome.matched
    data["set_by"] = {
        name.removesuffix("_id"): rule for name, rule in outcome.set_by.items() if name in fields
    }
    if outcome.tags:
        data["tags"] = outcome.tags
    return changed


def _classify(ticket: Ticket, state: RoutingState, data: dict[str, Any]) -> list[str]:
    if ticket.category_id is not None or not state.classify or state.classifier is None:
        return []
    model_id, version = state.classifier
    fitted = services.classifier_fitted(model_id=model_id)
    if fitted is None:
        return []
    text = services.ticket_text(ticket.subject, ticket.description)
    suggestions = fitted.predict([text], k=SUGGESTIONS)[0]
    known = [(label, p) for label, p in suggestions if label in state.categories]
    best = known[0] if known else None
    applied = best is not None and best[1] >= state.threshold
    if applied and best is not None:
        ticket.category_id = state.categories[best[0]]
        changed = ["category"]
    else:
        ticket.needs_triage = True
        changed = ["needs_triage"]
    data.update(
        {
            "action": "classified" if applied else "triage",
            "version": version,
            "threshold": state.threshold,
            "suggestions": [
                {
                    "label": label,
                    "category_id": state.categories.get(label),
                    "confidence": round(p, 4),
                }
                for label, p in suggestions
            ],
        }
    )
    return changed


def _predict(
    ticket: Ticket, state: RoutingState, data: dict[str, Any], taken: AbstractSet[str]
) -> list[str]:
    """Team and priority from their classifiers, at or above the threshold; a team sets the
    ticket's tier too. Each prediction is on record, applied or not."""
    changed: list[str] = []
    for target, (model_id, version) in sorted(state.predictors.items()):
        if target not in ("team", "priority") or target in taken:
            continue
        fitted = services.classifier_fitted(model_id=model_id)
        if fitted is None:
            continue
        text = services.ticket_text(ticket.subject, ticket.description)
        label, confidence = fitted.predict([text], k=1)[0][0]
        applied = False
        if confidence >= state.threshold:
            if target == "team" and label in state.teams:
                team_id, tier = state.teams[label]
                applied = team_id != ticket.team_id
                if applied:
                    ticket.team_id, ticket.tier = team_id, tier
                    changed += ["team", "tier"]
            elif target == "priority" and label in TicketPriority.values:
                applied = label != ticket.priority
                if applied:
                    ticket.priority = label
                    changed.append("priority")
        data.setdefault("predictions", {})[target] = {
            "label": label,
            "confidence": round(confidence, 4),
            "version": version,
            "applied": applied,
        }
    return changed


def correction_of(ticket: Ticket) -> dict[str, Any] | None:
    """When a person changes the category of a ticket whose category the classifier set
    (the caller changed it, not yet saved): what was predicted, by which version, with what
    confidence. The next training learns the person's category; this keeps the record of
    how often the classifier was overruled."""
    event = (
        ticket.events.filter(type=EventType.ROUTING, data__action="classified")
        .order_by("-id")
        .values_list("data", flat=True)
        .first()
    )
    if not event:
        return None
    suggestions = event.get("suggestions") or []
    best = suggestions[0] if suggestions else {}
    if best.get("category_id") == ticket.category_id:
        return None
    return {
        "version": event.get("version"),
        "predicted": best.get("label"),
        "predicted_id": best.get("category_id"),
        "confidence": best.get("confidence"),
    }
