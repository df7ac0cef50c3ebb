"""The macros API (``/api/v1/macros``): canned responses, their text for a ticket, and
using one on a ticket.

Staff read the shared macros, their teams' and their own; they write personal macros,
team leads their team's, L2 and administrators shared ones and any team's. Customer
contacts get 403; another unit's macro (or another person's personal one) is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from zhongtai.core.api import actor_of
from zhongtai.core.inputs import LINE_PATTERN, TEXT_PATTERN, Id, PathId
from zhongtai.macros import selectors, services
from zhongtai.macros.choices import MacroLanguage, MacroScope
from zhongtai.macros.models import MAX_BODY, Macro
from zhongtai.tickets import selectors as ticket_selectors
from zhongtai.tickets.choices import TicketStatus
from zhongtai.tickets.presenters import ticket_reference

router = Router(tags=["macros"])

Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=LINE_PATTERN)]
BODY_HELP = (
    "Plain text with placeholders: {{customer.name}}, {{contact.name}}, {{ticket.number}}, "
    "{{ticket.subject}}, {{ticket.due}}, {{agent.name}}. Anything else in double braces, "
    "and template tags, are refused."
)


class MacroIn(Schema):
    """A macro's whole content (PUT replaces every field)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, pattern=LINE_PATTERN)
    scope: MacroScope = MacroScope.PERSONAL
    team_id: Id | None = Field(default=None, description="The team of a team macro.")
    body_en: str = Field(
        default="", max_length=MAX_BODY, pattern=TEXT_PATTERN, description=BODY_HELP
    )
    body_zh: str = Field(
        default="", max_length=MAX_BODY, pattern=TEXT_PATTERN, description="The same, in Chinese."
    )
    set_status: TicketStatus | None = Field(
        default=None, description="A status the workflow can reach (any but new)."
    )
    add_tags: list[Tag] = Field(default_factory=list, max_length=20)
    set_category_id: Id | None = None
    active: bool = True


class MacroOut(Schema):
    id: int
    name: str
    scope: str
    team_id: int | None
    team: str | None
    owner_id: int | None
    body_en: str
    body_zh: str
    languages: list[str]
    set_status: str
    add_tags: list[str]
    set_category_id: int | None
    active: bool
    use_count: int
    can_edit: bool = Field(description="Whether the caller may change it.")
    created_at: datetime
    updated_at: datetime


class ListParams(Schema):
    scope: MacroScope | None = None
    active: bool | None = None
    q: str = Field(default="", max_length=100, pattern=LINE_PATTERN)
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=100_000)


class RenderIn(Schema):
    model_config = ConfigDict(extra="forbid")
    ticket: Id = Field(description="The ticket's number (123 for SH-000123).")
    language: MacroLanguage | None = Field(
        default=None, description="The unit's language when left out."
    )


class RenderOut(Schema):
    text: str
    language: str = Field(description="The language of the text (the other one when the macro "
                          "has no text in the language asked for).")  # fmt: skip
    ticket: str = Field(description="The ticket's reference.")


class ApplyIn(RenderIn):
    reply: bool = Field(default=False, description="Also send the text as a public reply.")


class ApplyOut(Schema):
    number: int
    reference: str
    status: str
    category_id: int | None
    tags: list[str]
    version: int
    reply_id: int | None = Field(description="The reply's timeline event, when one was sent.")


def _content(data: MacroIn) -> services.MacroInput:
    return services.MacroInput(
        name=data.name,
        scope=str(data.scope),
        team_id=data.team_id,
        body_en=data.body_en,
        body_zh=data.body_zh,
        set_status=str(data.set_status or ""),
        add_tags=list(data.add_tags),
        set_category_id=data.set_category_id,
        is_active=data.active,
    )


