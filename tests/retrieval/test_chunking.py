"""Passages from blocks: at most max_words, one sentence of overlap for long prose, one section each
(its heading path), never a table row, list item or code block cut in two, exact lines and offsets."""

from __future__ import annotations

import re

import pytest

from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.cleaning import clean_blocks
from retrieval.ingest.formats import html, markdown, rst
from retrieval.ingest.loader import load_document
from retrieval.models import Block
from retrieval.text.sentences import split_sentences
from tests.harness.libraries import DATA, SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))
DOCS = DATA / "docs_dev" / "corpus"
DOCS_FILES = sorted(DOCS.rglob("*.md"))[:12] + sorted(DOCS.rglob("*.html"))[:8]


def numbered(*texts: str, kind: str = "paragraph") -> list[Block]:
    return [Block(kind, text, number, number) for number, text in enumerate(texts, start=1)]


def sentence(n: int, words: int = 10) -> str:
    return " ".join([f"Start{n}"] + [f"w{n}x{i}" for i in range(words - 2)] + [f"end{n}."])


def seed_passages(path, params=ChunkingParams()):
    loaded = load_document(path, SEEDS)
    blocks = clean_blocks(loaded.blocks, loaded.document.title, scraped=True)
    return chunk_document(loaded.document.source, blocks, params, scraped=True)


def doc_passages(path, params=ChunkingParams()):
    loaded = load_document(path, path.parent)
    return loaded, chunk_document(
        loaded.document.source, clean_blocks(loaded.blocks, loaded.document.title), params
    )


def fold(text: str) -> str:
    return " ".join(text.split())


# -- sizes and overlap -----------------------------------------------------------------------------
def test_ids_count_from_one_in_document_order():
    passages = chunk_document(
        "doc.txt", numbered(*(sentence(n) for n in range(8))), ChunkingParams(max_words=30)
    )
    assert [p.id for p in passages] == [f"doc.txt#{n}" for n in range(1, len(passages) + 1)]
    assert [p.ordinal for p in passages] == list(range(1, len(passages) + 1))
    assert all(p.source == "doc.txt" for p in passages)


def test_ids_are_stable_when_a_later_section_changes():
    before = "# A\n\nFirst section text.\n\n# B\n\nSecond section text.\n"
    after = before + "\nMore text added at the end of the second section.\n"
    ids = [
        [
            (p.id, p.text)
            for p in chunk_document("doc.md", markdown.parse(s.encode(), "doc.md").blocks, ChunkingParams())
        ]
        for s in (before, before, after)
    ]
    assert ids[0] == ids[1]
    assert ids[2][0] == ids[0][0]


def test_long_paragraph_respects_max_words_and_overlaps_one_sentence():
    paragraph = " ".join(sentence(n) for n in range(10))  # ten 10-word sentences in one block
    passages = chunk_document(
        "doc.txt", numbered(paragraph), ChunkingParams(max_words=35, overlap_sentences=1)
    )
    assert len(passages) > 2
    for passage in passages:
        assert len(passage.text.split()) <= 35
    for before, after in zip(passages, passages[1:], strict=False):
        last = [before.text[s:e] for s, e in split_sentences(before.text)][-1]
        first = [after.text[s:e] for s, e in split_sentences(after.text)][0]
        assert first == last
    for n in range(10):
        assert any(f"end{n}." in p.text for p in passages)


def test_no_overlap_when_asked_for_none():
    paragraph = " ".join(sentence(n) for n in range(6))
    passages = chunk_document(
        "doc.txt", numbered(paragraph), ChunkingParams(max_words=20, overlap_sentences=0)
    )
    assert [p.text.count("end") for p in passages] == [2, 2, 2]
    assert "".join(p.text for p in passages).count("end0.") == 1


def test_single_overlong_sentence_is_cut_at_words():
    words = [f"word{i}" for i in range(250)]
    passages = chunk_document("long.txt", numbered(" ".join(words)), ChunkingParams(max_words=100))
    assert [len(p.text.split()) for p in passages] == [100, 100, 50]
    assert " ".join(p.text for p in passages).split() == words  # nothing lost, nothing repeated


def test_line_ranges_follow_the_blocks_used():
    blocks = [Block("paragraph", sentence(n), number, number) for n, number in enumerate((3, 4, 9, 10, 12))]
    passages = chunk_document("doc.txt", blocks, ChunkingParams(max_words=25, overlap_sentences=0))
    assert [(p.line_start, p.line_end) for p in passages] == [(3, 4), (9, 10), (12, 12)]
    assert passages[0].text == f"{sentence(0)}\n{sentence(1)}"


