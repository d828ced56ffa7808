"""PowerPoint .pptx into blocks with python-pptx: per slide its title, text, bullets, tables, chart
data and speaker notes.

Each block's page is its slide number (page_start = page_end = slide), so a passage never spans two
slides and a citation names the slide. Why python-pptx: the maintained reader of the OOXML
presentation format (placeholders, text frames with paragraph levels, tables, notes slides); the
XML underneath is only touched to tell a bullet from a plain paragraph, which python-pptx does not
expose.
"""

from __future__ import annotations

import datetime
import re
from io import BytesIO

from retrieval.ingest.formats.base import Parsed, block
from retrieval.ingest.formats.packages import DAMAGED_PACKAGE, title_from_file_name, unreadable_as_value_error
from retrieval.models import Block

NOTES_HEADING = "Speaker notes"  # heading over a slide's notes, under the slide's title
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_FLOAT = re.compile(r"-?\d+(\.\d+)?")
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)  # day 0 of the day numbers charts store for dates
# Titles the applications write into a deck's properties by themselves; the first slide's title says more.
_APPLICATION_TITLES = {
    "presentation",
    "powerpoint presentation",
    "powerpoint-präsentation",
    "présentation powerpoint",
}


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of a .pptx, slide by slide; title from the core properties or the first slide's title.

    Raises ValueError for a file python-pptx cannot read (not a zip, not a presentation, damaged).
    """
    import pptx
    from pptx.exc import PythonPptxError

    with unreadable_as_value_error(".pptx", PythonPptxError):
        presentation = pptx.Presentation(BytesIO(raw))
        blocks: list[Block] = []
        group = 0
        for number, slide in enumerate(presentation.slides, start=1):
            slide_blocks, group = _slide(slide, number, group)
            blocks.extend(slide_blocks)
        title = presentation.core_properties.title
    if not title or title.strip().lower() in _APPLICATION_TITLES:
        titles = (
            b.text for b in blocks if b.kind == "heading" and b.level == 1 and not _numbered_slide(b.text)
        )
        title = next(titles, None) or title_from_file_name(source)
    return Parsed(blocks, title)


def _slide(slide, number: int, group: int) -> tuple[list[Block], int]:
    """A slide's blocks (its title as a level-1 heading, "Slide N" without one) and the last group."""
    page = {"page_start": number, "page_end": number}
    title_shape = _title_shape(slide)
    title = " ".join(title_shape.text_frame.text.split()) if title_shape is not None else ""
    blocks = [block("heading", title or f"Slide {number}", level=1, **page)]
    for shape in _reading_order(slide.shapes):
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            group += 1
            blocks.extend(_table(shape.table, group, page))
        elif getattr(shape, "has_chart", False) and shape.has_chart:
            group += 1
            blocks.extend(_chart(shape.chart, group, page))
        elif shape.has_text_frame:
            group += 1
            blocks.extend(_text_frame(shape, group, page))
    notes = _notes(slide)
    if notes:
        blocks.append(block("heading", NOTES_HEADING, level=2, **page))
        blocks.extend(block("paragraph", text, **page) for text in notes)
    return [b for b in blocks if b is not None], group


def _numbered_slide(heading: str) -> bool:
    return heading.startswith("Slide ") and heading[6:].isdigit()


def _title_shape(slide):
    from pptx.enum.shapes import PP_PLACEHOLDER

    titles = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE)
    for shape in slide.placeholders:
        if shape.placeholder_format.type in titles and shape.has_text_frame and shape.text_frame.text.strip():
            return shape
    return None


def _reading_order(shapes) -> list:
    """Shapes top to bottom, then left to right; the shapes of a group in place of the group; the
    footer, date and slide-number placeholders (the same furniture on every slide) left out."""
    from pptx.enum.shapes import PP_PLACEHOLDER

    furniture = (
        PP_PLACEHOLDER.FOOTER,
        PP_PLACEHOLDER.DATE,
        PP_PLACEHOLDER.SLIDE_NUMBER,
        PP_PLACEHOLDER.HEADER,
    )
    flat = []
    for shape in shapes:
        if hasattr(shape, "shapes"):  # a group shape
            flat.extend(_reading_order(shape.shapes))
        elif not (shape.is_placeholder and shape.placeholder_format.type in furniture):
            flat.append(shape)
    return sorted(flat, key=lambda s: (s.top or 0, s.left or 0))


