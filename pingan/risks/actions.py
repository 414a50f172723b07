"""Every state change of the risk module: `check_*` validates (and asks permissions), `do_*` changes
rows in one transaction with its audit event. Rule errors become `ActionError`s naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require

from . import permissions, rules
from .choices import (
    CheckResult,
    Cycle,
    FilingState,
    MeasureKind,
    MhsGrade,
    ObjectKind,
    PointType,
    Post,
)
from .models import (
    Assessment,
    CheckRecord,
    CheckTask,
    Commitment,
    ControlMeasure,
    MajorHazardSource,
    MhsChemical,
    RiskEvent,
    RiskObject,
)

ACTION_LABELS = {
    "risks.object.create": gettext_lazy("登记风险对象"),
    "risks.object.assess": gettext_lazy("风险评估"),
    "risks.object.add_event": gettext_lazy("新增风险事件"),
    "risks.object.add_measure": gettext_lazy("新增管控措施"),
    "risks.object.add_task": gettext_lazy("新增排查任务"),
    "risks.task.record": gettext_lazy("排查记录"),
    "risks.task.overdue": gettext_lazy("排查超期"),
    "risks.mhs.create": gettext_lazy("重大危险源辨识"),
    "risks.mhs.file": gettext_lazy("重大危险源备案"),
    "risks.commitment.submit": gettext_lazy("提交安全承诺"),
    "risks.commitment.overdue": gettext_lazy("安全承诺超期"),
}

CHECK_KIND = "risks.check"
FILING_KIND = "risks.filing"
COMMITMENT_KIND = "risks.commitment"

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


@contextmanager
def rule_errors() -> Iterator[None]:
    """Rule errors surface as 400s naming the field."""
    try:
        yield
    except rules.RuleError as exc:
        raise ActionError(exc.message, field=exc.field, code=exc.code) from exc


def _required(value: Any, field: str, message: str) -> str:
    text = (str(value) if value is not None else "").strip()
    if not text:
        raise ActionError(message, field=field, code="required")
    return text


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ActionError(_("无效的选项"), field=field, code="invalid_choice")
    return value


# --- Risk objects ---------------------------------------------------------------------------------------
def check_create_object(
    actor: Any,
    *,
    kind: str,
    name: str,
    point_type: str,
    division: Any,
    enterprise: Any,
    lat: float | None,
    lon: float | None,
) -> Any:
    _choice(kind, ObjectKind, "kind")
    _choice(point_type, PointType, "point_type")
    _required(name, "name", _("请填写名称"))
    if kind == ObjectKind.ANALYSIS_UNIT:
        if enterprise is None:
            raise ActionError(_("企业风险分析单元须属于一个企业"), field="enterprise", code="required")
        division = enterprise.division
    elif lat is not None or lon is not None:
        from pingan.geo.lookup import require_in_city

        division = require_in_city(lat, lon, field="location")
    if division is None:
        raise ActionError(_("需要位置(纬度和经度)或所在区划"), field="location", code="required")
    draft = RiskObject(
        kind=kind, division=division, enterprise=enterprise if kind == ObjectKind.ANALYSIS_UNIT else None
    )
    require(actor, "risks.manage", draft, _("您不能在此登记风险对象"))
    return division


@transaction.atomic
def do_create_object(
    actor: Any,
    *,
    kind: str,
    name: str,
    point_type: str = PointType.OTHER,
    division: Any = None,
    enterprise: Any = None,
    department: Any = None,
    lat: float | None = None,
    lon: float | None = None,
    description: str = "",
    is_synthetic: bool = False,
) -> RiskObject:
    division = check_create_object(
        actor,
        kind=kind,
        name=name,
        point_type=point_type,
        division=division,
        enterprise=enterprise,
        lat=lat,
        lon=lon,
    )
    if department is None and kind == ObjectKind.CITY_POINT:
        department = getattr(actor, "department", None)
    obj = RiskObject.objects.create(
        kind=kind,
        point_type=point_type,
        name=name.strip(),
        description=description,
        division=division,
        enterprise=enterprise if kind == ObjectKind.ANALYSIS_UNIT else None,
        department=department,
        lat=lat,
        lon=lon,
        is_synthetic=is_synthetic,
    )
    audit.record(
        "risks.object.create",
        obj,
        actor=actor,
        after=snapshot(obj, ["kind", "point_type", "name", "division", "enterprise", "department"]),
    )
    return obj


def check_assess(actor: Any, obj: RiskObject, method: str, inputs: Mapping[str, Any]) -> rules.Grading:
    require(actor, "risks.assess", obj, _("您不能评估此风险对象"))
    with rule_errors():
        if method == "lec":
            return rules.lec(inputs.get("likelihood"), inputs.get("exposure"), inputs.get("consequence"))
        if method == "ls":
            return rules.ls(inputs.get("likelihood"), inputs.get("severity"))
    raise ActionError(_("无效的评估方法"), field="method", code="invalid_choice")


@transaction.atomic
def do_assess(
    actor: Any,
    obj: RiskObject,
    *,
    method: str,
    inputs: Mapping[str, Any],
    note: str = "",
    at: dt.datetime | None = None,
) -> Assessment:
    """A new assessment: the object takes its level (and the owning post of that level); the earlier
    assessments stay as the history."""
    grading = check_assess(actor, obj, method, inputs)
    obj = lock(obj)
    before = snapshot(obj, ["level", "owner_post"])
    at = at or timezone.now()
    row = Assessment.objects.create(
        risk_object=obj,
        method=method,
        inputs=grading.inputs,
        score=grading.score,
        band=grading.band_label,
        level=grading.level,
        table_version=grading.version,
        note=note,
        assessed_by=_person(actor),
        assessed_at=at,
    )
    old_level = obj.level
    obj.level = grading.level
    obj.owner_post = rules.control_for(grading.level)["post"]
    obj.assessed_at = at
    obj.save(update_fields=["level", "owner_post", "assessed_at"])
    moved = _follow_level(obj, old_level, grading.level, at)
    audit.record(
        "risks.object.assess",
        obj,
        actor=actor,
        before=before,
        after=snapshot(obj, ["level", "owner_post"])
        | {"method": method, "score": str(grading.score), "version": grading.version, "tasks": moved},
        note=note,
    )
    return row


def _follow_level(obj: RiskObject, old: str, new: str, at: dt.datetime) -> list[int]:
    """The level drives who checks how often: tasks still on the old level's default (post and
    cycle from LEVEL_CONTROL) move to the new level's; a tighter cycle brings the next check forward."""
    if old == new or old not in rules.LEVEL_COLOURS:
        return []
    was, now_ = rules.control_for(old), rules.control_for(new)
    moved = []
    for task in CheckTask.objects.select_for_update().filter(
        risk_object=obj, is_active=True, cycle=was["cycle"], every=was["every"], post=was["post"]
    ):
        task.cycle, task.every, task.post = now_["cycle"], now_["every"], now_["post"]
        due = rules.next_due(task.last_done_at or at, task.cycle, task.every)
        if due < task.next_due_at:
            task.next_due_at = max(due, at)
            deadlines.cancel(task, kind=CHECK_KIND)
            _open_check_deadline(task)
        task.save(update_fields=["cycle", "every", "post", "next_due_at"])
        moved.append(task.pk)
    return moved


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def do_add_event(actor: Any, obj: RiskObject, *, name: str, description: str = "") -> RiskEvent:
    require(actor, "risks.manage", obj, _("您不能维护此风险对象"))
    name = _required(name, "name", _("请填写风险事件"))
    event = RiskEvent.objects.create(risk_object=obj, name=name, description=description)
    audit.record("risks.object.add_event", obj, actor=actor, after={"event": event.pk, "name": name})
    return event


