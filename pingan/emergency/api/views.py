from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pingan.core.actions import ActionError
from pingan.core.api import ScopedReadOnlyViewSet

from .. import actions, rules, services
from ..choices import ChainLevel, Grade, ReportState
from ..models import DutyPost, Incident, Report, ReportingBody, SanfangReport, SanfangResponse, Shift
from .serializers import (
    DutyPostSerializer,
    GradeInputSerializer,
    GradeResultSerializer,
    IncidentDetailSerializer,
    IncidentSerializer,
    PersonBriefSerializer,
    ReportSerializer,
    ResponseStepSerializer,
    SanfangReportSerializer,
    SanfangResponseSerializer,
    SanfangSubmitSerializer,
    SendSerializer,
    ShiftSerializer,
    SupplementSerializer,
)


def _staff_only(request: Request) -> None:
    if not getattr(request.user, "is_staff_role", False):
        raise PermissionDenied()


class IncidentViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Incidents visible to the caller: their area's, and (for the city) those reported to it."""

    queryset = Incident.objects.select_related("division").order_by("-occurred_at", "-id")
    filterset_fields = ["state", "grade", "category"]

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return IncidentDetailSerializer
        if self.action == "supplement":
            return SupplementSerializer
        if self.action == "response":
            return ResponseStepSerializer
        return IncidentSerializer

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(Prefetch("reports", queryset=Report.objects.select_related("sender", "receiver")))
        return qs

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _staff_only(request)
        ser = IncidentSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        if data.get("division") is None:
            from pingan.geo.lookup import require_in_city

            data["division"] = require_in_city(data.get("lat"), data.get("lon"), field="division")
        incident = actions.do_record_incident(request.user, data)
        return Response(IncidentDetailSerializer(incident).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SupplementSerializer, responses=IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def supplement(self, request: Request, pk: Any = None) -> Response:
        """续报: new counts within the §13 window re-grade the incident and extend the chain."""
        incident = self.get_object()
        _staff_only(request)
        ser = SupplementSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        actions.do_supplement(request.user, incident, dict(ser.validated_data))
        incident.refresh_from_db()
        return Response(IncidentDetailSerializer(incident).data)

    @extend_schema(request=ResponseStepSerializer, responses=IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def response(self, request: Request, pk: Any = None) -> Response:
        """Activate, raise, lower or end the response level (Ⅳ → Ⅰ)."""
        incident = self.get_object()
        _staff_only(request)
        ser = ResponseStepSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        actions.do_response(request.user, incident, step=ser.validated_data["step"],
                            level=ser.validated_data.get("level", ""), note=ser.validated_data.get("note", ""))
        incident.refresh_from_db()
        return Response(IncidentDetailSerializer(incident).data)


class ReportViewSet(ScopedReadOnlyViewSet):
    """The hops of the reporting chain for incidents visible to the caller."""

    queryset = Report.objects.select_related("sender", "receiver").order_by("due_at", "id")
    serializer_class = ReportSerializer
    filterset_fields = ["state", "incident", "is_late", "receiver_level"]

    def get_serializer_class(self) -> Any:
        return SendSerializer if self.action == "send" else ReportSerializer

    @extend_schema(request=SendSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: Any = None) -> Response:
        """Record that the sender's duty post sent this report (optionally skipping levels)."""
        report = self.get_object()
        _staff_only(request)
        ser = SendSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        receiver = None
        if ser.validated_data.get("receiver"):
            receiver = ReportingBody.objects.filter(pk=ser.validated_data["receiver"]).first()
            if receiver is None:
                raise ActionError("unknown receiver", field="receiver", code="does_not_exist")
        if report.state != ReportState.DUE:
            raise ActionError("report already sent", field="state", code="conflict")
        sent = actions.do_send_report(request.user, report, channel=ser.validated_data.get("channel", ""),
                                      received_by_name=ser.validated_data.get("received_by_name", ""),
                                      receiver=receiver)
        return Response(ReportSerializer(sent).data)


class DutyPostViewSet(ScopedReadOnlyViewSet):
    queryset = DutyPost.objects.select_related("department").order_by("division__code", "name")
    serializer_class = DutyPostSerializer
    filterset_fields = ["department", "division", "level"]


class ShiftViewSet(ScopedReadOnlyViewSet):
    queryset = (Shift.objects.select_related("leader")
                .prefetch_related(Prefetch("officers", queryset=get_user_model().objects.order_by("pk")))
                .order_by("starts_at"))
    serializer_class = ShiftSerializer
    filterset_fields = ["post"]


class OnDutyView(APIView):
    """Who is on duty now (or at `at`) for a department, or for the posts covering a division."""

    @extend_schema(parameters=[
        OpenApiParameter("department", OpenApiTypes.INT), OpenApiParameter("division", OpenApiTypes.INT),
        OpenApiParameter("at", OpenApiTypes.DATETIME)], responses=PersonBriefSerializer(many=True))
    def get(self, request: Request) -> Response:
        _staff_only(request)
        from django.utils.dateparse import parse_datetime

        at = None
        if request.query_params.get("at"):
            at = parse_datetime(request.query_params["at"])
            if at is None:
                raise ActionError("at must be an ISO 8601 date-time", field="at", code="invalid")
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        dept, div = request.query_params.get("department"), request.query_params.get("division")
        if not dept and not div:
            raise ActionError("give department or division", field="department", code="required")
        try:
            if dept:
                people = services.on_duty(department=int(dept), at=at)
            else:
                from pingan.geo.models import Division

                division = Division.objects.filter(pk=int(div)).first()
                if division is None:
                    raise ActionError("unknown division", field="division", code="does_not_exist")
                people = services.on_duty(division=division, at=at)
        except ValueError as exc:
            raise ActionError("must be an integer id", field="department" if dept else "division",
                              code="invalid") from exc
        return Response(PersonBriefSerializer(people, many=True).data)


class GradeView(APIView):
    """The accident grade (国务院令第493号 §3) and the reporting chain it requires."""

    @extend_schema(request=GradeInputSerializer, responses=GradeResultSerializer)
    def post(self, request: Request) -> Response:
        _staff_only(request)
        ser = GradeInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        r = rules.accident_grade(d["deaths"], d["serious_injuries"], d["direct_loss"])
        data = {"grade": r.grade, "label": str(Grade(r.grade).label), "by": list(r.by), "basis": r.basis,
                "chain_end": rules.chain_end(r.grade), "source": r.source,
                "hops": [[str(ChainLevel(a).label), str(ChainLevel(b).label)] for a, b in rules.chain_hops(r.grade)]}
        return Response(GradeResultSerializer(data).data)


class SanfangResponseViewSet(ScopedReadOnlyViewSet):
    queryset = SanfangResponse.objects.prefetch_related("members", "member_reports").order_by("-started_at")
    serializer_class = SanfangResponseSerializer


class SanfangReportViewSet(ScopedReadOnlyViewSet):
    queryset = SanfangReport.objects.select_related("department").order_by("due_at", "department")
    serializer_class = SanfangReportSerializer
    filterset_fields = ["response", "department"]

    def get_serializer_class(self) -> Any:
        return SanfangSubmitSerializer if self.action == "submit" else SanfangReportSerializer

    @extend_schema(request=SanfangSubmitSerializer, responses=SanfangReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        _staff_only(request)
        ser = SanfangSubmitSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        done = actions.do_submit_sanfang(request.user, item, text=ser.validated_data["text"])
        return Response(SanfangReportSerializer(done).data)
