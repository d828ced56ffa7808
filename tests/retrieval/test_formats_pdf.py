"""PDFs as laid out: tables as rows with their header, form values, contents pages, footnotes (issue 17),
headings by their size."""

from __future__ import annotations

from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.cleaning import clean_blocks
from retrieval.ingest.formats import pdf
from retrieval.ingest.formats.pdf_notes import separate_footnotes
from retrieval.ingest.formats.pdf_tables import Table, layout_tables, locate
from retrieval.ingest.formats.pdf_text import PageLine, Span, _rejoined
from tests.harness.libraries import DATA
from tests.harness.pdf import Contents, Field, Grid, Heading, Lines, Note, write_layout_pdf, write_text_pdf

PLANS = (
    ("Plan", "Storage", "Price", "Users"),
    ("Starter", "50 GB", "$4", "1"),
    ("Team", "1 TB", "$19", "10"),
    ("Business", "5 TB", "$49", "100"),
)
INTRO = Lines(("Our plans suit teams of every size; each includes support by email.",))


def parsed(tmp_path, pages, name="doc.pdf"):
    return pdf.parse(write_layout_pdf(tmp_path / name, pages).read_bytes(), name)


def by_kind(result, *kinds):
    return [b for b in result.blocks if b.kind in kinds]


def test_ruled_table_rows_keep_their_first_cell_and_header(tmp_path):
    result = parsed(tmp_path, [[INTRO, Grid(PLANS)]])
    table = by_kind(result, "table_header", "table_row")
    assert [(b.kind, b.text) for b in table] == [
        ("table_header", "Plan | Storage | Price | Users"),
        ("table_row", "Starter | 50 GB | $4 | 1"),
        ("table_row", "Team | 1 TB | $19 | 10"),
        ("table_row", "Business | 5 TB | $49 | 100"),
    ]
    assert len({b.group for b in table}) == 1 and table[0].group > 0
    assert {(b.page_start, b.page_end) for b in table} == {(1, 1)}
    assert not any(b.text in ("Starter", "Business") for b in result.blocks)  # no cell on a line of its own


def test_table_without_ruling_lines_is_read_as_rows(tmp_path):
    hours = (("Day", "Opens", "Closes"), ("Monday", "08:00", "18:00"), ("Saturday", "10:00", "14:00"))
    result = parsed(tmp_path, [[Lines(("Opening hours of the front desk.",)), Grid(hours, ruled=False)]])
    assert [b.text for b in by_kind(result, "table_header", "table_row")] == [
        "Day | Opens | Closes",
        "Monday | 08:00 | 18:00",
        "Saturday | 10:00 | 14:00",
    ]
    assert by_kind(result, "paragraph")[0].text == "Opening hours of the front desk."


def test_two_tables_on_a_page_are_two_groups_and_prose_between_stays_prose(tmp_path):
    hours = (("Day", "Opens", "Closes"), ("Monday", "08:00", "18:00"), ("Sunday", "closed", "closed"))
    after = Lines(("The clinic is closed on public holidays.",))
    result = parsed(tmp_path, [[Grid(PLANS), after, Grid(hours, ruled=False)]])
    headers = by_kind(result, "table_header")
    assert [b.text for b in headers] == ["Plan | Storage | Price | Users", "Day | Opens | Closes"]
    assert headers[0].group != headers[1].group
    assert "The clinic is closed on public holidays." in [b.text for b in by_kind(result, "paragraph")]


def test_table_at_the_foot_of_a_page_keeps_a_last_cell_that_looks_like_a_page_number(tmp_path):
    result = parsed(tmp_path, [[INTRO, Grid(PLANS)], [INTRO]])
    assert "Business | 5 TB | $49 | 100" in [b.text for b in by_kind(result, "table_row")]


def test_a_data_row_first_is_not_taken_for_a_header(tmp_path):
    rows = (("Starter", "50 GB", "$4"), ("Team", "1 TB", "$19"), ("Business", "5 TB", "$49"))
    result = parsed(tmp_path, [[INTRO, Grid(rows)]])
    assert [b.kind for b in result.blocks if b.group] == ["table_row"] * 3


