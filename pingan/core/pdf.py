"""PDF with Chinese text (fpdf2, decisions 0008/0009): the system's CJK font and a few layout helpers
shared by the modules that render PDFs (enforcement documents, hazard notices, certificates, reports).

Official forms (`render_form_pdf`): the agency's name and the form's title centred, the number (文号)
on the right, the party as a two-column table, the body in sections of paragraphs (first-line indent
of two characters), the signature lines, the seal and the date at the foot. `content` is a plain dict
(frozen on the issuing row), so a download always shows what was issued.

The font is found at run time, never downloaded: `PINGAN_CJK_FONT` if set, else Debian's
fonts-noto-cjk (Noto Serif/Sans CJK; index 2 of the collection is Simplified Chinese), else WenQuanYi
or AR PL. Without any, `cjk_font()` raises `FontMissing` and callers answer 503 with its message.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
SANS_CANDIDATES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", *FONT_CANDIDATES)
# In the Noto CJK collections the simplified-Chinese face is the third (JP, KR, SC, TC, HK).
NOTO_SC_INDEX = 2

# fontTools logs every glyph of the subset at INFO: quiet it, the PDF is what matters.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class FontMissing(RuntimeError):
    """No font with Chinese glyphs: PDFs cannot be rendered on this machine."""


def cjk_font(*, sans: bool = False) -> tuple[str, int]:
    """The path of a font with Chinese glyphs and its index inside a collection (serif first, as
    official documents are set; `sans` for reports and certificates)."""
    configured = os.environ.get("PINGAN_CJK_FONT", "")
    candidates = SANS_CANDIDATES if sans else FONT_CANDIDATES
    for path in ([configured] if configured else []) + list(candidates):
        if path and Path(path).is_file():
            return path, (NOTO_SC_INDEX if "NotoS" in Path(path).name else 0)
    raise FontMissing(_("找不到中文字体,无法生成PDF文书:请安装 fonts-noto-cjk 或设置 PINGAN_CJK_FONT"))


def report(title: str, *, landscape: bool = False) -> Any:
    """An A4 report with the CJK font loaded as "cjk" and one page started. Raises FontMissing."""
    from fpdf import FPDF

    path, index = cjk_font(sans=True)
    pdf = FPDF(orientation="L" if landscape else "P", format="A4", unit="mm")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_title(title)
    pdf.add_page()
    return pdf


def heading(pdf: Any, text: str, size: float = 16) -> None:
    from fpdf.enums import XPos, YPos

    pdf.set_font("cjk", size=size)
    pdf.multi_cell(0, size * 0.6, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def paragraph(pdf: Any, text: str, size: float = 10) -> None:
    from fpdf.enums import WrapMode, XPos, YPos

    pdf.set_font("cjk", size=size)
    pdf.multi_cell(0, size * 0.55, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def fit(pdf: Any, text: Any, width: float) -> str:
    """`text` shortened with an ellipsis until it fits `width` mm in the current font."""
    s = str(text)
    if pdf.get_string_width(s) <= width - 2:
        return s
    while s and pdf.get_string_width(s + "…") > width - 2:
        s = s[:-1]
    return s + "…"


def table(pdf: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> None:
    """A bordered table, one line per row; widths in mm (a last width of 0 takes what is left)."""
    from fpdf.enums import WrapMode, XPos, YPos

    usable = pdf.w - pdf.l_margin - pdf.r_margin
    ws = list(widths)
    if ws and ws[-1] == 0:
        ws[-1] = max(10.0, usable - sum(ws[:-1]))
    pdf.set_font("cjk", size=9)
    pdf.set_fill_color(230, 236, 245)

    def head() -> None:
        """Header cells wrap (up to three lines) rather than being cut short."""
        line_h = 4.5
        texts = []
        for text, w in zip(header, ws, strict=True):
            lines = pdf.multi_cell(
                w - 1, line_h, str(text), dry_run=True, output="LINES", wrapmode=WrapMode.CHAR
            )
            texts.append(
                "".join(lines[:2]) + fit(pdf, "".join(lines[2:]), w - 1) if len(lines) > 3 else str(text)
            )
        heights = [
            min(3, len(lines))
            for lines in (
                pdf.multi_cell(w - 1, line_h, t, dry_run=True, output="LINES", wrapmode=WrapMode.CHAR)
                for t, w in zip(texts, ws, strict=True)
            )
        ]
        h = max([1, *heights]) * line_h + 2
        x0, y0 = pdf.get_x(), pdf.get_y()
        for text, w in zip(texts, ws, strict=True):
            x = pdf.get_x()
            pdf.rect(x, y0, w, h, style="DF")
            pdf.set_xy(x + 0.5, y0 + 1)
            pdf.multi_cell(w - 1, line_h, text, wrapmode=WrapMode.CHAR, new_x=XPos.RIGHT, new_y=YPos.TOP)
            pdf.set_xy(x + w, y0)
        pdf.set_xy(x0, y0 + h)

    head()
    for row in rows:
        if pdf.get_y() > pdf.h - pdf.b_margin - 8:
            pdf.add_page()
            head()
        for text, w in zip(row, ws, strict=True):
            pdf.cell(w, 6.5, fit(pdf, text, w), border=1, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.ln(6.5)
    pdf.ln(3)


def output(pdf: Any) -> bytes:
    return bytes(pdf.output())


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