@transaction.atomic
def do_add_measure(actor: Any, event: RiskEvent, *, kind: str, description: str) -> ControlMeasure:
    require(actor, "risks.manage", event, _("您不能维护此风险对象"))
    _choice(kind, MeasureKind, "kind")
    description = _required(description, "description", _("请填写管控措施"))
    measure = ControlMeasure.objects.create(event=event, kind=kind, description=description)
    audit.record(
        "risks.object.add_measure",
        event.risk_object,
        actor=actor,
        after={"measure": measure.pk, "event": event.pk, "kind": kind},
    )
    return measure


def _task_title(task: CheckTask) -> str:
    return _("排查: %(task)s(%(object)s)") % {"task": task.name, "object": task.risk_object.name}


def _open_check_deadline(task: CheckTask) -> None:
    ro = task.risk_object
    deadlines.create(
        task,
        kind=CHECK_KIND,
        title=_task_title(task),
        due_at=task.next_due_at,
        remind_before=min(dt.timedelta(hours=2), (task.next_due_at - timezone.now()) / 2)
        if task.next_due_at > timezone.now()
        else None,
        division=ro.division,
        department=ro.department,
        assignee=task.assignee,
        data={"task": task.pk, "object": ro.pk},
    )


@transaction.atomic
def do_add_task(
    actor: Any,
    measure: ControlMeasure,
    *,
    name: str,
    cycle: str | None = None,
    every: Any = 1,
    post: str = "",
    assignee: Any = None,
    checklist: list[str] | None = None,
    first_due_at: dt.datetime | None = None,
) -> CheckTask:
    """A periodic check; without a cycle, the level's default from the control matrix (LEVEL_CONTROL)."""
    ro = measure.event.risk_object
    require(actor, "risks.manage", ro, _("您不能维护此风险对象"))
    name = _required(name, "name", _("请填写排查任务"))
    if not cycle and ro.level in rules.LEVEL_COLOURS:
        default = rules.control_for(ro.level)
        cycle, every, post = default["cycle"], default["every"], post or default["post"]
    if not cycle:
        raise ActionError(_("请选择检查周期"), field="cycle", code="required")
    _choice(cycle, Cycle, "cycle")
    if post:
        _choice(post, Post, "post")
    now = timezone.now()
    with rule_errors():
        due = first_due_at or rules.next_due(now, cycle, every)
    if assignee is not None and not RiskObject.objects.visible_to(assignee).filter(pk=ro.pk).exists():
        raise ActionError(_("责任人看不到此风险对象"), field="assignee", code="out_of_scope")
    checklist = [str(x).strip() for x in (checklist or []) if str(x).strip()]
    task = CheckTask.objects.create(
        measure=measure,
        risk_object=ro,
        name=name,
        cycle=cycle,
        every=int(every),
        post=post,
        assignee=assignee,
        checklist=checklist,
        next_due_at=due,
    )
    _open_check_deadline(task)
    audit.record(
        "risks.object.add_task",
        ro,
        actor=actor,
        after={"task": task.pk, "cycle": cycle, "every": int(every), "due": due},
    )
    return task


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


