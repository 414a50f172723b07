"""The searchable picker: a real <select> marked for core/picker.js, entries labelled with their
path, and the server still refusing anything outside the list (the picker never widens it)."""

import pytest
from django import forms

from pingan.core.widgets import PickerSelect, PickerSelectMultiple
from pingan.geo.forms import DivisionChoiceField, division_label
from pingan.geo.models import Division
from pingan.org.forms import DepartmentChoiceField, DepartmentMultipleChoiceField, department_label
from pingan.org.models import Department


def test_widgets_render_a_marked_select_that_works_without_javascript():
    html = PickerSelect(choices=[("", "全部"), ("1", "清城区 · 凤城街道")], placeholder="搜索").render(
        "d", "1"
    )
    assert (
        html.startswith("<select") and 'data-picker="1"' in html and 'data-picker-placeholder="搜索"' in html
    )
    assert '<option value="1" selected>清城区 · 凤城街道</option>' in html
    multi = PickerSelectMultiple(choices=[("1", "a"), ("2", "b")]).render("m", ["2"])
    assert "multiple" in multi and 'data-picker="1"' in multi and '<option value="2" selected>' in multi


class TownForm(forms.Form):
    town = DivisionChoiceField(label="所在区划")


class MembersForm(forms.Form):
    members = DepartmentMultipleChoiceField(label="成员单位", queryset=None)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = departments


@pytest.mark.django_db
def test_division_field_labels_paths_and_refuses_what_is_not_offered(world):
    town = world.towns["qingcheng"]
    assert division_label(town) == "清城区 · 凤城街道"
    assert division_label(world.districts["yingde"]) == "英德市" and division_label(world.city) == "清远市"
    html = str(TownForm()["town"])
    assert 'data-picker="1"' in html and f'<option value="{town.pk}">清城区 · 凤城街道</option>' in html
    assert TownForm({"town": town.pk}).is_valid()
    for bad in (world.districts["qingcheng"].pk, world.city.pk, 99999, "x"):
        form = TownForm({"town": bad})
        assert not form.is_valid() and "town" in form.errors


@pytest.mark.django_db
def test_division_choices_cost_one_query_however_many(world, django_assert_num_queries):
    Division.objects.bulk_create(
        [
            Division(
                code=f"441881{n:03d}",
                path=f"441881{n:03d}",
                name=f"石岭镇{n}",
                level="town",
                parent=world.districts["yingde"],
            )
            for n in range(200, 300)
        ]
    )
    with django_assert_num_queries(1):
        html = str(TownForm()["town"])
    assert html.count("<option") == 103 and "英德市 · 石岭镇250" in html


@pytest.mark.django_db
def test_department_field_tells_same_names_apart_and_validates(world, django_assert_num_queries):
    qc, yd = world.towns["qingcheng"], world.towns["yingde"]
    a = Department.objects.create(
        name="石岭村委会", code="v-a", sector="government", kind="village", division=qc
    )
    b = Department.objects.create(
        name="石岭村委会", code="v-b", sector="government", kind="village", division=yd
    )
    assert department_label(a) == "清城区 · 凤城街道 · 石岭村委会"
    assert department_label(b) == "英德市 · 英城街道 · 石岭村委会"
    mine = Department.objects.filter(division__path__startswith=world.districts["qingcheng"].path)
    with django_assert_num_queries(1):
        html = str(MembersForm(departments=mine)["members"])
    assert "multiple" in html and "清城区 · 凤城街道 · 石岭村委会" in html and "英城街道" not in html
    ok = MembersForm({"members": [a.pk, world.departments["qc_fire"].pk]}, departments=mine)
    assert ok.is_valid() and set(ok.cleaned_data["members"]) == {a, world.departments["qc_fire"]}
    # A department of another district is not in this person's list: refused, whatever the browser sent.
    refused = MembersForm({"members": [a.pk, b.pk]}, departments=mine)
    assert not refused.is_valid() and "members" in refused.errors
    single = DepartmentChoiceField(queryset=mine)
    assert single.clean(a.pk) == a
    with pytest.raises(forms.ValidationError):
        single.clean(b.pk)
