"""Reading uploaded tables (CSV or Excel) for every import in the platform."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _


def read_table(content: bytes, filename: str = "") -> list[list[str]]:
    """Rows of cells (text) from .xlsx or CSV (UTF-8, with or without BOM, or GB18030 from Excel)."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - a broken workbook is the uploader's problem
            raise ValueError(_("无法读取 Excel 文件:%(err)s") % {"err": exc}) from exc
        sheet = book.worksheets[0]
        rows = [["" if v is None else _cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValueError(_("无法识别文件编码"))
    return [row for row in csv.reader(io.StringIO(text))]


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()
