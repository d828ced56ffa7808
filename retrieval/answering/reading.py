"""How a question is read against a library: its conversation context and its weighted terms.

The engine reads a question once (`read`) and hands that `Reading` to search, to the composer (which
scores what it quotes by the reading's terms) and to the see-also filter after an abstention. Reading
uses the library's vocabulary (document frequencies persisted at build), made once per library.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from weakref import WeakKeyDictionary

from retrieval.answering.followup import FollowUp, contextualise
from retrieval.answering.pasted import Message, read_message
from retrieval.answering.products import products_of
from retrieval.answering.question import QuestionTerms, Vocabulary, analyse
from retrieval.parts import Library, Query

CARRIED_WEIGHT = 0.3  # a word carried from an earlier turn counts this much of one the user typed


class Lexicon:
    """What a library's words say: idf weights and spellings, term shares, document titles and URLs."""

    def __init__(self, library: Library) -> None:
        self._library = library

    @cached_property
    def vocabulary(self) -> Vocabulary:
        frequencies = self._library.document_frequencies()
        return Vocabulary(dict(frequencies.counts), frequencies.passages)

    @cached_property
    def term_shares(self) -> Mapping[str, float]:
        """Stemmed term -> share of passages holding it: how specific a word is in this corpus."""
        frequencies = self._library.document_frequencies()
        passages = max(frequencies.passages, 1)
        return {term: count / passages for term, count in frequencies.counts.items()}

    @cached_property
    def titles(self) -> dict[str, str]:
        return {d.source: d.title for d in self._library.documents()}

    @cached_property
    def products(self) -> dict[str, frozenset[str]]:
        """The corpus's products by top-level folder (answering/products.py `products_of`)."""
        return products_of(self.titles)


_LEXICONS: WeakKeyDictionary = WeakKeyDictionary()
_LOCK = threading.Lock()


def lexicon(library: Library) -> Lexicon:
    """The library's lexicon, made on first use and kept as long as the library is."""
    with _LOCK:
        found = _LEXICONS.get(library)
        if found is None:
            found = _LEXICONS[library] = Lexicon(library)
        return found


@dataclass(frozen=True)
class Reading:
    """A question read in its conversation: the follow-up it is (or not) and the terms to search and score.

    `message` is the question as pasted (retrieval/answering/pasted.py): a message holding a traceback, a log or a
    long story is searched and scored by its question sentence and its distinctive lines.
    `own_terms` are the terms of the question as asked, without the words a follow-up carried from the
    conversation: what the see-also filter after an abstention matches passages by.
    """

    query: Query
    follow_up: FollowUp
    terms: QuestionTerms
    message: Message
    own_terms: QuestionTerms

    @property
    def search_text(self) -> str:
        """The question with the words carried from the conversation: what is embedded and searched."""
        return self.follow_up.search_text

    @property
    def carried_terms(self) -> frozenset[str]:
        """The stemmed terms a follow-up carried from the conversation (not in the question as asked);
        empty for a question that stands alone."""
        return frozenset(self.terms.weights) - frozenset(self.own_terms.weights)


def read(query: Query, words: Lexicon) -> Reading:
    """Read `query` after its history; a follow-up's carried words weigh less than the question's own.

    A pasted message is read by its question sentence and distinctive lines (`read_message`); one that
    pastes material is no follow-up (its "this" is the paste, not the conversation's last answer), and
    what it asks (the answer kind, identifiers and numbers the answer must show) is read from its
    question sentence alone, not from the user's log lines. Each distinct text is analysed once.
    """
    message = read_message(query.text)
    asked = message.search_text
    follow_up = contextualise(asked, () if message.pasted else query.history, words.term_shares)
    analysed: dict[str, QuestionTerms] = {}

    def terms_of(text: str) -> QuestionTerms:
        if text not in analysed:
            analysed[text] = analyse(text, words.vocabulary)
        return analysed[text]

    text = follow_up.search_text
    terms = terms_of(text)
    own = terms_of(asked)
    if text != asked:
        terms = _carried_weighed_down(terms, own)
    if message.reduced:
        terms = _asked_by(terms, terms_of(message.question) if message.question else None)
    return Reading(query, follow_up, terms, message, own)


def _carried_weighed_down(terms: QuestionTerms, own: QuestionTerms) -> QuestionTerms:
    """The question's own terms at full weight, the carried ones lighter; the kind asked for is its own."""
    weights = {t: w if t in own.weights else w * CARRIED_WEIGHT for t, w in terms.weights.items()}
    return replace(terms, weights=weights, kind=own.kind)


def _asked_by(terms: QuestionTerms, question: QuestionTerms | None) -> QuestionTerms:
    """`terms` of a pasted message, with what is asked read from its question sentence: the kind of
    answer, the identifiers and numbers it names, its yes/no focus (none when it has no question)."""
    if question is None:
        return replace(
            terms, kind=None, identifiers=frozenset(), numbers=frozenset(), focus=None, versions=frozenset()
        )
    return replace(
        terms,
        kind=question.kind,
        identifiers=question.identifiers,
        versions=question.versions,
        numbers=question.numbers,
        focus=question.focus,
    )
