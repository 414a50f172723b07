"""The shape of every state change (after Zulip's actions/).

    check_<verb>(actor, obj, ...)   validates and resolves access; raises ActionError / NotFound
    do_<verb>(actor, obj, ...)      @transaction.atomic: lock the row, re-check, change rows,
                                    audit.record(...), schedule side effects with on_commit

Views and API call these; nothing else changes domain state. Errors carry the field they are
about, so the UI and the API can both say which input is wrong and why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.http import Http404

if TYPE_CHECKING:  # pragma: no cover
    from .permissions import Actor
    from .querysets import ScopedQuerySet

M = TypeVar("M", bound=models.Model)


class ActionError(Exception):
    """A request that cannot be carried out as asked. Maps to HTTP 400."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": str(self.message)}


class Conflict(ActionError):
    """Someone else changed the object first (a concurrent transition). Maps to HTTP 409."""

    status = 409

    def __init__(self, message: str, *, field: str | None = None, code: str = "conflict") -> None:
        super().__init__(message, field=field, code=code)


class Forbidden(ActionError):
    """The actor can see the object but may not do this to it. Maps to HTTP 403."""

    status = 403

    def __init__(self, message: str, *, field: str | None = None, code: str = "forbidden") -> None:
        super().__init__(message, field=field, code=code)


def get_visible_or_404(queryset: ScopedQuerySet[M], user: Actor, **lookup: Any) -> M:
    """The object if it exists and the user may see it; otherwise 404 — the same answer for
    missing and out-of-scope, so that existence does not leak (Zulip's access_* helpers)."""
    try:
        return queryset.visible_to(user).get(**lookup)
    # ObjectDoesNotExist: the base of every model's DoesNotExist, which is what .get() raises.
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("not found") from exc


def lock(obj: M) -> M:
    """Re-read `obj` with a row lock inside the current transaction.

    On PostgreSQL SELECT ... FOR UPDATE makes a second concurrent transition wait and then see the
    new state; SQLite runs write transactions one at a time (IMMEDIATE mode), with the same effect.
    """
    assert transaction.get_connection().in_atomic_block, "lock() outside a transaction"
    locked: M = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    return locked


def on_commit(func: Callable[[], Any]) -> None:
    """Run a side effect (notification, task) only once the change is committed."""
    transaction.on_commit(func)
