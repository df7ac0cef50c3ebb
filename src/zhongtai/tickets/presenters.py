"""Turn tickets and timeline events into ready-to-render rows for the agent workspace.

Templates hold no logic (R10.5): labels, badge colours, references and the sentence that
describes each timeline event are decided here, from ``choices.py`` and the event data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from zhongtai.accounts.models import Team, Tier
from zhongtai.channels.mail.sanitize import html_for_display
from zhongtai.core.errors import ApplicationError
from zhongtai.core.models import Tenant
from zhongtai.customers.models import Asset, WarrantyStatus
from zhongtai.tickets.choices import (
    PRIORITY_BADGE,
    STATUS_BADGE,
    EventType,
    PresenceState,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from zhongtai.tickets.downloads import DRAWN_INLINE
from zhongtai.tickets.filters import QUEUE_COUNT_CAP, Queue
from zhongtai.tickets.models import Ticket, TicketEvent, TicketPresence

EMPTY = "—"


def ticket_reference(tenant: Tenant, number: int) -> str:
    """The number people say and search for, e.g. ``SH-000123``."""
    return f"{tenant.ticket_prefix}-{number:06d}"


def ticket_url(number: int) -> str:
    return reverse("tickets:ticket_detail", args=[number])


def status_badge(status: str) -> str:
    return STATUS_BADGE.get(TicketStatus(status), "secondary")


def priority_badge(priority: str) -> str:
    return PRIORITY_BADGE.get(TicketPriority(priority), "secondary")


@dataclass(frozen=True)
class TicketRow:
    """A ticket as a queue row or a child/parent link."""

    ticket: Ticket
    reference: str
    url: str
    status_badge: str
    priority_badge: str
    tags: list[str] = field(default_factory=list)
    sla: Any = None  # the most urgent running SLA clock (``zhongtai.sla.countdown.ClockView``)


def ticket_row(
    tenant: Tenant, ticket: Ticket, *, with_tags: bool = False, sla: Any = None
) -> TicketRow:
    return TicketRow(
        sla=sla,
        ticket=ticket,
        reference=ticket_reference(tenant, ticket.number),
        url=ticket_url(ticket.number),
        status_badge=status_badge(ticket.status),
        priority_badge=priority_badge(ticket.priority),
        tags=[tag.name for tag in ticket.tags.all()] if with_tags else [],
    )


@dataclass(frozen=True)
class QueueLink:
    key: str
    label: str
    url: str
    active: bool
    count: str


def queue_links(*, active: str, counts: Mapping[str, int]) -> list[QueueLink]:
    """The queue menu; counts are capped, so a full queue shows ``999+``."""
    links = []
    for key, label in Queue.choices:
        count = counts.get(key)
        shown = (
            ""
            if count is None
            else (f"{QUEUE_COUNT_CAP}+" if count > QUEUE_COUNT_CAP else str(count))
        )
        url = reverse("tickets:ticket_list") + "?" + urlencode({"queue": key})
        links.append(
            QueueLink(key=key, label=str(label), url=url, active=key == active, count=shown)
        )
    return links


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class FileLink:
    filename: str
    size: int
    url: str
    picture_url: str = ""  # a picture the page can draw (a thumbnail, a mail's inline image)
    content_id: str = ""


@dataclass(frozen=True)
class TimelineRow:
    """One event as the timeline shows it: who, when, what, before → after."""

    id: int
    kind: str
    actor: str
    created_at: datetime
    title: str
    body: str = ""
    is_public: bool = False
    changes: list[Change] = field(default_factory=list)
    files: list[FileLink] = field(default_factory=list)
    link_url: str = ""
    link_text: str = ""
    from_reference: str = ""
    html: str = ""  # a mail's formatted body, sanitized, its images in place (safe to show)


_CHOICE_LABELS: dict[str, Any] = {
    "priority": TicketPriority,
    "type": TicketType,
    "status": TicketStatus,
    "tier": Tier,
    "from_tier": Tier,
    "to_tier": Tier,
}


def _field_label(name: str) -> str:
    labels = {
        "subject": _("Subject"),
        "type": _("Type"),
        "priority": _("Priority"),
        "category": _("Category"),
        "tags": _("Tags"),
        "status": _("Status"),
        "assignee": _("Assignee"),
        "engineer": _("Engineer"),
        "team": _("Team"),
        "tier": _("Tier"),
    }
    return labels.get(name, name)


def display_value(name: str, value: Any) -> str:
    """A stored before/after value as people read it (labels, names, lists)."""
    if value is None or value == "" or value == []:
        return EMPTY
    choices = _CHOICE_LABELS.get(name)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or EMPTY)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _ref_name(ref: Any) -> str:
    return display_value("", ref)


def _files(event: TicketEvent, number: int) -> list[FileLink]:
    return [
        FileLink(
            filename=attachment.filename,
            size=attachment.size,
            url=reverse("tickets:attachment_download", args=[number, attachment.pk]),
            picture_url=reverse("tickets:attachment_view", args=[number, attachment.pk])
            if attachment.content_type in DRAWN_INLINE
            else "",
            content_id=attachment.content_id,
        )
        for attachment in event.attachments.all()
    ]


def _mail_html(event: TicketEvent, files: list[FileLink]) -> str:
    """The formatted body of a mail, its inline images pointing at the stored files."""
    html = ((event.data or {}).get("mail") or {}).get("html")
    if not html or not isinstance(html, str):
        return ""
    images = {f.content_id.lower(): f.picture_url for f in files if f.content_id and f.picture_url}
    return mark_safe(html_for_display(html, images))  # sanitized by nh3 just now


def _describe(tenant: Tenant, event: TicketEvent) -> dict[str, Any]:
    data = event.data or {}
    kind = event.type
    if kind == EventType.CREATED:
        return {"title": _("opened the ticket"), "kind": "created"}
    if kind == EventType.PUBLIC_REPLY:
        return {"title": _("replied to the customer"), "kind": "public_reply"}
    if kind == EventType.INTERNAL_NOTE:
        return {"title": _("added an internal note"), "kind": "internal_note"}
    if kind == EventType.FIELD_CHANGE:
        changes = [
            Change(
                _field_label(name),
                display_value(name, c.get("from")),
                display_value(name, c.get("to")),
            )
            for name, c in (data.get("changes") or {}).items()
        ]
        return {"title": _("changed the ticket"), "changes": changes}
    if kind == EventType.STATUS_CHANGE:
        titles = {
            "reply": _("changed the status with a reply"),
            "customer_reply": _("reopened the ticket: the customer replied"),
            "merge": _("closed the ticket as a merged duplicate"),
            "customer_solved": _("marked the request as solved"),
        }
        change = Change(
            _("Status"),
            display_value("status", data.get("from")),
            display_value("status", data.get("to")),
        )
        title = titles.get(str(data.get("cause")), _("changed the status"))
        return {"title": title, "changes": [change]}
    if kind == EventType.ASSIGNMENT:
        role = str(data.get("role") or "assignee")
        changes = [
            Change(_field_label(role), _ref_name(data.get("from")), _ref_name(data.get("to")))
        ]
        if data.get("from_team") != data.get("to_team"):
            changes.append(
                Change(_("Team"), _ref_name(data.get("from_team")), _ref_name(data.get("to_team")))
            )
        routing = data.get("routing")
        if isinstance(routing, dict):  # handed out from the queue: why this person
            rows = [Change(_field_label(role), "", _ref_name(data.get("to")))]
            title = _describe_assignment(routing, rows)
            return {"title": title, "changes": rows, "kind": "routing"}
        return {"title": _("changed the assignment"), "changes": changes}
    if kind in (EventType.ESCALATION, EventType.HANDBACK):
        team = _ref_name(data.get("to_team"))
        title = (
            _("escalated the ticket to %(team)s") % {"team": team}
            if kind == EventType.ESCALATION
            else _("handed the ticket back to %(team)s") % {"team": team}
        )
        changes = [
            Change(_("Team"), _ref_name(data.get("from_team")), team),
            Change(
                _("Tier"),
                display_value("tier", data.get("from_tier")),
                display_value("tier", data.get("to_tier")),
            ),
        ]
        return {"title": title, "changes": changes, "kind": "escalation"}
    if kind == EventType.MERGE:
        source, target = int(data.get("source") or 0), int(data.get("target") or 0)
        if event.ticket.number == source:
            return {
                "title": _("merged this ticket into %(ref)s")
                % {"ref": ticket_reference(tenant, target)},
                "link_url": ticket_url(target),
                "link_text": ticket_reference(tenant, target),
            }
        return {
            "title": _("merged %(ref)s into this ticket")
            % {"ref": ticket_reference(tenant, source)},
            "link_url": ticket_url(source),
            "link_text": ticket_reference(tenant, source),
        }
    if kind == EventType.CHILD_LINK:
        child = int(data.get("child") or 0)
        ref = ticket_reference(tenant, child)
        title = (
            _("opened child ticket %(ref)s, which blocks resolving this one") % {"ref": ref}
            if data.get("blocks_parent")
            else _("opened child ticket %(ref)s") % {"ref": ref}
        )
        return {"title": title, "link_url": ticket_url(child), "link_text": ref}
    if kind == EventType.ATTACHMENT:
        return {"title": _("attached files")}
    if kind == EventType.SLA:
        return _describe_sla(data)
    if kind == EventType.ROUTING:
        return _describe_routing(data)
    return {"title": str(event.get_type_display())}


def _describe_routing(data: dict[str, Any]) -> dict[str, Any]:
    """Routing at intake: the rules that matched and what each set; the classifier's
    category, or triage with its suggestions."""
    set_by = (data.get("set_by") or {}).items()
    rows = [Change(_field_label(str(name)), "", str(rule)) for name, rule in set_by]
    suggestions = [s for s in data.get("suggestions") or [] if isinstance(s, dict)]
    rows += [
        Change(str(s.get("label")), "", f"{round(100 * float(s.get('confidence') or 0))} %")
        for s in suggestions
    ]
    parts = []
    if data.get("rules"):
        parts.append(
            _("applied the routing rules %(rules)s")
            % {"rules": ", ".join(f"“{name}”" for name in data["rules"])}
        )
    version = data.get("version")
    if data.get("action") == "classified" and suggestions:
        parts.append(
            _("classified the ticket as “%(label)s” (classifier version %(version)s)")
            % {"label": suggestions[0].get("label"), "version": version}
        )
    elif data.get("action") == "triage":
        parts.append(
            _(
                "was not sure of the category: the ticket needs triage (classifier version "
                "%(version)s)"
            )
            % {"version": version}
        )
    predictions = data.get("predictions") or {}
    for target, guess in sorted(predictions.items()):
        if not isinstance(guess, dict):
            continue
        confidence = f"{round(100 * float(guess.get('confidence') or 0))} %"
        label = str(guess.get("label"))
        value = str(TicketPriority(label).label) if label in TicketPriority.values else label
        rows.append(Change(_field_label(str(target)), "", f"{value} ({confidence})"))
        if guess.get("applied"):
            parts.append(
                _("predicted the %(field)s “%(value)s” (classifier version %(version)s)")
                % {
                    "field": _field_label(str(target)),
                    "value": value,
                    "version": guess.get("version"),
                }
            )
    assignment = data.get("assignment")
    if isinstance(assignment, dict):
        parts.append(_describe_assignment(assignment, rows))
    title = "; ".join(parts) or _("Routing")
    return {"title": title, "changes": rows, "kind": "routing"}


def _lane_labels() -> dict[str, str]:
    return {
        "vip": _("the VIP lane"),
        "team": _("its team"),
        "team+surge": _("its team with the surge pool"),
        "surge": _("the surge pool"),
        "backup": _("the backup team"),
    }


def _refusal_labels() -> dict[str, str]:
    return {
        "status": _("not available"),
        "capacity": _("at capacity"),
        "channel_capacity": _("at capacity for the channel"),
        "category": _("other categories"),
        "language": _("other languages"),
        "customer_tier": _("other customer tiers"),
        "product_line": _("other product lines"),
    }


def _describe_assignment(data: dict[str, Any], rows: list[Change]) -> str:
    """Who took the ticket and why: the lane, the best candidates with their load, and how
    many could not take it, by reason (``routing.assign.Decision.explain``)."""
    candidates = [c for c in data.get("candidates") or [] if isinstance(c, dict)]
    for candidate in candidates:
        rows.append(
            Change(
                str(candidate.get("name")),
                "",
                _("%(open)s of %(max)s open")
                % {"open": candidate.get("open"), "max": candidate.get("max_open")},
            )
        )
    refused = data.get("refused") or {}
    if refused:
        labels = _refusal_labels()
        text = ", ".join(f"{labels.get(str(k), str(k))}: {v}" for k, v in sorted(refused.items()))
        rows.append(Change(_("Could not take it"), "", text))
    if "waiting" in data:
        rows.append(
            Change(
                _("Queue"),
                "",
                _("%(n)s waiting, the oldest for %(minutes)s min")
                % {"n": data.get("waiting"), "minutes": data.get("oldest_wait_minutes")},
            )
        )
    if data.get("overflow"):
        rows.append(Change(_("Overflow"), "", _lane_labels().get(str(data["overflow"]), "")))
    if data.get("user_id") and candidates:
        lane = _lane_labels().get(str(data.get("lane")), str(data.get("lane")))
        return _("gave it to %(name)s in %(lane)s, by least load") % {
            "name": candidates[0].get("name"),
            "lane": lane,
        }
    return _("found nobody free to take it: it waits in its team's queue")


def _target_label(value: Any) -> str:
    from zhongtai.sla.choices import Target

    return str(Target(value).label) if value in Target.values else str(value)


def _due_text(value: Any) -> str:
    if not value:
        return _("paused")
    moment = timezone.localtime(datetime.fromisoformat(str(value)))
    return str(date_format(moment, "SHORT_DATETIME_FORMAT"))


def _describe_sla(data: dict[str, Any]) -> dict[str, Any]:
    """SLA clock events: the system started, paused, warned, breached… (``zhongtai.sla``)."""
    from zhongtai.sla.presenters import duration_words

    action = str(data.get("action"))
    timers = [t for t in data.get("timers") or [] if isinstance(t, dict)]
    first = _target_label(timers[0].get("target")) if timers else ""
    due = [Change(_target_label(t.get("target")), "", _due_text(t.get("due_at"))) for t in timers]
    policy = str(data.get("policy") or "")
    titles = {
        "start": _("started the SLA clocks of “%(policy)s”") % {"policy": policy},
        "pause": _("paused the SLA clocks while waiting on the customer"),
        "resume": _("resumed the SLA clocks"),
        "stop": _("stopped the SLA clocks that no longer apply"),
        "recompute": _("recomputed the SLA due times (policy “%(policy)s”)")
        % {"policy": policy or EMPTY},
        "warning": _("%(percent)s %% of the %(target)s target is used")
        % {"percent": data.get("percent"), "target": first.lower()},
        "breach": _("the %(target)s target was breached") % {"target": first.lower()},
    }
    if action == "fulfil":
        spent = duration_words(int(data.get("minutes") or 0))
        title = (
            _("met the %(target)s target in %(time)s")
            if data.get("met")
            else _("missed the %(target)s target: it took %(time)s")
        ) % {"target": first.lower(), "time": spent}
        return {"title": title, "kind": "sla"}
    changes = due if action in ("start", "recompute", "resume") else []
    return {"title": titles.get(action, _("Service level")), "changes": changes, "kind": "sla"}


def _actor_name(event: TicketEvent, ticket: Ticket) -> str:
    """Who did it: the user, or for a mail from someone without a login its sender."""
    if event.actor is not None:
        return str(event.actor)
    sender = ((event.data or {}).get("mail") or {}).get("from")
    if isinstance(sender, str) and sender:
        contact = ticket.contact
        if contact is not None and contact.email.lower() == sender.lower() and contact.name:
            return contact.name
        return sender
    return _("System")


def timeline_rows(
    tenant: Tenant, ticket: Ticket, events: Iterable[TicketEvent]
) -> list[TimelineRow]:
    """Display rows for a timeline; events of merged duplicates say where they came from."""
    rows = []
    for event in events:
        described = _describe(tenant, event)
        kind = described.pop("kind", "system")
        event_number = event.ticket.number
        files = _files(event, event_number)
        rows.append(
            TimelineRow(
                id=event.pk,
                kind=kind,
                actor=_actor_name(event, ticket),
                created_at=event.created_at,
                body=event.body,
                is_public=event.is_public,
                files=files,
                html=_mail_html(event, files),
                from_reference=ticket_reference(tenant, event_number)
                if event.ticket_id != ticket.pk
                else "",
                **described,
            )
        )
    return rows


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


def select_options(choices: Iterable[tuple[Any, Any]], current: str) -> list[Option]:
    return [Option(str(value), str(label), str(value) == current) for value, label in choices]


def next_page_url(params: Any, cursor: str | None) -> str:
    """The queue URL of the next page (same filters, the next cursor), or ``""``."""
    if not cursor:
        return ""
    query = params.copy()
    query["cursor"] = cursor
    return reverse("tickets:ticket_list") + "?" + str(query.urlencode())


def invalid_filter_text(exc: ApplicationError) -> str:
    fields = ", ".join(sorted({item.get("field", "") for item in exc.errors if item.get("field")}))
    return str(_("These filters are not valid: %(fields)s.") % {"fields": fields or EMPTY})


def higher_tier_teams(teams: Iterable[Team], tier: str) -> list[Team]:
    """Teams a ticket at ``tier`` may be escalated to (a higher tier)."""
    order = {Tier.L1: 1, Tier.L2: 2, Tier.L3: 3}
    return [team for team in teams if order[Tier(team.tier)] > order[Tier(tier)]]


@dataclass(frozen=True)
class PresenceRow:
    name: str
    replying: bool


def presence_rows(presences: Iterable[TicketPresence]) -> list[PresenceRow]:
    return [
        PresenceRow(name=str(p.user), replying=p.state == PresenceState.REPLYING) for p in presences
    ]


@dataclass(frozen=True)
class Suggestion:
    """A category the classifier suggested for a ticket in triage."""

    category_id: int
    label: str
    percent: int


def triage_suggestions(events: Sequence[TicketEvent]) -> list[Suggestion]:
    """The suggestions of the ticket's last routing event that name a category."""
    routing = [event for event in events if event.type == EventType.ROUTING]
    if not routing:
        return []
    found = routing[-1].data.get("suggestions") or []
    return [
        Suggestion(int(s["category_id"]), str(s.get("label")), round(100 * float(s["confidence"])))
        for s in found
        if isinstance(s, dict) and s.get("category_id") and s.get("confidence") is not None
    ]


def asset_warranty(tenant: Tenant, asset: Asset) -> tuple[str, str]:
    """The asset's warranty today in the unit: (status, label)."""
    today = timezone.localdate(timezone=ZoneInfo(tenant.time_zone))
    status = asset.warranty_on(today)
    return status, str(WarrantyStatus(status).label)
