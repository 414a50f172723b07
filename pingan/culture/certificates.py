"""Certificates as PDF (fpdf2, decision 0009), in Chinese with the Noto Sans CJK font of the system."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import pdf as pdf_fonts
from pingan.core.pdf import FontMissing

__all__ = ["FontMissing", "render_pdf"]


def font() -> tuple[str, int]:
    """`settings.CULTURE_CERTIFICATE_FONT` if set (a Noto CJK collection), else the system's CJK font
    as pingan.core.pdf finds it (Noto Sans CJK SC first)."""
    configured = getattr(settings, "CULTURE_CERTIFICATE_FONT", "")
    if configured:
        if not Path(configured).exists():
            raise pdf_fonts.FontMissing(configured)
        return str(configured), pdf_fonts.NOTO_SC_INDEX
    return pdf_fonts.cjk_font(sans=True)  # raises FontMissing without one


def render_pdf(cert: Any, verify_url: str) -> bytes:
    """One A4 landscape page: the holder, the course and its hours, the score, the date and the
    verification code with the portal address where anyone can check it."""
    from fpdf import FPDF

    path, index = font()
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_draw_color(180, 30, 30)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.3)
    pdf.rect(14, 14, 269, 182)
    pdf.set_font("cjk", size=30)
    pdf.set_y(34)
    pdf.cell(0, 16, _("安全培训合格证书"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=16)
    pdf.ln(10)
    lines = [
        _("%(holder)s 同志:") % {"holder": cert.holder},
        _("完成《%(course)s》课程学习(%(hours)s 学时),测验成绩 %(score)s 分,特发此证。")
        % {"course": cert.course_title, "hours": f"{cert.hours:g}", "score": cert.score},
    ]
    for line in lines:
        pdf.set_x(30)
        pdf.multi_cell(237, 11, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.set_font("cjk", size=13)
    pdf.set_x(30)
    pdf.cell(
        0,
        8,
        _("发证日期:%(date)s") % {"date": timezone.localdate(cert.issued_at).isoformat()},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_x(30)
    pdf.cell(0, 8, _("证书验证码:%(code)s") % {"code": cert.code}, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(30)
    pdf.cell(0, 8, _("验证网址:%(url)s") % {"url": verify_url}, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=14)
    pdf.set_xy(180, 165)
    pdf.cell(90, 10, _("平安清远 安全宣传教育平台"), align="C")
    return bytes(pdf.output())
