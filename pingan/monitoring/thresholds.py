"""Default rules per sensor type, as data with their source (docs/domain/: thresholds are data).

Each entry becomes a `Rule` row (monitoring.demo and the `sync_default_rules` step of the seed);
a city overrides them per sensor type or per sensor in the admin. Values marked [例] are examples to
be set by the city for its own plants and stations; [V2] was read in secondary copies of the source.
"""

from __future__ import annotations

EFFECTIVE_FROM = "2026-01-01"

# code, sensor type, kind, params, source
DEFAULT_RULES: list[dict] = [
    {
        "code": "gas-lel",
        "sensor_type": "gas_lel",
        "kind": "threshold",
        "name": "可燃气体浓度",
        "params": {
            "levels": [
                {"severity": 2, "on": 25, "off": 20, "label": "一级报警"},
                {"severity": 4, "on": 50, "off": 45, "label": "二级报警"},
            ]
        },
        "source": "GB/T 50493-2019《石油化工可燃气体和有毒气体检测报警设计标准》: 一级报警设定值 ≤ 25%LEL, "
        "二级 ≤ 50%LEL [V2]; 回差 5%LEL 为示例 [例]",
        "is_example": False,
    },
    {
        "code": "toxic-h2s",
        "sensor_type": "toxic_gas",
        "kind": "threshold",
        "name": "有毒气体浓度(硫化氢)",
        "params": {
            "levels": [
                {"severity": 2, "on": 6.6, "off": 5.0, "label": "一级报警 100%OEL"},
                {"severity": 4, "on": 13.2, "off": 11.0, "label": "二级报警 200%OEL"},
            ]
        },
        "source": "GB/T 50493-2019: 一级 ≤ 100%OEL, 二级 ≤ 200%OEL [V2]; 硫化氢 OEL(MAC 10 mg/m³ ≈ 6.6 ppm, "
        "GBZ 2.1) 换算为示例 [例], 按介质设定",
        "is_example": True,
    },
    {
        "code": "tank-level",
        "sensor_type": "tank_level",
        "kind": "threshold",
        "name": "储罐高液位",
        "params": {
            "levels": [
                {"severity": 2, "on": 8.5, "off": 8.3, "label": "高液位预警"},
                {"severity": 3, "on": 9.0, "off": 8.8, "label": "高高液位报警"},
            ]
        },
        "source": "示例,按储罐设计液位设定 [例]",
        "is_example": True,
    },
    {
        "code": "temperature",
        "sensor_type": "temperature",
        "kind": "threshold",
        "name": "温度超限",
        "params": {
            "levels": [
                {"severity": 2, "on": 60, "off": 55, "label": "预警"},
                {"severity": 3, "on": 80, "off": 75, "label": "报警"},
            ]
        },
        "source": "示例,按工艺设定 [例]",
        "is_example": True,
    },
    {
        "code": "pressure",
        "sensor_type": "pressure",
        "kind": "threshold",
        "name": "压力超限(持续 30 秒)",
        "params": {
            "levels": [
                {"severity": 2, "on": 1.6, "off": 1.5, "label": "预警"},
                {"severity": 3, "on": 2.0, "off": 1.9, "label": "报警"},
            ],
            "for_seconds": 30,
        },
        "source": "示例,按设备设计压力设定 [例]",
        "is_example": True,
    },
    {
        "code": "water-level",
        "sensor_type": "water_level",
        "kind": "threshold",
        "name": "水位超警戒",
        "params": {
            "levels": [
                {"severity": 2, "on": 10.0, "off": 9.8, "label": "超警戒水位"},
                {"severity": 4, "on": 12.0, "off": 11.8, "label": "超保证水位"},
            ],
            "for_samples": 2,
        },
        "source": "示例,各站警戒/保证水位由水文部门设定 [例]",
        "is_example": True,
    },
    {
        "code": "water-rise",
        "sensor_type": "water_level",
        "kind": "rate",
        "name": "水位陡涨",
        "params": {
            "levels": [{"severity": 2, "on": 0.05, "off": 0.03, "label": "陡涨(米/分钟)"}],
            "for_samples": 2,
        },
        "source": "示例 [例]",
        "is_example": True,
    },
    {
        "code": "rainstorm",
        "sensor_type": "rainfall",
        "kind": "accumulation",
        "name": "累计雨量(暴雨信号标准)",
        "params": {},
        "source": "国家暴雨预警信号标准 12h≥50 蓝 · 6h≥50 黄 · 3h≥50 橙 · 3h≥100 红 (docs/domain §8) [V2]; "
        "仅作预警参考,广东信号以发布为准",
        "is_example": False,
    },
    {
        "code": "wind",
        "sensor_type": "wind",
        "kind": "threshold",
        "name": "大风",
        "params": {
            "levels": [
                {"severity": 1, "on": 10.8, "off": 10.0, "label": "6 级"},
                {"severity": 2, "on": 17.2, "off": 16.0, "label": "8 级"},
                {"severity": 3, "on": 24.5, "off": 23.0, "label": "10 级"},
                {"severity": 4, "on": 32.7, "off": 31.0, "label": "12 级"},
            ]
        },
        "source": "GB/T 28591-2012《风力等级》风速下限 [V2]; 与信号等级对应为示例 [例]",
        "is_example": True,
    },
    {
        "code": "slope-rate",
        "sensor_type": "slope",
        "kind": "rate",
        "name": "边坡位移速率",
        "params": {
            "levels": [
                {"severity": 2, "on": 0.5, "off": 0.3, "label": "位移加速(毫米/分钟)"},
                {"severity": 4, "on": 2.0, "off": 1.5, "label": "临滑"},
            ],
            "direction": "both",
            "for_samples": 3,
        },
        "source": "示例 [例]",
        "is_example": True,
    },
    {
        "code": "smoke",
        "sensor_type": "smoke",
        "kind": "event",
        "name": "烟感报警",
        "params": {"severity": 3, "hold_seconds": 600},
        "source": "设备事件",
        "is_example": False,
    },
    {
        "code": "fire",
        "sensor_type": "fire",
        "kind": "event",
        "name": "火灾报警",
        "params": {"severity": 4, "hold_seconds": 600},
        "source": "设备事件",
        "is_example": False,
    },
    {
        "code": "traffic",
        "sensor_type": "traffic_event",
        "kind": "event",
        "name": "非现场执法事件",
        "params": {"severity": 2, "hold_seconds": 300},
        "source": "设备事件",
        "is_example": False,
    },
    {
        "code": "camera",
        "sensor_type": "camera_event",
        "kind": "event",
        "name": "AI 视频事件",
        "params": {"severity": 3, "hold_seconds": 300},
        "source": "设备事件",
        "is_example": False,
    },
]

# Every sensor type also gets a no-data rule (the device is offline). 10 minutes is an example [例].
NODATA_MINUTES = 10


def ensure_default_rules() -> int:
    """Create the default type rules (and a no-data rule per type) that do not exist yet. Existing
    rows are left as the city set them. Returns how many were created."""
    from datetime import date

    from .choices import SensorType
    from .models import Rule

    created = 0
    wanted = list(DEFAULT_RULES) + [
        {
            "code": "nodata",
            "sensor_type": t,
            "kind": "nodata",
            "name": "无数据(设备离线)",
            "params": {"nodata_minutes": NODATA_MINUTES, "severity": 2},
            "source": f"{NODATA_MINUTES} 分钟无数据视为离线,示例 [例]",
            "is_example": True,
        }
        for t in SensorType.values
    ]
    for row in wanted:
        _rule, made = Rule.objects.get_or_create(
            code=row["code"],
            sensor_type=row["sensor_type"],
            sensor=None,
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "params": row["params"],
                "source": row["source"],
                "is_example": row["is_example"],
                "effective_from": date.fromisoformat(EFFECTIVE_FROM),
            },
        )
        created += made
    return created
