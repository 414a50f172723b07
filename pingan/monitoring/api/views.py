from __future__ import annotations

import threading
from typing import Any

from django.db.models import Count
from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pingan.core.api import CanPermission, ScopedReadOnlyViewSet
from pingan.core.context import origin
from pingan.core.links import linked

from .. import actions, config_actions, selectors
from ..choices import Channel
from ..ingest import Pipeline, device_for_token
from ..models import DeadLetter, Device
from .serializers import (
    AlarmCommentSerializer,
    AlarmSerializer,
    CommentInSerializer,
    DeadLetterSerializer,
    DeviceSerializer,
    DeviceUpdateSerializer,
    IngestResultSerializer,
    LinkedSerializer,
    NoteSerializer,
    ReadingInSerializer,
    SensorSerializer,
    TokenSerializer,
)

_pipeline: Pipeline | None = None
_pipeline_lock = threading.Lock()


def http_pipeline() -> Pipeline:
    global _pipeline
    if _pipeline is None:
        _pipeline = Pipeline(Channel.HTTP)
    return _pipeline


def device_token(request: Any) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Device "):
        return header[7:].strip()
    return request.META.get("HTTP_X_DEVICE_TOKEN", "").strip()


class IngestReadingsView(APIView):
    """Batch ingestion for devices: a JSON array of readings or events (or {"readings": [...]}).

    Authenticate with the device's token: `Authorization: Device <token>` (or `X-Device-Token`).
    Items that cannot be ingested go to the dead-letter table with their reason and are listed in
    `errors` (by index); the others are stored. A replay is harmless: (sensor, ts) identifies a reading.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        request=ReadingInSerializer(many=True),
        responses={200: IngestResultSerializer},
        auth=[{"DeviceToken": []}],
        operation_id="ingest_readings",
    )
    def post(self, request: Request) -> Response:
        device = device_for_token(device_token(request))
        if device is None:
            return Response(
                {
                    "errors": [
                        {
                            "field": "Authorization",
                            "code": "invalid_token",
                            "message": _("需要有效的设备令牌"),
                        }
                    ]
                },
                status=401,
            )
        with origin("device", ip=request.META.get("REMOTE_ADDR")), _pipeline_lock:
            result = http_pipeline().ingest_payload(request.body, device=device, channel=Channel.HTTP)
        code = status.HTTP_200_OK if result.accepted or not result.rejected else status.HTTP_400_BAD_REQUEST
        return Response(result.as_dict(), status=code)


# Reads are open to whoever may view monitoring objects (visible_to scopes them); acts ask the
# predicate of the act (with the alarm, after the 404 of visible_to).
READ = {"list": "monitoring.view", "retrieve": "monitoring.view"}


class DeviceViewSet(ScopedReadOnlyViewSet):
    permission_classes = [CanPermission]
    permission_map = {
        **READ,
        "rotate_token": "monitoring.manage",
        "partial_update": "monitoring.edit_devices",
    }
    queryset = Device.objects.select_related("division", "department").all()
    serializer_class = DeviceSerializer
    filterset_fields = ["state", "enterprise", "department", "division"]

    @extend_schema(request=DeviceUpdateSerializer, responses=DeviceSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Change a device's name, model, responsible department (its sensors follow), position or
        service state (online, maintenance, retired); audited with before and after."""
        device = self.get_object()
        data = DeviceUpdateSerializer(data=request.data, context={"device": device})
        data.is_valid(raise_exception=True)
        device = config_actions.do_update_device(request.user, device, dict(data.validated_data))
        return Response(DeviceSerializer(device, context={"request": request}).data)

    @extend_schema(request=None, responses=TokenSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-token")
    def rotate_token(self, request: Request, pk: Any = None) -> Response:
        token = actions.do_rotate_token(request.user, self.get_object())
        return Response({"token": token})


class SensorViewSet(ScopedReadOnlyViewSet):
    permission_classes = [CanPermission]
    permission_map = {**READ, "geojson": "monitoring.view", "readings": "monitoring.view"}
    queryset = selectors.Sensor.objects.select_related("device", "live").all()
    serializer_class = SensorSerializer
    filterset_fields = ["type", "device", "enterprise", "department", "division"]

    @extend_schema(responses={(200, "application/geo+json"): OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def geojson(self, request: Request) -> Any:
        """Sensors as GeoJSON points coloured by state (level 红橙黄蓝, grey offline), for maps."""
        qs = self.filter_queryset(self.get_queryset())
        return JsonResponse(selectors.sensors_geojson(request.user, qs), content_type="application/geo+json")

    @extend_schema(
        parameters=[
            OpenApiParameter("hours", int, description="span in hours, 1–87,840 (ten years; default 24)")
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def readings(self, request: Request, pk: Any = None) -> Response:
        """Readings: raw up to 6 h, minute rollups up to 3 days, hourly up to a month, daily beyond."""
        try:
            hours = int(request.query_params.get("hours", 24))
        except ValueError:
            hours = -1
        if not 1 <= hours <= selectors.HOURS_MAX:
            raise serializers.ValidationError(
                {"hours": [_("hours 应为 1–%(max)d 的整数") % {"max": selectors.HOURS_MAX}]}
            )
        return Response(selectors.sensor_series(self.get_object(), hours))


class AlarmViewSet(ScopedReadOnlyViewSet):
    permission_classes = [CanPermission]
    # "comments" reads with view; posting a comment is asked again by the action (monitoring.handle).
    permission_map = {
        **READ,
        "summary": "monitoring.view",
        "links": "monitoring.view",
        "comments": "monitoring.view",
        "acknowledge": "monitoring.handle",
        "clear": "monitoring.handle",
        "open_case": "monitoring.open",
        "open_incident": "monitoring.open",
    }
    queryset = selectors.Alarm.objects.select_related("sensor", "rule", "acked_by").all()
    serializer_class = AlarmSerializer
    filterset_fields = ["state", "is_active", "severity", "sensor", "enterprise", "department", "division"]
    ordering_fields = ["raised_at", "severity"]

    def _do(self, func: Any, *args: Any, **kwargs: Any) -> Response:
        alarm = func(self.request.user, self.get_object(), *args, **kwargs)
        alarm.refresh_from_db()
        return Response(AlarmSerializer(alarm, context={"request": self.request}).data)

    @extend_schema(request=NoteSerializer, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._do(actions.do_acknowledge, note=data.validated_data["note"])

    @extend_schema(request=NoteSerializer, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def clear(self, request: Request, pk: Any = None) -> Response:
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._do(actions.do_clear, note=data.validated_data["note"])

    @extend_schema(request=CommentInSerializer, responses={201: AlarmCommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: Any = None) -> Response:
        alarm = self.get_object()
        if request.method == "GET":
            return Response(AlarmCommentSerializer(alarm.comments.select_related("author"), many=True).data)
        data = CommentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = actions.do_comment(request.user, alarm, data.validated_data["text"])
        return Response(AlarmCommentSerializer(comment).data, status=201)

    @extend_schema(request=None, responses={201: LinkedSerializer})
    @action(detail=True, methods=["post"], url_path="open-case")
    def open_case(self, request: Request, pk: Any = None) -> Response:
        case = actions.do_open_case(request.user, self.get_object())
        return Response(_linked("alarm_hazard_case", case), status=201)

    @extend_schema(request=None, responses={201: LinkedSerializer})
    @action(detail=True, methods=["post"], url_path="open-incident")
    def open_incident(self, request: Request, pk: Any = None) -> Response:
        incident = actions.do_open_incident(request.user, self.get_object())
        return Response(_linked("alarm_incident", incident), status=201)

    @extend_schema(responses=LinkedSerializer(many=True))
    @action(detail=True, methods=["get"])
    def links(self, request: Request, pk: Any = None) -> Response:
        return Response([_linked(kind, obj) for kind, obj in linked(self.get_object())])

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        """Counts of alarms by state (the console's header)."""
        rows = self.filter_queryset(self.get_queryset()).order_by().values("state").annotate(n=Count("id"))
        return Response({r["state"]: r["n"] for r in rows})


def _linked(kind: str, obj: Any) -> dict[str, Any]:
    return {"kind": kind, "model": obj._meta.label_lower, "id": str(obj.pk), "title": str(obj)}


class DeadLetterViewSet(ScopedReadOnlyViewSet):
    permission_classes = [CanPermission]
    permission_map = {"list": "monitoring.view_devices", "retrieve": "monitoring.view_devices"}
    queryset = DeadLetter.objects.select_related("device").all()
    serializer_class = DeadLetterSerializer
    filterset_fields = ["reason", "device", "channel"]
