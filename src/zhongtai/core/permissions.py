"""Role-based permissions: one table from role to permission codenames, one check.

Roles are per tenant (a user may be an agent in one business unit and a customer
contact in none). A permission is granted by the role; nothing else widens it.
"""

from __future__ import annotations

from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhongtai.core.errors import PermissionDenied


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer contact")
    AGENT = "agent", _("Agent (L1)")
    LEAD = "lead", _("Team lead")
    L2 = "l2", _("L2 engineer")
    L3 = "l3", _("L3 engineer (R&D)")
    ADMIN = "admin", _("Administrator")


_WORKSPACE = {
    "tickets.view",
    "tickets.create",
    "tickets.note",
    "tickets.update",
    "tickets.assign_self",
    "tickets.transition",
    "tickets.attach",
    "customers.view",
    # a customer's profile: contacts, identities, notes, tags (contracts and the tier are
    # ``customers.manage``, since they move the service levels)
    "customers.write",
    "knowledge.view",
    "knowledge.write",
    # canned responses: use the ones they may see, write their own personal ones; a team's
    # lead also writes that team's macros (a per-team check in zhongtai.macros.services)
    "macros.use",
}
_L1 = _WORKSPACE | {
    "tickets.reply",
    "tickets.assign",
    "tickets.escalate",
    "tickets.merge",
    "tickets.resolve",
}

# Service-level reports: for those who answer for a team's or a tier's results, not for
# the L1 agent working a queue (nor, of course, for customers).
_REPORTS = {"reports.view"}
# Service standards (SLA policies, business calendars) and routing rules: the unit's
# administrators and the L2 "middle platform" that owns the standards.
# Knowledge settings (who publishes, the bot's threshold) go with them; who may publish an
# article is itself one of those settings, not a permission of a role.
# Shared macros (and the macros of any team) are written by the same owners of standards.
_STANDARDS = {"standards.manage", "routing.manage", "knowledge.manage", "macros.manage"}
# Integrations (outbound webhooks; mailboxes and WeCom settings): they send the unit's data
# out of the platform and hold its secrets, so the unit's administrators alone.
_INTEGRATIONS = {"integrations.manage"}
# Contracts, tier rules and tiers set by hand, custom fields and imports: they decide which
# service level a customer gets, so the owners of standards and the team leads hold them.
_CUSTOMERS = {"customers.manage"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CUSTOMER: frozenset({"portal.use"}),
    Role.AGENT: frozenset(_L1),
    Role.LEAD: frozenset(_L1 | _REPORTS | _CUSTOMERS | {"tickets.bulk_assign", "team.manage"}),
    Role.L2: frozenset(
        _WORKSPACE
        | _REPORTS
        | _STANDARDS
        | _CUSTOMERS
        | {"tickets.escalate", "tickets.handback", "tickets.resolve", "tickets.assign"}
    ),
    Role.L3: frozenset(_WORKSPACE | _REPORTS | {"tickets.handback"}),
    Role.ADMIN: frozenset(
        _L1
        | _REPORTS
        | _STANDARDS
        | _CUSTOMERS
        | _INTEGRATIONS
        | {"tickets.bulk_assign", "tickets.handback", "team.manage", "tenant.manage"}
    ),
}

AGENT_ROLES = frozenset({Role.AGENT, Role.LEAD, Role.L2, Role.L3, Role.ADMIN})


class HasRole(Protocol):
    @property
    def role(self) -> str: ...


def role_has_perm(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


def ensure_can(actor: HasRole, perm: str) -> None:
    """Raise ``PermissionDenied`` unless the actor's role grants ``perm``."""
    if not role_has_perm(actor.role, perm):
        raise PermissionDenied()
