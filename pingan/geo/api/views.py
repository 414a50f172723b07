from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from pingan.core.actions import ActionError
from pingan.core.api import ScopedReadOnlyViewSet

from .. import basemap
from ..choices import Level
from ..crs import from_storage, to_storage
from ..lookup import require_in_city
from ..models import Division

CRS_CHOICES = ["wgs84", "gcj02"]


def request_crs(request: Request | None) -> str:
    """The `crs` query parameter (wgs84 by default); anything else is a 400 naming `crs`."""
    crs = (request.query_params.get("crs") if request is not None else None) or "wgs84"
    if crs.lower() not in CRS_CHOICES:
        raise ActionError("crs must be wgs84 or gcj02", field="crs", code="invalid_choice")
    return crs.lower()


class DivisionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)
    lat = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()
    bbox = serializers.SerializerMethodField()

    class Meta:
        model = Division
        fields = [
            "id",
            "code",
            "name",
            "level",
            "kind",
            "parent",
            "parent_code",
            "is_formal",
            "is_synthetic",
            "lat",
            "lon",
            "bbox",
            "population",
            "geometry_source",
        ]

    def _point(self, obj: Division) -> tuple[float | None, float | None]:
        if obj.lat is None or obj.lon is None:
            return None, None
        return from_storage(obj.lat, obj.lon, request_crs(self.context.get("request")))

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_lat(self, obj: Division) -> float | None:
        return self._point(obj)[0]

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_lon(self, obj: Division) -> float | None:
        return self._point(obj)[1]

    @extend_schema_field(
        {
            "type": "array",
            "items": {"type": "number"},
            "nullable": True,
            "description": "[min_lon, min_lat, max_lon, max_lat], WGS-84",
        }
    )
    def get_bbox(self, obj: Division) -> list[float] | None:
        if obj.min_lon is None:
            return None
        return [obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat]


class LocateQuery(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    crs = serializers.ChoiceField(choices=CRS_CHOICES, required=False, default="wgs84")
    level = serializers.ChoiceField(choices=Level.values, required=False)


class DivisionFilter(django_filters.FilterSet):
    parent_code = django_filters.CharFilter(field_name="parent__code", label="parent's code")
    within = django_filters.CharFilter(method="filter_within", label="code of an ancestor: the whole subtree")
    q = django_filters.CharFilter(method="filter_q", label="name contains, or code starts with")

    class Meta:
        model = Division
        fields = ["level", "parent", "code", "is_synthetic", "is_formal"]

    def filter_within(self, qs: Any, name: str, value: str) -> Any:
        root = Division.objects.filter(code=value).only("path").first()
        return qs.filter(path__startswith=root.path).exclude(pk=root.pk) if root else qs.none()

    def filter_q(self, qs: Any, name: str, value: str) -> Any:
        return qs.filter(Q(name__contains=value) | Q(code__startswith=value))


CRS_PARAM = OpenApiParameter(
    "crs",
    OpenApiTypes.STR,
    enum=CRS_CHOICES,
    description="Coordinate system of points in the request and response (boundaries are always WGS-84)",
)


@extend_schema(parameters=[CRS_PARAM])
class DivisionViewSet(ScopedReadOnlyViewSet):
    """The division tree (reference data, readable by every signed-in person).

    Detail by code: `/api/v1/divisions/441802/`. Points (`lat`, `lon`) are WGS-84, or GCJ-02 with
    `crs=gcj02`.
    """

    queryset = Division.objects.select_related("parent").defer("geometry", "parent__geometry").all()
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilter
    ordering_fields = ["code", "name", "population"]
    lookup_field = "code"

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", float, required=True),
            OpenApiParameter("lon", float, required=True),
            OpenApiParameter(
                "level",
                str,
                enum=Level.values,
                description="the division of this level instead of the smallest",
            ),
        ],
        responses=DivisionSerializer,
    )
    @action(detail=False, methods=["get"], filterset_class=None)
    def locate(self, request: Request) -> Response:
        """The smallest division containing a point (and its chain of ancestors);
        400 naming `location` when the point is outside the city."""
        query = LocateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        lat, lon = to_storage(
            query.validated_data["lat"], query.validated_data["lon"], query.validated_data["crs"]
        )
        division = require_in_city(lat, lon)
        level = query.validated_data.get("level")
        if level:
            chain = division.ancestors() + [division]
            division = next((d for d in chain if d.level == level), None)
            if division is None:
                raise ActionError(
                    "no division of that level contains the point", field="level", code="not_found"
                )
        chain = division.ancestors() + [division]
        data = self.get_serializer(division).data
        data["chain"] = [{"code": d.code, "name": d.name, "level": d.level} for d in chain]
        return Response(data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "detail",
                str,
                enum=list(basemap.DETAILS),
                description="coarse: simplified for the whole-city view; full (default): the stored "
                "boundaries exactly as the point-in-division look-up uses them",
            ),
        ],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT, 304: None},
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[AllowAny],
        filterset_class=None,
        pagination_class=None,
    )
    def basemap(self, request: Request) -> Any:
        """The offline base map: county and township boundaries with names and label points
        (GeoJSON, WGS-84), drawn under every map when no tile server is configured. Cached per
        boundary fingerprint (one query a request) and answered 304 to a matching If-None-Match."""
        detail = request.query_params.get("detail") or "full"
        if detail not in basemap.DETAILS:
            raise ActionError(
                _("detail 只能是 %(choices)s") % {"choices": ", ".join(basemap.DETAILS)},
                field="detail",
                code="invalid_choice",
            )
        doc = basemap.get(detail)
        headers = {"ETag": doc.etag, "Cache-Control": "public, max-age=300", "Vary": "Accept-Encoding"}
        if doc.etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return HttpResponse(status=304, headers=headers)
        return HttpResponse(doc.body, content_type="application/geo+json", headers=headers)

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, enum=Level.values),
            OpenApiParameter("parent", str, description="code of the parent: its children"),
            OpenApiParameter("code", str, description="one division by code"),
        ],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[AllowAny],
        filterset_class=None,
        pagination_class=None,
    )
    def geojson(self, request: Request) -> Any:
        """Boundaries as a GeoJSON FeatureCollection (WGS-84), for maps; synthetic ones are flagged."""
        qs = Division.objects.visible_to(request.user).exclude(geometry=None)
        level = request.query_params.get("level")
        if level:
            if level not in Level.values:
                raise ActionError(
                    "level must be one of " + ", ".join(Level.values), field="level", code="invalid_choice"
                )
            qs = qs.filter(level=level)
        parent = request.query_params.get("parent")
        if parent:
            qs = qs.filter(parent__code=parent)
        code = request.query_params.get("code")
        if code:
            qs = qs.filter(code=code)
        if not (level or parent or code):
            qs = qs.filter(level__in=[Level.CITY, Level.DISTRICT])  # never the whole tree by accident
        features = [
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "code": c,
                    "name": name,
                    "label": name,
                    "level": lvl,
                    "synthetic": synthetic,
                    "population": pop,
                    "popup": c + (" · " + str(_("合成边界(示意)")) if synthetic else ""),
                    "label_at": [lat, lon] if lat is not None and lon is not None else None,
                    "url": reverse("geo:detail", args=[c]),
                },
            }
            for c, name, lvl, synthetic, pop, geometry, lat, lon in qs.values_list(
                "code", "name", "level", "is_synthetic", "population", "geometry", "lat", "lon"
            )
        ]
        return JsonResponse(
            {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
        )
