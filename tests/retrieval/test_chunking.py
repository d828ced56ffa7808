"""Passages: sentence-aligned, at most max_words, one sentence of overlap, exact text with its lines."""

from __future__ import annotations

import pytest

from retrieval.chunking import ChunkingParams, chunk_document
from retrieval.cleaning import clean_lines
from retrieval.loader import load_document
from retrieval.models import SourceLine
from retrieval.sentences import split_sentences
from tests.conftest import SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def numbered(*texts: str) -> list[SourceLine]:
    return [SourceLine(text, number) for number, text in enumerate(texts, start=1)]


def sentence(n: int, words: int = 10) -> str:
    return " ".join([f"Start{n}"] + [f"w{n}x{i}" for i in range(words - 2)] + [f"end{n}."])


def seed_passages(path, params=ChunkingParams()):
    loaded = load_document(path, SEEDS)
    return chunk_document(loaded.document.source, clean_lines(loaded.lines), params)


def test_ids_count_from_one_in_document_order():
    passages = chunk_document(
        "doc.txt", numbered(*(sentence(n) for n in range(8))), ChunkingParams(max_words=30)
    )
    assert [p.id for p in passages] == [f"doc.txt#{n}" for n in range(1, len(passages) + 1)]
    assert [p.ordinal for p in passages] == list(range(1, len(passages) + 1))
    assert all(p.source == "doc.txt" for p in passages)


def test_passages_respect_max_words_and_overlap_one_sentence():
    line = " ".join(sentence(n) for n in range(10))  # ten 10-word sentences on one line
    passages = chunk_document("doc.txt", numbered(line), ChunkingParams(max_words=35, overlap_sentences=1))
    assert len(passages) > 2
    for passage in passages:
        assert len(passage.text.split()) <= 35
    for before, after in zip(passages, passages[1:], strict=False):
        last = [before.text[s:e] for s, e in split_sentences(before.text)][-1]
        first = [after.text[s:e] for s, e in split_sentences(after.text)][0]
        assert first == last
    # Every sentence lands in some passage.
    for n in range(10):
        assert any(f"end{n}." in p.text for p in passages)


def test_no_overlap_when_asked_for_none():
    line = " ".join(sentence(n) for n in range(6))
    passages = chunk_document("doc.txt", numbered(line), ChunkingParams(max_words=20, overlap_sentences=0))
    assert [p.text.count("end") for p in passages] == [2, 2, 2]
    assert "".join(p.text for p in passages).count("end0.") == 1


def test_single_overlong_sentence_is_cut_at_words():
    words = [f"word{i}" for i in range(250)]
    passages = chunk_document("long.txt", numbered(" ".join(words)), ChunkingParams(max_words=100))
    assert [len(p.text.split()) for p in passages] == [100, 100, 50]
    assert " ".join(p.text for p in passages).split() == words  # nothing lost, nothing repeated


def test_line_ranges_follow_the_lines_used():
    lines = [SourceLine(sentence(n), number) for n, number in enumerate((3, 4, 9, 10, 12))]
    passages = chunk_document("doc.txt", lines, ChunkingParams(max_words=25, overlap_sentences=0))
    assert [(p.line_start, p.line_end) for p in passages] == [(3, 4), (9, 10), (12, 12)]
    assert passages[0].text == f"{sentence(0)}\n{sentence(1)}"


def test_pdf_passages_never_span_pages():
    lines = [
        SourceLine("Page one starts here.", None, 1),
        SourceLine("Page one ends here.", None, 1),
        SourceLine("Page two starts here.", None, 2),
    ]
    passages = chunk_document("guide.pdf", lines, ChunkingParams(max_words=100, overlap_sentences=1))
    assert [(p.text, p.page) for p in passages] == [
        ("Page one starts here.\nPage one ends here.", 1),
        ("Page two starts here.", 2),  # no overlap carried across the page break
    ]
    assert all(p.line_start is None and p.line_end is None for p in passages)


def test_no_lines_no_passages():
    assert chunk_document("empty.txt", [], ChunkingParams()) == []


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
@pytest.mark.parametrize("max_words", [40, 120])
def test_seed_passages_are_exact_text_of_their_lines(path, max_words):
    raw = path.read_text("utf-8").splitlines()
    passages = seed_passages(path, ChunkingParams(max_words=max_words))
    assert passages
    for passage in passages:
        assert 1 <= passage.line_start <= passage.line_end <= len(raw)
        window = raw[passage.line_start - 1 : passage.line_end]
        pieces = passage.text.split("\n")
        for piece in pieces:
            assert any(piece in line for line in window), (passage.id, piece[:60])
        assert pieces[0] in raw[passage.line_start - 1]
        assert pieces[-1] in raw[passage.line_end - 1]


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_passages_stay_within_max_words(path):
    for passage in seed_passages(path, ChunkingParams(max_words=60)):
        assert len(passage.text.split()) <= 60, passage.id


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_character_offsets_point_at_the_passage_in_the_file(path):
    text = path.read_text("utf-8-sig")
    for passage in seed_passages(path):
        region = text[passage.start : passage.end]
        pieces = passage.text.split("\n")
        assert region.startswith(pieces[0]) and region.endswith(pieces[-1])
        if len(pieces) == 1:
            assert region == passage.text


def test_markdown_offsets_skip_front_matter_and_heading_markers(tmp_path):
    source = tmp_path / "doc.md"
    source.write_text("---\ntitle: T\n---\n# Heading here\n\nBody sentence one. Body sentence two.\n", "utf-8")
    loaded = load_document(source, tmp_path)
    passage = chunk_document("doc.md", clean_lines(loaded.lines), ChunkingParams())[0]
    text = source.read_text("utf-8")
    assert text[passage.start : passage.start + len("Heading here")] == "Heading here"
    assert text[: passage.end].endswith("Body sentence two.")
