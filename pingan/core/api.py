"""API base: scoped viewsets, one error body, pagination.

Every error answers {"errors": [{"field": ..., "code": ..., "message": ...}]}: validation errors
name each field; an object outside the caller's scope is the same 404 as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .actions import ActionError
from .permissions import may


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if field is None else f"{field}.{key}"
            if key == "non_field_errors":
                name = field
            out.extend(_flatten(value, name))
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, dict | list) and field is not None and not isinstance(value, str):
                out.extend(_flatten(value, f"{field}[{i}]" if isinstance(value, dict) else field))
            else:
                out.extend(_flatten(value, field))
    else:
        code = getattr(detail, "code", "invalid")
        out.append({"field": field, "code": code, "message": str(detail)})
    return out


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ActionError):
        return Response({"errors": [exc.as_dict()]}, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        # Keep each error's code (DRF's conversion would make every one "invalid").
        if hasattr(exc, "error_dict"):
            detail = {
                f: [exceptions.ErrorDetail(next(iter(e)), code=e.code or "invalid") for e in errs]
                for f, errs in exc.error_dict.items()
            }
        else:
            detail = {
                "non_field_errors": [
                    exceptions.ErrorDetail(next(iter(e)), code=e.code or "invalid") for e in exc.error_list
                ]
            }
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        detail = getattr(exc, "detail", str(exc))
        errors = [
            {
                "field": None,
                "code": getattr(detail, "code", None) or getattr(exc, "default_code", "error"),
                "message": str(detail),
            }
        ]
    response.data = {"errors": errors}
    return response


class ScopedViewSetMixin:
    """Applies `visible_to(request.user)` once for every list and detail of a viewset."""

    queryset: Any

    def get_queryset(self) -> Any:
        qs = super().get_queryset()  # type: ignore[misc]
        return qs.visible_to(self.request.user)  # type: ignore[attr-defined]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class CanPermission(permissions.BasePermission):
    """The API's door: asks the app's `can_*` named in the viewset's `permission_map`.

    ``permission_map = {"list": "hazards.view_list", "create": "hazards.report", "assign": "hazards.assign"}``
    maps a viewset action to a permission name. Actions on one object ask with the object in
    `has_object_permission` (the object is already inside `visible_to`, so out of scope stays 404);
    other actions ask without one. An action missing from the map is refused, so a new endpoint is
    closed until someone decides who may call it; ``"*"`` gives the default for unlisted actions.
    """

    def _name(self, view: Any) -> str | None:
        mapping: dict[str, str | None] = getattr(view, "permission_map", {})
        action = getattr(view, "action", None) or (view.request.method or "").lower()
        if action in mapping:
            return mapping[action]
        if "*" in mapping:
            return mapping["*"]
        return "__refuse__"

    def has_permission(self, request: Any, view: Any) -> bool:
        name = self._name(view)
        if name is None:  # explicitly open (public reads); visible_to still scopes them
            return True
        if name == "__refuse__":
            return False
        if getattr(view, "detail", False):
            # Decided with the object in has_object_permission (after the 404 of visible_to).
            return bool(request.user and request.user.is_authenticated) or may(request.user, name)
        return may(request.user, name)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        name = self._name(view)
        if name is None:
            return True
        if name == "__refuse__":
            return False
        return may(request.user, name, obj)
