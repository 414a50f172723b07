"""Writing audit events. Called by the actions layer inside the transaction of the change."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .context import current_origin
from .models import AuditEvent

ANONYMOUS = "anonymous"


def jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if hasattr(value, "read"):  # a file field
        return getattr(value, "name", None) or None
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of `obj` as JSON values (FKs as their ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = jsonable(getattr(obj, attname))
    return out


def record(
    action: str,
    obj: models.Model | None,
    *,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    division_path: str | None = None,
) -> AuditEvent:
    """Append one audit event. `action` is dotted: "<app>.<object>.<verb>"."""
    origin = current_origin()
    if division_path is None and obj is not None:
        division_path = _division_path_of(obj)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    if actor_obj is not None:
        label = actor_obj.get_username()
    elif actor is not None and hasattr(actor, "is_authenticated"):
        label = ANONYMOUS  # an anonymous visitor (e.g. a public report)
    else:
        label = str(actor) if actor else ""  # a named system actor ("device:GAS-001") or nobody
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_label=label[:150],
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        division_path=division_path or "",
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        note=note,
        channel=origin.channel,
        ip=origin.ip,
        request_id=origin.request_id,
    )


def _division_path_of(obj: models.Model) -> str:
    path = getattr(obj, "scope_division", None)
    if not path:
        return getattr(obj, "path", "") if obj._meta.label == "geo.Division" else ""
    target: Any = obj
    for part in path.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return ""
    return getattr(target, "path", "")