def test_no_blocks_no_passages():
    assert chunk_document("empty.txt", [], ChunkingParams()) == []
    assert (
        chunk_document("only-headings.md", [Block("heading", "Title", 1, 1, level=1)], ChunkingParams()) == []
    )


# -- pages -----------------------------------------------------------------------------------------
def test_pdf_passages_never_span_pages_but_a_sentence_may_run_onto_the_next():
    blocks = [
        Block("paragraph", "Page one starts here.", page_start=1, page_end=1),
        Block(
            "paragraph", "Page one ends here and the sentence runs onto page two.", page_start=1, page_end=2
        ),
        Block("paragraph", "Page two starts here.", page_start=2, page_end=2),
        Block("paragraph", "Page three is short.", page_start=3, page_end=3),
    ]
    passages = chunk_document("guide.pdf", blocks, ChunkingParams(max_words=100, overlap_sentences=1))
    assert [(p.text.split("\n")[0], p.page, p.page_end) for p in passages] == [
        ("Page one starts here.", 1, 2),
        ("Page three is short.", 3, None),
    ]
    assert "Page two starts here." in passages[0].text
    assert all(p.line_start is None and p.line_end is None and p.start is None for p in passages)
    units = passages[0].units
    assert [(u.page_start, u.page_end) for u in units] == [(1, 1), (1, 2), (2, 2)]


# -- structure -------------------------------------------------------------------------------------
TABLE_ROWS = "\n".join(
    f"| opt{i} | The option number {i} sets a value for the server. | {i}s |" for i in range(12)
)
STRUCTURED = f"""# Config

## Options

The options table lists every option with its default.

| Name | Description | Default |
|---|---|---|
{TABLE_ROWS}

## Install

To install it, run:

```bash
apt-get update
apt-get install --yes the-thing
```

- Debian 12 with the backports repository enabled for the newer kernel
- Ubuntu 24.04
"""


@pytest.fixture(scope="module")
def structured():
    blocks = markdown.parse(STRUCTURED.encode(), "config.md").blocks
    return blocks, chunk_document("config.md", blocks, ChunkingParams(max_words=60))


def test_passages_carry_their_heading_path(structured):
    _, passages = structured
    assert passages[0].headings == ("Config", "Options")
    assert passages[0].heading_path == "Config › Options"
    assert passages[-1].headings == ("Config", "Install")
    assert not any(p.text.startswith(("Config", "Options", "Install")) for p in passages)


def test_a_passage_stays_in_one_section(structured):
    _, passages = structured
    for passage in passages:
        assert not ("opt11" in passage.text and "apt-get" in passage.text)


def test_a_details_summary_heads_only_its_own_block():
    """A `<details>` summary leads its block, not the rest of the section: blind trial 54's Starlette page
    had filed GZipMiddleware's arguments under "Buffer on streaming responses", a closed note above them.
    (An admonition's title still leads up to the next heading: ended with the admonition, docs_dev lost a
    question at stops 35 and 38.)"""
    page = (
        "<html><body><main><h1>Middleware</h1><h2>GZipMiddleware</h2><p>Compresses responses.</p>\n"
        "<details class='info'>\n<summary>Buffer on streaming responses</summary>\n"
        "<p>Streaming responses are buffered first.</p>\n</details>\n"
        "<p>minimum_size: responses smaller than this are not compressed.</p>\n</main></body></html>"
    )
    built = html.parse(page.encode(), "middleware.html").blocks
    markdown_page = (
        "# Arguments\n\n## Debug\n\nVerbose logging.\n\n"
        "<details>\n<summary>Linux</summary>\n\nRun it with sudo.\n\n</details>\n\nArgument: --debug\n"
    )
    written = markdown.parse(markdown_page.encode(), "arguments.md").blocks
    paths = {
        p.text: p.headings
        for blocks in (built, written)
        for p in chunk_document("x", blocks, ChunkingParams(max_words=8))
    }
    assert paths["Streaming responses are buffered first."][-1] == "Buffer on streaming responses"
    assert paths["minimum_size: responses smaller than this are not compressed."] == (
        "Middleware",
        "GZipMiddleware",
    )
    assert paths["Run it with sudo."] == ("Arguments", "Debug", "Linux")
    assert paths["Argument: --debug"] == ("Arguments", "Debug")


