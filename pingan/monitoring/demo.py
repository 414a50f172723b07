"""Demo monitoring network (SYNTHETIC): gas, pressure, tank and smoke sensors at demo enterprises,
rain and water-level stations in every district, default rules, and an escalation policy per district.

Idempotent: devices are keyed by code; running it again adds nothing. The simulator
(`manage.py simulate_sensors`, started by `make run`) then makes readings for these devices.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from django.db import transaction

from pingan.org.choices import Role

from .choices import TYPE_UNITS
from .models import Device, EscalationPolicy, EscalationStep, Sensor
from .thresholds import ensure_default_rules

ENTERPRISE_KIT = {  # industry -> sensors of its controller: (code, type, name)
    "hazchem": [
        ("g1", "gas_lel", "罐区可燃气体"),
        ("g2", "gas_lel", "装卸区可燃气体"),
        ("t1", "toxic_gas", "硫化氢"),
        ("l1", "tank_level", "1号储罐液位"),
        ("p1", "pressure", "反应釜压力"),
        ("s1", "smoke", "仓库烟感"),
    ],
    "gas": [("g1", "gas_lel", "调压站可燃气体"), ("p1", "pressure", "管网压力"), ("s1", "smoke", "站房烟感")],
    "fireworks": [
        ("k1", "temperature", "仓库温度"),
        ("s1", "smoke", "仓库烟感"),
        ("c1", "camera_event", "AI 视频"),
    ],
    "mining": [("d1", "slope", "边坡位移"), ("c1", "camera_event", "AI 视频(未戴安全帽)")],
    "crowded": [("s1", "smoke", "烟感"), ("f1", "fire", "火灾报警主机")],
}
STATIONS_PER_DISTRICT = 4


def seed(log: Callable[[str], Any] = print) -> None:
    from pingan.geo.models import Division
    from pingan.org.models import Department, Enterprise

    created = ensure_default_rules()
    log(f"monitoring: {created} default rules created")
    if Device.objects.filter(is_synthetic=True).exists():
        log(f"monitoring: demo devices already present ({Device.objects.filter(is_synthetic=True).count()})")
        return
    districts = list(Division.objects.filter(level="district", code__startswith="4418").order_by("code"))
    if not districts:
        log("monitoring: no districts yet (geo demo not seeded); skipping devices")
        return
    rng = random.Random(4418)
    depts = {
        d.code: d for d in Department.objects.filter(code__regex=r"^4418[0-9]{2}-(em|water|fire|traffic)$")
    }
    with transaction.atomic():
        n_sensors = 0
        # Enterprise controllers: the demo chemical company first, then others by industry.
        enterprises = list(
            Enterprise.objects.filter(is_synthetic=True, industry__in=ENTERPRISE_KIT.keys())
            .exclude(lat=None)
            .select_related("division")
            .order_by("-key_supervision", "id")[:60]
        )
        if not enterprises:
            log("monitoring: no demo enterprises yet (org demo not seeded); stations only")
        for i, ent in enumerate(enterprises):
            district_code = ent.division.code[:6]
            dept = depts.get(f"{district_code}-em") or depts.get(f"{district_code}-fire")
            dev = Device.objects.create(
                code=f"ENT-{i + 1:03d}",
                name=f"{ent.name[:40]} 监测主机",
                division=ent.division,
                enterprise=ent,
                department=dept,
                lat=ent.lat,
                lon=ent.lon,
                is_synthetic=True,
                model_name="演示 RTU",
            )
            for code, stype, name in ENTERPRISE_KIT[ent.industry]:
                _sensor(dev, code, stype, name, rng)
                n_sensors += 1
        # Rain and water-level stations in every district.
        for dist in districts:
            dept = depts.get(f"{dist.code}-water") or depts.get(f"{dist.code}-em")
            towns = list(
                Division.objects.filter(level="town", parent=dist).exclude(lat=None).order_by("code")
            )
            for k in range(STATIONS_PER_DISTRICT):
                where = towns[(k * 7) % len(towns)] if towns else dist
                dev = Device.objects.create(
                    code=f"RAIN-{dist.code}-{k + 1}",
                    name=f"{where.name}雨量水位站",
                    division=where,
                    department=dept,
                    lat=(where.lat or dist.lat),
                    lon=(where.lon or dist.lon),
                    is_synthetic=True,
                    model_name="演示遥测站",
                )
                _sensor(dev, "r1", "rainfall", f"{where.name}雨量", rng)
                _sensor(dev, "w1", "water_level", f"{where.name}河道水位", rng)
                n_sensors += 2
                if k == 0:
                    _sensor(dev, "v1", "wind", f"{where.name}风速", rng)
                    n_sensors += 1
            # A non-site enforcement point per district (traffic events).
            tdept = depts.get(f"{dist.code}-traffic") or dept
            dev = Device.objects.create(
                code=f"TRF-{dist.code}",
                name=f"{dist.name}非现场执法点",
                division=dist,
                department=tdept,
                lat=dist.lat,
                lon=dist.lon,
                is_synthetic=True,
            )
            _sensor(dev, "e1", "traffic_event", f"{dist.name}疲劳驾驶/超速抓拍", rng)
            n_sensors += 1
        policies = _policies(districts, depts)
    log(
        f"monitoring: {Device.objects.filter(is_synthetic=True).count()} demo devices, {n_sensors} sensors, "
        f"{policies} escalation policies (synthetic)"
    )


def _sensor(dev: Device, code: str, stype: str, name: str, rng: random.Random) -> Sensor:
    unit, lo, hi = TYPE_UNITS[stype]
    return Sensor.objects.create(
        device=dev,
        code=code,
        name=name,
        type=stype,
        unit=unit,
        min_value=lo,
        max_value=hi,
        division=dev.division,
        enterprise=dev.enterprise,
        department=dev.department,
        lat=round((dev.lat or 0) + rng.uniform(-0.002, 0.002), 6),
        lon=round((dev.lon or 0) + rng.uniform(-0.002, 0.002), 6),
        is_synthetic=True,
    )


def _policies(districts: list, depts: dict) -> int:
    """Per district: the duty roster of its emergency bureau at once (or its duty officers), the duty
    leader after 5 unacknowledged minutes, the bureau's staff after 10 more, repeated twice."""
    from pingan.org.models import User

    n = 0
    for dist in districts:
        em = depts.get(f"{dist.code}-em")
        policy = EscalationPolicy.objects.create(
            name=f"{dist.name} 监测报警升级(演示)", division=dist, repeat=2
        )
        s1 = EscalationStep.objects.create(
            policy=policy, order=1, delay_minutes=0, notify_on_duty=True, roles=[Role.DUTY_OFFICER]
        )
        EscalationStep.objects.create(policy=policy, order=2, delay_minutes=5, roles=[Role.DUTY_LEADER])
        EscalationStep.objects.create(policy=policy, order=3, delay_minutes=10, roles=[Role.DEPT_STAFF])
        if em is not None:
            s1.people.add(
                *User.objects.filter(department=em, role__in=[Role.DUTY_OFFICER, Role.DEPT_STAFF])[:3]
            )
        n += 1
    return n
