"""Routing of the demo units: a few rules each, and a category classifier trained on the
unit's own resolved demo tickets (as a unit would after its first months)."""

from __future__ import annotations

from zhongtai.accounts.models import Team
from zhongtai.core.models import Tenant
from zhongtai.routing import services
from zhongtai.routing.models import ClassifierTarget, RoutingRule, RoutingSettings
from zhongtai.tickets.models import Category

# (name, keywords, pattern, (root, leaf) category to set, team tier, priority, tags)
RULES = {
    "sh": [
        ("停机故障优先", ["停机", "无法启动", "宕机"], "", None, "", "urgent", ["停机"]),
        ("变频器报警码转二线", [], r"\b(E|F)-?\d{2,3}\b", ("变频器", "报警代码"), "l2", "", []),
        ("保修咨询", ["保修", "延保"], "", ("服务", "保修与合同"), "", "", []),
    ],
    "saas": [
        ("Outages first", ["outage", "is down", "cannot access"], "", None, "", "urgent", []),
        ("SSO to Technical Support", ["sso", "saml", "okta"], "", ("Account & SSO", "SSO / SAML"),
         "l2", "", ["sso"]),
        ("Invoices", ["invoice", "refund", "receipt"], "", ("Billing", "Invoices"), "", "",
         ["billing"]),
    ],
}  # fmt: skip


def routing_create(*, tenant: Tenant) -> None:
    for position, (name, keywords, pattern, category, tier, priority, tags) in enumerate(
        RULES.get(tenant.slug, []), start=1
    ):
        RoutingRule.objects.create(
            tenant=tenant,
            name=name,
            position=position * 10,
            keywords=keywords,
            pattern=pattern,
            set_category=(
                Category.objects.get(tenant=tenant, parent__name=category[0], name=category[1])
                if category
                else None
            ),
            set_team=Team.objects.filter(tenant=tenant, tier=tier).first() if tier else None,
            set_priority=priority,
            add_tags=tags,
        )
    RoutingSettings.objects.create(tenant=tenant, confidence_threshold=0.6)
    examples = services.examples_from_tickets(tenant=tenant, target=ClassifierTarget.CATEGORY)
    if examples:
        model = services.classifier_version_new(
            tenant=tenant, target=ClassifierTarget.CATEGORY, source="tickets"
        )
        services.classifier_run(model=model, examples=examples)
