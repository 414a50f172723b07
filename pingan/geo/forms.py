"""Form fields for choosing a division: searchable, each entry labelled with its path."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from pingan.core.widgets import PickerSelect, PickerSelectMultiple, path_label

from .choices import Level
from .models import Division

# Enough ancestors to reach the county from any level (grid → village → town → district).
_RELATED = ("parent", "parent__parent", "parent__parent__parent")
_DEFER = ("geometry", "parent__geometry", "parent__parent__geometry", "parent__parent__parent__geometry")


def division_names(division: Division) -> list[str]:
    """Names from the county down to `division` (the city is left out unless it is the division)."""
    names = []
    node: Division | None = division
    while node is not None:
        names.append(node.name)
        if node.level in (Level.DISTRICT, Level.CITY):
            break
        node = node.parent if node.parent_id else None
    return names[::-1]


def division_label(division: Division) -> str:
    """ "清城区 · 凤城街道": how a place is written back to a person."""
    return path_label(division_names(division))


def with_ancestors(qs: QuerySet[Division]) -> QuerySet[Division]:
    return qs.select_related(*_RELATED).defer(*_DEFER)


class _PathLabels:
    def label_from_instance(self, obj: Any) -> str:
        return division_label(obj)


class DivisionChoiceField(_PathLabels, forms.ModelChoiceField):
    """One division of the given levels (townships by default), found by typing any part of its path.
    Whatever queryset is set later (a person's own area), the ancestors come in the same query."""

    widget = PickerSelect

    def __init__(self, *, levels: tuple[str, ...] = (Level.TOWN,), queryset: Any = None, **kwargs: Any):
        if queryset is None:
            queryset = Division.objects.filter(level__in=levels).order_by("code")
        kwargs.setdefault("empty_label", "—")
        super().__init__(queryset=queryset, **kwargs)

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(with_ancestors(queryset) if queryset is not None else None)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)


class DivisionMultipleChoiceField(_PathLabels, forms.ModelMultipleChoiceField):
    widget = PickerSelectMultiple

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(with_ancestors(queryset) if queryset is not None else None)

    queryset = property(forms.ModelMultipleChoiceField._get_queryset, _set_queryset)
