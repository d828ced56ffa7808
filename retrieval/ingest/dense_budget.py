"""How much of a huge document is embedded: passages share vectors so that its embedding cost is bounded.

Embedding costs about the same per token whatever the text, and a 20 MB file holds ~5 million tokens:
over an hour on two CPU cores. A document of at most HUGE_PASSAGES passages (every document of the
test corpora; ~1 MB of prose) is embedded as before, one vector per passage and one per quotable
unit. A larger one is "huge":
- its passages are embedded in runs of `share` consecutive passages (share = ceil(passages /
  HUGE_VECTORS)), every passage of a run getting the run's vector; the run is embedded as its
  title and heading path followed by the first words of each of its passages (an equal share of
  DIGEST_CHARS, ~150-250 tokens), so the vector stands for the whole run. Dense search then finds
  the region, and the keyword index, which holds every word of every passage, ranks the passages
  inside it;
- its units get no sentence vectors at index time: answers embed the few they consider when asked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from retrieval.models import Document, Passage
from retrieval.parts import indexed_text

HUGE_PASSAGES = 2000  # more passages than this: a huge document
HUGE_VECTORS = 800  # a huge document's passages share at most this many vectors (~2.5 min on 2 busy cores)
DIGEST_CHARS = 700  # text embedded per run; the model reads ~190 English words (~1,000 characters)


@dataclass(frozen=True)
class DensePlan:
    """What to embed for one document: `texts`, and for each passage (in order) its row in `texts`."""

    texts: list[str]
    rows: list[int]


def is_huge(passages: list[Passage]) -> bool:
    """More passages than HUGE_PASSAGES: embedded in runs, without sentence vectors."""
    return len(passages) > HUGE_PASSAGES


def dense_plan(document: Document, passages: list[Passage]) -> DensePlan:
    """One text per passage for a normal document (`indexed_text`, as always); at most HUGE_VECTORS
    texts for a huge one, each standing for a run of consecutive passages (see the module docstring)."""
    if not is_huge(passages):
        return DensePlan([indexed_text(document, p) for p in passages], list(range(len(passages))))
    share = math.ceil(len(passages) / HUGE_VECTORS)
    texts: list[str] = []
    rows: list[int] = []
    for start in range(0, len(passages), share):
        run = passages[start : start + share]
        texts.append(_digest(document, run))
        rows.extend([len(texts) - 1] * len(run))
    return DensePlan(texts, rows)


def _digest(document: Document, run: list[Passage]) -> str:
    """The title, the first passage's heading path and the first words of each passage of the run."""
    room = max(1, DIGEST_CHARS // len(run))
    heads = [_first_words(passage.text, room) for passage in run]
    context = [document.title, run[0].heading_path] if run[0].headings else [document.title]
    return "\n".join([*context, *heads])


def _first_words(text: str, chars: int) -> str:
    """The words of `text` that fit in `chars` characters, spaces folded; a first word longer than that is cut."""
    head = " ".join(text[: chars + 1].split())
    if len(head) > chars and " " in head:
        head = head[: head.rfind(" ", 0, chars + 1)]
    return head[:chars] if " " not in head else head
