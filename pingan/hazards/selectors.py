"""Read queries for the pages and the API: scoped, filtered, with the joins they need, and constant
in the number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import statistics
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core.choices import colour_of, hex_of
from pingan.core.pagination import CompiledSelect
from pingan.core.params import bbox_param, id_param, is_id
from pingan.geo.models import Division

from . import rules
from .choices import OPEN_STATES, Grade, State
from .models import Category, Comment, HazardCase, Photo

FILTERS = (
    "state",
    "grade",
    "category",
    "division",
    "district",
    "department",
    "overdue",
    "source",
    "q",
    "enterprise",
)


def filter_cases(
    qs: QuerySet[HazardCase], params: Any, now: dt.datetime | None = None
) -> QuerySet[HazardCase]:
    """The list/map filters (the same on every page and endpoint). Unknown values simply match nothing."""
    now = now or timezone.now()
    state = params.get("state")
    if state:
        states = [s for s in state.split(",") if s]
        if "open" in states:
            states = [s for s in states if s != "open"] + list(OPEN_STATES)
        qs = qs.filter(state__in=states)
    grade = params.get("grade")
    if grade:
        qs = qs.filter(grade=grade)
    category = params.get("category")
    if category:
        # The category and its children, resolved first (a tiny table): the case query then has a
        # plain `category_id IN (…)` its indexes answer, no join.
        if str(category).isdigit():
            category = id_param(params, "category")
            cats = Category.objects.filter(Q(pk=category) | Q(parent=category))
        else:
            cats = Category.objects.filter(Q(code=category) | Q(parent__code=category))
        qs = qs.filter(category__in=list(cats.values_list("pk", flat=True)))
    division = params.get("division")
    if division:
        if str(division).isdigit() and len(str(division)) >= 6:
            id_param(params, "division")  # a division code: digits, within a bigint
            from pingan.geo.rules import division_path

            level = {6: "district", 9: "town", 12: "village", 15: "grid"}.get(len(str(division)), "district")
            if str(division).endswith("00") and len(str(division)) == 6:
                level = "city"
            qs = qs.filter(division_path__startswith=division_path(str(division), level))
        elif str(division).isdigit():
            division = id_param(params, "division")
            qs = qs.filter(Q(division=division) | Q(district=division))
    district = params.get("district")
    if district and str(district).isdigit():
        qs = qs.filter(district=id_param(params, "district"))
    department = params.get("department")
    if department and str(department).isdigit():
        department = id_param(params, "department")
        from .models import CaseTask

        qs = qs.filter(
            Q(lead_department=department)
            | Q(pk__in=CaseTask.objects.filter(department=department).values("case_id"))
        )
    overdue = params.get("overdue")
    if overdue in ("1", "true", "yes", True):
        qs = qs.filter(state__in=OPEN_STATES, due_at__lt=now)
    source = params.get("source")
    if source:
        qs = qs.filter(source=source)
    enterprise = params.get("enterprise")
    if enterprise and str(enterprise).isdigit():
        qs = qs.filter(enterprise=id_param(params, "enterprise"))
    text = (params.get("q") or "").strip()
    if text:
        m = re.fullmatch(r"(?:YH-\d{4}-)?0*(\d+)", text, re.IGNORECASE)
        if m and is_id(m.group(1)):
            qs = qs.filter(Q(pk=int(m.group(1))) | Q(title__icontains=text))
        elif m:
            qs = qs.filter(title__icontains=text)
        else:
            qs = qs.filter(
                Q(title__icontains=text) | Q(address__icontains=text) | Q(tracking_code=text.upper())
            )
    return qs


# The columns of the list endpoint, read with .values_list() (tuples, no model instances), one query
# per page; api.serializers.list_rows turns them into dicts. The names beside the ids (category,
# division, district, lead department) are scalar subqueries, not joins: PostgreSQL took about 1.7 ms
# to plan the five-table join, four times what running it took for a page of 50, and plans the
# subqueries in 0.3 ms; each name is still one primary-key look-up per row (decision 0021). The SQL
# is built from the models' table and column names; nothing in it comes from a request.
LIST_VALUES = (
    "id",
    "title",
    "state",
    "grade",
    "source",
    "category_id",
    "category_code",
    "category_name",
    "division_id",
    "division_name",
    "district_id",
    "district_name",
    "lead_department_id",
    "lead_department_name",
    "lat",
    "lon",
    "address",
    "created_at",
    "due_at",
    "listed",
)


@functools.cache
def _name_of(fk: str, column: str) -> RawSQL:
    """`(SELECT <column> FROM <the fk's table> WHERE id = <the case's fk>)`, built once per process
    (the ORM copies an expression when a queryset takes it, so one instance serves every request)."""
    field = HazardCase._meta.get_field(fk)
    target = field.related_model._meta  # type: ignore[union-attr]
    qn = connection.ops.quote_name
    return RawSQL(
        f"SELECT {qn(target.get_field(column).column)} FROM {qn(target.db_table)} "  # noqa: S608
        f"WHERE {qn(target.pk.column)} = {qn(HazardCase._meta.db_table)}.{qn(field.column)}",
        (),
    )


def list_values(qs: QuerySet[HazardCase]) -> QuerySet[HazardCase]:
    """The list's page query: LIST_VALUES, the names as scalar subqueries."""
    return qs.annotate(
        category_code=_name_of("category", "code"),
        category_name=_name_of("category", "name"),
        division_name=_name_of("division", "name"),
        district_name=_name_of("district", "name"),
        lead_department_name=_name_of("lead_department", "name"),
    ).values_list(*LIST_VALUES)


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """`min_lon,min_lat,max_lon,max_lat` (the GeoJSON/OGC order)."""
    parts = bbox_param({"bbox": value}, "bbox")  # not four finite degrees: 400 naming bbox
    if parts is None or parts[0] > parts[2] or parts[1] > parts[3]:
        return None
    return parts