def test_table_split_across_passages_repeats_its_header_first(structured):
    _, passages = structured
    with_rows = [p for p in passages if "opt" in p.text]
    assert len(with_rows) > 2
    for passage in with_rows[1:]:
        assert passage.text.split("\n")[0] == "Name | Description | Default"
    rows = [line for p in with_rows for line in p.text.split("\n") if line.startswith("opt")]
    assert rows == [f"opt{i} | The option number {i} sets a value for the server. | {i}s" for i in range(12)]


def test_blocks_are_never_split_between_passages(structured):
    blocks, passages = structured
    for item in blocks:
        if item.kind in ("table_row", "list_item", "code"):
            holders = [p for p in passages if item.text in p.text]
            assert holders, item.text
            assert len(holders) == 1, (item.text, [p.id for p in holders])


def test_small_limits_still_keep_rows_items_and_code_whole():
    blocks = markdown.parse(STRUCTURED.encode(), "config.md").blocks
    passages = chunk_document("config.md", blocks, ChunkingParams(max_words=20, overlap_sentences=0))
    for item in blocks:
        if item.kind in ("table_row", "list_item", "code"):
            assert sum(item.text in p.text for p in passages) == 1, item.text
    assert all(len(p.text.split()) <= 20 for p in passages)


def test_a_row_longer_than_a_passage_still_fits_with_its_repeated_header():
    blocks = [
        Block("table_header", "Name | Description", 1, 1, group=1),
        Block("table_row", "short | a short row", 2, 2, group=1),
        Block("table_row", "long | " + " ".join(f"word{i}" for i in range(200)), 3, 3, group=1),
    ]
    passages = chunk_document("t.md", blocks, ChunkingParams(max_words=60))
    assert all(len(p.text.split()) <= 60 for p in passages), [len(p.text.split()) for p in passages]


def test_a_table_header_with_no_room_for_a_row_opens_the_next_passage_with_its_rows():
    """asdf's configuration page and gunicorn's settings (trial 43): "Options | Description" ended one
    passage, its rows opened the next; a header with no row under it heads nothing."""
    prose = " ".join(f"word{i}" for i in range(50))
    blocks = [
        Block("paragraph", prose + ".", 1, 1),
        Block("table_header", "Option | Description", 3, 3, group=1),
        Block("table_row", "legacy_version_file | " + " ".join(f"w{i}" for i in range(20)), 4, 4, group=1),
    ]
    passages = chunk_document("t.md", blocks, ChunkingParams(max_words=60))
    assert [p.text.split("\n")[0] for p in passages] == [prose + ".", "Option | Description"]
    assert "Option | Description" not in passages[0].text


def test_a_code_block_longer_than_a_passage_is_cut_between_lines():
    code = "\n".join(f"  key{i}: value number {i} for the config" for i in range(40))
    passages = chunk_document(
        "c.md", [Block("code", code, 10, 49, language="yaml")], ChunkingParams(max_words=60)
    )
    assert len(passages) > 1
    assert "\n".join(p.text for p in passages) == code  # every line once, indentation kept
    for passage in passages:
        assert len(passage.text.split()) <= 60
        first = int(re.search(r"key(\d+)", passage.text).group(1))
        assert passage.line_start == 10 + first


def test_units_are_the_rows_items_code_and_sentences(structured):
    _, passages = structured
    units = [(u.kind, p.unit_text(u)) for p in passages for u in p.units]
    assert ("sentence", "The options table lists every option with its default.") in units
    assert ("table_row", "opt0 | The option number 0 sets a value for the server. | 0s") in units
    assert ("code", "apt-get update\napt-get install --yes the-thing") in units
    assert ("list_item", "Ubuntu 24.04") in units
    assert not any(
        kind == "table_row" and text.startswith("Name |") for kind, text in units
    )  # header: no unit
    code = next(u for p in passages for u in p.units if u.kind == "code")
    assert code.lead == "To install it, run:"
    row = next(u for p in passages for u in p.units if u.kind == "table_row")
    assert row.lead == "Name | Description | Default"