def test_bulleted_lines_in_columns_are_not_a_table(tmp_path):
    bullets = (
        ("-", "Bring a photo ID"),
        ("-", "Bring your insurance card"),
        ("-", "Arrive ten minutes early"),
    )
    result = parsed(tmp_path, [[INTRO, Grid(bullets, ruled=False)]])
    assert not by_kind(result, "table_header", "table_row")


def test_filled_form_fields_are_definitions_on_their_page(tmp_path):
    result = parsed(
        tmp_path,
        [
            [Lines(("Claim form. Fill in every field before you sign.",))],
            [INTRO, Field("applicant", "Maria Lopez", "Applicant name"), Field("policy_no", "PX-4471")],
        ],
    )
    fields = by_kind(result, "definition")
    assert [(b.text, b.page_start) for b in fields] == [
        ("Applicant name: Maria Lopez", 2),
        ("policy_no: PX-4471", 2),
    ]
    assert result.blocks[-2:] == fields  # after the page's text


def test_empty_form_field_is_no_block(tmp_path):
    result = parsed(tmp_path, [[INTRO, Field("remarks", "")]])
    assert not by_kind(result, "definition")


def test_contents_page_is_not_indexed_nor_glued_to_the_first_section(tmp_path):
    contents = Contents((("Introduction", 2), ("Plans and prices", 2), ("Support", 3)))
    result = parsed(
        tmp_path,
        [
            [Lines(("Acme Cloud handbook",)), contents],
            [
                Lines(("Introduction", "Acme Cloud stores files for teams and keeps every version.")),
                Grid(PLANS),
            ],
        ],
    )
    texts = [b.text for b in result.blocks]
    assert not any("...." in text or text == "Contents" for text in texts)
    assert "Acme Cloud stores files for teams and keeps every version." in texts
    assert texts[0] == "Acme Cloud handbook"
    assert all(b.page_start == 2 for b in result.blocks[1:])


def test_footnote_marker_is_parted_from_its_word_and_the_note_ends_its_page(tmp_path):
    result = parsed(
        tmp_path,
        [
            [
                Lines(("In 2023 revenue grew^12 while costs fell by a third.",)),
                Note("12", "Audited figures from the annual report, page 40."),
            ],
            [Lines(("Headcount stayed at forty people all year.",))],
        ],
    )
    texts = [(b.text, b.page_start) for b in result.blocks]
    assert texts == [
        ("In 2023 revenue grew[12] while costs fell by a third.", 1),
        ("Footnote 12: Audited figures from the annual report, page 40.", 1),
        ("Headcount stayed at forty people all year.", 2),
    ]
    assert not any("grew12" in b.text for b in result.blocks)


def test_footnote_does_not_break_a_sentence_running_onto_the_next_page(tmp_path):
    result = parsed(
        tmp_path,
        [
            [
                Lines(
                    (
                        "Security training is mandatory for every new employee in the first week.",
                        "The office moves^1 to a new building and from March you will find us on the",
                    )
                ),
                Note("1", "The lease was signed in January."),
            ],
            [Lines(("fifth floor of the Orchard Building, next to the library.",))],
        ],
    )
    moved = [b for b in result.blocks if "fifth floor" in b.text]
    assert len(moved) == 1 and "will find us on the fifth floor" in moved[0].text
    assert (moved[0].page_start, moved[0].page_end) == (1, 2)
    notes = [b for b in result.blocks if b.text.startswith("Footnote 1:")]
    assert [(b.text, b.page_start) for b in notes] == [("Footnote 1: The lease was signed in January.", 1)]


def test_small_print_starting_with_a_number_but_cited_nowhere_stays_body_text(tmp_path):
    result = parsed(
        tmp_path,
        [[Lines(("Prices include tax.",)), Note("3", "months of free support come with every plan.")]],
    )
    assert [b.text for b in result.blocks] == [
        "Prices include tax.",
        "3 months of free support come with every plan.",
    ]


