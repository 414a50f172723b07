from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pingan.core.actions import ActionError
from pingan.core.api import CanPermission, ScopedReadOnlyViewSet

from .. import actions, rules, selectors
from ..choices import ChainLevel, Grade
from ..duty import on_duty
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
    SanfangChangeSerializer,
    SanfangReportSerializer,
    SanfangResponseSerializer,
    SanfangSubmitSerializer,
    SendSerializer,
    ShiftSerializer,
    SupplementSerializer,
)

# Who may is decided in ../permissions.py: every view names its permission per action in
# `permission_map` and CanPermission asks it (out of scope stays 404: visible_to comes first).
# Reads (None) are open to every signed-in caller: `visible_to` decides what each one sees (an
# enterprise its own incidents, the public nothing).
PERMISSIONS = [IsAuthenticated, CanPermission]


class IncidentViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Incidents visible to the caller: their area's, and (for the city) those reported to it."""

    queryset = Incident.objects.select_related("division").order_by("-occurred_at", "-id")
    filterset_fields = ["state", "grade", "category"]
    permission_classes = PERMISSIONS
    permission_map = {
        "list": None,
        "retrieve": None,
        "create": "emergency.record_incident",
        "supplement": "emergency.supplement",
        "response": "emergency.decide_response",
    }

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
            qs = qs.prefetch_related(
                Prefetch("reports", queryset=Report.objects.select_related("sender", "receiver"))
            )
        return qs

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
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
        ser = ResponseStepSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        actions.do_response(
            request.user,
            incident,
            step=ser.validated_data["step"],
            level=ser.validated_data.get("level", ""),
            note=ser.validated_data.get("note", ""),
        )
        incident.refresh_from_db()
        return Response(IncidentDetailSerializer(incident).data)


class ReportViewSet(ScopedReadOnlyViewSet):
    """The hops of the reporting chain for incidents visible to the caller."""

    queryset = Report.objects.select_related("sender", "receiver").order_by("due_at", "id")
    serializer_class = ReportSerializer
    filterset_fields = ["state", "incident", "is_late", "receiver_level"]
    permission_classes = PERMISSIONS
    permission_map = {"list": None, "retrieve": None, "send": "emergency.send_report"}

    def get_serializer_class(self) -> Any:
        return SendSerializer if self.action == "send" else ReportSerializer

    @extend_schema(request=SendSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: Any = None) -> Response:
        """Record that the sender's duty post sent this report (optionally skipping levels)."""
        report = self.get_object()
        ser = SendSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        receiver = None
        if ser.validated_data.get("receiver"):
            receiver = (
                ReportingBody.objects.visible_to(request.user)
                .filter(pk=ser.validated_data["receiver"])
                .first()
            )
            if receiver is None:
                raise ActionError(_("接收单位不存在"), field="receiver", code="does_not_exist")
        # The state (already sent → 409) is the action's to decide, not repeated here.
        sent = actions.do_send_report(
            request.user,
            report,
            channel=ser.validated_data.get("channel", ""),
            received_by_name=ser.validated_data.get("received_by_name", ""),
            receiver=receiver,
        )
        return Response(ReportSerializer(sent).data)


class DutyPostViewSet(ScopedReadOnlyViewSet):
    queryset = DutyPost.objects.select_related("department").order_by("division__code", "name")
    serializer_class = DutyPostSerializer
    filterset_fields = ["department", "division", "level"]
    permission_classes = PERMISSIONS
    permission_map = {"list": None, "retrieve": None}


class ShiftViewSet(ScopedReadOnlyViewSet):
    queryset = (
        Shift.objects.select_related("leader")
        .prefetch_related(Prefetch("officers", queryset=get_user_model().objects.order_by("pk")))
        .order_by("starts_at")
    )
    serializer_class = ShiftSerializer
    filterset_fields = ["post"]
    permission_classes = PERMISSIONS
    permission_map = {"list": None, "retrieve": None}


