"""Every state change of the rescue module: check_*() validates, do_*() changes rows atomically,
writes the audit event and schedules side effects on commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock, on_commit
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.geo import lookup

from . import engine, network, rules
from .choices import (
    ACTIVE_MOBILISATION,
    Capability,
    MobilisationState,
    NetworkSource,
    RunStatus,
    SitingMethod,
    TeamStatus,
)
from .models import CoverageRun, Mobilisation, RoadNetwork, SitingRun, Team
from .permissions import TOLD_OF_REQUESTS

S = MobilisationState


# --- mobilisation -----------------------------------------------------------------------------
def check_request(
    actor: Any, team: Team, *, title: str, lat: Any, lon: Any, capabilities: Sequence[str]
) -> Any:
    require(actor, "rescue.request", team, _("只有值班、应急部门人员可以请求调用救援队伍"))
    if not (title or "").strip():
        raise ActionError(_("请填写事件名称"), field="title", code="required")
    bad = [c for c in capabilities if c not in Capability.values]
    if bad:
        raise ActionError(_("未知的救援能力:%(v)s") % {"v": ", ".join(bad)}, field="capabilities")
    division = lookup.require_in_city(lat, lon, field="location")
    if team.status == TeamStatus.UNAVAILABLE:
        raise ActionError(_("该队伍当前不可调用"), field="team", code="unavailable")
    return division


@transaction.atomic
def do_request(
    actor: Any,
    team: Team,
    *,
    title: str,
    lat: float,
    lon: float,
    capabilities: Sequence[str] = (),
    eta_minutes: float | None = None,
    note: str = "",
    incident: Any = None,
) -> Mobilisation:
    division = check_request(actor, team, title=title, lat=lat, lon=lon, capabilities=capabilities)
    team = lock(team)
    existing = Mobilisation.objects.filter(
        team=team, title=title.strip(), state__in=ACTIVE_MOBILISATION
    ).first()
    if existing:
        return existing  # a second click asks for the same thing: nothing new
    now = timezone.now()
    try:
        with transaction.atomic():
            mob = Mobilisation.objects.create(
                team=team,
                incident=incident,
                division=division,
                title=title.strip(),
                lat=float(lat),
                lon=float(lon),
                capabilities=list(capabilities),
                eta_minutes=eta_minutes,
                requested_by=actor,
                requested_at=now,
                state_changed_at=now,
                state_changed_by=actor,
                note=note,
            )
    except IntegrityError as exc:
        raise Conflict(_("该队伍已被请求处置此事件"), field="team") from exc
    audit.record(
        "rescue.mobilisation.request",
        mob,
        actor=actor,
        after=snapshot(mob, ["team", "state", "title", "eta_minutes"]),
        note=note,
    )
    _notify_team(mob, _("救援调用请求:%(t)s") % {"t": mob.title})
    return mob


def check_transition(actor: Any, mob: Mobilisation, to: str) -> None:
    require(actor, "rescue.transition", mob, _("无权变更队伍调用状态"))
    if to not in S.values:
        raise ActionError(_("未知状态"), field="state", code="invalid_choice")
    if not rules.may_move(mob.state, to):
        raise ActionError(
            _("不能从“%(a)s”变为“%(b)s”") % {"a": S(mob.state).label, "b": S(to).label},
            field="state",
            code="invalid_transition",
        )


@transaction.atomic
def do_transition(actor: Any, mob: Mobilisation, to: str, *, note: str = "") -> Mobilisation:
    check_transition(actor, mob, to)
    before_state = mob.state
    mob = lock(mob)
    if mob.state != before_state:
        raise Conflict(_("调用状态已变化,请刷新后重试"), field="state")
    before = snapshot(mob, ["state"])
    mob.state = to
    mob.state_changed_at = timezone.now()
    mob.state_changed_by = actor
    if note:
        mob.note = (mob.note + "\n" + note).strip()
    mob.save(update_fields=["state", "state_changed_at", "state_changed_by", "note"])
    team = lock(mob.team)
    if to in rules.BUSY_STATES and team.status == TeamStatus.READY:
        team.status = TeamStatus.BUSY
        team.save(update_fields=["status", "updated_at"])
    elif to in (S.STOOD_DOWN, S.DECLINED) and team.status == TeamStatus.BUSY:
        still = (
            Mobilisation.objects.filter(team=team, state__in=rules.BUSY_STATES).exclude(pk=mob.pk).exists()
        )
        if not still:
            team.status = TeamStatus.READY
            team.save(update_fields=["status", "updated_at"])
    audit.record(
        f"rescue.mobilisation.{to}",
        mob,
        actor=actor,
        before=before,
        after=snapshot(mob, ["state"]),
        note=note,
    )
    if mob.requested_by_id and mob.requested_by_id != getattr(actor, "pk", None):
        from pingan.notify.services import notify

        notify(
            [mob.requested_by],
            event="rescue.mobilisation.state",
            title=_("%(team)s:%(state)s") % {"team": mob.team.name, "state": S(to).label},
            url=f"/console/rescue/mobilisations/{mob.pk}/",
        )
    return mob


def _notify_team(mob: Mobilisation, title: str) -> None:
    from pingan.notify.services import notify
    from pingan.org.models import User

    leads = list(
        User.objects.filter(
            role__in=TOLD_OF_REQUESTS, division__path__startswith=mob.team.division.path[:6], is_active=True
        )[:20]
    )
    if leads:
        notify(
            leads,
            event="rescue.mobilisation.requested",
            title=title,
            url=f"/console/rescue/mobilisations/{mob.pk}/",
            urgent=True,
        )


# --- road network -----------------------------------------------------------------------------
def check_manage_network(actor: Any) -> None:
    if actor is None:
        return  # `manage.py import_roads`: whoever runs commands on the server administers it
    require(actor, "rescue.manage_network", None, _("只有市级管理员可以导入路网"))


def do_import_osm(actor: Any, path: str, *, name: str, activate: bool = True) -> RoadNetwork:
    check_manage_network(actor)
    try:
        graph = __import__("pingan.rescue.osm", fromlist=["read_osm"]).read_osm(
            path,
            speeds=engine.speeds(),
            mountain_areas=engine.mountain_areas(),
            mountain_factor=engine.mountain_factor(),
        )
    except network.NetworkError as exc:
        raise ActionError(_("无法导入路网:%(e)s") % {"e": str(exc)}, field="file", code=exc.code) from exc
    with transaction.atomic():
        row = engine.save_network(
            graph,
            name=name,
            source=NetworkSource.OSM,
            source_file=str(path).rsplit("/", 1)[-1],
            actor=actor,
            activate=activate,
        )
        audit.record(
            "rescue.network.import",
            row,
            actor=actor,
            after=snapshot(row, ["version", "nodes", "edges", "source"]),
        )
    return row


def do_build_synthetic(actor: Any = None) -> RoadNetwork:
    check_manage_network(actor)
    from .synthetic import qingyuan_network

    graph = qingyuan_network(
        city=engine.city_area(),
        mountain_areas=engine.mountain_areas(),
        speeds=engine.speeds(),
        mountain_factor=engine.mountain_factor(),
    )
    with transaction.atomic():
        row = engine.save_network(
            graph,
            name="清远合成路网(演示) Qingyuan synthetic",
            source=NetworkSource.SYNTHETIC,
            actor=actor,
            is_synthetic=True,
        )
        audit.record(
            "rescue.network.synthetic", row, actor=actor, after=snapshot(row, ["version", "nodes", "edges"])
        )
    return row


# --- analysis runs ----------------------------------------------------------------------------
def check_start_run(actor: Any) -> None:
    require(actor, "rescue.start_run", None, _("无权发起分析"))
    check_run_cap(actor)


def check_run_cap(actor: Any) -> None:
    """One person has at most RUN_LIMITS["per_user_active"] runs (coverage and siting together)
    queued or computing: a siting run holds a worker, and the workers are shared by everyone."""
    from .tasks import run_limit

    cap = run_limit("per_user_active")
    active = (RunStatus.QUEUED, RunStatus.RUNNING)
    count = sum(
        m.objects.filter(created_by=actor, status__in=active).count() for m in (CoverageRun, SitingRun)
    )
    if rules.run_cap_reached(count, cap):
        raise ActionError(
            _("每人最多同时有 %(n)d 个分析在排队或计算中,请等其中一个完成后再发起") % {"n": cap},
            field="runs",
            code="too_many_runs",
        )


def _run_division(actor: Any):
    from pingan.geo.choices import Level
    from pingan.geo.models import Division

    city = Division.objects.filter(level=Level.CITY).first()
    return actor.division if actor.division_id and not actor.sees_everything else city


@transaction.atomic
def do_start_coverage(
    actor: Any, *, thresholds: Sequence[int] = (15, 30, 60), capabilities: Sequence[str] = ()
) -> CoverageRun:
    check_start_run(actor)
    clean = sorted({int(t) for t in thresholds})
    if not clean or any(t < 1 or t > 240 for t in clean):
        raise ActionError(_("时间阈值应为 1–240 分钟"), field="thresholds", code="out_of_range")
    bad = [c for c in capabilities if c not in Capability.values]
    if bad:
        raise ActionError(_("未知的救援能力:%(v)s") % {"v": ", ".join(bad)}, field="capabilities")
    net, _graph = engine.active_network()
    run = CoverageRun.objects.create(
        division=_run_division(actor),
        network=net,
        thresholds=clean,
        capabilities=list(capabilities),
        created_by=actor,
    )
    audit.record(
        "rescue.coverage.start",
        run,
        actor=actor,
        after={"thresholds": clean, "capabilities": list(capabilities)},
    )
    from .tasks import coverage_task

    on_commit(lambda: coverage_task(run.pk))
    return run


@transaction.atomic
def do_start_siting(
    actor: Any, *, method: str, p: int, threshold: int = 30, mountain_only: bool = False
) -> SitingRun:
    check_start_run(actor)
    if method not in SitingMethod.values:
        raise ActionError(_("未知的选址模型"), field="method", code="invalid_choice")
    try:
        p = int(p)
    except (TypeError, ValueError) as exc:
        raise ActionError(_("新增站点数必须是整数"), field="p") from exc
    n_cand = len(engine.candidate_sites())
    if p < 1:
        raise ActionError(_("新增站点数至少为 1"), field="p", code="min_value")
    if p > n_cand:
        raise ActionError(
            _("新增站点数 %(p)d 大于候选站点数 %(n)d") % {"p": p, "n": n_cand}, field="p", code="too_many"
        )
    if not 1 <= int(threshold) <= 240:
        raise ActionError(_("覆盖时间应为 1–240 分钟"), field="threshold", code="out_of_range")
    net, _graph = engine.active_network()
    run = SitingRun.objects.create(
        division=_run_division(actor),
        network=net,
        method=method,
        p=p,
        threshold=int(threshold),
        mountain_only=bool(mountain_only),
        created_by=actor,
    )
    audit.record(
        "rescue.siting.start",
        run,
        actor=actor,
        after={"method": method, "p": p, "threshold": int(threshold), "mountain_only": bool(mountain_only)},
    )
    from .tasks import siting_task

    on_commit(lambda: siting_task(run.pk))
    return run


# --- the directory: teams, members, equipment, experts, warehouses, stock, shelters ----------------
def _fields_of(obj: Any) -> list[str]:
    return [
        f.name
        for f in obj._meta.concrete_fields
        if f.name not in ("id", "updated_at", "is_synthetic") and not f.auto_created
    ]


def _perm_for(obj: Any) -> tuple[str, Any]:
    """The permission that decides an edit of `obj`, and the object it is asked about: a team's own
    record, members and equipment belong to the team (its leader may); a stock item to its
    warehouse; the rest to the directory, by the record's own division."""
    from .models import Equipment, Member, StockItem

    if isinstance(obj, Team):
        return ("rescue.edit_team", obj) if obj.pk else ("rescue.edit_directory", obj)
    if isinstance(obj, Member | Equipment):
        return "rescue.edit_team", obj.team
    if isinstance(obj, StockItem):
        return "rescue.edit_directory", obj.warehouse
    return "rescue.edit_directory", obj