def test_plain_text_pdfs_read_as_before(tmp_path):
    path = write_text_pdf(
        tmp_path / "guide.pdf",
        [["Security training is mandatory for every new employee in the first",
          "week. Ask the service desk for more infor-", "mation about the schedule and rooms."]],
    )  # fmt: skip
    result = pdf.parse(path.read_bytes(), "guide.pdf")
    assert [b.text for b in result.blocks] == [
        "Security training is mandatory for every new employee in the first week. "
        "Ask the service desk for more information about the schedule and rooms."
    ]


# -- the layout-mode table reader on fixed-width text ------------------------------------------------
def test_layout_table_with_wrapped_cells_and_an_empty_cell():
    layout = (
        "Plan        Included support               Price\n"
        "Basic       Email within two               EUR 6\n"
        "            working days\n"
        "Plus                                       EUR 24\n"
        "Pro         Phone, around the clock        EUR 79\n"
    )
    [table] = layout_tables(layout)
    assert table.header
    assert table.rows == (
        ("Plan", "Included support", "Price"),
        ("Basic", "Email within two working days", "EUR 6"),
        ("Plus", "", "EUR 24"),
        ("Pro", "Phone, around the clock", "EUR 79"),
    )


def test_layout_header_with_an_empty_corner_cell_stays_the_header():
    layout = "            2024      2025\nRevenue     1.2       1.5\nCosts       0.9       1.0\n"
    [table] = layout_tables(layout)
    assert table.header and table.rows[0] == ("", "2024", "2025")
    assert table.rows[1] == ("Revenue", "1.2", "1.5")


def test_layout_prose_columns_and_ragged_double_spaces_are_no_table():
    two_columns = (
        "The backup job runs every night at two in      Each copy is retained for thirty days before\n"
        "the morning and copies the database, the       deletion, and a monthly copy is kept for a\n"
        "uploaded files and the configuration files.    year in the offsite bucket of the company.\n"
    )
    ragged = (
        "Security training is  mandatory for every new employee.\n"
        "Ask the service desk for  more information about rooms.\n"
        "Lunch is served in the canteen  from noon until two.\n"
    )
    assert layout_tables(two_columns) == [] and layout_tables(ragged) == []


def test_a_table_is_located_in_the_default_lines_whether_cells_or_rows_are_lines():
    table = Table((("Plan", "Price"), ("Team", "$19"), ("Pro", "$49")), header=True)
    assert locate(table, ["Intro.", "Plan", "Price", "Team", "$19", "Pro", "$49", "After."]) == (1, 6)
    assert locate(table, ["Intro.", "Plan Price", "Team $19", "Pro $49"]) == (1, 3)
    assert locate(table, ["Plan", "Team", "Price", "$19", "Pro", "$49"]) == (0, 5)  # column by column
    assert locate(table, ["Plan", "Price", "Team", "$19", "Pro", "$50"]) is None  # not the same text


def test_a_table_whose_wrapped_cell_comes_after_the_row_in_the_default_lines_is_located():
    table = Table((("Plan", "Support"), ("Basic", "Email within two working days"), ("Pro", "Phone")), True)
    lines = ["Plan", "Support", "Basic", "Email within two", "working days", "Pro", "Phone"]
    assert locate(table, lines) == (0, 6)
    assert locate(
        table, ["Plan", "Support", "Basic", "Email within two", "Pro", "Phone", "working days"]
    ) == (0, 6)


def test_layout_rows_numbered_alike_have_no_header():
    layout = (
        "Fig. 1.13     Trefoil knot, drawn by J. Belk\n"
        "Fig. 2.1      Double torus, drawn by O. Alexandrov\n"
        "Fig. 2.4      Klein bottle, drawn by the author\n"
    )
    [table] = layout_tables(layout)
    assert not table.header and table.rows[0] == ("Fig. 1.13", "Trefoil knot, drawn by J. Belk")


# -- footnote markers and small print, on lines as pypdf reports them ------------------------------
def line(*spans: tuple[str, float, float]) -> PageLine:
    return PageLine(tuple(Span(text, size, y=y) for text, size, y in spans))


