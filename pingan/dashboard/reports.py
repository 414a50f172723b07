"""A district's monthly or quarterly report (月报/季报) as PDF: its figures for the period against the
previous period, and its townships side by side. Built from the same figures as the KPI table (one
query per figure and period) and rendered with pingan.core.pdf."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import pdf
from pingan.geo.models import Division

from . import figures as F
from . import rules

TOWNSHIP_COLUMNS = 5


def build(user: Any, district: Division, kind: str, day: dt.date) -> dict[str, Any]:
    """The report's content (plain data, tested without the PDF)."""
    start, end, p_start, p_end = rules.report_period(kind, day)
    today = timezone.localdate()
    towns = list(
        Division.objects.filter(level="town", path__startswith=district.path)
        .order_by("code")
        .values("path", "name")
    )
    keys = [t["path"] for t in towns]
    rows, town_cells = [], {}
    figs = F.registered()
    for fig in figs:

        def cells(a: dt.date, b: dt.date, fig: F.Figure = fig) -> dict[str, F.Cell]:
            samples = F.compute(fig, user, *F.span(a, min(b, today)))
            mine = {p: v for p, v in samples.items() if (p or "").startswith(district.path)}
            return F.roll_up(fig.kind, mine, keys, F.TOWNSHIP)

        now, before = cells(start, end), cells(p_start, p_end)
        v, b = now[""].value, before[""].value
        change = "" if v is None or b is None else f"{v - b:+g}"
        rows.append(
            {
                "key": fig.key,
                "label": str(fig.label),
                "value": v,
                "previous": b,
                "text": F.fmt(v, str(fig.unit)),
                "previous_text": F.fmt(b, str(fig.unit)),
                "change": change,
                "better": fig.better,
            }
        )
        town_cells[fig.key] = {k: F.fmt(now[k].value, str(fig.unit)) for k in keys}
    columns = figs[:TOWNSHIP_COLUMNS]
    return {
        "district": district.name,
        "kind": kind,
        "start": start,
        "end": end,
        "previous": (p_start, p_end),
        "partial": end > today,
        "today": today,
        "rows": rows,
        "town_header": [str(f.label) for f in columns],
        "towns": [[t["name"], *[town_cells[f.key][t["path"]] for f in columns]] for t in towns],
    }


def title(content: dict[str, Any]) -> str:
    start = content["start"]
    if content["kind"] == "quarter":
        period = _("%(year)s年第%(q)s季度") % {"year": start.year, "q": (start.month - 1) // 3 + 1}
        return _("%(district)s安全生产季报(%(period)s)") % {"district": content["district"], "period": period}
    period = _("%(year)s年%(month)s月") % {"year": start.year, "month": start.month}
    return _("%(district)s安全生产月报(%(period)s)") % {"district": content["district"], "period": period}


def render(content: dict[str, Any]) -> bytes:
    """Raises pingan.core.pdf.FontMissing without a Chinese font."""
    heading = title(content)
    doc = pdf.report(heading)
    pdf.heading(doc, heading, 16)
    p_start, p_end = content["previous"]
    pdf.paragraph(
        doc,
        _("统计期 %(start)s 至 %(end)s,对比上期 %(p_start)s 至 %(p_end)s。")
        % {"start": content["start"], "end": content["end"], "p_start": p_start, "p_end": p_end},
    )
    if content["partial"]:
        pdf.paragraph(doc, _("本期尚未结束,数据截至 %(today)s。") % {"today": content["today"]})
    doc.ln(3)
    pdf.table(
        doc,
        [_("指标"), _("本期"), _("上期"), _("变化")],
        [[r["label"], r["text"], r["previous_text"], r["change"] or "—"] for r in content["rows"]],
        [70, 35, 35, 0],
    )
    if content["towns"]:
        pdf.paragraph(doc, _("各乡镇街道(本期)"), 12)
        doc.ln(1)
        n = len(content["town_header"])
        usable = doc.w - doc.l_margin - doc.r_margin
        pdf.table(
            doc,
            [_("乡镇街道"), *content["town_header"]],
            content["towns"],
            [40] + [(usable - 40) / max(1, n)] * n,
        )
    pdf.paragraph(
        doc,
        _("指标口径见指挥中心各指标说明;生成时间 %(at)s。")
        % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        9,
    )
    return pdf.output(doc)
