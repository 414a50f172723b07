"""Who gets the citizen's own menu (their reports, the public site) when signed in."""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import signed_in
from pingan.org.choices import Role


def can_view_my_reports(user: Any, obj: Any = None) -> bool:
    return signed_in(user) and not user.is_superuser and user.role == Role.PUBLIC
