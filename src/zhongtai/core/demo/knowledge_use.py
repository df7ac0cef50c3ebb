"""The demo's knowledge in use: every ticket in search, cases made from resolved tickets,
articles used on tickets, and a few bot conversations, so that the ticket panel, the case
library, the report and its gaps have something to show.

Runs after ``knowledge_create`` (the articles) on the unit's tickets, through the
knowledge services, as the unit's own people.
"""

from __future__ import annotations

import random

from zhongtai.core.demo.directory import UnitDirectory
from zhongtai.core.errors import ApplicationError
from zhongtai.knowledge import services, suggestions
from zhongtai.knowledge.choices import ArticleStatus
from zhongtai.knowledge.ticket_docs import tickets_reindex
from zhongtai.tickets.choices import EventType, TicketStatus
from zhongtai.tickets.models import Ticket

CASES = 6
USED_ON = 40
BOT_QUESTIONS = {
    "zh-hans": [
        "螺杆空压机排气温度高怎么办",
        "变频器报警E07是什么意思",
        "我要转人工",
        "发票怎么开",
    ],
    "en": ["How do I reset my password?", "Can I export my data?", "talk to a person", "refund"],
}


def knowledge_use_create(*, directory: UnitDirectory, rng: random.Random) -> None:
    """Index the unit's tickets, then make cases, uses and bot conversations."""
    tenant = directory.tenant
    tickets_reindex(tenant_id=tenant.pk)
    resolved = list(
        Ticket.objects.filter(
            tenant=tenant,
            status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED],
            merged_into__isnull=True,
            events__type=EventType.PUBLIC_REPLY,
        )
        .distinct()
        .select_related("contact", "asset")
        .order_by("id")
    )
    rng.shuffle(resolved)
    engineers = directory.by_role("l2") or directory.by_role("admin")
    agents = directory.by_role("agent") or engineers
    for index, ticket in enumerate(resolved[:CASES]):
        engineer = engineers[index % len(engineers)]
        try:
            case = services.case_from_ticket(actor=engineer, ticket=ticket)
        except ApplicationError:
            continue  # a timeline without a solution: the form would ask a person
        if index % 2 == 0:
            services.article_transition(
                actor=engineer, article_id=case.pk, to_status=ArticleStatus.PUBLISHED
            )
    for ticket in resolved[CASES : CASES + USED_ON]:
        agent = agents[ticket.pk % len(agents)]
        found = suggestions.ticket_suggestions(actor=agent, ticket=ticket, limit=1)
        if found:
            services.article_use(actor=agent, article_id=found[0].hit.object_id, ticket=ticket)
    customers = list(directory.portal.values())[:4]
    questions = BOT_QUESTIONS.get(tenant.language, BOT_QUESTIONS["en"])
    for customer, question in zip(customers, questions, strict=False):
        reply = services.bot_message(actor=customer, text=question)
        if not reply.handed_off:
            services.bot_rate(actor=customer, message_id=reply.message.pk, helpful=True)
