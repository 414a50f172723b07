"""Who may do what with the division tree."""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import has_role, is_city_admin
from pingan.org.choices import Role


def can_view_divisions(user: Any, obj: Any = None) -> bool:
    """The division browser: people who manage areas (a grid worker's map is on the home page)."""
    return has_role(user, Role.CITY_ADMIN, Role.DEPT_STAFF, Role.AREA_STAFF)


def can_import_divisions(user: Any, obj: Any = None) -> bool:
    """Boundaries are city-wide reference data: city administrators only."""
    return is_city_admin(user)
