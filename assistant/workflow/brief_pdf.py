"""The strategy brief as a PDF (fpdf2): A4, DejaVu Sans so French accents and typographic marks
render, the question list and the source list as tables, Markdown tables in answers as tables.

The font is looked up where it is usually installed (Debian's ``fonts-dejavu-core``, which
``make install`` adds, or matplotlib's copy); without it the PDF falls back to a built-in font
and replaces the few characters that font lacks.
"""

from __future__ import annotations

import importlib.util
import logging
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from .brief import Brief, meta_line, when

log = logging.getLogger(__name__)
FAMILY = "DejaVu"
_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
          "BI": "DejaVuSans-BoldOblique.ttf"}
_SYSTEM_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
                "/usr/local/share/fonts", "/Library/Fonts")
_ASCII = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "€": "EUR",
                        "œ": "oe", "Œ": "OE", "•": "-", "\u00a0": " ", "\u202f": " ", "≈": "~", "→": "->"})
INK = (31, 41, 55)
MUTED = (100, 116, 139)
ACCENT = (67, 56, 202)
HEAD_FILL = (238, 242, 255)
QUOTE_FILL = (248, 250, 252)


@lru_cache(maxsize=1)
def font_dir() -> Path | None:
    """A folder holding the four DejaVu Sans files, or None."""
    candidates = [Path(d) for d in _SYSTEM_DIRS]
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        candidates.insert(0, Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf")
    for folder in candidates:
        if all((folder / name).is_file() for name in _FILES.values()):
            return folder
    log.warning("DejaVu Sans not found (install fonts-dejavu-core); the PDF brief uses a built-in font")
    return None


class _BriefPDF(FPDF):
    def __init__(self, brief: Brief) -> None:
        super().__init__(format="A4")
        self.brief = brief
        folder = font_dir()
        self.unicode = folder is not None
        if folder is not None:
            for style, name in _FILES.items():
                self.add_font(FAMILY, style, str(folder / name))
        self.family = FAMILY if self.unicode else "helvetica"
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(f"{brief.labels['brief']}: {brief.title}")
        self.set_creator("outsourcing-assistant")
        self.set_lang(brief.language)

    def text_of(self, text: str) -> str:
        if self.unicode:
            return text
        return text.translate(_ASCII).encode("latin-1", "replace").decode("latin-1")

    def style(self, size: float, emphasis: str = "", color: tuple[int, int, int] = INK) -> None:
        self.set_font(self.family, emphasis, size)
        self.set_text_color(*color)

    def para(self, text: str, height: float = 5.2, **kwargs: object) -> None:
        self.multi_cell(0, height, self.text_of(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                        **kwargs)  # type: ignore[arg-type]

    def footer(self) -> None:
        self.set_y(-12)
        self.style(8, color=MUTED)
        label = f"{self.brief.labels['brief']} · {self.brief.labels['page']} {self.page_no()}/{{nb}}"
        self.cell(0, 5, self.text_of(label), align="C")


def to_pdf(brief: Brief) -> bytes:
    pdf = _BriefPDF(brief)
    labels = brief.labels
    pdf.add_page()
    pdf.style(9, "B", ACCENT)
    pdf.para(labels["brief"].upper(), 5)
    pdf.style(18, "B")
    pdf.para(brief.title, 8)
    pdf.ln(1)
    pdf.style(8.5, color=MUTED)
    pdf.para(meta_line(brief), 4.5)
    pdf.ln(4)
    _questions_table(pdf, brief)
    for item in brief.items:
        pdf.ln(5)
        pdf.style(12.5, "B")
        pdf.para(f"{item.n}. {item.question}", 6.2)
        pdf.ln(1.5)
        if item.refused:
            pdf.style(9.5, "BI", (146, 64, 14))
            pdf.para(labels["refused"], 5)
        _answer(pdf, item.answer)
    pdf.ln(6)
    pdf.style(14, "B")
    pdf.para(labels["sources"], 7)
    pdf.ln(1)
    if not brief.sources:
        pdf.style(10, "I", MUTED)
        pdf.para(labels["no_sources"])
    for source in brief.sources:
        _source(pdf, brief, source.n)
    return bytes(pdf.output())


def _questions_table(pdf: _BriefPDF, brief: Brief) -> None:
    labels = brief.labels
    pdf.style(9)
    heading = FontFace(emphasis="BOLD", fill_color=HEAD_FILL, color=INK)
    with pdf.table(col_widths=(7, 98, 38, 25), text_align=("RIGHT", "LEFT", "LEFT", "LEFT"),
                   headings_style=heading, line_height=4.6, padding=1.6, borders_layout="HORIZONTAL_LINES",
                   first_row_as_headings=True) as table:
        row = table.row()
        for text in ("#", labels["question"], labels["asked"], labels["sources"]):
            row.cell(pdf.text_of(text))
        for item in brief.items:
            row = table.row()
            row.cell(str(item.n))
            row.cell(pdf.text_of(item.question))
            row.cell(when(item.asked))
            row.cell(" ".join(f"[{n}]" for n in item.sources) or "-")


def _answer(pdf: _BriefPDF, text: str) -> None:
    """Paragraphs, ``- `` bullets and Markdown pipe tables."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if line.startswith("|"):
            block = []
            while index < len(lines) and lines[index].strip().startswith("|"):
                block.append(lines[index].strip())
                index += 1
            _markdown_table(pdf, block)
            continue
        index += 1
        if not line:
            pdf.ln(1.5)
            continue
        pdf.style(10.5)
        if line.startswith(("- ", "* ")):
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(4, 5.4, pdf.text_of("•"))
            pdf.multi_cell(0, 5.4, pdf.text_of(line[2:]), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(0.8)
        else:
            pdf.para(line, 5.4)
            pdf.ln(0.8)


def _markdown_table(pdf: _BriefPDF, block: list[str]) -> None:
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in block
            if not set(line.replace("|", "").strip()) <= set("-: ")]
    if not rows:
        return
    width = max(len(r) for r in rows)
    pdf.ln(1)
    pdf.style(9)
    with pdf.table(headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL, color=INK), line_height=4.6,
                   padding=1.4) as table:
        for cells in rows:
            row = table.row()
            for cell in [*cells, *[""] * (width - len(cells))]:
                row.cell(pdf.text_of(cell))
    pdf.ln(1.5)


def _source(pdf: _BriefPDF, brief: Brief, n: int) -> None:
    source = brief.sources[n - 1]
    labels = brief.labels
    if pdf.will_page_break(24):
        pdf.add_page()
    pdf.style(10.5, "B")
    pdf.para(f"[{source.n}] {source.title}", 5.4)
    pdf.style(8.5, color=MUTED)
    pdf.para(f"{labels['where']}: {source.locator or '-'} · {labels['date']}: {source.date or '-'}", 4.4)
    for link in source.links:
        if link.startswith(("http://", "https://")):
            pdf.style(8.5, color=ACCENT)
            pdf.multi_cell(0, 4.4, pdf.text_of(link), link=link, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.para(f"{labels['link']}: {link}", 4.4)
    pdf.ln(1)
    pdf.style(10, "I")
    pdf.set_fill_color(*QUOTE_FILL)
    pdf.set_draw_color(*ACCENT)
    top = pdf.get_y()
    pdf.set_x(pdf.l_margin + 3)
    pdf.multi_cell(0, 5.2, pdf.text_of(f"« {source.quote} »" if brief.language == "fr" else f"“{source.quote}”"),
                   fill=True, padding=(2, 3, 2, 3), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if pdf.get_y() > top:  # a bar beside the quote, when it did not move to a new page
        pdf.set_line_width(0.8)
        pdf.line(pdf.l_margin + 2.6, top, pdf.l_margin + 2.6, pdf.get_y())
    pdf.ln(4)
