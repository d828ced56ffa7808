"""Sentence boundaries with character offsets.

A regex splitter rather than pysbd or nltk: pysbd is unmaintained since 2021 and ~100x slower on a
large corpus, and nltk's punkt needs a data download at run time, which we may not do.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.models import Passage, Unit

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "corp", "inc", "ltd", "co", "vs", "etc", "no",
    "fig", "al", "e.g", "i.e", "u.s", "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "wash", "calif", "gen", "gov", "rep", "sen", "approx", "dept", "est", "vol", "p", "pp",
}  # fmt: skip
# Abbreviations of other languages, compared as written (case counts), so that an English sentence ending
# in "CA." or "FR." still ends there: German, Spanish, Portuguese, French, Italian, Dutch. Their single
# letters ("z. B.", "d. h.", "S. A.") are abbreviations already. Words that usually end a list ("usw.",
# "ecc.", "enz.") are left out: there the sentence usually ends too.
_OTHER_ABBREVIATIONS = {
    "bzw", "ca", "vgl", "Nr", "Str", "ggf", "inkl", "evtl", "Hr", "Abs", "Jh", "Mio", "Mrd", "sog", "z.B",
    "d.h", "u.a", "o.ä", "u.U", "s.o", "s.u", "Sra", "Srta", "Dra", "Ud", "Uds", "Vd", "Vds", "pág", "págs",
    "núm", "Av", "Avda", "Dña", "Sto", "Sta", "EE.UU", "Mme", "Mlle", "MM", "env", "cf", "p.ex", "Sig",
    "Sigg", "dott", "pag", "bijv", "blz", "o.a", "d.w.z", "m.b.t",
}  # fmt: skip
# An ordinal written as a number and a dot ("am 1. Mai", "im 19. Jahrhundert": German, Danish, Norwegian)
# is not a sentence end when a month or a word that follows ordinals comes next.
_ORDINAL_END = re.compile(r"(?<![\w.,])\d{1,2}\.\s*$")
_ORDINAL_NEXT = re.compile(
    r"(?:Januar|Jänner|Februar|Feber|März|Maerz|Marts|April|Mai|Maj|Juni|Juli|August|September|Oktober"
    r"|November|Dezember|December|Desember|Jahrhunderts?|Jahrtausends?|Jh\.|Mal|Auflage|Stock|Etage"
    r"|Platz|Klasse|Liga|Weltkriegs?|Kapitel|Lebensjahr(?:es|s)?)\b"
)
# End punctuation, optional closing quotes/brackets, then whitespace before a likely sentence start;
# or end punctuation glued to a capitalised word ("humanity.The"), common in scraped text.
_BOUNDARY = re.compile(
    r"[.!?…]+[\"'”’)\]]*(?:\s+(?=[\"'“‘(\[]?[A-Z0-9])|(?=[“‘]?[A-Z][a-z])|(?<=[”’])(?=[“‘]))"
)
# Scraped pages glue blocks together ("...technologiesJuly 22, 2019"); a long lower-case run followed by
# a capitalised word is a boundary. Short runs are left alone so "PowerPoint" or "JavaScript" survive,
# and so are the joins a document repeats (`Glue.names`: "ContraSpan" was quoted as "Span model ...").
# A capitalised word or an upper-case one: a press release's dateline starts "...intelligenceSAN FRANCISCO".
_GLUED = re.compile(r"(?<=[a-z]{5})(?=[A-Z][a-z]{3,}\b|[A-Z]{3,}\b)")
_LAST_WORD = re.compile(r"([\w.]+)[.!?…]*[\"'”’)\]]*\s*$")


def split_sentences(
    text: str, glued: bool | Glue | None = False, code_spans: Iterable[str] = ()
) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences in text, whitespace trimmed.

    `glued` (True or a `Glue`): also cut where a scraper glued two blocks together ("technologiesJuly
    22"), except inside the Glue's names; only for scraped plain text, since in documentation the same
    shape is a camelCase name ("entryPoint"). `code_spans`: the text's inline code as it reads there
    (`Block.code_spans`); no sentence ends inside one ("instances of httpx.Limits which define:" is one
    sentence, though "humanity.The" in prose is two).
    """
    spans: list[tuple[int, int]] = []
    start = 0
    cuts = {m.end() for m in _BOUNDARY.finditer(text)}
    glue = Glue() if glued is True else glued or None
    if glue is not None:
        cuts |= {m.start() for m in _GLUED.finditer(text) if _word_at(text, m.start()) not in glue.names}
    if cuts and code_spans:
        cuts -= _inside_code(text, code_spans)
    cuts = sorted(cuts)
    for end in cuts:
        if ends_with_abbreviation(text[start:end]) or _ordinal_at(text, start, end):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return [trimmed for span in spans if (trimmed := _trim(text, span)) is not None]


