"""Who is calling: an account's role and the tenants (parks, enterprise, events) it is bound to.

A ``Principal`` is built once per request from a token and handed to the policy; it is immutable so a
route cannot widen its own rights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class AccountRole(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    PARK_ADMIN = "park_admin"
    ORGANIZER = "organizer"
    LEADING_USER = "leading_user"
    SME_USER = "sme_user"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def needs_enterprise(self) -> bool:
        """Leading-firm and SME users act for exactly one enterprise."""
        return self in (AccountRole.LEADING_USER, AccountRole.SME_USER)

    @property
    def needs_park(self) -> bool:
        return self is AccountRole.PARK_ADMIN

    @property
    def serves_parks(self) -> bool:
        """Park admins and organizers are bound to the parks they serve."""
        return self in (AccountRole.PARK_ADMIN, AccountRole.ORGANIZER)


ROLE_LABELS = {
    AccountRole.PLATFORM_ADMIN: "平台管理员",
    AccountRole.PARK_ADMIN: "园区管理员",
    AccountRole.ORGANIZER: "活动组织方",
    AccountRole.LEADING_USER: "龙头企业用户",
    AccountRole.SME_USER: "中小企业用户",
}


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller.

    ``park_ids`` are the parks a park admin or organizer serves, or for an enterprise user the park of
    their enterprise (so 园区内可见 demands reach them); ``event_ids`` the events an organizer runs.
    """

    account_id: int
    role: AccountRole
    username: str = ""
    display_name: str = ""
    park_ids: frozenset[int] = field(default_factory=frozenset)
    park_names: tuple[str, ...] = ()
    enterprise_id: int | None = None
    event_ids: frozenset[int] = field(default_factory=frozenset)
    read_only: bool = False  # a read-scope API key: only reading routes (``policy.check``)

    @property
    def is_platform_admin(self) -> bool:
        return self.role is AccountRole.PLATFORM_ADMIN

    @property
    def is_park_admin(self) -> bool:
        return self.role is AccountRole.PARK_ADMIN

    def serves_park(self, park_id: int | None) -> bool:
        """A park admin of this park (platform admins serve every park)."""
        if self.is_platform_admin:
            return True
        return self.is_park_admin and park_id is not None and park_id in self.park_ids

    def acts_for(self, enterprise_id: int | None) -> bool:
        """A user of this very enterprise."""
        return enterprise_id is not None and self.enterprise_id == enterprise_id
