"""Test helpers shared by every app: a small Qingyuan world with one person per role.

    world = make_world()
    world.user("area_staff")            # 清城区 staff
    world.user("area_staff", "yingde")  # 英德市 staff — must not see 清城区's objects

Geometry is two squares for the districts and smaller squares for their towns, so that point
look-ups have known answers:
  清城区 441802: lon 113.0–113.2, lat 23.6–23.8   town 441802006 凤城街道: lon 113.0–113.1
  英德市 441881: lon 113.3–113.5, lat 24.1–24.3   town 441881100 英城街道: lon 113.3–113.4
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pingan.geo.models import Division
from pingan.org.choices import DepartmentKind, Role, Sector
from pingan.org.models import Department, Enterprise, User

PASSWORD = "Pingan-test-2026!"


def square(lon0: float, lat0: float, lon1: float, lat1: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]],
    }


@dataclass
class World:
    city: Division
    districts: dict[str, Division]
    towns: dict[str, Division]
    departments: dict[str, Department]
    enterprises: dict[str, Enterprise]
    users: dict[tuple[str, str], User] = field(default_factory=dict)

    def user(self, role: str, area: str = "qingcheng") -> User:
        return self.users[(role, area)]


def make_world() -> World:
    from pingan.geo import lookup

    city = Division.objects.create(
        code="441800",
        name="清远市",
        level="city",
        geometry=square(112.0, 23.5, 114.0, 25.0),
        lat=24.0,
        lon=113.0,
    )
    qc = Division.objects.create(
        code="441802",
        name="清城区",
        level="district",
        parent=city,
        geometry=square(113.0, 23.6, 113.2, 23.8),
        lat=23.7,
        lon=113.1,
    )
    yd = Division.objects.create(
        code="441881",
        name="英德市",
        level="district",
        parent=city,
        geometry=square(113.3, 24.1, 113.5, 24.3),
        lat=24.2,
        lon=113.4,
    )
    qc_t = Division.objects.create(
        code="441802006",
        name="凤城街道",
        level="town",
        parent=qc,
        kind="街道",
        geometry=square(113.0, 23.6, 113.1, 23.8),
        lat=23.7,
        lon=113.05,
    )
    yd_t = Division.objects.create(
        code="441881100",
        name="英城街道",
        level="town",
        parent=yd,
        kind="街道",
        geometry=square(113.3, 24.1, 113.4, 24.3),
        lat=24.2,
        lon=113.35,
    )
    lookup.invalidate()

    def dept(
        code: str, name: str, sector: str, kind: str, division: Division, parent: Department | None = None
    ) -> Department:
        return Department.objects.create(
            code=code, name=name, sector=sector, kind=kind, division=division, parent=parent
        )

    d: dict[str, Department] = {}
    d["city_em"] = dept("441800-em", "清远市应急管理局", Sector.EMERGENCY, DepartmentKind.BUREAU, city)
    d["city_dispatch"] = dept(
        "441800-dispatch", "清远市安全隐患受理中心", Sector.DISPATCH, DepartmentKind.CENTRE, city
    )
    d["city_fire"] = dept("441800-fire", "清远市消防救援支队", Sector.FIRE, DepartmentKind.BUREAU, city)
    d["city_housing"] = dept(
        "441800-housing", "清远市住房和城乡建设局", Sector.HOUSING, DepartmentKind.BUREAU, city
    )
    d["qc_em"] = dept(
        "441802-em", "清城区应急管理局", Sector.EMERGENCY, DepartmentKind.BRANCH, qc, d["city_em"]
    )
    d["qc_fire"] = dept(
        "441802-fire", "清城区消防救援大队", Sector.FIRE, DepartmentKind.BRANCH, qc, d["city_fire"]
    )
    d["qc_town"] = dept("441802006-gov", "凤城街道办事处", Sector.GOVERNMENT, DepartmentKind.TOWNSHIP, qc_t)
    d["yd_em"] = dept(
        "441881-em", "英德市应急管理局", Sector.EMERGENCY, DepartmentKind.BRANCH, yd, d["city_em"]
    )
    d["yd_fire"] = dept(
        "441881-fire", "英德市消防救援大队", Sector.FIRE, DepartmentKind.BRANCH, yd, d["city_fire"]
    )
    d["yd_town"] = dept("441881100-gov", "英城街道办事处", Sector.GOVERNMENT, DepartmentKind.TOWNSHIP, yd_t)

    e: dict[str, Enterprise] = {}
    e["qingcheng"] = Enterprise.objects.create(
        name="清城测试化工有限公司",
        uscc="91350100M000100Y43",
        industry="hazchem",
        division=qc_t,
        lat=23.7,
        lon=113.05,
        key_supervision=True,
    )
    e["yingde"] = Enterprise.objects.create(
        name="英德测试建材有限公司",
        uscc="9144030071526726XG",
        industry="building_materials",
        division=yd_t,
        lat=24.2,
        lon=113.35,
    )
    e["qingcheng"].supervising_departments.add(d["qc_em"])
    e["yingde"].supervising_departments.add(d["yd_em"])

    world = World(
        city=city,
        districts={"qingcheng": qc, "yingde": yd},
        towns={"qingcheng": qc_t, "yingde": yd_t},
        departments=d,
        enterprises=e,
    )

    def person(
        username: str,
        role: str,
        area: str,
        division: Division | None,
        department: Department | None = None,
        enterprise: Enterprise | None = None,
    ) -> None:
        u = User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            division=division,
            department=department,
            enterprise=enterprise,
            display_name=username,
        )
        world.users[(role, area)] = u

    person("cityadmin", Role.CITY_ADMIN, "city", city, d["city_em"])
    person("dispatcher", Role.DEPT_STAFF, "city", city, d["city_dispatch"])
    for area, dist, town, em, fire, gov in (
        ("qingcheng", qc, qc_t, d["qc_em"], d["qc_fire"], d["qc_town"]),
        ("yingde", yd, yd_t, d["yd_em"], d["yd_fire"], d["yd_town"]),
    ):
        person(f"{area}_dept", Role.DEPT_STAFF, area, dist, em)
        person(f"{area}_area", Role.AREA_STAFF, area, dist, gov)
        person(f"{area}_grid", Role.GRID_WORKER, area, town, gov)
        person(f"{area}_inspector", Role.INSPECTOR, area, dist, em)
        person(f"{area}_duty", Role.DUTY_OFFICER, area, dist, em)
        person(f"{area}_leader", Role.DUTY_LEADER, area, dist, em)
        person(f"{area}_ent", Role.ENTERPRISE, area, None, enterprise=e[area])
        person(f"{area}_rescue", Role.RESCUE_LEAD, area, dist, fire)
    person("citizen", Role.PUBLIC, "city", None)
    person("integration", Role.INTEGRATION, "city", city)
    return world


# Every role a permission matrix must cover, as (role, area) keys of World.users.
MATRIX_PEOPLE = [
    ("city_admin", "city"),
    ("dept_staff", "qingcheng"),
    ("area_staff", "qingcheng"),
    ("grid_worker", "qingcheng"),
    ("inspector", "qingcheng"),
    ("duty_officer", "qingcheng"),
    ("duty_leader", "qingcheng"),
    ("enterprise", "qingcheng"),
    ("rescue_lead", "qingcheng"),
    ("public", "city"),
    ("integration", "city"),
    ("area_staff", "yingde"),
    ("dept_staff", "yingde"),
]


def pdf_text(body: bytes) -> str:
    """The text of a PDF fpdf2 wrote with an embedded (CJK) font, read back through the font's
    ToUnicode map: enough for tests to check what a report says without poppler or another library.
    One line per text run (Tj)."""
    import re
    import zlib

    assert body.startswith(b"%PDF"), "not a PDF"
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    cmap: dict[int, str] = {}
    for s in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", s, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def unescape(m: re.Match[bytes]) -> bytes:
        code = m.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8) & 0xFF])
        return escapes.get(code, code)

    lines = []
    for s in streams:
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", s, re.S):
            raw = re.sub(rb"\\([0-7]{1,3}|.)", unescape, literal, flags=re.S)
            lines.append(
                "".join(
                    cmap.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw) - 1, 2)
                )
            )
    return "\n".join(lines)