def _inside_code(text: str, code_spans: Iterable[str]) -> set[int]:
    """The offsets strictly inside an occurrence in `text` of one of `code_spans` (a cut there would
    split a code name: "httpx.Limits", "os.Path.Exists")."""
    inside: set[int] = set()
    for code in set(code_spans):
        if len(code) < 3 or not any(mark in code for mark in ".!?…"):
            continue  # nothing in it a boundary could be found at
        at = text.find(code)
        while at >= 0:
            inside.update(range(at + 1, at + len(code)))
            at = text.find(code, at + 1)
    return inside


def _word_at(text: str, at: int) -> str:
    """The run of letters and digits around `at` ("ContraSpan" in "a ContraSpan-based model")."""
    start, end = at, at
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start:end]


@dataclass(frozen=True)
class Glue:
    """Scraped text may have blocks glued together ("technologiesJuly 22"): cut there, but not inside
    `names`, the camel-case words the document itself repeats ("ContraSpan", "TensorFlow"), which are
    names (see `repeated_names`)."""

    names: frozenset[str] = frozenset()


def repeated_names(texts: Iterable[str]) -> frozenset[str]:
    """The "wordWord" joins that occur at least twice in `texts` (a document's blocks): a scraper glues two
    blocks once, where they meet; a name is written the same way wherever it is used. A name used once
    is still cut (the two cannot be told apart from one occurrence)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_word_at(text, m.start()) for m in _GLUED.finditer(text))
    return frozenset(word for word, count in counts.items() if count >= 2)


def ends_with_abbreviation(sentence: str) -> bool:
    """Does `sentence` end in an abbreviation's dot ("Martin Luther King, Jr.", "Acme Inc.", "z. B.")?"""
    match = _LAST_WORD.search(sentence)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    return (
        word in _ABBREVIATIONS
        or (len(word) == 1 and word.isalpha())
        or match.group(1).rstrip(".") in _OTHER_ABBREVIATIONS
    )


def _ordinal_at(text: str, start: int, end: int) -> bool:
    """Whether the cut at `end` follows an ordinal number ("1.") that a month or the like continues."""
    return bool(_ORDINAL_END.search(text, start, end)) and bool(_ORDINAL_NEXT.match(text, end))


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


_LONG_CELL_WORDS = 25  # a table cell longer than this is shown up to its first sentence


def unit_match_text(passage: Passage, unit: Unit) -> str:
    """What a unit is embedded and matched as: a table row with its column names, code with its lead-in.

    "Field: idleTimeout; Default: 180s" says what each cell is, which the bare row does not.
    """
    text = passage.unit_text(unit)
    if unit.kind == "table_row" and unit.lead:
        header, cells = unit.lead.split(" | "), text.split(" | ")
        if len(header) == len(cells):
            return "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True))
        return f"{unit.lead}\n{text}"
    if unit.lead:
        return f"{unit.lead}\n{text}"
    return text


def unit_display_text(passage: Passage, unit: Unit) -> str:
    """What an answer quotes for a unit: verbatim text of the passage, a table row under its header.

    Long table cells (descriptions) are cut after their first sentence with " …", so the value cells
    (Default, Required) stay in view; every piece between the ellipses is verbatim.
    """
    text = passage.unit_text(unit)
    if unit.kind != "table_row":
        return text
    cells = [_short_cell(cell) for cell in text.split(" | ")]
    row = " | ".join(cells)
    return f"{unit.lead}\n{row}" if unit.lead else row


def _short_cell(cell: str) -> str:
    """A long cell up to its first sentence, and any later sentence stating a default ("If neither
    flag is set, the retention time defaults to 15d."), which is what people ask a reference table."""
    if len(cell.split()) <= _LONG_CELL_WORDS:
        return cell
    spans = split_sentences(cell)
    first = cell[spans[0][0] : spans[0][1]] if spans else cell
    if len(first.split()) > _LONG_CELL_WORDS:
        first = " ".join(first.split()[:_LONG_CELL_WORDS])
    defaults = [cell[s:e] for s, e in spans[1:] if _DEFAULT_SENTENCE.search(cell[s:e])]
    return " … ".join([first, *defaults[:1]]) + " …"


_DEFAULT_SENTENCE = re.compile(r"\bdefaults?\b", re.IGNORECASE)


def passage_units(passage: Passage) -> list[str]:
    """Match texts of a passage's units, in order: what sentence vectors are computed for."""
    return [unit_match_text(passage, unit) for unit in passage.units]
