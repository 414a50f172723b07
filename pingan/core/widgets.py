"""Form widgets shared by every app.

`PickerSelect` / `PickerSelectMultiple` render an ordinary <select> marked `data-picker`; the
browser turns it into a searchable combobox (core/static/core/picker.js, loaded by base.html).
Without JavaScript the select works as it is, and the value is validated on the server against the
field's choices either way: the picker only helps people find an entry among hundreds, it never
widens what may be posted.

Long hierarchical lists label each entry with its path ("清城区 · 凤城街道 · 应急办"): the path is
what tells two villages of the same name apart, and typing any part of it finds the entry.
"""

from __future__ import annotations

from typing import Any

from django import forms

PATH_SEPARATOR = " · "


def _picker_attrs(attrs: dict[str, Any] | None, placeholder: str | None) -> dict[str, Any]:
    out = {"data-picker": "1", **(attrs or {})}
    if placeholder:
        out["data-picker-placeholder"] = placeholder
    return out


class PickerSelect(forms.Select):
    """A single choice, searchable. Keep an empty choice on optional fields so it can be cleared."""

    def __init__(
        self, attrs: dict[str, Any] | None = None, choices: Any = (), placeholder: str | None = None
    ):
        super().__init__(_picker_attrs(attrs, placeholder), choices)


class PickerSelectMultiple(forms.SelectMultiple):
    """Several choices, searchable, shown as removable chips (replaces long pages of checkboxes)."""

    def __init__(
        self, attrs: dict[str, Any] | None = None, choices: Any = (), placeholder: str | None = None
    ):
        super().__init__(_picker_attrs(attrs, placeholder), choices)


def path_label(names: list[str]) -> str:
    return PATH_SEPARATOR.join(n for n in names if n)
