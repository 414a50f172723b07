"""Console forms of the rescue directory, stock movements, readiness and drills. Forms check the
shape of the input (and name the field); who may and the domain checks are the actions'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.core.widgets import PickerSelectMultiple
from pingan.geo.choices import Level
from pingan.geo.models import Division

from .choices import Capability, Specialty, StockMovementKind
from .models import Equipment, Exercise, Expert, Member, Shelter, StockItem, Team, Warehouse

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _divisions(user: Any) -> Any:
    qs = Division.objects.filter(level__in=[Level.CITY, Level.DISTRICT, Level.TOWN])
    if user is not None and not user.sees_everything and user.scope_path:
        qs = qs.filter(path__startswith=user.scope_path)
    return qs.order_by("code")


class _Scoped(forms.ModelForm):
    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "division" in self.fields:
            self.fields["division"].queryset = _divisions(user)
            if user is not None and user.division_id and not self.is_bound and not self.instance.pk:
                self.initial.setdefault("division", user.division_id)


class TeamForm(_Scoped):
    capabilities = forms.MultipleChoiceField(
        label=_("救援能力"), choices=Capability.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Team
        fields = [
            "code",
            "name",
            "kind",
            "division",
            "department",
            "address",
            "lat",
            "lon",
            "headcount",
            "capabilities",
            "leader",
            "phone",
        ]


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "position", "phone", "certified", "is_active"]


class EquipmentForm(forms.ModelForm):
    class Meta:
        model = Equipment
        fields = ["kind", "name", "quantity", "plate"]


class WarehouseForm(_Scoped):
    class Meta:
        model = Warehouse
        fields = ["name", "division", "department", "lat", "lon", "phone"]


class StockItemForm(forms.ModelForm):
    class Meta:
        model = StockItem
        fields = ["name", "unit", "quantity", "min_quantity"]
        help_texts = {
            "quantity": _("初始数量;以后的变动请用出库、归还、补库登记"),
            "min_quantity": _("低于此数时提醒补库;0 表示不提醒"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The balance moves only through recorded movements.
            del self.fields["quantity"]


class ExpertForm(_Scoped):
    specialties = forms.MultipleChoiceField(
        label=_("专业领域"), choices=Specialty.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Expert
        fields = [
            "name",
            "specialties",
            "affiliation",
            "title",
            "phone",
            "available",
            "division",
            "lat",
            "lon",
        ]


class ShelterForm(_Scoped):
    class Meta:
        model = Shelter
        fields = ["name", "division", "address", "lat", "lon", "capacity", "area_m2"]


class StockMoveForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=StockMovementKind.choices)
    quantity = forms.IntegerField(label=_("数量"), min_value=1)
    note = forms.CharField(label=_("用途/说明"), max_length=200, required=False)


class ReadinessForm(forms.Form):
    status = forms.ChoiceField(label=_("战备状态"), choices=[])
    note = forms.CharField(label=_("原因"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .actions import READINESS

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.value, s.label) for s in READINESS]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern): cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


class ExerciseForm(_Scoped):
    teams = forms.ModelMultipleChoiceField(
        label=_("参加队伍"),
        queryset=Team.objects.none(),
        required=False,
        widget=PickerSelectMultiple,
    )
    photos = MultipleFileField(label=_("现场照片"), required=False, help_text=_("可选多张,每张不超过 10 MB"))

    class Meta:
        model = Exercise
        fields = ["kind", "title", "date", "division", "teams", "participants", "evaluation", "score"]
        widgets = {"date": DATE, "evaluation": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["teams"].queryset = (
            Team.objects.visible_to(user).select_related("division")
            if user is not None
            else Team.objects.none()
        )
        self.fields["score"].widget.attrs.update({"min": 0, "max": 100})

    def clean_score(self) -> Any:
        score = self.cleaned_data.get("score")
        if score is not None and score > 100:
            raise forms.ValidationError(_("评分为 0–100"))
        return score

    def clean_participants(self) -> Any:
        n = self.cleaned_data.get("participants")
        if n is not None and n <= 0:
            raise forms.ValidationError(_("请填写参加人数"))
        return n
