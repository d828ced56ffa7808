"""Writes small PDFs for tests: plain text lines by hand (the whole format those need), and laid-out pages
(tables, filled forms, footnotes, contents pages) with reportlab, a dev dependency."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_text_pdf(path: Path, pages: list[list[str]], title: str | None = None) -> Path:
    """One Helvetica text line per entry, one list per page."""
    objects: list[bytes] = []
    page_ids = [3 + 2 * i for i in range(len(pages))]
    font_id = 3 + 2 * len(pages)
    info_id = font_id + 1
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    for page_id, lines in zip(page_ids, pages, strict=True):
        body = (
            "BT /F1 11 Tf 72 740 Td 14 TL " + " ".join(f"({_escape(line)}) Tj T*" for line in lines) + " ET"
        )
        stream = body.encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_id + 1} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.append(f"<< /Title ({_escape(title or '')}) >>".encode())
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info_id} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    )
    out += trailer.encode()
    path.write_bytes(bytes(out))
    return path


def write_stream_pdf(path: Path, stream: str, fonts: dict[str, str]) -> Path:
    """One page drawn by the content `stream` as written (operators by hand: TJ moves, rules), with
    `fonts` {resource name: a standard 14 font's name, "Courier"} as Type1 fonts."""
    names = list(fonts)
    font_refs = " ".join(f"/{name} {5 + i} 0 R" for i, name in enumerate(names))
    body = stream.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        f"/Resources << /Font << {font_refs} >> >> >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        *(f"<< /Type /Font /Subtype /Type1 /BaseFont /{fonts[name]} >>".encode() for name in names),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, item in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + item + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


# -- laid-out PDFs (reportlab): tables, forms, footnotes, contents pages, as typesetters draw them --------
@dataclass(frozen=True)
class Lines:
    """Body text lines (11 pt Helvetica); a line may hold one superscript marker as "word^12 rest"."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    """A heading line in Helvetica-Bold at `size` points (a typesetter's section title)."""

    text: str
    size: float


@dataclass(frozen=True)
class Grid:
    """A table: rows of cells, the first row its header; ruled draws the grid lines, else columns alone."""

    rows: tuple[tuple[str, ...], ...]
    ruled: bool = True


@dataclass(frozen=True)
class Contents:
    """A contents list: (title, page) entries with dot leaders, under a "Contents" title."""

    entries: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Field:
    """A filled text field of the page's form; `label` is its alternate name (/TU)."""

    name: str
    value: str
    label: str | None = None


@dataclass(frozen=True)
class Note:
    """A footnote at the foot of the page, in 8 pt: "12 text"."""

    marker: str
    text: str


def write_layout_pdf(path: Path, pages: list[list[object]], title: str | None = None) -> Path:
    """A PDF of A4 pages drawn from Heading, Lines, Grid, Contents, Field and Note items, top to bottom."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    sheet = canvas.Canvas(str(path), pagesize=A4)
    if title:
        sheet.setTitle(title)
    for items in pages:
        y = A4[1] - 72
        for item in items:
            y = _draw(sheet, item, y)
        sheet.showPage()
    sheet.save()
    return path


def _draw(sheet, item: object, y: float) -> float:
    if isinstance(item, Heading):
        sheet.setFont("Helvetica-Bold", item.size)
        sheet.drawString(72, y - item.size / 2, item.text)
        sheet.setFont("Helvetica", 11)
        return y - item.size - 14
    if isinstance(item, Lines):
        for line in item.lines:
            _marked_line(sheet, line, y)
            y -= 16
        return y - 8
    if isinstance(item, Contents):
        sheet.setFont("Helvetica-Bold", 14)
        sheet.drawString(72, y, "Contents")
        sheet.setFont("Helvetica", 11)
        for number, (name, page) in enumerate(item.entries, start=1):
            sheet.drawString(72, y - 16 * number - 8, f"{name} {'.' * (70 - len(name))} {page}")
        return y - 16 * len(item.entries) - 32
    if isinstance(item, Grid):
        return _grid(sheet, item, y)
    if isinstance(item, Field):
        sheet.acroForm.textfield(
            name=item.name, tooltip=item.label, value=item.value, x=72, y=y - 18, width=220, height=18
        )
        return y - 28
    if isinstance(item, Note):
        sheet.setFont("Helvetica", 8)
        sheet.drawString(72, 60, f"{item.marker} {item.text}")
        sheet.setFont("Helvetica", 11)
        return y
    raise TypeError(item)


def _marked_line(sheet, line: str, y: float) -> None:
    text = sheet.beginText(72, y)
    text.setFont("Helvetica", 11)
    before, _, rest = line.partition("^")
    text.textOut(before)
    if rest:
        marker, _, after = rest.partition(" ")
        text.setFont("Helvetica", 7)
        text.setRise(4)
        text.textOut(marker)
        text.setRise(0)
        text.setFont("Helvetica", 11)
        text.textOut(f" {after}" if after else "")
    sheet.drawText(text)


def _grid(sheet, grid: Grid, y: float) -> float:
    lefts = [72.0]
    for column in range(len(grid.rows[0]) - 1):
        lefts.append(lefts[-1] + 16 + 6 * max(len(row[column]) for row in grid.rows))
    right = lefts[-1] + 16 + 6 * max(len(row[-1]) for row in grid.rows)
    sheet.setFont("Helvetica", 11)
    for number, row in enumerate(grid.rows):
        for left, cell in zip(lefts, row, strict=True):
            sheet.drawString(left + 4, y - 18 * number - 13, cell)
    bottom = y - 18 * len(grid.rows)
    if grid.ruled:
        for number in range(len(grid.rows) + 1):
            sheet.line(lefts[0], y - 18 * number, right, y - 18 * number)
        for x in [*lefts, right]:
            sheet.line(x, y, x, bottom)
    return bottom - 16
