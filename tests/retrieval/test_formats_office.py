"""Office, spreadsheet and e-book files read into the same blocks as every other format (issue 17):
.pptx by slide, .xlsx by sheet and row, .csv/.tsv by row, .odt by structure, .epub by chapter.

Each test file is built here with the library that writes that format, so what it holds is in view."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest

from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.cleaning import clean_blocks
from retrieval.ingest.formats import PARSERS, epub, odt, pptx, spreadsheet
from retrieval.ingest.loader import load_document
from tests.harness.epub import Chapter, write_epub
from tests.harness.libraries import DATA

FORMATS = (
    DATA / "formats"
)  # real files written by PowerPoint, LibreOffice, EPUB authors (each with SOURCE.md)


def kinds(blocks) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in blocks]


def passages(parsed, source: str):
    return chunk_document(source, clean_blocks(parsed.blocks, parsed.title or ""), ChunkingParams())


def test_every_new_suffix_is_registered():
    assert {".pptx", ".xlsx", ".csv", ".tsv", ".odt", ".epub"} <= set(PARSERS)


# -- .pptx ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deck() -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    presentation.core_properties.title = "Quarterly review"
    cover = presentation.slides.add_slide(presentation.slide_layouts[0])
    cover.shapes.title.text = "Quarterly review"
    cover.placeholders[1].text = "Sales team, third quarter"
    goals = presentation.slides.add_slide(presentation.slide_layouts[1])
    goals.shapes.title.text = "Goals"
    frame = goals.placeholders[1].text_frame
    frame.text = "Grow revenue in Europe"
    nested = frame.add_paragraph()
    nested.text, nested.level = "Open the Lisbon office by May", 1
    goals.notes_slide.notes_text_frame.text = "Mention that the Berlin office hires four engineers."
    prices = presentation.slides.add_slide(presentation.slide_layouts[5])
    prices.shapes.title.text = "Prices"
    table = prices.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(2)).table
    for r, row in enumerate([["Plan", "Monthly price"], ["Team", "$19"], ["Business", "$49"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    note = prices.shapes.add_textbox(Inches(1), Inches(5), Inches(6), Inches(1))
    note.text_frame.text = "Prices exclude VAT."
    untitled = presentation.slides.add_slide(presentation.slide_layouts[6])
    box = untitled.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1))
    box.text_frame.text = "Questions go to the sales channel."
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def test_pptx_slides_read_as_title_bullets_table_and_notes(deck):
    parsed = pptx.parse(deck, "review.pptx")
    assert parsed.title == "Quarterly review"
    assert kinds(parsed.blocks) == [
        ("heading", "Quarterly review"),
        ("paragraph", "Sales team, third quarter"),
        ("heading", "Goals"),
        ("list_item", "Grow revenue in Europe"),
        ("list_item", "Open the Lisbon office by May"),
        ("heading", pptx.NOTES_HEADING),
        ("paragraph", "Mention that the Berlin office hires four engineers."),
        ("heading", "Prices"),
        ("table_header", "Plan | Monthly price"),
        ("table_row", "Team | $19"),
        ("table_row", "Business | $49"),
        ("paragraph", "Prices exclude VAT."),
        ("heading", "Slide 4"),
        ("paragraph", "Questions go to the sales channel."),
    ]
    items = [b for b in parsed.blocks if b.kind == "list_item"]
    assert [b.level for b in items] == [0, 1] and items[0].group == items[1].group != 0


def test_pptx_every_block_carries_its_slide_number(deck):
    blocks = pptx.parse(deck, "review.pptx").blocks
    slide_of = {b.text: b.page_start for b in blocks}
    assert slide_of["Sales team, third quarter"] == 1
    assert slide_of["Mention that the Berlin office hires four engineers."] == 2
    assert slide_of["Team | $19"] == 3
    assert slide_of["Questions go to the sales channel."] == 4
    assert all(b.page_end == b.page_start for b in blocks)


def test_pptx_passages_stay_on_one_slide_and_rows_keep_their_header(deck):
    found = passages(pptx.parse(deck, "review.pptx"), "review.pptx")
    team = next(p for p in found if "Team | $19" in p.text)
    assert team.page == 3 and team.page_end is None
    assert team.headings == ("Prices",)
    row = next(u for u in team.units if team.unit_text(u) == "Team | $19")
    assert row.kind == "table_row" and row.lead == "Plan | Monthly price"
    notes = next(p for p in found if "Berlin" in p.text)
    assert notes.headings == ("Goals", pptx.NOTES_HEADING) and notes.page == 2


def test_pptx_title_the_application_wrote_gives_way_to_the_first_slide_title():
    from pptx import Presentation

    presentation = Presentation()
    presentation.core_properties.title = "PowerPoint Presentation"  # PowerPoint's own default
    presentation.slides.add_slide(presentation.slide_layouts[6])  # untitled: "Slide 1" is no title
    presentation.slides.add_slide(presentation.slide_layouts[5]).shapes.title.text = "Roadmap 2026"
    buffer = io.BytesIO()
    presentation.save(buffer)
    assert pptx.parse(buffer.getvalue(), "deck.pptx").title == "Roadmap 2026"


def test_pptx_chart_data_reads_as_a_table_under_its_title():
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    slide.shapes.title.text = "Revenue"
    data = CategoryChartData()
    data.categories = ["Q1", "Q2", "Q3"]
    data.add_series("Nordics", (1.2, 1.5, 2.1))
    data.add_series("Iberia", (0.4, None, 0.9))
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(6), Inches(4), data
    )
    frame.chart.has_title = True
    frame.chart.chart_title.text_frame.text = "Revenue by quarter (EUR million)"
    buffer = io.BytesIO()
    presentation.save(buffer)
    parsed = pptx.parse(buffer.getvalue(), "revenue.pptx")
    assert kinds(parsed.blocks)[1:] == [
        ("paragraph", "Revenue by quarter (EUR million)"),
        ("table_header", "| Nordics | Iberia"),
        ("table_row", "Q1 | 1.2 | 0.4"),
        ("table_row", "Q2 | 1.5 |"),
        ("table_row", "Q3 | 2.1 | 0.9"),
    ]
    assert {b.page_start for b in parsed.blocks} == {1}


def test_pptx_chart_with_dates_shows_dates_not_day_numbers():
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    data = CategoryChartData()
    data.categories = [datetime.date(2025, 1, 6), datetime.date(2025, 1, 13)]
    data.add_series("Tickets", (41, 37))
    slide.shapes.add_chart(XL_CHART_TYPE.LINE, Inches(1), Inches(1), Inches(6), Inches(4), data)
    buffer = io.BytesIO()
    presentation.save(buffer)
    rows = [b.text for b in pptx.parse(buffer.getvalue(), "tickets.pptx").blocks if b.kind == "table_row"]
    assert rows == ["2025-01-06 | 41", "2025-01-13 | 37"]


def test_pptx_written_by_powerpoint_tables_by_slide():
    """A deck PowerPoint wrote (python-pptx's test file, see tests/data/formats/pptx/SOURCE.md)."""
    parsed = pptx.parse((FORMATS / "pptx" / "tbl-cell.pptx").read_bytes(), "tbl-cell.pptx")
    rows = [(b.kind, b.text, b.page_start) for b in parsed.blocks if b.kind.startswith("table")]
    assert ("table_header", "a | b | c", 3) in rows
    assert ("table_row", "d | e | f", 3) in rows and ("table_row", "g | h | i", 3) in rows
    assert ("table_row", "unladen swallows | | |", 1) in rows


def test_pptx_footer_date_and_slide_number_are_not_text():
    """The footer placeholders PowerPoint repeats on every slide ("Confidential", the date, the slide
    number) are furniture; a slide gets them by copying its layout's placeholders, as PowerPoint does."""
    import copy

    from pptx import Presentation
    from pptx.enum.shapes import PP_PLACEHOLDER

    presentation = Presentation()
    layout = presentation.slide_layouts[1]
    slide = presentation.slides.add_slide(layout)
    slide.shapes.title.text = "Roadmap"
    slide.placeholders[1].text_frame.text = "Ship the mobile app in March"
    furniture = {PP_PLACEHOLDER.FOOTER: "Confidential", PP_PLACEHOLDER.DATE: "2025-03-01"}
    for placeholder in layout.placeholders:
        if placeholder.placeholder_format.type in (*furniture, PP_PLACEHOLDER.SLIDE_NUMBER):
            slide.shapes._spTree.append(copy.deepcopy(placeholder._element))  # no public API for this
    for shape in slide.placeholders:
        text = furniture.get(shape.placeholder_format.type, "7")
        if shape.placeholder_format.type in (*furniture, PP_PLACEHOLDER.SLIDE_NUMBER):
            shape.text_frame.text = text
    buffer = io.BytesIO()
    presentation.save(buffer)
    assert kinds(pptx.parse(buffer.getvalue(), "roadmap.pptx").blocks) == [
        ("heading", "Roadmap"),
        ("list_item", "Ship the mobile app in March"),
    ]


def test_pptx_that_is_not_a_pptx_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="pptx"):
        pptx.parse(b"not a zip file", "broken.pptx")


