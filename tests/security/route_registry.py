"""Who may use which route: the expected outcome per role for every URL and API operation.

``test_route_matrix`` walks Django's URL resolver and the OpenAPI description and fails for
any route without an entry here, so a new route cannot ship without a decision about who may
use it. Then it requests every route as every role and checks the class of the answer.

Keys: a URL name (``"tickets:ticket_detail"``) for pages, ``"METHOD /api/v1/path"`` for API
operations (as the OpenAPI description writes the path). Django admin's routes are covered
by one rule, ``ADMIN_RULE``: staff-only via Django admin (none of our roles is Django staff).

Outcome classes: ``"2xx"``, ``"3xx"``, or an exact status such as ``"403"`` or ``"404"``.
The scene (``test_route_matrix._scene``) provides the ids named in ``kwargs`` and ``data``:
``own`` is a ticket of the customer contact in business unit A (visible to A's staff and to
that contact; its number does not exist in business unit B), ``own2`` another one,
``escalated`` one escalated to L2, ``public_attachment`` / ``internal_attachment`` files on
``own``, ``agent_token`` an API token of A's agent, ``acme`` the contact's customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

ROLES = ("anonymous", "customer", "agent", "lead", "l2", "l3", "admin", "other_agent")
STAFF = ("agent", "lead", "l2", "l3", "admin")


def outcome(
    *,
    anonymous: str,
    customer: str,
    staff: str | None = None,
    other_agent: str,
    **per_role: str,
) -> dict[str, str]:
    """Expected class per role; ``staff`` is the default for agent, lead, l2, l3 and admin."""
    result = {"anonymous": anonymous, "customer": customer, "other_agent": other_agent}
    for role in STAFF:
        value = per_role.get(role, staff)
        assert value is not None, f"no outcome for {role}"
        result[role] = value
    return result


@dataclass(frozen=True)
class Rule:
    """How to call one route and what each role gets.

    ``kwargs`` and ``data`` name scene values as ``"@own"``; ``htmx`` sends ``HX-Request`` so
    that page actions answer their real status instead of a redirect with a message.
    """

    method: str
    expect: dict[str, str]
    kwargs: dict[str, str] = dc_field(default_factory=dict)
    data: Any = None
    files: bool = False
    htmx: bool = False
    content_type: str = ""  # a body sent as it is (``data`` is the raw text), not as JSON
    why: str = ""


def page(**kw: str) -> dict[str, str]:
    """A page of the agent workspace: login first; a customer contact gets 404 (it does not
    exist for them); ``other_agent`` is given explicitly."""
    return outcome(anonymous="3xx", customer="404", **kw)  # type: ignore[arg-type]


def portal(**kw: str) -> dict[str, str]:
    """A page of the customer portal: login first; staff are sent to their queue."""
    return outcome(anonymous="3xx", staff="3xx", **kw)  # type: ignore[arg-type]


def api(**kw: str) -> dict[str, str]:
    """An API operation: no token, no entry (401)."""
    return outcome(anonymous="401", **kw)  # type: ignore[arg-type]


SCENE_DATE = "2026-12-31"  # set by hand on the scene's calendar
RULE_BODY = {"name": "Route matrix", "keywords": ["matrix"], "set_priority": "high"}
POLICY_BODY = {"name": "Route matrix", "calendar_id": "@calendar", "first_response_minutes": 60}


def _customers_manage_page(allowed: str) -> dict[str, str]:
    return page(staff="403", lead=allowed, l2=allowed, admin=allowed, other_agent="403")


def _customers_manage_api(allowed: str) -> dict[str, str]:
    """Contracts, tiers set by hand, tier rules, custom fields: ``customers.manage``."""
    return api(
        customer="403", staff="403", lead=allowed, l2=allowed, admin=allowed, other_agent="403"
    )


def _standards_api(allowed: str) -> dict[str, str]:
    return api(customer="403", staff="403", l2=allowed, admin=allowed, other_agent="403")


def _team_api(allowed: str) -> dict[str, str]:
    """People's routing: team leads and administrators of the unit (``team.manage``)."""
    return api(customer="403", staff="403", lead=allowed, admin=allowed, other_agent="403")


def _team_page(allowed: str) -> dict[str, str]:
    return page(staff="403", lead=allowed, admin=allowed, other_agent="403")


def _standards_page(allowed: str) -> dict[str, str]:
    return page(staff="403", l2=allowed, admin=allowed, other_agent="403")


ARTICLE_BODY = {"title": "Route matrix", "body": "Checking who may write."}
MACRO_BODY = {"name": "Route matrix", "body_en": "Hello {{contact.name}}"}


def _macro_manage_api(allowed: str) -> dict[str, str]:
    """The scene's ``@macro`` is shared: L2 and administrators change it (``macros.manage``);
    the rest of the staff see it and may not."""
    return api(customer="403", staff="403", l2=allowed, admin=allowed, other_agent="404")


WEBHOOK_BODY = {"name": "Route matrix", "url": "https://example.com/hook", "events": ["sla.breach"]}


def _integrations_api(allowed: str) -> dict[str, str]:
    """Outbound webhooks: the unit's administrators alone (``integrations.manage``)."""
    return api(customer="403", staff="403", admin=allowed, other_agent="403")


def _integrations_page(allowed: str) -> dict[str, str]:
    return page(staff="403", admin=allowed, other_agent="403")


MAIL_BODY = "From: li@acme.example\nSubject: Matrix\nMessage-ID: <m@acme.example>\n\nHello\n"
TICKET_BODY = {"subject": "Route matrix", "description": "Checking who may do what."}

