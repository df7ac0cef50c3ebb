"""Writes of macros, and using one on a ticket.

Who writes which macro:
- a personal macro: any member of the staff (``macros.use``), for themselves only;
- a team's macro: the lead of that team, or whoever holds ``macros.manage``;
- a shared macro: whoever holds ``macros.manage`` (L2 and administrators).
Changing a macro needs that right for what it is and for what it becomes.

Using a macro fills in its placeholders for one ticket (``macro_render``) and applies its
field actions through the ticket services (``macro_apply_actions``), so the timeline
records each change with its actor; ``macro_apply`` can send the text as a public reply in
the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Team
from zhongtai.core.errors import Conflict, InvalidInput, PermissionDenied
from zhongtai.core.permissions import ensure_can
from zhongtai.macros import selectors
from zhongtai.macros.choices import REACHABLE_STATUSES, MacroScope
from zhongtai.macros.models import MAX_BODY, Macro
from zhongtai.macros.placeholders import placeholder_errors, placeholder_names, placeholders_fill
from zhongtai.tickets import services as ticket_services
from zhongtai.tickets.models import Category, Ticket, TicketEvent

MAX_TAGS = 20
MAX_TAG = 50
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class MacroInput:
    """A macro's whole content, as a person or the API gives it."""

    name: str
    scope: str = MacroScope.PERSONAL
    team_id: int | None = None
    body_en: str = ""
    body_zh: str = ""
    set_status: str = ""
    add_tags: list[str] = field(default_factory=list)
    set_category_id: int | None = None
    is_active: bool = True


def can_write(actor: Actor, scope: str, team: Team | None, owner_id: int | None = None) -> bool:
    """May the actor write a macro of this scope (and team, or owner)?"""
    if not actor.can("macros.use"):
        return False
    if scope == MacroScope.PERSONAL:
        return owner_id is None or owner_id == actor.user.pk
    if actor.can("macros.manage"):
        return scope in (MacroScope.SHARED, MacroScope.TEAM)
    return scope == MacroScope.TEAM and team is not None and team.lead_id == actor.user.pk


def can_edit(actor: Actor, macro: Macro) -> bool:
    return can_write(actor, macro.scope, macro.team, macro.owner_id)


def _error(name: str, message: str) -> dict[str, str]:
    return {"field": name, "message": message}


def _clean_texts(data: MacroInput) -> list[dict[str, str]]:
    errors = []
    texts = {"name": data.name, "body_en": data.body_en, "body_zh": data.body_zh}
    texts["add_tags"] = " ".join(data.add_tags)
    for name, text in texts.items():
        if _SURROGATE.search(text):  # JSON may carry them; no database can store them
            errors.append(_error(name, _("The text is not valid Unicode.")))
    if errors:
        return errors
    if not " ".join(data.name.split()):
        errors.append(_error("name", _("A macro needs a name.")))
    if not (data.body_en.strip() or data.body_zh.strip()):
        errors.append(_error("body_en", _("Write the text in English, in Chinese or in both.")))
    for name in ("body_en", "body_zh"):
        text = texts[name]
        if len(text) > MAX_BODY:
            errors.append(_error(name, _("At most %(n)d characters.") % {"n": MAX_BODY}))
        errors += [_error(name, message) for message in placeholder_errors(text)]
    return errors


def _clean(actor: Actor, data: MacroInput) -> tuple[dict[str, object], list[dict[str, str]]]:
    """The model's fields from the input, and what is wrong with it."""
    errors = _clean_texts(data)
    if data.scope not in MacroScope.values:
        errors.append(_error("scope", _("Unknown scope.")))
    team = None
    if data.scope == MacroScope.TEAM:
        if data.team_id is not None:
            team = Team.objects.filter(tenant=actor.tenant, pk=data.team_id).first()
        if team is None:
            errors.append(_error("team_id", _("Choose a team of this business unit.")))
    elif data.team_id is not None:
        errors.append(_error("team_id", _("Only a team macro names a team.")))
    if data.set_status and data.set_status not in REACHABLE_STATUSES:
        errors.append(_error("set_status", _("A macro cannot set this status.")))
    tags = list(dict.fromkeys(t.strip() for t in data.add_tags if t.strip()))
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in tags):
        errors.append(_error("add_tags", _("At most 20 tags of 50 characters each.")))
    category = None
    if data.set_category_id is not None:
        category = Category.objects.filter(tenant=actor.tenant, pk=data.set_category_id).first()
        if category is None:
            errors.append(_error("set_category_id", _("Choose a category of this business unit.")))
    fields: dict[str, object] = {
        "name": " ".join(data.name.split())[:120],
        "scope": data.scope,
        "team": team,
        "body_en": data.body_en.strip(),
        "body_zh": data.body_zh.strip(),
        "set_status": data.set_status,
        "add_tags": tags,
        "set_category": category,
        "is_active": data.is_active,
    }
    return fields, errors


def _name_taken(actor: Actor, macro: Macro) -> bool:
    same = Macro.objects.filter(tenant=actor.tenant, scope=macro.scope, name=macro.name)
    if macro.scope == MacroScope.TEAM:
        same = same.filter(team=macro.team)
    elif macro.scope == MacroScope.PERSONAL:
        same = same.filter(owner_id=macro.owner_id)
    return same.exclude(pk=macro.pk).exists()


def _save(actor: Actor, macro: Macro) -> Macro:
    taken = InvalidInput(errors=[_error("name", _("A macro with this name exists already."))])
    if _name_taken(actor, macro):
        raise taken
    try:
        with transaction.atomic():  # (a savepoint: a racing twin fails the constraint)
            macro.save()
    except IntegrityError as exc:
        raise taken from exc
    return macro


