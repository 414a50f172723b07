"""Every state change of a warning: check_*() validates, do_*() changes rows in one transaction.

draft → review → approved → published; Update and Cancel are new messages that reference the one
they change and go through the same steps; on their publication the original ends (superseded or
cancelled). A published warning also ends by itself at `expires` (expire_due, a reconciler).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.permissions import require
from pingan.geo.models import Division

from . import cap, rules
from .choices import Category, Colour, MsgType, Source, State
from .models import EarlyWarning, WarningArea

ACTION_LABELS = {
    "warnings.warning.create": gettext_lazy("起草预警"),
    "warnings.warning.propose": gettext_lazy("监测自动生成预警草稿"),
    "warnings.warning.edit": gettext_lazy("修改预警草稿"),
    "warnings.warning.submit": gettext_lazy("提交审批"),
    "warnings.warning.approve": gettext_lazy("批准预警"),
    "warnings.warning.reject": gettext_lazy("退回预警"),
    "warnings.warning.publish": gettext_lazy("发布预警"),
    "warnings.warning.follow_up": gettext_lazy("起草更新或解除"),
    "warnings.warning.superseded": gettext_lazy("被更新"),
    "warnings.warning.cancelled": gettext_lazy("被解除"),
    "warnings.warning.expire": gettext_lazy("到期自动结束"),
    "warnings.warning.import": gettext_lazy("从外部预警源导入"),
}
FIELDS = ["state", "msg_type", "colour", "event_code", "headline", "expires", "identifier", "approved_by"]
# How long the all-clear of a Cancel stays on consumers' screens at least.
_ALL_CLEAR = timedelta(hours=1)
CONTENT = ("category", "event_code", "colour", "headline", "description", "instruction", "onset", "expires")


@dataclass
class AreaInput:
    area_desc: str
    division: Division | None = None
    polygon: list[list[float]] | None = None
    circle: tuple[float, float, float] | None = None


# --- Validation shared by the console form, the API and the services --------------------------------------
def clean_content(data: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """Check the content of a warning; raise ActionError naming the field at fault."""
    now = now or timezone.now()
    if data.get("category") not in Category.values or not rules.warning_allowed(data["category"]):
        raise ActionError(_("预警只适用于自然灾害、事故灾难和公共卫生事件"), field="category")
    if data.get("event_code") not in rules.EVENT_CODES:
        raise ActionError(_("未知的预警事件代码"), field="event_code")
    if data.get("colour") not in Colour.values or data["colour"] == Colour.UNKNOWN:
        raise ActionError(_("请选择预警级别(红、橙、黄、蓝)"), field="colour")
    if not (data.get("headline") or "").strip():
        raise ActionError(_("请填写标题"), field="headline")
    if not (data.get("description") or "").strip():
        raise ActionError(_("请填写预警内容"), field="description")
    problem = rules.times_problem(data.get("onset"), data.get("expires"), now)
    if problem == "expires_required":
        raise ActionError(_("失效时间必填"), field="expires", code="required")
    if problem == "expires_before_onset":
        raise ActionError(_("失效时间必须晚于开始时间"), field="expires")
    if problem == "expires_in_past":
        raise ActionError(_("失效时间已过"), field="expires")
    out = {k: data.get(k) for k in CONTENT}
    out["event"] = rules.event_name(data["event_code"])
    out["instruction"] = out["instruction"] or ""
    return out


def clean_areas(raw: list[dict[str, Any]] | None, default: Division | None = None) -> list[AreaInput]:
    """Areas as given by a form or the API: [{"area_desc", "division" (code), "polygon" [[lon,lat]…],
    "circle": {"lat", "lon", "radius_km"}}]. With none, the warning's division is the area."""
    if not raw:
        if default is None:
            raise ActionError(_("请至少指定一个预警区域"), field="areas", code="required")
        return [AreaInput(area_desc=default.name, division=default)]
    codes = [a.get("division") for a in raw if a.get("division")]
    divisions = {d.code: d for d in Division.objects.filter(code__in=codes)}
    out = []
    for i, a in enumerate(raw):
        name = f"areas[{i}]"
        area = AreaInput(area_desc=str(a.get("area_desc") or "").strip())
        if a.get("division"):
            area.division = divisions.get(str(a["division"]))
            if area.division is None:
                raise ActionError(_("未知的区划代码"), field=f"{name}.division")
        if a.get("polygon") is not None:
            poly = a["polygon"]
            try:
                ok = (
                    len(poly) >= 4
                    and poly[0] == poly[-1]
                    and all(
                        len(p) == 2 and -180 <= float(p[0]) <= 180 and -90 <= float(p[1]) <= 90 for p in poly
                    )
                )
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise ActionError(_("多边形须为至少4个[经度,纬度]点且首尾相同"), field=f"{name}.polygon")
            area.polygon = [[float(p[0]), float(p[1])] for p in poly]
        if a.get("circle") is not None:
            c = a["circle"]
            try:
                lat, lon, radius = float(c["lat"]), float(c["lon"]), float(c["radius_km"])
                ok = -90 <= lat <= 90 and -180 <= lon <= 180 and radius > 0
            except (TypeError, ValueError, KeyError):
                ok = False
            if not ok:
                raise ActionError(_("圆形区域须有圆心纬度、经度和大于0的半径(公里)"), field=f"{name}.circle")
            area.circle = (lat, lon, radius)
        if area.division is None and area.polygon is None and area.circle is None:
            raise ActionError(_("区域须有区划、多边形或圆形之一"), field=name)
        if not area.area_desc:
            area.area_desc = area.division.name if area.division else _("指定区域")
        out.append(area)
    return out


