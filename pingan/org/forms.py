from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from pingan.core.widgets import PickerSelect, PickerSelectMultiple, path_label
from pingan.geo.forms import division_names


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form. The lock-out is django-axes' (settings.AXES_*), the same for every door
    including /admin/: a locked (username, address) pair gets pingan.core.middleware.lockout_response,
    whatever the password, and login, failure and lock-out are audited by pingan.core.audit's
    signal receivers."""


# --- Choosing departments: searchable, labelled with where they sit (county · township · name) ----
def department_label(department: Any) -> str:
    """ "清城区 · 凤城街道 · 石岭村委会": the path tells apart the many villages of the same name."""
    return path_label([*division_names(department.division), str(department)])


def departments_with_paths(qs: Any) -> Any:
    return qs.select_related(
        "division", "division__parent", "division__parent__parent", "division__parent__parent__parent"
    ).defer(
        "division__geometry",
        "division__parent__geometry",
        "division__parent__parent__geometry",
        "division__parent__parent__parent__geometry",
    )


class _DepartmentLabels:
    def label_from_instance(self, obj: Any) -> str:
        return department_label(obj)


class DepartmentChoiceField(_DepartmentLabels, forms.ModelChoiceField):
    widget = PickerSelect

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(departments_with_paths(queryset) if queryset is not None else None)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)


class DepartmentMultipleChoiceField(_DepartmentLabels, forms.ModelMultipleChoiceField):
    """Member units and the like: several departments, picked by typing (not a page of checkboxes)."""

    widget = PickerSelectMultiple

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(departments_with_paths(queryset) if queryset is not None else None)

    queryset = property(forms.ModelMultipleChoiceField._get_queryset, _set_queryset)
