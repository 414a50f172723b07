"""Console forms of the plans app. They only parse input; actions validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.emergency.services import SUBTYPE_CHOICES
from pingan.geo.models import Division
from pingan.org.models import Department, Enterprise

from .choices import DrillKind, Level, OwnerLevel, PlanKind, TaskState


def _divisions(user: Any) -> Any:
    qs = Division.objects.filter(level__in=("city", "district", "town")).order_by("path")
    if getattr(user, "sees_everything", False):
        return qs
    return qs.filter(path__startswith=getattr(user, "scope_path", "") or "-")


class PlanForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类别"), choices=PlanKind.choices)
    owner_level = forms.ChoiceField(label=_("编制主体"), choices=OwnerLevel.choices)
    division = forms.ModelChoiceField(label=_("适用区域"), queryset=Division.objects.none())
    department = forms.ModelChoiceField(
        label=_("编制部门"), queryset=Department.objects.none(), required=False
    )
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none(), required=False)
    event_types = forms.MultipleChoiceField(
        label=_("事件类型"), choices=SUBTYPE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    levels = forms.MultipleChoiceField(
        label=_("响应级别"), choices=Level.choices, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(label=_("主要内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = _divisions(user)  # type: ignore[attr-defined]
        self.fields["department"].queryset = Department.objects.visible_to(user).order_by("code")  # type: ignore[attr-defined]
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")  # type: ignore[attr-defined]
        if getattr(user, "enterprise_id", None) and not getattr(user, "is_superuser", False):
            ent = user.enterprise
            self.fields["owner_level"].choices = [(OwnerLevel.ENTERPRISE, OwnerLevel.ENTERPRISE.label)]
            self.fields["division"].queryset = Division.objects.filter(pk=ent.division_id)  # type: ignore[attr-defined]
            self.fields["enterprise"].required = True
            del self.fields["department"]


class TaskForm(forms.Form):
    level = forms.ChoiceField(label=_("响应级别"), choices=Level.choices)
    department = forms.ModelChoiceField(
        label=_("责任部门"), queryset=Department.objects.none(), required=False
    )
    organisation = forms.CharField(label=_("或责任单位"), max_length=100, required=False)
    role = forms.CharField(label=_("角色"), max_length=50, required=False)
    text = forms.CharField(label=_("任务"), max_length=500, required=False)
    due_minutes = forms.IntegerField(label=_("时限(分钟)"), min_value=1, max_value=43200, initial=60)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None and getattr(user, "enterprise_id", None) and not user.is_superuser:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.visible_to(user).order_by("code")  # type: ignore[attr-defined]


TaskFormSet = formset_factory(TaskForm, extra=3, max_num=60, validate_max=True)


class RevisionForm(forms.Form):
    revision_summary = forms.CharField(label=_("修订说明"), max_length=300)


class PublishForm(forms.Form):
    published_on = forms.DateField(label=_("公布日期"), initial=timezone.localdate)


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("废止原因"), max_length=300)


class FilingForm(forms.Form):
    filed_on = forms.DateField(label=_("备案日期"), initial=timezone.localdate)
    filed_with = forms.CharField(label=_("备案机关"), max_length=100)


class EvaluateForm(forms.Form):
    evaluated_on = forms.DateField(label=_("评估日期"), initial=timezone.localdate)
    conclusion = forms.CharField(
        label=_("评估结论"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件(PDF 或 Word,20 MB 以内)"))


class DrillForm(forms.Form):
    held_on = forms.DateField(label=_("演练日期"), initial=timezone.localdate)
    kind = forms.ChoiceField(label=_("形式"), choices=DrillKind.choices)
    participants = forms.IntegerField(label=_("参加人数"), min_value=0, max_value=100000, initial=0)
    notes = forms.CharField(label=_("演练评估"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ActivateForm(forms.Form):
    level = forms.ChoiceField(label=_("响应级别"), choices=Level.choices)
    note = forms.CharField(label=_("启动说明"), max_length=500, required=False)


class TaskUpdateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        choices=[
            (TaskState.IN_PROGRESS, TaskState.IN_PROGRESS.label),
            (TaskState.DONE, TaskState.DONE.label),
        ],
    )
    feedback = forms.CharField(label=_("反馈"), max_length=2000, required=False)


class StandDownForm(forms.Form):
    note = forms.CharField(label=_("终止说明"), max_length=500)


class ReviewForm(forms.Form):
    lessons = forms.CharField(
        label=_("复盘总结与经验教训"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
