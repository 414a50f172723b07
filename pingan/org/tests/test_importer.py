import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from pingan.core.models import AuditEvent
from pingan.geo.crs import wgs84_to_gcj02
from pingan.org.importer import import_enterprises
from pingan.org.models import Enterprise
from pingan.org.rules import uscc_check_char

HEADER = ["单位名称", "统一社会信用代码", "行业", "区划代码", "纬度", "经度", "重点监管", "监管部门"]


def uscc(serial: int) -> str:
    body = f"91441802MA{serial:07d}"
    return body + uscc_check_char(body)


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig"):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode(encoding)


def good_row(n=1, **over):
    row = {
        "单位名称": f"清城第{n}化工有限公司",
        "统一社会信用代码": uscc(n),
        "行业": "危险化学品",
        "区划代码": "441802",
        "纬度": "23.70",
        "经度": "113.05",
        "重点监管": "是",
        "监管部门": "441802-em",
    }
    row.update(over)
    return [row[h] for h in HEADER]


@pytest.mark.django_db
def test_csv_import_creates_and_places_in_smallest_unit(world):
    admin = world.user("city_admin", "city")
    data = csv_bytes([good_row(1), good_row(2, 行业="hazchem", 纬度="", 经度="", 重点监管="否", 监管部门="")])
    report = import_enterprises(data, "e.csv", actor=admin)
    assert report.ok, report.lines()
    assert report.created == 2
    first = Enterprise.objects.get(uscc=uscc(1))
    assert first.division.code == "441802006"  # refined from the district to the town containing the point
    assert first.key_supervision and list(first.supervising_departments.values_list("code", flat=True)) == [
        "441802-em"
    ]
    second = Enterprise.objects.get(uscc=uscc(2))
    assert second.division.code == "441802" and second.lat is None and not second.key_supervision
    assert AuditEvent.objects.filter(action="org.enterprise.create").count() == 2
    assert AuditEvent.objects.filter(action="org.enterprise.import").count() == 1


@pytest.mark.django_db
def test_xlsx_import_and_gcj02(world):
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "uscc", "industry", "division_code", "lat", "lon", "employees"])
    glat, glon = wgs84_to_gcj02(24.2, 113.35)
    sheet.append(["英德某建材有限公司", uscc(7), "building_materials", 441881, glat, glon, 120.0])
    buf = io.BytesIO()
    book.save(buf)
    report = import_enterprises(buf.getvalue(), "e.xlsx", actor=world.user("city_admin", "city"), crs="gcj02")
    assert report.ok, report.lines()
    ent = Enterprise.objects.get(uscc=uscc(7))
    assert ent.division.code == "441881100" and ent.employees == 120
    assert abs(ent.lat - 24.2) < 1e-5 and abs(ent.lon - 113.35) < 1e-5


@pytest.mark.django_db
def test_gb18030_csv(world):
    data = csv_bytes([good_row(3)], encoding="gb18030")
    report = import_enterprises(data, "e.csv", actor=world.user("city_admin", "city"))
    assert report.ok, report.lines()


@pytest.mark.parametrize(
    "over,column,code,fragment",
    [
        ({"统一社会信用代码": "91441802MA000000"}, "统一社会信用代码", "uscc_length", "实际为 16 位"),
        ({"统一社会信用代码": "91441802MA00000O1X"}, "统一社会信用代码", "uscc_characters", "第 16 位“O”"),
        (
            {"统一社会信用代码": uscc(1)[:17] + ("0" if uscc(1)[17] != "0" else "1")},
            "统一社会信用代码",
            "uscc_check",
            "第 18 位应为“" + uscc(1)[17] + "”",
        ),
        ({"行业": "养殖"}, "行业", "unknown_industry", "养殖"),
        ({"区划代码": "441899"}, "区划代码", "unknown_division", "441899"),
        ({"纬度": "24.2", "经度": "113.35"}, "纬度/经度", "outside_division", "英城街道"),
        ({"纬度": "30.0", "经度": "120.0"}, "纬度/经度", "outside_city", ""),
        ({"纬度": "23.7", "经度": ""}, "纬度/经度", "required", ""),
        ({"单位名称": ""}, "单位名称", "required", ""),
        ({"重点监管": "也许"}, "重点监管", "invalid", ""),
        ({"监管部门": "441802-em;nope"}, "监管部门", "unknown_department", "nope"),
    ],
)
@pytest.mark.django_db
def test_row_errors_name_row_column_and_reason(world, over, column, code, fragment):
    data = csv_bytes([good_row(10), good_row(11, **over)])
    report = import_enterprises(data, "e.csv", actor=world.user("city_admin", "city"))
    assert not report.ok
    assert [(p.row, p.column, p.code) for p in report.problems] == [(3, column, code)]
    assert fragment in report.problems[0].message
    assert str(report.problems[0]).startswith("第 3 行")
    assert Enterprise.objects.count() == 2  # all or nothing: the good row 2 was not written either