def _write(actor: Actor, macro: Macro, data: MacroInput) -> Macro:
    fields, errors = _clean(actor, data)
    team = fields["team"]
    assert team is None or isinstance(team, Team)  # noqa: S101
    owner_id = None
    if data.scope == MacroScope.PERSONAL:
        keeps_owner = macro.pk and macro.scope == MacroScope.PERSONAL
        owner_id = macro.owner_id if keeps_owner else actor.user.pk
    known = data.scope in MacroScope.values and (data.scope != MacroScope.TEAM or team)
    if known and not can_write(actor, data.scope, team, owner_id):  # before saying what is wrong
        raise PermissionDenied(_("You may not write macros of this scope or team."))
    if errors:
        raise InvalidInput(errors=errors)
    for name, value in fields.items():
        setattr(macro, name, value)
    macro.owner_id = owner_id
    return _save(actor, macro)


@transaction.atomic
def macro_create(*, actor: Actor, data: MacroInput) -> Macro:
    """A new macro (personal ones by anyone on the staff; see the module's rules)."""
    ensure_can(actor, "macros.use")
    return _write(actor, Macro(tenant=actor.tenant), data)


def _locked(actor: Actor, macro_id: int) -> Macro:
    macro = selectors.macro_get(actor=actor, macro_id=macro_id)  # NotFound if not visible
    if not can_edit(actor, macro):
        raise PermissionDenied(_("You may not change this macro."))
    locked: Macro = Macro.objects.select_for_update().get(pk=macro.pk)
    return locked


@transaction.atomic
def macro_update(*, actor: Actor, macro_id: int, data: MacroInput) -> Macro:
    """Replace a macro's content (also its scope, by someone who may write both)."""
    return _write(actor, _locked(actor, macro_id), data)


@transaction.atomic
def macro_deactivate(*, actor: Actor, macro_id: int) -> Macro:
    """Switch a macro off: it leaves the menus and cannot be applied; its record stays."""
    macro = _locked(actor, macro_id)
    if macro.is_active:
        macro.is_active = False
        macro.save(update_fields=["is_active", "updated_at"])
    return macro


def macro_render(*, actor: Actor, ticket: Ticket, macro: Macro, language: str = "") -> str:
    """The macro's text for this ticket in ``language`` (the unit's language when empty;
    the other language when the macro has no text in it), placeholders filled in.

    Preconditions: ``ticket`` and ``macro`` were fetched through selectors for ``actor``.
    """
    ensure_can(actor, "macros.use")
    _language, text = macro.text_in(language or actor.tenant.language)
    values = selectors.placeholder_values(actor=actor, ticket=ticket, names=placeholder_names(text))
    return placeholders_fill(text, values)


def _ensure_active(macro: Macro) -> None:
    if not macro.is_active:
        raise Conflict(_("This macro is switched off."), code="macro_inactive")


@transaction.atomic
def macro_apply_actions(*, actor: Actor, ticket: Ticket, macro: Macro) -> Ticket:
    """Apply the macro's field actions to the ticket through the ticket services (each
    change on the timeline), and count the use. Category and tags first, then the status
    (through the workflow: a move it forbids refuses the whole use).

    Preconditions: ``ticket`` and ``macro`` were fetched through selectors for ``actor``.
    """
    ensure_can(actor, "macros.use")
    _ensure_active(macro)
    changes: dict[str, object] = {}
    if macro.set_category_id is not None:
        changes["category"] = macro.set_category
    if macro.add_tags:
        current = list(ticket.tags.values_list("name", flat=True))
        changes["tags"] = list(dict.fromkeys([*current, *macro.add_tags]))
    if changes:
        ticket = ticket_services.ticket_update(actor=actor, ticket=ticket, changes=changes)
    if macro.set_status:
        ticket.refresh_from_db(fields=["status", "version"])
        if ticket.status != macro.set_status:
            ticket = ticket_services.ticket_transition(
                actor=actor,
                ticket=ticket,
                to_status=macro.set_status,
                reason=_("Macro “%(name)s”") % {"name": macro.name},
            )
    Macro.objects.filter(pk=macro.pk).update(use_count=F("use_count") + 1)
    return ticket


@dataclass(frozen=True)
class MacroApplied:
    ticket: Ticket
    reply: TicketEvent | None


@transaction.atomic
def macro_apply(
    *, actor: Actor, ticket: Ticket, macro: Macro, reply: bool = False, language: str = ""
) -> MacroApplied:
    """Use a macro on a ticket: send its text as a public reply when ``reply``, then apply
    its field actions; all or nothing."""
    ensure_can(actor, "macros.use")
    _ensure_active(macro)
    event = None
    if reply:
        text = macro_render(actor=actor, ticket=ticket, macro=macro, language=language)
        event = ticket_services.ticket_reply(actor=actor, ticket=ticket, body=text, public=True)
        ticket = event.ticket
    ticket = macro_apply_actions(actor=actor, ticket=ticket, macro=macro)
    return MacroApplied(ticket=ticket, reply=event)


def macro_use_record(*, actor: Actor, macro: Macro) -> None:
    """Count a use of a macro whose text was inserted (one without field actions: those
    count when they are applied)."""
    ensure_can(actor, "macros.use")
    if macro.is_active and not macro.has_actions:
        Macro.objects.filter(pk=macro.pk).update(use_count=F("use_count") + 1)
