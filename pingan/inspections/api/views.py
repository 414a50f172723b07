from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.api import CanPermission, ScopedViewSetMixin
from pingan.core.params import choice_param, id_param
from pingan.geo.models import Division
from pingan.org.models import Enterprise

from .. import actions, selectors
from ..choices import DocumentKind, PenaltyState
from ..models import CheckItem, Finding, Inspection, Inspector, Plan, Target, WorkPermit
from .serializers import (
    ApproveSerializer,
    CheckItemSerializer,
    DrawRequestSerializer,
    DrawSerializer,
    DrawVerifySerializer,
    EnforcementDocumentSerializer,
    FindingCreateSerializer,
    FindingSerializer,
    HearingRecordSerializer,
    HearingScheduleSerializer,
    InspectionDetailSerializer,
    InspectionSerializer,
    InspectorSerializer,
    PenaltySerializer,
    PermitCreateSerializer,
    PermitSerializer,
    PlanCreateSerializer,
    PlanSerializer,
    RecusalCreateSerializer,
    RecusalSerializer,
    ReinspectSerializer,
    StartSerializer,
    TargetSerializer,
)


class ReadOnly(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [CanPermission]


class CheckItemViewSet(ReadOnly):
    """The spot-check item list (抽查事项清单), public; `?industry=` filters."""

    queryset = CheckItem.objects.all()
    serializer_class = CheckItemSerializer
    permission_map = {"list": None, "retrieve": None}

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        industry = self.request.query_params.get("industry")
        return qs.filter(industry=industry) if industry else qs


class TargetViewSet(ReadOnly):
    queryset = Target.objects.select_related("enterprise", "division")
    serializer_class = TargetSerializer
    permission_map = {"list": "inspections.view_registers", "retrieve": "inspections.view_registers"}


class InspectorViewSet(ReadOnly):
    queryset = Inspector.objects.select_related("user")
    serializer_class = InspectorSerializer
    permission_map = {
        "list": "inspections.view_registers",
        "retrieve": "inspections.view_registers",
        "recusals": "inspections.declare_recusal",
    }

    @extend_schema(request=RecusalCreateSerializer, responses={201: RecusalSerializer})
    @action(detail=True, methods=["post"])
    def recusals(self, request: Request, pk: str | None = None) -> Response:
        inspector = self.get_object()
        data = RecusalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Any enterprise of the city may be the one an inspector must step aside for (a former
        # employer elsewhere), so the look-up is not limited to the actor's area.
        enterprise = Enterprise.objects.filter(pk=data.validated_data["enterprise"]).first()
        if enterprise is None:
            raise ActionError(_("未知的单位"), field="enterprise")
        row = actions.do_declare_recusal(
            request.user,
            inspector,
            enterprise=enterprise,
            kind=data.validated_data["kind"],
            note=data.validated_data["note"],
        )
        return Response(RecusalSerializer(row).data, status=status.HTTP_201_CREATED)


class PlanViewSet(ReadOnly):
    queryset = Plan.objects.select_related("department", "division")
    serializer_class = PlanSerializer
    permission_map = {
        "list": "inspections.use_console",
        "retrieve": "inspections.use_console",
        "create": "inspections.create_plan",
        "draw": "inspections.draw",
    }

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request: Request) -> Response:
        data = PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        division = Division.objects.filter(code=v.pop("division")).first()
        if division is None:
            raise ActionError(_("未知的区划代码"), field="division")
        plan = actions.do_create_plan(request.user, division=division, **v)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DrawRequestSerializer, responses={201: DrawSerializer})
    @action(detail=True, methods=["post"])
    def draw(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = DrawRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = actions.do_draw(request.user, plan, seed=data.validated_data.get("seed") or None)
        return Response(DrawSerializer(record).data, status=status.HTTP_201_CREATED)


class DrawVerifyViewSet(viewsets.GenericViewSet):
    """Re-run a published draw from its seed and inputs (open to anyone, 双随机一公开)."""

    permission_classes = [CanPermission]
    permission_map = {"verify": None}
    serializer_class = DrawVerifySerializer

    def get_queryset(self) -> Any:
        return selectors.public_draws()

    @extend_schema(responses={200: DrawVerifySerializer})
    @action(detail=True, methods=["get"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        return Response({"draw": DrawSerializer(record).data, "matches": actions.verify(record)})


class InspectionViewSet(ReadOnly):
    queryset = Inspection.objects.all()
    permission_map = {
        "list": "inspections.view",
        "retrieve": "inspections.view",
        "start": "inspections.start",
        "findings": "inspections.record",
        "finish": "inspections.finish",
        "reinspect": "inspections.reinspect",
        "publish": "inspections.publish",
    }

    def get_queryset(self) -> Any:
        if self.action == "list":
            return selectors.inspections(self.request.user)
        return selectors.inspection_detail(self.request.user)

    def get_serializer_class(self) -> Any:
        return InspectionSerializer if self.action == "list" else InspectionDetailSerializer

    @extend_schema(request=StartSerializer, responses={200: InspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        inspection = self.get_object()
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_start(request.user, inspection, **data.validated_data)
        return Response(InspectionDetailSerializer(self.get_object()).data)

    @extend_schema(request=FindingCreateSerializer, responses={201: FindingSerializer})
    @action(detail=True, methods=["post"])
    def findings(self, request: Request, pk: str | None = None) -> Response:
        inspection = self.get_object()
        data = FindingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = actions.do_add_finding(
            request.user,
            inspection,
            item=data.validated_data.get("item"),
            description=data.validated_data["description"],
            rectify_by=data.validated_data["rectify_by"],
        )
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: InspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def finish(self, request: Request, pk: str | None = None) -> Response:
        actions.do_finish(request.user, self.get_object())
        return Response(InspectionDetailSerializer(self.get_object()).data)

    @extend_schema(request=ReinspectSerializer, responses={200: FindingSerializer})
    @action(detail=True, methods=["post"])
    def reinspect(self, request: Request, pk: str | None = None) -> Response:
        inspection = self.get_object()
        data = ReinspectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = get_visible_or_404(
            Finding.objects.filter(inspection=inspection), request.user, pk=data.validated_data["finding"]
        )
        finding = actions.do_reinspect(
            request.user, finding, passed=data.validated_data["passed"], note=data.validated_data["note"]
        )
        return Response(FindingSerializer(finding).data)

    @extend_schema(request=None, responses={200: InspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        actions.do_publish(request.user, self.get_object())
        return Response(InspectionDetailSerializer(self.get_object()).data)


class PermitViewSet(ReadOnly):
    queryset = WorkPermit.objects.select_related("enterprise")
    serializer_class = PermitSerializer
    permission_map = {
        "list": "inspections.view_permits",
        "retrieve": "inspections.view_permits",
        "create": "inspections.apply_permit",
        "approve": "inspections.approve_permit",
    }

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        # ?active_at=<ISO time>: the special work going on at that moment (inspectors' spot checks).
        raw = self.request.query_params.get("active_at")
        if raw:
            when = parse_datetime(raw)
            if when is None:
                raise ActionError(_("时间格式无效"), field="active_at")
            qs = qs.filter(valid_from__lte=when, valid_until__gte=when)
        return qs

    @extend_schema(request=PermitCreateSerializer, responses={201: PermitSerializer})
    def create(self, request: Request) -> Response:
        data = PermitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["gas_analyses"] = [dict(row) for row in v.get("gas_analyses", [])]
        permit = actions.do_apply_permit(request.user, request.user.enterprise, **v)
        return Response(PermitSerializer(permit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ApproveSerializer, responses={200: PermitSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        permit = self.get_object()
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        permit = actions.do_approve_permit(request.user, permit, level=data.validated_data["level"])
        return Response(PermitSerializer(permit).data)


class EnforcementDocumentViewSet(ReadOnly):
    """Enforcement documents (执法文书) of the inspections the person sees, with their download links
    (PDF and DOCX rendered from the content frozen at issue); `?inspection=` and `?kind=` filter."""

    serializer_class = EnforcementDocumentSerializer
    permission_map = {"list": "inspections.read_enforcement", "retrieve": "inspections.read_enforcement"}

    def get_queryset(self) -> Any:
        qs = selectors.documents(self.request.user).order_by("-issued_at", "-pk")
        params = self.request.query_params
        inspection = id_param(params, "inspection")
        if inspection is not None:
            qs = qs.filter(inspection_id=inspection)
        kind = choice_param(params, "kind", DocumentKind.values)
        return qs.filter(kind=kind) if kind else qs


class PenaltyViewSet(ReadOnly):
    """The penalty register (行政处罚台账): amounts, legal basis, documents, hearing, payment and the
    加处罚款 owed on a late fine; `?state=` and `?inspection=` filter."""

    serializer_class = PenaltySerializer
    permission_map = {
        "list": "inspections.read_enforcement",
        "retrieve": "inspections.read_enforcement",
        "hearing_request": "inspections.request_hearing",
        "hearing_schedule": "inspections.decide_penalty",
        "hearing_record": "inspections.decide_penalty",
        "decide": "inspections.decide_penalty",
        "pay": "inspections.decide_penalty",
    }

    def get_queryset(self) -> Any:
        qs = selectors.penalties(self.request.user).prefetch_related("documents")
        params = self.request.query_params
        state = choice_param(params, "state", PenaltyState.values)
        if state:
            qs = qs.filter(state=state)
        inspection = id_param(params, "inspection")
        return qs.filter(inspection_id=inspection) if inspection is not None else qs

    def _answer(self) -> Response:
        return Response(PenaltySerializer(self.get_object()).data)

    @extend_schema(request=None, responses={200: PenaltySerializer})
    @action(detail=True, methods=["post"], url_path="hearing-request")
    def hearing_request(self, request: Request, pk: str | None = None) -> Response:
        actions.do_request_hearing(request.user, self.get_object())
        return self._answer()

    @extend_schema(request=HearingScheduleSerializer, responses={200: PenaltySerializer})
    @action(detail=True, methods=["post"], url_path="hearing-schedule")
    def hearing_schedule(self, request: Request, pk: str | None = None) -> Response:
        penalty = self.get_object()
        data = HearingScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_schedule_hearing(
            request.user,
            penalty,
            hearing_on=data.validated_data["hearing_on"],
            place=data.validated_data["place"],
        )
        return self._answer()

    @extend_schema(request=HearingRecordSerializer, responses={200: PenaltySerializer})
    @action(detail=True, methods=["post"], url_path="hearing-record")
    def hearing_record(self, request: Request, pk: str | None = None) -> Response:
        penalty = self.get_object()
        data = HearingRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_record_hearing(request.user, penalty, note=data.validated_data["note"])
        return self._answer()

    @extend_schema(request=None, responses={200: PenaltySerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        actions.do_decide_penalty(request.user, self.get_object())
        return self._answer()

    @extend_schema(request=None, responses={200: PenaltySerializer})
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str | None = None) -> Response:
        actions.do_record_payment(request.user, self.get_object())
        return self._answer()
