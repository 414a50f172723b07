from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.geo.forms import DivisionChoiceField, DivisionMultipleChoiceField
from pingan.geo.models import Division

from . import rules
from .choices import Category, Colour


class WarningForm(forms.Form):
    division = DivisionChoiceField(label=_("发布区域"), queryset=Division.objects.none())
    category = forms.ChoiceField(label=_("事件类别"), choices=Category.choices)
    event_code = forms.ChoiceField(
        label=_("事件"), choices=[(k, f"{k} {v}") for k, v in rules.EVENT_CODES.items()]
    )
    colour = forms.ChoiceField(
        label=_("预警级别"), choices=[c for c in Colour.choices if c[0] != Colour.UNKNOWN]
    )
    headline = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(label=_("预警内容"), widget=forms.Textarea(attrs={"rows": 4}))
    instruction = forms.CharField(
        label=_("防御措施"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    onset = forms.DateTimeField(
        label=_("开始时间"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    expires = forms.DateTimeField(
        label=_("失效时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    towns = DivisionMultipleChoiceField(
        label=_("预警区域(乡镇/街道,不选则为整个发布区域)"), required=False, queryset=Division.objects.none()
    )
    polygon = forms.CharField(
        label=_("多边形(GeoJSON 坐标 [[经度,纬度],…],可选)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, user: Any = None, fixed_division: Division | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        qs = Division.objects.filter(level__in=("city", "district", "town")).order_by("code")
        if user is not None and not user.sees_everything:
            qs = qs.filter(path__startswith=user.scope_path)
        self.fields["division"].queryset = qs.exclude(level="town")
        self.fields["towns"].queryset = qs.filter(level="town")
        if fixed_division is not None:  # editing: the issuing area stays (it decides who approves and sees)
            self.fields["division"].queryset = Division.objects.filter(pk=fixed_division.pk)
            self.fields["division"].disabled = True
            self.fields["towns"].queryset = Division.objects.filter(
                level="town", path__startswith=fixed_division.path
            )

    def clean_polygon(self) -> Any:
        text = (self.cleaned_data.get("polygon") or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("不是有效的坐标列表")) from exc

    def areas(self) -> list[dict[str, Any]] | None:
        out: list[dict[str, Any]] = [
            {"division": t.code, "area_desc": t.name} for t in self.cleaned_data["towns"]
        ]
        if self.cleaned_data.get("polygon"):
            out.append({"polygon": self.cleaned_data["polygon"], "area_desc": str(_("指定区域"))})
        return out or None

    def content(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data.get(k)
            for k in (
                "category",
                "event_code",
                "colour",
                "headline",
                "description",
                "instruction",
                "onset",
                "expires",
            )
        }
