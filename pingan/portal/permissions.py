"""Who gets the citizen's own menu (their reports, the public site) when signed in."""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import signed_in
from pingan.org.choices import Role


def can_use_citizen_menu(user: Any, obj: Any = None) -> bool:
    """A signed-in citizen gets a menu of their own (their reports live in hazards)."""
    return signed_in(user) and not user.is_superuser and user.role == Role.PUBLIC
