"""Enforcement documents (执法文书): their content, frozen from the record when issued, and their
rendering to PDF (fpdf2) and DOCX (python-docx) in the layout of the official forms.

The forms are legal documents written in Chinese whatever the reader's interface language, so their
text is plain Chinese here, not translated. Layout of every form: the agency's name and the form's
title centred, the number (文号) on the right, the party, the body in numbered sections, and the
signature block (signatures, seal, date written in Chinese) at the foot. Decision record:
docs/decisions/0008-enforcement-documents.md.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone

# The CJK font is looked up by pingan.core.pdf (shared with certificates and reports); FontMissing is
# re-exported here for the views that answer 503 without one.
from pingan.core.pdf import FontMissing, cjk_font, render_form_pdf

from . import rules
from .choices import DocumentKind

__all__ = ["FontMissing", "cjk_font"]


# --- Content ----------------------------------------------------------------------------------------
def _party(inspection: Any) -> list[list[str]]:
    e = inspection.enterprise
    return [
        ["被检查单位", str(e.name)],
        ["统一社会信用代码", str(e.uscc)],
        ["地址", str(e.address or "—")],
        ["法定代表人(负责人)", str(e.legal_representative or e.principal or "—")],
    ]


def _inspectors(inspection: Any) -> str:
    return "、".join(f"{i}(执法证号{i.certificate_no})" for i in inspection.inspectors.all())


def _findings(inspection: Any, *, open_only: bool = False) -> list[Any]:
    qs = inspection.findings.select_related("item").order_by("pk")
    return list(qs.filter(state="open") if open_only else qs)


def build_content(kind: str, inspection: Any, *, penalty: Any = None, on: Any = None) -> dict[str, Any]:
    """The document's content from the record: title, party lines, sections of paragraphs, signatures."""
    day = on or timezone.localdate()
    agency = str(inspection.plan.department.name)
    when = timezone.localtime(inspection.started_at) if inspection.started_at else None
    period = when.strftime("%Y年%m月%d日 %H:%M") if when else "—"
    sections: list[dict[str, Any]] = []
    party = _party(inspection)
    signatures = ["执法人员(签名):", "被检查单位负责人(签名):"]
    findings = _findings(inspection)
    if kind == DocumentKind.SITE_RECORD:
        party = party + [
            ["检查时间", period],
            ["检查地点", str(inspection.enterprise.address or inspection.division.name)],
            ["执法人员", _inspectors(inspection)],
            ["被检查单位代表", str(inspection.representative or "—")],
        ]
        lines = [
            f"{n}. {f.description}" + ("(重大事故隐患)" if f.major else "") for n, f in enumerate(findings, 1)
        ]
        sections = [
            {
                "heading": "检查情况",
                "paragraphs": [
                    "执法人员出示执法证件,表明身份,告知被检查单位陈述、申辩和申请回避的权利后,"
                    "依法进行了现场检查。检查发现的问题如下:"
                ]
                + (lines or ["未发现安全生产违法行为和事故隐患。"]),
            }
        ]
    elif kind == DocumentKind.RECTIFY_ORDER:
        items = [
            f"{n}. {f.description}"
            + ("(重大事故隐患)" if f.major else "")
            + f",整改期限:{f.rectify_by:%Y年%m月%d日}"
            for n, f in enumerate(_findings(inspection, open_only=True), 1)
        ]
        sections = [
            {
                "heading": "",
                "paragraphs": [
                    f"{inspection.enterprise.name}:",
                    f"经查,你单位存在下列问题(检查时间:{period}):",
                    *items,
                    "依据《中华人民共和国安全生产法》第六十五条第一款第(三)项的规定,现责令你单位于上述"
                    "期限前整改完毕,达到有关法律法规规章和标准规定的要求。整改期间,应当采取措施保证安全。",
                    "如果不服本指令,可以依法在六十日内向上一级人民政府应急管理部门或者本级人民政府申请"
                    "行政复议,或者在六个月内依法向人民法院提起行政诉讼,但本指令不停止执行,法律另有规定的除外。",
                ],
            }
        ]
        signatures = ["执法人员(签名):", "被检查单位负责人(签收):"]
    elif kind == DocumentKind.REVIEW_OPINION:
        lines = []
        for n, f in enumerate(findings, 1):
            verdict = "已整改,复查合格" if f.state == "rectified" else "未整改完毕"
            note = f"({f.reinspection_note})" if f.reinspection_note else ""
            lines.append(f"{n}. {f.description}:{verdict}{note}")
        sections = [
            {
                "heading": "",
                "paragraphs": [
                    f"{inspection.enterprise.name}:",
                    f"本机关于{period}对你单位进行了检查,并责令限期整改。经复查,意见如下:",
                    *lines,
                ],
            }
        ]
        signatures = ["复查人员(签名):", "被复查单位负责人(签收):"]
    elif kind in (DocumentKind.PENALTY_NOTICE, DocumentKind.PENALTY_DECISION):
        if penalty is None:
            raise ValueError("penalty documents need the penalty")
        amount = f"{penalty.amount:,.2f}"
        if kind == DocumentKind.PENALTY_NOTICE:
            paragraphs = [
                f"{inspection.enterprise.name}:",
                f"经查,你单位{penalty.facts}",
                f"以上事实违反了有关安全生产法律法规的规定,依据{penalty.basis}的规定,本机关拟对你单位作出"
                f"罚款人民币{amount}元的行政处罚。",
                "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定,你单位有权进行陈述和申辩;"
                "根据第六十三条、第六十四条的规定,你单位有权要求听证,应当在收到本告知书之日起五日内提出。"
                "逾期不提出的,视为放弃上述权利。",
            ]
        else:
            notice = penalty.documents.filter(kind=DocumentKind.PENALTY_NOTICE).first()
            due = rules.payment_due(timezone.localdate(penalty.decided_at) if penalty.decided_at else day)
            paragraphs = [
                f"{inspection.enterprise.name}:",
                f"经查,你单位{penalty.facts}",
                (
                    f"本机关已于{notice.issued_at:%Y年%m月%d日}以《行政处罚告知书》({notice.number})告知你单位"
                    "拟作出行政处罚的事实、理由、依据及依法享有的权利。"
                    if notice
                    else ""
                ),
                f"依据{penalty.basis}的规定,决定对你单位处以罚款人民币{amount}元。",
                f"罚款限于{due:%Y年%m月%d日}前(收到本决定书之日起十五日内)缴纳。到期不缴纳罚款的,本机关"
                "可以每日按罚款数额的百分之三加处罚款。",
                "如果不服本处罚决定,可以依法在六十日内申请行政复议,或者在六个月内依法向人民法院提起行政诉讼,"
                "但本决定不停止执行,法律另有规定的除外。",
            ]
        sections = [{"heading": "", "paragraphs": [p for p in paragraphs if p]}]
        signatures = []
    else:
        raise ValueError(f"unknown document kind {kind}")
    return {
        "agency": agency,
        "title": _TITLES[kind],
        "party": party if kind == DocumentKind.SITE_RECORD else party[:3],
        "sections": sections,
        "signatures": signatures,
        "date": rules.chinese_date(day),
        "seal": f"{agency}(印章)",
    }


