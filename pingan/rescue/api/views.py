from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pingan.core.actions import get_visible_or_404
from pingan.core.api import CanPermission, ScopedReadOnlyViewSet

from .. import actions, engine
from ..models import (
    CoverageRun,
    Exercise,
    Expert,
    Member,
    Mobilisation,
    RoadNetwork,
    Shelter,
    SitingRun,
    Team,
    Warehouse,
)
from . import serializers as s

READ = {"list": "rescue.view", "retrieve": "rescue.view"}
ANALYSIS = {"list": "rescue.view_analysis", "retrieve": "rescue.view_analysis", "create": "rescue.start_run"}


def incident_or_404(user: Any, pk: Any) -> Any:
    """An incident the person may see (through the emergency module's services), else 404."""
    from pingan.emergency import services as emergency

    return get_visible_or_404(emergency.visible_incidents(user), user, pk=pk)


class RescueViewSet(ScopedReadOnlyViewSet):
    """Every rescue endpoint asks rescue.permissions through its permission_map (reads: staff)."""

    permission_classes = [CanPermission]
    permission_map: dict[str, str | None] = READ


class TeamViewSet(RescueViewSet):
    """Rescue teams (the directory is shared city-wide among government staff)."""

    queryset = Team.objects.select_related("division").all()
    serializer_class = s.TeamSerializer
    filterset_fields = ["kind", "status", "division"]


class MemberViewSet(RescueViewSet):
    """Team members (personal details: visible within the team's area only)."""

    queryset = Member.objects.all()
    serializer_class = s.MemberSerializer
    filterset_fields = ["team"]


class ExpertViewSet(RescueViewSet):
    queryset = Expert.objects.all()
    serializer_class = s.ExpertSerializer
    filterset_fields = ["available", "division"]


class ShelterViewSet(RescueViewSet):
    """Emergency shelters: public information."""

    queryset = Shelter.objects.select_related("division").all()
    serializer_class = s.ShelterSerializer
    permission_map = {"list": None, "retrieve": None}
    filterset_fields = ["division"]


class WarehouseViewSet(RescueViewSet):
    queryset = Warehouse.objects.prefetch_related("stock").all()
    serializer_class = s.WarehouseSerializer


class RoadNetworkViewSet(RescueViewSet):
    queryset = RoadNetwork.objects.all()
    serializer_class = s.RoadNetworkSerializer


class ExerciseViewSet(RescueViewSet):
    permission_map = {**READ, "stats": "rescue.view"}
    queryset = Exercise.objects.prefetch_related("teams").all()
    serializer_class = s.ExerciseSerializer
    filterset_fields = ["kind", "division"]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def stats(self, request: Request) -> Response:
        """Counts of drills and trainings per district and year."""
        rows = (
            self.get_queryset()
            .annotate(year=ExtractYear("date"))
            .values("division__code", "division__name", "year", "kind")
            .annotate(count=Count("id"), participants=Sum("participants"))
            .order_by("division__code", "year", "kind")
        )
        return Response(
            {
                "results": [
                    {
                        "district": r["division__code"][:6],
                        "division": r["division__name"],
                        "year": r["year"],
                        "kind": r["kind"],
                        "count": r["count"],
                        "participants": r["participants"] or 0,
                    }
                    for r in rows
                ]
            }
        )


class MobilisationViewSet(mixins.CreateModelMixin, RescueViewSet):
    permission_map = {**READ, "create": "rescue.request", "transition": "rescue.transition"}
    queryset = Mobilisation.objects.select_related("team").all()
    serializer_class = s.MobilisationSerializer
    filterset_fields = ["state", "team"]

    @extend_schema(request=s.MobilisationRequestSerializer, responses={201: s.MobilisationSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Request a team for an incident (a second identical request returns the open one)."""
        data = s.MobilisationRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        team = get_visible_or_404(Team.objects.all(), request.user, pk=v["team"])
        incident = None
        if v.get("incident"):
            incident = incident_or_404(request.user, v["incident"])
        mob = actions.do_request(
            request.user,
            team,
            title=v["title"],
            lat=v["lat"],
            lon=v["lon"],
            capabilities=v["capabilities"],
            note=v["note"],
            incident=incident,
        )
        return Response(s.MobilisationSerializer(mob).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TransitionSerializer, responses=s.MobilisationSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move a mobilisation on: assigned, standby, mobilised, in_action, demobilising, stood_down."""
        mob = self.get_object()
        data = s.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mob = actions.do_transition(
            request.user, mob, data.validated_data["state"], note=data.validated_data["note"]
        )
        return Response(s.MobilisationSerializer(mob).data)


def dispatch_payload(
    lat: float, lon: float, capabilities: list[str], specialties: list[str], k: int = 8
) -> dict:
    rec = engine.recommend(lat, lon, capabilities, k=k)
    teams = [
        {
            "team": o.team.pk,
            "name": o.team.name,
            "kind": o.team.kind,
            "division": o.team.division.name,
            "status": o.team.status,
            "eta_minutes": o.eta_min,
            "matched": o.matched,
            "missing": o.missing,
            "headcount": o.team.headcount,
            "lat": o.team.lat,
            "lon": o.team.lon,
            "reasons": [str(r) for r in o.reasons],
        }
        for o in rec["teams"]
    ]
    experts = [
        {
            "expert": e["expert"].pk,
            "name": e["expert"].name,
            "specialties": e["expert"].specialties,
            "affiliation": e["expert"].affiliation,
            "phone": e["expert"].phone,
            "km": e["km"],
            "eta_minutes": e["eta_minutes"],
            "matched": e["matched"],
        }
        for e in engine.nearest_experts(
            lat, lon, specialties, graph=rec["graph"], to_incident=rec["to_incident"], snap_m=rec["snap_m"]
        )
    ]
    return {
        "network": {"version": rec["network"].version, "synthetic": rec["network"].is_synthetic},
        "snap_metres": round(rec["snap_m"]),
        "teams": teams,
        "experts": experts,
    }


class DispatchView(APIView):
    """Dispatch recommendation: the nearest teams by road travel time with ETA, capability match,
    status and reasons, and the nearest available experts by specialty."""

    permission_classes = [CanPermission]
    permission_map = {"get": "rescue.view_dispatch"}

    @extend_schema(parameters=[s.DispatchQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        q = s.DispatchQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        v = q.validated_data
        return Response(dispatch_payload(v["lat"], v["lon"], v["capabilities"], v["specialties"], v["k"]))


class CoverageRunViewSet(mixins.CreateModelMixin, RescueViewSet):
    permission_map = ANALYSIS
    queryset = CoverageRun.objects.all()
    serializer_class = s.CoverageRunSerializer

    @extend_schema(request=s.CoverageStartSerializer, responses={201: s.CoverageRunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a coverage analysis (runs in the background; poll the run for progress)."""
        data = s.CoverageStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = actions.do_start_coverage(request.user, **data.validated_data)
        return Response(s.CoverageRunSerializer(run).data, status=status.HTTP_201_CREATED)


class SitingRunViewSet(mixins.CreateModelMixin, RescueViewSet):
    permission_map = ANALYSIS
    queryset = SitingRun.objects.all()
    serializer_class = s.SitingRunSerializer

    @extend_schema(request=s.SitingStartSerializer, responses={201: s.SitingRunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a siting run (MCLP or p-median, HiGHS), in the background."""
        data = s.SitingStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = actions.do_start_siting(request.user, **data.validated_data)
        return Response(s.SitingRunSerializer(run).data, status=status.HTTP_201_CREATED)
