"""The hazard platform's interface for other modules (monitoring alarms, inspection findings, …).

    from pingan.hazards.services import create_case_from_source
    case = create_case_from_source(actor=system_user, source="monitoring", title="…", description="…",
                                   category_code="hazchem", lat=23.7, lon=113.05, origin_obj=alarm)

The case is created through the actions layer (audit event, deadline, notification of the dispatch
centre) in state `submitted`, and `origin_obj` is linked to it with kind "opened_case"
(`pingan.core.links.linked(alarm)` finds it again).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pingan.core.actions import ActionError
from pingan.core.links import link

from .choices import Source
from .models import Category, HazardCase

# The category used when the caller names none (or one that does not exist).
FALLBACK_CATEGORY = "other"


def category_for(code: str | None) -> Category:
    if code:
        cat = Category.objects.filter(code=code, is_active=True).first()
        if cat is not None:
            return cat
    cat = (
        Category.objects.filter(code=FALLBACK_CATEGORY).first()
        or Category.objects.filter(is_active=True).first()
    )
    if cat is None:
        raise ActionError(_("尚未配置隐患类别"), field="category_code", code="no_categories")
    return cat


@transaction.atomic
def create_case_from_source(
    *,
    actor: Any,
    source: str,
    title: str,
    description: str,
    category_code: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    division: Any = None,
    enterprise: Any = None,
    origin_obj: Any = None,
    grade: str | None = None,
) -> HazardCase:
    """A submitted case opened by another module; `source` is a choices.Source value
    ("monitoring", "inspection", "video", "higher", …). Idempotent per `origin_obj`: the same alarm
    never opens two cases."""
    from . import actions

    if source not in Source.values:
        raise ActionError(_("未知的来源"), field="source", code="invalid")
    token = ""
    if origin_obj is not None and getattr(origin_obj, "pk", None) is not None:
        token = f"{origin_obj._meta.label_lower}:{origin_obj.pk}"
    if division is None and enterprise is not None and (lat is None or lon is None):
        division = enterprise.division
    case, _created = actions.do_submit(
        actor,
        source=source,
        title=title,
        description=description,
        category=category_for(category_code),
        grade=grade,
        lat=lat,
        lon=lon,
        division=division,
        enterprise=enterprise,
        client_token=token,
        subscribe=False,
    )
    if origin_obj is not None:
        link(origin_obj, case, "opened_case", by=actor)
    return case


def reported_by_enterprise(enterprise_id: int, *, year: int | None = None) -> int:
    """Hazards an enterprise found and reported itself (企业自查自报), for its incentive points: cases of
    source "enterprise" on that enterprise (of one year when given)."""
    qs = HazardCase.objects.filter(enterprise_id=enterprise_id, source=Source.ENTERPRISE)
    if year is not None:
        qs = qs.filter(created_at__year=year)
    return int(qs.count())


def attach_photos(case_id: int, files: Any, *, actor: Any) -> int:
    """Evidence photos taken with a finding (the field app): stored on the case as report photos, with
    the same checks as any upload (type from the content, size, pixel count; public copy stripped)."""
    from .choices import PhotoKind
    from .photos import save_photo

    case = HazardCase.objects.get(pk=case_id)
    n = 0
    for f in files:
        save_photo(case, f, kind=PhotoKind.REPORT, user=actor)
        n += 1
    return n


def active_categories() -> list[dict[str, str]]:
    """The hazard categories a reporter may choose (code, Chinese and English names)."""
    return list(Category.objects.filter(is_active=True).order_by("code").values("code", "name", "name_en"))


@transaction.atomic
def submit_report(
    actor: Any,
    *,
    client_token: str,
    title: str,
    description: str,
    category_code: str,
    lat: float | None,
    lon: float | None,
    address: str = "",
    photos: Any = (),
) -> tuple[HazardCase, bool]:
    """A report from the field app (a grid worker's phone, possibly synced after being offline): the
    same intake as every channel, idempotent on (channel, reporter, client token) — a replay answers
    the case made the first time, created=False."""
    from . import actions, permissions

    category = Category.objects.filter(code=category_code, is_active=True).first()
    if category is None:
        raise ActionError(_("未知的隐患类别"), field="category", code="invalid")
    return actions.do_submit(
        actor,
        source=permissions.intake_source(actor, Source.GRID),
        title=title,
        description=description,
        category=category,
        lat=lat,
        lon=lon,
        address=address,
        division=getattr(actor, "division", None) if lat is None or lon is None else None,
        client_token=client_token,
        photos=photos,
    )


def case_numbers(ids: Any) -> dict[int, str]:
    """Case numbers by id (the field app shows what a synced record opened)."""
    return {c.pk: c.number for c in HazardCase.objects.filter(pk__in=list(ids)).only("pk", "created_at")}
