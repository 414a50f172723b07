from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pingan.org.models import Department

from ..choices import DeviceState
from ..models import Alarm, AlarmComment, DeadLetter, Device, Sensor


class ReadingInSerializer(serializers.Serializer):
    """One reading or event (documentation of the ingest body; the pipeline validates item by item)."""

    sensor = serializers.CharField(help_text="the sensor's code within the device")
    ts = serializers.CharField(required=False, help_text="epoch seconds/ms or ISO 8601 (naive: Beijing time)")
    value = serializers.FloatField(required=False)
    unit = serializers.CharField(required=False)
    event = serializers.CharField(required=False, help_text="an event name; value defaults to 1")


class IngestResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    alarms_raised = serializers.IntegerField()
    alarms_cleared = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


class DeviceSerializer(serializers.ModelSerializer):
    division_code = serializers.CharField(source="division.code", read_only=True)

    class Meta:
        model = Device
        fields = [
            "id",
            "code",
            "name",
            "model_name",
            "division",
            "division_code",
            "enterprise",
            "site",
            "department",
            "lat",
            "lon",
            "state",
            "last_seen_at",
            "dead_letter_count",
            "token_hint",
            "is_synthetic",
        ]


class SensorSerializer(serializers.ModelSerializer):
    device_code = serializers.CharField(source="device.code", read_only=True)
    level = serializers.SerializerMethodField()
    last_value = serializers.SerializerMethodField()
    last_ts = serializers.SerializerMethodField()

    class Meta:
        model = Sensor
        fields = [
            "id",
            "device",
            "device_code",
            "code",
            "name",
            "type",
            "unit",
            "division",
            "enterprise",
            "department",
            "lat",
            "lon",
            "location",
            "is_active",
            "level",
            "last_value",
            "last_ts",
            "is_synthetic",
        ]

    def get_level(self, obj: Sensor) -> int:
        live = _live(obj)
        return live.level if live else 0

    def get_last_value(self, obj: Sensor) -> float | None:
        live = _live(obj)
        return live.last_value if live else None

    def get_last_ts(self, obj: Sensor) -> str | None:
        live = _live(obj)
        return live.last_ts.isoformat() if live and live.last_ts else None


def _live(obj: Sensor):
    try:
        return obj.live
    except Sensor.live.RelatedObjectDoesNotExist:
        return None


class AlarmCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)

    class Meta:
        model = AlarmComment
        fields = ["id", "author", "author_name", "text", "at"]


class AlarmSerializer(serializers.ModelSerializer):
    sensor_name = serializers.CharField(source="sensor.name", read_only=True)
    rule_code = serializers.CharField(source="rule.code", read_only=True)
    severity_name = serializers.CharField(
        source="get_severity_display", read_only=True, help_text="the severity by its colour name (红色 …)"
    )
    acked_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Alarm
        fields = [
            "id",
            "title",
            "sensor",
            "sensor_name",
            "rule",
            "rule_code",
            "severity",
            "severity_name",
            "level",
            "state",
            "is_active",
            "raised_at",
            "trigger_value",
            "last_value",
            "cleared_at",
            "acked_at",
            "acked_by",
            "acked_by_name",
            "division",
            "enterprise",
            "department",
            "silenced",
            "escalation_step",
            "next_escalation_at",
        ]

    def get_acked_by_name(self, obj: Alarm) -> str | None:
        return str(obj.acked_by) if obj.acked_by_id else None


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CommentInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class LinkedSerializer(serializers.Serializer):
    kind = serializers.CharField()
    model = serializers.CharField()
    id = serializers.CharField()
    title = serializers.CharField()


class DeadLetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadLetter
        fields = ["id", "received_at", "channel", "device", "device_code", "reason", "detail", "payload"]


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="shown once; only its hash is stored")


class DeviceUpdateSerializer(serializers.Serializer):
    """The editable part of a device's record (PATCH): the same rules as the console's form."""

    name = serializers.CharField(max_length=120, required=False)
    model_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False
    )
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    state = serializers.ChoiceField(
        choices=[c for c in DeviceState.choices if c[0] != DeviceState.OFFLINE], required=False
    )

    def validate(self, attrs: dict) -> dict:
        device = self.context.get("device")
        lat = attrs.get("lat", getattr(device, "lat", None))
        lon = attrs.get("lon", getattr(device, "lon", None))
        if (lat is None) != (lon is None):
            raise serializers.ValidationError({"lon": [_("经纬度须同时填写")]})
        return attrs