class OnDutyView(APIView):
    """Who is on duty now (or at `at`) for a department, or for the posts covering a division.

    Scoped like the duty posts: the caller's own area and the levels above it. A department or a
    division outside that scope answers 404, exactly as an unknown one (never another district's
    names and phones, at any time).
    """

    permission_classes = PERMISSIONS
    permission_map = {"get": "emergency.view_on_duty"}

    @extend_schema(
        parameters=[
            OpenApiParameter("department", OpenApiTypes.INT),
            OpenApiParameter("division", OpenApiTypes.INT),
            OpenApiParameter("at", OpenApiTypes.DATETIME),
        ],
        responses=PersonBriefSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        from django.utils.dateparse import parse_datetime

        at = None
        if request.query_params.get("at"):
            try:
                at = parse_datetime(request.query_params["at"])
            except ValueError:
                at = None
            if at is None:
                raise ActionError(_("时间须为 ISO 8601 格式"), field="at", code="invalid")
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        dept, div = request.query_params.get("department"), request.query_params.get("division")
        if not dept and not div:
            raise ActionError(_("请指定部门或区划"), field="department", code="required")
        field = "department" if dept else "division"
        try:
            pk = int(dept or div)
        except ValueError as exc:
            raise ActionError(_("须为整数编号"), field=field, code="invalid") from exc
        if dept:
            department = selectors.duty_department(request.user, pk)
            if department is None:
                raise Http404
            people = on_duty(department=department, at=at, viewer=request.user)
        else:
            division = selectors.duty_division(request.user, pk)
            if division is None:
                raise Http404
            people = on_duty(division=division, at=at, viewer=request.user)
        return Response(PersonBriefSerializer(people, many=True).data)


class GradeView(APIView):
    """The accident grade (国务院令第493号 §3) and the reporting chain it requires."""

    permission_classes = PERMISSIONS
    permission_map = {"post": "emergency.use_calculator"}

    @extend_schema(request=GradeInputSerializer, responses=GradeResultSerializer)
    def post(self, request: Request) -> Response:
        ser = GradeInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        r = rules.accident_grade(d["deaths"], d["serious_injuries"], d["direct_loss"])
        data = {
            "grade": r.grade,
            "label": str(Grade(r.grade).label),
            "by": list(r.by),
            "basis": r.basis,
            "chain_end": rules.chain_end(r.grade),
            "source": r.source,
            "hops": [
                [str(ChainLevel(a).label), str(ChainLevel(b).label)] for a, b in rules.chain_hops(r.grade)
            ],
        }
        return Response(GradeResultSerializer(data).data)


class SanfangResponseViewSet(ScopedReadOnlyViewSet):
    queryset = SanfangResponse.objects.prefetch_related("members", "member_reports").order_by("-started_at")
    serializer_class = SanfangResponseSerializer
    permission_classes = PERMISSIONS
    permission_map = {"list": None, "retrieve": None, "change": "emergency.change_sanfang"}

    def get_serializer_class(self) -> Any:
        return SanfangChangeSerializer if self.action == "change" else SanfangResponseSerializer

    @extend_schema(request=SanfangChangeSerializer, responses=SanfangResponseSerializer)
    @action(detail=True, methods=["post"])
    def change(self, request: Request, pk: Any = None) -> Response:
        """Raise or lower the level (`level`), or end the response (`end`: true); `reason` is required.
        A city-level response is changed by city-level people only."""
        response = self.get_object()
        ser = SanfangChangeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        done = actions.do_change_sanfang(
            request.user, response, level=d.get("level") or None, end=d["end"], reason=d.get("reason", "")
        )
        return Response(SanfangResponseSerializer(done).data)


class SanfangReportViewSet(ScopedReadOnlyViewSet):
    queryset = SanfangReport.objects.select_related("department").order_by("due_at", "department")
    serializer_class = SanfangReportSerializer
    filterset_fields = ["response", "department"]
    permission_classes = PERMISSIONS
    permission_map = {"list": None, "retrieve": None, "submit": "emergency.submit_sanfang"}

    def get_serializer_class(self) -> Any:
        return SanfangSubmitSerializer if self.action == "submit" else SanfangReportSerializer

    @extend_schema(request=SanfangSubmitSerializer, responses=SanfangReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        ser = SanfangSubmitSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        done = actions.do_submit_sanfang(request.user, item, text=ser.validated_data["text"])
        return Response(SanfangReportSerializer(done).data)
