"""Who may do what with notifications: each person owns their inbox and their preferences."""

from __future__ import annotations

from typing import Any

from pingan.core.permissions import signed_in


def can_view_inbox(user: Any, obj: Any = None) -> bool:
    return signed_in(user) and (obj is None or obj.recipient_id == user.pk)


def can_read_message(user: Any, obj: Any = None) -> bool:
    return can_view_inbox(user, obj)


def can_edit_preferences(user: Any, obj: Any = None) -> bool:
    return signed_in(user)


def can_send_test(user: Any, obj: Any = None) -> bool:
    return signed_in(user)
