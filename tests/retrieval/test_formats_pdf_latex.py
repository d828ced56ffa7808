"""PDFs that pdfTeX built (Sphinx's latexpdf): word gaps drawn as TJ moves, running heads that name the
chapter and carry the page number, chapter openers, back-of-book index pages, code in a typewriter font,
TeX accents (trial 30: Jinja's documentation, 7/30 answered).

tests/data/pdf_sphinx/jinja-excerpt.pdf is pages 1, 9-11, 33-36 and 159 of that build (see the README
there), with an outline like hyperref's.
"""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.cleaning import clean_blocks
from retrieval.ingest.formats import pdf
from retrieval.ingest.formats.pdf_chapters import chapter_opener
from retrieval.ingest.formats.pdf_headings import heading_shaped
from retrieval.ingest.formats.pdf_notes import is_index_page
from retrieval.ingest.formats.pdf_running import drop_running
from retrieval.ingest.formats.pdf_spacing import MONOSPACE_WORD_GAP, WORD_GAP, _spaced
from retrieval.ingest.formats.pdf_tables import layout_tables
from retrieval.ingest.formats.pdf_text import PageLine, Span, _without_unmapped, page_lines
from tests.harness.pdf import write_stream_pdf

EXCERPT = Path(__file__).parents[1] / "data" / "pdf_sphinx" / "jinja-excerpt.pdf"


@pytest.fixture(scope="module")
def excerpt():
    parsed = pdf.parse(EXCERPT.read_bytes(), "jinja.pdf")
    blocks = clean_blocks(parsed.blocks, parsed.title or "")
    return parsed, blocks, chunk_document("jinja.pdf", blocks, ChunkingParams())


def test_words_of_a_tightly_justified_line_keep_their_spaces(excerpt):
    parsed, _, passages = excerpt
    text = " ".join(p.text for p in passages)
    assert "We recommend using the latest version of Python. Jinja supports Python 3.10 and newer." in text
    assert "Werecommend" not in text
    # kerned pairs and ligatures stay whole words
    assert "templating engine" in text and "final document" in text and "ahead-of-time" in text
    assert "Added in version 2.7: Added support for ignoring memcache errors" in text


def test_running_heads_with_the_page_number_are_in_no_passage(excerpt):
    _, blocks, passages = excerpt
    for unwanted in ("Bytecode Cache 29", "2.7. Loaders 27", "Chapter 2. API", "Chapter 1. Introduction"):
        assert not any(unwanted in p.text for p in passages), unwanted
    assert not any(b.text.strip().isdigit() for b in blocks)
    # the last body line of a page is kept
    assert any("%s is replaced with the cache key." in p.text for p in passages)


def test_a_chapter_opener_is_one_heading_named_as_the_outline_names_it(excerpt):
    parsed, _, passages = excerpt
    headings = [(b.level, b.text) for b in parsed.blocks if b.kind == "heading"]
    assert headings[:2] == [(1, "Introduction"), (2, "1.1 Installation")]
    assert (1, "API") in headings and (2, "2.8 Bytecode Cache") in headings
    assert not any("CHAPTER" in b.text or b.text in ("ONE", "TWO") for b in parsed.blocks)
    installing = next(p for p in passages if "We recommend using" in p.text)
    assert installing.headings[:2] == ("Introduction", "1.1 Installation")  # no cover-page lines above


def test_the_cover_page_gives_the_title_and_no_headings(excerpt):
    parsed, _, _ = excerpt
    assert parsed.title == "Jinja"
    assert not any(b.text in ("Jinja", "Release 3.1.6 Pallets", "Dec 06, 2026") for b in parsed.blocks)


def test_back_of_book_index_pages_make_no_passages(excerpt):
    _, _, passages = excerpt
    assert not any(
        "(in module jinja-filters)" in p.text or "(class in jinja2.nodes)" in p.text for p in passages
    )


def test_code_lines_drawn_in_the_typewriter_font_are_code_and_both_repeats_stay(excerpt):
    _, blocks, _ = excerpt
    example = next(b for b in blocks if "class MyCache(BytecodeCache):" in b.text)
    assert example.kind == "code"
    assert example.text.count("filename = path.join(self.directory, bucket.key)") == 2
    lines = example.text.split("\n")  # indented as drawn: pypdf's text alone has no indentation
    assert lines[1:4] == ["class MyCache(BytecodeCache):", "    def __init__(self, directory):",
                          "        self.directory = directory"]  # fmt: skip
    assert "            with open(filename, 'rb') as f:" in lines
    assert next(b for b in blocks if b.text == "$ pip install Jinja2").kind == "code"