# -- .xlsx ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    prices = book.active
    prices.title = "Prices"
    prices["A1"] = "Price list 2024"
    prices["B3"], prices["C3"], prices["D3"], prices["F3"] = "Item", "Price", "Discount", "Since"
    prices["B4"], prices["C4"], prices["D4"], prices["F4"] = "Widget", 12.5, 0.1, datetime.date(2024, 3, 1)
    prices["D4"].number_format = "0%"
    prices["B7"], prices["C7"], prices["D7"] = "Gadget", 30, 0  # rows 5-6 and column E stay empty
    stock = book.create_sheet("Stock")
    stock.append(["Item", "Warehouse", "Units"])
    stock.append(["Widget", "Leeds", 140])
    hidden = book.create_sheet("Lookup")
    hidden.append(["internal", "codes"])
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_sheets_read_as_heading_and_table_with_row_numbers(workbook):
    parsed = spreadsheet.parse_xlsx(workbook, "stock-and-prices.xlsx")
    assert parsed.title == "stock and prices"
    assert kinds(parsed.blocks) == [
        ("heading", "Prices"),
        ("paragraph", "Price list 2024"),
        ("table_header", "Item | Price | Discount | Since"),
        ("table_row", "Widget | 12.5 | 10% | 2024-03-01"),
        ("table_row", "Gadget | 30 | 0 |"),
        ("heading", "Stock"),
        ("table_header", "Item | Warehouse | Units"),
        ("table_row", "Widget | Leeds | 140"),
    ]
    rows = {b.text: (b.line_start, b.line_end) for b in parsed.blocks}
    assert rows["Widget | 12.5 | 10% | 2024-03-01"] == (4, 4)
    assert rows["Gadget | 30 | 0 |"] == (7, 7)
    assert rows["Widget | Leeds | 140"] == (2, 2)
    assert any("Lookup" in note for note in parsed.notes)
    assert "internal" not in " ".join(b.text for b in parsed.blocks)