def _save_areas(warning: EarlyWarning, areas: list[AreaInput]) -> None:
    WarningArea.objects.bulk_create(
        [
            WarningArea(
                warning=warning,
                area_desc=a.area_desc[:200],
                division=a.division,
                geocode=a.division.code if a.division else "",
                polygon=a.polygon,
                circle_lat=a.circle[0] if a.circle else None,
                circle_lon=a.circle[1] if a.circle else None,
                circle_radius_km=a.circle[2] if a.circle else None,
            )
            for a in areas
        ]
    )


def _state_is(warning: EarlyWarning, *states: str) -> None:
    if warning.state not in states:
        raise Conflict(_("预警状态已变化,请刷新后重试"), field="state")


# --- Create and edit ------------------------------------------------------------------------------
def check_create(
    actor: Any, division: Division | None, data: dict[str, Any], areas: list[dict[str, Any]] | None
) -> tuple[dict[str, Any], list[AreaInput]]:
    if division is None:
        raise ActionError(_("请选择发布区域"), field="division", code="required")
    require(actor, "warnings.create", division, _("您不能为该区域起草预警"), field="division")
    return clean_content(data), clean_areas(areas, division)


@transaction.atomic
def do_create(
    actor: Any,
    division: Division,
    data: dict[str, Any],
    areas: list[dict[str, Any]] | None = None,
    *,
    source: str = Source.STAFF,
    audit_action: str = "warnings.warning.create",
    audit_actor: Any = None,
    note: str = "",
) -> EarlyWarning:
    content, area_inputs = (
        check_create(actor, division, data, areas)
        if actor is not None
        else (clean_content(data), clean_areas(areas, division))
    )
    warning = EarlyWarning.objects.create(
        division=division,
        source=source,
        created_by=actor if getattr(actor, "pk", None) else None,
        sender_name=getattr(settings, "WARNINGS_SENDER_NAME", _("清远市突发事件预警信息发布中心")),
        **content,
    )
    _save_areas(warning, area_inputs)
    audit.record(
        audit_action, warning, actor=audit_actor or actor, after=audit.snapshot(warning, FIELDS), note=note
    )
    return warning


@transaction.atomic
def do_edit(
    actor: Any, warning: EarlyWarning, data: dict[str, Any], areas: list[dict[str, Any]] | None = None
) -> EarlyWarning:
    require(actor, "warnings.edit", warning, _("只有草稿可以修改"))
    warning = lock(warning)
    _state_is(warning, State.DRAFT)
    merged = {k: getattr(warning, k) for k in CONTENT} | {k: v for k, v in data.items() if k in CONTENT}
    content = clean_content(merged)
    before = audit.snapshot(warning, FIELDS)
    for k, v in content.items():
        setattr(warning, k, v)
    warning.save()
    if areas is not None:
        new_areas = clean_areas(areas, warning.division)
        warning.areas.all().delete()
        _save_areas(warning, new_areas)
    audit.record(
        "warnings.warning.edit", warning, actor=actor, before=before, after=audit.snapshot(warning, FIELDS)
    )
    return warning


