"""Excel export of any filtered console list: the rows the person sees, with the filters they chose.

A list view adds `ExportableListMixin` and names its columns; `?export=xlsx` on the same address
returns the filtered list as a workbook (openpyxl in write-only mode, so memory stays flat), capped
at EXPORT_LIMIT rows and audited like the audit log's own export. The page offers the link through
`export_url` in its context (the include `core/components/export_link.html`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import audit
from .context import origin

EXPORT_LIMIT = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Column = tuple[Any, Callable[[Any], Any]]  # (label, value of a row)


def _cell(value: Any) -> Any:
    """Excel has no time zones: aware times are written as local (Asia/Shanghai) wall-clock times."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if value is None or isinstance(value, int | float | dt.date | dt.datetime):
        return value
    return str(value)


def xlsx_response(
    filename: str, title: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A one-sheet workbook as a download."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(title)[:31])  # Excel's limit on sheet names
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


class ExportableListMixin:
    """For a ScopedListView: `?export=xlsx` answers the filtered queryset as Excel.

    Subclasses set `export_name` (file and audit name), `export_title` and `export_columns`."""

    export_name: str = "list"
    export_title: Any = ""
    export_columns: Sequence[Column] = ()
    request: HttpRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export") == "xlsx":
            return self.export(self.get_queryset())  # type: ignore[attr-defined]
        return super().get(request, *args, **kwargs)  # type: ignore[misc]

    def export(self, qs: QuerySet) -> HttpResponse:
        rows = [[value(obj) for _label, value in self.export_columns] for obj in qs[:EXPORT_LIMIT]]
        query = {k: v for k, v in self.request.GET.items() if k not in ("export", "page") and v}
        with origin("web", ip=self.request.META.get("REMOTE_ADDR")):
            audit.record(
                "core.list.export",
                None,
                actor=self.request.user,
                after={"list": self.export_name, "rows": len(rows), **query},
                division_path=getattr(self.request.user, "scope_path", "") or "",
            )
        headers = [label for label, _value in self.export_columns]
        return xlsx_response(self.export_name, self.export_title or self.export_name, headers, rows)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)  # type: ignore[misc]
        query = self.request.GET.copy()
        query.pop("page", None)
        query["export"] = "xlsx"
        ctx["export_url"] = f"?{query.urlencode()}"
        return ctx