def check_save(actor: Any, obj: Any) -> None:
    perm, about = _perm_for(obj)
    require(actor, perm, about, _("您没有维护此项资料的权限"))
    lat, lon = getattr(obj, "lat", None), getattr(obj, "lon", None)
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ActionError(_("经纬度超出范围"), field="lat", code="invalid")


@transaction.atomic
def do_save(actor: Any, obj: Any) -> Any:
    """Create or edit one directory record (already validated by its form), with an audit event
    holding the fields before and after."""
    check_save(actor, obj)
    fields = _fields_of(obj)
    created = obj.pk is None
    before = None
    if not created:
        old = type(obj).objects.select_for_update().get(pk=obj.pk)
        before = snapshot(old, fields)
        if isinstance(obj, Team) and old.status != obj.status:
            # Readiness has its own action (do_set_readiness): an edit form never changes it.
            obj.status = old.status
    obj.full_clean()
    obj.save()
    verb = "create" if created else "update"
    audit.record(
        f"rescue.{obj._meta.model_name}.{verb}", obj, actor=actor, before=before, after=snapshot(obj, fields)
    )
    return obj


# --- readiness --------------------------------------------------------------------------------
READINESS = (TeamStatus.READY, TeamStatus.UNAVAILABLE)


def check_set_readiness(actor: Any, team: Team, status: str, note: str = "") -> None:
    require(actor, "rescue.set_readiness", team, _("只有调度人员和本队负责人可以变更战备状态"))
    if status not in READINESS:
        raise ActionError(_("只能设为待命可调或不可调用"), field="status", code="invalid_choice")
    if team.status == TeamStatus.BUSY:
        raise Conflict(_("队伍正在执行任务,任务结束后自动恢复待命"), field="status")
    if status == TeamStatus.UNAVAILABLE and not (note or "").strip():
        raise ActionError(_("请填写不可调用的原因"), field="note", code="required")


