"""The tickets API: parse, call a service or selector, serialize."""

from __future__ import annotations

from typing import Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from zhongtai.accounts.actors import Actor
from zhongtai.core.api import actor_of, api
from zhongtai.core.errors import InvalidInput, NotFound
from zhongtai.core.idempotency import idempotent_call
from zhongtai.core.inputs import LINE_PATTERN, Id, PathId
from zhongtai.core.pagination import keyset_page
from zhongtai.core.permissions import ensure_can
from zhongtai.customers import selectors as customer_selectors
from zhongtai.customers.models import Asset
from zhongtai.sla import countdown
from zhongtai.tickets import selectors, services
from zhongtai.tickets.choices import Channel, TicketPriority, TicketStatus, TicketType
from zhongtai.tickets.downloads import attachment_response
from zhongtai.tickets.filters import ticket_filter_apply, ticket_filter_parse
from zhongtai.tickets.models import Ticket
from zhongtai.tickets.schemas import (
    AssignIn,
    AttachmentOut,
    BulkAssignIn,
    ChildCreateIn,
    EscalateIn,
    EventOut,
    HandbackIn,
    MergeIn,
    PresenceIn,
    PresenceOut,
    ReplyIn,
    SlaClockOut,
    TicketCreateIn,
    TicketListOut,
    TicketOut,
    TicketPageOut,
    TicketUpdateIn,
    TransitionIn,
)

router = Router(tags=["tickets"])


class ListParams(Schema):
    """Paging, and the agent queue's filters (validated again by ``TicketFilterForm``, the
    one filter set of the UI and the API; listed here so that the OpenAPI shows them)."""

    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=200, pattern=r"^[A-Za-z0-9_-]*$")
    queue: Literal["mine", "team", "team_all", "open", "breaching", "triage", "all"] | None = None
    status: list[TicketStatus] = Field(default_factory=list)
    priority: list[TicketPriority] = Field(default_factory=list)
    type: list[TicketType] = Field(default_factory=list)
    channel: list[Channel] = Field(default_factory=list)
    category: Id | None = None
    customer: Id | None = None
    team: Id | None = None
    assignee: str | None = Field(
        default=None, pattern=r"^(me|none|[1-9][0-9]{0,17})$", description="An id, me or none."
    )
    tag: str | None = Field(default=None, max_length=50, pattern=LINE_PATTERN)
    q: str | None = Field(default=None, max_length=200, pattern=LINE_PATTERN)


def _detail(actor: Actor, number: int) -> Ticket:
    ticket = selectors.ticket_get(actor=actor, number=number)
    return ticket


def _related(actor: Actor, data: TicketCreateIn) -> dict[str, object]:
    return {
        "category": selectors.category_get(actor=actor, category_id=data.category_id)
        if data.category_id
        else None,
        "customer": customer_selectors.customer_get(actor=actor, customer_id=data.customer_id)
        if data.customer_id
        else None,
        "contact": customer_selectors.contact_get(actor=actor, contact_id=data.contact_id)
        if data.contact_id
        else None,
        "team": selectors.team_get(actor=actor, team_id=data.team_id) if data.team_id else None,
        "assignee": selectors.agent_get(actor=actor, user_id=data.assignee_id)
        if data.assignee_id
        else None,
        "asset": _asset(actor, data),
    }


def _asset(actor: Actor, data: TicketCreateIn) -> Asset | None:
    if data.asset_id is not None and data.asset_serial is not None:
        raise InvalidInput(
            errors=[{"field": "asset_serial", "message": _("Give the asset's id or serial.")}]
        )
    if data.asset_id is None and data.asset_serial is None:
        return None
    try:
        return customer_selectors.asset_get(
            actor=actor, asset_id=data.asset_id, serial_number=data.asset_serial
        )
    except NotFound:
        field = "asset_id" if data.asset_id is not None else "asset_serial"
        raise InvalidInput(
            errors=[{"field": field, "message": _("No asset of this unit has it.")}]
        ) from None


