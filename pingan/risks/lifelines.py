"""City lifelines (城市生命线): the monitoring templates as data, with their sources.

A template names the sensors an asset of a kind gets and the rules each sensor carries. Applying it
(`actions.do_apply_template`) creates the device, its sensors and their rules in the monitoring module
in one step (`pingan.monitoring.services.provision`). A template rule with the `code` of a type rule
of the monitoring module (`gas-lel`, `pressure`, `water-level`, `water-rise`, `slope-rate`) replaces it
for that sensor (a river's warning level is no waterlogging depth); `enabled: False` switches the type
rule off for the sensor.

Thresholds marked [例] are examples for the city and the operator to set per asset; the rest name
their standard. Sensor types are the monitoring module's, bridge strain (`strain`, με) and deflection
(`deflection`, mm) included.

Pure data: no ORM imports.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EFFECTIVE_FROM = "2026-01-01"

# Lifeline kind → the risk point type its checks are kept under in the dual-prevention chain.
KIND_POINT_TYPE = {
    "gas_pipeline": "other",
    "gas_station": "gas_station",
    "bridge": "bridge",
    "water_supply": "other",
    "drainage": "waterlogging",
    "waterlogging": "waterlogging",
    "heating": "other",
    "utility_tunnel": "tunnel",
}

# Kind → (event, measure kind, measure, check, cycle) of the chain an asset enters with.
KIND_CHAIN = {
    "gas_pipeline": (
        "燃气泄漏爆炸",
        "engineering",
        "管网可燃气体与压力监测、巡线",
        "巡线检查窨井与标志桩",
        "weekly",
    ),
    "gas_station": ("场站泄漏火灾", "engineering", "可燃气体报警与紧急切断", "检查报警器与切断阀", "weekly"),
    "bridge": ("桥梁结构损伤", "engineering", "结构健康监测与限载", "检查支座、伸缩缝与护栏", "monthly"),
    "water_supply": (
        "爆管停水",
        "engineering",
        "管网压力监测与分区计量",
        "巡检阀门井与压力异常点",
        "monthly",
    ),
    "drainage": ("管网满溢", "engineering", "管网液位监测与清疏", "检查检查井与排口", "monthly"),
    "waterlogging": ("道路积水", "emergency", "积水监测、泵站与封闭预案", "检查排水泵与警示设施", "weekly"),
    "heating": ("热力管道爆裂", "engineering", "供热管网温度压力监测", "巡检补偿器与检查室", "monthly"),
    "utility_tunnel": (
        "管廊内燃气泄漏或进水",
        "engineering",
        "舱室环境与集水坑监测",
        "巡检舱室与通风排水设施",
        "weekly",
    ),
}


def _levels(*rows: tuple[int, float, float, str]) -> list[dict[str, Any]]:
    return [{"severity": s, "on": on, "off": off, "label": label} for s, on, off, label in rows]


GAS_LEL_RULE = {
    "code": "gas-lel",
    "name": "窨井/舱室可燃气体浓度",
    "kind": "threshold",
    "params": {"levels": _levels((2, 10, 8, "低限报警"), (4, 25, 20, "高限报警")), "for_samples": 2},
    "source": "GB/T 50493-2019 一级报警 ≤ 25%LEL [V2]; 地下空间 10%LEL 低限与连续 2 次确认为示例 [例]",
    "is_example": True,
}
PRESSURE_DROP_RULE = {
    "code": "pressure-drop",
    "name": "管道压力骤降(疑似爆管或泄漏)",
    "kind": "rate",
    "params": {
        "levels": _levels((3, -0.02, -0.01, "压降(兆帕/分钟)"), (4, -0.05, -0.03, "急剧压降")),
        "direction": "below",
        "for_samples": 2,
    },
    "source": "示例,按管网运行压力与历史波动设定 [例]",
    "is_example": True,
}

TEMPLATES: dict[str, dict[str, Any]] = {
    "gas_manhole": {
        "name": gettext_lazy("燃气管网窨井可燃气体"),
        "kinds": ("gas_pipeline", "gas_station"),
        "sensors": [
            {
                "code": "lel1",
                "type": "gas_lel",
                "name": "窨井可燃气体 1",
                "unit": "%LEL",
                "range": (0, 100),
                "rules": [GAS_LEL_RULE],
            },
            {
                "code": "lel2",
                "type": "gas_lel",
                "name": "窨井可燃气体 2",
                "unit": "%LEL",
                "range": (0, 100),
                "rules": [GAS_LEL_RULE],
            },
        ],
    },
    "gas_pressure": {
        "name": gettext_lazy("燃气管道压力与压降"),
        "kinds": ("gas_pipeline", "gas_station"),
        "sensors": [
            {
                "code": "p1",
                "type": "pressure",
                "name": "中压管道压力",
                "unit": "MPa",
                "range": (0, 1.6),
                "rules": [
                    {
                        "code": "pressure",
                        "name": "中压管道超压",
                        "kind": "threshold",
                        "params": {
                            "levels": _levels((2, 0.42, 0.40, "超压预警"), (3, 0.44, 0.42, "超压报警")),
                            "for_seconds": 30,
                        },
                        "source": "中压 A 级 ≤ 0.4 MPa (GB 50028-2006 表 6.1.6) [V2]; "
                        "1.05/1.1 倍设定为示例 [例]",
                        "is_example": True,
                    },
                    PRESSURE_DROP_RULE,
                ],
            },
        ],
    },
    "utility_tunnel": {
        "name": gettext_lazy("综合管廊燃气舱与集水坑"),
        "kinds": ("utility_tunnel",),
        "sensors": [
            {
                "code": "lel1",
                "type": "gas_lel",
                "name": "燃气舱可燃气体",
                "unit": "%LEL",
                "range": (0, 100),
                "rules": [GAS_LEL_RULE],
            },
            {
                "code": "sump",
                "type": "water_level",
                "name": "集水坑水位",
                "unit": "m",
                "range": (0, 5),
                "rules": [
                    {
                        "code": "water-level",
                        "name": "集水坑高水位",
                        "kind": "threshold",
                        "params": {"levels": _levels((2, 0.8, 0.7, "高水位"), (3, 1.2, 1.1, "超高水位"))},
                        "source": "示例,按集水坑深度与排水泵启停水位设定 [例]",
                        "is_example": True,
                    },
                    {
                        "code": "water-rise",
                        "name": "集水坑水位陡涨",
                        "kind": "rate",
                        "params": {},
                        "source": "",
                        "is_example": True,
                        "enabled": False,
                    },
                ],
            },
        ],
    },
    "bridge": {
        "name": gettext_lazy("桥梁应变与挠度"),
        "kinds": ("bridge",),
        "sensors": [
            {
                "code": "st1",
                "type": "strain",
                "name": "主梁跨中应变",
                "unit": "με",
                "range": (-3000, 3000),
                "rules": [
                    {
                        "code": "bridge-strain",
                        "name": "主梁应变超限",
                        "kind": "threshold",
                        "params": {
                            "levels": _levels(
                                (2, 250, 230, "黄色预警"),
                                (3, 350, 330, "橙色报警"),
                                (4, 450, 430, "红色报警"),
                            ),
                            "for_samples": 3,
                        },
                        "source": "示例,按设计荷载下计算应变的 70%/100%/130% 设定 [例] "
                        "(CJJ 99-2017 城市桥梁养护)",
                        "is_example": True,
                    },
                ],
            },
            {
                "code": "df1",
                "type": "deflection",
                "name": "主梁跨中挠度",
                "unit": "mm",
                "range": (-500, 500),
                "rules": [
                    {
                        "code": "bridge-deflection",
                        "name": "主梁挠度超限",
                        "kind": "threshold",
                        "params": {
                            "levels": _levels(
                                (2, 30, 28, "黄色预警"),
                                (3, 40, 38, "橙色报警(约 L/800)"),
                                (4, 50, 48, "红色报警(约 L/600)"),
                            ),
                            "for_samples": 3,
                        },
                        "source": "示例,按跨径 L 的挠度限值 L/600 (JTG 3362-2018 第 6.5 节) 折算 [例]",
                        "is_example": True,
                    },
                ],
            },
        ],
    },
    "waterlogging": {
        "name": gettext_lazy("易涝点积水深度"),
        "kinds": ("waterlogging", "drainage"),
        "sensors": [
            {
                "code": "wd1",
                "type": "water_level",
                "name": "路面积水深度",
                "unit": "m",
                "range": (0, 3),
                "rules": [
                    {
                        "code": "water-level",
                        "name": "积水深度",
                        "kind": "threshold",
                        "params": {
                            "levels": _levels(
                                (2, 0.15, 0.12, "15 厘米 黄"),
                                (3, 0.27, 0.24, "27 厘米 橙"),
                                (4, 0.5, 0.45, "50 厘米 红(封闭道路)"),
                            ),
                            "for_samples": 2,
                        },
                        "source": "示例,常用城市道路积水分级 15/27/50 厘米 [例]; 按易涝点与车辆通行设定",
                        "is_example": True,
                    },
                    {
                        "code": "water-rise",
                        "name": "积水陡涨",
                        "kind": "rate",
                        "params": {"levels": _levels((2, 0.02, 0.01, "积水上涨(米/分钟)")), "for_samples": 2},
                        "source": "示例 [例]",
                        "is_example": True,
                    },
                ],
            },
        ],
    },
    "drainage": {
        "name": gettext_lazy("排水管网液位"),
        "kinds": ("drainage",),
        "sensors": [
            {
                "code": "dl1",
                "type": "water_level",
                "name": "检查井液位",
                "unit": "m",
                "range": (0, 10),
                "rules": [
                    {
                        "code": "water-level",
                        "name": "管网液位(充满度)",
                        "kind": "threshold",
                        "params": {
                            "levels": _levels(
                                (2, 1.2, 1.1, "充满度 80%"), (3, 1.5, 1.4, "满管"), (4, 2.0, 1.9, "溢流风险")
                            )
                        },
                        "source": "示例,按管径 1.5 米与井深设定 [例] (GB 50014-2021 最大设计充满度) [V2]",
                        "is_example": True,
                    },
                    {
                        "code": "water-rise",
                        "name": "液位陡涨",
                        "kind": "rate",
                        "params": {"levels": _levels((2, 0.05, 0.03, "液位上涨(米/分钟)")), "for_samples": 2},
                        "source": "示例 [例]",
                        "is_example": True,
                    },
                ],
            },
        ],
    },
    "water_supply": {
        "name": gettext_lazy("供水管网压力与压降"),
        "kinds": ("water_supply",),
        "sensors": [
            {
                "code": "p1",
                "type": "pressure",
                "name": "供水管网压力",
                "unit": "MPa",
                "range": (0, 1.6),
                "rules": [
                    {
                        "code": "pressure",
                        "name": "供水压力过低",
                        "kind": "threshold",
                        "params": {
                            "levels": _levels((2, 0.16, 0.18, "低压预警"), (3, 0.12, 0.14, "低压报警")),
                            "direction": "below",
                            "for_seconds": 60,
                        },
                        "source": "示例,城镇供水最低服务水压 0.14–0.28 MPa (CJJ 207-2013) [V2],取值 [例]",
                        "is_example": True,
                    },
                    PRESSURE_DROP_RULE,
                ],
            },
        ],
    },
    "heating": {
        "name": gettext_lazy("供热管网温度与压力"),
        "kinds": ("heating",),
        "sensors": [
            {
                "code": "t1",
                "type": "temperature",
                "name": "供水温度",
                "unit": "°C",
                "range": (-20, 200),
                "rules": [
                    {
                        "code": "temperature",
                        "name": "供水温度超限",
                        "kind": "threshold",
                        "params": {"levels": _levels((2, 125, 120, "预警"), (3, 135, 130, "报警"))},
                        "source": "示例,按设计供水温度 130 °C 设定 [例] (CJJ 34-2010)",
                        "is_example": True,
                    },
                ],
            },
            {
                "code": "p1",
                "type": "pressure",
                "name": "供水压力",
                "unit": "MPa",
                "range": (0, 2.5),
                "rules": [PRESSURE_DROP_RULE],
            },
        ],
    },
    # Not a lifeline: the usual sensors of a major hazard source (storage tanks and their area).
    "mhs": {
        "name": gettext_lazy("重大危险源储罐区(液位、压力、温度、可燃气体)"),
        "kinds": ("mhs",),
        "sensors": [
            {
                "code": "l1",
                "type": "tank_level",
                "name": "储罐液位",
                "unit": "m",
                "range": (0, 50),
                "rules": [],
            },
            {
                "code": "p1",
                "type": "pressure",
                "name": "储罐压力",
                "unit": "MPa",
                "range": (-0.1, 100),
                "rules": [],
            },
            {
                "code": "k1",
                "type": "temperature",
                "name": "储罐温度",
                "unit": "°C",
                "range": (-60, 1500),
                "rules": [],
            },
            {
                "code": "g1",
                "type": "gas_lel",
                "name": "罐区可燃气体",
                "unit": "%LEL",
                "range": (0, 100),
                "rules": [],
            },
        ],
    },
}


def templates_for(kind: str) -> list[tuple[str, str]]:
    """(code, name) of the templates that fit an asset of this kind ("mhs" for a major hazard source)."""
    return [(code, str(t["name"])) for code, t in TEMPLATES.items() if kind in t["kinds"]]


def sensor_specs(template: str) -> list[dict[str, Any]]:
    """The sensors of a template in the shape `pingan.monitoring.services.provision` takes."""
    out = []
    for s in TEMPLATES[template]["sensors"]:
        lo, hi = s["range"]
        out.append(
            {
                "code": s["code"],
                "type": s["type"],
                "name": s["name"],
                "unit": s["unit"],
                "min_value": lo,
                "max_value": hi,
                "rules": [dict(r) for r in s["rules"]],
            }
        )
    return out


class GeometryError(ValueError):
    """A line geometry that cannot be used; `message` says why (the field is `geometry`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_line(raw: Any) -> dict[str, Any] | None:
    """A GeoJSON LineString or MultiLineString (WGS-84 [lon, lat] positions) from a dict or JSON text;
    None when empty. Raises GeometryError with a translated message."""
    import json

    if raw in (None, "", {}):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise GeometryError(_("线路走向不是有效的 GeoJSON")) from exc
    if not isinstance(raw, dict) or raw.get("type") not in ("LineString", "MultiLineString"):
        raise GeometryError(_("线路走向须为 GeoJSON LineString 或 MultiLineString"))
    lines = [raw.get("coordinates")] if raw["type"] == "LineString" else raw.get("coordinates")
    if not isinstance(lines, list) or not lines:
        raise GeometryError(_("线路走向缺少坐标"))
    clean = []
    for line in lines:
        if not isinstance(line, list) or len(line) < 2:
            raise GeometryError(_("每条线至少需要两个点"))
        pts = []
        for pos in line:
            try:
                lon, lat = float(pos[0]), float(pos[1])
            except (TypeError, ValueError, IndexError) as exc:
                raise GeometryError(_("坐标须为 [经度, 纬度]")) from exc
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise GeometryError(_("坐标超出经纬度范围"))
            pts.append([round(lon, 7), round(lat, 7)])
        clean.append(pts)
    if raw["type"] == "LineString":
        return {"type": "LineString", "coordinates": clean[0]}
    return {"type": "MultiLineString", "coordinates": clean}


def midpoint(geometry: dict[str, Any]) -> tuple[float, float]:
    """(lat, lon) of the middle vertex of the (first) line: the asset's representative point."""
    line = geometry["coordinates"] if geometry["type"] == "LineString" else geometry["coordinates"][0]
    lon, lat = line[len(line) // 2]
    return lat, lon