# --- Major hazard sources -------------------------------------------------------------------------
def check_declare_mhs(
    actor: Any,
    enterprise: Any,
    *,
    name: str,
    unit_kind: str,
    population: Any,
    chemicals: list[Mapping[str, Any]],
) -> rules.Identification:
    if enterprise is None:
        raise ActionError(_("请选择企业"), field="enterprise", code="required")
    require(actor, "risks.manage_mhs", enterprise, _("只能申报本单位的重大危险源"))
    _required(name, "name", _("请填写单元名称"))
    from .choices import UnitKind

    _choice(unit_kind, UnitKind, "unit_kind")
    with rule_errors():
        return rules.identify(chemicals, population)


@transaction.atomic
def do_declare_mhs(
    actor: Any,
    enterprise: Any,
    *,
    name: str,
    unit_kind: str,
    population: Any,
    population_on: dt.date | None = None,
    assessed_on: dt.date | None = None,
    chemicals: list[Mapping[str, Any]],
    principal_name: str = "",
    technical_name: str = "",
    operational_name: str = "",
    is_synthetic: bool = False,
) -> MajorHazardSource:
    """Identify and grade a unit (GB 18218); a major hazard source must be filed within 15 days."""
    ident = check_declare_mhs(
        actor, enterprise, name=name, unit_kind=unit_kind, population=population, chemicals=chemicals
    )
    today = timezone.localdate()
    assessed_on = assessed_on or today
    src = MajorHazardSource.objects.create(
        enterprise=enterprise,
        division=enterprise.division,
        name=name.strip(),
        unit_kind=unit_kind,
        population=ident.population,
        population_on=population_on or today,
        principal_name=principal_name,
        technical_name=technical_name,
        operational_name=operational_name,
        s_value=ident.s.quantize(Decimal("0.0001")),
        alpha=ident.alpha,
        r_value=ident.r.quantize(Decimal("0.0001")) if ident.r is not None else None,
        grade=str(ident.grade) if ident.grade else MhsGrade.NONE,
        computation=ident.as_dict(),
        table_version=ident.version,
        assessed_on=assessed_on,
        filing_state=FilingState.UNFILED if ident.is_major else FilingState.NOT_REQUIRED,
        filing_due=rules.filing_due(assessed_on) if ident.is_major else None,
        is_synthetic=is_synthetic,
    )
    MhsChemical.objects.bulk_create(
        [
            MhsChemical(
                source=src,
                chemical=s.name,
                category=s.category,
                quantity=s.quantity,
                critical_quantity=s.critical,
                beta=s.beta,
            )
            for s in ident.steps
        ]
    )
    if ident.is_major:
        _package_checks(actor, src)
        due = dt.datetime.combine(src.filing_due, dt.time(23, 59), tzinfo=timezone.get_current_timezone())
        deadlines.create(
            src,
            kind=FILING_KIND,
            title=_("重大危险源备案: %(name)s") % {"name": src.name},
            due_at=due,
            remind_before=dt.timedelta(days=3),
            division=src.division,
            data={"mhs": src.pk},
        )
    audit.record(
        "risks.mhs.create",
        src,
        actor=actor,
        after=snapshot(src, ["s_value", "r_value", "grade", "alpha", "filing_state", "table_version"]),
    )
    return src


