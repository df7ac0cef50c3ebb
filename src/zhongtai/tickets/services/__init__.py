"""Every write to tickets: one function per use case, one transaction, timeline events.

Preconditions common to all: the ticket passed in was fetched through a selector for
the same actor (so it is visible to them); each service locks it again before writing.
The modules: ``intake`` (open, child tickets, field changes), ``conversation`` (replies,
notes, files, presence), ``status`` (workflow moves, merge), ``assignment`` (assign,
take, escalate, hand back, bulk), ``automation`` (what the platform does on its own:
SLA breach actions).
"""

from zhongtai.tickets.services._base import TIER_ORDER, ticket_lock
from zhongtai.tickets.services.assignment import (
    ticket_assign,
    ticket_escalate,
    ticket_handback,
    ticket_take,
    tickets_bulk_assign,
)
from zhongtai.tickets.services.automation import (
    ticket_escalate_next_tier,
    ticket_priority_raise,
    ticket_reassign_to_lead,
)
from zhongtai.tickets.services.conversation import (
    attachment_add,
    presence_touch,
    ticket_message_add,
    ticket_reply,
)
from zhongtai.tickets.services.intake import (
    UPDATABLE_FIELDS,
    ticket_child_create,
    ticket_create,
    ticket_open,
    ticket_update,
)
from zhongtai.tickets.services.status import (
    ticket_customer_solve,
    ticket_merge,
    ticket_transition,
)

__all__ = [
    "TIER_ORDER",
    "UPDATABLE_FIELDS",
    "attachment_add",
    "presence_touch",
    "ticket_assign",
    "ticket_child_create",
    "ticket_create",
    "ticket_customer_solve",
    "ticket_escalate",
    "ticket_escalate_next_tier",
    "ticket_handback",
    "ticket_lock",
    "ticket_merge",
    "ticket_message_add",
    "ticket_open",
    "ticket_priority_raise",
    "ticket_reassign_to_lead",
    "ticket_reply",
    "ticket_take",
    "ticket_transition",
    "ticket_update",
    "tickets_bulk_assign",
]