@router.get("", response=TicketPageOut, summary="List tickets (newest first, with filters)")
def ticket_list_api(request: HttpRequest, page: Query[ListParams]) -> dict[str, object]:
    """Filters are the agent queue's; repeat `status`, `priority`, `type` or `channel` to
    match any of several values."""
    actor = actor_of(request)
    params = request.GET.copy()
    params.pop("limit", None)
    params.pop("cursor", None)
    filters = ticket_filter_parse(params)
    qs = ticket_filter_apply(actor=actor, qs=selectors.ticket_list(actor=actor), filters=filters)
    items, next_cursor = keyset_page(qs, cursor=page.cursor, limit=page.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "",
    response={201: TicketOut},
    summary="Create a ticket (send an Idempotency-Key header to make retries safe)",
)
def ticket_create_api(request: HttpRequest, data: TicketCreateIn) -> HttpResponse:
    """The answer is rendered here, not by ninja: a replayed answer is stored JSON, which
    the output schema's resolvers (written for model instances) cannot read again."""
    actor = actor_of(request)
    key = request.headers.get("Idempotency-Key")

    def create() -> tuple[int, object]:
        ticket = services.ticket_create(
            actor=actor,
            subject=data.subject,
            description=data.description,
            type=data.type,
            priority=data.priority,
            channel=data.channel,
            tags=data.tags,
            **_related(actor, data),  # type: ignore[arg-type]
        )
        # The new ticket holds its related objects already: no need to read it back.
        return 201, TicketOut.from_orm(ticket).model_dump(mode="json")

    status, body = idempotent_call(
        tenant=actor.tenant,
        user_id=actor.user.pk,
        scope="ticket_create",
        key=key,
        payload=data.model_dump(mode="json"),
        create=create,
    )
    return api.create_response(request, body, status=status)


@router.get("/{int:number}", response=TicketOut, summary="Get one ticket")
def ticket_get_api(request: HttpRequest, number: PathId) -> Ticket:
    return _detail(actor_of(request), number)


@router.patch("/{int:number}", response=TicketOut, summary="Change fields (optimistic locking)")
def ticket_update_api(request: HttpRequest, number: PathId, data: TicketUpdateIn) -> Ticket:
    actor = actor_of(request)
    ticket = _detail(actor, number)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "category_id" in changes:
        category_id = changes.pop("category_id")
        changes["category"] = (
            selectors.category_get(actor=actor, category_id=category_id) if category_id else None
        )
    for name in ("subject", "type", "priority", "tags"):
        if name in changes and changes[name] is None:
            raise InvalidInput(errors=[{"field": name, "message": "This field may not be null."}])
    services.ticket_update(
        actor=actor, ticket=ticket, changes=changes, expected_version=data.version
    )
    return _detail(actor, number)


@router.post("/{int:number}/transition", response=TicketOut, summary="Change the status")
def ticket_transition_api(request: HttpRequest, number: PathId, data: TransitionIn) -> Ticket:
    actor = actor_of(request)
    services.ticket_transition(
        actor=actor,
        ticket=_detail(actor, number),
        to_status=data.to_status,
        reason=data.reason,
        expected_version=data.version,
    )
    return _detail(actor, number)


@router.post("/{int:number}/replies", response={201: EventOut}, summary="Reply or add a note")
def ticket_reply_api(request: HttpRequest, number: PathId, data: ReplyIn) -> Status[object]:
    actor = actor_of(request)
    event = services.ticket_reply(
        actor=actor,
        ticket=_detail(actor, number),
        body=data.body,
        public=data.public,
        then_status=data.then_status,
        expected_version=data.version,
    )
    return Status(201, event)


@router.get("/{int:number}/events", response=list[EventOut], summary="The ticket's timeline")
def ticket_events_api(request: HttpRequest, number: PathId) -> object:
    actor = actor_of(request)
    return list(selectors.ticket_timeline(actor=actor, ticket=_detail(actor, number)))


@router.get(
    "/{int:number}/sla",
    response=list[SlaClockOut],
    summary="The ticket's SLA clocks: targets, due times, time left in business time",
)
def ticket_sla_api(request: HttpRequest, number: PathId) -> object:
    actor = actor_of(request)
    ensure_can(actor, "tickets.view")
    return countdown.ticket_clocks(actor=actor, ticket=_detail(actor, number))


@router.post("/{int:number}/assign", response=TicketOut, summary="Assign or unassign")
def ticket_assign_api(request: HttpRequest, number: PathId, data: AssignIn) -> Ticket:
    actor = actor_of(request)
    assignee = (
        selectors.agent_get(actor=actor, user_id=data.assignee_id) if data.assignee_id else None
    )
    team = selectors.team_get(actor=actor, team_id=data.team_id) if data.team_id else None
    services.ticket_assign(
        actor=actor,
        ticket=_detail(actor, number),
        assignee=assignee,
        team=team,
        as_engineer=data.as_engineer,
        expected_version=data.version,
    )
    return _detail(actor, number)


