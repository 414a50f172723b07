"""Device and sensor import from CSV and Excel: all or nothing, every bad row reported."""

import io

import pytest
from openpyxl import Workbook

from pingan.monitoring.importer import import_devices
from pingan.monitoring.models import Device, Sensor

HEADER = "设备编码,设备名称,区划代码,单位信用代码,责任部门编码,纬度,经度,传感器编码,传感器名称,类型,单位,安装位置\n"  # noqa: E501


def csv_bytes(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8-sig")


def test_good_csv_creates_devices_sensors_and_tokens(world):
    content = csv_bytes(
        [
            "IMP-1,一号站,441802006,91350100M000100Y43,441802-em,23.70,113.05,g1,罐区可燃气体,可燃气体,%LEL,罐区",
            "IMP-1,一号站,441802006,91350100M000100Y43,441802-em,23.70,113.05,t1,硫化氢,toxic_gas,ppm,",
            "IMP-2,二号站,441802006,,,23.71,113.06,r1,雨量,rainfall,,",
        ]
    )
    report = import_devices(world.user("dept_staff"), "devices.csv", content)
    assert report.ok, report.errors
    assert (report.devices_created, report.sensors_created) == (2, 3)
    assert set(report.tokens) == {"IMP-1", "IMP-2"}
    assert Sensor.objects.get(device__code="IMP-1", code="g1").type == "gas_lel"
    assert Device.objects.get(code="IMP-1").enterprise == world.enterprises["qingcheng"]
    # importing again updates, creates nothing
    again = import_devices(world.user("dept_staff"), "devices.csv", content)
    assert again.ok and again.sensors_updated == 3 and again.devices_created == 0


def test_bad_rows_are_all_reported_and_nothing_is_imported(world):
    content = csv_bytes(
        [
            "IMP-1,一号站,441802006,,,23.70,113.05,g1,可燃气体,gas_lel,%LEL,",  # fine
            "IMP-1,一号站,999999,,,23.70,113.05,g2,可燃气体,gas_lel,%LEL,",  # unknown division
            "IMP-1,一号站,441802006,,,95,113.05,g3,可燃气体,gas_lel,%LEL,",  # bad latitude
            "IMP-1,一号站,441802006,,,23.7,113.05,g4,可燃气体,laser,%LEL,",  # unknown type
            "IMP-1,一号站,441802006,,,23.7,113.05,g5,可燃气体,gas_lel,ppm,",  # wrong unit
            "IMP-1,一号站,441802006,,,23.7,113.05,g1,可燃气体,gas_lel,%LEL,",  # duplicate sensor
            ",一号站,441802006,,,23.7,113.05,g6,可燃气体,gas_lel,%LEL,",  # missing device code
            "IMP-3,三号站,441881100,,,24.2,113.35,g1,可燃气体,gas_lel,%LEL,",  # other district: out of scope
        ]
    )
    report = import_devices(world.user("dept_staff"), "devices.csv", content)
    got = {(row, col) for row, col, _msg in report.errors}
    assert got == {
        (3, "division_code"),
        (4, "lat"),
        (5, "sensor_type"),
        (6, "unit"),
        (7, "sensor_code"),
        (8, "device_code"),
        (9, "division_code"),
    }
    assert not Device.objects.exists() and not Sensor.objects.exists()


def test_excel(world):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    ws.append(["XLS-1", "站", "441802006", None, None, 23.7, 113.05, "w1", "水位", "water_level", "m", None])
    buf = io.BytesIO()
    wb.save(buf)
    report = import_devices(world.user("city_admin", "city"), "devices.xlsx", buf.getvalue())
    assert report.ok, report.errors
    assert Sensor.objects.get().unit == "m"


@pytest.mark.parametrize(
    "role,area,ok", [("dept_staff", "qingcheng", True), ("grid_worker", "qingcheng", False)]
)
def test_import_page(world, client, role, area, ok):
    client.force_login(world.user(role, area))
    upload = io.BytesIO(csv_bytes(["IMP-9,九号站,441802006,,,23.7,113.05,g1,可燃气体,gas_lel,%LEL,"]))
    upload.name = "d.csv"
    r = client.post("/console/monitoring/devices/import/", {"file": upload}, follow=True)
    assert r.status_code == (200 if ok else 403)  # a grid worker is refused at the door (nav never offers it)
    assert Device.objects.filter(code="IMP-9").exists() == ok


def test_import_function_refuses_without_the_permission(world):
    from pingan.core.actions import Forbidden

    with pytest.raises(Forbidden):
        import_devices(
            world.user("grid_worker"),
            "d.csv",
            csv_bytes(["IMP-8,八号站,441802006,,,23.7,113.05,g1,可燃气体,gas_lel,%LEL,"]),
        )
    assert not Device.objects.filter(code="IMP-8").exists()


def test_a_missing_column_is_reported_once_and_empty_codes_are_not_duplicates(world):
    # QA: a file without the 类型 column gave one "必填" per row; two rows without a sensor code
    # were called duplicates of each other.
    no_type = "设备编码,设备名称,区划代码,传感器编码,传感器名称\n" + "".join(
        f"IMP-{n},站{n},441802006,g{n},气体\n" for n in range(25)
    )
    report = import_devices(world.user("dept_staff"), "devices.csv", no_type.encode())
    assert [(row, col) for row, col, _msg in report.errors] == [(1, "sensor_type")]
    content = csv_bytes(
        [
            "IMP-1,一号站,441802006,,,23.70,113.05,,可燃气体,gas_lel,%LEL,",
            "IMP-1,一号站,441802006,,,23.70,113.05,,可燃气体,gas_lel,%LEL,",
        ]
    )
    report = import_devices(world.user("dept_staff"), "devices.csv", content)
    assert {(row, col) for row, col, _msg in report.errors} == {(2, "sensor_code"), (3, "sensor_code")}
    assert all(str(msg) == "必填" for _row, _col, msg in report.errors)
