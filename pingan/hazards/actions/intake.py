"""A case comes in (any channel, idempotent) and the dispatch centre decides on it: register,
decline, close on the spot, merge a duplicate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.geo.models import Division

from .. import rules
from ..choices import (
    OPEN_STATES,
    Grade,
    PhotoKind,
    Source,
    State,
)
from ..models import (
    Category,
    Comment,
    HazardCase,
    Subscription,
)
from .common import (
    CASE_FIELDS,
    KIND_REGISTER,
    _begin,
    _make_deadline,
    _require_reason,
    _save_transition,
    _stop_all_clocks,
    _tell,
    _tell_subscribers,
    _who,
    dispatch_centre_for,
    people_of,
)


# --- Intake ----------------------------------------------------------------------------------
def check_submit(
    actor: Any,
    *,
    source: str,
    title: str,
    category: Category | None,
    lat: float | None,
    lon: float | None,
    division: Division | None,
    enterprise: Any = None,
) -> Division:
    if not (title or "").strip():
        raise ActionError(_("请填写标题"), field="title", code="required")
    if category is None:
        raise ActionError(_("请选择隐患类别"), field="category", code="required")
    if source not in Source.values:
        raise ActionError(_("未知的来源"), field="source", code="invalid")
    if source == Source.ENTERPRISE:
        require(
            actor,
            "hazards.self_report",
            enterprise,
            _("企业自查自报只能报告本单位的隐患"),
            field="enterprise",
        )
    if lat is not None or lon is not None:
        from pingan.geo.lookup import require_in_city

        located = require_in_city(lat, lon, field="location")
        if division is not None and not located.is_within(division):
            from pingan.geo.lookup import locate

            # Inside the chosen township's own boundary (what the map drew) but in a finer unit of
            # a neighbour (a sliver along the line): the township the person saw wins.
            same_level = locate(float(lat), float(lon), level=division.level)
            if same_level is not None and same_level.pk == division.pk:
                return division
            # The map and the list disagree: say so rather than route by one of them silently.
            raise ActionError(
                _("地图上的位置在%(here)s,不在所选的%(chosen)s")
                % {"here": located.name, "chosen": division.name},
                field="division",
                code="mismatch",
            )
        return located
    if division is not None:
        return division
    if enterprise is not None:
        return enterprise.division
    raise ActionError(_("需要位置(纬度和经度)或所在区划"), field="location", code="required")


def check_description(description: str | None) -> None:
    """Every channel (console, portal, API, Open311) stores at most TEXT_RULE's characters."""
    cap = rules.TEXT_RULE["description_max_chars"]
    if len(description or "") > cap:
        raise ActionError(
            _("详细描述不能超过 %(n)d 字(现有 %(m)d 字)") % {"n": cap, "m": len(description or "")},
            field="description",
            code="max_length",
        )


