"""City lifelines: registering an asset (it enters the dual-prevention chain as a city risk point
with its periodic check) and applying a monitoring template, which creates the device, sensors and
rules in the monitoring module in one step; attaching sensors to a major hazard source."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from pingan.core import audit, links
from pingan.core.actions import ActionError
from pingan.core.permissions import require

from .. import lifelines
from ..choices import LifelineKind, ObjectKind
from ..models import LifelineAsset, MajorHazardSource, RiskObject
from .chain import do_add_event, do_add_measure, do_add_task
from .common import _choice, _required

MONITORED_BY = "monitored_by"


def _float(value: Any, field: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ActionError(_("请填写数字"), field=field, code="invalid") from exc


def check_create_lifeline(
    actor: Any, *, kind: str, name: str, lat: Any, lon: Any, geometry: Any
) -> tuple[Any, float, float, dict[str, Any] | None]:
    """Validate; returns (division, lat, lon, geometry). The division comes from the position."""
    _choice(kind, LifelineKind, "kind")
    _required(name, "name", _("请填写名称"))
    try:
        geom = lifelines.parse_line(geometry)
    except lifelines.GeometryError as exc:
        raise ActionError(exc.message, field="geometry", code="invalid") from exc
    la, lo = _float(lat, "lat"), _float(lon, "lon")
    if (la is None or lo is None) and geom is not None:
        la, lo = lifelines.midpoint(geom)
    if la is None or lo is None:
        raise ActionError(_("需要位置(纬度和经度)或线路走向"), field="location", code="required")
    from pingan.geo.lookup import require_in_city

    division = require_in_city(la, lo, field="location")
    require(actor, "risks.manage_lifeline", LifelineAsset(division=division), _("您不能在此登记生命线设施"))
    return division, la, lo, geom


@transaction.atomic
def do_create_lifeline(
    actor: Any,
    *,
    kind: str,
    name: str,
    lat: Any = None,
    lon: Any = None,
    geometry: Any = None,
    department: Any = None,
    enterprise: Any = None,
    description: str = "",
    is_synthetic: bool = False,
) -> LifelineAsset:
    division, la, lo, geom = check_create_lifeline(
        actor, kind=kind, name=name, lat=lat, lon=lon, geometry=geometry
    )
    if department is None:
        department = getattr(actor, "department", None)
    event, measure_kind, measure, check, cycle = lifelines.KIND_CHAIN[kind]
    ro = RiskObject.objects.create(
        kind=ObjectKind.CITY_POINT,
        point_type=lifelines.KIND_POINT_TYPE[kind],
        name=name.strip(),
        description=description,
        division=division,
        department=department,
        lat=la,
        lon=lo,
        is_synthetic=is_synthetic,
    )
    asset = LifelineAsset.objects.create(
        kind=kind,
        name=name.strip(),
        description=description,
        division=division,
        department=department,
        enterprise=enterprise,
        lat=la,
        lon=lo,
        geometry=geom,
        risk_object=ro,
        is_synthetic=is_synthetic,
    )
    audit.record(
        "risks.lifeline.create",
        asset,
        actor=actor,
        after={"kind": kind, "name": asset.name, "division": division.code, "risk_object": ro.pk},
    )
    # The asset's periodic check in the chain (keepers of its area record it, overdue as any check).
    ev = do_add_event(actor, ro, name=event)
    me = do_add_measure(actor, ev, kind=measure_kind, description=measure)
    do_add_task(actor, me, name=check, cycle=cycle, checklist=[_("现场状况"), _("监测设备完好")])
    return asset


def device_ids(obj: Any) -> list[int]:
    """The monitoring devices linked to a lifeline asset or a major hazard source."""
    from django.contrib.contenttypes.models import ContentType

    from pingan.core.models import Link

    ct = ContentType.objects.get_for_model(obj)
    return [
        int(b)
        for b in Link.objects.filter(a_type=ct, a_id=str(obj.pk), kind=MONITORED_BY).values_list(
            "b_id", flat=True
        )
    ]


def _monitoring() -> Any:
    if not apps.is_installed("pingan.monitoring"):
        raise ActionError(_("监测模块未启用"), field="template", code="unavailable")
    from pingan.monitoring import services

    return services


def check_apply_template(actor: Any, target: Any, template: str) -> str:
    """Who may (lifeline keepers / the source's enterprise) and whether the template fits."""
    if isinstance(target, MajorHazardSource):
        require(actor, "risks.attach_sensors", target, _("只能为本单位的重大危险源接入监测"))
        kind = "mhs"
    else:
        require(actor, "risks.manage_lifeline", target, _("您不能管理此生命线设施"))
        kind = target.kind
    if template not in dict(lifelines.templates_for(kind)):
        raise ActionError(_("监测模板不适用于此设施"), field="template", code="invalid_choice")
    return kind


@transaction.atomic
def do_apply_template(actor: Any, target: Any, template: str, *, synthetic: bool = False) -> Any:
    """Create the template's device, sensors and rules (one step, in the monitoring module) and
    link the device to the asset or source."""
    kind = check_apply_template(actor, target, template)
    services = _monitoring()
    n = len(device_ids(target)) + 1
    prefix = "MHS" if kind == "mhs" else "LL"
    department = getattr(target, "department", None)
    device = services.provision(
        actor,
        code=f"{prefix}{target.pk}-{template}-{n}",
        name=f"{target.name} · {lifelines.TEMPLATES[template]['name']}",
        division=target.division,
        department=department,
        enterprise=target.enterprise,
        lat=getattr(target, "lat", None) if kind != "mhs" else getattr(target.enterprise, "lat", None),
        lon=getattr(target, "lon", None) if kind != "mhs" else getattr(target.enterprise, "lon", None),
        location=target.name,
        sensors=lifelines.sensor_specs(template),
        synthetic=synthetic,
    )
    links.link(target, device, MONITORED_BY, by=actor)
    audit.record(
        "risks.lifeline.monitor" if kind != "mhs" else "risks.mhs.monitor",
        target,
        actor=actor,
        after={"template": template, "device": device.code},
    )
    return device


@transaction.atomic
def do_attach_device(actor: Any, source: MajorHazardSource, device_id: Any) -> Any:
    """Attach an existing device of the source's enterprise (its sensors) to a major hazard source."""
    require(actor, "risks.attach_sensors", source, _("只能为本单位的重大危险源接入监测"))
    services = _monitoring()
    device = services.device_visible(actor, device_id)
    if device is None or device.enterprise_id != source.enterprise_id:
        raise ActionError(_("请选择本企业的监测设备"), field="device", code="invalid_choice")
    if device.pk in device_ids(source):
        raise ActionError(_("该设备已接入"), field="device", code="duplicate")
    links.link(source, device, MONITORED_BY, by=actor)
    audit.record("risks.mhs.monitor", source, actor=actor, after={"device": device.code})
    return device
