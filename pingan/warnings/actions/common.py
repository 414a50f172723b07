"""What every warning action shares: the audit labels and fields, the validation of a warning's
content and areas (shared by the console form, the API and the services), saving the areas and
the state check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.actions import ActionError, Conflict
from pingan.geo.models import Division

from .. import rules
from ..choices import Category, Colour
from ..models import EarlyWarning, WarningArea

ACTION_LABELS = {
    "warnings.warning.create": gettext_lazy("起草预警"),
    "warnings.warning.propose": gettext_lazy("监测自动生成预警草稿"),
    "warnings.warning.draft_from_alarm": gettext_lazy("由报警研判起草预警"),
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
CONTENT = ("category", "event_code", "colour", "headline", "description", "instruction", "onset", "expires")


@dataclass
class AreaInput:
    area_desc: str
    division: Division | None = None
    polygon: list[list[float]] | None = None
    circle: tuple[float, float, float] | None = None


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
