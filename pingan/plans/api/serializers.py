from __future__ import annotations

from rest_framework import serializers

from ..choices import Level, TaskState
from ..models import Activation, ActivationTask, Plan, PlanTask


class EmergencyPlanTaskSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(
        source="department.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = PlanTask
        fields = [
            "id",
            "level",
            "department",
            "department_name",
            "organisation",
            "role",
            "text",
            "due_minutes",
        ]


class EmergencyPlanSerializer(serializers.ModelSerializer):
    division = serializers.SlugRelatedField(slug_field="code", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)
    event_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    levels = serializers.ListField(child=serializers.CharField(), read_only=True)
    tasks = EmergencyPlanTaskSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "number",
            "title",
            "kind",
            "owner_level",
            "division",
            "division_name",
            "department",
            "enterprise",
            "event_types",
            "levels",
            "summary",
            "state",
            "version",
            "published_on",
            "filed_on",
            "last_evaluated_on",
            "last_drilled_on",
            "tasks",
        ]


class PlanActivationTaskSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(
        source="department.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ActivationTask
        fields = [
            "id",
            "level",
            "department",
            "department_name",
            "organisation",
            "role",
            "text",
            "due_at",
            "state",
            "feedback",
            "started_at",
            "done_at",
        ]


class PlanActivationSerializer(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    division = serializers.SlugRelatedField(slug_field="code", read_only=True)
    tasks = PlanActivationTaskSerializer(many=True, read_only=True)

    class Meta:
        model = Activation
        fields = [
            "id",
            "plan",
            "plan_title",
            "incident",
            "warning",
            "event_title",
            "level",
            "division",
            "state",
            "note",
            "activated_at",
            "stood_down_at",
            "stand_down_note",
            "lessons",
            "reviewed_at",
            "tasks",
        ]


class PlanActivateSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    incident = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True)
    warning = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True)
    level = serializers.ChoiceField(choices=Level.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PlanStandDownSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)


class PlanLessonsSerializer(serializers.Serializer):
    lessons = serializers.CharField(max_length=10000)


class PlanTaskProgressSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[TaskState.IN_PROGRESS, TaskState.DONE])
    feedback = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
