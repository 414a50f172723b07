"""Helpers to build hazard cases in a given state through the real actions."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pingan.hazards import actions
from pingan.hazards.models import Category, HazardCase


def jpeg_with_gps(name: str = "gps.jpg") -> SimpleUploadedFile:
    """A small JPEG carrying EXIF with a GPS position (as phone cameras write it)."""
    img = Image.new("RGB", (64, 48), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (23.0, 42.0, 12.5), 3: "E", 4: (113.0, 3.0, 1.25)}  # GPSInfo
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def png(name: str = "p.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 255)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def submit(
    world: Any,
    *,
    category: str = "fire_exit",
    area: str = "qingcheng",
    grade: str | None = None,
    source: str = "console",
    reporter: Any = None,
    lat: float | None = None,
    lon: float | None = None,
    **kw: Any,
) -> HazardCase:
    reporter = reporter or world.user("grid_worker", area)
    if lat is None:
        lat, lon = (23.7, 113.05) if area == "qingcheng" else (24.2, 113.35)
    case, _ = actions.do_submit(
        reporter,
        source=source,
        title=kw.pop("title", "消防通道堵塞"),
        description=kw.pop("description", "楼道堆放杂物"),
        category=Category.objects.get(code=category),
        grade=grade,
        lat=lat,
        lon=lon,
        **kw,
    )
    return case


def to_state(world: Any, case: HazardCase, state: str, area: str = "qingcheng") -> HazardCase:
    """Walk a GENERAL case along the main path up to `state`."""
    dispatcher = world.user("dept_staff", "city")
    path = ["registered", "assigned", "rectifying", "awaiting_acceptance", "closed"]
    if case.state in path:
        path = path[path.index(case.state) + 1 :]
    for step in path:
        if case.state == state:
            break
        if step == "registered":
            case = actions.do_register(dispatcher, case)
        elif step == "assigned":
            case = actions.do_assign(dispatcher, case, co=[])
        elif step == "rectifying":
            case = actions.do_start(lead_person(world, case), case)
        elif step == "awaiting_acceptance":
            case = actions.do_submit_rectification(lead_person(world, case), case, note="已清理")
        elif step == "closed":
            case = actions.do_accept(dispatcher, case, note="现场核查合格")
    return case


def lead_person(world: Any, case: HazardCase) -> Any:
    from pingan.org.models import User

    return User.objects.filter(department=case.lead_department_id).order_by("id").first()


def major_ready(world: Any, area: str = "qingcheng") -> HazardCase:
    """A MAJOR case registered, planned, reported and its plan approved."""
    dispatcher = world.user("dept_staff", "city")
    case = submit(world, category="hazchem", area=area)
    case = actions.do_register(dispatcher, case, grade="major")
    actions.do_save_plan(dispatcher, case, PLAN)
    case = actions.do_report(
        dispatcher, case, current_state_cause="储罐区泄漏", harm_difficulty="危害大,需停产治理"
    )
    case = actions.do_approve_plan(dispatcher, case)
    return case


PLAN = {
    "goal_tasks": "消除泄漏",
    "methods": "更换阀门",
    "funding_materials": "20万元",
    "organisation_people": "设备部",
    "time_limit_requirements": "30日内",
    "deadline": dt.date(2027, 1, 31),
    "safety_emergency": "警戒、应急预案",
}
