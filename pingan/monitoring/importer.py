"""Import devices and their sensors from Excel (.xlsx) or CSV: all or nothing, with a report of every
bad row. One row per sensor; a device is created on its first row (and its fields updated).

Columns (Chinese or English headers): 设备编码 device_code, 设备名称 device_name, 区划代码 division_code,
单位信用代码 enterprise_uscc, 责任部门编码 department_code, 纬度 lat, 经度 lon, 传感器编码 sensor_code,
传感器名称 sensor_name, 类型 sensor_type, 单位 unit, 安装位置 location.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.tables import read_table
from pingan.geo.models import Division
from pingan.org.models import Department, Enterprise

from .choices import TYPE_UNITS, SensorType
from .models import Device, Sensor

HEADERS = {
    "设备编码": "device_code",
    "设备名称": "device_name",
    "区划代码": "division_code",
    "单位信用代码": "enterprise_uscc",
    "责任部门编码": "department_code",
    "纬度": "lat",
    "经度": "lon",
    "传感器编码": "sensor_code",
    "传感器名称": "sensor_name",
    "类型": "sensor_type",
    "单位": "unit",
    "安装位置": "location",
}
REQUIRED = ["device_code", "device_name", "division_code", "sensor_code", "sensor_name", "sensor_type"]
TYPE_BY_LABEL = {str(label): value for value, label in SensorType.choices}


@dataclass
class ImportReport:
    rows: int = 0
    devices_created: int = 0
    sensors_created: int = 0
    sensors_updated: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, column, message)
    tokens: dict[str, str] = field(default_factory=dict)  # new device code -> token (shown once)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Data rows as {canonical column: text}, from CSV (UTF-8 or Excel's GB18030) or .xlsx."""
    table = read_table(content, filename)
    if not table:
        return []
    header = [HEADERS.get(str(h).strip(), str(h).strip()) for h in table[0]]
    return [
        {k: (row[i].strip() if i < len(row) else "") for i, k in enumerate(header) if k}
        for row in table[1:]
        if any(c.strip() for c in row)
    ]


def import_devices(actor: Any, filename: str, content: bytes) -> ImportReport:
    from .actions import check_manage

    check_manage(actor)
    report = ImportReport()
    try:
        rows = read_rows(filename, content)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one clear error
        report.errors.append((0, "file", _("无法读取文件:%(e)s") % {"e": str(exc)[:200]}))
        return report
    report.rows = len(rows)
    if not rows:
        report.errors.append((0, "file", _("文件中没有数据行")))
        return report
    # A column missing from the header is one error, not one per row (QA: 25 "必填" for one column).
    absent = [col for col in REQUIRED if not any(col in row for row in rows)]
    if absent:
        report.errors.extend((1, col, _("缺少此列")) for col in absent)
        return report
    divisions = {
        d.code: d for d in Division.objects.filter(code__in={r.get("division_code", "") for r in rows})
    }
    enterprises = {
        e.uscc: e for e in Enterprise.objects.filter(uscc__in={r.get("enterprise_uscc", "") for r in rows})
    }
    departments = {
        d.code: d for d in Department.objects.filter(code__in={r.get("department_code", "") for r in rows})
    }
    seen: set[tuple[str, str]] = set()
    plan = []
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        errs = []
        for col in REQUIRED:
            if not row.get(col):
                errs.append((n, col, _("必填")))
        stype = TYPE_BY_LABEL.get(row.get("sensor_type", ""), row.get("sensor_type", ""))
        if row.get("sensor_type") and stype not in SensorType.values:
            errs.append((n, "sensor_type", _("未知类型 %(t)s") % {"t": row["sensor_type"]}))
        division = divisions.get(row.get("division_code", ""))
        if row.get("division_code") and division is None:
            errs.append((n, "division_code", _("未知区划代码")))
        elif (
            division is not None
            and not getattr(actor, "sees_everything", False)
            and not division.path.startswith(getattr(actor, "scope_path", "") or "-")
        ):
            errs.append((n, "division_code", _("不在您的管辖范围内")))
        enterprise = enterprises.get(row.get("enterprise_uscc", "")) if row.get("enterprise_uscc") else None
        if row.get("enterprise_uscc") and enterprise is None:
            errs.append((n, "enterprise_uscc", _("未知单位")))
        department = departments.get(row.get("department_code", "")) if row.get("department_code") else None
        if row.get("department_code") and department is None:
            errs.append((n, "department_code", _("未知部门")))
        lat = lon = None
        try:
            lat = float(row["lat"]) if row.get("lat") else None
            lon = float(row["lon"]) if row.get("lon") else None
            if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
                raise ValueError
        except ValueError:
            errs.append((n, "lat", _("经纬度无效")))
        unit = row.get("unit", "")
        if stype in TYPE_UNITS and unit and unit != TYPE_UNITS[stype][0]:
            errs.append((n, "unit", _("单位应为 %(u)s") % {"u": TYPE_UNITS[stype][0]}))
        key = (row.get("device_code", ""), row.get("sensor_code", ""))
        if all(key):  # an empty code is already "必填", never a "duplicate"
            if key in seen:
                errs.append((n, "sensor_code", _("重复的传感器编码")))
            seen.add(key)
        report.errors.extend(errs)
        if not errs:
            plan.append((row, stype, division, enterprise, department, lat, lon))
    if report.errors:
        return report
    with transaction.atomic():
        devices: dict[str, Device] = {}
        for row, stype, division, enterprise, department, lat, lon in plan:
            code = row["device_code"]
            device = devices.get(code)
            if device is None:
                device = Device.objects.filter(code=code).first()
                if device is None:
                    device = Device(code=code)
                    report.tokens[code] = device.issue_token()
                    report.devices_created += 1
                device.name, device.division, device.enterprise, device.department = (
                    row["device_name"],
                    division,
                    enterprise,
                    department,
                )
                device.lat, device.lon = lat, lon
                device.save()
                devices[code] = device
            rng = TYPE_UNITS.get(stype, ("", None, None))
            _sensor, created = Sensor.objects.update_or_create(
                device=device,
                code=row["sensor_code"],
                defaults={
                    "name": row["sensor_name"],
                    "type": stype,
                    "unit": rng[0],
                    "min_value": rng[1],
                    "max_value": rng[2],
                    "division": division,
                    "enterprise": enterprise,
                    "department": department,
                    "lat": lat,
                    "lon": lon,
                    "location": row.get("location", ""),
                },
            )
            if created:
                report.sensors_created += 1
            else:
                report.sensors_updated += 1
        audit.record(
            "monitoring.device.import",
            None,
            actor=actor,
            note=f"{filename}: {report.rows} rows, "
            f"{report.devices_created} devices, {report.sensors_created}+{report.sensors_updated} sensors",
            division_path=getattr(getattr(actor, "division", None), "path", ""),
        )
    return report