def test_a_raised_figure_after_a_word_is_a_marker_but_subscripts_and_mathematics_are_not():
    assert line(("revenue grew", 11, 700), ("12", 7, 704), (" while", 11, 700)).markers() == [(1, "12")]
    assert line(("the report.", 11, 700), ("3", 7, 700)).markers() == [(1, "3")]  # raised by text rise
    assert line(("Let X", 11, 700), ("1", 7, 697)).markers() == []  # a subscript sits lower
    assert line(("a function in C", 11, 700), ("1", 7, 704)).markers() == []  # C¹
    assert line(("(x+1)", 11, 700), ("2", 7, 704)).markers() == []  # a power


def test_a_numbered_list_in_small_print_is_not_taken_for_footnotes():
    lines = [
        line(("Steps, see the notes", 11, 700), ("1", 7, 704)),
        line(("1. Open the valve.", 8, 600)),
        line(("2. Read the gauge.", 8, 590)),
    ]
    body, notes = separate_footnotes(lines)
    assert notes == [] and body == lines


def test_an_unreadable_form_costs_its_fields_not_the_text(tmp_path, monkeypatch):
    def broken(reader):
        raise KeyError("/Parent")

    monkeypatch.setattr(pdf, "form_values", broken)
    result = parsed(tmp_path, [[INTRO, Field("applicant", "Maria Lopez", "Applicant name")]])
    assert [b.text for b in result.blocks] == [INTRO.lines[0]]


# -- headings by size, as pdflatex and word processors set them ---------------------------------------
BACKUPS = Lines(("They run every night at 02:00 and are kept for 30 days.",))


def manual(tmp_path):
    return parsed(
        tmp_path,
        [
            [
                Heading("Operations manual", 20),
                Lines(("How the storage cluster is run, for the on-call team.",)),
                Heading("1 Maintenance", 14),
                Lines(("Routine work is announced a week ahead in the status channel.",)),
                Heading("1.1 Backups", 12.5),
                BACKUPS,
                Heading("1.2 Upgrades", 12.5),
                Lines(("Nodes are upgraded one at a time, never two in one zone.",)),
            ]
        ],
    )


def test_lines_larger_than_the_body_are_headings_levelled_by_size(tmp_path):
    result = manual(tmp_path)
    assert [(b.level, b.text) for b in by_kind(result, "heading")] == [
        (1, "Operations manual"),
        (2, "1 Maintenance"),
        (3, "1.1 Backups"),
        (3, "1.2 Upgrades"),
    ]
    assert BACKUPS.lines[0] in [b.text for b in by_kind(result, "paragraph")]  # not joined to its heading


def test_a_pdf_passage_carries_the_section_heading_its_key_term_is_in(tmp_path):
    """ "How long are backups kept?": only the heading says "Backups"; the passage must carry it."""
    result = manual(tmp_path)
    blocks = clean_blocks(result.blocks, "Operations manual")
    passages = chunk_document("manual.pdf", blocks, ChunkingParams())
    holding = next(p for p in passages if "kept for 30 days" in p.text)
    assert "1.1 Backups" in holding.headings
    assert "1.2 Upgrades" not in holding.headings


def test_a_pdf_set_in_one_size_has_no_headings(tmp_path):
    result = parsed(tmp_path, [[Lines(("Maintenance", "Routine work is announced a week ahead.")), BACKUPS]])
    assert by_kind(result, "heading") == []


def test_a_long_line_at_a_heading_size_is_text_not_a_heading(tmp_path):
    quote = "Every node we run is upgraded one at a time, and never two nodes in the same zone, by policy."
    body = Lines(
        tuple(
            f"Zone {n} is upgraded on day {n} of the month, after its backups are checked." for n in range(9)
        )
    )
    result = parsed(tmp_path, [[Heading("Upgrades", 14), Heading(quote, 14), body]])
    assert [b.text for b in by_kind(result, "heading")] == ["Upgrades"]


