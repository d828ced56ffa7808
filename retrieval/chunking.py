"""Cuts cleaned lines into sentence-aligned passages sized for the embedding model.

all-MiniLM-L6-v2 truncates at 256 word pieces; English runs ~1.3 pieces a word, so passages
default to at most 120 words, with one sentence of overlap so an answer split across a boundary
still lands whole in one passage.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.models import Passage, SourceLine
from retrieval.sentences import split_sentences


@dataclass(frozen=True)
class ChunkingParams:
    max_words: int = 120
    overlap_sentences: int = 1


@dataclass(frozen=True)
class _Sentence:
    line_index: int
    start: int
    end: int
    words: int
    page: int | None = None


def chunk_document(source: str, lines: list[SourceLine], params: ChunkingParams) -> list[Passage]:
    """Passages in document order with ids `<source>#<n>` (n from 1)."""
    sentences = _sentences(lines, params.max_words)
    groups = _group(sentences, params)
    return [_passage(source, ordinal, group, lines) for ordinal, group in enumerate(groups, start=1)]


def _sentences(lines: list[SourceLine], max_words: int) -> list[_Sentence]:
    found: list[_Sentence] = []
    for index, line in enumerate(lines):
        for start, end in split_sentences(line.text):
            found.extend(_split_long(index, line.text, start, end, max_words, line.page))
    return found


def _split_long(
    index: int, text: str, start: int, end: int, max_words: int, page: int | None
) -> list[_Sentence]:
    """A sentence longer than a passage is cut at word boundaries (scraped text can lack full stops)."""
    words = text[start:end].split()
    if len(words) <= max_words:
        return [_Sentence(index, start, end, len(words), page)]
    pieces: list[_Sentence] = []
    cursor = start
    for offset in range(0, len(words), max_words):
        chunk_words = words[offset : offset + max_words]
        piece_start = text.index(chunk_words[0], cursor)
        piece_end = text.index(chunk_words[-1], piece_start) + len(chunk_words[-1])
        pieces.append(_Sentence(index, piece_start, piece_end, len(chunk_words), page))
        cursor = piece_end
    return pieces


def _group(sentences: list[_Sentence], params: ChunkingParams) -> list[list[_Sentence]]:
    groups: list[list[_Sentence]] = []
    current: list[_Sentence] = []
    words = 0
    for sentence in sentences:
        if current and sentence.page != current[-1].page:
            groups.append(current)  # a passage never spans pages, so its citation names one page
            current, words = [], 0
        elif current and words + sentence.words > params.max_words:
            groups.append(current)
            overlap = current[-params.overlap_sentences :] if params.overlap_sentences else []
            # Overlap only when it leaves room for new text.
            overlap = overlap if sum(s.words for s in overlap) + sentence.words <= params.max_words else []
            current, words = list(overlap), sum(s.words for s in overlap)
        current.append(sentence)
        words += sentence.words
    if current:
        groups.append(current)
    return groups


def _passage(source: str, ordinal: int, group: list[_Sentence], lines: list[SourceLine]) -> Passage:
    """Join the group's text line by line: within a line the exact span, across lines a newline."""
    pieces: list[str] = []
    by_line: dict[int, tuple[int, int]] = {}
    for sentence in group:
        start, end = by_line.get(sentence.line_index, (sentence.start, sentence.end))
        by_line[sentence.line_index] = (min(start, sentence.start), max(end, sentence.end))
    for line_index, (start, end) in by_line.items():
        pieces.append(lines[line_index].text[start:end])
    numbers = [lines[i].number for i in by_line if lines[i].number is not None]
    pages = [lines[i].page for i in by_line if lines[i].page is not None]
    first, last = min(by_line), max(by_line)
    verbatim = lines[first].offset is not None and lines[last].offset is not None
    return Passage(
        id=f"{source}#{ordinal}",
        source=source,
        ordinal=ordinal,
        text="\n".join(pieces),
        line_start=min(numbers) if numbers else None,
        line_end=max(numbers) if numbers else None,
        page=min(pages) if pages else None,
        start=lines[first].offset + by_line[first][0] if verbatim else None,
        end=lines[last].offset + by_line[last][1] if verbatim else None,
    )