CONFIG_REFERENCE = """\
# Disable validation of the server certificate.
[ insecure_skip_verify: <boolean> ]

# Minimum acceptable TLS version. Accepted values: TLS10 (TLS 1.0), TLS11 (TLS
# 1.1), TLS12 (TLS 1.2), TLS13 (TLS 1.3).
# If unset, Prometheus will use Go default minimum version, which is TLS 1.2.
[ min_version: <string> ]
# Maximum acceptable TLS version.
[ max_version: <string> ]
--web.listen-address=":9090"
--web.read-timeout=5m"""


def test_a_key_of_a_long_code_block_is_one_unit_with_the_comments_describing_it():
    # Prometheus' configuration reference describes each key in the comment lines right above it; read
    # a unit each, "# If unset, ... TLS 1.2." and "[ min_version: <string> ]" had been apart.
    passage = chunk_document("c.md", [Block("code", CONFIG_REFERENCE, 1, 12)], ChunkingParams())[0]
    units = [passage.unit_text(u) for u in passage.units]
    assert units == [
        "# Disable validation of the server certificate.\n[ insecure_skip_verify: <boolean> ]",
        "# Minimum acceptable TLS version. Accepted values: TLS10 (TLS 1.0), TLS11 (TLS\n"
        "# 1.1), TLS12 (TLS 1.2), TLS13 (TLS 1.3).\n"
        "# If unset, Prometheus will use Go default minimum version, which is TLS 1.2.\n"
        "[ min_version: <string> ]",
        "# Maximum acceptable TLS version.\n[ max_version: <string> ]",
        '--web.listen-address=":9090"',  # an option line is no comment
        "--web.read-timeout=5m",
    ]


HELP_AND_TREE = """\
      --appendPort               append port to baseURL (default true)
  -b, --baseURL string           hostname (and path) to the root, e.g. https://spf13.com/
      --bind string              interface to which the server will bind (default "127.0.0.1")
  -p, --port int                 port on which the server will listen (default 1313)
      --pprof                    enable the pprof server (port 8080)
docker run -d \\
  --name watchtower \\
  containrrr/watchtower
my-project/
├── archetypes/
│   └── default.md
├── public/       <-- created when you build your project
└── hugo.toml"""


def test_each_option_of_a_help_listing_is_a_unit_and_a_tree_is_one():
    # Hugo's `hugo server --help` aligns long option names, so options without a short one are indented
    # deeper: read by indentation, "-p, --port ... (default 1313)" had been one unit with the options
    # under it ("--pprof ... (port 8080)"), and each branch of a directory tree a unit of its own.
    passage = chunk_document("c.md", [Block("code", HELP_AND_TREE, 1, 14)], ChunkingParams())[0]
    units = [passage.unit_text(u) for u in passage.units]
    assert "  -p, --port int                 port on which the server will listen (default 1313)" in units
    assert "      --pprof                    enable the pprof server (port 8080)" in units
    assert "docker run -d \\\n  --name watchtower \\\n  containrrr/watchtower" in units  # one command
    assert units[-1].startswith("my-project/\n├── archetypes/") and units[-1].endswith("└── hugo.toml")


# -- lines and offsets back into the file ----------------------------------------------------------
def check_units(passage) -> None:
    for unit in passage.units:
        text = passage.unit_text(unit)
        assert text.strip() and text in passage.text
        if unit.kind != "code":  # code keeps its indentation
            assert text == text.strip()
        if unit.line_start is not None:
            assert passage.line_start <= unit.line_start <= unit.line_end <= passage.line_end, (
                passage.id,
                unit,
            )


def test_units_lie_inside_their_passage(structured):
    _, passages = structured
    for passage in passages:
        check_units(passage)


def _docs_param(path):
    return path


@pytest.mark.parametrize("path", [_docs_param(p) for p in DOCS_FILES], ids=lambda p: p.name)
def test_docs_units_lie_inside_their_passage_and_offsets_point_at_the_file(path):
    loaded, passages = doc_passages(path)
    text = path.read_text("utf-8")
    assert passages
    for passage in passages:
        assert len(passage.text.split()) <= ChunkingParams().max_words, passage.id
        check_units(passage)
        assert 0 <= passage.start < passage.end <= len(text)
        assert 1 <= passage.line_start <= passage.line_end <= text.count("\n") + 1


def _without_inline_markup(text: str) -> str:
    """Markdown source as read: link targets, brackets, emphasis and backticks removed."""
    return fold(re.sub(r"[\[\]*`]", "", re.sub(r"\]\([^)]*\)", "]", text)))


