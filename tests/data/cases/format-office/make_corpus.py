"""Rebuilds this case's corpus: one small file per office/table/e-book format, each holding facts no
other file states. Run from the repository root: python tests/data/cases/format-office/make_corpus.py
(needs python-pptx, openpyxl and odfdo; the EPUB is written by tests/harness/epub.py).
All text is our own, written for this case."""

import io
import sys
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
sys.path.insert(0, str(Path(__file__).resolve().parents[4]))  # the repository root, for tests.harness


def pptx() -> None:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.core_properties.title = "Tidewater quarterly review"
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = "Tidewater quarterly review"
    cover.placeholders[1].text = "Sales and hiring, third quarter"
    hiring = deck.slides.add_slide(deck.slide_layouts[1])
    hiring.shapes.title.text = "Hiring plan"
    frame = hiring.placeholders[1].text_frame
    frame.text = "The Rotterdam office hires four support engineers"
    detail = frame.add_paragraph()
    detail.text, detail.level = "Interviews start in the second week of October", 1
    hiring.notes_slide.notes_text_frame.text = "Remind everyone that the team offsite is in Porto this year."
    targets = deck.slides.add_slide(deck.slide_layouts[5])
    targets.shapes.title.text = "Regional revenue targets"
    table = targets.shapes.add_table(4, 3, Inches(0.5), Inches(1.8), Inches(9), Inches(2)).table
    rows = [
        ["Region", "Revenue target", "Account lead"],
        ["Nordics", "€2.4 million", "Signe Dahl"],
        ["Iberia", "€1.1 million", "Marta Ruiz"],
        ["Benelux", "€1.7 million", "Joost Visser"],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    deck.save(CORPUS / "quarterly-review.pptx")


def xlsx() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.properties.title = "Hardware price list"
    sheet = book.active
    sheet.title = "Hardware"
    sheet["A1"] = "Hardware price list, valid from January 2025"
    sheet.append([])
    sheet.append(["Item", "Unit price (EUR)", "Warranty", "Supplier"])
    sheet.append(["Docking station", 189, "3 years", "Brightlink"])
    sheet.append(["Monitor arm", 64, "5 years", "Ergomount"])
    sheet.append(["Noise-cancelling headset", 142, "2 years", "Quietwave"])
    book.save(CORPUS / "price-list.xlsx")


def csv_and_tsv() -> None:
    # A Notion database export: UTF-8 with a byte order mark, a header line, CRLF line ends.
    (CORPUS / "Projects 8f2c41.csv").write_bytes(
        (
            "\ufeffName,Owner,Status,Due date\r\n"
            "Migrate billing to the new ledger,Priya Raman,In progress,\"March 14, 2025\"\r\n"
            "Renew TLS certificates,Tom Okafor,Done,\"February 2, 2025\"\r\n"
            "Replace the office printers,Lena Fischer,Not started,\"May 30, 2025\"\r\n"
        ).encode("utf-8")
    )
    (CORPUS / "on-call-rota.tsv").write_text(
        "Week\tPrimary on-call\tSecondary on-call\n"
        "Week 31\tAnika Sorensen\tDavid Mensah\n"
        "Week 32\tHugo Laurent\tAnika Sorensen\n"
        "Week 33\tDavid Mensah\tHugo Laurent\n",
        encoding="utf-8",
    )


def odt() -> None:
    from odfdo import Document, Header, List, Paragraph

    document = Document("text")
    document.meta.title = "Visitor guide"
    body = document.body
    body.clear()
    body.append(Header(1, "Visitor guide"))
    body.append(Header(2, "Parking"))
    body.append(Paragraph("Visitors park in the underground garage on level minus two, bay 40 to 55."))
    body.append(Header(2, "At the front desk"))
    body.append(Paragraph("Please bring the following:"))
    body.append(List(["a photo ID", "the name of the person you are visiting"]))
    buffer = io.BytesIO()
    document.save(buffer)
    (CORPUS / "visitor-guide.odt").write_bytes(buffer.getvalue())


def epub() -> None:
    from tests.harness.epub import Chapter, write_epub

    start = Chapter(
        "text/start.xhtml",
        "<h1>Before you set out</h1><p>Pack a compass, a head torch and two litres of water per person.</p>",
        "Before you set out",
    )
    camp = Chapter(
        "text/camp.xhtml",
        "<p>Campfires are allowed only inside the stone fire ring next to the ranger hut.</p>"
        "<p>Quiet hours run from 22:00 until 07:00.</p>",
        "Camp rules",
    )
    (CORPUS / "field-guide.epub").write_bytes(write_epub([start, camp], "Tidewater field guide"))


if __name__ == "__main__":
    CORPUS.mkdir(exist_ok=True)
    pptx()
    xlsx()
    csv_and_tsv()
    odt()
    epub()
