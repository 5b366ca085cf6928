"""Staff roles, and what each may reach.

A role is a plain word in ``users.role`` (NULL for shoppers). ``admin`` may do everything;
every other role is allowed only where an area names it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # everything, and staff management
    MERCHANDISER = "merchandiser"  # catalog, articles, rules, experiments, analytics
    SUPPORT = "support"  # orders and customers


ROLES: tuple[str, ...] = tuple(role.value for role in Role)

#: The usual groups an area names.
ANY_STAFF = ROLES
CATALOG = (Role.ADMIN, Role.MERCHANDISER)
ORDERS = (Role.ADMIN, Role.SUPPORT)
ADMIN_ONLY = (Role.ADMIN,)


def may(role: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether a user with ``role`` may use an area open to ``allowed`` (admin may use all)."""
    return role is not None and (role == Role.ADMIN or role in allowed)