@transaction.atomic
def do_submit(
    actor: Any,
    *,
    source: str,
    title: str,
    description: str = "",
    category: Category | None,
    grade: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    division: Division | None = None,
    enterprise: Any = None,
    site: Any = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    client_token: str = "",
    photos: Iterable[Any] = (),
    subscribe: bool = True,
) -> tuple[HazardCase, bool]:
    """A new case from any channel. Idempotent: the same client token from the same reporter and
    channel returns the case made the first time (created=False)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    intake_key = None
    if client_token:
        token = str(client_token).strip()[:100]
        intake_key = f"{source}:{user.pk if user else 'anon'}:{token}"
        existing = HazardCase.objects.filter(intake_key=intake_key).first()
        if existing is not None:
            return existing, False
    if site is not None and enterprise is None:
        enterprise = site.enterprise
    check_description(description)
    where = check_submit(
        actor,
        source=source,
        title=title,
        category=category,
        lat=lat,
        lon=lon,
        division=division,
        enterprise=enterprise,
    )
    if grade not in (None, "", *Grade.values):
        raise ActionError(_("未知的隐患等级"), field="grade", code="invalid")
    now = timezone.now()
    case = HazardCase(
        title=title.strip()[:200],
        description=description or "",
        category=category,
        grade=grade or Grade.GENERAL,
        state=State.SUBMITTED,
        source=source,
        lat=lat,
        lon=lon,
        address=address[:300],
        division=where,
        district=where.district,
        enterprise=enterprise,
        site=site,
        reporter=user,
        reporter_name=reporter_name[:50],
        reporter_phone=reporter_phone[:20],
        intake_key=intake_key,
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # A retry raced the first request: the first one's case is the answer.
        existing = HazardCase.objects.filter(intake_key=intake_key).first() if intake_key else None
        if existing is None:
            raise
        return existing, False
    from ..photos import save_photo

    for f in photos:
        save_photo(case, f, kind=PhotoKind.REPORT, user=user)
    if user is not None and subscribe:
        Subscription.objects.get_or_create(case=case, user=user)
    centre = dispatch_centre_for(where)
    case.due_at = _make_deadline(
        case,
        kind=KIND_REGISTER,
        title=_("隐患受理立案: %(t)s") % {"t": case.title},
        limit=rules.DEFAULT_LIMITS["register"],
        case=case,
        department=centre,
        start=now,
    )
    case.save(update_fields=["due_at"])
    audit.record(
        "hazards.case.submit", case, actor=_who(actor), after=snapshot(case, CASE_FIELDS + ["source"])
    )
    _tell(people_of([centre]), case, "hazards.case.submitted", _("新的隐患上报: %(t)s") % {"t": case.title})
    return case, True


def find_duplicates(
    *,
    category: Category,
    lat: float | None,
    lon: float | None,
    exclude: int | None = None,
    distance_m: float | None = None,
    limit: int = 10,
) -> list[tuple[HazardCase, float]]:
    """Open cases of the same category within the configured distance, nearest first."""
    from django.conf import settings

    if lat is None or lon is None:
        return []
    radius = distance_m or getattr(
        settings, "HAZARDS_DUPLICATE_DISTANCE_M", rules.DUPLICATE_RULE["distance_m"]
    )
    min_lat, min_lon, max_lat, max_lon = rules.bbox_around(lat, lon, radius)
    qs = HazardCase.objects.filter(
        category=category,
        state__in=OPEN_STATES,
        lat__gte=min_lat,
        lat__lte=max_lat,
        lon__gte=min_lon,
        lon__lte=max_lon,
    ).select_related("division")
    if exclude:
        qs = qs.exclude(pk=exclude)
    out = []
    for other in qs[:500]:
        d = rules.distance_m(lat, lon, other.lat, other.lon)
        if rules.is_possible_duplicate((lat, lon), (other.lat, other.lon), True, radius):
            out.append((other, d))
    out.sort(key=lambda pair: pair[1])
    return out[:limit]


@transaction.atomic
def do_register(
    actor: Any,
    case: HazardCase,
    *,
    grade: str | None = None,
    category: Category | None = None,
    note: str = "",
    expected_state: str | None = None,
) -> HazardCase:
    case = _begin(actor, case, "register", expected_state)
    before = snapshot(case, CASE_FIELDS)
    if grade:
        if grade not in Grade.values:
            raise ActionError(_("未知的隐患等级"), field="grade", code="invalid")
        case.grade = grade
    if category is not None:
        case.category = category
    now = timezone.now()
    case.registered_at = now
    case.due_at = None
    deadlines.close(case, kind=KIND_REGISTER)
    _save_transition(actor, case, "register", before, note)
    _tell_subscribers(case, _("您报告的隐患已立案"))
    return case


@transaction.atomic
def do_decline(actor: Any, case: HazardCase, *, reason: str, expected_state: str | None = None) -> HazardCase:
    reason = _require_reason(reason)
    case = _begin(actor, case, "decline", expected_state)
    before = snapshot(case, CASE_FIELDS)
    _stop_all_clocks(case, met=True)
    case.due_at = None
    case.public_note = reason[:300]
    _save_transition(actor, case, "decline", before, reason)
    Comment.objects.create(case=case, author=actor, department=actor.department, body=reason, is_public=True)
    _tell_subscribers(case, _("您报告的隐患不予立案"))
    return case


@transaction.atomic
def do_close_on_spot(
    actor: Any, case: HazardCase, *, note: str, expected_state: str | None = None
) -> HazardCase:
    """A GENERAL hazard fixed at once by whoever found it (§1: the workshop head fixes it at once):
    closed with no regulator report."""
    note = _require_reason(note, "note")
    case = _begin(actor, case, "close_on_spot", expected_state)
    before = snapshot(case, CASE_FIELDS)
    now = timezone.now()
    case.fixed_on_spot = True
    case.registered_at = case.registered_at or now
    case.rectified_at = now
    case.closed_at = now
    case.due_at = None
    _stop_all_clocks(case, met=True)
    _save_transition(actor, case, "close_on_spot", before, note, ["fixed_on_spot"])
    _tell_subscribers(case, _("您报告的隐患已当场整改销号"))
    return case


@transaction.atomic
def do_merge(
    actor: Any, case: HazardCase, *, into: HazardCase, expected_state: str | None = None
) -> HazardCase:
    """Merge a duplicate into a surviving case; every reporter of the duplicate stays subscribed."""
    if into.pk == case.pk:
        raise ActionError(_("不能合并到自身"), field="into", code="invalid")
    case = _begin(actor, case, "merge", expected_state)
    into = lock(into)
    if into.state not in OPEN_STATES:
        raise ActionError(_("只能合并到未办结的隐患"), field="into", code="closed")
    if into.merged_into_id:
        raise ActionError(_("目标隐患已被合并"), field="into", code="merged")
    before = snapshot(case, CASE_FIELDS)
    users = {s.user_id for s in case.subscriptions.all()}
    if case.reporter_id:
        users.add(case.reporter_id)
    for uid in users:
        Subscription.objects.get_or_create(case=into, user_id=uid)
    case.merged_into = into
    case.due_at = None
    _stop_all_clocks(case, met=False)
    _save_transition(actor, case, "merge", before, _("合并至 %(n)s") % {"n": into.number}, ["merged_into"])
    audit.record("hazards.case.merged_in", into, actor=_who(actor), note=_("并入 %(n)s") % {"n": case.number})
    _tell_subscribers(case, _("您报告的隐患已与同一隐患合并,请关注 %(n)s") % {"n": into.number})
    return case
