"""How chosen units are rendered into an answer and its citations (compose._render): table rows under one
header, and line ranges that name exactly the lines holding the quoted units. Files are real: written
here as a user would write them, read by the readers and cut by the chunker as an index build does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval.answering.compose import Candidate, _render
from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.cleaning import clean_blocks
from retrieval.ingest.loader import load_document
from retrieval.models import Hit, Passage
from retrieval.text.sentences import unit_display_text
from tests.harness.first_corpus import OFFICES, SERVICES


def _passages(path: Path) -> list[Passage]:
    loaded = load_document(path, path.parent)
    return chunk_document(loaded.document.source, list(loaded.blocks), ChunkingParams())


def _rows(passage: Passage, *cells: str) -> list[Candidate]:
    """Candidates for the table rows of `passage` starting with `cells`, in document order (as _choose
    returns two units of one passage)."""
    hit = Hit(passage, 1.0)
    return [
        Candidate(unit_display_text(passage, unit), hit, 0, unit=unit)
        for unit in passage.units
        if unit.kind == "table_row" and passage.unit_text(unit).startswith(cells)
    ]


def test_two_rows_of_a_markdown_table_stand_on_their_own_lines_under_one_header(tmp_path):
    page = tmp_path / "services.md"
    page.write_text(SERVICES, encoding="utf-8")
    (passage,) = _passages(page)
    chosen = _rows(passage, "metrics", "admin console")
    assert len(chosen) == 2
    answer, cited, _ = _render(chosen, 420)
    assert answer == "Service | Port | Protocol\nmetrics | 9102 | HTTP\nadmin console | 7000 | HTTPS [1]"
    assert "HTTP Service" not in answer
    assert cited[0].quote.count("Service | Port | Protocol") == 1
    assert (cited[0].line_start, cited[0].line_end) == (7, 8)


def test_two_rows_of_a_csv_share_one_header(tmp_path):
    sheet = tmp_path / "offices.csv"
    sheet.write_text(OFFICES, encoding="utf-8")
    (passage,) = _passages(sheet)
    chosen = _rows(passage, "Toronto", "Lisbon")
    answer, _, _ = _render(chosen, 420)
    assert answer.split("\n") == [
        "City | Manager | Headcount | Opened",
        "Toronto | Liam Chen | 31 | 2018",
        "Lisbon | Sofia Costa | 18 | 2021 [1]",
    ]


def test_rows_of_two_tables_keep_their_own_headers(tmp_path):
    (tmp_path / "services.md").write_text(SERVICES, encoding="utf-8")
    (tmp_path / "offices.csv").write_text(OFFICES, encoding="utf-8")
    (services,) = _passages(tmp_path / "services.md")
    (offices,) = _passages(tmp_path / "offices.csv")
    chosen = [*_rows(services, "metrics"), *_rows(offices, "Berlin")]
    answer, _, _ = _render(chosen, 420)
    assert answer.split("\n") == [
        "Service | Port | Protocol",
        "metrics | 9102 | HTTP [1]",
        "City | Manager | Headcount | Opened",
        "Berlin | Anna Schmidt | 42 | 2015 [2]",
    ]


# -- the lines a citation names ------------------------------------------------------------------------
DATA = Path(__file__).resolve().parents[1] / "data"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TRAEFIK = DATA / "docs_dev" / "corpus" / "traefik" / "docs" / "content" / "reference"


def _cited_lines(path: Path, opening: str) -> tuple[int | None, int | None]:
    """The line range of the citation of the one unit of `path` whose text starts with `opening`,
    quoted alone."""
    loaded = load_document(path, path.parent)
    blocks = clean_blocks(list(loaded.blocks), loaded.document.title, scraped=path.suffix == ".txt")
    passages = chunk_document(loaded.document.source, blocks, ChunkingParams(), scraped=path.suffix == ".txt")
    found = [
        (passage, unit)
        for passage in passages
        for unit in passage.units
        if passage.unit_text(unit).startswith(opening)
    ]
    passage, unit = found[0]
    _, cited, _ = _render([Candidate(passage.unit_text(unit), Hit(passage, 1.0), 0, unit=unit)], 420)
    return cited[0].line_start, cited[0].line_end


@pytest.mark.parametrize(
    ("path", "opening", "lines"),
    [
        # seeds/001: "how much did Microsoft invest?" cites the paragraph on line 8
        (next(SEEDS.glob("001_*.txt")), "Recently, Microsoft revealed", (8, 8)),
        # an e-mail's quoted question, on line 17 alone (was 17-18)
        (DATA / "cases/format-text/corpus/offsite-budget.eml", "Can you confirm the travel cap", (17, 17)),
        (DATA / "cases/format-text/corpus/offsite-budget.eml", "Finance approved it", (11, 12)),
        # reStructuredText: docutils reports a paragraph's first line only (was 52-52 for lines 55-56)
        (DATA / "cases/rst-sphinx/corpus/glossary.rst", "Directive and role names in a domain", (55, 56)),
        (DATA / "cases/rst-sphinx/corpus/glossary.rst", "It also means that extensions", (59, 61)),
        # Markdown: a sentence ending a line before a hard break (was 74-75)
        (TRAEFIK / "routing-configuration/http/middlewares/buffering.md", "The retry expression", (74, 74)),
        (DATA / "whole_units/corpus/runbook.md", "Run this after changing the CRD types", (8, 8)),
        (DATA / "whole_units/corpus/runbook.md", "It builds the codegen", (8, 10)),
    ],
)
def test_a_citation_names_exactly_the_lines_holding_its_quote(path, opening, lines):
    first, last = _cited_lines(path, opening)
    assert (first, last) == lines
    source = path.read_text(encoding="utf-8").split("\n")
    words = re.findall(r"[^\W_]+", opening)
    assert words[0] in source[first - 1]  # the test's own check of the file: the quote starts there


def test_rows_of_one_long_table_in_two_passages_share_one_header(tmp_path):
    rows = "\n".join(
        f"| option{n} | Sets the value number {n} of the server's settings. | {n}s |" for n in range(90)
    )
    page = tmp_path / "reference.md"
    page.write_text(
        f"# Reference\n\n| Field | Description | Default |\n|---|---|---|\n{rows}\n", encoding="utf-8"
    )
    passages = _passages(page)
    assert len(passages) > 1  # the table is longer than a passage: each part repeats the header
    chosen = [*_rows(passages[0], "option1 |"), *_rows(passages[1], passages[1].text.split("\n")[1][:9])]
    answer, cited, _ = _render(chosen, 420)
    assert answer.count("Field | Description | Default") == 1, answer
    assert answer.split("\n")[0] == "Field | Description | Default"
    assert answer.split("\n")[1].endswith("| 1s [1]") and answer.split("\n")[2].endswith("[2]")


CHANGELOG = """# Changelog