def test_word_gaps_are_moves_of_a_tenth_of_the_font_size_and_kerns_are_not():
    kerned = [b"T", 85, b"emplate", -250, b"inher", -20, b"itance", -99, b"x"]
    spaced = _spaced(kerned, 500.0)
    assert spaced == [b"T", 85, b"emplate", " ", 250.0, b"inher", -20, b"itance", -99, b"x"]
    assert _spaced([-500, b"Installation"], 500.0) == [-500, b"Installation"]  # an indent after a line's move
    # a colour change ends a TJ mid-line: "Japanese" then [-237 (Shinto)]
    assert _spaced([-237, b"Shinto"], 500.0, after_text=True) == [" ", 263.0, b"Shinto"]
    assert _spaced([b"a", -WORD_GAP, b"b"], 250.0)[1] == " "


def _page(*texts: str, size: float = 10.0) -> list[PageLine]:
    return [PageLine((Span(text, size),)) for text in texts]


def test_an_edge_line_with_the_running_page_number_is_dropped_and_a_body_figure_is_not():
    pages = [
        _page("Opening text of a section.", "It ends with a figure: 12"),
        _page("Intro to the loaders.", "2.7. Loaders 27"),
        _page("28 Chapter 2. API", "More text."),
        _page("The cache keeps 400 templates.", "2.8. Bytecode Cache 29"),
        _page("30 Chapter 2. API", "Last words: 7"),
    ]
    kept = [[line.text for line in page] for page in drop_running(pages)]
    assert kept == [
        ["Opening text of a section.", "It ends with a figure: 12"],
        ["Intro to the loaders."],
        ["More text."],
        ["The cache keeps 400 templates."],
        ["Last words: 7"],
    ]


def test_an_index_page_is_told_from_a_page_that_cites_pages():
    index = ["INDEX", "Symbols", "abs() (in module jinja-filters), 72", "Add (class in jinja2.nodes), 108",
             "attr() (jinja2.ext.Extension method), 100"]  # fmt: skip
    prose = ["The first part covers loading, see page 12.", "Caching is the subject of the next part,",
             "which starts on page 30, and of chapter 4, 31", "Read them in order."]  # fmt: skip
    assert is_index_page(index)
    assert not is_index_page(prose)


def test_a_chapter_opener_needs_its_label_its_number_and_a_larger_title():
    page = [PageLine((Span("CHAPTER", 10.0),)), *_page("NINE", "TIPS AND TRICKS", size=14.3),
            *_page("9.1 Null-Default Fallback", size=14.3), *_page("Body text.")]  # fmt: skip
    kept, heading = chapter_opener(page, {"tips and tricks": "Tips and Tricks"})
    assert [line.text for line in kept] == ["Tips and Tricks", "9.1 Null-Default Fallback", "Body text."]
    assert heading is kept[0]
    plain = _page("Chapter", "One of the reasons is speed.")
    assert chapter_opener(plain, {}) == (plain, None)


def test_a_tex_accent_drawn_before_its_letter_is_composed_with_it():
    assert pdf._accented("codename Yasuz \u0304o") == "codename Yasuz\u014d"
    assert pdf._accented("caf\u00e9 au lait") == "caf\u00e9 au lait"
    # TeX's \~{} in a URL or a path is the same small tilde, no accent (METIS's manual, blind trial 47)
    assert pdf._accented("http://www.cs.umn.edu/ \u0303karypis") == "http://www.cs.umn.edu/~karypis"
    assert pdf._accented("edit \u0303/.bashrc") == "edit ~/.bashrc"
    assert pdf._accented("or let \u0303{target1}") == "or let ~{target1}"
    assert pdf._accented("Espa \u0303nol") == "Espa\u00f1ol"


def _line(text: str, size: float) -> PageLine:
    return PageLine((Span(text, size),))


