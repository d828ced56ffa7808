"""Checks a composed answer before anyone sees it: every [n] marker has its citation, every quote is verbatim.

Runs after every composer. The extractive composer passes by construction; a generative one must pass
too. A failing answer becomes an abstention (with the same closest passages), and the reason is logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from retrieval.answering.compose import Composition

log = logging.getLogger(__name__)

_MARKER = re.compile(r"\[(\d+)\]")


def problems(composition: Composition) -> list[str]:
    """What is wrong with an answer (empty when nothing is): markers without citations, citations without
    markers, and quotes that are not verbatim in their passage."""
    if composition.abstained:
        return []
    found: list[str] = []
    numbers = {c.number for c in composition.cited}
    markers = _markers(composition)
    found += [f"marker [{n}] has no citation" for n in sorted(markers - numbers)]
    found += [f"citation [{n}] has no marker" for n in sorted(numbers - markers)]
    for cited in composition.cited:
        for piece in _pieces(cited.quote):
            if piece not in cited.hit.passage.text:
                found.append(f"quote of [{cited.number}] is not in {cited.hit.passage.id}: {piece[:60]!r}")
    return found


def _markers(composition: Composition) -> set[int]:
    """The [n] markers of an answer's text outside its quotes: a quote may hold brackets of its own
    (`del SECRET_KEYS[0]`, a Wikipedia text's "[3]"), which are the source's words, not markers; read
    as markers, "[0] has no citation" turned a right answer into an abstention."""
    text, cursor = composition.text, 0
    for cited in composition.cited:
        for piece in _pieces(cited.quote):
            if not _MARKER.search(piece):
                continue  # nothing in it reads as a marker ("]" alone must not take a marker's bracket)
            at = text.find(piece, cursor)
            if at >= 0:  # quotes stand in the text in citation order: each found after the one before
                text = text[:at] + "\n" + text[at + len(piece) :]
                cursor = at + 1
    return {int(m) for m in _MARKER.findall(text)}


def _pieces(quote: str) -> list[str]:
    """The verbatim pieces of a quote: its lines, cut where a long table cell was shortened with "…"."""
    return [piece.strip() for line in quote.split("\n") for piece in line.split("…") if piece.strip()]


def verified(composition: Composition, question: str = "") -> Composition:
    """The composition itself when it passes; else an abstention that keeps its closest passages."""
    found = problems(composition)
    if not found:
        return composition
    log.warning("answer to %r failed verification, abstaining: %s", question[:80], "; ".join(found))
    see_also = composition.see_also or tuple(c.hit for c in composition.cited)
    return replace(
        composition, text="", abstained=True, abstained_by="verification", cited=(), code=(), inline_code=(),
        see_also=see_also,
    )  # fmt: skip
