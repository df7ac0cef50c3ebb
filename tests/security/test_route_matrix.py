"""The authorization matrix, generated from the URL resolver and the OpenAPI description.

Every route must have an entry in ``route_registry`` (a new route without one fails
``test_every_route_has_an_entry``), and every entry is requested as every role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from tests.security import route_registry as registry
from tests.security.route_registry import SCENE_DATE, Rule
from zhongtai.accounts import services as account_services
from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import User
from zhongtai.channels import services as webhook_services
from zhongtai.channels.mail import mailboxes
from zhongtai.channels.mail.intake import mail_intake
from zhongtai.channels.wecom import service as wecom_service
from zhongtai.core.api import api
from zhongtai.core.models import Tenant
from zhongtai.customers import services as customer_services
from zhongtai.customers.models import Customer
from zhongtai.knowledge import services as knowledge_services
from zhongtai.macros import services as macro_services
from zhongtai.routing.models import RoutingRule
from zhongtai.sla.models import BusinessCalendar, CalendarDate, SlaPolicy, WorkingInterval
from zhongtai.tickets import services

_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace + ((entry.namespace,) if entry.namespace else ())
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespace, entry.name)) if entry.name else ""
            yield prefix + str(entry.pattern), name, namespace


def resolver_routes() -> list[tuple[str, str, tuple[str, ...]]]:
    return list(_walk(get_resolver()))


def openapi_operations() -> list[str]:
    schema = api.get_openapi_schema()
    return [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    ]


def test_every_route_has_an_entry() -> None:
    openapi_paths = {key.split(" ", 1)[1] for key in openapi_operations()}
    missing = []
    for pattern, name, namespace in resolver_routes():
        if namespace[:1] == (registry.ADMIN_NAMESPACE,):
            continue  # one rule: staff-only via Django admin
        if namespace[:1] == ("api",) and "/" + _CONVERTER.sub(r"{\1}", pattern) in openapi_paths:
            continue  # checked per operation below
        if (name or pattern) not in registry.HTML:
            missing.append(f"{name or '(no name)'} → /{pattern}")
    missing += [key for key in openapi_operations() if key not in registry.API]

    assert not missing, "routes without an entry in tests/security/route_registry.py:\n" + (
        "\n".join(missing)
    )


def test_no_entry_outlives_its_route() -> None:
    names = {name for _pattern, name, _ns in resolver_routes()} | {
        pattern for pattern, name, _ns in resolver_routes() if not name
    }

    assert sorted(set(registry.HTML) - names) == []
    assert sorted(set(registry.API) - set(openapi_operations())) == []


# --- the scene ---------------------------------------------------------------------------


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"12345", content_type="text/plain")


def _scene(world: factories.World) -> dict[str, int]:
    Tenant.objects.filter(pk=world.other_tenant.pk).update(ticket_seq=1000)
    own = factories.ticket(world.customer)
    own2 = factories.ticket(world.customer, subject="The same printer")
    escalated = factories.ticket(world.customer, subject="Needs L2")
    services.ticket_escalate(
        actor=world.agent, ticket=escalated, team=world.l2_team, reason="Hard case"
    )
    internal = services.attachment_add(
        actor=world.agent, ticket=own, files=[_upload("trace.log")], public=False
    )[0]
    public = services.attachment_add(actor=world.agent, ticket=own, files=[_upload("a.pdf")])[0]
    token, _secret = account_services.api_token_create(actor=world.agent, name="revocable")
    factories.ticket(world.other_customer)  # business unit B has tickets of its own
    own.refresh_from_db()
    escalated.refresh_from_db()
    calendar = BusinessCalendar.objects.create(tenant=world.tenant, name="Office")
    WorkingInterval.objects.create(calendar=calendar, weekday=0, start=time(9), end=time(18))
    CalendarDate.objects.create(
        calendar=calendar, date=date.fromisoformat(SCENE_DATE), kind="closed", source="manual"
    )
    policy = SlaPolicy.objects.create(
        tenant=world.tenant, name="Standard", calendar=calendar, first_response_minutes=60
    )
    rule = RoutingRule.objects.create(
        tenant=world.tenant, name="Printers", keywords=["printer"], set_priority="low"
    )
    kb_public = knowledge_services.article_create(
        actor=world.l2,
        data=knowledge_services.ArticleInput(
            title="Reset the printer", body="Hold the power key.", visibility="customers"
        ),
        publish=True,
    )
    kb_draft = knowledge_services.article_create(
        actor=world.agent,
        data=knowledge_services.ArticleInput(title="Printer jams", body="Draft notes."),
    )
    resolved = factories.ticket(world.customer, subject="Printer fixed")
    services.ticket_assign(actor=world.agent, ticket=resolved, assignee=world.agent.user)
    services.ticket_reply(
        actor=world.agent, ticket=resolved, body="Replace the fuser unit.", public=True
    )
    resolved.refresh_from_db()
    services.ticket_transition(actor=world.agent, ticket=resolved, to_status="resolved")
    bot_answer = knowledge_services.bot_message(actor=world.customer, text="reset the printer")
    assert not bot_answer.handed_off, "the scene's bot question must be answered"
    macro = macro_services.macro_create(
        actor=world.admin,
        data=macro_services.MacroInput(
            name="Waiting for the model",
            scope="shared",
            body_en="Which model is it, {{contact.name}}?",
            set_status="pending_customer",
            add_tags=["needs-model"],
        ),
    )
    acme = Customer.objects.get(tenant=world.tenant, name="Acme")
    acme_contact = customer_services.contact_create(
        actor=world.admin,
        customer_id=acme.pk,
        data=customer_services.ContactInput(name="Li Wei", email="li.wei@acme.example"),
    )
    contract = customer_services.contract_create(
        actor=world.admin,
        customer_id=acme.pk,
        data=customer_services.ContractInput(plan="Gold care", starts_on=date(2024, 1, 1)),
    )
    tier_rule = customer_services.tier_rule_create(
        actor=world.admin,
        data=customer_services.TierRuleInput(name="Strategic", tier="vip", tag="strategic"),
    )
    custom_field = customer_services.custom_field_create(
        actor=world.admin,
        data=customer_services.CustomFieldInput(key="erp", label_en="ERP code", kind="text"),
    )
    wecom_app = wecom_service.wecom_app_save(
        actor=world.admin,
        data=wecom_service.WeComAppInput(
            name="Desk",
            corp_id="ww0000000000000001",
            token="QDG6eK",
            encoding_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        ),
    )
    webhook = webhook_services.webhook_create(
        actor=world.admin,
        data=webhook_services.WebhookInput(
            name="CRM", url="http://127.0.0.1:9/hook", events=["ticket.created"]
        ),
    )
    delivery = webhook_services.webhook_ping(actor=world.admin, webhook_id=webhook.pk)
    mailbox = mailboxes.mailbox_save(
        actor=world.admin,
        data=mailboxes.MailboxInput(name="Support", address="support@sh.example"),
    )
    inbound = mail_intake(mailbox=mailbox, raw=b"not a mail", source="relay")
    return {
        "mailbox": mailbox.pk,
        "inbound": inbound.pk,
        "webhook": webhook.pk,
        "delivery": delivery.pk,
        "wecom_app": wecom_app.pk,
        "acme_contact": acme_contact.pk,
        "acme_identity": acme_contact.identities.get().pk,
        "contract": contract.pk,
        "tier_rule": tier_rule.pk,
        "custom_field": custom_field.pk,
        "macro": macro.pk,
        "kb_public": kb_public.pk,
        "kb_draft": kb_draft.pk,
        "rule": rule.pk,
        "calendar": calendar.pk,
        "policy": policy.pk,
        "own_version": own.version,
        "escalated_version": escalated.version,
        "own": own.number,
        "own2": own2.number,
        "resolved": resolved.number,
        "bot_answer": bot_answer.message.pk,
        "escalated": escalated.number,
        "internal_attachment": internal.pk,
        "public_attachment": public.pk,
        "agent_token": token.pk,
        "acme": acme.pk,
        "tenant": world.tenant.pk,
        "agent_user": world.agent.user.pk,
        "agent2_user": world.agent2.user.pk,
        "l2_team": world.l2_team.pk,
    }


def _fill(value: Any, scene: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return scene[value[1:]]
    if isinstance(value, dict):
        return {k: _fill(v, scene) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, scene) for v in value]
    return value


def _actor(world: factories.World, role: str) -> Actor:
    actor: Actor = getattr(world, role)
    return actor


def _session_client(world: factories.World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(_actor(world, role).user)
    return client


def _token_client(world: factories.World, role: str) -> Client:
    if role == "anonymous":
        return Client()
    _token, secret = account_services.api_token_create(actor=_actor(world, role), name="matrix")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _request(client: Client, rule: Rule, url: str, scene: dict[str, int], as_api: bool) -> Any:
    headers = {"HX-Request": "true"} if rule.htmx else {}
    method = getattr(client, rule.method)
    if rule.files:
        return method(url, {"files": [_upload("notes.txt")]}, headers=headers)
    if rule.data is None:
        return method(url, headers=headers)
    data = _fill(rule.data, scene)
    if rule.content_type:
        return method(url, data=data, content_type=rule.content_type, headers=headers)
    if as_api:
        return method(url, data=data, content_type="application/json", headers=headers)
    return method(url, data=data, headers=headers)


def _matches(expected: str, status: int) -> bool:
    if expected.endswith("xx"):
        return str(status)[0] == expected[0]
    return str(status) == expected


def _url(key: str, rule: Rule, scene: dict[str, int]) -> tuple[str, bool]:
    kwargs = {name: _fill(value, scene) for name, value in rule.kwargs.items()}
    if key in registry.API:
        path = key.split(" ", 1)[1]
        return path.format(**kwargs), True
    return reverse(key, kwargs=kwargs or None), False


def _run(world: factories.World, key: str, rule: Rule) -> list[str]:
    scene = _scene(world)
    failures = []
    for role in registry.ROLES:
        # Each role starts from the same scene: its changes are rolled back afterwards.
        with transaction.atomic():
            url, as_api = _url(key, rule, scene)
            client = _token_client(world, role) if as_api else _session_client(world, role)
            response = _request(client, rule, url, scene, as_api)
            expected = rule.expect[role]
            if not _matches(expected, response.status_code):
                failures.append(f"{role}: expected {expected}, got {response.status_code}")
            transaction.set_rollback(True)
    return failures


@pytest.mark.django_db
@pytest.mark.parametrize("key", [*registry.HTML, *registry.API])
def test_route_answers_each_role_as_registered(key: str, world: factories.World) -> None:
    rule = registry.HTML.get(key) or registry.API[key]

    failures = _run(world, key, rule)

    assert not failures, f"{key}:\n" + "\n".join(failures)


def _admin_routes() -> list[str]:
    names = []
    for pattern, name, namespace in resolver_routes():
        is_admin = namespace[:1] == (registry.ADMIN_NAMESPACE,)
        if is_admin and name and "<" not in pattern and "(?P" not in pattern:
            names.append(name)
    return sorted(set(names))


@pytest.mark.django_db
def test_django_admin_is_staff_only(world: factories.World) -> None:
    routes = _admin_routes()
    assert "admin:index" in routes
    failures = []
    clients = {role: _session_client(world, role) for role in registry.ROLES}
    for name in routes:
        for role in registry.ROLES:
            response = clients[role].get(reverse(name))
            expected = registry.ADMIN_OPEN.get(name) or registry.ADMIN_RULE.expect[role]
            if not _matches(expected, response.status_code):
                failures.append(
                    f"{name} as {role}: expected {expected}, got {response.status_code}"
                )
            elif name not in registry.ADMIN_OPEN:
                assert response["Location"].startswith(reverse("admin:login")), name

    superuser = User.objects.create_superuser("root", "root@example.com", factories.PASSWORD)
    client = Client()
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    assert not failures, "\n".join(failures)
