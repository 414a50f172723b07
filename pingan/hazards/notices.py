"""The printed notices of a hazard case: 整改通知书 (to the responsible unit: remove the hazard by the
deadline) and 督办通知书 (to the lead department: the case is late or under listed supervision).

Their text is plain Chinese whatever the interface language (they are official documents), frozen on
the Notice row when issued and rendered to PDF on demand by the shared form layout of
pingan.core.pdf (fpdf2 and the system's Noto CJK font, decision 0008)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pingan.core.pdf import chinese_date, render_form_pdf

from .choices import NoticeKind

TITLES = {NoticeKind.RECTIFY: "安全隐患整改通知书", NoticeKind.SUPERVISE: "安全隐患督办通知书"}
GRADES = {"general": "一般事故隐患", "major": "重大事故隐患"}


def _when(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y年%m月%d日}" if value else "—"


def build_content(case: Any, kind: str, *, department: Any, on: dt.date) -> dict[str, Any]:
    """Title, party lines, body and signature block from the case as it stands now."""
    place = case.address or str(case.division.name)
    lead = str(case.lead_department.name) if case.lead_department_id else "—"
    party = [
        ["隐患编号", case.number],
        ["隐患名称", case.title],
        ["隐患等级", GRADES.get(case.grade, case.grade)],
        ["所在地点", f"{case.division.name} {place}" if case.address else place],
    ]
    if kind == NoticeKind.RECTIFY:
        addressee = str(case.enterprise.name) if case.enterprise_id else lead
        party = [["责任单位", addressee], *party, ["整改期限", _when(case.due_at)]]
        paragraphs = [
            f"{addressee}:",
            f"经查,{place}存在以下安全隐患:{case.title}。"
            + (f"具体情况:{case.description}" if case.description else ""),
            f"该隐患于{_when(case.created_at)}发现,等级为{GRADES.get(case.grade, case.grade)}。"
            f"依据《中华人民共和国安全生产法》和《安全生产事故隐患排查治理暂行规定》,现责令你单位于"
            f"{_when(case.due_at)}前整改完毕,整改期间应当采取有效措施保证安全。",
            "整改完成后,请将整改措施、整改费用、整改责任人及整改前后照片报送本机关,申请验收。"
            "逾期未整改或整改不合格的,将依法处理。",
        ]
        signatures = ["发文人(签名):", "责任单位负责人(签收):"]
    elif kind == NoticeKind.SUPERVISE:
        late = case.is_overdue()
        reasons = []
        if late:
            reasons.append(f"整改期限({_when(case.due_at)})已过,至今未完成整改")
        if case.listed:
            reasons.append(f"该隐患已由{case.listed_authority or '有关机关'}挂牌督办")
        party = [["承办部门", lead], *party, ["原整改期限", _when(case.due_at)]]
        paragraphs = [
            f"{lead}:",
            f"你部门牵头办理的{case.number}号隐患({case.title}),{';'.join(reasons) or '需加快办理'}。",
            "现予督办:请你部门接到本通知书后立即组织整改,落实整改责任人、措施、资金和时限,"
            "并于三个工作日内将整改进展书面报送本机关。整改完成后及时提交验收。",
        ]
        signatures = ["督办人(签名):", "承办部门负责人(签收):"]
    else:
        raise ValueError(f"unknown notice kind {kind}")
    agency = str(department.name)
    return {
        "agency": agency,
        "title": TITLES[kind],
        "party": party,
        "sections": [{"heading": "", "paragraphs": paragraphs}],
        "signatures": signatures,
        "date": chinese_date(on),
        "seal": f"{agency}(印章)",
    }


def render(notice: Any) -> bytes:
    """The issued notice as PDF (raises pingan.core.pdf.FontMissing without a Chinese font)."""
    return render_form_pdf(notice.number, notice.content)
