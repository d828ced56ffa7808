"""What a question asks for: its weighted content terms and the kind of answer it expects."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

from retrieval.lexical import stem, tokenize

# Function words carry no evidence; question words are handled by answer_kind.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    tell say said says according please give show explain describe know think mean much many does did done get
    got also any anything something thing things""".split()
)

_ANSWER_KINDS = (
    ("amount", re.compile(r"^(how much|how many|what (is|was) the (amount|number|price|cost|size))\b")),
    ("time", re.compile(r"^(when|what (year|date|day|month|time))\b|\bwhat year\b|\bwhich year\b")),
    ("place", re.compile(r"^(where|in what (city|country|place))\b|\bwhich (city|country)\b")),
    ("person", re.compile(r"^(who|whom|whose)\b")),
)
_NUMBER_WORDS = (
    r"(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|hundred|dozen)"
)
_KIND_PATTERNS = {
    "amount": re.compile(
        r"[$€£¥]\s?\d|\d[\d,.]*\s*(%|percent|million|billion|thousand|times|x\b)|\b\d[\d,.]*\b|\b"
        + _NUMBER_WORDS
        + r"\b",
        re.IGNORECASE,
    ),
    "time": re.compile(
        r"\b(1[89]\d\d|20\d\d)\b|\b(january|february|march|april|may|june|july|august|september|october"
        r"|november|december)\b|\b(yesterday|today|tomorrow|tonight|morning|evening|noon|midnight)\b"
        r"|\b\d{1,2}:\d\d\b|\b(\d+|a|an|" + _NUMBER_WORDS + r")\s+(business\s+|working\s+|calendar\s+)?"
        r"(seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b",
        re.IGNORECASE,
    ),
    "place": re.compile(r"\b(in|at|from|based in|headquartered in)\s+[A-Z][a-z]+|\b[A-Z][a-z]+-based\b"),
    "person": re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+\b"),
}


@dataclass(frozen=True)
class QuestionTerms:
    weights: dict[str, float]  # stemmed term -> idf weight
    kind: str | None  # amount | time | place | person | None
    repairs: tuple[str, ...] = ()  # corpus spellings of misspelt or split words ("microsoft", "openai")

    def search_text(self, question: str) -> str:
        """The question plus repaired spellings, so keyword search finds what a typo would miss."""
        return " ".join((question, *self.repairs))

    @property
    def total_weight(self) -> float:
        return sum(self.weights.values())

    def coverage(self, stems: set[str]) -> float:
        """Idf-weighted share of the question's terms found among `stems`."""
        total = self.total_weight
        if total <= 0:
            return 0.0
        return sum(w for term, w in self.weights.items() if term in stems) / total

    def kind_matches(self, text: str, exclude: set[str] = frozenset()) -> bool:
        """Does text hold the kind of thing asked for? For "who", names the question itself uses don't count."""
        pattern = _KIND_PATTERNS.get(self.kind or "")
        if not pattern:
            return False
        if self.kind == "person" and exclude:
            text = re.sub(
                r"\w+", lambda m: "" if stem([m.group(0).lower()])[0] in exclude else m.group(0), text
            )
        return bool(pattern.search(text))


class Vocabulary:
    """Document frequencies of stemmed terms over the passages, for idf weights and spelling repair."""

    # A term in nearly every passage still says what the question is about ("ceo of openai" vs
    # "ceo of microsoft"), so no weight falls below this share of the rarest term's.
    IDF_FLOOR = 0.15

    def __init__(self, document_frequency: dict[str, int], documents: int) -> None:
        self._df = document_frequency
        self._n = max(documents, 1)
        self._max_idf = self.idf_for(0)
        self._words = sorted(document_frequency)

    def idf_for(self, df: int) -> float:
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def idf(self, term: str) -> float:
        return max(self.idf_for(self._df.get(term, 0)), self.IDF_FLOOR * self._max_idf)

    def __contains__(self, term: str) -> bool:
        return term in self._df

    def closest(self, term: str) -> str | None:
        """A known term one typo away (for words of 5+ letters), else None."""
        if len(term) < 5:
            return None
        swaps = (term[:i] + term[i + 1] + term[i] + term[i + 2 :] for i in range(len(term) - 1))
        transposed = next((word for word in swaps if word in self._df), None)  # "cheif" -> "chief"
        if transposed:
            return transposed
        matches = difflib.get_close_matches(term, self._words, n=1, cutoff=0.85)
        return matches[0] if matches else None


def analyse(question: str, vocabulary: Vocabulary) -> QuestionTerms:
    words = tokenize(question)
    content = [w for w in words if w not in STOP_WORDS]
    weights: dict[str, float] = {}
    repairs: list[str] = []
    for term in stem(content):
        known = term if term in vocabulary else vocabulary.closest(term)
        if known and known != term:
            repairs.append(known)
        weights[known or term] = vocabulary.idf(known or term)
    repairs.extend(_join_split_words(words, vocabulary, weights))
    return QuestionTerms(weights, answer_kind(question), tuple(repairs))


def _join_split_words(words: list[str], vocabulary: Vocabulary, weights: dict[str, float]) -> list[str]:
    """'open ai' also means 'openai' when the corpus spells it that way; the joined form replaces the halves."""
    joined_terms = []
    for left, right in zip(words, words[1:], strict=False):
        joined = stem([left + right])[0]
        if joined in vocabulary and left not in STOP_WORDS and right not in STOP_WORDS:
            for half in stem([left, right]):
                weights.pop(half, None)
            weights[joined] = vocabulary.idf(joined)
            joined_terms.append(joined)
    return joined_terms


def answer_kind(question: str) -> str | None:
    text = question.strip().lower()
    for kind, pattern in _ANSWER_KINDS:
        if pattern.search(text):
            return kind
    return None


def stems_of(text: str) -> set[str]:
    return set(stem(tokenize(text)))
