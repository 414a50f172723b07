"""The warnings API: the workflow for the console's people, subscriptions for everyone signed in."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pingan.core.api import CanPermission

from .. import actions, selectors
from ..models import EarlyWarning, Subscription
from .serializers import (
    FollowUpSerializer,
    SubscriptionSerializer,
    WarningEditSerializer,
    WarningNoteSerializer,
    WarningSerializer,
    WarningWriteSerializer,
)


def _areas(data: dict[str, Any]) -> list[dict[str, Any]] | None:
    areas = data.pop("areas", None)
    return [dict(a) for a in areas] if areas is not None else None


class WarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = WarningSerializer
    queryset = EarlyWarning.objects.all()
    permission_classes = [CanPermission]
    permission_map = {
        "list": "warnings.view_list",
        "retrieve": "warnings.view",
        "create": "warnings.create",
        "partial_update": "warnings.edit",
        "submit": "warnings.submit",
        "approve": "warnings.approve",
        "reject": "warnings.reject",
        "publish": "warnings.publish",
        "follow_up": "warnings.follow_up",
    }

    def get_queryset(self) -> Any:
        return selectors.warnings_for(self.request.user)

    def _answer(self, warning: EarlyWarning, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=warning.pk)
        return Response(WarningSerializer(fresh).data, status=code)

    @extend_schema(request=WarningWriteSerializer, responses={201: WarningSerializer})
    def create(self, request: Request) -> Response:
        s = WarningWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        division = data.pop("division")
        warning = actions.do_create(request.user, division, data, _areas(data))
        return self._answer(warning, status.HTTP_201_CREATED)

    @extend_schema(request=WarningEditSerializer, responses=WarningSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        warning = self.get_object()
        s = WarningEditSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        return self._answer(actions.do_edit(request.user, warning, data, _areas(data)))

    @extend_schema(request=None, responses=WarningSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._answer(actions.do_submit(request.user, self.get_object()))

    @extend_schema(request=WarningNoteSerializer, responses=WarningSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        s = WarningNoteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(actions.do_approve(request.user, self.get_object(), s.validated_data["note"]))

    @extend_schema(request=WarningNoteSerializer, responses=WarningSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        s = WarningNoteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(actions.do_reject(request.user, self.get_object(), s.validated_data["note"]))

    @extend_schema(request=None, responses=WarningSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        return self._answer(actions.do_publish(request.user, self.get_object()))

    @extend_schema(request=FollowUpSerializer, responses={201: WarningSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, pk: Any = None) -> Response:
        warning = self.get_object()
        s = FollowUpSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        msg_type = data.pop("msg_type")
        return self._answer(
            actions.do_follow_up(request.user, warning, msg_type, data), status.HTTP_201_CREATED
        )


class SubscriptionViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """A person's township subscriptions (staff also see those of their area: who receives what)."""

    serializer_class = SubscriptionSerializer
    queryset = Subscription.objects.all()
    permission_classes = [CanPermission]
    permission_map = {
        "list": "warnings.subscribe",
        "create": "warnings.subscribe",
        "destroy": "warnings.subscribe",
    }

    def get_queryset(self) -> Any:
        return selectors.subscriptions_for(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = actions.do_subscribe(self.request.user, serializer.validated_data["division"])

    def perform_destroy(self, instance: Subscription) -> None:
        actions.do_unsubscribe(self.request.user, instance)