def test_xlsx_row_is_quoted_with_its_header_and_sheet(workbook):
    found = passages(spreadsheet.parse_xlsx(workbook, "book.xlsx"), "book.xlsx")
    gadget = next(p for p in found if "Gadget" in p.text)
    assert gadget.headings == ("Prices",)
    unit = next(u for u in gadget.units if "Gadget" in gadget.unit_text(u))
    assert (unit.kind, unit.lead, unit.line_start) == ("table_row", "Item | Price | Discount | Since", 7)


def test_xlsx_huge_workbook_is_cut_with_a_note(monkeypatch):
    """Rows are counted over the whole file, so many big sheets cannot flood the index."""
    import openpyxl

    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 10)
    book = openpyxl.Workbook()
    for n in range(30):
        book.active.append([f"row {n}", n])
    book.create_sheet("Later").append(["never", "read"])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = spreadsheet.parse_xlsx(buffer.getvalue(), "big.xlsx")
    assert len([b for b in parsed.blocks if b.kind.startswith("table")]) == 10
    assert parsed.blocks[-1].text == "row 9 | 9"
    assert any("first 10 rows" in note and "row 11" in note for note in parsed.notes)
    assert any("Later" in note for note in parsed.notes)
    assert "never" not in " ".join(b.text for b in parsed.blocks)


