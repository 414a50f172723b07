from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.geo.choices import Level
from pingan.geo.forms import DivisionChoiceField
from pingan.geo.models import Division
from pingan.org.forms import DepartmentMultipleChoiceField

from .choices import Finding, Grade, ResponseLevel, ResponseStep, SanfangKind, ShiftRole
from .models import Incident

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class IncidentForm(forms.ModelForm):
    """接报记录: the §12 contents, category and position."""

    direct_loss = forms.CharField(label=_("直接经济损失初步估计(元)"), required=False, initial="0")
    deaths = forms.CharField(label=_("死亡人数"), required=False, initial="0")
    serious_injuries = forms.CharField(label=_("重伤人数(含急性工业中毒)"), required=False, initial="0")
    minor_injuries = forms.CharField(label=_("轻伤人数"), required=False, initial="0")
    missing = forms.CharField(label=_("失踪人数"), required=False, initial="0")
    trapped = forms.CharField(label=_("被困人数"), required=False, initial="0")
    grade = forms.ChoiceField(
        label=_("人工定级(非生产安全事故)"), choices=[("", "—"), *Grade.choices], required=False
    )
    # Searchable (county → township), set by a click on the map too; lat/lon come from the map.
    division = DivisionChoiceField(
        label=_("事发区划"),
        levels=(Level.CITY, Level.DISTRICT, Level.TOWN),
        required=False,
        help_text=_("输入区县或乡镇街道名称搜索;在地图上点选位置时自动填写"),
    )

    class Meta:
        model = Incident
        fields = [
            "title",
            "category",
            "subtype",
            "accident_kind",
            "is_production_safety",
            "source",
            "caller_name",
            "caller_phone",
            "unit_name",
            "unit_overview",
            "occurred_at",
            "unit_learned_at",
            "division",
            "place",
            "lat",
            "lon",
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
        ]
        widgets = {
            "occurred_at": DT,
            "unit_learned_at": DT,
            "scene": forms.Textarea(attrs={"rows": 2}),
            "course": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 2}),
            "other_matters": forms.Textarea(attrs={"rows": 2}),
            "unit_overview": forms.Textarea(attrs={"rows": 2}),
            "lat": forms.HiddenInput,
            "lon": forms.HiddenInput,
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Division.objects.filter(level__in=[Level.CITY, Level.DISTRICT, Level.TOWN])
        if user is not None and not user.sees_everything and user.scope_path:
            qs = qs.filter(path__startswith=user.scope_path)
        self.fields["division"].queryset = qs.order_by("code")
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["unit_learned_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if user is not None and user.division_id and not self.is_bound:
            self.initial.setdefault("division", user.division_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None):
            self.add_error("division", _("位置需要同时有纬度和经度"))
            return data
        if lat is None:
            return data
        from pingan.geo.lookup import locate

        here = locate(lat, lon)
        if here is None:
            self.add_error("division", _("地图上的位置不在本市范围内"))
            return data
        chosen = data.get("division")
        if chosen is None:
            # No township chosen: the map point decides (its township, or the smallest offered).
            offered = self.fields["division"].queryset
            chain = [*here.ancestors(), here]
            data["division"] = next((d for d in reversed(chain) if offered.filter(pk=d.pk).exists()), None)
        elif (
            not here.is_within(chosen)
            and getattr(locate(lat, lon, level=chosen.level), "pk", None) != chosen.pk
        ):
            self.add_error(
                "division",
                _("地图上的位置在%(here)s,不在所选的%(chosen)s") % {"here": here.name, "chosen": chosen.name},
            )
        return data

    # counts and loss are checked by the action (clear messages naming the field)
    def _post_clean(self) -> None:
        pass


class SupplementForm(forms.Form):
    deaths = forms.CharField(label=_("死亡人数"), required=False)
    serious_injuries = forms.CharField(label=_("重伤人数"), required=False)
    minor_injuries = forms.CharField(label=_("轻伤人数"), required=False)
    missing = forms.CharField(label=_("失踪人数"), required=False)
    direct_loss = forms.CharField(label=_("直接经济损失(元)"), required=False)
    effective_on = forms.DateField(
        label=_("变化发生日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("续报内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    measures = forms.CharField(
        label=_("已采取的措施(更新)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SendForm(forms.Form):
    channel = forms.CharField(label=_("报送方式"), required=False, initial="电话+书面")
    received_by_name = forms.CharField(label=_("接收人"), required=False)


class ResponseForm(forms.Form):
    step = forms.ChoiceField(label=_("动作"), choices=ResponseStep.choices)
    level = forms.ChoiceField(label=_("级别"), choices=[("", "—"), *ResponseLevel.choices], required=False)
    note = forms.CharField(label=_("理由(提升、降低、终止时必填)"), required=False)


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("等级"), choices=Grade.choices)
    note = forms.CharField(label=_("定级依据"))


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("认定"), choices=[c for c in Finding.choices if c[0] != "late"])
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    summary = forms.CharField(label=_("总结评估"), widget=forms.Textarea(attrs={"rows": 4}))


class CalculatorForm(forms.Form):
    deaths = forms.IntegerField(
        label=_("死亡人数"),
        min_value=0,
        initial=0,
        error_messages={"min_value": _("人数不能为负数"), "invalid": _("人数必须是整数")},
    )
    serious_injuries = forms.IntegerField(
        label=_("重伤人数(含急性工业中毒)"),
        min_value=0,
        initial=0,
        error_messages={"min_value": _("人数不能为负数"), "invalid": _("人数必须是整数")},
    )
    direct_loss = forms.DecimalField(
        label=_("直接经济损失(元)"),
        min_value=0,
        initial=0,
        max_digits=16,
        decimal_places=2,
        error_messages={
            "min_value": _("直接经济损失不能为负数"),
            "invalid": _("直接经济损失必须是数字(单位:元)"),
        },
    )


class SwapForm(forms.Form):
    shift = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("岗位角色"), choices=ShiftRole.choices)
    from_user = forms.IntegerField(label=_("原值班人"), required=False)
    to_user = forms.IntegerField(label=_("替班人"))
    reason = forms.CharField(label=_("理由"), required=False)


class HandoverForm(forms.Form):
    open_matters = forms.CharField(label=_("未结事项"), widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("其他"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    received_by = forms.IntegerField(label=_("接班人"), required=False)


class SanfangForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=SanfangKind.choices)
    level = forms.ChoiceField(label=_("级别"), choices=ResponseLevel.choices)
    members = DepartmentMultipleChoiceField(
        label=_("成员单位"),
        queryset=None,
        help_text=_("输入部门、区县或乡镇名称搜索,可选多个"),
    )
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = departments


class IncidentFilterForm(forms.Form):
    """The incident list's filters; an invalid value is named on the page and left out of the query."""

    state = forms.ChoiceField(label=_("状态"), required=False)
    grade = forms.ChoiceField(label=_("等级"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)
    district = forms.ModelChoiceField(
        label=_("区县"), queryset=Division.objects.none(), required=False, empty_label=_("全部")
    )
    since = forms.DateField(
        label=_("发生日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .choices import Category, IncidentState

        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["state"].choices = everything + list(IncidentState.choices)
        self.fields["grade"].choices = everything + list(Grade.choices)
        self.fields["category"].choices = everything + list(Category.choices)
        self.fields["district"].queryset = Division.objects.filter(level=Level.DISTRICT).order_by("code")
        self.fields["q"].widget.attrs["placeholder"] = _("编号/标题/单位/地点")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("结束日期早于开始日期"))
        return data
