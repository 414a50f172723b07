"""PDF forms (fpdf2, decision 0008) in Chinese with a system CJK font: the layout of official
documents shared by every app that prints one (inspections' enforcement documents, hazards' notices).

The layout: the agency's name and the form's title centred, the number (文号) on the right, the party
as a two-column table, the body in sections of paragraphs (first-line indent of two characters), the
signature lines, the seal and the date at the foot. `content` is a plain dict (frozen on the issuing
row), so a download always shows what was issued.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

# Where the CJK font is looked for (fonts-noto-cjk on Debian); PINGAN_CJK_FONT overrides. The font is
# never downloaded: without one the PDF is refused with a clear message.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
# In the Noto CJK collections the simplified-Chinese face is the third (JP, KR, SC, TC, HK).
NOTO_SC_INDEX = 2


# fontTools logs every glyph of the subset at INFO: quiet it, the PDF is what matters.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class FontMissing(RuntimeError):
    """No font with Chinese glyphs: PDFs cannot be rendered on this machine."""


def cjk_font() -> tuple[str, int]:
    """The path of a font with Chinese glyphs and its index inside a collection."""
    configured = os.environ.get("PINGAN_CJK_FONT", "")
    for path in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if path and Path(path).is_file():
            return path, (NOTO_SC_INDEX if "NotoS" in Path(path).name else 0)
    raise FontMissing(_("找不到中文字体,无法生成PDF文书:请安装 fonts-noto-cjk 或设置 PINGAN_CJK_FONT"))


def render_form_pdf(number: str, content: dict[str, Any]) -> bytes:
    """A4, CJK font, the form's layout. Raises FontMissing when no Chinese font is installed."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode, XPos, YPos

    path, index = cjk_font()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_title(f"{content['title']} {number}")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float, align: str = "L", height: float = 8) -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(
            width, height, text, align=align, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    line(content["agency"], 16, "C", 10)
    line(content["title"], 22, "C", 14)
    line(number, 12, "R", 8)
    pdf.ln(2)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    label_w = 45.0
    for label, value in content["party"]:
        y = pdf.get_y()
        pdf.multi_cell(
            label_w, 8, f"{label}", border=1, wrapmode=WrapMode.CHAR, new_x=XPos.RIGHT, new_y=YPos.TOP
        )
        pdf.set_xy(pdf.l_margin + label_w, y)
        pdf.multi_cell(
            width - label_w, 8, value, border=1, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.ln(4)
    for section in content["sections"]:
        if section["heading"]:
            line(section["heading"], 13, "L", 9)
        for para in section["paragraphs"]:
            # First-line indent of two characters, as official documents are set.
            line("\u3000\u3000" + para if not para.endswith(":") else para, 12, "J", 8)
    pdf.ln(10)
    for sig in content["signatures"]:
        line(f"{sig}______________    日期:______________", 12, "L", 10)
    pdf.ln(6)
    line(content["seal"], 12, "R", 8)
    line(content["date"], 12, "R", 8)
    return bytes(pdf.output())


_CN_DIGITS = "〇一二三四五六七八九"


def chinese_date(day: dt.date) -> str:
    """A date as official documents write it: 二〇二六年三月二日."""

    def small(n: int) -> str:
        if n < 10:
            return _CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")

    year = "".join(_CN_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{small(day.month)}月{small(day.day)}日"