@transaction.atomic
def do_set_readiness(actor: Any, team: Team, status: str, *, note: str = "") -> Team:
    check_set_readiness(actor, team, status, note)
    team = lock(team)
    if team.status == TeamStatus.BUSY:
        raise Conflict(_("队伍正在执行任务,任务结束后自动恢复待命"), field="status")
    if team.status == status:
        return team
    before = snapshot(team, ["status"])
    team.status = status
    team.save(update_fields=["status", "updated_at"])
    audit.record(
        "rescue.team.readiness", team, actor=actor, before=before, after=snapshot(team, ["status"]), note=note
    )
    return team


# --- stock ------------------------------------------------------------------------------------
def check_move_stock(actor: Any, item: Any, kind: str, quantity: Any) -> int:
    from .choices import StockMovementKind

    require(actor, "rescue.move_stock", item.warehouse, _("您没有出入库的权限"))
    if kind not in StockMovementKind.values:
        raise ActionError(_("请选择出库、归还或补库"), field="kind", code="invalid_choice")
    try:
        qty = int(quantity)
    except (TypeError, ValueError):
        raise ActionError(_("数量必须是正整数"), field="quantity", code="invalid") from None
    if qty <= 0:
        raise ActionError(_("数量必须是正整数"), field="quantity", code="invalid")
    if kind == StockMovementKind.ISSUE and qty > item.quantity:
        raise ActionError(
            _("库存不足:现有 %(n)s%(u)s") % {"n": item.quantity, "u": item.unit},
            field="quantity",
            code="short",
        )
    return qty