def _package_checks(actor: Any, src: MajorHazardSource) -> None:
    """The major hazard source enters the dual-prevention chain as an analysis unit whose measure is
    the responsibility package (包保责任制), with the three named people's periodic checks."""
    unit = do_create_object(
        actor,
        kind=ObjectKind.ANALYSIS_UNIT,
        name=_("重大危险源: %(name)s") % {"name": src.name},
        point_type=PointType.STORAGE if src.unit_kind == "storage" else PointType.PROCESS,
        enterprise=src.enterprise,
        is_synthetic=src.is_synthetic,
    )
    src.risk_object = unit
    src.save(update_fields=["risk_object"])
    event = do_add_event(actor, unit, name=_("重大危险源失控"))
    measure = do_add_measure(actor, event, kind=MeasureKind.MANAGEMENT, description=_("包保责任制"))
    for post, cycle, title in rules.PACKAGE_CHECKS["checks"]:
        do_add_task(actor, measure, name=title, cycle=cycle, post=post)


@transaction.atomic
def do_file_mhs(actor: Any, src: MajorHazardSource, *, number: str = "") -> MajorHazardSource:
    require(actor, "risks.file_mhs", src, _("只能为本单位的重大危险源备案"))
    src = lock(src)
    if src.filing_state != FilingState.UNFILED:
        raise Conflict(_("该单元无需备案或已备案"), field="filing_state")
    before = snapshot(src, ["filing_state", "filed_at"])
    src.filing_state = FilingState.FILED
    src.filed_at = timezone.now()
    src.filing_number = (number or "").strip() or f"BA-{src.division.code[:6]}-{src.pk:05d}"
    src.save(update_fields=["filing_state", "filed_at", "filing_number"])
    deadlines.close(src, kind=FILING_KIND)
    audit.record(
        "risks.mhs.file",
        src,
        actor=actor,
        before=before,
        after=snapshot(src, ["filing_state", "filed_at", "filing_number"]),
    )
    return src


# --- The daily safety commitment ------------------------------------------------------------------
def required_enterprises() -> Any:
    """Enterprises that must commit daily: those with at least one major hazard source (§12)."""
    from pingan.org.models import Enterprise

    return Enterprise.objects.filter(
        is_active=True, major_hazard_sources__grade__in=["1", "2", "3", "4"]
    ).distinct()


