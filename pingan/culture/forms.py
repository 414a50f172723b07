from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.geo.forms import DivisionChoiceField
from pingan.geo.models import Division
from pingan.org.models import Enterprise

from . import media
from .choices import SITE_CRITERIA, ActivityKind, ContentKind, OrgKind, SiteKind, Trainee, TrainingKind
from .models import Course


def towns_for(user: Any) -> Any:
    qs = Division.objects.filter(level="town").order_by("code")
    if getattr(user, "sees_everything", False) or not getattr(user, "scope_path", ""):
        return qs
    return qs.filter(path__startswith=user.scope_path)


class UserForm(forms.Form):
    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "division" in self.fields:
            self.fields["division"].queryset = towns_for(user)
        if "enterprise" in self.fields:
            self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")


class ArticleForm(UserForm):
    kind = forms.ChoiceField(label=_("类别"), choices=ContentKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    summary = forms.CharField(label=_("摘要"), max_length=300, required=False)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea)


class CaseForm(UserForm):
    incident = forms.IntegerField(label=_("已结束事件的编号(ID)"))
    lessons = forms.CharField(label=_("教训与防范措施"), widget=forms.Textarea)


class TrainingForm(UserForm):
    person = forms.CharField(label=_("姓名"), max_length=50)
    trainee = forms.ChoiceField(label=_("人员类别"), choices=Trainee.choices)
    kind = forms.ChoiceField(label=_("培训类型"), choices=TrainingKind.choices)
    enterprise = forms.ModelChoiceField(label=_("单位"), queryset=Enterprise.objects.none(), required=False)
    division = DivisionChoiceField(label=_("乡镇/街道"), queryset=Division.objects.none())
    high_risk = forms.BooleanField(label=_("高危行业(无单位时填写)"), required=False)
    hours = forms.DecimalField(label=_("学时"), min_value=0.5, max_digits=5, decimal_places=1)
    trained_on = forms.DateField(label=_("培训日期"), widget=forms.DateInput(attrs={"type": "date"}))


class ActivityForm(UserForm):
    kind = forms.ChoiceField(label=_("类型"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    place = forms.CharField(label=_("地点"), max_length=200)
    held_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    division = DivisionChoiceField(label=_("乡镇/街道"), queryset=Division.objects.none())
    farmers = forms.IntegerField(label=_("农民"), min_value=0, initial=0)
    students = forms.IntegerField(label=_("学生"), min_value=0, initial=0)
    workers = forms.IntegerField(label=_("职工"), min_value=0, initial=0)
    others = forms.IntegerField(label=_("其他"), min_value=0, initial=0)
    photo = forms.ImageField(label=_("照片"), required=False)


class SiteForm(UserForm):
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=SiteKind.choices)
    division = DivisionChoiceField(label=_("乡镇/街道"), queryset=Division.objects.none())
    teaches = forms.CharField(label=_("示范内容"), widget=forms.Textarea)


class AssessForm(UserForm):
    criteria_met = forms.MultipleChoiceField(
        label=_("达到的标准"),
        choices=[(k, v[0]) for k, v in SITE_CRITERIA.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class VolunteerForm(UserForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False)
    division = DivisionChoiceField(label=_("乡镇/街道"), queryset=Division.objects.none())
    skills = forms.CharField(label=_("技能"), max_length=200, required=False)
    availability = forms.CharField(label=_("可服务时间"), max_length=100, required=False)
    certificates = forms.CharField(label=_("证书"), max_length=200, required=False)


class OrganisationForm(UserForm):
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices)
    division = forms.ModelChoiceField(label=_("乡镇/街道"), queryset=Division.objects.none())
    members = forms.IntegerField(label=_("成员数"), min_value=0, max_value=100000, initial=0)
    capabilities = forms.CharField(label=_("能力"), max_length=300, required=False)
    leader = forms.CharField(label=_("负责人"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    lat = forms.FloatField(label=_("集结点纬度"), min_value=-90, max_value=90, required=False)
    lon = forms.FloatField(label=_("集结点经度"), min_value=-180, max_value=180, required=False)


class TeamForm(forms.Form):
    """Register a rescue organisation as a dispatchable volunteer team (decision 0013)."""

    capabilities = forms.MultipleChoiceField(
        label=_("救援能力"), choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capabilities"].choices = choices


class LessonForm(UserForm):
    """A lesson with its media, uploaded by staff: images and videos are checked by type (extension
    and content) and size (culture.media)."""

    course = forms.ModelChoiceField(label=_("课程"), queryset=Course.objects.order_by("title"))
    order = forms.IntegerField(label=_("顺序"), min_value=1, max_value=999, initial=1)
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("内容"), widget=forms.Textarea)
    image = forms.FileField(
        label=_("图片"),
        required=False,
        help_text=media.IMAGE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(media.IMAGE_TYPES)}),
    )
    video = forms.FileField(
        label=_("视频"),
        required=False,
        help_text=media.VIDEO_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(media.VIDEO_TYPES)}),
    )

    def clean_image(self) -> Any:
        return media.check_image(self.cleaned_data.get("image"))

    def clean_video(self) -> Any:
        return media.check_video(self.cleaned_data.get("video"))
