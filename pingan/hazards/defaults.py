"""The default category tree and routing table: a starting point administrators edit in the console.

Time limits are [U] (docs/domain §7: per sub-type, values not confirmed): configurable defaults, not law.
Routing names sectors; each is resolved to the department of that sector in the case's area.
"""

from __future__ import annotations

# (code, name, English name, parent, general limit, major limit, unit, lead sector, co sectors, level)
CATEGORIES = [
    ("fire", "消防安全", "Fire safety", None, 5, 60, "working_days", "fire", ["government"], "district"),
    ("fire_exit", "疏散通道堵塞", "Blocked escape route", "fire", 1, 30, "working_days", None, None, None),
    (
        "fire_facility",
        "消防设施损坏",
        "Broken fire equipment",
        "fire",
        3,
        30,
        "working_days",
        None,
        None,
        None,
    ),
    (
        "ev_charging",
        "电动自行车违规充电",
        "Unsafe e-bike charging",
        "fire",
        8,
        30 * 8,
        "working_hours",
        "fire",
        ["government", "village"],
        "town",
    ),
    (
        "hazchem",
        "危险化学品",
        "Hazardous chemicals",
        None,
        3,
        60,
        "working_days",
        "emergency",
        ["fire"],
        "district",
    ),
    (
        "road_traffic",
        "道路交通",
        "Road traffic",
        None,
        5,
        60,
        "working_days",
        "traffic",
        ["police"],
        "district",
    ),
    ("road_damage", "道路设施损坏", "Damaged road", "road_traffic", 5, 60, "working_days", None, None, None),
    ("construction", "建筑施工", "Construction", None, 3, 60, "working_days", "housing", [], "district"),
    (
        "gas",
        "城镇燃气",
        "Town gas",
        None,
        8,
        30 * 8,
        "working_hours",
        "housing",
        ["fire", "market"],
        "district",
    ),
    (
        "special_equipment",
        "特种设备",
        "Special equipment (lifts, boilers)",
        None,
        5,
        60,
        "working_days",
        "market",
        [],
        "district",
    ),
    (
        "flood_geo",
        "防汛与地质灾害",
        "Floods and geological hazards",
        None,
        2,
        30,
        "working_days",
        "water",
        ["natural_resources", "government"],
        "district",
    ),
    (
        "geological",
        "地质灾害隐患点",
        "Landslide or collapse risk",
        "flood_geo",
        2,
        30,
        "working_days",
        "natural_resources",
        ["government"],
        "district",
    ),
    (
        "industry_trade",
        "工贸企业",
        "Industry and trade",
        None,
        5,
        60,
        "working_days",
        "emergency",
        [],
        "district",
    ),
    ("mining", "非煤矿山", "Non-coal mines", None, 5, 60, "working_days", "emergency", [], "city"),
    ("school", "学校安全", "Schools", None, 3, 30, "working_days", "education", ["fire"], "district"),
    (
        "crowded",
        "人员密集场所",
        "Crowded places",
        None,
        3,
        30,
        "working_days",
        "fire",
        ["market"],
        "district",
    ),
    ("other", "其他", "Other", None, 5, 60, "working_days", "government", [], "town"),
]


def ensure_defaults(Category=None, RoutingRule=None) -> int:  # noqa: N803 - models passed by migrations
    """Create the missing default categories and rules (idempotent). Returns how many were created."""
    if Category is None:
        from .models import Category, RoutingRule
    created = 0
    by_code = {c.code: c for c in Category.objects.all()}
    for order, (code, name, name_en, parent, general, major, unit, lead, co, level) in enumerate(CATEGORIES):
        if code in by_code:
            continue
        by_code[code] = Category.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            parent=by_code.get(parent) if parent else None,
            order=(order + 1) * 10,
            limit_general=general,
            limit_major=major,
            limit_unit=unit,
            limit_source="[U] 可配置默认值 configurable default",
        )
        created += 1
        if lead:
            RoutingRule.objects.get_or_create(
                category=by_code[code],
                level=level,
                grade="",
                defaults={"lead_sector": lead, "co_sectors": co or []},
            )
    return created
