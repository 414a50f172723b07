"""The dual-prevention chain: a risk object (a city risk point or an enterprise's analysis unit),
its risk events, their control measures and the periodic check tasks of each measure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError
from pingan.core.audit import snapshot
from pingan.core.permissions import require

from .. import rules
from ..choices import Cycle, MeasureKind, ObjectKind, PointType, Post
from ..models import CheckTask, ControlMeasure, RiskEvent, RiskObject
from .common import _choice, _open_check_deadline, _required, rule_errors


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