def test_a_cover_with_small_print_under_its_title_is_still_a_cover():
    """METIS's manual (blind trial 47): title, subtitle, version, author and date in large type, then an
    epigraph and a footnote in small print and an e-mail address at the body's size. Its title, subtitle
    and version had led every passage's heading path."""
    body = [_line("The partitioning routines take a graph and return the parts of its vertices.", 10.0)] * 30
    cover = [
        _line("METIS", 19.8), _line("A Software Package for Partitioning Unstructured Graphs", 17.2),
        _line("Version 5.1.0", 14.3), _line("George Karypis", 12.0), _line("karypis@cs.umn.edu", 10.0),
        _line("Metis [MEE tis]: Metis is the Greek word for wisdom, a titaness in Greek mythology.", 9.0),
    ]  # fmt: skip
    assert pdf._is_cover([cover, body, body])
    # a first page with body text under its title is the first page of the text
    assert not pdf._is_cover([[*cover[:2], body[0], body[0]], body, body])


def test_a_definition_term_opens_its_description_and_is_glued_to_no_other(excerpt):
    _, blocks, _ = excerpt
    texts = [b.text for b in blocks]
    assert "key: The unique cache key for this bucket" in texts
    assert "code: The bytecode if it’s loaded, otherwise None." in texts


def test_a_gap_left_by_a_move_between_fonts_or_links_is_a_space(excerpt):
    _, blocks, _ = excerpt
    texts = [b.text for b in blocks]
    assert "None class jinja2.bccache.Bucket(environment, key, checksum)" in texts
    assert any(
        "class jinja2.FileSystemBytecodeCache(directory=None, pattern='__jinja2_%s.cache')" in t
        for t in texts
    )
    # pypdf's space at a move and ours are one (code's indentation is another matter)
    assert not any("  " in line.strip() for t in texts for line in t.split("\n"))


def test_the_index_left_out_is_reported(excerpt):
    parsed, _, _ = excerpt
    assert parsed.notes == ["back-of-book index left out (page 9; its entries only point to pages)"]


def test_a_book_class_chapter_opener_has_its_number_on_the_label_line():
    page = [PageLine((Span("Chapter 3", 20.7),)), *_page("Results", size=24.9), *_page("We measured.")]
    kept, heading = chapter_opener(page, {})
    assert [line.text for line in kept] == ["Results", "We measured."]
    assert heading is kept[0] and heading.size == 24.9


@pytest.mark.parametrize(
    ("line", "shaped"),
    [
        ("1.16.9 25.0 - 2025-04-19", True),  # a Sphinx changelog's release heading: figures only
        ("25.0 (2025-04-19)", True),
        ("2019", False),  # a figure's label or a page number is no heading
        ("42", False),
        ("12 34 56", False),
    ],
)
def test_a_release_heading_of_figures_only_is_heading_shaped(line, shaped):
    """pypa/packaging's PDF changelog: '1.16.9 25.0 - 2025-04-19' and every later release heading read as
    text (no letter in them), so each passage of the changelog was headed by the last release with a
    letter ('26.0rc1') and the pyparsing removal of 22.0 was quoted under 26.0rc1."""
    assert heading_shaped(line) is shaped


@pytest.mark.parametrize(
    ("line", "read"),
    [
        ("pip install -U n e t w o r k 2 t i k z to install", "pip install -U network2tikz to install"),
        ("\\ begin { t i k z p i c t u r e }", "\\ begin { tikzpicture }"),
        ("x = y + z", "x = y + z"),  # operators are no letters
        ("a b c", "a b c"),  # three are not a run
        ("Plans A B C D differ", "Plans A B C D differ"),  # capitals alone: initials, option names
    ],
)
def test_code_set_letter_by_letter_is_closed_up(line, read):
    """tikz-network's manual (LaTeX listings): pypdf read "pip install -U n e t w o r k 2 t i k z", and the
    install command was quoted so; pdftotext closes such runs up."""
    assert pdf._letters_joined(line) == read


LEM_MANUAL = Path(__file__).parents[1] / "data" / "docstrial9" / "corpus" / "lem" / "lem-manual.pdf"


