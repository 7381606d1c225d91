"""The service navigation: each package registers its entries with the roles that see them."""

from __future__ import annotations

from dataclasses import dataclass

from .roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: tuple[Role, ...]
    order: int = 50
    # Roles for whom this page is the landing page after sign-in (e.g. a caseload).
    landing_for: tuple[Role, ...] = ()


_ITEMS: list[NavItem] = []


def register(label: str, endpoint: str, roles, order: int = 50, landing_for=()) -> None:
    item = NavItem(label, endpoint, tuple(roles), order, tuple(landing_for))
    if item not in _ITEMS:
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: i.order)


def items_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [i for i in _ITEMS if user.has_role(*i.roles)]


def landing_endpoint(user) -> str | None:
    """The page this user starts on, if a package claims it for one of their roles."""
    for item in items_for(user):
        if item.landing_for and user.has_role(*item.landing_for):
            return item.endpoint
    return None
