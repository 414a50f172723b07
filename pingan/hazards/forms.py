from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.geo.forms import DivisionChoiceField

from . import rules
from .choices import FeedbackAnswer, Grade, Source
from .models import Category, RoutingRule


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def category_choices() -> list[tuple[int, str]]:
    from .selectors import categories_tree

    return [(c.pk, ("— " if c.parent_id else "") + str(c)) for c in categories_tree()]


class CategoryField(forms.TypedChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=int, **kwargs)
        self.choices = category_choices

    def clean(self, value):
        pk = super().clean(value)
        return Category.objects.filter(pk=pk).first() if pk else None


class PublicReportForm(forms.Form):
    category = CategoryField(label=_("隐患类别"))
    title = forms.CharField(
        label=_("简要说明"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如:小区消防通道被占用")}),
    )
    description = forms.CharField(
        label=_("详细描述"),
        required=False,
        max_length=rules.TEXT_RULE["description_max_chars"],
        error_messages={
            "max_length": _("详细描述不能超过 %(limit_value)d 字(现有 %(show_value)d 字)"),
        },
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(label=_("地点"), max_length=300, required=False)
    # The township, as an alternative to a point on the map (or with it: then they must agree).
    division = DivisionChoiceField(
        label=_("所在区划"),
        required=False,
        help_text=_("输入区县或乡镇街道名称搜索,例如“凤城”"),
    )
    lat = forms.FloatField(label=_("纬度"), widget=forms.HiddenInput, required=False)
    lon = forms.FloatField(label=_("经度"), widget=forms.HiddenInput, required=False)
    photos = MultipleFileField(label=_("照片"))
    reporter_name = forms.CharField(label=_("称呼(可不填)"), max_length=50, required=False)
    reporter_phone = forms.RegexField(
        label=_("手机号(可不填,仅工作人员可见)"),
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": _("请输入 11 位手机号")},
    )
    client_token = forms.CharField(widget=forms.HiddenInput, required=False)


class ConsoleReportForm(PublicReportForm):
    grade = forms.ChoiceField(label=_("等级"), choices=Grade.choices, initial=Grade.GENERAL)
    source = forms.ChoiceField(
        label=_("来源"),
        choices=[
            (s, lbl) for s, lbl in Source.choices if s in ("console", "grid", "enterprise", "higher", "video")
        ],
    )
    enterprise = forms.IntegerField(label=_("单位编号(可选)"), required=False, widget=forms.HiddenInput)


class FeedbackForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("隐患是否已经消除?"), choices=FeedbackAnswer.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ["category", "level", "grade", "lead_sector", "co_sectors", "note"]

    def __init__(self, *args, **kwargs):
        from pingan.org.choices import Sector

        super().__init__(*args, **kwargs)
        self.fields["lead_sector"] = forms.ChoiceField(label=_("牵头行业部门"), choices=Sector.choices)
        self.fields["co_sectors"] = forms.MultipleChoiceField(
            label=_("协办行业部门"),
            choices=Sector.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