HTML: dict[str, Rule] = {
    "home": Rule("get", outcome(anonymous="3xx", customer="3xx", staff="3xx", other_agent="3xx")),
    "healthz": Rule(
        "get", outcome(anonymous="2xx", customer="2xx", staff="2xx", other_agent="2xx")
    ),
    "set_language": Rule(
        "post",
        outcome(anonymous="3xx", customer="3xx", staff="3xx", other_agent="3xx"),
        data={"language": "zh-hans", "next": "/"},
    ),
    # --- accounts ----------------------------------------------------------------------
    "accounts:login": Rule(
        "get", outcome(anonymous="2xx", customer="2xx", staff="2xx", other_agent="2xx")
    ),
    "accounts:logout": Rule(
        "post", outcome(anonymous="3xx", customer="3xx", staff="3xx", other_agent="3xx")
    ),
    "accounts:tenant_switch": Rule(
        "post",
        outcome(anonymous="3xx", customer="3xx", staff="3xx", other_agent="404"),
        data={"tenant": "@tenant"},
        why="switching to a business unit you are not a member of does not exist",
    ),
    "accounts:token_list": Rule(
        "get", outcome(anonymous="3xx", customer="2xx", staff="2xx", other_agent="2xx")
    ),
    "accounts:token_revoke": Rule(
        "post",
        outcome(anonymous="3xx", customer="404", staff="404", agent="3xx", other_agent="404"),
        kwargs={"token_id": "@agent_token"},
        why="only the owner may revoke a token; for anyone else it does not exist",
    ),
    # --- agent workspace -----------------------------------------------------------------
    "tickets:ticket_list": Rule(
        "get",
        outcome(anonymous="3xx", customer="3xx", staff="2xx", other_agent="2xx"),
        why="a customer contact is sent to the portal",
    ),
    "tickets:ticket_create": Rule(
        "get",
        outcome(anonymous="3xx", customer="404", staff="2xx", other_agent="2xx"),
        why="a form for staff of any business unit; the POST is tested in test_ticket_create",
    ),
    "tickets:ticket_detail": Rule(
        "get", page(staff="2xx", other_agent="404"), kwargs={"number": "@own"}
    ),
    "tickets:ticket_bulk_assign": Rule(
        "post",
        page(staff="403", lead="2xx", admin="2xx", other_agent="422"),
        data={"numbers": ["@own"], "assignee": "@agent_user"},
        htmx=True,
        why="for another business unit the assignee is not a valid choice of the form",
    ),
    "tickets:ticket_reply": Rule(
        "post",
        page(staff="2xx", l2="403", l3="403", other_agent="404"),
        kwargs={"number": "@own"},
        data={"version": "@own_version", "kind": "reply", "body": "Hello"},
        htmx=True,
    ),
    "tickets:ticket_update": Rule(
        "post",
        page(staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        data={"version": "@own_version", "type": "incident", "priority": "high"},
        htmx=True,
    ),
    "tickets:ticket_transition": Rule(
        "post",
        page(staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        data={"version": "@own_version", "to_status": "open"},
        htmx=True,
    ),
    "tickets:ticket_assign": Rule(
        "post",
        page(staff="2xx", l3="403", other_agent="404"),
        kwargs={"number": "@own"},
        data={"version": "@own_version", "role": "assignee", "assignee": "@agent2_user"},
        htmx=True,
    ),
    "tickets:ticket_take": Rule(
        "post", page(staff="2xx", other_agent="404"), kwargs={"number": "@own"}, htmx=True
    ),
    "tickets:ticket_escalate": Rule(
        "post",
        page(staff="2xx", l3="403", other_agent="404"),
        kwargs={"number": "@own"},
        data={"version": "@own_version", "team": "@l2_team", "reason": "Needs an engineer"},
        htmx=True,
    ),
    "tickets:ticket_handback": Rule(
        "post",
        page(staff="2xx", agent="403", lead="403", other_agent="404"),
        kwargs={"number": "@escalated"},
        data={"version": "@escalated_version", "reason": "Answered"},
        htmx=True,
    ),
    "tickets:ticket_merge": Rule(
        "post",
        page(staff="2xx", l2="403", l3="403", other_agent="404"),
        kwargs={"number": "@own"},
        data={"into": "@own2", "reason": "Duplicate"},
        htmx=True,
    ),
    "tickets:ticket_child_create": Rule(
        "post",
        page(staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        data={"subject": "Child", "description": "Work for R&D", "blocks_parent": "on"},
        htmx=True,
    ),
    "tickets:ticket_presence": Rule(
        "post",
        page(staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        data={"state": "viewing"},
        htmx=True,
    ),
    "tickets:ticket_sla": Rule(
        "get", page(staff="2xx", other_agent="404"), kwargs={"number": "@own"}
    ),
    "tickets:queue_sla": Rule(
        "get",
        outcome(anonymous="3xx", customer="404", staff="2xx", other_agent="2xx"),
        data={"n": "@own"},
        why="badges of the asker's own business unit only: another unit's numbers show nothing",
    ),
    "tickets:attachment_download": Rule(
        "get",
        page(staff="2xx", other_agent="404"),
        kwargs={"number": "@own", "attachment_id": "@internal_attachment"},
    ),
    "tickets:attachment_view": Rule(
        "get",
        page(staff="2xx", other_agent="404"),
        kwargs={"number": "@own", "attachment_id": "@internal_attachment"},
    ),
    # --- reports -------------------------------------------------------------------------
    "reports:sla_report": Rule(
        "get",
        page(staff="2xx", agent="403", other_agent="403"),
        why="reports are for team leads, L2, L3 and administrators, not the L1 agent",
    ),
    # --- service standards: administrators and L2 of the unit ------------------------------
    "standards:home": Rule("get", _standards_page("2xx")),
    "standards:policy_create": Rule("get", _standards_page("2xx")),
    "standards:policy_edit": Rule("get", _standards_page("2xx"), kwargs={"policy_id": "@policy"}),
    "standards:policy_delete": Rule(
        "post", _standards_page("3xx"), kwargs={"policy_id": "@policy"}
    ),
    "standards:policy_move": Rule(
        "post", _standards_page("3xx"), kwargs={"policy_id": "@policy"}, data={"direction": "up"}
    ),
    "standards:calendar_create": Rule("get", _standards_page("2xx")),
    "standards:calendar_edit": Rule(
        "get", _standards_page("2xx"), kwargs={"calendar_id": "@calendar"}
    ),
    "standards:calendar_date_set": Rule(
        "post",
        _standards_page("3xx"),
        kwargs={"calendar_id": "@calendar"},
        data={"date": "2025-10-01", "kind": "closed"},
    ),
    "standards:calendar_date_clear": Rule(
        "post", _standards_page("3xx"), kwargs={"calendar_id": "@calendar", "day": SCENE_DATE}
    ),
    "standards:calendar_holidays": Rule(
        "post", _standards_page("3xx"), kwargs={"calendar_id": "@calendar"}
    ),
    # --- routing rules: administrators and L2 of the unit -----------------------------------
    "knowledge:article_list": Rule("get", page(staff="2xx", other_agent="2xx")),
    "knowledge:article_create": Rule("get", page(staff="2xx", other_agent="2xx")),
    "knowledge:article_detail": Rule(
        "get", page(staff="2xx", other_agent="404"), kwargs={"article_id": "@kb_draft"}
    ),
    "knowledge:article_edit": Rule(
        "get", page(staff="2xx", other_agent="404"), kwargs={"article_id": "@kb_draft"}
    ),
    "knowledge:article_transition": Rule(
        "post",
        page(staff="3xx", other_agent="404"),
        kwargs={"article_id": "@kb_draft"},
        data={"to_status": "in_review"},
    ),
    "knowledge:article_diff": Rule(
        "get",
        page(staff="2xx", other_agent="404"),
        kwargs={"article_id": "@kb_public"},
        why="?from/to default to the last change; version 1 alone has nothing before it",
    ),
    "knowledge:settings": Rule("get", _standards_page("2xx")),
    "knowledge:report": Rule(
        "get",
        page(staff="2xx", agent="403", other_agent="403"),
        why="service-level reading: leads, L2, L3 and administrators",
    ),
    "knowledge:ticket_panel": Rule(
        "get", page(staff="2xx", other_agent="404"), kwargs={"number": "@own"}
    ),
    "knowledge:case_from_ticket": Rule(
        "get", page(staff="2xx", other_agent="404"), kwargs={"number": "@resolved"}
    ),
    "knowledge:ticket_use": Rule(
        "post",
        page(staff="2xx", other_agent="404"),
        kwargs={"number": "@own", "article_id": "@kb_public"},
        htmx=True,
    ),
    "knowledge:ticket_vote": Rule(
        "post",
        page(staff="2xx", other_agent="404"),
        kwargs={"number": "@own", "article_id": "@kb_public"},
        data={"helpful": "1"},
        htmx=True,
    ),
    # --- the help centre: customers of the unit at /portal/help/, anyone at /help/<unit>/
    "help:home": Rule("get", portal(customer="2xx", other_agent="3xx")),
    "help:article": Rule(
        "get", portal(customer="2xx", other_agent="3xx"), kwargs={"article_id": "@kb_public"}
    ),
    "help:suggest": Rule(
        "get",
        outcome(anonymous="404", customer="2xx", staff="404", other_agent="404"),
        data={"subject": "reset the prin"},
        why="a partial of the customer's request form",
    ),
    "help:feedback": Rule(
        "post",
        outcome(anonymous="404", customer="3xx", staff="404", other_agent="404"),
        kwargs={"article_id": "@kb_public"},
        data={"helpful": "1", "q": "reset"},
    ),
    "public_help:home": Rule(
        "get",
        outcome(anonymous="2xx", customer="2xx", staff="2xx", other_agent="2xx"),
        kwargs={"unit": "sh"},
    ),
    "public_help:article": Rule(
        "get",
        outcome(anonymous="404", customer="2xx", staff="404", other_agent="404"),
        kwargs={"unit": "sh", "article_id": "@kb_public"},
        why="the article is for the unit's customers: a visitor reads public ones only",
    ),
    "public_help:feedback": Rule(
        "post",
        outcome(anonymous="404", customer="3xx", staff="404", other_agent="404"),
        kwargs={"unit": "sh", "article_id": "@kb_public"},
        data={"helpful": "0"},
    ),
    # --- macros: every member of the staff; the editor for those who may change the macro --
    "macros:macro_list": Rule("get", page(staff="2xx", other_agent="2xx")),
    "macros:macro_create": Rule("get", page(staff="2xx", other_agent="2xx")),
    "macros:macro_edit": Rule(
        "get",
        page(staff="403", l2="2xx", admin="2xx", other_agent="404"),
        kwargs={"macro_id": "@macro"},
        why="@macro is shared: L2 and administrators change it; the rest of the staff see it",
    ),
    "macros:macro_used": Rule(
        "post",
        page(staff="2xx", other_agent="404"),
        kwargs={"macro_id": "@macro"},
        htmx=True,
        why="the composer's note that a macro's text was inserted (204)",
    ),
    # --- mailboxes: the unit's administrators alone -------------------------------------
    "mail:mailbox_list": Rule("get", _integrations_page("2xx")),
    "mail:mailbox_detail": Rule(
        "get", _integrations_page("2xx"), kwargs={"mailbox_id": "@mailbox"}
    ),
    "mail:mailbox_delete": Rule(
        "post", _integrations_page("3xx"), kwargs={"mailbox_id": "@mailbox"}
    ),
    "mail:inbound_reprocess": Rule(
        "post", _integrations_page("3xx"), kwargs={"inbound_id": "@inbound"}
    ),
    "mail:inbound_raw": Rule("get", _integrations_page("2xx"), kwargs={"inbound_id": "@inbound"}),
    # --- enterprise chat: WeCom's callback answers whoever calls it by the signature alone
    # (none here: 403); the sidebar is the staff's; WeCom apps are the administrators' ------
    "chat:wecom_callback": Rule(
        "get",
        outcome(anonymous="403", customer="403", staff="403", other_agent="403"),
        kwargs={"app_id": "@wecom_app"},
        why="no signature: refused before anything is decrypted, whoever is logged in",
    ),
    "chat:sidebar": Rule(
        "get",
        page(staff="2xx", other_agent="2xx"),
        data={"kind": "email", "value": "li.wei@acme.example"},
        why="another unit's agent gets the page without unit A's customer on it",
    ),
    "chat:sidebar_ticket": Rule(
        "post",
        page(staff="3xx", other_agent="404"),
        data={
            "kind": "email",
            "value": "li.wei@acme.example",
            "subject": "Alarm",
            "description": "It stops.",
        },
    ),
    "chat:sidebar_note": Rule(
        "post",
        page(staff="3xx", other_agent="404"),
        data={"kind": "email", "value": "li.wei@acme.example", "body": "Prefers calls"},
    ),
    "chat:sidebar_link": Rule(
        "post",
        page(staff="3xx", other_agent="3xx"),
        data={"kind": "wecom_external_userid", "value": "wmNew", "email": "li.wei@acme.example"},
        why="another unit's agent is told no contact has the email (a message, no link made)",
    ),
    "chat:wecom_apps": Rule("get", _integrations_page("2xx")),
    # --- Customer 360: staff read and write profiles; contracts, tiers by hand and the
    # unit's tier rules and fields for leads, L2 and administrators (customers.manage) -----
    "customers:customer_list": Rule("get", page(staff="2xx", other_agent="2xx")),
    "customers:customer_create": Rule("get", page(staff="2xx", other_agent="2xx")),
    "customers:settings": Rule("get", _customers_manage_page("2xx")),
    "customers:customer_detail": Rule(
        "get", page(staff="2xx", other_agent="404"), kwargs={"customer_id": "@acme"}
    ),
    "customers:customer_edit": Rule(
        "get", page(staff="2xx", other_agent="404"), kwargs={"customer_id": "@acme"}
    ),
    "customers:customer_assets": Rule(
        "get", page(staff="2xx", other_agent="404"), kwargs={"customer_id": "@acme"}
    ),
    "customers:customer_history": Rule(
        "get", page(staff="2xx", other_agent="404"), kwargs={"customer_id": "@acme"}
    ),
    "customers:note_add": Rule(
        "post",
        page(staff="3xx", other_agent="404"),
        kwargs={"customer_id": "@acme"},
        data={"body": "Prefers calls"},
    ),
    "customers:tier_override": Rule(
        "post",
        _customers_manage_page("3xx"),
        kwargs={"customer_id": "@acme"},
        data={"tier": "vip", "reason": "Route matrix"},
    ),
    "customers:contact_add": Rule(
        "post",
        page(staff="3xx", other_agent="404"),
        kwargs={"customer_id": "@acme"},
        data={"name": "Wang Fang"},
    ),
    "customers:identity_add": Rule(
        "post",
        page(staff="3xx", other_agent="404"),
        kwargs={"customer_id": "@acme"},
        data={"contact": "@acme_contact", "kind": "wecom_userid", "value": "liwei"},
    ),
    "customers:identity_remove": Rule(
        "post",
        page(staff="3xx", other_agent="404"),
        kwargs={"customer_id": "@acme", "identity_id": "@acme_identity"},
    ),
    "customers:contract_add": Rule(
        "post",
        _customers_manage_page("3xx"),
        kwargs={"customer_id": "@acme"},
        data={
            "plan": "Silver",
            "kind": "contract",
            "value_per_year": "1000",
            "currency": "CNY",
            "starts_on": "2025-01-01",
        },
    ),
    "customers:contract_delete": Rule(
        "post",
        _customers_manage_page("3xx"),
        kwargs={"customer_id": "@acme", "contract_id": "@contract"},
    ),
    # --- outbound webhooks: the unit's administrators alone --------------------------------
    "webhooks:webhook_list": Rule("get", _integrations_page("2xx")),
    "webhooks:webhook_create": Rule("get", _integrations_page("2xx")),
    "webhooks:webhook_detail": Rule(
        "get", _integrations_page("2xx"), kwargs={"webhook_id": "@webhook"}
    ),
    "webhooks:webhook_edit": Rule(
        "get", _integrations_page("2xx"), kwargs={"webhook_id": "@webhook"}
    ),
    "webhooks:webhook_delete": Rule(
        "post", _integrations_page("3xx"), kwargs={"webhook_id": "@webhook"}
    ),
    "webhooks:webhook_rotate": Rule(
        "post", _integrations_page("2xx"), kwargs={"webhook_id": "@webhook"}
    ),
    "webhooks:webhook_ping": Rule(
        "post", _integrations_page("3xx"), kwargs={"webhook_id": "@webhook"}
    ),
    "webhooks:delivery_detail": Rule(
        "get", _integrations_page("2xx"), kwargs={"delivery_id": "@delivery"}
    ),
    "webhooks:delivery_replay": Rule(
        "post", _integrations_page("3xx"), kwargs={"delivery_id": "@delivery"}
    ),
    "routing:rule_list": Rule("get", _standards_page("2xx")),
    "routing:rule_create": Rule("get", _standards_page("2xx")),
    "routing:rule_edit": Rule("get", _standards_page("2xx"), kwargs={"rule_id": "@rule"}),
    "routing:rule_delete": Rule("post", _standards_page("3xx"), kwargs={"rule_id": "@rule"}),
    "routing:rule_move": Rule(
        "post", _standards_page("3xx"), kwargs={"rule_id": "@rule"}, data={"direction": "up"}
    ),
    "routing:classifier": Rule("get", _standards_page("2xx")),
    "routing:classifier_settings": Rule(
        "post", _standards_page("3xx"), data={"confidence_threshold": "0.7"}
    ),
    "routing:classifier_train": Rule(
        "post", _standards_page("3xx"), why="queues a training of the unit's classifier"
    ),
    # --- people's routing: own status for all staff; the board for leads and admins -------
    "routing:status": Rule(
        "post", page(staff="3xx", other_agent="3xx"), data={"status": "busy", "next": "/agent/"}
    ),
    "routing:people": Rule("get", _team_page("2xx")),
    "routing:profile": Rule("get", _team_page("2xx"), kwargs={"user_id": "@agent_user"}),
    "routing:team_overflow": Rule(
        "post",
        _team_page("3xx"),
        kwargs={"team_id": "@l2_team"},
        data={"overflow_to": "surge", "max_waiting": "5"},
    ),
    "routing:team_surge": Rule(
        "post", _team_page("3xx"), kwargs={"team_id": "@l2_team"}, data={"on": "1"}
    ),
    "routing:surge_enrol": Rule(
        "post", _team_page("3xx"), kwargs={"team_id": "@l2_team"}, data={"user": "@agent2_user"}
    ),
    "routing:surge_unenrol": Rule(
        "post", _team_page("3xx"), kwargs={"team_id": "@l2_team", "user_id": "@agent2_user"}
    ),
    # --- customer portal -----------------------------------------------------------------
    "portal:ticket_list": Rule("get", portal(customer="2xx", other_agent="3xx")),
    "portal:ticket_create": Rule("get", portal(customer="2xx", other_agent="3xx")),
    "portal:commitments": Rule("get", portal(customer="2xx", other_agent="3xx")),
    "portal:ticket_detail": Rule(
        "get", portal(customer="2xx", other_agent="3xx"), kwargs={"number": "@own"}
    ),
    "portal:ticket_reply": Rule(
        "post",
        portal(customer="3xx", other_agent="3xx"),
        kwargs={"number": "@own"},
        data={"body": "Any news?"},
    ),
    "portal:ticket_solve": Rule(
        "post",
        portal(customer="3xx", other_agent="3xx"),
        kwargs={"number": "@own"},
        why="a redirect back to the request with a message",
    ),
    "portal:attachment_download": Rule(
        "get",
        portal(customer="2xx", other_agent="3xx"),
        kwargs={"number": "@own", "attachment_id": "@public_attachment"},
    ),
    # --- API documents -------------------------------------------------------------------
    "api:openapi-json": Rule(
        "get", outcome(anonymous="2xx", customer="2xx", staff="2xx", other_agent="2xx")
    ),
    "api:openapi-view": Rule(
        "get", outcome(anonymous="2xx", customer="2xx", staff="2xx", other_agent="2xx")
    ),
    "api:api-root": Rule(
        "get", outcome(anonymous="404", customer="404", staff="404", other_agent="404")
    ),
}

API: dict[str, Rule] = {
    "GET /api/v1/me": Rule("get", api(customer="2xx", staff="2xx", other_agent="2xx")),
    "GET /api/v1/tokens": Rule("get", api(customer="2xx", staff="2xx", other_agent="2xx")),
    "POST /api/v1/tokens": Rule(
        "post", api(customer="2xx", staff="2xx", other_agent="2xx"), data={"name": "CI"}
    ),
    "DELETE /api/v1/tokens/{token_id}": Rule(
        "delete",
        api(customer="404", staff="404", agent="2xx", other_agent="404"),
        kwargs={"token_id": "@agent_token"},
    ),
    "GET /api/v1/teams": Rule("get", api(customer="403", staff="2xx", other_agent="2xx")),
    "GET /api/v1/agents": Rule("get", api(customer="403", staff="2xx", other_agent="2xx")),
    "GET /api/v1/categories": Rule("get", api(customer="2xx", staff="2xx", other_agent="2xx")),
    "GET /api/v1/customers": Rule("get", api(customer="403", staff="2xx", other_agent="2xx")),
    "GET /api/v1/customers/{customer_id}": Rule(
        "get", api(customer="403", staff="2xx", other_agent="404"), kwargs={"customer_id": "@acme"}
    ),
    "GET /api/v1/customers/{customer_id}/contacts": Rule(
        "get", api(customer="403", staff="2xx", other_agent="404"), kwargs={"customer_id": "@acme"}
    ),
    # Customer 360: staff read and write profiles, contacts, identities and notes; contracts,
    # tiers set by hand, tier rules and custom fields are for leads, L2 and administrators
    # (``customers.manage``). Another unit's agent finds none of unit A's rows (404).
    "POST /api/v1/customers": Rule(
        "post", api(customer="403", staff="2xx", other_agent="2xx"), data={"name": "Matrix Co"}
    ),
    "GET /api/v1/customers/resolve": Rule(
        "get",
        api(customer="403", staff="2xx", other_agent="404"),
        data={"kind": "email", "value": "li.wei@acme.example"},
    ),
    "PUT /api/v1/customers/{customer_id}": Rule(
        "put",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"customer_id": "@acme"},
        data={"name": "Acme", "tags": ["matrix"]},
    ),
    "GET /api/v1/customers/{customer_id}/profile": Rule(
        "get", api(customer="403", staff="2xx", other_agent="404"), kwargs={"customer_id": "@acme"}
    ),
    "GET /api/v1/customers/{customer_id}/history": Rule(
        "get", api(customer="403", staff="2xx", other_agent="404"), kwargs={"customer_id": "@acme"}
    ),
    "POST /api/v1/customers/{customer_id}/tier-override": Rule(
        "post",
        _customers_manage_api("2xx"),
        kwargs={"customer_id": "@acme"},
        data={"tier": "vip", "reason": "Route matrix"},
    ),
    "DELETE /api/v1/customers/{customer_id}/tier-override": Rule(
        "delete", _customers_manage_api("2xx"), kwargs={"customer_id": "@acme"}
    ),
    "POST /api/v1/customers/{customer_id}/notes": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"customer_id": "@acme"},
        data={"body": "Prefers calls"},
    ),
    "POST /api/v1/customers/{customer_id}/contacts": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"customer_id": "@acme"},
        data={"name": "Wang Fang"},
    ),
    "PUT /api/v1/customers/contacts/{contact_id}": Rule(
        "put",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"contact_id": "@acme_contact"},
        data={"name": "Li Wei", "email": "li.wei@acme.example", "title": "Plant manager"},
    ),
    "POST /api/v1/customers/contacts/{contact_id}/identities": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"contact_id": "@acme_contact"},
        data={"kind": "wecom_userid", "value": "liwei"},
    ),
    "DELETE /api/v1/customers/identities/{identity_id}": Rule(
        "delete",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"identity_id": "@acme_identity"},
    ),
    "GET /api/v1/customers/{customer_id}/contracts": Rule(
        "get", api(customer="403", staff="2xx", other_agent="404"), kwargs={"customer_id": "@acme"}
    ),
    "POST /api/v1/customers/{customer_id}/contracts": Rule(
        "post",
        _customers_manage_api("2xx"),
        kwargs={"customer_id": "@acme"},
        data={"plan": "Silver", "starts_on": "2025-01-01", "value_per_year": "1000"},
    ),
    "PUT /api/v1/customers/contracts/{contract_id}": Rule(
        "put",
        _customers_manage_api("2xx"),
        kwargs={"contract_id": "@contract"},
        data={"plan": "Gold care", "starts_on": "2024-01-01", "value_per_year": "2000"},
    ),
    "DELETE /api/v1/customers/contracts/{contract_id}": Rule(
        "delete", _customers_manage_api("2xx"), kwargs={"contract_id": "@contract"}
    ),
    "GET /api/v1/customers/tier-rules": Rule(
        "get", api(customer="403", staff="2xx", other_agent="2xx")
    ),
    "POST /api/v1/customers/tier-rules": Rule(
        "post",
        _customers_manage_api("2xx"),
        data={"name": "Big", "tier": "vip", "min_value_per_year": "500000"},
    ),
    "PUT /api/v1/customers/tier-rules/{rule_id}": Rule(
        "put",
        _customers_manage_api("2xx"),
        kwargs={"rule_id": "@tier_rule"},
        data={"name": "Strategic", "tier": "premium", "tag": "strategic"},
    ),
    "DELETE /api/v1/customers/tier-rules/{rule_id}": Rule(
        "delete", _customers_manage_api("2xx"), kwargs={"rule_id": "@tier_rule"}
    ),
    "GET /api/v1/customers/custom-fields": Rule(
        "get", api(customer="403", staff="2xx", other_agent="2xx")
    ),
    "POST /api/v1/customers/custom-fields": Rule(
        "post",
        _customers_manage_api("2xx"),
        data={"key": "seats", "label_en": "Seats", "kind": "number"},
    ),
    "PUT /api/v1/customers/custom-fields/{field_id}": Rule(
        "put",
        _customers_manage_api("2xx"),
        kwargs={"field_id": "@custom_field"},
        data={"key": "erp", "label_en": "ERP", "label_zh": "ERP 编码", "kind": "text"},
    ),
    "DELETE /api/v1/customers/custom-fields/{field_id}": Rule(
        "delete", _customers_manage_api("2xx"), kwargs={"field_id": "@custom_field"}
    ),
    # CRM sync: leads, L2 and administrators import and export rows of their own unit
    # (``customers.manage``); a request never reaches another unit's rows.
    "POST /api/v1/customers/import/{kind}": Rule(
        "post",
        _customers_manage_api("2xx"),
        kwargs={"kind": "customers"},
        data={"rows": [{"external_id": "MATRIX-1", "name": "Matrix Import"}]},
    ),
    "GET /api/v1/customers/export/{kind}": Rule(
        "get", _customers_manage_api("2xx"), kwargs={"kind": "contacts"}, data={"format": "jsonl"}
    ),
    "GET /api/v1/tickets": Rule("get", api(customer="2xx", staff="2xx", other_agent="2xx")),
    "POST /api/v1/tickets": Rule(
        "post", api(customer="2xx", staff="2xx", other_agent="2xx"), data=TICKET_BODY
    ),
    "GET /api/v1/tickets/{number}": Rule(
        "get", api(customer="2xx", staff="2xx", other_agent="404"), kwargs={"number": "@own"}
    ),
    "PATCH /api/v1/tickets/{number}": Rule(
        "patch",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        data={"version": "@own_version", "priority": "high"},
    ),
    "POST /api/v1/tickets/{number}/transition": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        data={"to_status": "open"},
    ),
    "POST /api/v1/tickets/{number}/replies": Rule(
        "post",
        api(customer="2xx", staff="2xx", l2="403", l3="403", other_agent="404"),
        kwargs={"number": "@own"},
        data={"body": "Hello"},
        why="L2/L3 work in internal notes; the L1 owner keeps the customer conversation",
    ),
    "GET /api/v1/tickets/{number}/events": Rule(
        "get", api(customer="2xx", staff="2xx", other_agent="404"), kwargs={"number": "@own"}
    ),
    "GET /api/v1/tickets/{number}/sla": Rule(
        "get", api(customer="403", staff="2xx", other_agent="404"), kwargs={"number": "@own"}
    ),
    "POST /api/v1/tickets/{number}/assign": Rule(
        "post",
        api(customer="403", staff="2xx", l3="403", other_agent="404"),
        kwargs={"number": "@own"},
        data={"assignee_id": "@agent2_user"},
    ),
    "POST /api/v1/tickets/{number}/take": Rule(
        "post", api(customer="403", staff="2xx", other_agent="404"), kwargs={"number": "@own"}
    ),
    "POST /api/v1/tickets/{number}/escalate": Rule(
        "post",
        api(customer="403", staff="2xx", l3="403", other_agent="404"),
        kwargs={"number": "@own"},
        data={"team_id": "@l2_team", "reason": "Needs an engineer"},
    ),
    "POST /api/v1/tickets/{number}/handback": Rule(
        "post",
        api(customer="403", staff="2xx", agent="403", lead="403", other_agent="404"),
        kwargs={"number": "@escalated"},
        data={"reason": "Answered"},
    ),
    "POST /api/v1/tickets/{number}/merge": Rule(
        "post",
        api(customer="403", staff="2xx", l2="403", l3="403", other_agent="404"),
        kwargs={"number": "@own"},
        data={"into": "@own2", "reason": "Duplicate"},
    ),
    "POST /api/v1/tickets/{number}/children": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        data={"subject": "Child", "description": "Work for R&D"},
    ),
    "POST /api/v1/tickets/bulk-assign": Rule(
        "post",
        api(customer="403", staff="403", lead="2xx", admin="2xx", other_agent="403"),
        data={"numbers": ["@own"], "assignee_id": None},
    ),
    "POST /api/v1/tickets/{number}/attachments": Rule(
        "post",
        api(customer="2xx", staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        files=True,
    ),
    "GET /api/v1/tickets/{number}/attachments/{attachment_id}": Rule(
        "get",
        api(customer="404", staff="2xx", other_agent="404"),
        kwargs={"number": "@own", "attachment_id": "@internal_attachment"},
        why="an internal note's file does not exist for the customer",
    ),
    "POST /api/v1/tickets/{number}/presence": Rule(
        "post",
        api(customer="2xx", staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        data={"state": "viewing"},
    ),
    "GET /api/v1/sla/policies": Rule("get", api(customer="403", staff="2xx", other_agent="2xx")),
    "GET /api/v1/sla/calendars": Rule("get", api(customer="403", staff="2xx", other_agent="2xx")),
    # Writes of standards: administrators and L2 of the unit only (``standards.manage``);
    # ``@policy`` and ``@calendar`` are the scene's (China's holidays, a date set by hand).
    "POST /api/v1/sla/policies": Rule(
        "post",
        _standards_api("2xx"),
        data=POLICY_BODY,
        why="standards.manage",
    ),
    "PUT /api/v1/sla/policies/{policy_id}": Rule(
        "put", _standards_api("2xx"), kwargs={"policy_id": "@policy"}, data=POLICY_BODY
    ),
    "DELETE /api/v1/sla/policies/{policy_id}": Rule(
        "delete", _standards_api("2xx"), kwargs={"policy_id": "@policy"}
    ),
    "POST /api/v1/sla/policies/{policy_id}/move": Rule(
        "post", _standards_api("2xx"), kwargs={"policy_id": "@policy"}, data={"index": 0}
    ),
    "POST /api/v1/sla/calendars": Rule(
        "post", _standards_api("2xx"), data={"name": "Route matrix", "always_open": True}
    ),
    "PUT /api/v1/sla/calendars/{calendar_id}": Rule(
        "put",
        _standards_api("2xx"),
        kwargs={"calendar_id": "@calendar"},
        data={"name": "Route matrix", "always_open": True},
    ),
    "PUT /api/v1/sla/calendars/{calendar_id}/dates/{date}": Rule(
        "put",
        _standards_api("2xx"),
        kwargs={"calendar_id": "@calendar", "date": "2025-10-01"},
        data={"kind": "closed"},
    ),
    "DELETE /api/v1/sla/calendars/{calendar_id}/dates/{date}": Rule(
        "delete",
        _standards_api("2xx"),
        kwargs={"calendar_id": "@calendar", "date": SCENE_DATE},
    ),
    "POST /api/v1/sla/calendars/{calendar_id}/holidays": Rule(
        "post", _standards_api("2xx"), kwargs={"calendar_id": "@calendar"}
    ),
    # Routing rules: staff read them; administrators and L2 of the unit write and try them.
    "GET /api/v1/routing/rules": Rule("get", api(customer="403", staff="2xx", other_agent="2xx")),
    "POST /api/v1/routing/rules": Rule("post", _standards_api("2xx"), data=RULE_BODY),
    "PUT /api/v1/routing/rules/{rule_id}": Rule(
        "put", _standards_api("2xx"), kwargs={"rule_id": "@rule"}, data=RULE_BODY
    ),
    "DELETE /api/v1/routing/rules/{rule_id}": Rule(
        "delete", _standards_api("2xx"), kwargs={"rule_id": "@rule"}
    ),
    "POST /api/v1/routing/rules/{rule_id}/move": Rule(
        "post", _standards_api("2xx"), kwargs={"rule_id": "@rule"}, data={"index": 0}
    ),
    "POST /api/v1/routing/rules/dry-run": Rule(
        "post", _standards_api("2xx"), data=RULE_BODY, why="counts only; stores nothing"
    ),
    # Knowledge: staff read and write drafts; publishers (L2 and admin by default) publish;
    # customer contacts read and search what is published for customers or the public.
    "GET /api/v1/knowledge/articles": Rule(
        "get", api(customer="2xx", staff="2xx", other_agent="2xx")
    ),
    "POST /api/v1/knowledge/articles": Rule(
        "post", api(customer="403", staff="2xx", other_agent="2xx"), data=ARTICLE_BODY
    ),
    "GET /api/v1/knowledge/articles/{article_id}": Rule(
        "get",
        api(customer="2xx", staff="2xx", other_agent="404"),
        kwargs={"article_id": "@kb_public"},
    ),
    "PUT /api/v1/knowledge/articles/{article_id}": Rule(
        "put",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"article_id": "@kb_draft"},
        data=ARTICLE_BODY,
    ),
    "POST /api/v1/knowledge/articles/{article_id}/transition": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"article_id": "@kb_draft"},
        data={"to_status": "in_review"},
        why="anyone on the staff sends a draft for review",
    ),
    "GET /api/v1/knowledge/articles/{article_id}/versions": Rule(
        "get",
        api(customer="404", staff="2xx", other_agent="404"),
        kwargs={"article_id": "@kb_public"},
        why="versions are the staff's; for a customer contact they do not exist",
    ),
    "GET /api/v1/knowledge/articles/{article_id}/diff": Rule(
        "get",
        api(customer="404", staff="2xx", other_agent="404"),
        kwargs={"article_id": "@kb_public"},
        data={"from": 1, "to": 1},
    ),
    "POST /api/v1/knowledge/articles/{article_id}/feedback": Rule(
        "post",
        api(customer="2xx", staff="2xx", other_agent="404"),
        kwargs={"article_id": "@kb_public"},
        data={"helpful": True, "question": "how do I reset the printer"},
    ),
    "GET /api/v1/knowledge/search": Rule(
        "get", api(customer="2xx", staff="2xx", other_agent="2xx"), data={"q": "printer"}
    ),
    "GET /api/v1/knowledge/settings": Rule(
        "get", api(customer="403", staff="2xx", other_agent="2xx")
    ),
    "PUT /api/v1/knowledge/settings": Rule(
        "put",
        _standards_api("2xx"),
        data={"publisher_roles": ["l2", "lead"], "bot_threshold": 0.6},
    ),
    "GET /api/v1/knowledge/tickets/{number}/suggestions": Rule(
        "get", api(customer="403", staff="2xx", other_agent="404"), kwargs={"number": "@own"}
    ),
    "POST /api/v1/knowledge/tickets/{number}/uses": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        data={"article_id": "@kb_public"},
    ),
    "POST /api/v1/knowledge/tickets/{number}/votes": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"number": "@own"},
        data={"article_id": "@kb_public", "helpful": False},
    ),
    "POST /api/v1/knowledge/tickets/{number}/case": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"number": "@resolved"},
        why="any staff member drafts a case from a resolved ticket",
    ),
    "GET /api/v1/knowledge/report": Rule(
        "get", api(customer="403", staff="2xx", agent="403", other_agent="403")
    ),
    # The bot: customer contacts ask it; staff have the knowledge base itself.
    "POST /api/v1/bot/messages": Rule(
        "post",
        api(customer="2xx", staff="403", other_agent="403"),
        data={"text": "How do I reset the printer?"},
    ),
    "POST /api/v1/bot/messages/{message_id}/rating": Rule(
        "post",
        api(customer="2xx", staff="404", other_agent="404"),
        kwargs={"message_id": "@bot_answer"},
        data={"helpful": True},
        why="only the customer who asked rates an answer",
    ),
    # Macros: staff read the shared ones, their teams' and their own, and write personal ones;
    # L2 and administrators write shared ones. Customer contacts have none (403).
    "GET /api/v1/macros": Rule("get", api(customer="403", staff="2xx", other_agent="2xx")),
    "POST /api/v1/macros": Rule(
        "post", api(customer="403", staff="2xx", other_agent="2xx"), data=MACRO_BODY
    ),
    "GET /api/v1/macros/{macro_id}": Rule(
        "get", api(customer="403", staff="2xx", other_agent="404"), kwargs={"macro_id": "@macro"}
    ),
    "PUT /api/v1/macros/{macro_id}": Rule(
        "put",
        _macro_manage_api("2xx"),
        kwargs={"macro_id": "@macro"},
        data={**MACRO_BODY, "scope": "shared"},
    ),
    "DELETE /api/v1/macros/{macro_id}": Rule(
        "delete", _macro_manage_api("2xx"), kwargs={"macro_id": "@macro"}
    ),
    "POST /api/v1/macros/{macro_id}/render": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"macro_id": "@macro"},
        data={"ticket": "@own"},
    ),
    "POST /api/v1/macros/{macro_id}/apply": Rule(
        "post",
        api(customer="403", staff="2xx", other_agent="404"),
        kwargs={"macro_id": "@macro"},
        data={"ticket": "@own"},
        why="@macro tags the ticket and sets it pending customer, which every staff role may",
    ),
    # Mailboxes and the raw-message endpoint: the unit's administrators alone.
    "GET /api/v1/mailboxes": Rule("get", _integrations_api("2xx")),
    "POST /api/v1/mailboxes": Rule(
        "post", _integrations_api("2xx"), data={"name": "Desk", "address": "desk@sh.example"}
    ),
    "GET /api/v1/mailboxes/{mailbox_id}": Rule(
        "get", _integrations_api("2xx"), kwargs={"mailbox_id": "@mailbox"}
    ),
    "PUT /api/v1/mailboxes/{mailbox_id}": Rule(
        "put",
        _integrations_api("2xx"),
        kwargs={"mailbox_id": "@mailbox"},
        data={"name": "Support", "address": "support@sh.example"},
    ),
    "DELETE /api/v1/mailboxes/{mailbox_id}": Rule(
        "delete", _integrations_api("2xx"), kwargs={"mailbox_id": "@mailbox"}
    ),
    "POST /api/v1/mailboxes/{mailbox_id}/messages": Rule(
        "post",
        _integrations_api("2xx"),
        kwargs={"mailbox_id": "@mailbox"},
        data=MAIL_BODY,
        content_type="message/rfc822",
        why="a raw mail, as a relay sends it",
    ),
    "GET /api/v1/mailboxes/{mailbox_id}/inbound": Rule(
        "get", _integrations_api("2xx"), kwargs={"mailbox_id": "@mailbox"}
    ),
    "POST /api/v1/mailboxes/inbound/{inbound_id}/reprocess": Rule(
        "post", _integrations_api("2xx"), kwargs={"inbound_id": "@inbound"}
    ),
    # Outbound webhooks: the unit's administrators alone (integrations.manage).
    "GET /api/v1/webhooks": Rule("get", _integrations_api("2xx")),
    "POST /api/v1/webhooks": Rule("post", _integrations_api("2xx"), data=WEBHOOK_BODY),
    "GET /api/v1/webhooks/{webhook_id}": Rule(
        "get", _integrations_api("2xx"), kwargs={"webhook_id": "@webhook"}
    ),
    "PUT /api/v1/webhooks/{webhook_id}": Rule(
        "put",
        _integrations_api("2xx"),
        kwargs={"webhook_id": "@webhook"},
        data=WEBHOOK_BODY,
    ),
    "DELETE /api/v1/webhooks/{webhook_id}": Rule(
        "delete", _integrations_api("2xx"), kwargs={"webhook_id": "@webhook"}
    ),
    "POST /api/v1/webhooks/{webhook_id}/rotate-secret": Rule(
        "post", _integrations_api("2xx"), kwargs={"webhook_id": "@webhook"}
    ),
    "POST /api/v1/webhooks/{webhook_id}/ping": Rule(
        "post", _integrations_api("2xx"), kwargs={"webhook_id": "@webhook"}
    ),
    "GET /api/v1/webhooks/deliveries": Rule("get", _integrations_api("2xx")),
    "GET /api/v1/webhooks/deliveries/{delivery_id}": Rule(
        "get", _integrations_api("2xx"), kwargs={"delivery_id": "@delivery"}
    ),
    "POST /api/v1/webhooks/deliveries/{delivery_id}/replay": Rule(
        "post", _integrations_api("2xx"), kwargs={"delivery_id": "@delivery"}
    ),
    # People's routing: everyone sets their own status; leads and administrators the rest.
    "PUT /api/v1/routing/status": Rule(
        "put", api(customer="403", staff="2xx", other_agent="2xx"), data={"status": "busy"}
    ),
    "GET /api/v1/routing/agents": Rule("get", _team_api("2xx")),
    "PUT /api/v1/routing/agents/{user_id}/status": Rule(
        "put", _team_api("2xx"), kwargs={"user_id": "@agent_user"}, data={"status": "away"}
    ),
    "PUT /api/v1/routing/agents/{user_id}/profile": Rule(
        "put", _team_api("2xx"), kwargs={"user_id": "@agent_user"}, data={"max_open": 4}
    ),
    "GET /api/v1/routing/teams": Rule("get", _team_api("2xx")),
    "PUT /api/v1/routing/teams/{team_id}/overflow": Rule(
        "put",
        _team_api("2xx"),
        kwargs={"team_id": "@l2_team"},
        data={"overflow_to": "surge", "max_waiting": 10},
    ),
    "PUT /api/v1/routing/teams/{team_id}/surge": Rule(
        "put", _team_api("2xx"), kwargs={"team_id": "@l2_team"}, data={"on": True}
    ),
    "POST /api/v1/routing/teams/{team_id}/surge/enrolments": Rule(
        "post", _team_api("2xx"), kwargs={"team_id": "@l2_team"}, data={"user_id": "@agent2_user"}
    ),
    "DELETE /api/v1/routing/teams/{team_id}/surge/enrolments/{user_id}": Rule(
        "delete", _team_api("2xx"), kwargs={"team_id": "@l2_team", "user_id": "@agent2_user"}
    ),
    "GET /api/v1/routing/settings": Rule("get", _standards_api("2xx")),
    "PUT /api/v1/routing/settings": Rule(
        "put", _standards_api("2xx"), data={"confidence_threshold": 0.7, "auto_assign": True}
    ),
    "GET /api/v1/routing/classifier/versions": Rule("get", _standards_api("2xx")),
    "POST /api/v1/routing/classifier/evaluate": Rule(
        "post",
        _standards_api("422"),
        data={"examples": [{"text": "printer jammed", "label": "hardware"}]},
        why="scores only; the scene's units have no trained classifier: a 422 says so",
    ),
    "POST /api/v1/routing/classifier/train": Rule(
        "post", _standards_api("2xx"), data={}, why="queues a task; trains nothing here"
    ),
    "GET /api/v1/reports/sla/attainment": Rule(
        "get",
        api(customer="403", staff="2xx", agent="403", other_agent="403"),
        data={"from": "2024-01-01", "to": "2024-01-31", "group_by": "team"},
        why="reports are for team leads, L2, L3 and administrators, not the L1 agent",
    ),
    "GET /api/v1/reports/sla/distribution": Rule(
        "get",
        api(customer="403", staff="2xx", agent="403", other_agent="403"),
        data={"from": "2024-01-01", "to": "2024-01-31"},
    ),
}

# Every URL of Django admin: staff-only via Django admin. None of our roles is Django
# staff, so each is sent to the admin login; a superuser gets in.
ADMIN_NAMESPACE = "admin"
ADMIN_RULE = Rule(
    "get",
    outcome(anonymous="3xx", customer="3xx", staff="3xx", other_agent="3xx"),
    why="staff-only via Django admin",
)
ADMIN_OPEN = {"admin:login": "2xx", "admin:logout": "3xx"}
