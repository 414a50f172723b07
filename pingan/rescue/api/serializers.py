from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from ..choices import Capability, SitingMethod, Specialty
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


class TeamSerializer(serializers.ModelSerializer):
    division_code = serializers.CharField(source="division.code", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "division",
            "division_code",
            "division_name",
            "address",
            "lat",
            "lon",
            "headcount",
            "capabilities",
            "status",
            "leader",
            "phone",
            "is_synthetic",
        ]


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "team", "name", "position", "phone", "certified", "is_active"]


class ExpertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Expert
        fields = [
            "id",
            "name",
            "specialties",
            "affiliation",
            "title",
            "phone",
            "available",
            "division",
            "lat",
            "lon",
            "is_synthetic",
        ]


class ShelterSerializer(serializers.ModelSerializer):
    division_name = serializers.CharField(source="division.name", read_only=True)

    class Meta:
        model = Shelter
        fields = [
            "id",
            "name",
            "division",
            "division_name",
            "address",
            "lat",
            "lon",
            "capacity",
            "area_m2",
            "is_synthetic",
        ]


class WarehouseSerializer(serializers.ModelSerializer):
    stock = serializers.SerializerMethodField()

    class Meta:
        model = Warehouse
        fields = ["id", "name", "division", "lat", "lon", "phone", "is_synthetic", "stock"]

    def get_stock(self, obj: Warehouse) -> list[dict]:
        return [{"name": s.name, "unit": s.unit, "quantity": s.quantity} for s in obj.stock.all()]


class MobilisationSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = Mobilisation
        fields = [
            "id",
            "team",
            "team_name",
            "incident",
            "division",
            "title",
            "lat",
            "lon",
            "capabilities",
            "state",
            "eta_minutes",
            "requested_by",
            "requested_at",
            "state_changed_at",
            "note",
        ]
        read_only_fields = fields


class MobilisationRequestSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    capabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=Capability.choices), required=False, default=list
    )
    incident = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionSerializer(serializers.Serializer):
    state = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExerciseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exercise
        fields = ["id", "kind", "title", "date", "division", "teams", "participants", "evaluation", "score"]


class RoadNetworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoadNetwork
        fields = [
            "id",
            "version",
            "name",
            "source",
            "source_file",
            "nodes",
            "edges",
            "dropped_nodes",
            "bbox",
            "speeds",
            "mountain_factor",
            "checksum",
            "is_active",
            "is_synthetic",
            "created_at",
        ]


class DispatchQuery(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    capabilities = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="comma-separated capability codes"
    )
    specialties = serializers.CharField(required=False, allow_blank=True, default="")
    k = serializers.IntegerField(min_value=1, max_value=50, required=False, default=8)

    def _codes(self, value: str, allowed: list[str], field: str) -> list[str]:
        codes = [c.strip() for c in value.split(",") if c.strip()]
        bad = [c for c in codes if c not in allowed]
        if bad:
            raise serializers.ValidationError({field: _("未知的代码:%(v)s") % {"v": ", ".join(bad)}})
        return codes

    def validate(self, attrs: dict) -> dict:
        attrs["capabilities"] = self._codes(attrs.get("capabilities", ""), Capability.values, "capabilities")
        attrs["specialties"] = self._codes(attrs.get("specialties", ""), Specialty.values, "specialties")
        return attrs


class RunBase(serializers.ModelSerializer):
    error = serializers.CharField(source="error_text", read_only=True)

    class Meta:
        fields = [
            "id",
            "status",
            "progress",
            "stage",
            "error",
            "demand_source",
            "results",
            "network",
            "division",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class CoverageRunSerializer(RunBase):
    class Meta(RunBase.Meta):
        model = CoverageRun
        fields = RunBase.Meta.fields + ["thresholds", "capabilities"]
        read_only_fields = fields


class CoverageStartSerializer(serializers.Serializer):
    thresholds = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=240),
        required=False,
        default=[15, 30, 60],
        min_length=1,
        max_length=6,
    )
    capabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=Capability.choices), required=False, default=list
    )


class SitingRunSerializer(RunBase):
    class Meta(RunBase.Meta):
        model = SitingRun
        fields = RunBase.Meta.fields + ["method", "p", "threshold", "mountain_only"]
        read_only_fields = fields


class SitingStartSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=SitingMethod.choices, default=SitingMethod.MCLP)
    p = serializers.IntegerField(min_value=1, max_value=100)
    threshold = serializers.IntegerField(min_value=1, max_value=240, default=30)
    mountain_only = serializers.BooleanField(default=False)
