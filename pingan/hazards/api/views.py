from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

from pingan.core.actions import ActionError
from pingan.core.api import CanPermission, ScopedModelViewSet, ScopedViewSetMixin
from pingan.core.choices import colour_of
from pingan.core.pagination import KeysetPagination
from pingan.core.params import finite, int_param, is_id
from pingan.core.permissions import may
from pingan.org.models import Enterprise, Site

from .. import actions, permissions, rules, selectors
from ..choices import OPEN_STATES, State
from ..models import CaseTask, Category, HazardCase, RoutingRule
from .serializers import (
    CaseAttachmentSerializer,
    CaseAttachmentUploadSerializer,
    CaseCommentSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseDuplicateSerializer,
    CaseListSerializer,
    CaseNoticeSerializer,
    CasePhotoSerializer,
    CasePhotoUploadSerializer,
    CaseTaskUpdateSerializer,
    CaseTransitionSerializer,
    HazardCategorySerializer,
    HazardFeedbackSerializer,
    PublicCaseSerializer,
    RoutingRuleSerializer,
    TreatmentPlanSerializer,
    list_rows,
)

STATE_COLOURS = {s: colour_of(State, s) for s in State.values}

FILTER_PARAMS = [
    OpenApiParameter("state", str, description="state, several comma-separated; 'open' = every open state"),
    OpenApiParameter("grade", str, enum=["general", "major"]),
    OpenApiParameter("category", str, description="category id or code (its children included)"),
    OpenApiParameter("division", str, description="division code (its subtree) or id"),
    OpenApiParameter("district", int),
    OpenApiParameter("department", int, description="lead or co-handling department"),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("source", str),
    OpenApiParameter("enterprise", int),
    OpenApiParameter("q", str, description="number, title, address or tracking code"),
]


class HazardCaseViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Hazard cases: list (filters, constant queries), detail, intake (idempotent with
    `client_token`), transitions, comments, photos, tasks, plans, the map and duplicate search."""

    queryset = HazardCase.objects.all()
    serializer_class = CaseDetailSerializer
    filter_backends: list = []
    # A million cases: `after=` keyset pages and a count capped at 10,000 (core.pagination).
    pagination_class = KeysetPagination
    count_queryset: Any = None
    permission_classes = [CanPermission]
    # Reads are open to anyone signed in (`visible_to` decides which cases: a citizen's own); each
    # write asks its permission with the case; a transition is asked again by its action.
    permission_map = {
        "list": "hazards.view",
        "retrieve": "hazards.view",
        "create": "hazards.submit",
        "transition": "hazards.view",
        "comments": "hazards.view",
        "add_comment": "hazards.comment",
        "photos": "hazards.upload_photo",
        "task": "hazards.update_task",
        "attachments": "hazards.view_attachments",
        "add_attachment": "hazards.upload_attachment",
        "notices": "hazards.view_notices",
        "issue_notice": "hazards.view_notices",  # the kind's own permission is asked by the action
        "plan": "hazards.plan",
        "map": "hazards.view",
        "duplicates": "hazards.view",
    }

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        if self.action in ("retrieve", "transition", "comments", "add_comment", "photos", "task", "plan"):
            qs = qs.select_related(
                "category", "division", "district", "lead_department", "reporter"
            ).prefetch_related(
                Prefetch("tasks", queryset=CaseTask.objects.select_related("department")), "photos"
            )
        return qs

    def get_serializer_class(self) -> Any:
        return {"create": CaseCreateSerializer, "list": CaseListSerializer}.get(
            self.action, CaseDetailSerializer
        )

    def _detail(self, case: HazardCase, code: int = 200) -> Response:
        case = self.get_queryset().get(pk=case.pk) if self.action != "retrieve" else case
        return Response(CaseDetailSerializer(case, context={"request": self.request}).data, status=code)

    @extend_schema(parameters=FILTER_PARAMS, responses=CaseListSerializer(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        now = timezone.now()
        qs = selectors.filter_cases(self.get_queryset(), request.query_params, now).order_by(
            "-created_at", "-id"
        )
        self.count_queryset = qs  # counted without the joins the page's values need
        page = self.paginate_queryset(selectors.list_values(qs))
        labels = {k: str(v) for k, v in State.choices}
        return self.get_paginated_response(list_rows(page, now, labels, STATE_COLOURS, OPEN_STATES))

    @extend_schema(
        request=CaseCreateSerializer, responses={201: CaseDetailSerializer, 200: CaseDetailSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ser = CaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        user = request.user
        enterprise = site = None
        if d.get("site"):
            site = Site.objects.visible_to(user).filter(pk=d["site"]).select_related("enterprise").first()
            if site is None:
                raise ActionError(_("场所不存在"), field="site", code="invalid")
        if d.get("enterprise"):
            enterprise = Enterprise.objects.visible_to(user).filter(pk=d["enterprise"]).first()
            if enterprise is None:
                raise ActionError(_("单位不存在"), field="enterprise", code="invalid")
        own = user.enterprise if user.enterprise_id else None
        if may(user, "hazards.self_report", own):
            enterprise = own
        case, created = actions.do_submit(
            user,
            source=permissions.intake_source(user, d.get("source")),
            title=d["title"],
            description=d["description"],
            category=d["category"],
            grade=d.get("grade") if may(user, "hazards.choose_grade") else None,
            lat=d.get("lat"),
            lon=d.get("lon"),
            address=d["address"],
            enterprise=enterprise,
            site=site,
            reporter_name=d["reporter_name"],
            reporter_phone=d["reporter_phone"],
            client_token=d["client_token"],
        )
        if created:
            # Fresh from the actions layer with its category, division and district attached, and
            # nothing hanging off it yet: no need to read it back.
            case._prefetched_objects_cache = {"tasks": CaseTask.objects.none(), "photos": case.photos.none()}
        else:
            case = HazardCase.objects.select_related(
                "category", "division", "district", "lead_department"
            ).get(pk=case.pk)
        return Response(
            CaseDetailSerializer(case, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=CaseTransitionSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Run one lifecycle transition. 409 when the state changed meanwhile (or differs from
        `expected_state`); 400 when the guard refuses (e.g. a MAJOR hazard without plan and report)."""
        case = self.get_object()
        ser = CaseTransitionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        case = actions.perform(request.user, case, ser.validated_data["action"], ser.validated_data)
        return self._detail(case)

    @extend_schema(responses=CaseCommentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        """The case's comments: internal ones only for staff."""
        case = self.get_object()
        qs = case.comments.select_related("author", "department")
        if not may(request.user, "hazards.view_internal", case):
            qs = qs.filter(is_public=True)
        return Response(CaseCommentSerializer(qs, many=True).data)

    @extend_schema(request=CaseCommentSerializer, responses={201: CaseCommentSerializer})
    @comments.mapping.post
    def add_comment(self, request: Request, pk: str | None = None) -> Response:
        """Staff and the enterprise concerned comment (public comments: staff only)."""
        case = self.get_object()
        ser = CaseCommentSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        c = actions.do_comment(
            request.user,
            case,
            body=ser.validated_data["body"],
            is_public=ser.validated_data.get("is_public", False),
        )
        return Response(CaseCommentSerializer(c).data, status=201)

    @extend_schema(
        request={"multipart/form-data": CasePhotoUploadSerializer}, responses={201: CasePhotoSerializer}
    )
    @action(detail=True, methods=["post"])
    def photos(self, request: Request, pk: str | None = None) -> Response:
        """Add a photo: staff, the case's reporter or its enterprise (through an action: audited)."""
        case = self.get_object()
        ser = CasePhotoUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        photo = actions.do_add_photo(
            request.user, case, photo=ser.validated_data["photo"], kind=ser.validated_data["kind"]
        )
        return Response(CasePhotoSerializer(photo).data, status=201)

    @extend_schema(request=CaseTaskUpdateSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def task(self, request: Request, pk: str | None = None) -> Response:
        """The caller's department updates its own task (lead or co-handler)."""
        case = self.get_object()
        ser = CaseTaskUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        actions.do_update_task(
            request.user, case, state=ser.validated_data["state"], note=ser.validated_data["note"]
        )
        return self._detail(case)

    @extend_schema(responses=CaseAttachmentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        """The case's documents (PDF, Word): staff and the enterprise concerned."""
        case = self.get_object()
        return Response(CaseAttachmentSerializer(case.attachments.all(), many=True).data)

    @extend_schema(
        request={"multipart/form-data": CaseAttachmentUploadSerializer},
        responses={201: CaseAttachmentSerializer},
    )
    @attachments.mapping.post
    def add_attachment(self, request: Request, pk: str | None = None) -> Response:
        """Upload a PDF or Word document (type sniffed from the content, size bounded; audited)."""
        case = self.get_object()
        ser = CaseAttachmentUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        att = actions.do_add_attachment(request.user, case, file=ser.validated_data["file"])
        return Response(CaseAttachmentSerializer(att).data, status=201)

    @extend_schema(responses=CaseNoticeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def notices(self, request: Request, pk: str | None = None) -> Response:
        """The notices issued on the case (整改通知书, 督办通知书), each with its PDF address."""
        case = self.get_object()
        return Response(CaseNoticeSerializer(case.notices.select_related("department"), many=True).data)

    @extend_schema(request=CaseNoticeSerializer, responses={201: CaseNoticeSerializer})
    @notices.mapping.post
    def issue_notice(self, request: Request, pk: str | None = None) -> Response:
        """Issue a notice of `kind`: numbered in the issuing department's series for the year."""
        case = self.get_object()
        ser = CaseNoticeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        notice = actions.do_issue_notice(request.user, case, kind=ser.validated_data["kind"])
        return Response(CaseNoticeSerializer(notice).data, status=201)

    @extend_schema(methods=["put"], request=TreatmentPlanSerializer, responses=TreatmentPlanSerializer)
    @action(detail=True, methods=["put"])
    def plan(self, request: Request, pk: str | None = None) -> Response:
        """Write the MAJOR hazard's treatment plan (its six fields and the completion date)."""
        case = self.get_object()
        ser = TreatmentPlanSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        plan = actions.do_save_plan(request.user, case, ser.validated_data)
        return Response(TreatmentPlanSerializer(plan).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", str, description="min_lon,min_lat,max_lon,max_lat"),
            OpenApiParameter("zoom", int, description="map zoom 0–22: the clustering cell"),
            *FILTER_PARAMS,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"])
    def map(self, request: Request) -> Response:
        """GeoJSON of the cases in the box: points up to a few thousand, else grid clusters."""
        from django.urls import reverse

        now = timezone.now()
        qs = selectors.filter_cases(self.get_queryset(), request.query_params, now)
        base = reverse("hazards:detail", args=[0])[:-2]
        data = selectors.map_features(
            qs,
            selectors.parse_bbox(request.query_params.get("bbox")),
            now=now,
            url_of=lambda pk: f"{base}{pk}/",
            zoom=int_param(request.query_params, "zoom", minimum=0, maximum=22),
        )
        return Response(data)

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, required=True),
            OpenApiParameter("lat", float, required=True),
            OpenApiParameter("lon", float, required=True),
            OpenApiParameter("exclude", int),
        ],
        responses=CaseDuplicateSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def duplicates(self, request: Request) -> Response:
        """Open cases of the same category within the configured distance (possible duplicates)."""
        p = request.query_params
        cat = p.get("category", "")
        # A code is short printable text: anything else (a NUL byte, which PostgreSQL refuses in a text
        # parameter; a megabyte) names no category.
        category = None
        if is_id(cat):
            category = Category.objects.filter(pk=int(cat)).first()
        elif cat.isprintable() and 0 < len(cat) <= 64:
            category = Category.objects.filter(code=cat).first()
        if category is None:
            raise ActionError(_("类别不存在"), field="category", code="invalid")
        if "lat" not in p or "lon" not in p:
            raise ActionError(_("需要纬度和经度"), field="lat", code="required")
        lat = finite(p["lat"], "lat", minimum=-90, maximum=90)
        lon = finite(p["lon"], "lon", minimum=-180, maximum=180)
        found = actions.find_duplicates(
            category=category,
            lat=lat,
            lon=lon,
            exclude=int(p["exclude"]) if is_id(p.get("exclude", "")) else None,
        )
        visible = set(
            HazardCase.objects.visible_to(request.user)
            .filter(pk__in=[c.pk for c, _d in found])
            .values_list("pk", flat=True)
        )
        rows = [
            {
                "id": c.pk,
                "number": c.number,
                "title": c.title,
                "state": c.state,
                "distance_m": round(d, 1),
                "created_at": c.created_at,
            }
            for c, d in found
            if c.pk in visible
        ]
        return Response(CaseDuplicateSerializer(rows, many=True).data)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The category tree (reference data, readable by anyone: the public report form uses it)."""

    queryset = Category.objects.filter(is_active=True)
    serializer_class = HazardCategorySerializer
    permission_classes = [CanPermission]
    permission_map = {"list": None, "retrieve": None}
    pagination_class = None
    filter_backends: list = []


class RoutingRuleViewSet(ScopedModelViewSet):
    """The routing table (category × level → lead sector, co-handling sectors): staff read it, city
    administrators edit it."""

    queryset = RoutingRule.objects.select_related("category")
    serializer_class = RoutingRuleSerializer
    permission_classes = [CanPermission]
    permission_map = {
        "list": "hazards.view_routes",
        "retrieve": "hazards.view_routes",
        "create": "hazards.edit_routes",
        "update": "hazards.edit_routes",
        "partial_update": "hazards.edit_routes",
        "destroy": "hazards.edit_routes",
    }
    pagination_class = None
    filterset_fields = ["category", "level", "lead_sector"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = actions.do_save_route(
            self.request.user, RoutingRule(**serializer.validated_data)
        )

    def perform_update(self, serializer: Any) -> None:
        row = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(row, name, value)
        actions.do_save_route(self.request.user, row)

    def perform_destroy(self, instance: RoutingRule) -> None:
        actions.do_delete_route(self.request.user, instance)


class TrackingViewSet(viewsets.GenericViewSet):
    """Public tracking by code (anonymous): state, public notes and dates; never the reporter or an
    internal note. After closure, the reporter says whether the hazard is really gone."""

    permission_classes = [CanPermission]
    permission_map = {"retrieve": None, "feedback": "hazards.feedback"}
    throttle_scope = "public_report"
    serializer_class = PublicCaseSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"
    queryset = HazardCase.objects.none()

    def get_throttles(self) -> list:
        # Reading is limited like any anonymous call; answering is limited per address and hour.
        if self.action == "feedback":
            return [ScopedRateThrottle()]
        return [AnonRateThrottle()]

    def _case(self, code: str) -> HazardCase:
        case = (
            HazardCase.objects.select_related("category", "division")
            .filter(tracking_code=rules.normalise_tracking_code(code))
            .first()
        )
        if case is None:
            raise NotFound()
        return case

    @staticmethod
    def public_data(case: HazardCase) -> dict[str, Any]:
        return {
            "number": case.number,
            "title": case.title,
            "category": case.category.name,
            "division": case.division.name,
            "state": case.state,
            "status": rules.open311_status(case.state),
            "status_notes": selectors.public_status_note(case),
            "created_at": case.created_at,
            "updated_at": case.updated_at,
            "closed_at": case.closed_at,
            "public_comments": [
                {"at": c.created_at, "body": c.body} for c in selectors.public_comments(case)
            ],
            "can_feedback": selectors.awaits_feedback(case),
        }

    def retrieve(self, request: Request, code: str | None = None) -> Response:
        return Response(PublicCaseSerializer(self.public_data(self._case(code))).data)

    @extend_schema(request=HazardFeedbackSerializer, responses=PublicCaseSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request: Request, code: str | None = None) -> Response:
        case = self._case(code)
        ser = HazardFeedbackSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        actions.do_feedback(
            request.user, case, answer=ser.validated_data["answer"], note=ser.validated_data["note"]
        )
        return Response(PublicCaseSerializer(self.public_data(self._case(code))).data)
