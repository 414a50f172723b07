"""Links between objects of different apps (see core.models.Link)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Link

if TYPE_CHECKING:  # pragma: no cover
    from .permissions import Actor


def link(a: models.Model, b: models.Model, kind: str, *, by: Actor = None) -> Link:
    """Link `a` → `b` (idempotent)."""
    obj, _ = Link.objects.get_or_create(
        a_type=ContentType.objects.get_for_model(a),
        a_id=str(a.pk),
        b_type=ContentType.objects.get_for_model(b),
        b_id=str(b.pk),
        kind=kind,
        defaults={"created_by": by if getattr(by, "is_authenticated", False) else None},
    )
    return obj


def linked(obj: models.Model, model: type[models.Model] | None = None) -> list[tuple[str, models.Model]]:
    """(kind, other object) for every link touching `obj`, in either direction."""
    ct = ContentType.objects.get_for_model(obj)
    out: list[tuple[str, models.Model]] = []
    for row in Link.objects.filter(a_type=ct, a_id=str(obj.pk)).select_related("b_type"):
        other = row.b_type.get_object_for_this_type(pk=row.b_id)
        if model is None or isinstance(other, model):
            out.append((row.kind, other))
    for row in Link.objects.filter(b_type=ct, b_id=str(obj.pk)).select_related("a_type"):
        other = row.a_type.get_object_for_this_type(pk=row.a_id)
        if model is None or isinstance(other, model):
            out.append((row.kind, other))
    return out