# --- The workflow ---------------------------------------------------------------------------------
def _step(
    actor: Any,
    warning: EarlyWarning,
    perm: str,
    message: str,
    from_state: str,
    to_state: str,
    verb: str,
    note: str = "",
    **changes: Any,
) -> EarlyWarning:
    require(actor, perm, warning, message)
    warning = lock(warning)
    _state_is(warning, from_state)
    before = audit.snapshot(warning, FIELDS)
    warning.state = to_state
    for k, v in changes.items():
        setattr(warning, k, v)
    warning.save()
    audit.record(
        f"warnings.warning.{verb}",
        warning,
        actor=actor,
        before=before,
        after=audit.snapshot(warning, FIELDS),
        note=note,
    )
    return warning


@transaction.atomic
def do_submit(actor: Any, warning: EarlyWarning) -> EarlyWarning:
    return _step(
        actor, warning, "warnings.submit", _("您不能提交该预警"), State.DRAFT, State.REVIEW, "submit"
    )


@transaction.atomic
def do_approve(actor: Any, warning: EarlyWarning, note: str = "") -> EarlyWarning:
    # The level rule (rules.approval_level) and four eyes live in permissions.can_approve.
    return _step(
        actor,
        warning,
        "warnings.approve",
        _("该级别的预警须由相应层级的带班领导批准,且不能批准本人起草的预警"),
        State.REVIEW,
        State.APPROVED,
        "approve",
        note,
        approved_by=actor,
    )


@transaction.atomic
def do_reject(actor: Any, warning: EarlyWarning, note: str) -> EarlyWarning:
    if not (note or "").strip():
        raise ActionError(_("退回须说明理由"), field="note", code="required")
    return _step(
        actor, warning, "warnings.reject", _("您不能退回该预警"), State.REVIEW, State.DRAFT, "reject", note
    )


def _unit_code() -> str:
    return getattr(settings, "WARNINGS_UNIT_CODE", "00000000")


def _new_identifier(warning: EarlyWarning, sent: datetime) -> str:
    base = rules.make_identifier(warning.division.code, _unit_code(), sent.astimezone(cap.LOCAL))
    taken = set(EarlyWarning.objects.filter(identifier__startswith=base).values_list("identifier", flat=True))
    if base not in taken:
        return base
    n = 1
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


@transaction.atomic
def do_publish(actor: Any, warning: EarlyWarning, *, now: datetime | None = None) -> EarlyWarning:
    require(actor, "warnings.publish", warning, _("您不能发布该预警"))
    now = now or timezone.now()
    warning = lock(warning)
    _state_is(warning, State.APPROVED)
    if warning.expires <= now:
        raise ActionError(_("失效时间已过,请修改后重新提交"), field="expires")
    before = audit.snapshot(warning, FIELDS)
    warning.sent = now.replace(microsecond=0)
    warning.sender = cap.sender_id()
    warning.state = State.PUBLISHED
    areas = list(warning.areas.select_related("division"))
    for attempt in range(3):
        warning.identifier = _new_identifier(warning, warning.sent)
        warning.cap_xml = cap.to_xml(warning, areas)
        errors = cap.validate(warning.cap_xml)
        if errors:  # never publish a message other systems would refuse
            raise ActionError(_("CAP 报文未通过校验:%(error)s") % {"error": errors[0]}, field="cap_xml")
        try:
            with transaction.atomic():  # a savepoint: another publication may take the same second
                warning.save()
            break
        except IntegrityError:
            if attempt == 2:
                raise Conflict(_("预警状态已变化,请刷新后重试"), field="identifier") from None
    audit.record(
        "warnings.warning.publish", warning, actor=actor, before=before, after=audit.snapshot(warning, FIELDS)
    )
    if warning.original_id:
        _end_original(actor, warning)
    from .fanout import notify_subscribers

    notify_subscribers(warning, areas)
    return warning


def _end_original(actor: Any, message: EarlyWarning) -> None:
    original = lock(message.original)
    if original.state != State.PUBLISHED:
        return  # it expired meanwhile: the chain is kept by `references` all the same
    before = audit.snapshot(original, FIELDS)
    cancelled = message.msg_type == MsgType.CANCEL
    original.state = State.CANCELLED if cancelled else State.SUPERSEDED
    original.ended_at = message.sent
    original.save(update_fields=["state", "ended_at"])
    audit.record(
        "warnings.warning.cancelled" if cancelled else "warnings.warning.superseded",
        original,
        actor=actor,
        before=before,
        after=audit.snapshot(original, FIELDS),
        note=message.identifier or "",
    )


