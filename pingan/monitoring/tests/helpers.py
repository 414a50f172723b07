"""Monitoring test data on top of core.testing.make_world()."""

from __future__ import annotations

from dataclasses import dataclass, field

from pingan.monitoring.choices import TYPE_UNITS
from pingan.monitoring.models import Device, Sensor
from pingan.monitoring.thresholds import ensure_default_rules


@dataclass
class Plant:
    devices: dict[str, Device] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    sensors: dict[str, Sensor] = field(default_factory=dict)


def make_plant(world) -> Plant:
    """A gas controller at each test enterprise, a rain gauge and a water-level station in 清城区."""
    ensure_default_rules()
    plant = Plant()

    def device(code, area, enterprise=True, department="qc_em"):
        ent = world.enterprises[area] if enterprise else None
        div = world.towns[area]
        d = Device(
            code=code,
            name=code,
            division=div,
            enterprise=ent,
            department=world.departments[department],
            lat=div.lat,
            lon=div.lon,
        )
        plant.tokens[code] = d.issue_token()
        d.save()
        plant.devices[code] = d
        return d

    def sensor(key, dev, code, stype, name):
        unit, lo, hi = TYPE_UNITS[stype]
        s = Sensor.objects.create(
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
            lat=dev.lat,
            lon=dev.lon,
        )
        plant.sensors[key] = s
        return s

    qc = device("QC-GAS-01", "qingcheng")
    sensor("gas", qc, "g1", "gas_lel", "1号罐区可燃气体")
    sensor("pressure", qc, "p1", "pressure", "1号反应釜压力")
    sensor("smoke", qc, "s1", "smoke", "仓库烟感")
    yd = device("YD-GAS-01", "yingde", department="yd_em")
    sensor("yd_gas", yd, "g1", "gas_lel", "英德可燃气体")
    rain = device("QC-RAIN-01", "qingcheng", enterprise=False)
    sensor("rain", rain, "r1", "rainfall", "凤城雨量站")
    sensor("water", rain, "w1", "water_level", "北江水位")
    return plant
