from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from pingan.core.api import ScopedReadOnlyViewSet

from ..choices import Level
from ..crs import from_storage, to_storage
from ..lookup import require_in_city
from ..models import Division


class DivisionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)
    lat = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()

    class Meta:
        model = Division
        fields = ["id", "code", "name", "level", "kind", "parent", "parent_code", "is_formal", "is_synthetic",
                  "lat", "lon", "population"]

    def _point(self, obj: Division) -> tuple[float | None, float | None]:
        if obj.lat is None or obj.lon is None:
            return None, None
        return from_storage(obj.lat, obj.lon, self.context["request"].query_params.get("crs"))

    def get_lat(self, obj: Division) -> float | None:
        return self._point(obj)[0]

    def get_lon(self, obj: Division) -> float | None:
        return self._point(obj)[1]


class LocateQuery(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    crs = serializers.ChoiceField(choices=["wgs84", "gcj02"], required=False, default="wgs84")


CRS_PARAM = OpenApiParameter("crs", OpenApiTypes.STR, enum=["wgs84", "gcj02"],
                             description="Coordinate system of points in the request and response")


@extend_schema(parameters=[CRS_PARAM])
class DivisionViewSet(ScopedReadOnlyViewSet):
    """The division tree (reference data, readable by every signed-in person)."""

    queryset = Division.objects.select_related("parent").all()
    serializer_class = DivisionSerializer
    filterset_fields = ["level", "parent", "code", "is_synthetic"]
    lookup_field = "code"

    @extend_schema(parameters=[OpenApiParameter("lat", float, required=True), OpenApiParameter("lon", float, required=True)],
                   responses=DivisionSerializer)
    @action(detail=False, methods=["get"])
    def locate(self, request: Request) -> Response:
        """The smallest division containing a point; 400 naming `location` when outside the city."""
        query = LocateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        lat, lon = to_storage(query.validated_data["lat"], query.validated_data["lon"], query.validated_data["crs"])
        division = require_in_city(lat, lon)
        chain = division.ancestors() + [division]
        data = self.get_serializer(division).data
        data["chain"] = [{"code": d.code, "name": d.name, "level": d.level} for d in chain]
        return Response(data)

    @extend_schema(parameters=[OpenApiParameter("level", str, enum=Level.values)],
                   responses={(200, "application/geo+json"): OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"], permission_classes=[AllowAny])
    def geojson(self, request: Request) -> Any:
        """Boundaries as a GeoJSON FeatureCollection (WGS-84), for maps."""
        qs = Division.objects.visible_to(request.user).exclude(geometry=None)
        level = request.query_params.get("level")
        if level:
            if level not in Level.values:
                return Response({"errors": [{"field": "level", "code": "invalid_choice",
                                             "message": f"level must be one of {', '.join(Level.values)}"}]}, status=400)
            qs = qs.filter(level=level)
        parent = request.query_params.get("parent")
        if parent:
            qs = qs.filter(parent__code=parent)
        features = [
            {"type": "Feature", "geometry": geometry,
             "properties": {"code": code, "name": name, "label": name, "level": lvl, "synthetic": synthetic,
                            "popup": f"{code}" + (" · 合成数据 synthetic" if synthetic else "")}}
            for code, name, lvl, synthetic, geometry in qs.values_list("code", "name", "level", "is_synthetic", "geometry")
        ]
        return JsonResponse({"type": "FeatureCollection", "features": features},
                            content_type="application/geo+json")
