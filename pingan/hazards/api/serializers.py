from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from pingan.core.permissions import may

from .. import rules
from ..choices import FeedbackAnswer, Grade, NoticeKind, Source, State, TaskState
from ..models import CaseTask, Category, Comment, HazardCase, Photo, RoutingRule

_BJ = dt.timedelta(hours=8)


def list_rows(
    rows: Any, now: Any, state_labels: dict[str, str], state_colours: dict[str, str], open_states: frozenset
) -> list[dict[str, Any]]:
    out = []
    for (
        pk,
        title,
        state,
        grade,
        source,
        cat_id,
        cat_code,
        cat_name,
        div_id,
        div_name,
        dist_id,
        dist_name,
        lead_id,
        lead_name,
        lat,
        lon,
        address,
        created,
        due,
        listed,
    ) in rows:
        out.append(
            {
                "id": pk,
                "number": f"YH-{(created + _BJ).year}-{pk:07d}",
                "title": title,
                "state": state,
                "state_label": state_labels.get(state, state),
                "state_colour": state_colours.get(state, "grey"),
                "grade": grade,
                "source": source,
                "category": {"id": cat_id, "code": cat_code, "name": cat_name},
                "division": {"id": div_id, "name": div_name},
                "district": {"id": dist_id, "name": dist_name} if dist_id else None,
                "lead_department": {"id": lead_id, "name": lead_name} if lead_id else None,
                "lat": lat,
                "lon": lon,
                "address": address,
                "created_at": created.isoformat().replace("+00:00", "Z"),
                "due_at": due.isoformat().replace("+00:00", "Z") if due else None,
                "overdue": bool(due and state in open_states and due < now),
                "listed": listed,
            }
        )
    return out


class HazardRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class HazardCategoryRefSerializer(HazardRefSerializer):
    code = serializers.CharField()