# Points up to this many in the box, else clusters: five hundred markers already cover a phone's map
# edge to edge (a count on a cluster says more than a pile of dots), and an answer of a few hundred
# features stays small and fast at any size of the table (decisions 0019, 0020).
MAP_CAP = 500
CLUSTER_GRID = 16  # cells across the box when clustering without a zoom (≤ 256 features)


def case_colour(state: str, grade: str) -> str:
    """MAJOR open hazards are red whatever their step; the rest take the colour of their state."""
    if grade == Grade.MAJOR and state in OPEN_STATES:
        return "red"
    return colour_of(State, state)


def map_features(
    qs: QuerySet[HazardCase],
    bbox: tuple[float, float, float, float] | None,
    cap: int = MAP_CAP,
    now: dt.datetime | None = None,
    url_of: Any = None,
    zoom: int | None = None,
) -> dict[str, Any]:
    """GeoJSON of the cases in the box: points when there are at most `cap`, else clusters on a grid
    (one GROUP BY in the database), so the answer stays small at a million cases. Two queries."""
    now = now or timezone.now()
    box: dict[str, float] = {}
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        box = {"lon__gte": min_lon, "lon__lte": max_lon, "lat__gte": min_lat, "lat__lte": max_lat}
    # One statement, compiled once: counted up to cap + 1 (an index-only count) before any row is
    # read — a crowded box goes straight to the clusters without fetching rows it would throw away —
    # then either read as the points or grouped into the clusters (decision 0021).
    select = CompiledSelect(
        qs.filter(lat__isnull=False, **box)
        .order_by()
        .values_list("id", "lat", "lon", "state", "grade", "title", "due_at")
    )
    upto = select.count(cap + 1)
    if upto <= cap:
        rows = select.rows()
        labels = {k: str(v) for k, v in State.choices}
        overdue_word = " · " + _("超期")
        colours = {(s, g): hex_of(case_colour(s, g)) for s in State.values for g in Grade.values}
        base = url_of(0)[:-2] if url_of else None
        features = []
        for pk, lat, lon, state, grade, title, due_at in rows:
            overdue = bool(due_at is not None and state in OPEN_STATES and due_at < now)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {
                        "id": pk,
                        "label": title,
                        "state": state,
                        "grade": grade,
                        "overdue": overdue,
                        "colour": colours.get((state, grade), "#8a8f98"),
                        "popup": labels.get(state, state) + (overdue_word if overdue else ""),
                        "url": f"{base}{pk}/" if base else None,
                    },
                }
            )
        return {"type": "FeatureCollection", "features": features, "clustered": False, "count": len(features)}
    # Too many: clusters on a grid counted in the database (floor(lon / cell), floor(lat / cell),
    # GROUP BY — what ST_SnapToGrid does, without PostGIS). The cell is a power of two of a degree,
    # from the zoom level (about a quarter of a 256-pixel tile) or else from the box (≈ CLUSTER_GRID
    # cells across), so cells stay put while the map pans and halve with each zoom step.
    size = cluster_cell(bbox, zoom)
    open_in = ", ".join(["%s"] * len(OPEN_STATES))
    is_open = f"c.state IN ({open_in})"
    cells = select.wrap(
        "FLOOR(c.lon / %s), FLOOR(c.lat / %s), COUNT(*), "
        f"SUM(CASE WHEN {is_open} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {is_open} AND c.due_at < %s THEN 1 ELSE 0 END), AVG(c.lon), AVG(c.lat)",
        (
            size,
            size,
            *OPEN_STATES,
            *OPEN_STATES,
            select.connection.ops.adapt_datetimefield_value(now),
        ),
        tail="GROUP BY 1, 2",
    )
    label_tpl, popup_tpl = _("%(n)d 处隐患"), _("未办结 %(o)d,超期 %(d)d")
    red, orange, green = hex_of("red"), hex_of("orange"), hex_of("green")
    features = []
    total = 0
    for _cx, _cy, n, open_n, overdue_n, at_lon, at_lat in cells:
        total += n
        features.append(
            {
                "type": "Feature",
                # Where its cases are (their mean), not the cell's centre: a cluster sits on its town.
                "geometry": {"type": "Point", "coordinates": [round(at_lon, 6), round(at_lat, 6)]},
                "properties": {
                    "cluster": True,
                    "count": n,
                    "open": open_n,
                    "overdue": overdue_n,
                    "colour": red if overdue_n else (orange if open_n else green),
                    "label": label_tpl % {"n": n},
                    "popup": popup_tpl % {"o": open_n, "d": overdue_n},
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "clustered": True,
        "count": total,
        "cell": size,
    }


def cluster_cell(bbox: tuple[float, float, float, float] | None, zoom: int | None = None) -> float:
    """The clustering cell in degrees: 2^k, about a quarter tile at `zoom`, else ≈ box / CLUSTER_GRID."""
    if zoom is not None:
        return 360.0 / (2**zoom) / 4
    if bbox is None:
        bbox = (111.9, 23.4, 114.0, 25.2)  # the city
    span = max(bbox[2] - bbox[0], bbox[3] - bbox[1]) or 0.01
    return float(2 ** math.ceil(math.log2(span / CLUSTER_GRID)))


# --- The public view of a case: no reporter, no internal notes --------------------------------
# Mobile numbers in free text are masked before the public sees them: a pure rule with its vectors.
mask_phones = rules.mask_phones


def public_status_note(case: HazardCase) -> str:
    note = case.get_state_display()
    if case.public_note:
        note += ": " + mask_phones(case.public_note)
    return note


def public_comments(case: HazardCase) -> list[Comment]:
    return list(Comment.objects.filter(case=case, is_public=True).order_by("created_at"))


def public_photos(case: HazardCase) -> list[Photo]:
    """The photos the public may see (not the acceptance evidence), addressed by their public_id."""
    return list(
        Photo.objects.filter(case=case, kind__in=rules.PUBLIC_PHOTO_KINDS).order_by("created_at", "id")
    )


def _public_steps() -> dict[str, Any]:
    """The audited steps the public sees on the tracking page, with their public wording."""
    return {
        "hazards.case.submit": _("已受理"),
        "hazards.case.register": _("已立案"),
        "hazards.case.decline": _("不予立案"),
        "hazards.case.close_on_spot": _("已当场整改销号"),
        "hazards.case.merge": _("已与相同隐患合并处理"),
        "hazards.case.report": _("已上报监管部门"),
        "hazards.case.approve_plan": _("治理方案已批准"),
        "hazards.case.assign": _("已派遣至责任部门"),
        "hazards.case.reassign": _("已改派责任部门"),
        "hazards.case.start": _("开始整改"),
        "hazards.case.submit_rectification": _("整改完成,待验收"),
        "hazards.case.accept": _("已销号"),
        "hazards.case.reject": _("验收不通过,继续整改"),
        "hazards.case.backlog": _("挂账"),
        "hazards.case.resume_backlog": _("恢复整改"),
        "hazards.case.reopen": _("重新打开整改"),
        "hazards.case.feedback": _("报告人反馈"),
    }


def public_timeline(case: HazardCase) -> list[tuple[dt.datetime, str]]:
    """Every public step of the case, read from its audit trail (one query), so that the history
    stays whole when a case is reopened after "not fixed" feedback: the first rectification and
    closure remain, then the feedback, the reopening and what followed. Only the step names are
    shown, never an officer's note."""
    from pingan.core.models import AuditEvent

    from .choices import FeedbackAnswer

    steps = _public_steps()
    answers = dict(FeedbackAnswer.choices)
    rows = []
    for at, action, after in (
        AuditEvent.objects.for_object(case)
        .filter(action__in=list(steps))
        .order_by("at", "id")
        .values_list("at", "action", "after")
    ):
        label = str(steps[action])
        if action == "hazards.case.feedback" and isinstance(after, dict) and after.get("answer") in answers:
            label = f"{label}: {answers[after['answer']]}"
        rows.append((at, label))
    if not rows:  # cases older than their audit trail (imports): the dates on the row
        rows.append((case.created_at, str(steps["hazards.case.submit"])))
    return rows


def awaits_feedback(case: HazardCase) -> bool:
    """Closed, and its reporter has not answered since this closure (a reopened and re-closed case
    is asked again)."""
    return case.state == State.CLOSED and not case.feedback.filter(created_at__gte=case.closed_at).exists()


def public_feedback(case: HazardCase) -> list[Any]:
    """The reporters' own answers after closure, with their notes (phones masked): the reporter
    sees what they told us next to what was done about it."""
    from .models import Feedback

    rows = list(Feedback.objects.filter(case=case).order_by("created_at"))
    for fb in rows:
        fb.public_note = mask_phones(fb.note)
    return rows


def ancestor_at(division: Division, level: str) -> Division | None:
    """The division itself or its ancestor at `level` (geo's own tree walk), None when above it."""
    for node in (division, *reversed(division.ancestors())):
        if node.level == level:
            return node
    return None


# --- Statistics ------------------------------------------------------------------------------
class MedianSeconds(Aggregate):
    """PostgreSQL: the median of (end − start) in seconds, `percentile_cont(0.5) WITHIN GROUP`."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (%(expressions)s)))"
    arg_joiner = " - "
    output_field = FloatField()


def stats_rows(qs: QuerySet[HazardCase], by: str, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """found, closed, open, overdue, closure rate, median days to close — grouped by one dimension
    (district, department, category, month). A few queries whatever the size."""
    now = now or timezone.now()
    key = {
        "district": "district__name",
        "department": "lead_department__name",
        "category": "category__name",
        "grade": "grade",
        "source": "source",
    }.get(by)
    base = qs.order_by()
    if by == "month":
        from django.db.models.functions import TruncMonth

        groups = base.annotate(k=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        key_expr = "k"
    else:
        groups = base.annotate(k=F(key))
        key_expr = "k"
    agg = (
        groups.values(key_expr)
        .annotate(
            found=Count("id"),
            closed=Count("id", filter=Q(state=State.CLOSED)),
            open=Count("id", filter=Q(state__in=OPEN_STATES)),
            overdue=Count("id", filter=Q(state__in=OPEN_STATES, due_at__lt=now)),
            major=Count("id", filter=Q(grade=Grade.MAJOR)),
        )
        .order_by(key_expr)
    )
    durations: dict[Any, list[float]] = defaultdict(list)
    if connection.vendor == "postgresql":
        # The median in the database (percentile_cont), in the same GROUP BY: no closed rows travel.
        agg = agg.annotate(
            median_s=MedianSeconds(
                "closed_at", "created_at", filter=Q(state=State.CLOSED, closed_at__isnull=False)
            )
        )
    else:
        for k, created, closed in groups.filter(state=State.CLOSED, closed_at__isnull=False).values_list(
            key_expr, "created_at", "closed_at"
        )[:200000]:
            durations[k].append((closed - created).total_seconds() / 86400)
    out = []
    for row in agg:
        k = row[key_expr]
        label = k
        if by == "month" and k is not None:
            label = timezone.localtime(k).strftime("%Y-%m") if timezone.is_aware(k) else k.strftime("%Y-%m")
        elif by == "grade":
            label = dict(Grade.choices).get(k, k)
        elif by == "source":
            from .choices import Source

            label = dict(Source.choices).get(k, k)
        d = durations.get(k) or []
        median = row.get("median_s")
        median_days = (
            round(median / 86400, 1)
            if median is not None
            else (round(statistics.median(d), 1) if d else None)
        )
        out.append(
            {
                "key": label if label is not None else _("(未定)"),
                "found": row["found"],
                "closed": row["closed"],
                "open": row["open"],
                "overdue": row["overdue"],
                "major": row["major"],
                "closure_rate": round(100 * row["closed"] / row["found"], 1) if row["found"] else 0.0,
                "median_days": median_days,
            }
        )
    return out


def period_table(qs: QuerySet[HazardCase], year: int, quarter: int | None) -> dict[str, Any]:
    """The quarterly or annual hazard statistics table (docs/domain §1) of a period, with its due date."""
    if quarter:
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        due = rules.quarterly_due(year, quarter)
        label = _("%(y)d 年第 %(q)d 季度") % {"y": year, "q": quarter}
    else:
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        due = rules.annual_due(year)
        label = _("%(y)d 年度") % {"y": year}
    tz = timezone.get_current_timezone()
    s = dt.datetime.combine(start, dt.time.min, tz)
    e = dt.datetime.combine(end, dt.time.min, tz)
    found = qs.filter(created_at__gte=s, created_at__lt=e).order_by()
    agg = found.aggregate(
        found=Count("id"),
        major=Count("id", filter=Q(grade=Grade.MAJOR)),
        general=Count("id", filter=Q(grade=Grade.GENERAL)),
    )
    closed = (
        qs.filter(closed_at__gte=s, closed_at__lt=e, state=State.CLOSED)
        .order_by()
        .aggregate(closed=Count("id"), major_closed=Count("id", filter=Q(grade=Grade.MAJOR)))
    )
    open_at_end = (
        qs.filter(created_at__lt=e)
        .filter(Q(closed_at=None) | Q(closed_at__gte=e))
        .exclude(state__in=[State.DECLINED, State.MERGED])
        .order_by()
        .count()
    )
    return {
        "label": label,
        "start": start,
        "end": end - dt.timedelta(days=1),
        "due": due,
        **agg,
        **closed,
        "open_at_end": open_at_end,
        "rate": round(100 * (closed["closed"] or 0) / agg["found"], 1) if agg["found"] else 0.0,
    }


def period_tables(qs: QuerySet[HazardCase], year: int) -> list[dict[str, Any]]:
    """The four quarters and the year (`period_table` of each), counted in ONE query: every figure is
    a conditional count over the cases created before the year's end (a case closed in the period
    was created before its closure)."""
    tz = timezone.get_current_timezone()
    periods: list[tuple[int | None, dt.date, dt.date]] = []
    for quarter in (1, 2, 3, 4, None):
        if quarter:
            start = dt.date(year, 3 * quarter - 2, 1)
            end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        else:
            start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        periods.append((quarter, start, end))
    aggs: dict[str, Any] = {}
    for i, (_q, start, end) in enumerate(periods):
        s = dt.datetime.combine(start, dt.time.min, tz)
        e = dt.datetime.combine(end, dt.time.min, tz)
        made = Q(created_at__gte=s, created_at__lt=e)
        shut = Q(closed_at__gte=s, closed_at__lt=e, state=State.CLOSED)
        aggs |= {
            f"found{i}": Count("id", filter=made),
            f"major{i}": Count("id", filter=made & Q(grade=Grade.MAJOR)),
            f"general{i}": Count("id", filter=made & Q(grade=Grade.GENERAL)),
            f"closed{i}": Count("id", filter=shut),
            f"major_closed{i}": Count("id", filter=shut & Q(grade=Grade.MAJOR)),
            f"open_at_end{i}": Count(
                "id",
                filter=(Q(closed_at=None) | Q(closed_at__gte=e))
                & ~Q(state__in=[State.DECLINED, State.MERGED])
                & Q(created_at__lt=e),
            ),
        }
    year_end = dt.datetime.combine(periods[-1][2], dt.time.min, tz)
    got = qs.filter(created_at__lt=year_end).order_by().aggregate(**aggs)
    out = []
    for i, (quarter, start, end) in enumerate(periods):
        if quarter:
            due = rules.quarterly_due(year, quarter)
            label = _("%(y)d 年第 %(q)d 季度") % {"y": year, "q": quarter}
        else:
            due = rules.annual_due(year)
            label = _("%(y)d 年度") % {"y": year}
        row = {
            k: got[f"{k}{i}"] for k in ("found", "major", "general", "closed", "major_closed", "open_at_end")
        }
        out.append(
            {
                "label": label,
                "start": start,
                "end": end - dt.timedelta(days=1),
                "due": due,
                **row,
                "rate": round(100 * (row["closed"] or 0) / row["found"], 1) if row["found"] else 0.0,
            }
        )
    return out


def categories_tree() -> list[Category]:
    cats = list(Category.objects.filter(is_active=True).select_related("parent"))
    return sorted(
        cats, key=lambda c: ((c.parent.order if c.parent else c.order), c.parent_id is not None, c.order)
    )
