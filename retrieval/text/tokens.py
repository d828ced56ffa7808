"""Keyword terms: words found by script, each document's language's stop words, stemmer and compound parts.

A document's language (retrieval/text/languages.py) picks the stop words and the Snowball stemmer of its
passages, and a question's picks its own; English text is tokenised exactly as before. Words are found by
script: a run of Chinese, Japanese or Korean characters becomes its overlapping character bigrams ("東京タ"
-> "東京", "京タ"), as Lucene's CJK analyzer does, since those scripts do not separate words with spaces
(a dictionary segmenter such as jieba or janome brings a large dictionary, and jieba is unmaintained since
2020; bigrams need none and match any word of two or more characters). In German, Dutch and the
Scandinavian languages a compound's parts are indexed beside it when they are words the text itself uses
or common words of the language (wordfreq's lists): "Rheinbrücke" is found by a question about "Brücke".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from retrieval.text.languages import (
    COMPOUND_LINKS,
    ENGLISH,
    compound_lexicon,
    compound_prefixes,
    detect,
    document_sample,
    keyword_language,
    stemmer,
    stop_words,
)
from retrieval.text.normalize import fold

# Characters of scripts written without spaces between words: Han (and its compatibility forms),
# kana, the iteration marks, and Hangul syllables and jamo.
_CJK = (
    "\u3005-\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\U00020000-\U0002ffff"
)
# Vowel signs and viramas of the Indic scripts (Devanagari to Sinhala) are marks, not \w, yet belong to
# their word; the dandas (U+0964, U+0965) are punctuation.
_INDIC_MARKS = "\u0900-\u0963\u0966-\u0dff"
# Single characters count: "Form B" and "version 3" differ from "Form C" and "version 4" only there.
# Outside the scripts above this finds exactly what r"\b\w+\b" finds.
_TOKEN_PATTERN = rf"[^\W{_CJK}]+(?:[{_INDIC_MARKS}]+[^\W{_CJK}]*)*|[{_CJK}]+"
_TOKEN = re.compile(_TOKEN_PATTERN)
_CJK_RUN = re.compile(rf"[{_CJK}]")


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"\w+")
# Whole words (maximal \w runs) holding "_" or a place where _CAMEL splits: the only ones that can yield
# parts; the rest are skipped without a Python step each (half the keyword index's build on a 20 MB log).
_SPLITTABLE = re.compile(r"(?<!\w)\w*?(?:_|[a-z0-9][A-Z]|[A-Z][A-Z][a-z])\w*")


def identifier_parts(text: str) -> list[str]:
    """The words inside camelCase and snake_case names ("idleTimeout" -> "idle", "Timeout").

    Documentation names settings the way code does; people ask in words ("idle timeout").
    """
    parts: list[str] = []
    for token in _SPLITTABLE.findall(text):  # only words with a "_" or a case change can split
        pieces = [piece for chunk in token.split("_") for piece in _CAMEL.split(chunk) if piece]
        if len(pieces) > 1:
            parts.extend(pieces)
    return parts


def matching_text(text: str) -> str:
    """Folded text with the words of its identifiers appended: what keyword search indexes."""
    parts = identifier_parts(text)
    return fold(f"{text} {' '.join(parts)}" if parts else text)


# A release version: major.minor.patch ("3.1.1", "v1.1.0"; not an IP address "1.2.3.4"). Cut at its dots,
# "3.1.1" is in every text holding a 3 and a 1 (Flask 2.3.1's changelog entry answered "when was Flask
# 3.1.1 released?"), so the whole version is a token too, before its parts.
_RELEASE = re.compile(r"(?<![\w.])v?(\d+\.\d+\.\d+)(?!\.?\d)")
_RELEASE_HINT = re.compile(r"\d\.\d+\.\d")


def _with_releases(folded: str) -> list[str]:
    """`_TOKEN` tokens of folded text, each release version's whole form before its parts."""
    if not _RELEASE_HINT.search(folded):
        return _TOKEN.findall(folded)
    words: list[str] = []
    last = 0
    for match in _RELEASE.finditer(folded):
        words += _TOKEN.findall(folded, last, match.start())
        words.append(match.group(1))
        words += _TOKEN.findall(match.group(0))
        last = match.end()
    return words + _TOKEN.findall(folded, last)


def _words(folded: str) -> list[str]:
    """Word tokens of folded text (a release version also whole: _RELEASE); a run of CJK characters as
    its character bigrams."""
    words = _with_releases(folded)
    if not _CJK_RUN.search(folded):
        return words
    found: list[str] = []
    for word in words:
        if len(word) > 1 and _CJK_RUN.match(word):
            found.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            found.append(word)
    return found


def is_cjk(token: str) -> bool:
    """Whether a token is a CJK character bigram (or a single CJK character), not a word."""
    return bool(_CJK_RUN.match(token))


def word_tokens(text: str) -> list[str]:
    """Folded word tokens as written, without identifier parts (for questions)."""
    return _words(fold(text))


