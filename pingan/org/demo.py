"""Qingyuan demo organisations (idempotent): departments, the demo accounts, synthetic enterprises.

Needs the geo demo (divisions) first; seeds run in INSTALLED_APPS order, so geo comes before org.
Enterprises, their people and sites are SYNTHETIC (`is_synthetic=True`): invented names, valid but
made-up unified social credit codes, points inside their township's synthetic boundary.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from django.db import transaction

from pingan.core.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from pingan.geo.choices import Level
from pingan.geo.models import Division

from .choices import DepartmentKind, Industry, Role, Scale, Sector
from .models import Department, Enterprise, Site, User
from .rules import USCC_ALPHABET, uscc_check_char

CITY = "441800"

# sector → (code suffix, city bureau name, district branch name pattern)
SECTORS: list[tuple[str, str, str, str]] = [
    (Sector.EMERGENCY, "em", "清远市应急管理局", "%s应急管理局"),
    (Sector.FIRE, "fire", "清远市消防救援支队", "%s消防救援大队"),
    (Sector.POLICE, "police", "清远市公安局", "%s公安局"),
    (Sector.TRAFFIC, "traffic", "清远市交通运输局", "%s交通运输局"),
    (Sector.HOUSING, "housing", "清远市住房和城乡建设局", "%s住房和城乡建设局"),
    (Sector.MARKET, "market", "清远市市场监督管理局", "%s市场监督管理局"),
    (Sector.WATER, "water", "清远市水利局", "%s水利局"),
    (Sector.WEATHER, "weather", "清远市气象局", "%s气象局"),
    (Sector.NATURAL_RESOURCES, "nr", "清远市自然资源局", "%s自然资源局"),
    (Sector.EDUCATION, "edu", "清远市教育局", "%s教育局"),
    (Sector.HEALTH, "health", "清远市卫生健康局", "%s卫生健康局"),
    (Sector.ECOLOGY, "eco", "清远市生态环境局", "%s生态环境局"),
    (Sector.COURT, "court", "清远市中级人民法院", "%s人民法院"),
    (Sector.PROCURATORATE, "proc", "清远市人民检察院", "%s人民检察院"),
]
SECTOR_SHORT = {s: short for s, short, _, _ in SECTORS}

# Which district branches supervise an enterprise, by industry.
SUPERVISORS: dict[str, list[str]] = {
    Industry.HAZCHEM: [Sector.EMERGENCY, Sector.FIRE],
    Industry.MINING: [Sector.EMERGENCY, Sector.NATURAL_RESOURCES],
    Industry.METALLURGY: [Sector.EMERGENCY],
    Industry.NONFERROUS: [Sector.EMERGENCY],
    Industry.BUILDING_MATERIALS: [Sector.EMERGENCY],
    Industry.MACHINERY: [Sector.EMERGENCY],
    Industry.LIGHT: [Sector.EMERGENCY],
    Industry.TEXTILE: [Sector.EMERGENCY],
    Industry.TOBACCO: [Sector.EMERGENCY],
    Industry.TRADE: [Sector.EMERGENCY, Sector.MARKET],
    Industry.CONSTRUCTION: [Sector.HOUSING],
    Industry.TRANSPORT: [Sector.TRAFFIC],
    Industry.GAS: [Sector.HOUSING, Sector.FIRE],
    Industry.FIREWORKS: [Sector.EMERGENCY, Sector.POLICE],
    Industry.CROWDED: [Sector.FIRE, Sector.MARKET],
    Industry.TOURISM: [Sector.FIRE, Sector.EMERGENCY],
    Industry.OTHER: [Sector.EMERGENCY],
}

# Industry mix per county-level unit (relative weights; synthetic, after each area's economy:
# 清城 high-tech zone and commerce, 英德 cement/mining and its fine-chemical park, the north tourism
# and mining).
INDUSTRY_MIX: dict[str, dict[str, float]] = {
    "441802": {
        "machinery": 5,
        "light": 5,
        "trade": 6,
        "crowded": 6,
        "construction": 5,
        "gas": 2,
        "hazchem": 2,
        "transport": 3,
        "textile": 2,
        "metallurgy": 1,
        "other": 2,
    },
    "441803": {
        "building_materials": 3,
        "nonferrous": 3,
        "light": 4,
        "machinery": 2,
        "construction": 3,
        "crowded": 2,
        "tourism": 2,
        "hazchem": 1,
        "trade": 2,
        "transport": 2,
        "gas": 1,
    },
    "441821": {
        "light": 4,
        "textile": 3,
        "tourism": 3,
        "construction": 2,
        "crowded": 2,
        "trade": 2,
        "gas": 1,
        "machinery": 1,
    },
    "441823": {
        "mining": 4,
        "building_materials": 2,
        "tourism": 3,
        "light": 2,
        "construction": 2,
        "trade": 1,
        "transport": 1,
    },
    "441825": {"tourism": 3, "mining": 2, "light": 2, "construction": 1, "trade": 1},
    "441826": {"tourism": 3, "mining": 2, "light": 2, "construction": 1, "trade": 1},
    "441881": {
        "building_materials": 5,
        "mining": 4,
        "hazchem": 4,
        "tourism": 3,
        "light": 3,
        "construction": 3,
        "crowded": 2,
        "trade": 2,
        "metallurgy": 2,
        "fireworks": 1,
        "transport": 2,
        "gas": 1,
    },
    "441882": {
        "mining": 3,
        "tourism": 3,
        "building_materials": 2,
        "light": 2,
        "construction": 2,
        "trade": 1,
        "transport": 1,
        "gas": 1,
    },
}
ENTERPRISES_PER_DISTRICT = {
    "441802": 90,
    "441803": 55,
    "441821": 35,
    "441823": 35,
    "441825": 15,
    "441826": 15,
    "441881": 90,
    "441882": 35,
}

TRADE_NAMES = [
    "华南",
    "恒泰",
    "金源",
    "粤北",
    "北江",
    "鸿达",
    "宏盛",
    "嘉利",
    "瑞丰",
    "永安",
    "新兴",
    "广汇",
    "联创",
    "信达",
    "正邦",
    "天成",
    "东华",
    "盈富",
    "万通",
    "凯旋",
    "裕丰",
    "德润",
    "锦程",
    "长盛",
    "富源",
    "明达",
    "志成",
    "汇丰",
    "安泰",
    "润和",
    "同创",
    "百川",
    "宏图",
    "新锐",
    "旭日",
    "远航",
    "佳美",
    "兴旺",
]
INDUSTRY_WORDS: dict[str, list[str]] = {
    "hazchem": ["化工", "精细化工", "化学品", "工业气体"],
    "mining": ["矿业", "石场", "石材开采"],
    "metallurgy": ["钢铁", "金属制品", "铸造"],
    "nonferrous": ["有色金属", "再生资源", "铜业"],
    "building_materials": ["水泥", "陶瓷", "新型建材", "混凝土"],
    "machinery": ["机械", "机电设备", "汽车配件"],
    "light": ["食品", "纸业", "塑料制品", "家具"],
    "textile": ["纺织", "服装", "制衣"],
    "tobacco": ["烟叶"],
    "trade": ["商贸", "物流", "仓储"],
    "construction": ["建筑工程", "建设工程", "市政工程"],
    "transport": ["运输", "客运", "货运"],
    "gas": ["燃气", "液化石油气"],
    "fireworks": ["烟花爆竹"],
    "crowded": ["商业广场", "酒店", "购物中心"],
    "tourism": ["旅游开发", "漂流", "生态旅游"],
    "other": ["实业"],
}
SITE_WORDS: dict[str, list[str]] = {
    "construction": ["项目工地", "二期工地"],
    "mining": ["采区", "排土场"],
    "hazchem": ["储罐区", "仓库"],
    "gas": ["储配站", "瓶装供应站"],
    "tourism": ["游客中心", "景区"],
    "crowded": ["分店"],
}
SURNAMES = "陈李黄张刘林梁罗何郑谢邓冯曾彭朱吴钟徐赖"
GIVEN = [
    "伟",
    "芳",
    "敏",
    "强",
    "军",
    "洁",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "华",
    "丽",
    "斌",
    "静",
    "志强",
    "建华",
    "海燕",
    "国平",
    "晓东",
    "文杰",
    "少芬",
    "锦辉",
]
ROADS = ["工业大道", "创业路", "兴业路", "北江路", "环城路", "沿江路", "建设路", "人民路", "新城大道"]

KEY_INDUSTRIES = {"hazchem", "mining", "fireworks", "gas", "metallurgy"}


def _rng(key: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(key.encode()))


def make_uscc(rng: np.random.Generator, region: str) -> str:
    """A made-up but valid unified social credit code: 9 (企业) 1 (公司) + region + 9 + check."""
    body = "91" + region[:6] + "".join(USCC_ALPHABET[i] for i in rng.integers(0, 31, 9))
    return body + uscc_check_char(body)


def district_short(name: str) -> str:
    return name.replace("壮族瑶族自治县", "").replace("瑶族自治县", "")


def township_office_name(town: Division) -> str:
    kind = town.kind
    if kind == "街道":
        return f"{town.name}办事处"
    if kind in ("镇", "乡"):
        return f"{town.name}人民政府"
    if kind == "开发区":
        return f"{town.name}管理委员会"
    if kind == "保护区":
        return f"{town.name}管理局"
    return town.name


def seed(log: Callable[[str], Any] = print) -> None:
    city = Division.objects.filter(code=CITY).first()
    if city is None:
        log("no city division 441800 yet: run the geo demo first; skipped")
        return
    with transaction.atomic():
        seed_departments(city, log)
    with transaction.atomic():
        seed_enterprises(log)
    with transaction.atomic():
        seed_accounts(log)


def seed_departments(city: Division, log: Callable[[str], Any]) -> None:
    existing = set(Department.objects.values_list("code", flat=True))
    new: list[Department] = []

    def add(code: str, **kw: Any) -> None:
        if code not in existing:
            new.append(Department(code=code, **kw))
            existing.add(code)

    # City level: bureaus, the government office and the dispatch centre.
    add(
        f"{CITY}-gov",
        name="清远市人民政府办公室",
        short_name="市政府办",
        sector=Sector.GOVERNMENT,
        kind=DepartmentKind.BUREAU,
        division=city,
    )
    add(
        f"{CITY}-dispatch",
        name="清远市安全隐患受理中心",
        short_name="受理中心",
        sector=Sector.DISPATCH,
        kind=DepartmentKind.CENTRE,
        division=city,
        phone="0763-12345",
    )
    for sector, short, city_name, _pattern in SECTORS:
        add(
            f"{CITY}-{short}",
            name=city_name,
            sector=sector,
            kind=DepartmentKind.BUREAU,
            division=city,
            phone=f"0763-3{zlib.crc32(short.encode()) % 1_000_000:06d}",
        )
    Department.objects.bulk_create(new)
    by_code = {d.code: d for d in Department.objects.filter(division=city)}
    new = []
    districts = list(Division.objects.filter(level=Level.DISTRICT, path__startswith=city.path))
    for dist in districts:
        add(
            f"{dist.code}-gov",
            name=f"{dist.name}人民政府办公室",
            sector=Sector.GOVERNMENT,
            kind=DepartmentKind.BRANCH,
            division=dist,
            parent=by_code.get(f"{CITY}-gov"),
        )
        for sector, short, _city_name, pattern in SECTORS:
            add(
                f"{dist.code}-{short}",
                name=pattern % dist.name,
                sector=sector,
                kind=DepartmentKind.BRANCH,
                division=dist,
                parent=by_code.get(f"{CITY}-{short}"),
            )
    Department.objects.bulk_create(new)
    gov = {
        d.division_id: d
        for d in Department.objects.filter(sector=Sector.GOVERNMENT, kind=DepartmentKind.BRANCH)
    }
    new = []
    towns = list(
        Division.objects.filter(level=Level.TOWN, path__startswith=city.path).select_related("parent")
    )
    for town in towns:
        add(
            f"{town.code}-gov",
            name=township_office_name(town),
            sector=Sector.GOVERNMENT,
            kind=DepartmentKind.TOWNSHIP,
            division=town,
            parent=gov.get(town.parent_id),
        )
    Department.objects.bulk_create(new)
    township = {d.division_id: d for d in Department.objects.filter(kind=DepartmentKind.TOWNSHIP)}
    new = []
    for village in Division.objects.filter(level=Level.VILLAGE, path__startswith=city.path):
        suffix = "居民委员会" if village.kind == "社区" else "村民委员会"
        add(
            f"{village.code}-vc",
            name=f"{village.name}{suffix}",
            sector=Sector.VILLAGE,
            kind=DepartmentKind.VILLAGE,
            division=village,
            parent=township.get(village.parent_id),
        )
    Department.objects.bulk_create(new)
    log(f"departments: {Department.objects.count()} in all")


def _grid_index() -> tuple[Any, list[int], dict[int, str]]:
    rows = list(
        Division.objects.filter(level=Level.GRID).exclude(geometry=None).values_list("id", "code", "geometry")
    )
    geoms = [shapely.geometry.shape(g) for _, _, g in rows]
    return shapely.STRtree(geoms), [pk for pk, _, _ in rows], {pk: code for pk, code, _ in rows}


def seed_enterprises(log: Callable[[str], Any]) -> None:
    if Enterprise.objects.filter(is_synthetic=True).count() >= 300:
        log(f"enterprises already present ({Enterprise.objects.count()})")
        return
    tree, grid_ids, _ = _grid_index()
    depts = {
        (d.division.code, d.sector): d
        for d in Department.objects.filter(kind=DepartmentKind.BRANCH).select_related("division")
    }
    used_uscc = set(Enterprise.objects.values_list("uscc", flat=True))
    used_names = set(Enterprise.objects.values_list("name", flat=True))
    districts = {d.code: d for d in Division.objects.filter(level=Level.DISTRICT)}
    towns_by_district: dict[str, list[Division]] = {}
    for t in Division.objects.filter(level=Level.TOWN).exclude(geometry=None):
        towns_by_district.setdefault(t.code[:6], []).append(t)
    plans: list[tuple[Enterprise, list[str], list[Site]]] = []
    for dcode, count in ENTERPRISES_PER_DISTRICT.items():
        dist = districts.get(dcode)
        towns = towns_by_district.get(dcode)
        if dist is None or not towns:
            continue
        rng = _rng("enterprises-" + dcode)
        mix = INDUSTRY_MIX[dcode]
        industries = list(mix)
        weights = np.array([mix[i] for i in industries], dtype=float)
        town_w = np.array([max(t.population or 1, 1) ** 0.5 for t in towns], dtype=float)
        town_geoms = {t.pk: shapely.geometry.shape(t.geometry) for t in towns}
        for _n in range(count):
            industry = industries[rng.choice(len(industries), p=weights / weights.sum())]
            town = towns[rng.choice(len(towns), p=town_w / town_w.sum())]
            lon, lat = _point_in(town_geoms[town.pk], rng)
            hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
            division_id = grid_ids[int(hits[0])] if len(hits) else town.pk
            prefix = district_short(dist.name) if not dist.name.endswith("区") else "清远市"
            base = (
                f"{prefix}{TRADE_NAMES[rng.integers(len(TRADE_NAMES))]}{rng.choice(INDUSTRY_WORDS[industry])}"
            )
            name = base + "有限公司"
            k = 2
            while name in used_names:
                name = f"{base}{'一二三四五六七八九'[k % 9]}分公司" if k < 9 else f"{base}{k}号有限公司"
                k += 1
            used_names.add(name)
            uscc = make_uscc(rng, dcode)
            while uscc in used_uscc:
                uscc = make_uscc(rng, dcode)
            used_uscc.add(uscc)
            scale = [Scale.LARGE, Scale.MEDIUM, Scale.SMALL, Scale.MICRO][
                rng.choice(4, p=[0.05, 0.2, 0.5, 0.25])
            ]
            employees = {"large": 1000, "medium": 300, "small": 50, "micro": 8}[scale]
            key = bool(rng.random() < (0.35 if industry in KEY_INDUSTRIES else 0.05))
            person = SURNAMES[rng.integers(len(SURNAMES))] + GIVEN[rng.integers(len(GIVEN))]
            ent = Enterprise(
                name=name,
                uscc=uscc,
                industry=industry,
                scale=scale,
                address=f"清远市{dist.name}{town.name}{ROADS[rng.integers(len(ROADS))]}{int(rng.integers(1, 300))}号",  # noqa: E501
                lat=round(lat, 6),
                lon=round(lon, 6),
                division_id=division_id,
                key_supervision=key,
                legal_representative=person,
                principal=person,
                contact_phone=f"0763-{int(rng.integers(1_000_000, 9_999_999)):07d}",
                employees=int(employees * rng.uniform(0.5, 1.5)),
                is_synthetic=True,
            )
            sups = [f"{dcode}|{s}" for s in SUPERVISORS[industry]]
            sites: list[Site] = []
            if rng.random() < 0.3:
                words = SITE_WORDS.get(industry, ["一号厂区", "仓库"])
                for s in range(int(rng.integers(1, 4))):
                    slon, slat = _point_in(town_geoms[town.pk], rng)
                    hits = tree.query(shapely.Point(slon, slat), predicate="intersects")
                    sites.append(
                        Site(
                            name=f"{words[s % len(words)]}{'' if s < len(words) else s // len(words) + 1}",
                            address=f"{town.name}{ROADS[rng.integers(len(ROADS))]}",
                            lat=round(slat, 6),
                            lon=round(slon, 6),
                            division_id=grid_ids[int(hits[0])] if len(hits) else town.pk,
                        )
                    )
            plans.append((ent, sups, sites))
    Enterprise.objects.bulk_create([p[0] for p in plans], batch_size=200)
    by_uscc = dict(Enterprise.objects.values_list("uscc", "id"))
    through = Enterprise.supervising_departments.through
    links, sites_out = [], []
    for ent, sups, sites in plans:
        eid = by_uscc[ent.uscc]
        first = None
        for key in sups:
            dcode, sector = key.split("|")
            dept = depts.get((dcode, sector))
            if dept is not None:
                links.append(through(enterprise_id=eid, department_id=dept.pk))
                first = first or dept
        for site in sites:
            site.enterprise_id = eid
            site.supervising_department = first
            sites_out.append(site)
    through.objects.bulk_create(links, batch_size=500, ignore_conflicts=True)
    Site.objects.bulk_create(sites_out, batch_size=500)
    n_key = sum(1 for p in plans if p[0].key_supervision)
    log(f"enterprises: {len(plans)} synthetic ({n_key} key supervision), {len(sites_out)} sites")


def _point_in(geom: Any, rng: np.random.Generator) -> tuple[float, float]:
    x0, y0, x1, y1 = geom.bounds
    for _ in range(1000):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if shapely.contains_xy(geom, x, y):
            return float(x), float(y)
    p = geom.representative_point()
    return p.x, p.y


# Where each demo account sits: (division code, department code or None).
ACCOUNT_PLACES: dict[str, tuple[str | None, str | None]] = {
    "admin": (CITY, f"{CITY}-gov"),
    "city_admin": (CITY, f"{CITY}-gov"),
    "dispatcher": (CITY, f"{CITY}-dispatch"),
    "city_em": (CITY, f"{CITY}-em"),
    "qingcheng_staff": ("441802", "441802-gov"),
    "qingcheng_em": ("441802", "441802-em"),
    "yingde_staff": ("441881", "441881-gov"),
    "yingde_duty": ("441881", "441881-em"),
    "city_duty": (CITY, f"{CITY}-em"),
    "city_leader": (CITY, f"{CITY}-em"),
    "liannan_grid": ("441826100", None),  # resolved to the first grid of 三江镇 below
    "qingcheng_inspector": ("441802", "441802-em"),
    "enterprise_demo": (None, None),
    "rescue_lead": ("441882", "441882-fire"),
    "citizen": (None, None),
    "integration": (CITY, None),
}
ROLE_FOR = {"superuser": Role.CITY_ADMIN}
DEMO_ENTERPRISE = "清远演示化工有限公司"
DISPLAY_NAMES = {
    "admin": "系统管理员",
    "city_admin": "市级管理员",
    "dispatcher": "受理中心调度员",
    "city_em": "市应急局干部",
    "qingcheng_staff": "清城区工作人员",
    "qingcheng_em": "清城区应急局干部",
    "yingde_staff": "英德市工作人员",
    "yingde_duty": "英德市值班员",
    "city_duty": "市应急局值班员",
    "city_leader": "市应急局带班领导",
    "liannan_grid": "连南网格员",
    "qingcheng_inspector": "清城区执法人员",
    "enterprise_demo": "演示企业安全员",
    "rescue_lead": "连州救援队长",
    "citizen": "市民",
    "integration": "系统对接",
}


def demo_enterprise() -> Enterprise | None:
    """The hazchem enterprise the `enterprise_demo` account belongs to (created if missing)."""
    ent = Enterprise.objects.filter(name=DEMO_ENTERPRISE).first()
    if ent is not None:
        return ent
    town = (
        Division.objects.filter(code="441802400").first()
        or Division.objects.filter(code__startswith="441802", level=Level.TOWN).first()
    )
    if town is None:
        return None
    point = shapely.geometry.shape(town.geometry).representative_point()
    from pingan.geo import lookup

    division = lookup.locate(point.y, point.x) or town
    uscc = make_uscc(_rng("demo-enterprise"), "441802")
    ent = Enterprise.objects.create(
        name=DEMO_ENTERPRISE,
        uscc=uscc,
        industry=Industry.HAZCHEM,
        scale=Scale.MEDIUM,
        address=f"清远市清城区{town.name}创业路8号",
        lat=round(point.y, 6),
        lon=round(point.x, 6),
        division=division,
        key_supervision=True,
        legal_representative="陈志强",
        principal="陈志强",
        contact_phone="0763-3888001",
        employees=260,
        is_synthetic=True,
    )
    ent.supervising_departments.add(*Department.objects.filter(code__in=["441802-em", "441802-fire"]))
    Site.objects.create(
        enterprise=ent,
        name="储罐区",
        address=ent.address,
        lat=ent.lat,
        lon=ent.lon,
        division=division,
        supervising_department=Department.objects.filter(code="441802-em").first(),
    )
    return ent


def seed_accounts(log: Callable[[str], Any]) -> None:
    from rest_framework.authtoken.models import Token

    divisions = {
        d.code: d for d in Division.objects.filter(level__in=[Level.CITY, Level.DISTRICT, Level.TOWN])
    }
    departments = {
        d.code: d
        for d in Department.objects.filter(
            kind__in=[DepartmentKind.BUREAU, DepartmentKind.BRANCH, DepartmentKind.CENTRE]
        )
    }
    made = 0
    for username, role, _where in DEMO_ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        div_code, dept_code = ACCOUNT_PLACES.get(username, (None, None))
        division = divisions.get(div_code) if div_code else None
        department = departments.get(dept_code) if dept_code else None
        enterprise = None
        if username == "liannan_grid":
            grid = (
                Division.objects.filter(level=Level.GRID, code__startswith="441826100")
                .order_by("code")
                .first()
            )
            division = grid or division
            if grid is not None:
                department = Department.objects.filter(code=f"{grid.code[:12]}-vc").first()
        if role == Role.ENTERPRISE:
            enterprise = demo_enterprise()
            if enterprise is None:
                log("no demo enterprise possible (divisions missing); enterprise_demo skipped")
                continue
        user = User(
            username=username,
            role=ROLE_FOR.get(role, role),
            division=division,
            department=department,
            enterprise=enterprise,
            display_name=DISPLAY_NAMES.get(username, username),
            is_superuser=role == "superuser",
            is_staff=role == "superuser",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        made += 1
    integration = User.objects.filter(username="integration").first()
    if integration is not None:
        token, _ = Token.objects.get_or_create(user=integration)
        log(f"integration API token (demo): {token.key}")
    log(f"demo accounts: {made} created, password {DEMO_PASSWORD}")
