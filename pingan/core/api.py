"""API base: scoped viewsets, one error body, pagination.

Every error answers {"errors": [{"field": ..., "code": ..., "message": ...}]}: validation errors
name each field; an object outside the caller's scope is the same 404 as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .actions import ActionError


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
            detail = {f: [exceptions.ErrorDetail(next(iter(e)), code=e.code or "invalid") for e in errs]
                      for f, errs in exc.error_dict.items()}
        else:
            detail = {"non_field_errors": [exceptions.ErrorDetail(next(iter(e)), code=e.code or "invalid")
                                           for e in exc.error_list]}
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
        errors = [{"field": None, "code": getattr(detail, "code", None) or getattr(exc, "default_code", "error"),
                   "message": str(detail)}]
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
