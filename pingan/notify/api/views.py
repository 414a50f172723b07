"""Inbox and notification-preference API. A person sees only their own messages (another's
message id answers 404) and only their own preference (`/notification-preferences/me/`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response

from pingan.core.api import ScopedReadOnlyViewSet

from .. import actions
from ..models import Message
from .serializers import MessageSerializer, PreferenceSerializer, ReadAllSerializer


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="1: only unread messages")]
    )
)
class InboxViewSet(ScopedReadOnlyViewSet):
    queryset = Message.objects.all()
    serializer_class = MessageSerializer
    filterset_fields = ["event", "urgent"]
    ordering_fields = ["created_at"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("unread") in ("1", "true", "yes"):
            qs = qs.unread()
        return qs

    @extend_schema(request=None, responses=MessageSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        message = actions.do_mark_read(request.user, pk)
        return Response(MessageSerializer(message).data)

    @extend_schema(request=None, responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": actions.do_mark_all_read(request.user)})


class PreferenceViewSet(viewsets.GenericViewSet):
    serializer_class = PreferenceSerializer

    def get_queryset(self) -> Any:  # for the schema generator only; `me` is the one route
        from ..models import Preference

        return Preference.objects.none()

    @extend_schema(methods=["GET"], responses=PreferenceSerializer)
    @extend_schema(methods=["PUT", "PATCH"], request=PreferenceSerializer, responses=PreferenceSerializer)
    @action(detail=False, methods=["get", "put", "patch"])
    def me(self, request: Request) -> Response:
        if request.method == "GET":
            return Response(PreferenceSerializer(actions.preference_of(request.user)).data)
        current = actions.preference_of(request.user)
        serializer = PreferenceSerializer(current, data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        try:
            pref = actions.do_update_preference(request.user, dict(serializer.validated_data))
        except DjangoValidationError as exc:
            raise with_codes(exc) from exc
        return Response(PreferenceSerializer(pref).data)


def with_codes(exc: DjangoValidationError) -> serializers.ValidationError:
    """A model validation error as a DRF one that keeps each error's code (the core handler's
    conversion keeps only the messages)."""
    detail = {}
    for field, errors in exc.error_dict.items():
        detail[field] = [ErrorDetail(next(iter(e)), code=e.code or "invalid") for e in errors]
    return serializers.ValidationError(detail)