@transaction.atomic
def do_move_stock(actor: Any, item: Any, kind: str, quantity: Any, *, note: str = "") -> Any:
    """Issue (出库), return (归还) or restock (补库) an item: the balance and the movement in one
    transaction; a low balance afterwards tells the warehouse's keepers."""
    from .choices import StockMovementKind
    from .models import StockMovement

    check_move_stock(actor, item, kind, quantity)
    item = lock(item)
    qty = check_move_stock(actor, item, kind, quantity)  # again on the locked row: the balance may have moved
    before = snapshot(item, ["quantity"])
    item.quantity += -qty if kind == StockMovementKind.ISSUE else qty
    item.save(update_fields=["quantity"])
    move = StockMovement.objects.create(
        item=item, kind=kind, quantity=qty, balance=item.quantity, note=note.strip()[:200], by=actor
    )
    audit.record(
        f"rescue.stock.{kind}",
        item.warehouse,
        actor=actor,
        before=before,
        after={"item": item.name, "quantity": item.quantity, "movement": move.pk},
        note=note,
    )
    if item.is_low and before["quantity"] >= item.min_quantity:
        _warn_low_stock(item)
    return move


def _warn_low_stock(item: Any) -> None:
    from pingan.notify.services import notify
    from pingan.org.models import User

    from .permissions import DIRECTORY_ROLES

    # The keepers whose area holds the warehouse: the city's and the district's.
    path = item.warehouse.division.path
    people = list(
        User.objects.filter(
            role__in=DIRECTORY_ROLES,
            is_active=True,
            division__path__in=[path[:i] for i in range(1, len(path) + 1)],
        )[:50]
    )
    if people:
        notify(
            people,
            event="rescue.stock.low",
            title=_("库存低于下限:%(w)s %(i)s 余 %(n)s%(u)s")
            % {"w": item.warehouse.name, "i": item.name, "n": item.quantity, "u": item.unit},
            url=reverse("rescue:warehouse", args=[item.warehouse_id]),
        )