def test_markdown_passage_offsets_hold_the_first_words_of_its_first_paragraph():
    checked = 0
    for path in sorted(DOCS.rglob("*.md")):
        loaded, passages = doc_passages(path)
        text = path.read_text("utf-8")
        paragraphs = {b.text: b for b in loaded.blocks if b.kind == "paragraph"}
        for passage in passages:
            first = paragraphs.get(passage.text.split("\n")[0])
            if first is None:
                continue
            words = " ".join(first.text.split()[:3])
            source = _without_inline_markup(text[passage.start : passage.end])
            assert _without_inline_markup(words) in source, (passage.id, words)
            checked += 1
    assert checked > 100


def test_markdown_offsets_skip_front_matter_and_heading_markers(tmp_path):
    source = tmp_path / "doc.md"
    source.write_text(
        "---\ntitle: T\n---\n# Heading here\n\nBody sentence one.\nBody sentence two.\n", "utf-8"
    )
    loaded = load_document(source, tmp_path)
    passage = chunk_document("doc.md", clean_blocks(loaded.blocks, loaded.document.title), ChunkingParams())[
        0
    ]
    text = source.read_text("utf-8")
    assert passage.headings == ("Heading here",)
    assert text[passage.start : passage.end] == "Body sentence one.\nBody sentence two."
    assert (passage.line_start, passage.line_end) == (6, 7)
    assert passage.text == "Body sentence one. Body sentence two."


# -- the seeds -------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("max_words", [40, 120])
def test_seed_passages_are_text_of_their_lines(path, max_words):
    raw = path.read_text("utf-8-sig").splitlines()
    passages = seed_passages(path, ChunkingParams(max_words=max_words))
    assert passages
    for passage in passages:
        assert 1 <= passage.line_start <= passage.line_end <= len(raw)
        window = fold(" ".join(raw[passage.line_start - 1 : passage.line_end]))
        for piece in passage.text.split("\n"):
            assert fold(piece) in window, (passage.id, piece[:60])
        check_units(passage)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_passages_stay_within_max_words(path):
    for passage in seed_passages(path, ChunkingParams(max_words=60)):
        assert len(passage.text.split()) <= 60, passage.id


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_character_offsets_point_at_the_passage_in_the_file(path):
    text = path.read_text("utf-8-sig")
    for passage in seed_passages(path):
        region = fold(text[passage.start : passage.end])
        pieces = passage.text.split("\n")
        first, last = fold(pieces[0]), fold(pieces[-1])
        assert first[:40] in region and last[-40:] in region, passage.id


def test_a_bare_default_is_matched_with_the_sentence_saying_what_it_is_the_default_of():
    # H2O's directive pages: a description, then "Default is ..." in the same or a later paragraph.
    blocks = [
        Block("heading", "limit-request-body", 1, 1, level=3),
        Block("paragraph", "Maximum size of request body in bytes (e.g. content of POST). Default is 1073741824 (1GB).", 2, 2),
        Block("heading", "proxy.timeout.keepalive", 3, 3, level=3),
        Block("paragraph", "Sets the upstream timeout for idle connections in milliseconds.", 4, 4),
        Block("paragraph", "Upstream connection becomes non-persistent if the value is set to zero.", 5, 5),
        Block("definition", "Default: proxy.timeout.keepalive: 2000", 6, 6),
    ]  # fmt: skip
    units = {p.unit_text(u): u for p in chunk_document("d.html", blocks, ChunkingParams()) for u in p.units}
    assert units["Default is 1073741824 (1GB)."].lead == (
        "Maximum size of request body in bytes (e.g. content of POST)."
    )
    # The description's opening sentence, not merely the paragraph before.
    assert units["Default: proxy.timeout.keepalive: 2000"].lead == (
        "Sets the upstream timeout for idle connections in milliseconds."
    )
    # A sentence that says what it is about keeps no lead.
    assert units["Upstream connection becomes non-persistent if the value is set to zero."].lead == ""
    assert units["Maximum size of request body in bytes (e.g. content of POST)."].lead == ""


