"""Macros of the demo units, written through the macro services by the people who would:
a shared greeting and sign-off in both languages, shared macros that ask the customer for
details (and set the ticket pending customer) or close the case, a frontline team's
macro written by its lead, and one agent's personal sign-off."""

from __future__ import annotations

from typing import Any

from zhongtai.accounts.actors import Actor
from zhongtai.accounts.models import Membership, Team, Tier
from zhongtai.core.models import Tenant
from zhongtai.core.permissions import Role
from zhongtai.macros import services
from zhongtai.macros.choices import MacroScope
from zhongtai.tickets.models import Category

# name, scope, English text, Chinese text, actions: set_status, add_tags, (root, leaf)
MACROS: dict[str, list[tuple[str, str, str, str, dict[str, Any]]]] = {
    "sh": [
        (
            "问候与结束语",
            MacroScope.SHARED,
            "Dear {{contact.name}},\n\nThank you for contacting us about {{ticket.number}} "
            "({{ticket.subject}}).\n\n\n\nBest regards,\n{{agent.name}}\nEast China Equipment "
            "After-sales Service",
            "{{contact.name}}，您好：\n\n感谢您就工单 {{ticket.number}}（{{ticket.subject}}）"
            "联系我们。\n\n\n\n如有其他问题，欢迎随时回复。\n{{agent.name}}\n华东设备售后服务部",
            {},
        ),
        (
            "请提供设备铭牌信息",
            MacroScope.SHARED,
            "Dear {{contact.name}},\n\nTo look into {{ticket.number}} we need the model and the "
            "serial number from the nameplate of the machine, and a photo of the alarm on the "
            "display if there is one.\n\n{{agent.name}}",
            "{{contact.name}}，您好：\n\n为尽快处理工单 {{ticket.number}}，请提供设备铭牌上的型号和"
            "出厂编号；如面板有报警，请一并拍照发给我们。收到后我们会立即跟进。\n\n{{agent.name}}",
            {"set_status": "pending_customer", "add_tags": ["远程指导"]},
        ),
        (
            "问题已解决",
            MacroScope.SHARED,
            "Dear {{contact.name}},\n\nThe issue of {{ticket.number}} is solved. If it comes "
            "back, just reply to this message and the ticket reopens.\n\n{{agent.name}}",
            "{{contact.name}}，您好：\n\n工单 {{ticket.number}} 的问题已处理完毕。如问题再次出现，"
            "直接回复即可重新打开工单。感谢您的耐心配合！\n\n{{agent.name}}",
            {"set_status": "resolved"},
        ),
        (
            "安排上门维修",
            MacroScope.TEAM,
            "",
            "{{contact.name}}，您好：\n\n我们已为工单 {{ticket.number}} 安排服务工程师上门维修，"
            "工程师会提前电话与您确认时间。按服务标准，我们将在 {{ticket.due}} 前解决。\n\n"
            "{{agent.name}}",
            {"add_tags": ["上门维修"], "category": ("服务", "备件与耗材")},
        ),
        (
            "我的结束语",
            MacroScope.PERSONAL,
            "",
            "祝您工作顺利！如需帮助，可直接拨打我的分机 8021。\n{{agent.name}}",
            {},
        ),
    ],
    "saas": [
        (
            "Greeting and sign-off",
            MacroScope.SHARED,
            "Hi {{contact.name}},\n\nThanks for reaching out about {{ticket.subject}} "
            "({{ticket.number}}).\n\n\n\nBest,\n{{agent.name}}\nCustomer Success",
            "{{contact.name}}，您好：\n\n感谢您就 {{ticket.subject}}（{{ticket.number}}）联系我们。"
            "\n\n\n\n祝好！\n{{agent.name}}",
            {},
        ),
        (
            "Need more details",
            MacroScope.SHARED,
            "Hi {{contact.name}},\n\nCould you send us the workspace URL, the time it happened "
            "(with your time zone) and a screenshot of the error? We'll pick {{ticket.number}} "
            "up as soon as we hear back.\n\n{{agent.name}}",
            "",
            {"set_status": "pending_customer"},
        ),
        (
            "SSO setup guide",
            MacroScope.SHARED,
            "Hi {{contact.name}},\n\nSSO is set up under Settings → Security → Single sign-on: "
            "upload your IdP metadata, map the email attribute, then test with one user before "
            "you enforce it for everyone.\n\n{{agent.name}}",
            "",
            {"add_tags": ["sso"], "category": ("Account & SSO", "SSO / SAML")},
        ),
        (
            "Escalated to Technical Support",
            MacroScope.TEAM,
            "Hi {{contact.name}},\n\nI've passed {{ticket.number}} to our Technical Support "
            "team, who are looking into it now. You'll hear from us by {{ticket.due}} at the "
            "latest.\n\n{{agent.name}}",
            "",
            {"add_tags": ["bug"]},
        ),
        (
            "My sign-off",
            MacroScope.PERSONAL,
            "Have a great day! If anything else comes up, just reply here.\n{{agent.name}}",
            "",
            {},
        ),
    ],
}


def _actor(tenant: Tenant, role: str) -> Actor:
    membership = (
        Membership.objects.filter(tenant=tenant, role=role)
        .select_related("user", "tenant")
        .order_by("user__username")
        .first()
    )
    assert membership is not None, (tenant.slug, role)  # noqa: S101 (the demo's own staff)
    return Actor(membership)


def macros_create(*, tenant: Tenant) -> None:
    frontline = Team.objects.get(tenant=tenant, tier=Tier.L1)
    writers: dict[str, Actor] = {
        MacroScope.SHARED: _actor(tenant, Role.ADMIN),
        MacroScope.TEAM: _actor(tenant, Role.LEAD),  # the frontline team's lead
        MacroScope.PERSONAL: _actor(tenant, Role.AGENT),
    }
    for name, scope, body_en, body_zh, actions in MACROS.get(tenant.slug, []):
        category = actions.get("category")
        services.macro_create(
            actor=writers[scope],
            data=services.MacroInput(
                name=name,
                scope=scope,
                team_id=frontline.pk if scope == MacroScope.TEAM else None,
                body_en=body_en,
                body_zh=body_zh,
                set_status=actions.get("set_status", ""),
                add_tags=actions.get("add_tags", []),
                set_category_id=Category.objects.get(
                    tenant=tenant, parent__name=category[0], name=category[1]
                ).pk
                if category
                else None,
            ),
        )
