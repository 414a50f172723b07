"""Drafting a warning and editing the draft."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, lock
from pingan.core.permissions import require
from pingan.geo.models import Division

from ..choices import Source, State
from ..models import EarlyWarning
from .common import CONTENT, FIELDS, AreaInput, _save_areas, _state_is, clean_areas, clean_content


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
