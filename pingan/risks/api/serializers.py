from __future__ import annotations

from rest_framework import serializers

from pingan.core.choices import colour_of

from ..choices import (
    CheckResult,
    Cycle,
    Level,
    MeasureKind,
    Method,
    MhsGrade,
    ObjectKind,
    PointType,
    Post,
    UnitKind,
)
from ..models import (
    Assessment,
    CheckRecord,
    CheckTask,
    Commitment,
    ControlMeasure,
    MajorHazardSource,
    MhsChemical,
    RiskEvent,
    RiskObject,
)


class RiskObjectSerializer(serializers.ModelSerializer):
    division_name = serializers.CharField(source="division.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default=None)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    colour = serializers.SerializerMethodField()

    class Meta:
        model = RiskObject
        fields = [
            "id",
            "kind",
            "point_type",
            "name",
            "description",
            "division",
            "division_name",
            "enterprise",
            "enterprise_name",
            "department",
            "lat",
            "lon",
            "level",
            "level_label",
            "colour",
            "owner_post",
            "assessed_at",
            "is_synthetic",
        ]

    def get_colour(self, obj: RiskObject) -> str:
        return colour_of(Level, obj.level)


class RiskObjectCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ObjectKind.choices)
    point_type = serializers.ChoiceField(PointType.choices, default=PointType.OTHER)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    division = serializers.IntegerField(required=False, allow_null=True)
    enterprise = serializers.IntegerField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)


class AssessSerializer(serializers.Serializer):
    method = serializers.ChoiceField(Method.choices)
    likelihood = serializers.CharField(required=False, allow_blank=True)
    exposure = serializers.CharField(required=False, allow_blank=True)
    consequence = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = [
            "id",
            "method",
            "inputs",
            "score",
            "band",
            "level",
            "table_version",
            "note",
            "assessed_by",
            "assessed_at",
        ]


class EventCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class MeasureCreateSerializer(serializers.Serializer):
    event = serializers.IntegerField()
    kind = serializers.ChoiceField(MeasureKind.choices)
    description = serializers.CharField(max_length=500)


class TaskCreateSerializer(serializers.Serializer):
    measure = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    cycle = serializers.ChoiceField(Cycle.choices, required=False, allow_blank=True, default="")
    every = serializers.CharField(required=False, default="1")
    post = serializers.ChoiceField(Post.choices, required=False, allow_blank=True, default="")
    assignee = serializers.IntegerField(required=False, allow_null=True)
    checklist = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )


class TaskSerializer(serializers.ModelSerializer):
    risk_object_name = serializers.CharField(source="risk_object.name", read_only=True)
    level = serializers.CharField(source="risk_object.level", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = CheckTask
        fields = [
            "id",
            "risk_object",
            "risk_object_name",
            "level",
            "measure",
            "name",
            "cycle",
            "every",
            "post",
            "assignee",
            "checklist",
            "next_due_at",
            "last_done_at",
            "overdue",
        ]


class MeasureSerializer(serializers.ModelSerializer):
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = ControlMeasure
        fields = ["id", "kind", "description", "tasks"]


class EventSerializer(serializers.ModelSerializer):
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = RiskEvent
        fields = ["id", "name", "description", "measures"]


class RiskObjectDetailSerializer(RiskObjectSerializer):
    events = EventSerializer(many=True, read_only=True)
    assessments = AssessmentSerializer(many=True, read_only=True)

    class Meta(RiskObjectSerializer.Meta):
        fields = RiskObjectSerializer.Meta.fields + ["events", "assessments"]


class RecordCreateSerializer(serializers.Serializer):
    result = serializers.ChoiceField(CheckResult.choices)
    answers = serializers.JSONField(required=False, default=dict)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lat = serializers.FloatField(required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    photo = serializers.FileField(required=False, allow_null=True)


class RecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckRecord
        fields = [
            "id",
            "task",
            "risk_object",
            "checked_by",
            "checked_at",
            "due_at",
            "on_time",
            "result",
            "answers",
            "note",
            "lat",
            "lon",
            "hazard_case_id",
            "hazard_case_number",
        ]


class ChemicalInputSerializer(serializers.Serializer):
    chemical = serializers.CharField(max_length=100, allow_blank=True, default="")
    category = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    quantity = serializers.CharField()


class CalculatorSerializer(serializers.Serializer):
    population = serializers.CharField()
    chemicals = ChemicalInputSerializer(many=True)


class MhsCreateSerializer(CalculatorSerializer):
    enterprise = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=200)
    unit_kind = serializers.ChoiceField(UnitKind.choices)
    population_on = serializers.DateField(required=False, allow_null=True)
    assessed_on = serializers.DateField(required=False, allow_null=True)
    principal_name = serializers.CharField(required=False, allow_blank=True, default="")
    technical_name = serializers.CharField(required=False, allow_blank=True, default="")
    operational_name = serializers.CharField(required=False, allow_blank=True, default="")


class MhsChemicalSerializer(serializers.ModelSerializer):
    class Meta:
        model = MhsChemical
        fields = ["chemical", "category", "quantity", "critical_quantity", "beta"]


class MhsSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    chemicals = MhsChemicalSerializer(many=True, read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)
    colour = serializers.SerializerMethodField()

    class Meta:
        model = MajorHazardSource
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "name",
            "unit_kind",
            "population",
            "population_on",
            "principal_name",
            "technical_name",
            "operational_name",
            "s_value",
            "alpha",
            "r_value",
            "grade",
            "grade_label",
            "colour",
            "computation",
            "table_version",
            "assessed_on",
            "filing_state",
            "filing_due",
            "filed_at",
            "filing_number",
            "chemicals",
            "is_synthetic",
        ]

    def get_colour(self, obj: MajorHazardSource) -> str:
        return colour_of(MhsGrade, obj.grade)


class FileSerializer(serializers.Serializer):
    number = serializers.CharField(required=False, allow_blank=True, default="")


class CommitmentCreateSerializer(serializers.Serializer):
    day = serializers.DateField(required=False, allow_null=True)
    units_running = serializers.IntegerField(min_value=0, default=0)
    units_stopped = serializers.IntegerField(min_value=0, default=0)
    units_maintenance = serializers.IntegerField(min_value=0, default=0)
    special_work = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    trial_production = serializers.BooleanField(default=False)
    sources_state = serializers.CharField(required=False, allow_blank=True, default="")
    text = serializers.CharField(allow_blank=True)
    signed_by = serializers.CharField(allow_blank=True)


class CommitmentSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "day",
            "submitted_at",
            "on_time",
            "units_running",
            "units_stopped",
            "units_maintenance",
            "special_work",
            "trial_production",
            "sources_state",
            "text",
            "signed_by",
            "is_synthetic",
        ]
