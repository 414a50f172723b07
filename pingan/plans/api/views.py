"""The plans API: plans and their matches (read), activations with stand-down and review, task
progress. Every action goes through actions.py and is in the permission map."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pingan.core.api import CanPermission
from pingan.core.params import id_param

from .. import actions, selectors
from ..models import Activation, ActivationTask, Plan
from .serializers import (
    EmergencyPlanSerializer,
    PlanActivateSerializer,
    PlanActivationSerializer,
    PlanActivationTaskSerializer,
    PlanLessonsSerializer,
    PlanStandDownSerializer,
    PlanTaskProgressSerializer,
)


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EmergencyPlanSerializer
    queryset = Plan.objects.all()
    permission_classes = [CanPermission]
    permission_map = {"list": "plans.view_list", "retrieve": "plans.view", "matches": "plans.view_matches"}

    def get_queryset(self) -> Any:
        return selectors.plans_for(self.request.user).prefetch_related("tasks__department")

    @extend_schema(
        parameters=[
            OpenApiParameter("incident", OpenApiTypes.INT, description="incident id"),
            OpenApiParameter("warning", OpenApiTypes.INT, description="warning id"),
        ],
        responses=EmergencyPlanSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def matches(self, request: Request) -> Response:
        """The effective plans matching an incident or a warning, most local first."""
        event = actions.event_of(
            request.user,
            incident_id=id_param(request.query_params, "incident"),
            warning_id=id_param(request.query_params, "warning"),
        )
        plans = actions.matching_plans(request.user, event)
        ids = [p.pk for p in plans]
        full = {p.pk: p for p in self.get_queryset().filter(pk__in=ids)}
        return Response(EmergencyPlanSerializer([full[i] for i in ids if i in full], many=True).data)


class ActivationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PlanActivationSerializer
    queryset = Activation.objects.all()
    permission_classes = [CanPermission]
    permission_map = {
        "list": "plans.view_board",
        "retrieve": "plans.view_board",
        "create": "plans.activate",
        "stand_down": "plans.stand_down",
        "review": "plans.review",
    }

    def get_queryset(self) -> Any:
        return selectors.board(self.request.user)

    def _answer(self, activation: Activation, code: int = status.HTTP_200_OK) -> Response:
        return Response(PlanActivationSerializer(self.get_queryset().get(pk=activation.pk)).data, status=code)

    @extend_schema(request=PlanActivateSerializer, responses={201: PlanActivationSerializer})
    def create(self, request: Request) -> Response:
        s = PlanActivateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        plan = selectors.plans_for(request.user).filter(pk=d["plan"]).first()
        if plan is None:
            raise Http404("plan")
        event = actions.event_of(request.user, incident_id=d.get("incident"), warning_id=d.get("warning"))
        activation = actions.do_activate(request.user, plan, event, d["level"], d.get("note", ""))
        return self._answer(activation, status.HTTP_201_CREATED)

    @extend_schema(request=PlanStandDownSerializer, responses=PlanActivationSerializer)
    @action(detail=True, methods=["post"], url_path="stand-down")
    def stand_down(self, request: Request, pk: Any = None) -> Response:
        s = PlanStandDownSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(actions.do_stand_down(request.user, self.get_object(), s.validated_data["note"]))

    @extend_schema(request=PlanLessonsSerializer, responses=PlanActivationSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: Any = None) -> Response:
        s = PlanLessonsSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(actions.do_review(request.user, self.get_object(), s.validated_data["lessons"]))


class TaskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PlanActivationTaskSerializer
    queryset = ActivationTask.objects.all()
    permission_classes = [CanPermission]
    permission_map = {"list": "plans.view_board", "progress": "plans.update_task"}

    def get_queryset(self) -> Any:
        return selectors.tasks_for(self.request.user)

    @extend_schema(request=PlanTaskProgressSerializer, responses=PlanActivationTaskSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, pk: Any = None) -> Response:
        s = PlanTaskProgressSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        task = actions.do_update_task(
            request.user, self.get_object(), s.validated_data["state"], s.validated_data["feedback"]
        )
        return Response(PlanActivationTaskSerializer(self.get_queryset().get(pk=task.pk)).data)