# The forms' titles are Chinese in every interface language (the choices' labels are translated).
_TITLES = {
    DocumentKind.SITE_RECORD: "现场检查记录",
    DocumentKind.RECTIFY_ORDER: "责令限期整改指令书",
    DocumentKind.REVIEW_OPINION: "整改复查意见书",
    DocumentKind.PENALTY_NOTICE: "行政处罚告知书",
    DocumentKind.PENALTY_DECISION: "行政处罚决定书",
}


# --- Rendering --------------------------------------------------------------------------------------
# The PDF form layout and the font lookup are shared with other apps' notices (pingan.core.pdf).
render_pdf = render_form_pdf
__all__ = ["FontMissing", "build_content", "cjk_font", "render_docx", "render_pdf"]


def render_docx(number: str, content: dict[str, Any]) -> bytes:
    """The same form as a Word document (A4, 宋体/仿宋 by East-Asian font name)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")

    def para(
        text: str,
        size: float = 12,
        align: Any = WD_ALIGN_PARAGRAPH.LEFT,
        *,
        east: str = "仿宋",
        indent: bool = False,
    ) -> None:
        p = doc.add_paragraph()
        p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.font.name = east  # creates the run's rFonts, then the East-Asian face is named on it
        run.element.rPr.rFonts.set(qn("w:eastAsia"), east)

    para(content["agency"], 16, WD_ALIGN_PARAGRAPH.CENTER, east="宋体")
    para(content["title"], 22, WD_ALIGN_PARAGRAPH.CENTER, east="宋体")
    para(number, 12, WD_ALIGN_PARAGRAPH.RIGHT)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in content["party"]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].width, cells[1].width = Cm(4.5), Cm(11.5)
    for sec in content["sections"]:
        if sec["heading"]:
            para(sec["heading"], 13, east="黑体")
        for text in sec["paragraphs"]:
            para(text, indent=not text.endswith(":"))
    for sig in content["signatures"]:
        para(f"{sig}______________    日期:______________")
    para(content["seal"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(content["date"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
