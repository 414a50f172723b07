from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pingan.geo.models import Division
from pingan.org.models import Department, User

from ..choices import PostKind, Source, UnitKind
from ..models import Assessment, ResponsibilityList


class DutyListSerializer(serializers.ModelSerializer):
    division = serializers.SlugRelatedField(slug_field="code", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    holder_name = serializers.CharField(source="holder.__str__", read_only=True)
    signed = serializers.BooleanField(read_only=True)
    items = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ResponsibilityList
        fields = [
            "id",
            "year",
            "post",
            "kind",
            "division",
            "division_name",
            "department",
            "holder",
            "holder_name",
            "items",
            "sign_by",
            "signed",
            "signed_at",
        ]
        read_only_fields = fields


class DutyListWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    post = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=PostKind.choices)
    division = serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.all())
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), required=False, allow_null=True
    )
    holder = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    items = serializers.ListField(
        child=serializers.CharField(max_length=500), min_length=1, max_length=50, help_text=_("责任事项")
    )
    sign_by = serializers.DateField()


class AssessmentItemInputSerializer(serializers.Serializer):
    unit_kind = serializers.ChoiceField(choices=UnitKind.choices)
    source = serializers.ChoiceField(choices=Source.choices)
    key = serializers.CharField(max_length=60, required=False, allow_blank=True)
    label = serializers.CharField(max_length=100)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)


class AssessmentWeightsSerializer(serializers.Serializer):
    items = AssessmentItemInputSerializer(many=True)


class AssessmentScoreSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    unit = serializers.CharField(max_length=40)
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class AnnualAssessmentSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["year", "state", "published_at", "items", "results"]
        read_only_fields = fields

    def get_items(self, obj: Assessment) -> list[dict[str, Any]]:
        return [
            {
                "id": i.pk,
                "unit_kind": i.unit_kind,
                "source": i.source,
                "key": i.key,
                "label": i.label,
                "weight": str(i.weight),
            }
            for i in obj.items.all()
        ]

    def get_results(self, obj: Assessment) -> dict[str, Any]:
        """Ranked units per kind (`district`, `department`), only those the reader may see."""
        return dict(self.context.get("results", {}))