## [2.3.0] - 2024-10-02

### Removed

- The --legacy flag and the v1 snapshot format reader.

## [2.2.0] - 2024-06-17

### Removed

- The --old-sync flag.
"""


def _release_units(passage: Passage) -> list[Candidate]:
    hit = Hit(passage, 1.0)
    return [Candidate(unit_display_text(passage, unit), hit, 0, unit=unit) for unit in passage.units]


def test_a_release_line_is_said_once_and_each_release_keeps_its_own_labels(tmp_path):
    """The release line chosen with the change under it is said once, as the change's lead; two
    releases' "Removed" changes each keep their release and label."""
    page = tmp_path / "CHANGELOG.md"
    page.write_text(CHANGELOG, encoding="utf-8")
    newer, older = _passages(page)
    release_line, _label, change = _release_units(newer)
    answer, cited, _ = _render([release_line, change], 420)
    assert answer == "[2.3.0] - 2024-10-02\nRemoved\nThe --legacy flag and the v1 snapshot format reader. [1]"
    assert answer.count("2024-10-02") == 1
    answer, cited, _ = _render([_release_units(newer)[2], _release_units(older)[2]], 420)
    assert answer == (
        "[2.3.0] - 2024-10-02\nRemoved\nThe --legacy flag and the v1 snapshot format reader. [1] "
        "[2.2.0] - 2024-06-17\nRemoved\nThe --old-sync flag. [2]"
    )
    for citation in cited:  # every line shown is the passage's own text
        assert all(line in citation.hit.passage.text for line in citation.quote.split("\n"))