def test_a_dateline_leads_with_the_title_it_dates_and_is_no_bare_value():
    """ "When was the partnership announced?" is answered by the dateline under the announcement's
    title: it is matched and shown with that title. A bare value after it still takes the prose's
    first sentence, never the date."""
    title = "Microsoft Invests In and Partners with OpenAI."
    blocks = numbered(f"{title} July 22, 2019", "It cost $1 billion.")
    units = [u for p in chunk_document("n.txt", blocks, ChunkingParams()) for u in p.units]
    assert [u.lead for u in units] == ["", title, title]
    # The title on its own line, the date (with its outlet) on the next.
    blocks = numbered("OpenAI forms exclusive computing partnership", "July 22, 2019|Microsoft News Center")
    units = [u for p in chunk_document("n.txt", blocks, ChunkingParams()) for u in p.units]
    assert [u.lead for u in units] == ["", "OpenAI forms exclusive computing partnership"]


def test_only_a_short_line_at_the_head_of_a_document_is_a_dateline():
    # A sentence that mentions a date says what it is about itself.
    blocks = numbered("The deal.", "July 22, 2019 is when Microsoft and OpenAI signed the multiyear deal.")
    assert [u.lead for p in chunk_document("n.txt", blocks, ChunkingParams()) for u in p.units] == ["", ""]
    # Far down a long document a date line is a changelog entry or a table cell, not the document's date.
    long = [sentence(n, 40) for n in range(1, 20)]
    blocks = numbered(*long, "Release notes", "2024-11-14", *long)
    passages = chunk_document("n.txt", blocks, ChunkingParams())
    assert len(passages) > 2
    dated = [u for p in passages[1:] for u in p.units if p.unit_text(u) == "2024-11-14"]
    assert dated and all(u.lead == "" for u in dated)


def heading(text: str, level: int, line: int) -> Block:
    return Block("heading", text, line, line, level=level)


def test_a_release_heading_opens_every_passage_of_its_release_and_leads_its_units():
    """ "When was Windows support added?" is answered by the change under "## [2.3.0] - 2023-12-05 /
    ### Added": the release line and the subsection's heading open each run of text under it (each
    subsection, each passage of a long one) and lead every unit after them, so the answer says which
    release, when, and what kind of change ("Removed" is not "Deprecated")."""
    items = [Block("list_item", f"Change number {n} of this release, described in words.", 10 + n, 10 + n)
             for n in range(40)]  # fmt: skip
    blocks = [
        heading("Changelog", 1, 1),
        heading("[2.3.0] - 2023-12-05", 2, 3),
        heading("Added", 3, 5),
        Block("list_item", "Windows support.", 7, 7),
        heading("Changed", 3, 9),
        *items,
        heading("Notes", 2, 60),
        Block("paragraph", "Nothing dated here.", 62, 62),
    ]
    passages = chunk_document("CHANGELOG.md", blocks, ChunkingParams(max_words=120))
    release = [p for p in passages if "[2.3.0] - 2023-12-05" in p.headings]
    assert len(release) >= 3  # "Added", and "Changed" cut in several passages
    for passage in release:
        lead = f"[2.3.0] - 2023-12-05\n{passage.headings[-1]}"
        assert passage.text.startswith(lead + "\n")
        release_line, label, *rest = passage.units
        assert [passage.unit_text(release_line), passage.unit_text(label)] == lead.split("\n")
        assert rest and all(u.lead == lead for u in rest)
    assert {p.headings[-1] for p in release} == {"Added", "Changed"}
    assert release[0].line_start == 3  # the heading's own line; a repeat later carries no line
    notes = [p for p in passages if p.headings[-1] == "Notes"]
    assert [u.lead for p in notes for u in p.units] == [""]


def test_a_released_line_under_a_version_heading_dates_its_section():
    """Flask's CHANGES.rst: "Version 2.0.0" over a "Released 2021-05-11" line. The heading is repeated
    over the line, and both lead the changes: "which release dropped Python 2?" is answered with them."""
    blocks = [
        heading("Version 2.0.0", 2, 1),
        Block("paragraph", "Released 2021-05-11", 4, 4),
        Block("list_item", "Drop support for Python 2 and 3.5.", 6, 6),
    ]
    (passage,) = chunk_document("CHANGES.rst", blocks, ChunkingParams())
    assert passage.text.startswith("Version 2.0.0\nReleased 2021-05-11\n")
    assert [u.lead for u in passage.units] == ["", "Version 2.0.0", "Version 2.0.0\nReleased 2021-05-11"]
    assert passage.line_start == 1
    # A release to come is led by its version and "Unreleased".
    blocks[1] = Block("paragraph", "Unreleased", 4, 4)
    (passage,) = chunk_document("CHANGES.rst", blocks, ChunkingParams())
    assert passage.units[-1].lead == "Version 2.0.0\nUnreleased"
    # A sentence with a date in it, a page's "last updated" line or a date alone dates no release.
    for line in ("This release, published on 2021-05-11, drops old Pythons.", "Last updated: 2021-05-11",
                 "May 11, 2021"):  # fmt: skip
        blocks[1] = Block("paragraph", line, 4, 4)
        (passage,) = chunk_document("CHANGES.rst", blocks, ChunkingParams())
        assert [u.lead for u in passage.units] == ["", ""], line


