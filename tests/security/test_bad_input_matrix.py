"""Bad input and isolation, as one matrix: bad requests × roles × tenants.

Each row below is one request that must be refused (or, for reads, answered only to those
who may see the object). It runs for every role of the business unit, for an agent of
another business unit, for an anonymous caller and for a revoked token. Every refusal must
be an ``application/problem+json`` with a ``code`` (and field errors for invalid fields),
and nothing may be stored: the row counts of every table a request could write and the
state of every ticket are compared before and after.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests import factories
from zhongtai.accounts import services as account_services
from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import ApiToken, Membership, Team, User
from zhongtai.core.models import IdempotencyRecord, Tenant
from zhongtai.customers.models import Contact, Customer
from zhongtai.tickets import services
from zhongtai.tickets.models import (
    Attachment,
    Category,
    Notification,
    Tag,
    Ticket,
    TicketEvent,
    TicketPresence,
)

PROBLEM = "application/problem+json"
LIMIT = 50_000  # settings.MAX_DESCRIPTION_CHARS
SMALL_ATTACHMENT_LIMIT = 1000
HUGE = 2**64  # no database id is this big; the driver would overflow

ROLES = ["anonymous", "revoked", "customer", "agent", "lead", "l2", "l3", "admin", "other_agent"]
STAFF = ("agent", "lead", "l2", "l3", "admin")
NO_AUTH = ("anonymous", "revoked")


@dataclass(frozen=True)
class Bad:
    """One request and its expected answer (status, code) per role.

    ``expect`` is the answer for every authenticated role unless ``roles`` says otherwise;
    anonymous callers and revoked tokens get 401 unless ``roles`` says otherwise (a path that
    does not exist is a 404 before authentication, a wrong method a 405).
    """

    id: str
    method: str
    path: str
    expect: tuple[int, str]
    json: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"
    files: tuple[tuple[str, int], ...] | None = None
    headers: dict[str, str] = dc_field(default_factory=dict)
    field: str | None = None
    roles: dict[str, tuple[int, str]] = dc_field(default_factory=dict)

    def expected(self, role: str) -> tuple[int, str]:
        if role in self.roles:
            return self.roles[role]
        if role in NO_AUTH:
            return (401, "unauthenticated")
        return self.expect


def only(status: int, code: str, *roles: str) -> dict[str, tuple[int, str]]:
    return dict.fromkeys(roles, (status, code))


FORBIDDEN = (403, "permission_denied")
NOT_FOUND = (404, "not_found")
INVALID = (422, "invalid")
TICKET = {"subject": "Printer is jammed", "description": "It makes a grinding noise."}

CASES = [
    # --- malformed bodies ------------------------------------------------------------------
    Bad("malformed json", "post", "/tickets", (400, "bad_request"), raw=b'{"subject": '),
    Bad("json array", "post", "/tickets", INVALID, raw=b"[]"),
    Bad(
        "form body on json endpoint",
        "post",
        "/tickets",
        (400, "bad_request"),
        raw=b"subject=x&description=y",
        content_type="application/x-www-form-urlencoded",
    ),
    Bad("empty body", "post", "/tickets", INVALID, raw=b""),
    # --- missing, unknown and invalid fields ---------------------------------------------
    Bad("missing field", "post", "/tickets", INVALID, json={"subject": "x"}, field="description"),
    Bad("unknown field", "post", "/tickets", INVALID, json={**TICKET, "foo": 1}, field="foo"),
    Bad("unknown enum", "post", "/tickets", INVALID, json={**TICKET, "priority": "mega"}),
    Bad("wrong type", "post", "/tickets", INVALID, json={**TICKET, "subject": 42}, field="subject"),
    Bad(
        "description over the limit",
        "post",
        "/tickets",
        INVALID,
        json={**TICKET, "description": "x" * (LIMIT + 1)},
        field="description",
    ),
    Bad("blank subject", "post", "/tickets", INVALID, json={**TICKET, "subject": "   "}),
    Bad(
        "NUL in a subject",
        "post",
        "/tickets",
        INVALID,
        json={**TICKET, "subject": "a\x00b"},
        field="subject",
    ),
    Bad(
        "control character in a description",
        "post",
        "/tickets",
        INVALID,
        json={**TICKET, "description": "line\x1b[31m"},
        field="description",
    ),
    Bad("NUL in a search", "get", "/tickets?q=a%00b", INVALID, field="q"),
    Bad("NUL in a token name", "post", "/tokens", INVALID, json={"name": "a\x00"}, field="name"),
    Bad("too many tags", "post", "/tickets", INVALID, json={**TICKET, "tags": ["t"] * 21}),
    Bad(
        "overlong tag",
        "post",
        "/tickets",
        INVALID,
        json={**TICKET, "tags": ["t" * 51]},
        field="tags.0",
    ),
    Bad(
        "overlong idempotency key",
        "post",
        "/tickets",
        INVALID,
        json=TICKET,
        headers={"Idempotency-Key": "k" * 256},
        field="Idempotency-Key",
    ),
    Bad("list: unknown status", "get", "/tickets?status=done", INVALID, field="status"),
    Bad("list: bad cursor", "get", "/tickets?cursor=%21%21", INVALID, field="cursor"),
    Bad("list: limit too big", "get", "/tickets?limit=101", INVALID, field="limit"),
    Bad("list: id past 64 bits", "get", f"/tickets?customer={HUGE}", INVALID, field="customer"),
    Bad("list: assignee past 64 bits", "get", f"/tickets?assignee={HUGE}", INVALID),
    Bad("path: number past 64 bits", "get", f"/tickets/{HUGE}", INVALID, field="number"),
    Bad(
        "body: id past 64 bits",
        "post",
        "/tickets/bulk-assign",
        INVALID,
        json={"numbers": [HUGE], "assignee_id": None},
        field="numbers.0",
    ),
    Bad("patch: no version", "patch", "/tickets/{own}", INVALID, json={"priority": "high"}),
    Bad(
        "patch: status is not a field",
        "patch",
        "/tickets/{own}",
        INVALID,
        json={"version": 1, "status": "closed"},
        field="status",
    ),
    Bad(
        "patch: null subject",
        "patch",
        "/tickets/{own}",
        INVALID,
        json={"version": 1, "subject": None},
        field="subject",
    ),
    Bad(
        "transition: unknown status",
        "post",
        "/tickets/{own}/transition",
        INVALID,
        json={"to_status": "done"},
        field="to_status",
    ),
    Bad(
        "reply: blank body",
        "post",
        "/tickets/{own}/replies",
        INVALID,
        json={"body": " "},
        field="body",
        roles=only(*FORBIDDEN, "l2", "l3"),  # they may not reply in public at all
    ),
    Bad(
        "reply: over the limit",
        "post",
        "/tickets/{own}/replies",
        INVALID,
        json={"body": "x" * (LIMIT + 1)},
        field="body",
    ),
    Bad(
        "reply: unknown then_status",
        "post",
        "/tickets/{own}/replies",
        INVALID,
        json={"body": "ok", "then_status": "solved"},
        field="then_status",
    ),
    Bad(
        "escalate: no reason",
        "post",
        "/tickets/{own}/escalate",
        INVALID,
        json={"team_id": "{l2_team}"},
        field="reason",
    ),
    Bad(
        "presence: unknown state",
        "post",
        "/tickets/{own}/presence",
        INVALID,
        json={"state": "sleeping"},
    ),
    Bad("bulk assign: no numbers", "post", "/tickets/bulk-assign", INVALID, json={"numbers": []}),
    Bad("token: extra field", "post", "/tokens", INVALID, json={"name": "x", "scope": "all"}),
    # --- files -----------------------------------------------------------------------------
    Bad(
        "attachment over the limit",
        "post",
        "/tickets/{own}/attachments",
        (413, "too_large"),
        files=(("big.txt", SMALL_ATTACHMENT_LIMIT + 1),),
    ),
    Bad(
        "attachment of a forbidden type",
        "post",
        "/tickets/{own}/attachments",
        (422, "forbidden_file_type"),
        files=(("ok.txt", 10), ("page.html", 10)),
    ),
    Bad(
        "svg attachment",
        "post",
        "/tickets/{own}/attachments",
        (422, "forbidden_file_type"),
        files=(("logo.svg", 10),),
    ),
    Bad(
        "too many attachments",
        "post",
        "/tickets/{own}/attachments",
        INVALID,
        files=tuple((f"f{i}.txt", 5) for i in range(11)),
    ),
    Bad(
        "attachments without files",
        "post",
        "/tickets/{own}/attachments",
        INVALID,
        raw=b"",
        content_type="multipart/form-data; boundary=x",
    ),
    # --- workflow refusals -----------------------------------------------------------------
    Bad(
        "invalid transition",
        "post",
        "/tickets/{own}/transition",
        (409, "invalid_transition"),
        json={"to_status": "closed"},
        roles=only(*FORBIDDEN, "customer", "l3"),
    ),
    Bad(
        "stale version",
        "patch",
        "/tickets/{own}",
        (409, "stale_version"),
        json={"version": 99, "priority": "high"},
        roles=only(*FORBIDDEN, "customer"),
    ),
    Bad(
        "merge into itself",
        "post",
        "/tickets/{own}/merge",
        (422, "invalid_merge"),
        json={"into": "{own}"},
        roles=only(*FORBIDDEN, "customer", "l2", "l3"),
    ),
    Bad(
        "escalate to the same tier",
        "post",
        "/tickets/{own}/escalate",
        (422, "invalid_escalation"),
        json={"team_id": "{l1_team}", "reason": "x"},
        roles=only(*FORBIDDEN, "customer", "l3"),
    ),
    Bad(
        "hand back a ticket that is not escalated",
        "post",
        "/tickets/{own}/handback",
        (409, "not_escalated"),
        json={"reason": "x"},
        roles=only(*FORBIDDEN, "customer", "agent", "lead", "other_agent"),
    ),
    Bad(
        "bulk assign without the permission",
        "post",
        "/tickets/bulk-assign",
        FORBIDDEN,
        json={"numbers": ["{own}"], "assignee_id": None},
        roles=only(200, "", "lead", "admin"),
    ),
    # --- other tenants' and other customers' objects: 404, never 403 -----------------------
    Bad("foreign ticket: get", "get", "/tickets/{foreign}", NOT_FOUND),
    Bad("foreign ticket: events", "get", "/tickets/{foreign}/events", NOT_FOUND),
    Bad(
        "foreign ticket: reply",
        "post",
        "/tickets/{foreign}/replies",
        NOT_FOUND,
        json={"body": "hi"},
    ),
    Bad(
        "foreign ticket: note",
        "post",
        "/tickets/{foreign}/replies",
        NOT_FOUND,
        json={"body": "hi", "public": False},
    ),
    Bad("foreign ticket: patch", "patch", "/tickets/{foreign}", NOT_FOUND, json={"version": 1}),
    Bad("foreign ticket: take", "post", "/tickets/{foreign}/take", NOT_FOUND),
    Bad("foreign ticket: presence", "post", "/tickets/{foreign}/presence", NOT_FOUND, json={}),
    Bad(
        "foreign ticket: transition",
        "post",
        "/tickets/{foreign}/transition",
        NOT_FOUND,
        json={"to_status": "open"},
    ),
    Bad(
        "foreign ticket: attach",
        "post",
        "/tickets/{foreign}/attachments",
        NOT_FOUND,
        files=(("a.txt", 3),),
    ),
    Bad(
        "foreign ticket: merge into it",
        "post",
        "/tickets/{own}/merge",
        NOT_FOUND,
        json={"into": "{foreign}"},
    ),
    Bad(
        "foreign ticket: child",
        "post",
        "/tickets/{foreign}/children",
        NOT_FOUND,
        json={"subject": "s", "description": "d"},
    ),
    Bad(
        "foreign ticket: bulk assign",
        "post",
        "/tickets/bulk-assign",
        FORBIDDEN,
        json={"numbers": ["{own}", "{foreign}"], "assignee_id": None},
        roles=only(*NOT_FOUND, "lead", "admin"),
    ),
    Bad(
        "foreign team: escalate",
        "post",
        "/tickets/{own}/escalate",
        NOT_FOUND,
        json={"team_id": "{foreign_team}", "reason": "x"},
    ),
    Bad(
        "foreign user: assign",
        "post",
        "/tickets/{own}/assign",
        NOT_FOUND,
        json={"assignee_id": "{foreign_user}"},
    ),
    Bad(
        "foreign category: create",
        "post",
        "/tickets",
        NOT_FOUND,
        json={**TICKET, "category_id": "{foreign_category}"},
    ),
    Bad(
        "foreign customer: create",
        "post",
        "/tickets",
        NOT_FOUND,
        json={**TICKET, "customer_id": "{foreign_customer}"},
    ),
    Bad(
        "foreign customer: get",
        "get",
        "/customers/{foreign_customer}",
        NOT_FOUND,
        roles=only(*FORBIDDEN, "customer"),
    ),
    Bad("foreign token: revoke", "delete", "/tokens/{foreign_token}", NOT_FOUND),
    # --- reads that depend on who asks -----------------------------------------------------
    Bad("own ticket: get", "get", "/tickets/{own}", (200, "")),
    Bad(
        "internal note attachment",
        "get",
        "/tickets/{own}/attachments/{internal_attachment}",
        (200, ""),
        roles=only(*NOT_FOUND, "customer", "other_agent"),
    ),
    Bad(
        "public attachment",
        "get",
        "/tickets/{own}/attachments/{public_attachment}",
        (200, ""),
        roles=only(*NOT_FOUND, "other_agent"),
    ),
    Bad(
        "customer directory",
        "get",
        "/customers",
        (200, ""),
        roles=only(*FORBIDDEN, "customer"),
    ),
    # --- the router itself -----------------------------------------------------------------
    Bad(
        "non-numeric id",
        "get",
        "/tickets/abc",
        NOT_FOUND,
        roles=only(*NOT_FOUND, *NO_AUTH),
    ),
    Bad(
        "unknown path",
        "get",
        "/nothing-here",
        NOT_FOUND,
        roles=only(*NOT_FOUND, *NO_AUTH),
    ),
    Bad(
        "wrong method",
        "put",
        "/tickets",
        (405, "method_not_allowed"),
        json=TICKET,
        roles=only(405, "method_not_allowed", *NO_AUTH),
    ),
]


# --- the scene ---------------------------------------------------------------------------


def _upload(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size, content_type="text/plain")


@dataclass
class Scene:
    world: factories.World
    actors: dict[str, Actor]
    values: dict[str, dict[str, int]]


def _scene(world: factories.World) -> Scene:
    # Numbers are per business unit; start the other one at 1001 so that a number of one
    # unit does not exist in the other (a real integrator guessing numbers would find ours).
    Tenant.objects.filter(pk=world.other_tenant.pk).update(ticket_seq=1000)
    own = factories.ticket(world.customer)
    theirs_customer = factories.ticket(world.customer2)
    theirs_tenant = factories.ticket(world.other_customer)
    note = services.ticket_reply(actor=world.agent, ticket=own, body="Internal", public=False)
    internal = services.attachment_add(
        actor=world.agent, ticket=own, files=[_upload("trace.log", 5)], public=False
    )[0]
    public = services.attachment_add(
        actor=world.agent, ticket=own, files=[_upload("manual.pdf", 5)]
    )[0]
    assert note.pk
    category_a = factories.category(world.tenant, "Printers")
    category_b = factories.category(world.other_tenant, "Laptops")
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    beta = Customer.objects.get(tenant=world.other_tenant)
    token_a, _ = account_services.api_token_create(actor=world.agent2, name="agent2's")
    token_b, _ = account_services.api_token_create(actor=world.other_agent, name="theirs")
    ours = {
        "own": own.number,
        "foreign": theirs_tenant.number,
        "l1_team": world.l1_team.pk,
        "l2_team": world.l2_team.pk,
        "foreign_team": world.other_team.pk,
        "foreign_user": world.other_agent.user.pk,
        "foreign_category": category_b.pk,
        "foreign_customer": beta.pk,
        "foreign_token": token_b.pk,
        "internal_attachment": internal.pk,
        "public_attachment": public.pk,
    }
    other_l2 = factories.team(world.other_tenant, "Other L2", "l2", [])
    values = {role: dict(ours) for role in ROLES}
    values["customer"]["foreign"] = theirs_customer.number
    values["customer"]["foreign_token"] = token_a.pk
    values["other_agent"] = {
        "own": theirs_tenant.number,
        "foreign": own.number,
        "l1_team": world.other_team.pk,
        "l2_team": other_l2.pk,
        "foreign_team": world.l2_team.pk,
        "foreign_user": world.agent.user.pk,
        "foreign_category": category_a.pk,
        "foreign_customer": acme.pk,
        "foreign_token": token_a.pk,
        "internal_attachment": internal.pk,
        "public_attachment": public.pk,
    }
    actors = {role: getattr(world, role) for role in ROLES if role not in NO_AUTH}
    return Scene(world=world, actors=actors, values=values)


def _fill(template: Any, values: dict[str, int]) -> Any:
    """Put the scene's ids into a path or a JSON body (``"{own}"`` becomes an int)."""
    if isinstance(template, str):
        if template.startswith("{") and template.endswith("}") and template[1:-1] in values:
            return values[template[1:-1]]
        return template.format(**values)
    if isinstance(template, dict):
        return {key: _fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(value, values) for value in template]
    return template


