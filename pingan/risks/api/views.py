"""The risk module's API. Every viewset asks `pingan.risks.permissions` through `CanPermission` and its
`permission_map`; lists stay inside `visible_to` (out of scope → 404) and are constant in queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pingan.core.actions import ActionError
from pingan.core.api import CanPermission, ScopedViewSetMixin
from pingan.geo.models import Division
from pingan.org.models import Enterprise, User

from .. import actions, rules, selectors
from ..actions import rule_errors
from ..models import CheckTask, Commitment, ControlMeasure, MajorHazardSource, RiskEvent, RiskObject
from . import serializers as s


def _enterprise_for(user: Any, asked: int | None) -> Enterprise | None:
    """The enterprise named by id (inside the caller's scope), or the caller's own."""
    if asked:
        ent = Enterprise.objects.visible_to(user).filter(pk=asked).select_related("division").first()
        if ent is None:
            raise ActionError(_("企业不存在"), field="enterprise", code="invalid")
        return ent
    return getattr(user, "enterprise", None)


class RiskObjectViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """City risk points and enterprises' analysis units, with their chain and assessment history."""

    queryset = RiskObject.objects.all()
    permission_classes = [CanPermission]
    permission_map = {
        "list": "risks.view_list",
        "retrieve": "risks.view_list",
        "create": "risks.manage",
        "assess": "risks.assess",
        "events": "risks.manage",
        "measures": "risks.manage",
        "tasks": "risks.manage",
        "map": "risks.view_map",
        "counts": "risks.view_rates",
        "areas": "risks.view_rates",
    }
    filter_backends: list = []

    def get_queryset(self) -> Any:
        qs = super().get_queryset().select_related("division", "enterprise")
        if self.action == "retrieve":
            tasks = CheckTask.objects.select_related("risk_object")
            qs = qs.prefetch_related(
                Prefetch(
                    "events__measures",
                    queryset=ControlMeasure.objects.prefetch_related(Prefetch("tasks", queryset=tasks)),
                ),
                "assessments",
            )
        return qs

    def get_serializer_class(self) -> Any:
        return s.RiskObjectDetailSerializer if self.action == "retrieve" else s.RiskObjectSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("division", str),
            OpenApiParameter("q", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        qs = selectors.risk_objects(request.user, request.query_params)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.RiskObjectSerializer(page, many=True).data)

    @extend_schema(request=s.RiskObjectCreateSerializer, responses={201: s.RiskObjectSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = s.RiskObjectCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        division = None
        if d.get("division"):
            division = Division.objects.filter(pk=d["division"]).first()
            if division is None:
                raise ActionError(_("区划不存在"), field="division", code="invalid")
        enterprise = (
            _enterprise_for(request.user, d.get("enterprise")) if d["kind"] == "analysis_unit" else None
        )
        obj = actions.do_create_object(
            request.user,
            kind=d["kind"],
            name=d["name"],
            point_type=d["point_type"],
            division=division,
            enterprise=enterprise,
            lat=d.get("lat"),
            lon=d.get("lon"),
            description=d["description"],
        )
        return Response(s.RiskObjectSerializer(obj).data, status=201)

    @extend_schema(request=s.AssessSerializer, responses={201: s.AssessmentSerializer})
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: str | None = None) -> Response:
        """LEC (likelihood, exposure, consequence) or LS (likelihood, severity); the level follows."""
        obj = self.get_object()
        ser = s.AssessSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        row = actions.do_assess(request.user, obj, method=d.pop("method"), note=d.pop("note"), inputs=d)
        return Response(s.AssessmentSerializer(row).data, status=201)

    @extend_schema(request=s.EventCreateSerializer, responses={201: s.EventSerializer})
    @action(detail=True, methods=["post"])
    def events(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        ser = s.EventCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        event = actions.do_add_event(request.user, obj, **ser.validated_data)
        return Response(s.EventSerializer(event).data, status=201)

    @extend_schema(request=s.MeasureCreateSerializer, responses={201: s.MeasureSerializer})
    @action(detail=True, methods=["post"])
    def measures(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        ser = s.MeasureCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        event = RiskEvent.objects.filter(risk_object=obj, pk=ser.validated_data["event"]).first()
        if event is None:
            raise ActionError(_("风险事件不属于该风险对象"), field="event", code="invalid")
        m = actions.do_add_measure(
            request.user,
            event,
            kind=ser.validated_data["kind"],
            description=ser.validated_data["description"],
        )
        return Response(s.MeasureSerializer(m).data, status=201)

    @extend_schema(request=s.TaskCreateSerializer, responses={201: s.TaskSerializer})
    @action(detail=True, methods=["post"])
    def tasks(self, request: Request, pk: str | None = None) -> Response:
        obj = self.get_object()
        ser = s.TaskCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        measure = (
            ControlMeasure.objects.filter(event__risk_object=obj, pk=d["measure"])
            .select_related("event__risk_object")
            .first()
        )
        if measure is None:
            raise ActionError(_("管控措施不属于该风险对象"), field="measure", code="invalid")
        assignee = None
        if d.get("assignee"):
            assignee = User.objects.visible_to(request.user).filter(pk=d["assignee"]).first()
            if assignee is None:
                raise ActionError(_("责任人不存在"), field="assignee", code="invalid")
        task = actions.do_add_task(
            request.user,
            measure,
            name=d["name"],
            cycle=d["cycle"],
            every=d["every"],
            post=d["post"],
            assignee=assignee,
            checklist=d["checklist"],
        )
        return Response(s.TaskSerializer(task).data, status=201)

    @extend_schema(
        parameters=[OpenApiParameter("level", str), OpenApiParameter("kind", str)],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"])
    def map(self, request: Request) -> Response:
        """The four-colour map's points as GeoJSON (`colour`, `label`, `popup`, `url` properties)."""
        from django.urls import reverse

        from pingan.core.choices import colour_of

        from ..choices import Level

        labels = dict(Level.choices)
        qs = (
            selectors.risk_objects(request.user, request.query_params)
            .exclude(lat=None)
            .values_list("pk", "name", "level", "lat", "lon", "division__name")
        )
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": pk,
                    "label": name,
                    "colour": colour_of(Level, level),
                    "level": level,
                    "popup": f"{labels.get(level, level)} · {div}",
                    "url": reverse("risks:detail", args=[pk]),
                },
            }
            for pk, name, level, lat, lon, div in qs
        ]
        return Response({"type": "FeatureCollection", "count": len(features), "features": features})

    @extend_schema(
        parameters=[OpenApiParameter("by", str, enum=["district", "town"])], responses=OpenApiTypes.OBJECT
    )
    @action(detail=False, methods=["get"])
    def counts(self, request: Request) -> Response:
        """Risk objects by level per district or township (`by`), with the top level's colour."""
        by = request.query_params.get("by", "district")
        if by not in selectors.PATH_LENGTH:
            raise ActionError(_("只能按 district 或 town 统计"), field="by", code="invalid_choice")
        return Response({"by": by, "results": selectors.counts_by_division(request.user, by)})

    @extend_schema(
        parameters=[OpenApiParameter("by", str, enum=["district", "town"])], responses=OpenApiTypes.OBJECT
    )
    @action(detail=False, methods=["get"])
    def areas(self, request: Request) -> Response:
        """The four-colour map's areas: each district or township of the viewer's area as GeoJSON,
        coloured by its highest risk level, with its counts by level in the popup."""
        by = request.query_params.get("by", "town")
        if by not in selectors.PATH_LENGTH:
            raise ActionError(_("只能按 district 或 town 统计"), field="by", code="invalid_choice")
        return Response(selectors.area_features(request.user, by))


class CheckTaskViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Check tasks (overdue when past their due time) and the check records done on a phone."""

    queryset = CheckTask.objects.all()
    serializer_class = s.TaskSerializer
    permission_classes = [CanPermission]
    permission_map = {
        "list": "risks.view_list",
        "retrieve": "risks.view_list",
        "records": "risks.record_check",
        "completion": "risks.view_list",
    }
    filter_backends: list = []

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("risk_object__division", "risk_object__enterprise")

    @extend_schema(parameters=[OpenApiParameter("overdue", bool), OpenApiParameter("risk_object", int)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(selectors.tasks(request.user, request.query_params))
        return self.get_paginated_response(s.TaskSerializer(page, many=True).data)

    @extend_schema(
        request={
            "application/json": s.RecordCreateSerializer,
            "multipart/form-data": s.RecordCreateSerializer,
        },
        responses={201: s.RecordSerializer},
    )
    @action(detail=True, methods=["post"])
    def records(self, request: Request, pk: str | None = None) -> Response:
        """Record a check; `finding` opens a hazard case in the hazard platform, linked back."""
        task = self.get_object()
        ser = s.RecordCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        rec = actions.do_record_check(
            request.user,
            task,
            result=d["result"],
            answers=d["answers"],
            note=d["note"],
            lat=d.get("lat"),
            lon=d.get("lon"),
            photo=d.get("photo"),
        )
        return Response(s.RecordSerializer(rec).data, status=201)

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=["district", "town", "enterprise", "object"]),
            OpenApiParameter("days", int),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"])
    def completion(self, request: Request) -> Response:
        """Completion rate (checks done on time ÷ checks due) over the last `days` (default 30) per
        district, township, enterprise or risk object, inside the caller's scope."""
        by = request.query_params.get("by", "district")
        if by not in selectors.COMPLETION_BY:
            raise ActionError(_("无效的选项"), field="by", code="invalid_choice")
        try:
            days = int(request.query_params.get("days", "30"))
        except ValueError:
            days = 0
        if not 1 <= days <= 366:
            raise ActionError(_("天数须在 1–366 之间"), field="days", code="invalid")
        since = timezone.now() - dt.timedelta(days=days)
        rows = selectors.completion_by_division(request.user, since, by)
        return Response(
            {
                "by": by,
                "days": days,
                "results": [r | {"rate": str(r["rate"]) if r["rate"] is not None else None} for r in rows],
            }
        )


class MajorHazardSourceViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Units identified under GB 18218-2018 with every step of the computation, and their filing."""

    queryset = MajorHazardSource.objects.all()
    serializer_class = s.MhsSerializer
    permission_classes = [CanPermission]
    permission_map = {
        "list": "risks.view_mhs",
        "retrieve": "risks.view_mhs",
        "create": "risks.manage_mhs",
        "file": "risks.file_mhs",
    }
    filter_backends: list = []

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("enterprise").prefetch_related("chemicals")

    @extend_schema(request=s.MhsCreateSerializer, responses={201: s.MhsSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = s.MhsCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        enterprise = _enterprise_for(request.user, d.pop("enterprise", None))
        src = actions.do_declare_mhs(
            request.user, enterprise, chemicals=[dict(c) for c in d.pop("chemicals")], **d
        )
        src = self.get_queryset().get(pk=src.pk)
        return Response(s.MhsSerializer(src).data, status=201)

    @extend_schema(request=s.FileSerializer, responses=s.MhsSerializer)
    @action(detail=True, methods=["post"])
    def file(self, request: Request, pk: str | None = None) -> Response:
        src = self.get_object()
        ser = s.FileSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        src = actions.do_file_mhs(request.user, src, number=ser.validated_data["number"])
        return Response(s.MhsSerializer(self.get_queryset().get(pk=src.pk)).data)


class CalculatorView(APIView):
    """GB 18218 identification and grading, step by step, without saving anything."""

    permission_classes = [CanPermission]
    permission_map = {"post": "risks.calculate"}

    @extend_schema(request=s.CalculatorSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        ser = s.CalculatorSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with rule_errors():
            result = rules.identify(
                [dict(c) for c in ser.validated_data["chemicals"]], ser.validated_data["population"]
            )
        return Response(result.as_dict())


class CommitmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The enterprises' daily safety commitments and the commitment rate (承诺完成率)."""

    queryset = Commitment.objects.all()
    serializer_class = s.CommitmentSerializer
    permission_classes = [CanPermission]
    permission_map = {
        "list": "risks.view_commitments",
        "retrieve": "risks.view_commitments",
        "create": "risks.submit_commitment",
        "rate": "risks.view_rates",
    }
    filter_backends: list = []

    def get_queryset(self) -> Any:
        qs = super().get_queryset().select_related("enterprise")
        day = self.request.query_params.get("day")
        if self.action == "list" and day:
            qs = qs.filter(day=day)
        return qs

    @extend_schema(request=s.CommitmentCreateSerializer, responses={201: s.CommitmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = s.CommitmentCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        enterprise = getattr(request.user, "enterprise", None)
        if enterprise is None:
            raise ActionError(_("只有企业用户可以提交承诺"), field="enterprise", code="invalid")
        row = actions.do_submit_commitment(request.user, enterprise, **d)
        return Response(s.CommitmentSerializer(row).data, status=201)

    @extend_schema(parameters=[OpenApiParameter("day", str)], responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def rate(self, request: Request) -> Response:
        raw = request.query_params.get("day")
        try:
            day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as exc:
            raise ActionError(_("日期格式应为 YYYY-MM-DD"), field="day", code="invalid") from exc
        data = selectors.commitment_rate(request.user, day)
        data["rate"] = str(data["rate"]) if data["rate"] is not None else None
        for row in data["districts"]:
            row["rate"] = str(row["rate"]) if row["rate"] is not None else None
        return Response(data)
