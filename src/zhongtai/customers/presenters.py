"""How a profile's timeline reads: each event's changes as short lines in the reader's
language (field labels, choice labels and people's names instead of stored values)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhongtai.accounts.models import User
from zhongtai.customers.models import (
    CustomerTier,
    IdentityKind,
    LifecycleStage,
    ProfileEvent,
    ProfileEventType,
)

FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "owner_id": gettext_lazy("Owner"),
    "lifecycle_stage": gettext_lazy("Lifecycle stage"),
    "tags": gettext_lazy("Tags"),
    "domains": gettext_lazy("Email domains"),
    "industry": gettext_lazy("Industry"),
    "region": gettext_lazy("Region"),
    "custom": gettext_lazy("Custom fields"),
    "external_id": gettext_lazy("External id"),
    "email": pgettext_lazy("address kind", "Email"),
    "phone": gettext_lazy("Phone"),
    "title": gettext_lazy("Job title"),
    "plan": gettext_lazy("Plan"),
    "value_per_year": gettext_lazy("Value per year"),
    "starts_on": gettext_lazy("Starts on"),
    "ends_on": gettext_lazy("Ends on"),
    "renews_on": gettext_lazy("Renewal date"),
}


IMPORT_KINDS = {
    "customers": gettext_lazy("Customer"),
    "contacts": gettext_lazy("Contact"),
    "contracts": gettext_lazy("Contract"),
    "assets": gettext_lazy("Asset"),
    "purchases": gettext_lazy("Purchase"),
}
IMPORT_ACTIONS = {
    "created": pgettext_lazy("imported row", "created"),
    "updated": pgettext_lazy("imported row", "updated"),
}


def _value(name: str, value: Any, people: dict[int, str]) -> str:
    if value in (None, "", [], {}):
        return "—"
    if name == "owner_id":
        return people.get(value, str(value))
    if name == "lifecycle_stage" and value in LifecycleStage.values:
        return str(LifecycleStage(value).label)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _tier(value: Any) -> str:
    return str(CustomerTier(value).label) if value in CustomerTier.values else _("the rules")


def event_lines(event: ProfileEvent, people: dict[int, str]) -> list[str]:
    data = event.data or {}
    lines: list[str] = []
    if event.type == ProfileEventType.IMPORTED and data.get("import"):
        lines.append(
            _("%(kind)s %(external_id)s: %(action)s")
            % {
                "kind": IMPORT_KINDS.get(data["import"], data["import"]),
                "external_id": data.get("external_id", ""),
                "action": IMPORT_ACTIONS.get(data.get("action", ""), data.get("action", "")),
            }
        )
        if data.get("identities_added"):
            lines.append(
                _("Identities added: %(values)s") % {"values": ", ".join(data["identities_added"])}
            )
    if event.type in (ProfileEventType.TIER, ProfileEventType.OVERRIDE):
        lines.append(f"{_('Customer tier')}: {_tier(data.get('from'))} → {_tier(data.get('to'))}")
    for name, change in (data.get("changes") or {}).items():
        label = FIELD_LABELS.get(name, name)
        before = _value(name, change.get("from"), people)
        after = _value(name, change.get("to"), people)
        lines.append(f"{label}: {before} → {after}")
    if "contact" in data and data.get("changes"):
        lines.insert(0, _("Contact %(name)s") % {"name": data["contact"]})
    if "contact_added" in data:
        lines.append(_("Contact added: %(name)s") % {"name": data["contact_added"]})
    for key, text in (
        ("identity_added", _("Identity added")),
        ("identity_removed", _("Identity removed")),
    ):
        if key in data:
            item = data[key]
            kind = (
                IdentityKind(item["kind"]).label if item.get("kind") in IdentityKind.values else ""
            )
            lines.append(f"{text}: {item.get('contact', '')} · {kind} {item.get('value', '')}")
    if "contract_added" in data:
        lines.append(_("Contract added: %(plan)s") % {"plan": data["contract_added"].get("plan")})
    if "contract_removed" in data:
        lines.append(_("Contract removed: %(plan)s") % {"plan": data["contract_removed"]})
    return lines


def events_with_lines(events: Iterable[ProfileEvent]) -> list[ProfileEvent]:
    """The events, each with ``lines`` to show (one query for the people they name)."""
    events = list(events)
    ids = {
        v
        for e in events
        for change in (e.data or {}).get("changes", {}).values()
        if isinstance(change, dict)
        for v in (change.get("from"), change.get("to"))
        if isinstance(v, int) and not isinstance(v, bool)
    }
    people = (
        {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)}
        if ids
        else {}
    )
    for event in events:
        event.lines = event_lines(event, people)  # type: ignore[attr-defined]
    return events


def _labels(choices: Any) -> dict[str, str]:
    """A choices class's labels in the current language, translated once."""
    return {value: str(label) for value, label in choices.choices}


def label_history(tickets: Iterable[Any]) -> None:
    """Give history rows their status, priority and channel labels (``get_…_display``
    costs a translation and a hash of every choice per call: 75 calls a page)."""
    from zhongtai.tickets.choices import Channel, TicketPriority, TicketStatus

    status, priority, channel = _labels(TicketStatus), _labels(TicketPriority), _labels(Channel)
    for ticket in tickets:
        ticket.status_label = status.get(ticket.status, ticket.status)
        ticket.priority_label = priority.get(ticket.priority, ticket.priority)
        ticket.channel_label = channel.get(ticket.channel, ticket.channel)


def label_profile(profile: Any) -> None:
    """The same for the identities, contracts and events of a profile."""
    from zhongtai.customers.models import ContractKind

    kinds, types, contract_kinds = (
        _labels(IdentityKind),
        _labels(ProfileEventType),
        _labels(ContractKind),
    )
    for contact in profile.contacts:
        for identity in contact.identities.all():
            identity.kind_label = kinds.get(identity.kind, identity.kind)
    for event in profile.events:
        event.type_label = types.get(event.type, event.type)
    for contract in profile.contracts:
        contract.kind_label = contract_kinds.get(contract.kind, contract.kind)
    label_history(profile.history)