@pytest.mark.django_db
def test_duplicates_in_file_and_in_database(world):
    data = csv_bytes(
        [
            good_row(20),
            good_row(21, 统一社会信用代码=uscc(20)),
            good_row(22, 统一社会信用代码="91350100M000100Y43"),
        ]
    )  # make_world's enterprise
    report = import_enterprises(data, "e.csv", actor=world.user("city_admin", "city"))
    problems = [(p.row, p.code) for p in report.problems]
    assert problems == [(3, "uscc_duplicate"), (4, "uscc_duplicate")]
    assert "第 2 行" in report.problems[0].message and "已在系统中" in report.problems[1].message
    assert Enterprise.objects.count() == 2


@pytest.mark.django_db
def test_missing_required_columns(world):
    data = csv_bytes([["x", "y"]], header=["单位名称", "地址"])
    report = import_enterprises(data, "e.csv", actor=world.user("city_admin", "city"))
    assert sorted(p.column for p in report.problems) == sorted(["统一社会信用代码", "行业", "区划代码"])
    assert all(p.row == 1 and p.code == "missing_column" for p in report.problems)


@pytest.mark.django_db
def test_scope_of_department_staff_and_refusal_for_others(world):
    data = csv_bytes([good_row(30, 区划代码="441881100", 纬度="", 经度="", 监管部门="")])
    report = import_enterprises(data, "e.csv", actor=world.user("dept_staff", "qingcheng"))
    assert [p.code for p in report.problems] == ["out_of_scope"]
    report = import_enterprises(data, "e.csv", actor=world.user("dept_staff", "yingde"))
    assert report.ok
    report = import_enterprises(data, "e.csv", actor=world.user("area_staff", "yingde"))
    assert [p.code for p in report.problems] == ["forbidden"]


@pytest.mark.django_db
def test_dry_run_and_command(world, tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(csv_bytes([good_row(40)]))
    report = import_enterprises(
        path.read_bytes(), "e.csv", actor=world.user("city_admin", "city"), dry_run=True
    )
    assert report.ok and Enterprise.objects.count() == 2
    call_command("import_enterprises", str(path), "--as", "cityadmin")
    assert Enterprise.objects.filter(uscc=uscc(40)).exists()
    with pytest.raises(CommandError):
        call_command("import_enterprises", str(path), "--as", "cityadmin")  # now a duplicate


@pytest.mark.django_db
def test_console_upload_page(client, world):
    client.force_login(world.user("dept_staff", "qingcheng"))
    assert client.get("/console/org/enterprises/import/").status_code == 200
    bad = SimpleUploadedFile("e.csv", csv_bytes([good_row(50, 行业="养殖")]))
    r = client.post("/console/org/enterprises/import/", {"file": bad})
    assert r.status_code == 200 and "unknown_industry" in r.content.decode()
    good = SimpleUploadedFile("e.csv", csv_bytes([good_row(51)]))
    r = client.post("/console/org/enterprises/import/", {"file": good})
    assert r.status_code == 200 and Enterprise.objects.filter(uscc=uscc(51)).exists()
    client.force_login(world.user("grid_worker", "qingcheng"))
    assert client.get("/console/org/enterprises/import/").status_code == 403
