"""Sentence boundaries with character offsets.

A regex splitter rather than pysbd or nltk: pysbd is unmaintained since 2021 and ~100x slower on a
large corpus, and nltk's punkt needs a data download at run time, which we may not do.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "corp", "inc", "ltd", "co", "vs", "etc", "no",
    "fig", "al", "e.g", "i.e", "u.s", "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "wash", "calif", "gen", "gov", "rep", "sen", "approx", "dept", "est", "vol", "p", "pp",
}  # fmt: skip
# End punctuation, optional closing quotes/brackets, then whitespace before a likely sentence start;
# or end punctuation glued to a capitalised word ("humanity.The"), common in scraped text.
_BOUNDARY = re.compile(
    r"[.!?…]+[\"'”’)\]]*(?:\s+(?=[\"'“‘(\[]?[A-Z0-9])|(?=[“‘]?[A-Z][a-z])|(?<=[”’])(?=[“‘]))"
)
# Scraped pages glue blocks together ("...technologiesJuly 22, 2019"); a long lower-case run followed by
# a capitalised word is a boundary. Short runs are left alone so "PowerPoint" or "JavaScript" survive.
_GLUED = re.compile(r"(?<=[a-z]{5})(?=[A-Z][a-z]{3,}\b)")
_LAST_WORD = re.compile(r"([\w.]+)[.!?…]*[\"'”’)\]]*\s*$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences in text, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    cuts = sorted({m.end() for m in _BOUNDARY.finditer(text)} | {m.start() for m in _GLUED.finditer(text)})
    for end in cuts:
        if _ends_with_abbreviation(text[start:end]):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return [trimmed for span in spans if (trimmed := _trim(text, span)) is not None]


def _ends_with_abbreviation(sentence: str) -> bool:
    match = _LAST_WORD.search(sentence)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def passage_sentences(text: str) -> list[str]:
    """The sentences of a passage, line by line, list markers stripped: the units answers quote."""
    found: list[str] = []
    for line in text.split("\n"):
        for start, end in split_sentences(line):
            sentence = line[start:end].strip(" -–•*")
            if sentence:
                found.append(sentence)
    return found