def test_xlsx_that_is_not_a_workbook_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="xlsx"):
        spreadsheet.parse_xlsx(b"not a zip file", "broken.xlsx")


# -- .csv / .tsv ------------------------------------------------------------------------------------


def test_csv_header_and_rows_with_lines_and_offsets():
    raw = b'Plan,Storage,Price\nStarter,50 GB,$4\n\n"Team, annual","1 TB\nshared",$19\n'
    parsed = spreadsheet.parse_csv(raw, "plans.csv")
    assert kinds(parsed.blocks) == [
        ("table_header", "Plan | Storage | Price"),
        ("table_row", "Starter | 50 GB | $4"),
        ("table_row", "Team, annual | 1 TB shared | $19"),
    ]
    team = parsed.blocks[2]
    assert (team.line_start, team.line_end) == (4, 5)
    text = raw.decode()
    assert text[team.start : team.end] == '"Team, annual","1 TB\nshared",$19'
    assert len({b.group for b in parsed.blocks}) == 1


def test_csv_first_line_is_the_header_even_with_one_named_column():
    parsed = spreadsheet.parse_csv(b"Name,\nAlpha,1\nBeta,2\n", "scores.csv")
    assert kinds(parsed.blocks)[:2] == [("table_header", "Name |"), ("table_row", "Alpha | 1")]


