from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pingan.geo.models import Division

from .. import rules
from ..choices import Category, MsgType, issuable_colours
from ..models import EarlyWarning, Subscription, WarningArea


class AreaSerializer(serializers.ModelSerializer):
    division = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = WarningArea
        fields = [
            "area_desc",
            "division",
            "geocode",
            "polygon",
            "circle_lat",
            "circle_lon",
            "circle_radius_km",
        ]


class WarningSerializer(serializers.ModelSerializer):
    division = serializers.SlugRelatedField(slug_field="code", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)
    severity = serializers.SerializerMethodField()
    areas = AreaSerializer(many=True, read_only=True)

    class Meta:
        model = EarlyWarning
        fields = [
            "id",
            "identifier",
            "msg_type",
            "state",
            "source",
            "category",
            "event_code",
            "event",
            "colour",
            "severity",
            "headline",
            "description",
            "instruction",
            "onset",
            "expires",
            "sent",
            "division",
            "division_name",
            "original",
            "references",
            "areas",
            "created_at",
        ]
        read_only_fields = fields

    def get_severity(self, obj: EarlyWarning) -> str:
        return rules.cap_severity(obj.colour)


class AreaInputSerializer(serializers.Serializer):
    area_desc = serializers.CharField(required=False, allow_blank=True, max_length=200)
    division = serializers.CharField(required=False, max_length=15, help_text=_("GB/T 2260 区划代码"))
    polygon = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        required=False,
    )
    circle = serializers.DictField(
        child=serializers.FloatField(), required=False, help_text=_("{lat, lon, radius_km}")
    )


class WarningWriteSerializer(serializers.Serializer):
    division = serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.all())
    category = serializers.ChoiceField(choices=Category.choices, default=Category.NATURAL)
    event_code = serializers.ChoiceField(choices=sorted(rules.EVENT_CODES.items()))
    colour = serializers.ChoiceField(choices=issuable_colours())
    headline = serializers.CharField(max_length=200)
    description = serializers.CharField()
    instruction = serializers.CharField(required=False, allow_blank=True, default="")
    onset = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires = serializers.DateTimeField()
    areas = AreaInputSerializer(many=True, required=False)


class WarningEditSerializer(WarningWriteSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("division")
        for f in self.fields.values():
            f.required = False


class FollowUpSerializer(serializers.Serializer):
    msg_type = serializers.ChoiceField(choices=[MsgType.UPDATE, MsgType.CANCEL])
    colour = serializers.ChoiceField(choices=issuable_colours(), required=False)
    headline = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False)
    instruction = serializers.CharField(required=False, allow_blank=True)
    expires = serializers.DateTimeField(required=False)


class WarningNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SubscriptionSerializer(serializers.ModelSerializer):
    division = serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.all())
    division_name = serializers.CharField(source="division.name", read_only=True)

    class Meta:
        model = Subscription
        fields = ["id", "division", "division_name", "created_at"]
        read_only_fields = ["id", "division_name", "created_at"]
