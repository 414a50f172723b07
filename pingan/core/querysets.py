"""Scoping: one `visible_to(user)` on every scoped queryset (after NetBox's RestrictedQuerySet).

A model opts in with `objects = ScopedQuerySet.as_manager()` and says where its jurisdiction lives:

    scope_division = "division"          # path to a geo.Division FK (None: not area-scoped)
    scope_enterprise = "enterprise"      # path to an org.Enterprise FK (None: enterprises see none)
    scope_public = False                 # True: anonymous users see every row (reference data)

and may override the class method `scope_q(user)` for richer rules (a hazard case is also visible
to the departments that hold a task on it). Views and the API never filter by hand: the base view and
the base viewset call `visible_to`, and a row outside it answers 404, never 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:  # pragma: no cover
    from pingan.org.models import User

    from .permissions import Actor

M = TypeVar("M", bound=models.Model)

NOTHING = Q(pk__in=[])


def default_scope_q(model: type[models.Model], user: User) -> Q:
    """The rule every scoped model starts from; see the module docstring."""
    from pingan.org.choices import Role

    if user.role == Role.ENTERPRISE:
        path = getattr(model, "scope_enterprise", None)
        if path and user.enterprise_id:
            return Q(**{path: user.enterprise_id})
        return NOTHING
    division_path = getattr(model, "scope_division", None)
    if division_path is None or not user.scope_path:
        return NOTHING
    return Q(**{f"{division_path}__path__startswith": user.scope_path})


class ScopedQuerySet(models.QuerySet[M]):
    def visible_to(self, user: Actor) -> Self:
        model = self.model
        if user is None or not user.is_authenticated:
            return self if getattr(model, "scope_public", False) else self.none()
        if getattr(user, "sees_everything", False):
            return self
        if getattr(model, "scope_public", False):
            return self
        scope_q = getattr(model, "scope_q", None)
        q = scope_q(user) if scope_q is not None else default_scope_q(model, user)
        return self.filter(q)