def test_an_underscore_pdftex_draws_as_a_rule_is_read_as_an_underscore():
    """Computer Modern's `\\_` is a 0.3 em rule, no glyph: Lem's manual (blind trial 44) names its options
    `-only_changed_output` and `-wl_auto_import`, which read as "-only changed output" and a question's
    answer quoted them wrongly. A rule after a word space keeps the space ("a variable _x")."""
    parsed = pdf.parse(LEM_MANUAL.read_bytes(), "lem-manual.pdf")
    text = " ".join(block.text for block in parsed.blocks)
    for option in ("-only_changed_output", "-wl_auto_import err", "-auxiliary_level none", "$LIB_DIR"):
        assert option in text, option
    assert "-only changed output" not in text and "auxiliary level none" not in text
    assert "for a variable _x no warning" in text
    # the grammar's own wildcard "_" stays one character; no rule became two
    assert "| _ {{ Unspecified type }}" in text and "__" not in text


def test_an_empty_numbered_section_keeps_its_own_title():
    """Lem's manual has "4.4 Coq" with no text before "4.5 LaTeX": the two titles, one size on one page,
    had been read as one heading, "4.4 Coq 4.5 LaTeX", over LaTeX's whole section."""
    parsed = pdf.parse(LEM_MANUAL.read_bytes(), "lem-manual.pdf")
    headings = [block.text for block in parsed.blocks if block.kind == "heading"]
    assert "4.4 Coq" in headings and "4.5 LaTeX" in headings
    assert not any("Coq 4.5" in heading for heading in headings)


def test_letters_moved_into_their_columns_in_a_monospace_font_are_one_word(tmp_path):
    """The listings package puts each letter of code in its column with a move of a fraction of a cell
    (GenMC's XeLaTeX manual, blind trial 45: "a t o m i c _ s t o r e _ e x p l i c i t"); in a monospace
    font a word gap is half a cell or more, so those moves join and a whole cell's move still parts words.
    The same moves in a proportional font are word gaps, as before."""
    moves = "[(atomic) -150 (_store) -150 (_explicit) -150 (\\(&data,) -650 (42\\);)] TJ"
    stream = f"BT /F1 10 Tf 72 700 Td {moves} ET BT /F2 10 Tf 72 680 Td {moves} ET"
    path = write_stream_pdf(tmp_path / "listing.pdf", stream, {"F1": "Courier", "F2": "Helvetica"})
    lines = [line.text for line in page_lines(pypdf.PdfReader(path).pages[0])]
    assert lines == ["atomic_store_explicit(&data, 42);", "atomic _store _explicit (&data, 42);"]
    # pypdf itself takes a move of 0.95 of half its space width (200 when the font gives none) for a gap:
    # under half a cell, the move is split into moves it does not take for one, the same distance in all
    assert _spaced([b"a", -150, b"b", -650, b"c"], 200.0, gap=MONOSPACE_WORD_GAP) == [
        b"a", -75.0, -75.0, b"b", " ", -450.0, b"c"
    ]  # fmt: skip


def test_a_grammar_listing_in_the_typewriter_font_is_code_not_a_table():
    """Lem's grammar lines ("  | hol", "  | isabelle") line up in columns and had been read as a table whose
    header was "| | hol" (blind trial 44); lines all in a monospace font are code."""
    parsed = pdf.parse(LEM_MANUAL.read_bytes(), "lem-manual.pdf")
    assert not any(b.kind.startswith("table") and "hol" in b.text.split() for b in parsed.blocks)
    assert any(b.kind == "code" and "target ::= {{ Backend target names }}\n  | hol\n  | isabelle" in b.text
               for b in parsed.blocks)  # fmt: skip


@pytest.mark.parametrize(
    ("layout", "header"),
    [
        # an option list with no header row: its first row is an option like the rest
        ("-sc    SC model\n-tso   TSO model\n-ra    RA model", False),
        # a first row that is a sentence is a row, whatever follows
        (
            "sc     Perform the exploration under the SC memory model\ntso    Perform the exploration under TSO\n"
            "ra     Perform the exploration under RA",
            False,
        ),
        ("Option    Meaning\n-sc       SC model\n-tso      TSO model", True),
    ],
)
def test_a_table_header_is_a_row_of_short_labels(layout, header):
    (table,) = layout_tables(layout)
    assert table.header is header