def _text_frame(shape, group: int, page: dict) -> list[Block | None]:
    bulleted = _bulleted_by_default(shape)
    blocks = []
    for paragraph in shape.text_frame.paragraphs:
        kind = "list_item" if _is_bullet(paragraph, bulleted) else "paragraph"
        extra = {"level": paragraph.level, "group": group} if kind == "list_item" else {}
        blocks.append(block(kind, paragraph.text, **extra, **page))
    return blocks


def _bulleted_by_default(shape) -> bool:
    """Body and content placeholders show their paragraphs as bullets unless a paragraph says not."""
    from pptx.enum.shapes import PP_PLACEHOLDER

    if not shape.is_placeholder:
        return False
    return shape.placeholder_format.type in (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT)


def _is_bullet(paragraph, default: bool) -> bool:
    properties = paragraph._p.pPr  # python-pptx has no API for a paragraph's bullet
    if properties is not None:
        if properties.find(f"{_A}buNone") is not None:
            return False
        if properties.find(f"{_A}buChar") is not None or properties.find(f"{_A}buAutoNum") is not None:
            return True
    return default


def _table(table, group: int, page: dict) -> list[Block | None]:
    """The first row is the header (as PowerPoint's default table style shows it)."""
    blocks = []
    for position, row in enumerate(table.rows):
        cells = " | ".join(" ".join(cell.text.split()) for cell in row.cells)
        if not cells.replace("|", "").strip():
            continue
        kind = "table_header" if position == 0 else "table_row"
        blocks.append(block(kind, cells, group=group, **page))
    return blocks


def _chart(chart, group: int, page: dict) -> list[Block | None]:
    """A category chart's data as a table (its title, then "category | series..." rows): the numbers
    a bar or line chart shows live only there. Scatter and bubble charts (no categories) are left out,
    and so is a chart python-pptx cannot read (the rest of the slide still is)."""
    try:
        plots = [plot for plot in chart.plots if len(plot.categories)]
        if not plots:
            return []
        categories = _categories(plots[0])
        series = [s for plot in plots for s in plot.series if len(s.values) == len(categories)]
        header = " | ".join([_category_axis_title(chart), *(s.name or "" for s in series)])
        rows = [" | ".join([c, *(_number(s.values[n]) for s in series)]) for n, c in enumerate(categories)]
        title = (
            chart.chart_title.text_frame.text if chart.has_title and chart.chart_title.has_text_frame else ""
        )
    except DAMAGED_PACKAGE:
        return []
    blocks = [block("paragraph", title, **page)] if title.strip() else []
    blocks.append(block("table_header", header, group=group, **page))
    blocks.extend(block("table_row", row, group=group, **page) for row in rows)
    return blocks


def _categories(plot) -> list[str]:
    """The category labels as the chart shows them: a date axis stores Excel day numbers (37261 is
    2002-01-05), which its number format (read from the XML: python-pptx does not expose it) marks."""
    formats = plot._element.xpath("./c:ser[1]/c:cat//c:formatCode/text()")
    dated = bool(formats) and any(mark in str(formats[0]).lower() for mark in ("yy", "d", "mmm"))
    labels = []
    for label in plot.categories:
        text = str(label)
        if dated and _FLOAT.fullmatch(text):
            text = (_EXCEL_EPOCH + datetime.timedelta(days=float(text))).date().isoformat()
        labels.append(text)
    return labels


def _category_axis_title(chart) -> str:
    try:
        axis = chart.category_axis
    except ValueError:  # a chart type without a category axis (pie, doughnut)
        return ""
    return axis.axis_title.text_frame.text if axis.has_title else ""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.15g}"


def _notes(slide) -> list[str]:
    if not slide.has_notes_slide:
        return []
    frame = slide.notes_slide.notes_text_frame
    return [p.text for p in frame.paragraphs if p.text.strip()] if frame is not None else []
