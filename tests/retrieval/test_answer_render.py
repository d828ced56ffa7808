"""How chosen units are rendered into an answer and its citations (compose._render): table rows under one
header, and line ranges that name exactly the lines holding the quoted units. Files are real: written
here as a user would write them, read by the readers and cut by the chunker as an index build does."""

from __future__ import annotations

from pathlib import Path

from retrieval.answering.compose import Candidate, _render
from retrieval.config import ChunkingParams
from retrieval.ingest.chunking import chunk_document
from retrieval.ingest.loader import load_document
from retrieval.models import Hit, Passage
from retrieval.text.sentences import unit_display_text

SERVICES = """# Services

The services listen on these ports.

| Service | Port | Protocol |
|---|---|---|
| metrics | 9102 | HTTP |
| admin console | 7000 | HTTPS |
"""

OFFICES = """City,Manager,Headcount,Opened
Berlin,Anna Schmidt,42,2015
Toronto,Liam Chen,31,2018
Lisbon,Sofia Costa,18,2021
"""


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
