from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.core.permissions import is_city_admin
from pingan.geo.models import Division
from pingan.org.models import Department, User

from .choices import PostKind


class ListForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    post = forms.CharField(label=_("岗位"), max_length=100)
    kind = forms.ChoiceField(label=_("岗位类别"), choices=PostKind.choices)
    division = forms.ModelChoiceField(label=_("所属区划"), queryset=Division.objects.none())
    department = forms.ModelChoiceField(
        label=_("所属部门"), queryset=Department.objects.none(), required=False
    )
    holder = forms.ModelChoiceField(label=_("岗位责任人"), queryset=User.objects.none())
    sign_by = forms.DateField(label=_("签订期限"), widget=forms.DateInput(attrs={"type": "date"}))
    items = forms.CharField(
        label=_("责任事项(每行一项)"), widget=forms.Textarea(attrs={"rows": 8}), max_length=30000
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prefix = "" if is_city_admin(user) else str(user.scope_path or "~")
        self.fields["division"].queryset = Division.objects.filter(
            level__in=("city", "district", "town"), path__startswith=prefix
        ).order_by("code")
        self.fields["department"].queryset = Department.objects.filter(
            division__path__startswith=prefix, is_active=True
        ).order_by("code")
        self.fields["holder"].queryset = (
            User.objects.filter(is_active=True, division__path__startswith=prefix)
            .exclude(division=None)
            .order_by("username")
        )


class WeightsForm(forms.Form):
    """The scheme as text, one item a line: 对象|来源|代码|名称|权重 (easy to paste from a spreadsheet)."""

    scheme = forms.CharField(
        label=_("考核项目与权重"), widget=forms.Textarea(attrs={"rows": 16}), max_length=20000
    )


def scheme_text(items: list[Any]) -> str:
    return "\n".join(f"{i.unit_kind}|{i.source}|{i.key}|{i.label}|{i.weight:g}" for i in items)


def parse_scheme(text: str) -> list[dict[str, Any]]:
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (5 - len(parts))
        rows.append(
            {
                "unit_kind": parts[0],
                "source": parts[1],
                "key": parts[2],
                "label": parts[3],
                "weight": parts[4],
            }
        )
    return rows