def open_commitment_day(day: dt.date) -> int:
    """Create the day's commitment deadline of every required enterprise (idempotent)."""
    from django.contrib.contenttypes.models import ContentType

    from pingan.core.models import Deadline
    from pingan.org.models import Enterprise

    due = rules.commitment_due(day)
    ct = ContentType.objects.get_for_model(Enterprise)
    have = set(
        Deadline.objects.filter(kind=COMMITMENT_KIND, content_type=ct, data__day=day.isoformat()).values_list(
            "object_id", flat=True
        )
    )
    done = set(Commitment.objects.filter(day=day).values_list("enterprise_id", flat=True))
    made = 0
    for ent in required_enterprises().select_related("division"):
        if str(ent.pk) in have or ent.pk in done:
            continue
        deadlines.create(
            ent,
            kind=COMMITMENT_KIND,
            title=_("每日安全承诺: %(name)s") % {"name": ent.name},
            due_at=due,
            starts_at=min(timezone.now(), due),
            division=ent.division,
            remind_before=dt.timedelta(hours=1),
            data={"day": day.isoformat(), "enterprise": ent.pk},
        )
        made += 1
    return made


def check_submit_commitment(
    actor: Any, enterprise: Any, *, text: str, signed_by: str, special_work: Mapping[str, Any] | None
) -> dict[str, int]:
    require(actor, "risks.submit_commitment", enterprise, _("只能提交本单位的安全承诺"))
    _required(text, "text", _("请填写承诺内容"))
    _required(signed_by, "signed_by", _("请填写承诺人"))
    from .choices import SpecialWork

    counts: dict[str, int] = {}
    for key, value in (special_work or {}).items():
        if key not in SpecialWork.values:
            raise ActionError(_("未知的特殊作业类型"), field=f"special_work.{key}", code="invalid_choice")
        try:
            n = int(value)
        except (TypeError, ValueError):
            n = -1
        if n < 0 or str(n) != str(value).strip():
            raise ActionError(_("作业数量必须是非负整数"), field=f"special_work.{key}", code="min_value")
        counts[key] = n
    return counts


@transaction.atomic
def do_submit_commitment(
    actor: Any,
    enterprise: Any,
    *,
    text: str,
    signed_by: str,
    day: dt.date | None = None,
    units_running: int = 0,
    units_stopped: int = 0,
    units_maintenance: int = 0,
    special_work: Mapping[str, Any] | None = None,
    trial_production: bool = False,
    sources_state: str = "",
    at: dt.datetime | None = None,
) -> Commitment:
    counts = check_submit_commitment(
        actor, enterprise, text=text, signed_by=signed_by, special_work=special_work
    )
    at = at or timezone.now()
    day = day or timezone.localdate(at)
    if day > timezone.localdate(at):
        raise ActionError(_("不能提前提交以后日期的承诺"), field="day", code="future")
    try:
        with transaction.atomic():
            row = Commitment.objects.create(
                enterprise=enterprise,
                division=enterprise.division,
                day=day,
                submitted_at=at,
                submitted_by=_person(actor),
                on_time=rules.commitment_on_time(at, day),
                units_running=units_running,
                units_stopped=units_stopped,
                units_maintenance=units_maintenance,
                special_work=counts,
                trial_production=bool(trial_production),
                sources_state=sources_state,
                text=text.strip(),
                signed_by=signed_by.strip(),
            )
    except IntegrityError as exc:
        raise Conflict(_("本单位当日已提交承诺"), field="day") from exc
    from pingan.core.models import Deadline

    Deadline.objects.filter(
        kind=COMMITMENT_KIND,
        object_id=str(enterprise.pk),
        data__day=day.isoformat(),
        met_at=None,
        cancelled_at=None,
    ).update(met_at=at)
    audit.record(
        "risks.commitment.submit",
        row,
        actor=actor,
        after=snapshot(
            row, ["day", "on_time", "units_running", "units_stopped", "units_maintenance", "trial_production"]
        ),
    )
    return row


def task_url(task: CheckTask) -> str:
    return reverse("risks:task", args=[task.pk])
