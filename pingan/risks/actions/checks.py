"""A check done: the record (with its photo), the next due check, and a finding that opens a case
in the hazard platform."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require

from .. import permissions, rules
from ..choices import CheckResult, ObjectKind, PointType
from ..models import CheckRecord, CheckTask
from .common import CHECK_KIND, _choice, _open_check_deadline, _person, rule_errors

# The hazard category a finding at each kind of risk point opens (hazard platform category codes).
FINDING_CATEGORY = {
    PointType.CROWDED: "crowded",
    PointType.CONSTRUCTION: "construction",
    PointType.SLOPE: "geological",
    PointType.WATERLOGGING: "flood_geo",
    PointType.OLD_BUILDING: "construction",
    PointType.GAS_STATION: "hazchem",
    PointType.BRIDGE: "road_damage",
    PointType.TUNNEL: "road_damage",
}


def check_record(actor: Any, task: CheckTask, *, result: str, note: str) -> None:
    require(actor, "risks.record_check", task, _("您不能记录此排查任务"))
    if not task.is_active:
        raise Conflict(_("排查任务已停用"), field="task")
    _choice(result, CheckResult, "result")
    if result == CheckResult.FINDING and not (note or "").strip():
        raise ActionError(_("发现问题时请说明情况"), field="note", code="required")


PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def check_photo(photo: Any) -> str:
    """Only real images of a reasonable size are kept (the file is served back to people later)."""
    from PIL import Image, UnidentifiedImageError

    if getattr(photo, "size", 0) > PHOTO_MAX_BYTES:
        raise ActionError(_("照片不能超过 10 MB"), field="photo", code="too_large")
    try:
        with Image.open(photo) as img:
            fmt = img.format or ""
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ActionError(_("照片须为 JPEG、PNG 或 WebP 图片"), field="photo", code="invalid_image") from exc
    finally:
        photo.seek(0)
    if fmt not in PHOTO_FORMATS:
        raise ActionError(_("照片须为 JPEG、PNG 或 WebP 图片"), field="photo", code="invalid_image")
    return fmt.lower().replace("jpeg", "jpg")


@transaction.atomic
def do_record_check(
    actor: Any,
    task: CheckTask,
    *,
    result: str,
    answers: Mapping[str, Any] | None = None,
    note: str = "",
    lat: float | None = None,
    lon: float | None = None,
    photo: Any = None,
    at: dt.datetime | None = None,
) -> CheckRecord:
    """A check done: closes the due check, schedules the next one, and a finding opens a hazard case
    in the hazard platform (linked back to this record)."""
    check_record(actor, task, result=result, note=note)
    extension = check_photo(photo) if photo is not None else ""
    task = lock(task)
    at = at or timezone.now()
    before = snapshot(task, ["next_due_at", "last_done_at"])
    ro = task.risk_object
    record = CheckRecord.objects.create(
        task=task,
        risk_object=ro,
        checked_by=_person(actor),
        checked_at=at,
        due_at=task.next_due_at,
        on_time=at <= task.next_due_at,
        result=result,
        answers=dict(answers or {}),
        note=note,
        lat=lat,
        lon=lon,
    )
    if photo is not None:
        record.photo.save(f"check-{record.pk}.{extension}", photo, save=True)
    deadlines.close(task, kind=CHECK_KIND, met_at=at)
    with rule_errors():
        task.next_due_at = rules.next_due(
            max(at, task.next_due_at) if record.on_time else at, task.cycle, task.every
        )
    task.last_done_at = at
    task.save(update_fields=["next_due_at", "last_done_at"])
    _open_check_deadline(task)
    after = snapshot(task, ["next_due_at", "last_done_at"]) | {
        "record": record.pk,
        "result": result,
        "on_time": record.on_time,
    }
    if result == CheckResult.FINDING:
        case = _open_case(actor, record)
        record.hazard_case_id, record.hazard_case_number = case.pk, case.number
        record.save(update_fields=["hazard_case_id", "hazard_case_number"])
        after["hazard_case"] = case.number
    audit.record("risks.task.record", task, actor=actor, before=before, after=after, note=note)
    return record


def _open_case(actor: Any, record: CheckRecord) -> Any:
    from pingan.hazards.services import create_case_from_source

    ro = record.risk_object
    if ro.kind == ObjectKind.ANALYSIS_UNIT:
        category = "hazchem" if ro.enterprise and ro.enterprise.industry == "hazchem" else "industry_trade"
    else:
        category = FINDING_CATEGORY.get(ro.point_type, "other")
    lat, lon = (
        (record.lat, record.lon) if record.lat is not None and record.lon is not None else (ro.lat, ro.lon)
    )
    try:
        return create_case_from_source(
            actor=actor,
            source=permissions.hazard_source_for(actor, ro),
            title=_("排查发现问题: %(object)s") % {"object": ro.name},
            description=_("排查任务「%(task)s」发现: %(note)s")
            % {"task": record.task.name, "note": record.note},
            category_code=category,
            lat=lat,
            lon=lon,
            division=ro.division if lat is None else None,
            enterprise=ro.enterprise,
            origin_obj=record,
        )
    except ActionError as exc:
        if exc.field == "location":  # the recorded position is outside the city: use the object's
            return create_case_from_source(
                actor=actor,
                source=permissions.hazard_source_for(actor, ro),
                title=_("排查发现问题: %(object)s") % {"object": ro.name},
                description=record.note,
                category_code=category,
                division=ro.division,
                enterprise=ro.enterprise,
                origin_obj=record,
            )
        raise


def task_url(task: CheckTask) -> str:
    return reverse("risks:task", args=[task.pk])