class CaseListSerializer(serializers.Serializer):
    """The list row (documented shape of list_row)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField()
    state_colour = serializers.CharField()
    grade = serializers.ChoiceField(choices=Grade.choices)
    source = serializers.ChoiceField(choices=Source.choices)
    category = HazardCategoryRefSerializer()
    division = HazardRefSerializer()
    district = HazardRefSerializer(allow_null=True)
    lead_department = HazardRefSerializer(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    address = serializers.CharField()
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    listed = serializers.BooleanField()


class CaseTaskSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.__str__", read_only=True)

    class Meta:
        model = CaseTask
        fields = ["id", "department", "department_name", "role", "state", "note", "updated_at", "done_at"]


class CaseCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    department_name = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "body", "is_public", "created_at", "author_name", "department_name"]
        read_only_fields = ["id", "created_at", "author_name", "department_name"]

    def get_author_name(self, obj: Comment) -> str:
        return str(obj.author) if obj.author_id else ""

    def get_department_name(self, obj: Comment) -> str:
        return str(obj.department) if obj.department_id else ""


class CasePhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "kind", "format", "size", "width", "height", "created_at", "url"]

    def get_url(self, obj: Photo) -> str:
        from django.urls import reverse

        return reverse("hazards:photo", args=[obj.case_id, obj.pk])


class CaseDetailSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    category = HazardCategoryRefSerializer(read_only=True)
    division = HazardRefSerializer(read_only=True)
    district = HazardRefSerializer(read_only=True, allow_null=True)
    lead_department = HazardRefSerializer(read_only=True, allow_null=True)
    tasks = CaseTaskSerializer(many=True, read_only=True)
    photos = CasePhotoSerializer(many=True, read_only=True)
    comments = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    reporter = serializers.SerializerMethodField()

    class Meta:
        model = HazardCase
        fields = [
            "id",
            "number",
            "tracking_code",
            "title",
            "description",
            "state",
            "grade",
            "source",
            "category",
            "lat",
            "lon",
            "address",
            "division",
            "district",
            "enterprise",
            "site",
            "lead_department",
            "fixed_on_spot",
            "merged_into",
            "listed",
            "listed_authority",
            "listed_at",
            "created_at",
            "updated_at",
            "registered_at",
            "assigned_at",
            "due_at",
            "rectified_at",
            "closed_at",
            "reopened_count",
            "public_note",
            "overdue",
            "tasks",
            "photos",
            "comments",
            "actions",
            "reporter",
        ]

    def _user(self) -> Any:
        return self.context["request"].user

    def get_comments(self, obj: HazardCase) -> list[dict[str, Any]]:
        qs = obj.comments.select_related("author", "department")
        if not may(self._user(), "hazards.view_internal", obj):
            qs = qs.filter(is_public=True)
        return CaseCommentSerializer(qs, many=True).data

    def get_overdue(self, obj: HazardCase) -> bool:
        return obj.is_overdue()

    def get_actions(self, obj: HazardCase) -> list[str]:
        from ..actions import available_actions

        return available_actions(self._user(), obj)

    def get_reporter(self, obj: HazardCase) -> dict[str, Any] | None:
        """Staff see who reported (to call back); nobody else does."""
        if not may(self._user(), "hazards.view_internal", obj):
            return None
        return {
            "id": obj.reporter_id,
            "name": obj.reporter_name or (str(obj.reporter) if obj.reporter_id else ""),
            "phone": obj.reporter_phone,
        }


class CaseCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=rules.TEXT_RULE["description_max_chars"],
        error_messages={"max_length": _("详细描述不能超过 {max_length} 字")},
    )
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True), help_text=_("类别编码")
    )
    grade = serializers.ChoiceField(choices=Grade.choices, required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    enterprise = serializers.IntegerField(required=False, allow_null=True)
    site = serializers.IntegerField(required=False, allow_null=True)
    reporter_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    reporter_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    client_token = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text=_("客户端生成的唯一令牌;重试时重复提交同一令牌不会产生两条隐患"),
    )


class CaseTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(rules.TRANSITIONS))
    expected_state = serializers.ChoiceField(
        choices=State.choices, required=False, help_text=_("调用方看到的状态;已变化时返回 409")
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    grade = serializers.ChoiceField(choices=Grade.choices, required=False)
    category = serializers.IntegerField(required=False)
    lead_department = serializers.IntegerField(required=False, allow_null=True)
    co_departments = serializers.ListField(child=serializers.IntegerField(), required=False)
    into = serializers.IntegerField(required=False)
    current_state_cause = serializers.CharField(required=False, allow_blank=True)
    harm_difficulty = serializers.CharField(required=False, allow_blank=True)
    authority = serializers.IntegerField(required=False, allow_null=True)
    # submit_rectification: the evidence (photos go through /photos/ with kind before/after)
    measures = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    cost = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text=_("整改费用(元),≥0,最多两位小数")
    )
    responsible = serializers.CharField(required=False, allow_blank=True, max_length=50)


class CaseTaskUpdateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[(TaskState.WORKING, TaskState.WORKING.label), (TaskState.DONE, TaskState.DONE.label)]
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TreatmentPlanSerializer(serializers.Serializer):
    goal_tasks = serializers.CharField()
    methods = serializers.CharField()
    funding_materials = serializers.CharField()
    organisation_people = serializers.CharField()
    time_limit_requirements = serializers.CharField()
    deadline = serializers.DateField()
    safety_emergency = serializers.CharField()
    state = serializers.CharField(read_only=True)


class CasePhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField()
    kind = serializers.ChoiceField(
        choices=[
            ("report", "report"),
            ("rectification", "rectification"),
            ("before", "before"),
            ("after", "after"),
            ("acceptance", "acceptance"),
        ],
        default="report",
    )


class CaseDuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    distance_m = serializers.FloatField()
    created_at = serializers.DateTimeField()


class HazardCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "parent",
            "description",
            "order",
            "limit_general",
            "limit_major",
            "limit_unit",
            "limit_source",
        ]


class RoutingRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoutingRule
        fields = ["id", "category", "level", "grade", "lead_sector", "co_sectors", "note", "updated_at"]
        read_only_fields = ["updated_at"]

    def validate_lead_sector(self, value: str) -> str:
        from pingan.org.choices import Sector

        if value not in Sector.values:
            raise serializers.ValidationError(_("未知的行业部门"))
        return value

    def validate_co_sectors(self, value: Any) -> list[str]:
        from pingan.org.choices import Sector

        if not isinstance(value, list) or any(v not in Sector.values for v in value):
            raise serializers.ValidationError(_("协办行业部门须为已知行业的列表"))
        return value


class PublicCaseSerializer(serializers.Serializer):
    """What anyone with the tracking code sees: no reporter, no internal note."""

    number = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    division = serializers.CharField()
    state = serializers.CharField()
    status = serializers.CharField()
    status_notes = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    public_comments = serializers.ListField(child=serializers.DictField())
    can_feedback = serializers.BooleanField()


class HazardFeedbackSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=FeedbackAnswer.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseAttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)
    format = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Any) -> str:
        from django.urls import reverse

        return reverse("hazards:attachment", args=[obj.case_id, obj.public_id])


class CaseAttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class CaseNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    number = serializers.CharField(read_only=True)
    department = serializers.CharField(read_only=True)
    issued_at = serializers.DateTimeField(read_only=True)
    pdf_url = serializers.SerializerMethodField()

    def get_pdf_url(self, obj: Any) -> str:
        from django.urls import reverse

        return reverse("hazards:notice_pdf", args=[obj.case_id, obj.pk])