# --- drills and trainings -----------------------------------------------------------------------
def check_record_exercise(actor: Any, exercise: Any, photos: Sequence[Any] = ()) -> None:
    from pingan.core.permissions import covers

    require(actor, "rescue.record_exercise", exercise if exercise.pk else None, _("您没有记录演练培训的权限"))
    if exercise.division_id and not covers(actor, exercise.division):
        raise ActionError(_("只能记录本辖区的演练培训"), field="division", code="out_of_area")
    if exercise.date and exercise.date > timezone.localdate():
        raise ActionError(_("日期不能晚于今天"), field="date", code="future")
    for p in photos:
        if not (getattr(p, "content_type", "") or "").startswith("image/"):
            raise ActionError(_("照片必须是图片文件:%(f)s") % {"f": p.name}, field="photos", code="not_image")
        if p.size > 10 * 1024 * 1024:
            raise ActionError(_("照片不能超过 10 MB:%(f)s") % {"f": p.name}, field="photos", code="too_big")


@transaction.atomic
def do_record_exercise(actor: Any, exercise: Any, teams: Sequence[Team], photos: Sequence[Any] = ()) -> Any:
    """Record (or correct) a drill or a training with its teams and photos."""
    from .models import ExercisePhoto

    check_record_exercise(actor, exercise, photos)
    created = exercise.pk is None
    fields = ["kind", "title", "date", "division", "participants", "evaluation", "score"]
    before = None
    if not created:
        before = snapshot(type(exercise).objects.get(pk=exercise.pk), fields)
    else:
        exercise.recorded_by = actor
    exercise.full_clean(exclude=["recorded_by"])
    exercise.save()
    exercise.teams.set(teams)
    for p in photos:
        ExercisePhoto.objects.create(exercise=exercise, image=p)
    after = snapshot(exercise, fields) | {"teams": sorted(t.pk for t in teams), "photos": len(photos)}
    audit.record(
        f"rescue.exercise.{'record' if created else 'update'}",
        exercise,
        actor=actor,
        before=before,
        after=after,
    )
    return exercise
