"""What the phone sends. Images are data URLs (see ..dataurl); times are the device's, with zone."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MAX_ID = 2_147_483_647  # ids are 32-bit integers in the database

IMAGE_HELP = _("data URL(data:image/jpeg;base64,…)")


class FieldFindingSerializer(serializers.Serializer):
    client_token = serializers.UUIDField(help_text=_("客户端为该问题生成的 UUID"))
    item = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    description = serializers.CharField(max_length=2000)
    rectify_by = serializers.DateField()
    photos = serializers.ListField(
        child=serializers.CharField(max_length=8_000_000, help_text=IMAGE_HELP), required=False, default=list
    )


class InspectionRecordSerializer(serializers.Serializer):
    client_token = serializers.UUIDField(help_text=_("客户端生成的 UUID;重复同步同一记录不会重复入库"))
    inspection = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    present = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=10
    )
    representative = serializers.CharField(max_length=50)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90, default=None)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180, default=None)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, min_value=0, default=None)
    answers = serializers.DictField(
        child=serializers.CharField(max_length=10),
        required=False,
        default=dict,
        help_text=_("检查事项 id → ok/fail/na"),
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    signatures = serializers.DictField(
        child=serializers.CharField(max_length=1_000_000),
        help_text=_('"inspector:<执法人员 id>" 和 "representative" → PNG data URL'),
    )
    findings = FieldFindingSerializer(many=True, required=False, default=list)
    finish = serializers.BooleanField(required=False, default=True)
    issue_documents = serializers.BooleanField(required=False, default=True)


class HazardReportSerializer(serializers.Serializer):
    client_token = serializers.UUIDField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=40)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90, default=None)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180, default=None)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=serializers.CharField(max_length=8_000_000, help_text=IMAGE_HELP),
        required=False,
        default=list,
        max_length=6,
    )


class CheckRecordSerializer(serializers.Serializer):
    client_token = serializers.UUIDField()
    task = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    result = serializers.CharField(max_length=10)
    answers = serializers.DictField(child=serializers.CharField(max_length=20), required=False, default=dict)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90, default=None)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180, default=None)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    photo = serializers.CharField(max_length=8_000_000, required=False, allow_blank=True, default="")


class SyncResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    created = serializers.BooleanField()
    detail = serializers.DictField()