@router.post("/{int:number}/take", response=TicketOut, summary="Take the ticket yourself")
def ticket_take_api(request: HttpRequest, number: PathId) -> Ticket:
    actor = actor_of(request)
    services.ticket_take(actor=actor, ticket=_detail(actor, number))
    return _detail(actor, number)


@router.post("/{int:number}/escalate", response=TicketOut, summary="Escalate to a higher tier")
def ticket_escalate_api(request: HttpRequest, number: PathId, data: EscalateIn) -> Ticket:
    actor = actor_of(request)
    services.ticket_escalate(
        actor=actor,
        ticket=_detail(actor, number),
        team=selectors.team_get(actor=actor, team_id=data.team_id),
        reason=data.reason,
        expected_version=data.version,
    )
    return _detail(actor, number)


@router.post("/{int:number}/handback", response=TicketOut, summary="Hand back one tier down")
def ticket_handback_api(request: HttpRequest, number: PathId, data: HandbackIn) -> Ticket:
    actor = actor_of(request)
    services.ticket_handback(
        actor=actor,
        ticket=_detail(actor, number),
        reason=data.reason,
        expected_version=data.version,
    )
    return _detail(actor, number)


@router.post("/{int:number}/merge", response=TicketOut, summary="Merge into another ticket")
def ticket_merge_api(request: HttpRequest, number: PathId, data: MergeIn) -> Ticket:
    actor = actor_of(request)
    target = services.ticket_merge(
        actor=actor,
        source=_detail(actor, number),
        target=_detail(actor, data.into),
        reason=data.reason,
    )
    return _detail(actor, target.number)


@router.post("/{int:number}/children", response={201: TicketOut}, summary="Open a child ticket")
def ticket_child_api(request: HttpRequest, number: PathId, data: ChildCreateIn) -> Status[Ticket]:
    actor = actor_of(request)
    team = selectors.team_get(actor=actor, team_id=data.team_id) if data.team_id else None
    child = services.ticket_child_create(
        actor=actor,
        parent=_detail(actor, number),
        subject=data.subject,
        description=data.description,
        team=team,
        blocks_parent=data.blocks_parent,
    )
    return Status(201, _detail(actor, child.number))


@router.post("/bulk-assign", response=list[TicketListOut], summary="Reassign many tickets")
def ticket_bulk_assign_api(request: HttpRequest, data: BulkAssignIn) -> object:
    actor = actor_of(request)
    assignee = (
        selectors.agent_get(actor=actor, user_id=data.assignee_id) if data.assignee_id else None
    )
    team = selectors.team_get(actor=actor, team_id=data.team_id) if data.team_id else None
    tickets = services.tickets_bulk_assign(
        actor=actor, numbers=data.numbers, assignee=assignee, team=team
    )
    return list(selectors.ticket_list(actor=actor).filter(pk__in=[t.pk for t in tickets]))


@router.post(
    "/{int:number}/attachments",
    response={201: list[AttachmentOut]},
    summary="Attach files (multipart, field `files`)",
)
def ticket_attach_api(
    request: HttpRequest,
    number: PathId,
    files: File[list[UploadedFile]],
    public: Form[bool] = True,
) -> Status[object]:
    actor = actor_of(request)
    if len(files) > 10:
        raise InvalidInput(errors=[{"field": "files", "message": "At most 10 files at once."}])
    attachments = services.attachment_add(
        actor=actor, ticket=_detail(actor, number), files=files, public=public
    )
    return Status(201, attachments)


@router.get(
    "/{int:number}/attachments/{int:attachment_id}",
    response={200: None},
    summary="Download an attachment",
)
def ticket_attachment_download_api(
    request: HttpRequest, number: PathId, attachment_id: PathId
) -> FileResponse:
    actor = actor_of(request)
    ticket = _detail(actor, number)
    return attachment_response(
        selectors.attachment_get(actor=actor, ticket=ticket, attachment_id=attachment_id)
    )


@router.post(
    "/{int:number}/presence",
    response=list[PresenceOut],
    summary="Say you are viewing or replying; returns who else is",
)
def ticket_presence_api(request: HttpRequest, number: PathId, data: PresenceIn) -> object:
    actor = actor_of(request)
    ticket = _detail(actor, number)
    if not actor.is_staff_role:
        return []
    services.presence_touch(actor=actor, ticket=ticket, state=data.state)
    return list(selectors.presence_list(actor=actor, ticket=ticket))