def test_a_pdf_without_a_metadata_title_is_titled_by_its_first_page_s_largest_line(tmp_path):
    """Repeated atop every page, the title is a running header and dropped from the text; it still
    names the document (else its first section heading would)."""
    title = Heading("Storage cluster guide", 20)
    pages = [
        [title, Heading("1 Maintenance", 14), BACKUPS],
        [title, Lines(("Nodes are upgraded one at a time, never two in one zone.",))],
        [title, Lines(("Disks are replaced within a day of a failure alert.",))],
    ]
    result = parsed(tmp_path, pages)
    assert result.title == "Storage cluster guide"
    assert "Storage cluster guide" not in [b.text for b in result.blocks]


def test_a_compound_broken_at_its_hyphen_keeps_it_and_a_broken_word_is_rejoined(tmp_path):
    """ "size-tiered" across two lines was quoted "sizetiered" (a fresh-user trial's typeset paper)."""
    lines = Lines(
        ("TideKV uses size-", "tiered compaction for its key-", "value data; the infor-", "mation is kept.")
    )
    result = parsed(tmp_path, [[lines]])
    assert [b.text for b in result.blocks] == [
        "TideKV uses size-tiered compaction for its key-value data; the information is kept."
    ]


def test_a_line_drawn_word_by_word_is_one_line_again():
    """Google Docs' PDF export (Skia) draws a justified line one word at a time and pypdf ends a line after
    each word: the sentence lost its first word to a line of its own ("Function names are limited ...").
    Trial 41's guide, as its repository committed it (tests/data/docstrial6/SOURCE.md)."""
    path = DATA / "docstrial6" / "corpus" / "centimani" / "docs" / "user_guide.pdf"
    blocks = pdf.parse(path.read_bytes(), "user_guide.pdf").blocks
    sentence = "Cloud Function names are limited to 63 chars max. Please do not choose a long deployment name"
    assert any(b.kind == "list_item" and b.text.startswith(sentence) for b in blocks)  # a "-" list's item
    assert not any(b.text in ("Cloud", "Function") for b in blocks)


def test_a_word_processors_bullets_start_list_items():
    """Google Docs draws a list's bullet ("●", or "-" for a dash list) apart from its item, a tab stop to
    its left on its baseline: the bullet had been a paragraph of its own or the end of the line above,
    and a list whose items wrap ("● | queue_config.name: the name of the queue for the gads ...") was read
    as a garbled table (trial 41's guide: "how many times does the upload queue retry a task?")."""
    path = DATA / "docstrial6" / "corpus" / "centimani" / "docs" / "user_guide.pdf"
    blocks = pdf.parse(path.read_bytes(), "user_guide.pdf").blocks
    items = [b.text for b in blocks if b.kind == "list_item"]
    assert "queue_config.retry_config.max_attempts : max retry attempts (default 5)" in items
    assert "credentials.XXXXX.client_id: the OAUTH2 client id" in items
    assert "Input and output GCS buckets will be automatically created if they don’t exist already." in items
    assert not any(b.kind in ("table_row", "table_header") and "queue_config" in b.text for b in blocks)
    assert not any(b.text.strip() in ("-", "●") or b.text.rstrip().endswith(" ●") for b in blocks)


def test_a_bullet_a_tab_stop_apart_starts_its_item_but_not_a_far_column():
    def line(text: str, x: float) -> PageLine:
        return PageLine((Span(text, 11.0, y=326.1, x=x),))

    assert [j.text for j in _rejoined([line("●", 162.0), line("Replace XXXXX", 180.0)])] == [
        "● Replace XXXXX"
    ]
    assert [j.text for j in _rejoined([line("-", 90.0), line("Plan", 300.0)])] == ["-", "Plan"]


def test_table_cells_on_one_baseline_stay_apart():
    """A table's cells drawn as separate lines on one baseline ("Plan", "Storage" a column apart) are not
    words of one line: the fault case's plan table still reads as rows."""

    def line(text: str, x: float) -> PageLine:
        return PageLine((Span(text, 11.0, y=660.9, x=x),))

    assert [joined.text for joined in _rejoined([line("Plan", 76.0), line("Storage", 122.0)])] == [
        "Plan",
        "Storage",
    ]
    assert [joined.text for joined in _rejoined([line("Cloud", 108.0), line("Function", 142.8)])] == [
        "Cloud Function"
    ]
