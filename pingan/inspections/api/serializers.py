from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import rules
from ..choices import ApproverLevel, InspectionMode, PenaltyState, RecusalKind, WorkGrade, WorkType
from ..models import (
    CheckItem,
    Draw,
    EnforcementDocument,
    Finding,
    Inspection,
    Inspector,
    Penalty,
    Plan,
    Recusal,
    Target,
    WorkPermit,
)


class CheckItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckItem
        fields = ["id", "industry", "code", "title", "basis", "major"]


class TargetSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="enterprise.name", read_only=True)
    division = serializers.CharField(source="division.code", read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "enterprise",
            "name",
            "division",
            "industry",
            "risk_level",
            "key_supervision",
            "last_inspected",
        ]


class InspectorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Inspector
        fields = ["id", "name", "department", "certificate_no", "certificate_expiry"]


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "year",
            "department",
            "division",
            "mode",
            "industry",
            "ratio",
            "cross_district",
            "cross_basis",
            "state",
            "created_at",
        ]
        read_only_fields = ["department", "state", "created_at"]


class PlanCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    division = serializers.CharField(help_text="division code")
    mode = serializers.ChoiceField(choices=InspectionMode.choices, default=InspectionMode.RANDOM)
    industry = serializers.CharField(required=False, allow_blank=True, default="")
    ratio = serializers.CharField()
    cross_district = serializers.BooleanField(default=False)
    cross_basis = serializers.CharField(required=False, allow_blank=True, default="")


class DrawRequestSerializer(serializers.Serializer):
    seed = serializers.CharField(required=False, allow_blank=True, max_length=64)


class DrawSerializer(serializers.ModelSerializer):
    class Meta:
        model = Draw
        fields = ["id", "plan", "seed", "algorithm", "inputs", "result", "drawn_at"]


class DrawVerifySerializer(serializers.Serializer):
    draw = DrawSerializer()
    matches = serializers.BooleanField()


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id",
            "item",
            "description",
            "major",
            "rectify_by",
            "hazard_case_id",
            "state",
            "reinspected_at",
            "reinspection_note",
        ]


class InspectionSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    inspectors = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "plan",
            "enterprise",
            "enterprise_name",
            "mode",
            "state",
            "inspectors",
            "representative",
            "started_at",
            "ended_at",
            "publish_by",
            "published_at",
        ]

    def get_inspectors(self, obj: Inspection) -> list[dict[str, Any]]:
        return [
            {"id": i.pk, "name": str(i), "certificate_no": i.certificate_no} for i in obj.inspectors.all()
        ]


class InspectionDetailSerializer(InspectionSerializer):
    findings = FindingSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = InspectionSerializer.Meta.fields + ["findings"]


class StartSerializer(serializers.Serializer):
    representative = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)


class FindingCreateSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(
        queryset=CheckItem.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField()
    rectify_by = serializers.DateField()


class ReinspectSerializer(serializers.Serializer):
    finding = serializers.IntegerField()
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class GasAnalysisSerializer(serializers.Serializer):
    sampled_at = serializers.DateTimeField()
    lel = serializers.DecimalField(max_digits=6, decimal_places=3, required=False, allow_null=True)
    concentration = serializers.DecimalField(max_digits=6, decimal_places=3, required=False, allow_null=True)
    oxygen = serializers.DecimalField(max_digits=6, decimal_places=3, required=False, allow_null=True)


class PermitSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = WorkPermit
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "work_type",
            "grade",
            "location",
            "work",
            "applicant",
            "guardian",
            "measures",
            "gas_analyses",
            "valid_from",
            "valid_until",
            "state",
            "approver_level",
            "approved_at",
        ]


class PermitCreateSerializer(serializers.Serializer):
    work_type = serializers.ChoiceField(choices=WorkType.choices)
    grade = serializers.ChoiceField(choices=WorkGrade.choices, required=False, allow_blank=True, default="")
    location = serializers.CharField(max_length=200)
    work = serializers.CharField(max_length=300)
    applicant = serializers.CharField(max_length=50)
    guardian = serializers.CharField(max_length=50)
    measures = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )
    gas_analyses = GasAnalysisSerializer(many=True, required=False, default=list)
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["guardian"].strip() == attrs["applicant"].strip():
            raise serializers.ValidationError({"guardian": _("监护人不能由申请人兼任")})
        return attrs


class ApproveSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=ApproverLevel.choices)


class RecusalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recusal
        fields = ["id", "inspector", "enterprise", "kind", "note"]


class RecusalCreateSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RecusalKind.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


# --- Enforcement documents and penalties (read, hearing, decision, payment) ---------------------------
def _document_links(doc: EnforcementDocument) -> dict[str, str]:
    return {
        "pdf": reverse("inspections:document", args=[doc.pk, "pdf"]),
        "docx": reverse("inspections:document", args=[doc.pk, "docx"]),
    }


class DocumentLinksSerializer(serializers.Serializer):
    pdf = serializers.CharField()
    docx = serializers.CharField()


class EnforcementDocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = EnforcementDocument
        fields = [
            "id",
            "inspection",
            "penalty",
            "kind",
            "kind_display",
            "number",
            "year",
            "department_name",
            "issued_at",
            "downloads",
        ]

    @extend_schema_field(DocumentLinksSerializer)
    def get_downloads(self, obj: EnforcementDocument) -> dict[str, str]:
        return _document_links(obj)


class PenaltyDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.CharField()
    downloads = DocumentLinksSerializer()


class PenaltySerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    days_late = serializers.SerializerMethodField()
    surcharge_due = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Penalty
        fields = [
            "id",
            "inspection",
            "enterprise",
            "enterprise_name",
            "department_name",
            "facts",
            "basis",
            "amount",
            "state",
            "notified_at",
            "decided_at",
            "pay_by",
            "paid_at",
            "days_late",
            "surcharge_due",
            "surcharge",
            "hearing_requested_at",
            "hearing_on",
            "hearing_place",
            "heard_at",
            "hearing_note",
            "documents",
        ]
        extra_kwargs = {
            "decided_at": {"allow_null": True},
            "pay_by": {"allow_null": True},
            "paid_at": {"allow_null": True},
            "hearing_requested_at": {"allow_null": True},
            "hearing_on": {"allow_null": True},
            "heard_at": {"allow_null": True},
        }

    @extend_schema_field(serializers.IntegerField())
    def get_days_late(self, obj: Penalty) -> int:
        if obj.state != PenaltyState.DECIDED:
            return 0
        return rules.days_late(obj.pay_by, timezone.localdate())

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_surcharge_due(self, obj: Penalty) -> str:
        """加处罚款 owed today on an unpaid decided fine (行政处罚法 §72), else 0."""
        if obj.state != PenaltyState.DECIDED:
            return "0.00"
        return str(rules.late_surcharge(obj.amount, obj.pay_by, timezone.localdate()))

    @extend_schema_field(PenaltyDocumentSerializer(many=True))
    def get_documents(self, obj: Penalty) -> list[dict[str, Any]]:
        return [
            {"id": d.pk, "kind": d.kind, "number": d.number, "downloads": _document_links(d)}
            for d in obj.documents.all()
        ]


class HearingScheduleSerializer(serializers.Serializer):
    hearing_on = serializers.DateField()
    place = serializers.CharField(max_length=200)


class HearingRecordSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)
