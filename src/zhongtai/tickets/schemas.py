"""Input and output schemas of the tickets API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from zhongtai.accounts.models import Tier
from zhongtai.core.inputs import LINE_PATTERN, MAX_ID, TEXT_PATTERN, Id
from zhongtai.tickets.choices import (
    Channel,
    EventType,
    PresenceState,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from zhongtai.tickets.models import Ticket

Subject = Field(min_length=1, max_length=200, pattern=LINE_PATTERN)
Text = Field(min_length=1, max_length=settings.MAX_DESCRIPTION_CHARS, pattern=TEXT_PATTERN)
Reason = Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN)
TagName = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=LINE_PATTERN)]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class TicketCreateIn(StrictIn):
    subject: str = Subject
    description: str = Text
    type: TicketType = TicketType.QUESTION
    priority: TicketPriority = TicketPriority.NORMAL
    channel: Channel = Channel.API
    category_id: Id | None = None
    customer_id: Id | None = None
    contact_id: Id | None = None
    asset_id: Id | None = Field(default=None, description="The customer's asset it is about.")
    asset_serial: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        pattern=LINE_PATTERN,
        description="Or the asset's serial number (not both).",
    )
    team_id: Id | None = None
    assignee_id: Id | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=20)


class TicketUpdateIn(StrictIn):
    version: int = Field(ge=1, le=MAX_ID, description="The version you read; a stale one gets 409.")
    subject: str | None = Field(default=None, min_length=1, max_length=200, pattern=LINE_PATTERN)
    type: TicketType | None = None
    priority: TicketPriority | None = None
    category_id: Id | None = None
    tags: list[TagName] | None = Field(default=None, max_length=20)


class TransitionIn(StrictIn):
    to_status: TicketStatus
    reason: str = Field(default="", max_length=2000, pattern=TEXT_PATTERN)
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class ReplyIn(StrictIn):
    body: str = Text
    public: bool = True
    then_status: TicketStatus | None = None
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class AssignIn(StrictIn):
    assignee_id: Id | None = Field(description="A colleague's user id; null unassigns.")
    team_id: Id | None = None
    as_engineer: bool = False
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class EscalateIn(StrictIn):
    team_id: Id
    reason: str = Reason
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class HandbackIn(StrictIn):
    reason: str = Reason
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class MergeIn(StrictIn):
    into: Id = Field(description="Number of the ticket that survives.")
    reason: str = Field(default="", max_length=2000, pattern=TEXT_PATTERN)


class ChildCreateIn(StrictIn):
    subject: str = Subject
    description: str = Text
    team_id: Id | None = None
    blocks_parent: bool = True


class BulkAssignIn(StrictIn):
    numbers: list[Id] = Field(min_length=1, max_length=500)
    assignee_id: Id | None
    team_id: Id | None = None


class PresenceIn(StrictIn):
    state: PresenceState = PresenceState.VIEWING


class RefOut(Schema):
    id: int
    name: str


class TeamRefOut(RefOut):
    tier: Tier


class TicketListOut(Schema):
    number: int
    reference: str
    subject: str
    type: TicketType
    priority: TicketPriority
    status: TicketStatus
    tier: Tier
    channel: Channel
    category: RefOut | None
    team: TeamRefOut | None
    assignee: RefOut | None
    customer: RefOut | None
    created_at: datetime
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_reference(obj: Ticket) -> str:
        return f"{obj.tenant.ticket_prefix}-{obj.number:06d}"

    @staticmethod
    def resolve_category(obj: Ticket) -> dict[str, object] | None:
        return {"id": obj.category.pk, "name": str(obj.category)} if obj.category else None

    @staticmethod
    def resolve_assignee(obj: Ticket) -> dict[str, object] | None:
        return {"id": obj.assignee.pk, "name": str(obj.assignee)} if obj.assignee else None


class TicketAssetOut(Schema):
    id: int
    serial_number: str
    product_model: str
    product_line: str
    warranty_ends_on: date | None
    warranty: str = Field(description="active, expired or unknown: today, in the unit's time.")


class TicketOut(TicketListOut):
    description: str
    engineer: RefOut | None
    contact: RefOut | None
    asset: TicketAssetOut | None
    tags: list[str]
    parent: int | None
    blocks_parent: bool
    merged_into: int | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_asset(obj: Ticket) -> dict[str, object] | None:
        asset = obj.asset if obj.asset_id else None
        if asset is None:
            return None
        today = timezone.localdate(timezone=ZoneInfo(obj.tenant.time_zone))
        return {
            "id": asset.pk,
            "serial_number": asset.serial_number,
            "product_model": asset.product_model,
            "product_line": asset.product_line,
            "warranty_ends_on": asset.warranty_ends_on,
            "warranty": asset.warranty_on(today),
        }

    @staticmethod
    def resolve_engineer(obj: Ticket) -> dict[str, object] | None:
        return {"id": obj.engineer.pk, "name": str(obj.engineer)} if obj.engineer else None

    @staticmethod
    def resolve_tags(obj: Ticket) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_parent(obj: Ticket) -> int | None:
        return obj.parent.number if obj.parent_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_merged_into(obj: Ticket) -> int | None:
        return obj.merged_into.number if obj.merged_into_id else None  # type: ignore[union-attr]


class TicketPageOut(Schema):
    items: list[TicketListOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    is_public: bool
    content_id: str = Field(
        description="A mail's inline image: the Content-ID its HTML shows it by (cid:…)",
        examples=["image001.png@01DB3C4A.5E8F1C20"],
    )
    created_at: datetime


class EventOut(Schema):
    id: int
    ticket: int
    type: EventType
    actor: RefOut | None
    is_public: bool
    body: str
    data: dict[str, object]
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_ticket(obj: object) -> int:
        return obj.ticket.number  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_actor(obj: object) -> dict[str, object] | None:
        actor = obj.actor  # type: ignore[attr-defined]
        return {"id": actor.pk, "name": str(actor)} if actor else None

    @staticmethod
    def resolve_attachments(obj: object) -> list[object]:
        return list(obj.attachments.all())  # type: ignore[attr-defined]


class PresenceOut(Schema):
    user: RefOut
    state: PresenceState
    seen_at: datetime

    @staticmethod
    def resolve_user(obj: object) -> dict[str, object]:
        user = obj.user  # type: ignore[attr-defined]
        return {"id": user.pk, "name": str(user)}


class SlaClockOut(Schema):
    """One SLA clock; ``minutes_left`` and ``percent_used`` are in business time."""

    target: Literal["first_response", "next_response", "resolution"]
    label: str
    state: Literal["running", "at_risk", "paused", "breached", "met", "late"]
    text: str
    due_at: datetime | None
    minutes_left: float
    percent_used: float
    policy: str