def _out(request: HttpRequest, macro: Macro) -> dict[str, object]:
    return {
        "id": macro.pk,
        "name": macro.name,
        "scope": macro.scope,
        "team_id": macro.team_id,
        "team": macro.team.name if macro.team else None,
        "owner_id": macro.owner_id,
        "body_en": macro.body_en,
        "body_zh": macro.body_zh,
        "languages": macro.languages,
        "set_status": macro.set_status,
        "add_tags": macro.add_tags,
        "set_category_id": macro.set_category_id,
        "active": macro.is_active,
        "use_count": macro.use_count,
        "can_edit": services.can_edit(actor_of(request), macro),
        "created_at": macro.created_at,
        "updated_at": macro.updated_at,
    }


@router.get("", response=list[MacroOut], summary="Macros the caller may see")
def macro_list_api(request: HttpRequest, params: Query[ListParams]) -> list[dict[str, object]]:
    filters = selectors.MacroFilter(
        scope=str(params.scope or ""), active=params.active, text=params.q
    )
    macros = selectors.macro_list(actor=actor_of(request), filters=filters)
    return [_out(request, m) for m in macros[params.offset : params.offset + params.limit]]


@router.post("", response={201: MacroOut}, summary="Write a macro")
def macro_create_api(request: HttpRequest, data: MacroIn) -> Status[dict[str, object]]:
    macro = services.macro_create(actor=actor_of(request), data=_content(data))
    return Status(201, _out(request, macro))


@router.get("/{int:macro_id}", response=MacroOut, summary="One macro")
def macro_get_api(request: HttpRequest, macro_id: PathId) -> dict[str, object]:
    return _out(request, selectors.macro_get(actor=actor_of(request), macro_id=macro_id))


@router.put("/{int:macro_id}", response=MacroOut, summary="Replace a macro's content")
def macro_update_api(request: HttpRequest, macro_id: PathId, data: MacroIn) -> dict[str, object]:
    macro = services.macro_update(actor=actor_of(request), macro_id=macro_id, data=_content(data))
    return _out(request, macro)


@router.delete(
    "/{int:macro_id}", response=MacroOut, summary="Switch a macro off (it is kept, inactive)"
)
def macro_delete_api(request: HttpRequest, macro_id: PathId) -> dict[str, object]:
    macro = services.macro_deactivate(actor=actor_of(request), macro_id=macro_id)
    return _out(request, macro)


@router.post(
    "/{int:macro_id}/render",
    response=RenderOut,
    summary="The macro's text for a ticket, placeholders filled in",
)
def macro_render_api(request: HttpRequest, macro_id: PathId, data: RenderIn) -> dict[str, object]:
    actor = actor_of(request)
    macro = selectors.macro_get(actor=actor, macro_id=macro_id)
    ticket = ticket_selectors.ticket_get(actor=actor, number=data.ticket)
    language, _text = macro.text_in(str(data.language or actor.tenant.language))
    text = services.macro_render(actor=actor, ticket=ticket, macro=macro, language=language)
    return {
        "text": text,
        "language": language,
        "ticket": ticket_reference(actor.tenant, ticket.number),
    }


@router.post(
    "/{int:macro_id}/apply",
    response=ApplyOut,
    summary="Use a macro on a ticket: its field actions, and its text as a reply if asked",
)
def macro_apply_api(request: HttpRequest, macro_id: PathId, data: ApplyIn) -> dict[str, object]:
    actor = actor_of(request)
    macro = selectors.macro_get(actor=actor, macro_id=macro_id)
    ticket = ticket_selectors.ticket_get(actor=actor, number=data.ticket)
    applied = services.macro_apply(
        actor=actor,
        ticket=ticket,
        macro=macro,
        reply=data.reply,
        language=str(data.language or ""),
    )
    ticket = applied.ticket
    return {
        "number": ticket.number,
        "reference": ticket_reference(actor.tenant, ticket.number),
        "status": ticket.status,
        "category_id": ticket.category_id,
        "tags": sorted(ticket.tags.values_list("name", flat=True)),
        "version": ticket.version,
        "reply_id": applied.reply.pk if applied.reply else None,
    }
