from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pingan.geo.models import Division

from ..choices import Grade, ResponseLevel, ResponseStep
from ..models import DutyPost, Incident, Report, SanfangReport, SanfangResponse, Shift

COUNT_ERRORS = {
    "min_value": _("人数不能为负数"),
    "max_value": _("人数不能超过 {max_value}"),
    "invalid": _("人数必须是整数"),
}
# No accident counts this many people; an absurd figure (10¹²) is a 400, never a database overflow.
MAX_PEOPLE = 1_000_000
LOSS_ERRORS = {"min_value": _("直接经济损失不能为负数"), "invalid": _("直接经济损失必须是数字(单位:元)")}


class ReportBriefSerializer(serializers.ModelSerializer):
    sender_name = serializers.CharField(source="sender.name", read_only=True, default=None)
    receiver_name = serializers.CharField(source="receiver.name", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "incident",
            "kind",
            "sender",
            "sender_name",
            "sender_level",
            "receiver",
            "receiver_name",
            "receiver_level",
            "skipped_levels",
            "basis_at",
            "due_at",
            "state",
            "sent_at",
            "is_late",
            "overdue_flagged_at",
            "channel",
            "received_by_name",
            "grade_at_send",
        ]


class ReportSerializer(ReportBriefSerializer):
    class Meta(ReportBriefSerializer.Meta):
        fields = [*ReportBriefSerializer.Meta.fields, "content"]


class IncidentSerializer(serializers.ModelSerializer):
    deaths = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, default=0, error_messages=COUNT_ERRORS
    )
    serious_injuries = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, default=0, error_messages=COUNT_ERRORS
    )
    minor_injuries = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, default=0, error_messages=COUNT_ERRORS
    )
    missing = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, default=0, error_messages=COUNT_ERRORS
    )
    trapped = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, default=0, error_messages=COUNT_ERRORS
    )
    direct_loss = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, default=0, error_messages=LOSS_ERRORS
    )
    division = serializers.PrimaryKeyRelatedField(
        queryset=Division.objects.all(), required=False, allow_null=True
    )
    grade = serializers.ChoiceField(
        choices=Grade.choices, required=False, allow_blank=True, help_text=_("仅非生产安全事故可人工定级")
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "number",
            "title",
            "category",
            "subtype",
            "accident_kind",
            "is_production_safety",
            "source",
            "source_note",
            "caller_name",
            "caller_phone",
            "unit_name",
            "unit_overview",
            "occurred_at",
            "unit_learned_at",
            "place",
            "scene",
            "course",
            "deaths",
            "serious_injuries",
            "minor_injuries",
            "missing",
            "trapped",
            "direct_loss",
            "measures",
            "other_matters",
            "lat",
            "lon",
            "division",
            "owner_body",
            "received_at",
            "grade",
            "grade_basis",
            "state",
            "response_level",
            "summary",
            "is_synthetic",
            "created_at",
        ]
        read_only_fields = [
            "number",
            "owner_body",
            "received_at",
            "grade_basis",
            "state",
            "response_level",
            "summary",
            "is_synthetic",
            "created_at",
        ]

    def validate_occurred_at(self, value: Any) -> Any:
        if value > timezone.now():
            raise serializers.ValidationError(_("事发时间不能晚于当前时间"), code="future")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("division") is None and (attrs.get("lat") is None or attrs.get("lon") is None):
            raise serializers.ValidationError({"division": _("请指定事发区划或位置")}, code="required")
        return attrs


class IncidentDetailSerializer(IncidentSerializer):
    reports = ReportBriefSerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "reports"]


class SupplementSerializer(serializers.Serializer):
    deaths = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, required=False, error_messages=COUNT_ERRORS
    )
    serious_injuries = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, required=False, error_messages=COUNT_ERRORS
    )
    minor_injuries = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, required=False, error_messages=COUNT_ERRORS
    )
    missing = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, required=False, error_messages=COUNT_ERRORS
    )
    direct_loss = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, error_messages=LOSS_ERRORS
    )
    effective_on = serializers.DateField(required=False)
    text = serializers.CharField(required=False, allow_blank=True)
    measures = serializers.CharField(required=False, allow_blank=True)


class ResponseStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=ResponseStep.choices)
    level = serializers.ChoiceField(choices=ResponseLevel.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class SendSerializer(serializers.Serializer):
    channel = serializers.CharField(required=False, allow_blank=True, max_length=40)
    received_by_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    receiver = serializers.IntegerField(required=False, allow_null=True, help_text=_("越级上报时的接收单位"))


class GradeInputSerializer(serializers.Serializer):
    deaths = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, error_messages=COUNT_ERRORS)
    serious_injuries = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, error_messages=COUNT_ERRORS
    )
    direct_loss = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, error_messages=LOSS_ERRORS
    )


class GradeResultSerializer(serializers.Serializer):
    grade = serializers.CharField()
    label = serializers.CharField()
    by = serializers.ListField(child=serializers.CharField())
    basis = serializers.CharField()
    chain_end = serializers.CharField()
    hops = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    source = serializers.CharField()


class DutyPostSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = DutyPost
        fields = [
            "id",
            "name",
            "department",
            "department_name",
            "division",
            "level",
            "phone",
            "min_officers",
            "is_active",
        ]


class PersonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    role = serializers.CharField()
    phone = serializers.CharField()


class ShiftSerializer(serializers.ModelSerializer):
    leader = PersonBriefSerializer(read_only=True, allow_null=True)
    officers = PersonBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Shift
        fields = ["id", "post", "starts_at", "ends_at", "leader", "officers", "rotation", "note"]


class SanfangReportSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = SanfangReport
        fields = [
            "id",
            "response",
            "department",
            "department_name",
            "due_at",
            "submitted_at",
            "is_late",
            "text",
        ]
        read_only_fields = ["response", "department", "due_at", "submitted_at", "is_late"]


class SanfangResponseSerializer(serializers.ModelSerializer):
    not_reported = serializers.SerializerMethodField()

    class Meta:
        model = SanfangResponse
        fields = [
            "id",
            "kind",
            "level",
            "headquarters",
            "division",
            "members",
            "started_at",
            "ended_at",
            "not_reported",
        ]

    def get_not_reported(self, obj: SanfangResponse) -> list[dict[str, Any]]:
        now = timezone.now()
        return [
            {"department": r.department_id, "due_at": r.due_at}
            for r in obj.member_reports.all()
            if r.submitted_at is None and r.due_at <= now
        ]


class SanfangSubmitSerializer(serializers.Serializer):
    text = serializers.CharField()


class SanfangChangeSerializer(serializers.Serializer):
    """Change the level of a 三防 response, or end it; the reason is required (the action checks it,
    so that the console and the API give the same answer)."""

    level = serializers.ChoiceField(choices=ResponseLevel.choices, required=False, allow_blank=True)
    end = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text=_("调整或终止响应的理由(必填)")
    )
