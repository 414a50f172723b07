import io

import pytest
from openpyxl import Workbook

from pingan.core.tables import read_table


def test_csv_in_utf8_with_bom_and_in_gb18030():
    text = "名称,代码\n清远测试,441802\n"
    for data in (text.encode("utf-8-sig"), text.encode("gb18030")):
        assert read_table(data, "x.csv") == [["名称", "代码"], ["清远测试", "441802"]]


def test_xlsx_numbers_come_back_as_text_without_decimals():
    book = Workbook()
    sheet = book.active
    sheet.append(["代码", "人数"])
    sheet.append([441802, 12.0])
    buf = io.BytesIO()
    book.save(buf)
    assert read_table(buf.getvalue(), "x.xlsx") == [["代码", "人数"], ["441802", "12"]]


def test_broken_workbook_is_a_clear_error():
    with pytest.raises(ValueError, match="Excel"):
        read_table(b"PK\x03\x04 not really a zip", "x.xlsx")
