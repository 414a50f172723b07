"""The assessment's reports as PDF (pingan.core.pdf: fpdf2 with the system's CJK font)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import pdf

from .choices import AssessmentState, UnitKind


def _num(v: Any) -> str:
    if v is None:
        return "—"
    return f"{round(float(v), 2):g}"


def _status(assessment: Any) -> str:
    if assessment.state == AssessmentState.PUBLISHED and assessment.published_at:
        return _("已公布(%(at)s)") % {"at": timezone.localtime(assessment.published_at).strftime("%Y-%m-%d")}
    return _("评分中,结果为 %(at)s 的预览") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}


def ranking_pdf(assessment: Any, data: dict[str, Any]) -> bytes:
    title = _("%(year)s 年度安全生产责任制考核结果") % {"year": assessment.year}
    doc = pdf.report(title, landscape=True)
    pdf.heading(doc, title, 18)
    pdf.paragraph(doc, _status(assessment))
    doc.ln(3)
    for kind in (UnitKind.DISTRICT, UnitKind.DEPARTMENT):
        block = data.get("kinds", {}).get(str(kind))
        if not block or not block["units"]:
            continue
        pdf.paragraph(doc, str(kind.label), 13)
        doc.ln(1)
        items = block["items"]
        header = [_("名次"), _("考核对象"), _("总分")] + [f"{i['label']}({i['weight']:g})" for i in items]
        rows = [
            [u["rank"] or "—", u["name"], _num(u["total"])] + [_num(u["scores"].get(i["key"])) for i in items]
            for u in block["units"]
        ]
        usable = doc.w - doc.l_margin - doc.r_margin
        rest = max(12.0, (usable - 14 - 40 - 16) / max(1, len(items)))
        pdf.table(doc, header, rows, [14, 40, 16] + [rest] * len(items))
    pdf.paragraph(
        doc,
        _(
            "说明:指标项目按各区县相对水平计分(最好者100分,最差者60分,其余按比例);责任清单项目为按期签订比例;"
            "人工项目为市级评定分数;总分为已计分项目的加权平均。"
        ),
        9,
    )
    return pdf.output(doc)


def unit_pdf(assessment: Any, block: dict[str, Any], row: dict[str, Any], count: int) -> bytes:
    title = _("%(year)s 年度安全生产责任制考核:%(name)s") % {"year": assessment.year, "name": row["name"]}
    doc = pdf.report(title)
    pdf.heading(doc, title, 16)
    pdf.paragraph(doc, _status(assessment))
    pdf.paragraph(
        doc,
        _("总分 %(total)s,名次 %(rank)s / %(count)s")
        % {"total": _num(row["total"]), "rank": row["rank"] or "—", "count": count},
        12,
    )
    doc.ln(3)
    header = [_("考核项目"), _("权重"), _("实际值"), _("得分")]
    rows = [
        [
            i["label"],
            f"{i['weight']:g}",
            _num(row["values"].get(i["key"]))
            + (i.get("unit") or "" if row["values"].get(i["key"]) is not None else ""),
            _num(row["scores"].get(i["key"])),
        ]
        for i in block["items"]
    ]
    pdf.table(doc, header, rows, [80, 25, 40, 0])
    return pdf.output(doc)