@transaction.atomic
def do_follow_up(
    actor: Any,
    warning: EarlyWarning,
    msg_type: str,
    data: dict[str, Any] | None = None,
    areas: list[dict[str, Any]] | None = None,
) -> EarlyWarning:
    """Start an Update or a Cancel of a published warning: a new draft that references it."""
    if msg_type not in (MsgType.UPDATE, MsgType.CANCEL):
        raise ActionError(_("只能更新或解除"), field="msg_type")
    require(actor, "warnings.follow_up", warning, _("该预警不能更新或解除"))
    warning = lock(warning)
    _state_is(warning, State.PUBLISHED)
    data = data or {}
    content = {k: getattr(warning, k) for k in CONTENT} | {k: v for k, v in data.items() if k in CONTENT}
    if msg_type == MsgType.CANCEL:
        if "headline" not in data:
            content["headline"] = _("解除:%(headline)s") % {"headline": warning.headline}
        # A cancel ends now; its own expiry only bounds how long consumers show the all-clear.
        content["onset"] = None
        content["expires"] = max(warning.expires, timezone.now() + _ALL_CLEAR)
    content = clean_content(content)
    refs = " ".join(
        filter(
            None,
            [
                warning.references,
                rules.cap_reference(warning.sender, warning.identifier or "", cap.cap_time(warning.sent)),
            ],
        )
    )
    problem = rules.references_problem(msg_type, refs.split())
    assert problem is None, problem
    message = EarlyWarning.objects.create(
        division=warning.division,
        source=Source.STAFF,
        msg_type=msg_type,
        original=warning,
        references=refs,
        created_by=actor,
        sender_name=warning.sender_name,
        urgency=warning.urgency,
        certainty=warning.certainty,
        **content,
    )
    if areas is not None:
        _save_areas(message, clean_areas(areas, warning.division))
    else:
        WarningArea.objects.bulk_create(
            [
                WarningArea(
                    warning=message,
                    area_desc=a.area_desc,
                    division_id=a.division_id,
                    geocode=a.geocode,
                    polygon=a.polygon,
                    circle_lat=a.circle_lat,
                    circle_lon=a.circle_lon,
                    circle_radius_km=a.circle_radius_km,
                )
                for a in warning.areas.all()
            ]
        )
    audit.record(
        "warnings.warning.follow_up",
        message,
        actor=actor,
        after=audit.snapshot(message, FIELDS),
        note=warning.identifier or "",
    )
    return message


def expire_due(now: datetime | None = None) -> int:
    """End every published warning past its `expires` (the reconciler calls this every minute)."""
    now = now or timezone.now()
    done = 0
    for pk in EarlyWarning.objects.filter(state=State.PUBLISHED, expires__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            warning = EarlyWarning.objects.select_for_update().get(pk=pk)
            if warning.state != State.PUBLISHED or warning.expires > now:
                continue
            before = audit.snapshot(warning, FIELDS)
            warning.state = State.EXPIRED
            warning.ended_at = warning.expires
            warning.save(update_fields=["state", "ended_at"])
            audit.record(
                "warnings.warning.expire",
                warning,
                actor="system",
                before=before,
                after=audit.snapshot(warning, FIELDS),
            )
            done += 1
    return done


# --- Subscriptions --------------------------------------------------------------------------------
@transaction.atomic
def do_subscribe(actor: Any, division: Division) -> Any:
    from .models import Subscription

    require(actor, "warnings.subscribe", None, _("请先登录"))
    if division.level != "town":
        raise ActionError(_("请选择乡镇或街道"), field="division")
    sub, created = Subscription.objects.get_or_create(user=actor, division=division)
    if created:
        audit.record("warnings.subscription.create", sub, actor=actor, after={"division": division.code})
    return sub


@transaction.atomic
def do_unsubscribe(actor: Any, subscription: Any) -> None:
    require(actor, "warnings.subscribe", subscription, _("只能取消本人的订阅"))
    audit.record(
        "warnings.subscription.delete",
        subscription,
        actor=actor,
        before={"division": subscription.division.code},
    )
    subscription.delete()
