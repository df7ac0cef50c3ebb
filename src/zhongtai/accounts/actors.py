"""The actor: who is acting, in which business unit, with which role."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from zhongtai.core.permissions import AGENT_ROLES, Role, role_has_perm

if TYPE_CHECKING:
    from zhongtai.accounts.models import Membership, User
    from zhongtai.core.models import Tenant


@dataclass(frozen=True)
class Actor:
    """A user acting inside one tenant through one membership.

    Every service and selector takes an actor; the tenant is always derived from it.
    """

    membership: Membership

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def tenant(self) -> Tenant:
        return self.membership.tenant

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def is_staff_role(self) -> bool:
        return self.role in AGENT_ROLES

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    def can(self, perm: str) -> bool:
        return role_has_perm(self.role, perm)

    @cached_property
    def perms(self) -> frozenset[str]:
        from zhongtai.core.permissions import ROLE_PERMISSIONS

        return ROLE_PERMISSIONS.get(self.role, frozenset())