def test_a_term_at_a_hanging_indents_margin_opens_a_new_block():
    """METIS's option list (blind trial 47): terms at 97 pt, descriptions at 142 pt. A description's last
    line ending a sentence, then the next term two ems or more to its left, parts them, on the same page or
    the next; a paragraph's second line, back from its first line's indent, does not."""
    description = pdf._Line(
        "earlier versions of METIS is low, then turn off this type of matching.", 13, size=10.0, x=141.7
    )
    term = pdf._Line("-contig (applies only when -ptype=kway)", 13, size=10.0, x=96.9)
    full = len(description.text)  # a full line: only the outdent ends it
    assert pdf._ends_paragraph(description, term, widest=full)
    assert pdf._ends_paragraph(
        description, pdf._Line("mpmetis [options] meshfile nparts", 14, size=10.0, x=72.0), 100
    )
    first = pdf._Line(
        "A paragraph opens here, indented as TeX sets it, and says it all.", 3, size=10.0, x=86.9
    )
    second = pdf._Line("And it goes on here, back at the margin of the text below it.", 3, size=10.0, x=72.0)
    assert not pdf._ends_paragraph(first, second, widest=len(first.text))  # a full line: its end is no end


def test_a_line_that_introduces_what_follows_is_no_heading():
    """Blind trial 49 (KaHIP's manual): its bold "Options:" over each program's option list had become a
    heading, so 22 passages of eight programs were all "4 User Interface › Options:" and the sequential
    program's default was quoted for the distributed one."""
    assert not heading_shaped("Options:")
    assert not heading_shaped("General Guide:")
    assert heading_shaped("Options")


def test_an_unmapped_glyph_opening_a_line_is_its_bullet():
    """SuiteSparse's AMD guide (blind trial 53; tests/data/docstrial18) draws itemize's bullet in a math font
    pypdf maps to U+0088: its 18 list items had opened with that control character, read as paragraphs,
    and answers quoted it. A line's only unmapped glyph opening it before text is a bullet."""
    guide = Path(__file__).parents[1] / "data" / "docstrial18" / "corpus" / "amd" / "AMD_UserGuide.pdf"
    parsed = pdf.parse(guide.read_bytes(), "AMD_UserGuide.pdf")
    items = [b.text for b in parsed.blocks if b.kind == "list_item"]
    assert "amd_order (int64_t version: amd_l_order)" in items
    assert any(text.startswith("Control[AMD_DENSE] (or Control(1) in MATLAB)") for text in items)
    assert not any("\x88" in b.text for b in parsed.blocks)
    ticks = PageLine((Span("\x13", 10.0), Span(" \x13 \x13", 10.0)))  # Axe's table of ticks: no bullet
    assert _without_unmapped(ticks) == ticks


def test_a_numbered_title_the_outline_lists_is_a_heading_wherever_it_falls():
    """The uthash guide (DBLaTeX, blind trial 59) sets its subsubsections at 9 pt under a 10 pt body: 13 of
    them had been glued to the text before ("FreeBSD 1.4.1 Test suite" after a list's last item; "3.4.1
    uthash never frees your structure", in lower case). The PDF's outline lists each: such a numbered line
    is a heading. A list's "7. select" is not, though the outline lists "Select" (5.7)."""
    guide = Path(__file__).parents[1] / "data" / "docstrial24" / "corpus" / "uthash" / "userguide.pdf"
    blocks = pdf.parse(guide.read_bytes(), "userguide.pdf").blocks
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert {
        "1.4.1 Test suite",
        "3.4.1 uthash never frees your structure",
        "4.2.2 String pointer in structure",
    } <= set(headings)
    assert "7. select" not in headings
    assert not any(b.text.endswith("1.4.1 Test suite") and b.kind != "heading" for b in blocks)


def test_the_body_size_is_the_prose_not_the_code_listings():
    """The BASICLU guide (pdfTeX, blind trial 61) is mostly verbatim listings at 9 pt under 10 pt prose: the
    listings' size was taken for the body's, and short prose lines ("C99 standard.", a sentence's last
    line) became headings that cut their sentences."""
    guide = Path(__file__).parents[1] / "data" / "docstrial26" / "corpus" / "basiclu" / "userguide.pdf"
    blocks = pdf.parse(guide.read_bytes(), "userguide.pdf").blocks
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert headings[:3] == ["1 Algorithm", "2 Installation", "2.1 Compiling BASICLU"]
    assert any(b.kind == "paragraph" and b.text.endswith("supports the ANSI C99 standard.") for b in blocks)