def _client(scene: Scene, role: str) -> Client:
    if role == "anonymous":
        return Client()
    actor = scene.world.agent if role == "revoked" else scene.actors[role]
    token, secret = account_services.api_token_create(actor=actor, name=f"matrix {role}")
    if role == "revoked":
        account_services.api_token_revoke(actor=actor, token_id=token.pk)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


STORED_MODELS = [
    Ticket,
    TicketEvent,
    Attachment,
    IdempotencyRecord,
    Tag,
    TicketPresence,
    Notification,
    ApiToken,
    Customer,
    Contact,
    Category,
    Team,
    Membership,
    User,
]


def _snapshot(media: Path) -> dict[str, Any]:
    state: dict[str, Any] = {model.__name__: model.objects.count() for model in STORED_MODELS}
    state["tickets"] = list(
        Ticket.objects.order_by("pk").values_list(
            "pk",
            "status",
            "version",
            "subject",
            "assignee",
            "engineer",
            "team",
            "tier",
            "merged_into",
            "priority",
        )
    )
    state["revoked"] = list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at"))
    state["files"] = sorted(str(p) for p in media.rglob("*") if p.is_file())
    return state


def _send(client: Client, case: Bad, values: dict[str, int]) -> Any:
    path = "/api/v1" + _fill(case.path, values)
    method = getattr(client, case.method)
    if case.files is not None:
        files = [_upload(name, size) for name, size in case.files]
        return method(path, {"files": files}, headers=case.headers)
    if case.raw is not None:
        return method(path, data=case.raw, content_type=case.content_type, headers=case.headers)
    if case.json is not None:
        body = json.dumps(_fill(case.json, values))
        return method(path, data=body, content_type="application/json", headers=case.headers)
    return method(path, headers=case.headers)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_request_is_refused_and_stores_nothing(
    case: Bad, role: str, world: factories.World, settings: Any
) -> None:
    settings.MAX_ATTACHMENT_BYTES = SMALL_ATTACHMENT_LIMIT
    scene = _scene(world)
    client = _client(scene, role)
    values = scene.values[role]
    before = _snapshot(Path(settings.MEDIA_ROOT))

    response = _send(client, case, values)

    status, code = case.expected(role)
    assert response.status_code == status, (role, response.content[:500])
    if status >= 400:
        assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
        body = response.json()
        assert body["code"] == code, body
        assert body["status"] == status
        assert isinstance(body["errors"], list)
        if status == 422 and code == "invalid":
            assert body["errors"], body
            assert all("field" in e and e["message"] for e in body["errors"])
            if case.field is not None:
                fields = [e["field"] for e in body["errors"]]
                assert any(f == case.field or f.startswith(case.field + ".") for f in fields), body
    if case.method == "get" or status >= 400:
        assert _snapshot(Path(settings.MEDIA_ROOT)) == before
