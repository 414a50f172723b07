"""The assessment API: responsibility lists (read, draw up, change, sign) and the annual assessment
(read the results one may see; the city sets weights, scores and publishes)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pingan.core.api import CanPermission

from .. import actions, scoring
from ..models import Assessment, ResponsibilityList
from .serializers import (
    AnnualAssessmentSerializer,
    AssessmentScoreSerializer,
    AssessmentWeightsSerializer,
    DutyListSerializer,
    DutyListWriteSerializer,
)


class ResponsibilityListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DutyListSerializer
    queryset = ResponsibilityList.objects.all()
    permission_classes = [CanPermission]
    permission_map = {
        "list": "assessment.view_lists",
        "retrieve": "assessment.view_lists",
        "create": "assessment.manage_lists",
        "partial_update": "assessment.manage_lists",
        "sign": "assessment.sign",
    }

    def get_queryset(self) -> Any:
        return (
            ResponsibilityList.objects.visible_to(self.request.user)
            .select_related("division", "department", "holder")
            .order_by("-year", "division__code", "post", "pk")
        )

    def _answer(self, lst: ResponsibilityList, code: int = status.HTTP_200_OK) -> Response:
        return Response(DutyListSerializer(self.get_queryset().get(pk=lst.pk)).data, status=code)

    @extend_schema(request=DutyListWriteSerializer, responses={201: DutyListSerializer})
    def create(self, request: Request) -> Response:
        s = DutyListWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(
            actions.do_create_list(request.user, dict(s.validated_data)), status.HTTP_201_CREATED
        )

    @extend_schema(request=DutyListWriteSerializer, responses=DutyListSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        lst = self.get_object()
        s = DutyListWriteSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        return self._answer(actions.do_edit_list(request.user, lst, dict(s.validated_data)))

    @extend_schema(request=None, responses=DutyListSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: Any = None) -> Response:
        return self._answer(actions.do_sign(request.user, self.get_object()))


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AnnualAssessmentSerializer
    queryset = Assessment.objects.all()
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"
    pagination_class = None  # one row per year
    permission_classes = [CanPermission]
    permission_map = {
        "list": "assessment.view_assessment",
        "retrieve": "assessment.view_assessment",
        "weights": "assessment.manage_assessment",
        "score": "assessment.manage_assessment",
        "publish": "assessment.manage_assessment",
    }

    def get_queryset(self) -> Any:
        return Assessment.objects.visible_to(self.request.user).prefetch_related("items").order_by("-year")

    def _answer(self, assessment: Assessment) -> Response:
        fresh = self.get_queryset().get(pk=assessment.pk)
        results = scoring.visible_rows(self.request.user, scoring.results(fresh))
        return Response(AnnualAssessmentSerializer(fresh, context={"results": results}).data)

    def list(self, request: Request) -> Response:
        rows = self.get_queryset()
        return Response(AnnualAssessmentSerializer(rows, many=True, context={"results": {}}).data)

    def retrieve(self, request: Request, year: Any = None) -> Response:
        return self._answer(self.get_object())

    @extend_schema(request=AssessmentWeightsSerializer, responses=AnnualAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def weights(self, request: Request, year: Any = None) -> Response:
        assessment = self.get_object()
        s = AssessmentWeightsSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        rows = [dict(r) for r in s.validated_data["items"]]
        return self._answer(actions.do_set_weights(request.user, assessment, rows))

    @extend_schema(request=AssessmentScoreSerializer, responses=AnnualAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request: Request, year: Any = None) -> Response:
        assessment = self.get_object()
        s = AssessmentScoreSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        actions.do_score(request.user, assessment, **s.validated_data)
        return self._answer(assessment)

    @extend_schema(request=None, responses=AnnualAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, year: Any = None) -> Response:
        return self._answer(actions.do_publish(request.user, self.get_object()))