def tokenize(text: str) -> list[str]:
    """Folded word tokens (case, accents, NFKC), identifier parts included, stop words kept."""
    return _words(matching_text(text))


def stem(words: list[str], language: str = ENGLISH) -> list[str]:
    """The Snowball stems of `words` in `language` (English by default)."""
    return stemmer(language).stemWords(words)


def document_terms(texts: Sequence[str], language: str | None = None) -> list[list[str]]:
    """The keyword terms of one document's passage texts: folded, compounds' parts added, stop words
    dropped, stemmed, all in the document's language (detected from the texts when None).

    For English text without a release version ("3.1.1", a token whole as well: _RELEASE) these are
    exactly the terms `bm25s.tokenize(..., stopwords="en", stemmer=english)` gives for `matching_text`.
    """
    language = language or document_language(texts)
    tokens = [_words(matching_text(text).lower()) for text in texts]
    if language in COMPOUND_LINKS:
        own = {word for words in tokens for word in words} - stop_words(language)
        tokens = [list(_with_compound_parts(words, own, language)) for words in tokens]
    return _terms(tokens, language)


def document_language(texts: Sequence[str]) -> str:
    """The language of one document's passage texts, whose keyword rules its terms follow."""
    return detect(document_sample(texts))


def query_terms(query: str) -> list[str]:
    """A question's keyword terms in the question's own language, as its documents' were made.

    A question in another language also carries its words as English rules make them (less its own stop
    words), after its own terms: a document too short to be recognised was indexed as English.
    """
    language = detect(query)
    terms = document_terms([query], language)[0]
    if keyword_language(language) == ENGLISH:
        return terms
    stops = stop_words(language)
    words = [word for word in _words(matching_text(query).lower()) if word not in stops]
    own = set(terms)
    return terms + [term for term in dict.fromkeys(_terms([words], ENGLISH)[0]) if term not in own]


def _terms(tokens: list[list[str]], language: str) -> list[list[str]]:
    """Stop words dropped, the rest stemmed (each distinct word once, as bm25s does)."""
    stops = stop_words(language)
    kept = [[word for word in words if word not in stops] for words in tokens]
    distinct = list(dict.fromkeys(word for words in kept for word in words))
    stems = dict(zip(distinct, stem(distinct, language), strict=True))
    return [[stems[word] for word in words] for words in kept]


_MIN_COMPOUND, _MIN_PART = 8, 4  # letters of a compound worth splitting, and of its head
_SHORT_HEAD_RANK = 10_000  # a four-letter head must be this common ("abtei|lung" is no compound)


def _with_compound_parts(words: Iterable[str], own: set[str], language: str) -> Iterable[str]:
    """`words`, each compound followed by its parts ("rheinbrucke" -> "brucke", "rhein").

    A part is a known word when the text itself uses it, or it is among the language's commonest words
    (retrieval/text/languages.py `compound_lexicon`; a four-letter one among the first _SHORT_HEAD_RANK). Of
    the ways to cut a compound into two known words (a first part of three letters or more, maybe ending
    in a linking element, and a head of _MIN_PART or more) the one whose parts are the most frequent wins,
    as in Koehn and Knight's splitter (2003): "eintritts|preis" -> "preis", "eintritt". (So "Aussichtsturm"
    gives "sturm": "Sturm" is commoner than "Turm".) Without a known first part, the longest known head is
    still indexed. A verb prefix as first part makes a derived word, not a compound ("ein|tritt").
    """
    links, prefixes, ranks = COMPOUND_LINKS[language], compound_prefixes(language), compound_lexicon(language)
    rarest, stops = len(ranks), stop_words(language)

    def known(part: str) -> bool:
        if part in own:
            return True
        rank = ranks.get(part)
        return rank is not None and part not in stops and (len(part) > _MIN_PART or rank < _SHORT_HEAD_RANK)

    def first_part(first: str) -> str:
        if known(first):
            return first
        bases = (first[: -len(link)] for link in links if first.endswith(link))
        return next((base for base in bases if len(base) >= 3 and known(base)), "")

    for word in words:
        yield word
        if len(word) >= _MIN_COMPOUND and word.isalpha():
            yield from _parts(word, known, first_part, prefixes, lambda part: ranks.get(part, rarest))


def _parts(
    word: str,
    known: Callable[[str], bool],
    first_part: Callable[[str], str],
    prefixes: frozenset[str],
    rank: Callable[[str], int],
) -> list[str]:
    """The parts of one compound (see `_with_compound_parts`): [head, first], [head] or []."""
    best: tuple[int, list[str]] | None = None
    longest_head: list[str] = []
    for cut in range(3, len(word) - _MIN_PART + 1):
        head, first = word[cut:], word[:cut]
        if not known(head):
            continue
        if first in prefixes:
            return []
        longest_head = longest_head or [head]
        base = first_part(first)
        if base:
            score = (rank(base) + 1) * (rank(head) + 1)
            if best is None or score < best[0]:
                best = (score, [head, base])
    return best[1] if best else longest_head