def test_csv_wide_table_is_cut_with_a_note(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_COLUMNS", 3)
    parsed = spreadsheet.parse_csv(b"a,b,c,d,e\n1,2,3,4,5\n", "wide.csv")
    assert kinds(parsed.blocks) == [("table_header", "a | b | c"), ("table_row", "1 | 2 | 3")]
    assert parsed.notes == ["wide.csv: only the first 3 of 5 columns were read"]


def test_csv_semicolon_dialect_is_sniffed():
    raw = "Stadt;Einwohner\nZürich;421 878\nBern;134 794\n".encode("cp1252")
    parsed = spreadsheet.parse_csv(raw, "städte.csv")
    assert kinds(parsed.blocks)[1] == ("table_row", "Zürich | 421 878")
    assert parsed.notes  # decoded from a legacy encoding, and said so


def test_tsv_is_read_with_tabs():
    parsed = spreadsheet.parse_tsv(b"key\tvalue\ntimeout\t30 s, or 60 s on CI\n", "settings.tsv")
    assert kinds(parsed.blocks) == [
        ("table_header", "key | value"),
        ("table_row", "timeout | 30 s, or 60 s on CI"),
    ]


def test_notion_database_export_reads_as_a_table_with_its_header():
    # A Notion database export: UTF-8 with a byte order mark, a header line, CRLF line ends.
    raw = (
        "\ufeffName,Owner,Status,Due\r\n"
        'Migrate billing,Priya Raman,In progress,"March 14, 2025"\r\n'
        'Renew TLS certificates,Tom Okafor,Done,"February 2, 2025"\r\n'
    ).encode()
    parsed = spreadsheet.parse_csv(raw, "Projects 1a2b3c.csv")
    assert parsed.blocks[0].kind == "table_header"
    assert parsed.blocks[0].text == "Name | Owner | Status | Due"  # no BOM glued to "Name"
    found = passages(parsed, "Projects 1a2b3c.csv")
    unit = next(u for p in found for u in p.units if "TLS" in p.unit_text(u))
    assert unit.lead == "Name | Owner | Status | Due" and unit.line_start == 3


def test_csv_loaded_from_disk_gets_its_file_name_as_title(tmp_path):
    (tmp_path / "price_list.csv").write_text("Item,Price\nWidget,4\n", encoding="utf-8")
    loaded = load_document(tmp_path / "price_list.csv", tmp_path)
    assert loaded.document.title == "price list"


# -- .odt -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def odt_file() -> bytes:
    from odfdo import Document, Element, Header, List, ListItem, Paragraph, Table

    document = Document("text")
    document.meta.title = "Office guide"
    body = document.body
    body.clear()
    body.append(Header(1, "Office guide"))
    body.append(Element.from_tag(
        "<text:p>The office opens at<text:s/> 8:00<text:tab/>on weekdays."
        '<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
        "<text:note-body><text:p>Except public holidays.</text:p></text:note-body></text:note>"
        ' See <text:a xlink:href="https://example.org/map">the map</text:a>.</text:p>'
    ))  # fmt: skip
    body.append(Header(2, "What to bring"))
    things = List(["Badge", "Laptop"])
    keys = ListItem("Keys")
    keys.append(List(["Front door", "Bike shed"]))
    things.append(keys)
    body.append(things)
    body.append(Paragraph("Rooms can be booked at the desk."))
    table = Table("Rooms", width=2, height=3)
    table.set_values([["Room", "Seats"], ["Orca", "12"], ["Puffin", "4"]])
    body.append(table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_odt_headings_paragraphs_lists_tables_and_footnotes(odt_file):
    parsed = odt.parse(odt_file, "guide.odt")
    assert parsed.title == "Office guide"
    assert kinds(parsed.blocks) == [
        ("heading", "Office guide"),
        ("paragraph", "The office opens at 8:00 on weekdays. See the map."),
        ("paragraph", "Except public holidays."),
        ("heading", "What to bring"),
        ("list_item", "Badge"),
        ("list_item", "Laptop"),
        ("list_item", "Keys"),
        ("list_item", "Front door"),
        ("list_item", "Bike shed"),
        ("paragraph", "Rooms can be booked at the desk."),
        ("table_header", "Room | Seats"),
        ("table_row", "Orca | 12"),
        ("table_row", "Puffin | 4"),
    ]
    levels = [(b.text, b.level) for b in parsed.blocks if b.kind in ("heading", "list_item")]
    assert ("What to bring", 2) in levels and ("Front door", 1) in levels and ("Keys", 0) in levels
    assert len({b.group for b in parsed.blocks if b.kind == "list_item"}) == 1


def test_odt_title_style_and_numbered_heading_are_headings_and_filler_cells_are_dropped():
    from odfdo import Document, Element

    document = Document("text")
    document.body.clear()
    document.body.append(Element.from_tag('<text:p text:style-name="Title">Visitor rules</text:p>'))
    document.body.append(
        Element.from_tag('<text:h text:outline-level="2"><text:number>1.2</text:number>Badges</text:h>')
    )
    document.body.append(Element.from_tag(
        "<table:table><table:table-header-rows><table:table-row>"
        "<table:table-cell><text:p>Rule</text:p></table:table-cell>"
        "<table:table-cell><text:p>Since</text:p></table:table-cell>"
        '<table:table-cell table:number-columns-repeated="1000"/></table:table-row></table:table-header-rows>'
        "<table:table-row><table:table-cell><text:p>Sign in</text:p></table:table-cell>"
        "<table:table-cell><text:p>2019</text:p></table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="5000"><table:table-cell/></table:table-row>'
        "</table:table>"
    ))  # fmt: skip
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = odt.parse(buffer.getvalue(), "rules.odt")
    assert kinds(parsed.blocks) == [
        ("heading", "Visitor rules"),
        ("heading", "1.2 Badges"),
        ("table_header", "Rule | Since"),
        ("table_row", "Sign in | 2019"),
    ]


def test_odt_written_by_another_writer_docutils():
    """docutils' ODF writer (rst2odt) writes its own styles, footnotes and tables: read the same way."""
    from docutils.core import publish_string

    source = (
        "Opening hours\n=============\n\nThe desk opens at 8:00 on weekdays [#]_.\n\n"
        ".. [#] Except public holidays.\n\n* Bring your badge\n* Sign the visitor book\n\n"
        "=====  =====\nRoom   Seats\n=====  =====\nOrca   12\n=====  =====\n"
    )
    parsed = odt.parse(publish_string(source, writer="odt"), "hours.odt")
    assert kinds(parsed.blocks) == [
        ("heading", "Opening hours"),
        ("paragraph", "The desk opens at 8:00 on weekdays."),
        ("paragraph", "Except public holidays."),
        ("list_item", "Bring your badge"),
        ("list_item", "Sign the visitor book"),
        ("table_header", "Room | Seats"),
        ("table_row", "Orca | 12"),
    ]


def test_odt_written_by_libreoffice_reads_the_text_as_it_stands_now():
    """Tracked changes: deleted words ("les", "amis,") are kept in the file but are no longer text."""
    parsed = odt.parse((FORMATS / "odt" / "tracked_changes.odt").read_bytes(), "tracked.odt")
    assert kinds(parsed.blocks) == [("paragraph", "Bonjour los bonitos amigos ça va ?")]


def test_odt_table_of_contents_is_not_read_twice():
    """A filled-in table of contents repeats every heading; only the headings themselves are read."""
    parsed = odt.parse((FORMATS / "odt" / "toc_done.odt").read_bytes(), "toc.odt")
    texts = [b.text for b in parsed.blocks]
    assert texts.count("Level 1 title 1") == 1
    assert [b.level for b in parsed.blocks[:4]] == [1, 2, 1, 3]


def test_odt_that_is_not_an_odt_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="odt"):
        odt.parse(b"not a zip file", "broken.odt")
    empty_zip = io.BytesIO()
    zipfile.ZipFile(empty_zip, "w").close()
    with pytest.raises(ValueError, match="odt"):
        odt.parse(empty_zip.getvalue(), "broken.odt")


# -- .epub ------------------------------------------------------------------------------------------


HEFTY_WATER = FORMATS / "epub" / "hefty-water"  # a real EPUB 3 sample (see SOURCE.md beside it)


@pytest.fixture(scope="module")
def book() -> bytes:
    return write_epub(
        [
            Chapter(
                "text/start.xhtml",
                "<h1>Getting started</h1><p>Pack a <b>compass</b> and two litres of water.</p><a id='end'/>",
                "Getting started",
            ),
            Chapter(
                "text/camp.xhtml",
                "<h2>Fires</h2><p>Fires are allowed only in the stone fire ring.</p>"
                "<table><tr><th>Site</th><th>Quiet hours</th></tr>"
                "<tr><td>North meadow</td><td>from 22:00</td></tr></table>",
                "Camp rules",
            ),
        ],
        "Field guide",
        date="2021-06-01",
    )


def test_epub_chapters_in_spine_order_under_their_titles(book):
    parsed = epub.parse(book, "guide.epub")
    assert (parsed.title, parsed.date) == ("Field guide", "2021-06-01")
    assert kinds(parsed.blocks) == [
        ("heading", "Getting started"),
        ("paragraph", "Pack a compass and two litres of water."),
        ("heading", "Camp rules"),
        ("heading", "Fires"),
        ("paragraph", "Fires are allowed only in the stone fire ring."),
        ("table_header", "Site | Quiet hours"),
        ("table_row", "North meadow | from 22:00"),
    ]
    assert all(b.line_start is None and b.start is None for b in parsed.blocks)
    found = passages(parsed, "guide.epub")
    fires = next(p for p in found if "stone fire ring" in p.text)
    assert fires.headings == ("Camp rules", "Fires")


def test_epub_chapter_heading_inside_a_header_element_is_kept():
    """Standard Ebooks and many EPUB 3 books put each chapter's heading in <header>: a book's title,
    not a web page's banner."""
    raw = write_epub(
        [
            Chapter(
                "text/chapter-1.xhtml",
                '<section epub:type="chapter" xmlns:epub="http://www.idpf.org/2007/ops">'
                "<header><h2>Chapter I</h2><p>In which the ship sails</p></header>"
                "<p>The ship left Bristol on a grey morning.</p></section>",
                "Chapter I",
            )
        ],
        "Voyage",
    )
    assert kinds(epub.parse(raw, "voyage.epub").blocks) == [
        ("heading", "Chapter I"),
        ("paragraph", "In which the ship sails"),
        ("paragraph", "The ship left Bristol on a grey morning."),
    ]


def test_epub2_table_of_contents_from_the_ncx():
    raw = write_epub(
        [
            Chapter("ch 1.xhtml", "<p>The ferry leaves at dawn.</p>", "Chapter One"),  # href "ch%201.xhtml"
            Chapter("ch2.xhtml", "<p>The island has one road.</p>", "Chapter Two", toc_fragment="#road"),
        ],
        "Island notes",
        version=2,
    )
    assert kinds(epub.parse(raw, "island.epub").blocks) == [
        ("heading", "Chapter One"),
        ("paragraph", "The ferry leaves at dawn."),
        ("paragraph", "The island has one road."),  # its entry names a place inside the file, not the file
    ]


def test_epub_real_sample_reads_its_sections_and_code():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for path in sorted(HEFTY_WATER.rglob("*")):
            if path.is_file():
                package.write(path, path.relative_to(HEFTY_WATER).as_posix())
    parsed = epub.parse(buffer.getvalue(), "hefty-water.epub")
    assert parsed.title == "Hefty Water"
    headings = [(b.text, b.level) for b in parsed.blocks if b.kind == "heading"]
    assert headings == [("Hefty Water", 1), ("The Switch", 2), ("The Source", 2), ("Hefty Ruby Water", 2)]
    text = "\n".join(b.text for b in parsed.blocks)
    assert "It will render the CML formula natively".lower() in text.lower()
    assert "Navigation" not in text  # the nav document is the table of contents, not a chapter
    assert any(b.kind == "code" and "<switch" in b.text for b in parsed.blocks)


def test_epub_with_encrypted_chapters_is_refused_as_drm(book):
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(
            "META-INF/encryption.xml",
            '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
            'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
            '<enc:CipherReference URI="OEBPS/text/camp.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>',
        )
    with pytest.raises(ValueError, match="DRM"):
        epub.parse(buffer.getvalue(), "locked.epub")


def test_epub_that_is_not_an_epub_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="epub"):
        epub.parse(b"not a zip file", "broken.epub")


# -- damaged files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".pptx", ".xlsx", ".odt", ".epub"])
def test_a_damaged_package_is_refused_with_a_reason_never_a_crash(suffix, deck, workbook, odt_file, book):
    """Bytes flipped inside the zip surface from zipfile, zlib, lxml or the library: the indexer needs
    a ValueError to skip the file and go on with the rest of the corpus."""
    import random

    raw = {".pptx": deck, ".xlsx": workbook, ".odt": odt_file, ".epub": book}[suffix]
    variants = [raw[: len(raw) // 2], b"", _other_zip()]
    rng = random.Random(17)
    for _ in range(20):
        damaged = bytearray(raw)
        for _ in range(20):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        variants.append(bytes(damaged))
    for variant in variants:
        try:
            PARSERS[suffix](variant, f"damaged{suffix}")
        except ValueError as error:
            assert suffix in str(error)


def _other_zip() -> bytes:
    """A valid zip of another format (a .docx) under the wrong suffix."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()