def test_a_passage_of_long_tokens_stays_within_what_the_model_reads():
    """Code full of hashes and cipher names is 2-5 word pieces a word: a passage is cut by its
    estimated pieces too, so text after such a block is not past the embedding's 256."""
    from retrieval.ingest.chunking import _size

    cipher = ":".join(["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"] * 6)
    code = "\n".join(f"cipher-suite-{i}: {cipher}" for i in range(3))
    blocks = [
        Block("paragraph", "Include a YAML file with the !file tag.", 1, 1),
        Block("code", code, 2, 4),
        Block("paragraph", "Refer to an environment variable by using the !env custom YAML tag.", 5, 5),
    ]
    passages = chunk_document("s.html", blocks, ChunkingParams())
    assert sum(len(p.text.split()) for p in passages) < 120  # few words, yet more than one passage
    assert len(passages) >= 2
    assert all(_size(p.text, "code") <= 120 for p in passages)
    assert all(p.text.count("cipher-suite") <= 1 for p in passages if "!env" in p.text)


def test_a_short_code_block_takes_its_lead_in_into_the_next_passage():
    """Jinja's PDF: "...set the second parameter to true:" ended one passage and its example opened the
    next, so the example was quoted without what it does. A code block that does not fit after its
    lead-in takes the lead-in along, as the first piece of a long block always did."""
    blocks = [
        Block("paragraph", sentence(1, 20), 1, 1),
        Block(
            "paragraph",
            "If you want to use default with variables that evaluate to false, set the second parameter to true:",
            3,
            3,
        ),
        Block("code", "{{ ''|default('the string was empty', true) }}", 5, 5),
    ]
    passages = chunk_document("filters.md", blocks, ChunkingParams(max_words=40))
    assert len(passages) == 2
    assert passages[1].text.startswith("If you want to use default")
    assert "{{ ''|default('the string was empty', true) }}" in passages[1].text
    assert "second parameter" not in passages[0].text


def test_a_transcripts_command_and_its_output_are_one_unit_but_a_help_texts_options_are_each_one():
    """restic's `$ restic init` and the lines it prints had been a unit each ("enter password for new
    repository:" quoted as an answer; blind trial 56); the options of a help text a command prints stay
    units of their own (h2o's `--max-workers=nnn ... (default: unlimited)`)."""
    console = (
        "Init\n====\n\n.. code-block:: console\n\n"
        "    $ restic -r /srv/restic-repo init\n    enter password for new repository:\n"
        "    enter password again:\n    created restic repository 085b3c76b9 at /srv/restic-repo\n"
        "    Please note that knowledge of your password is required to access\n"
        "    the repository. Losing your password means that your data is\n    irrecoverably lost.\n"
        "    $ restic -r /srv/restic-repo snapshots\n    enter password for repository:\n"
        "    ID        Date                 Host    Tags   Directory\n\n"
        "Help\n====\n\n::\n\n    $ fastcgi-cgi --help\n    Usage:\n        fastcgi-cgi [options]\n\n"
        "    Options:\n      --listen=sockfn    path to the UNIX socket\n"
        "      --max-workers=nnn  maximum number of CGI processes (default: unlimited)\n"
        "      --pass-authz       if set, preserves HTTP_AUTHORIZATION parameter\n"
        "      --verbose          verbose mode\n"
    )
    passages = chunk_document("init.rst", rst.parse(console.encode(), "init.rst").blocks, ChunkingParams())
    units = [p.text[u.start : u.end] for p in passages for u in p.units if u.kind == "code"]
    assert units[0].startswith("$ restic -r /srv/restic-repo init\nenter password for new repository:")
    assert units[0].endswith("irrecoverably lost.")
    assert units[1].startswith("$ restic -r /srv/restic-repo snapshots\nenter password for repository:")
    assert "--max-workers=nnn  maximum number of CGI processes (default: unlimited)" in [
        u.strip() for u in units
    ]
