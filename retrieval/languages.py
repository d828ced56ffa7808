"""Which language a text is written in, and what keyword search does in each: stop words, stemmer, compounds.

Detection is py3langid (langid.py's maintained fork: a naive Bayes model over byte n-grams, shipped inside
the wheel, numpy only, no download), restricted to the languages below. Text that is short or that the
model is unsure about is English, so English questions and documents keep English rules.

Stop words are bm25s' own lists (NLTK's, already a dependency) and stemmers are PyStemmer's Snowball
algorithms: a language is supported for keyword search when both exist. Chinese, Japanese and Korean are
detected too, but their words are found by script (character bigrams, retrieval/lexical.py), so their
remaining Latin words follow the English rules.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import cache, lru_cache

import Stemmer
from bm25s.stopwords import (
    STOPWORDS_DANISH,
    STOPWORDS_DUTCH,
    STOPWORDS_EN,
    STOPWORDS_FRENCH,
    STOPWORDS_GERMAN,
    STOPWORDS_ITALIAN,
    STOPWORDS_NORWEGIAN,
    STOPWORDS_PORTUGUESE,
    STOPWORDS_RUSSIAN,
    STOPWORDS_SPANISH,
    STOPWORDS_SWEDISH,
    STOPWORDS_TURKISH,
)

from retrieval.textnorm import fold

ENGLISH = "en"
# ISO 639-1 code -> (Snowball stemmer, stop words as bm25s ships them).
_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "en": ("english", STOPWORDS_EN),
    "da": ("danish", STOPWORDS_DANISH),
    "de": ("german", STOPWORDS_GERMAN),
    "es": ("spanish", STOPWORDS_SPANISH),
    "fr": ("french", STOPWORDS_FRENCH),
    "it": ("italian", STOPWORDS_ITALIAN),
    "nl": ("dutch", STOPWORDS_DUTCH),
    "no": ("norwegian", STOPWORDS_NORWEGIAN),
    "pt": ("portuguese", STOPWORDS_PORTUGUESE),
    "ru": ("russian", STOPWORDS_RUSSIAN),
    "sv": ("swedish", STOPWORDS_SWEDISH),
    "tr": ("turkish", STOPWORDS_TURKISH),
}
KEYWORD_LANGUAGES = frozenset(_RULES)
# Question words, which bm25s' (NLTK's) stop word lists lack: they say what is asked, not about what
# (English has its own in retrieval/question.py). Folded.
_QUESTION_WORDS: dict[str, frozenset[str]] = {
    "es": frozenset(
        "cuanto cuanta cuantos cuantas cuando donde adonde como que quien quienes cual cuales".split()
    ),
    "pt": frozenset("quanto quanta quantos quantas quando onde como que quem qual quais".split()),
    "fr": frozenset("combien quand ou comment quel quelle quels quelles pourquoi qui que quoi".split()),
    "it": frozenset("quanto quanta quanti quante quando dove come che chi quale quali perche".split()),
    "de": frozenset(
        "wann wo wie was wer wen wem warum weshalb welche welcher welches welchen welchem wieviel viel viele".split()
    ),
    "nl": frozenset("wanneer waar hoe wat wie waarom welke welk hoeveel".split()),
    "sv": frozenset("nar var hur vad vem varfor vilken vilket vilka".split()),
    "da": frozenset("hvornar hvor hvordan hvad hvem hvorfor hvilken hvilket hvilke".split()),
    "no": frozenset("nar hvor hvordan hva hvem hvorfor hvilken hvilket hvilke".split()),
}
# Detected so that their text is not forced into a European language; keyword rules: by script + English.
SCRIPT_LANGUAGES = frozenset({"zh", "ja", "ko"})
DETECTED = tuple(sorted(KEYWORD_LANGUAGES | SCRIPT_LANGUAGES))

# Germanic languages write compounds as one word ("Rheinbrücke"); retrieval/lexical.py indexes their parts.
# Each with the linking elements ("Fugenelemente") that may join a compound's parts, longest first.
COMPOUND_LINKS: dict[str, tuple[str, ...]] = {
    "de": ("ens", "en", "er", "es", "n", "s", "e"),
    "nl": ("en", "s", "e"),
    "sv": ("s", "e"),
    "da": ("s", "e"),
    "no": ("s", "e"),
}
# Verb particles and prefixes: "ein|tritt", "ver|kauf" are derived words, not compounds of two words.
_PREFIXES: dict[str, frozenset[str]] = {
    "de": frozenset(
        "auf aus bei dar durch ein ent fort her hin los miss mit nach uber ueber unter ver vor weg wider zer"
        " zuruck zusammen".split()
    ),
    "nl": frozenset("aan achter door her mee onder ont over terug toe uit ver voor weg".split()),
    "sv": frozenset("bort efter fram for fore mot over till upp".split()),
    "da": frozenset("bort efter for frem mod over til".split()),
    "no": frozenset("bort etter for fram frem mot over til".split()),
}
_WORDFREQ_CODES = {"no": "nb"}  # wordfreq's code for Norwegian (Bokmål)
_LEXICON_WORDS = 50_000  # the commonest words of a language that count as a compound's known parts

# Below these the answer is English: measured on every question in tests/data (214 English questions,
# none detected otherwise; "h2o max-connections default?" scores 0.73 French), while short questions in
# Spanish or German score 0.88-1.0.
MIN_LETTERS = 8
MIN_CONFIDENCE = 0.8
_DETECT_CHARS = 5_000  # a document's language is read from its beginning
_LETTER = re.compile(r"[^\W\d_]")

_lock = threading.Lock()
_identifier = None


def _model():
    """py3langid's identifier restricted to DETECTED (loaded once, ~1 s)."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(DETECTED))
            # set_languages keeps the whole model (145 languages, ~60 MB) to restore it later; we never do.
            identifier._full_model = (identifier.nb_ptc, identifier.nb_pc, identifier.nb_classes)
            _identifier = identifier
    return _identifier


def warm_up() -> None:
    """Load the detection model now (~1 s), so that the first question does not wait for it."""
    _model()


def detect(text: str) -> str:
    """The ISO 639-1 code of the language `text` is written in, one of DETECTED; "en" when the text has
    fewer than MIN_LETTERS letters or the model's probability is below MIN_CONFIDENCE. Reads at most the
    first 5,000 characters; a question's answer is remembered."""
    if len(text) <= 1000:
        return _detect_short(text)
    return _detect(text[:_DETECT_CHARS])


@lru_cache(maxsize=4096)
def _detect_short(text: str) -> str:
    return _detect(text)


def _detect(sample: str) -> str:
    if len(_LETTER.findall(sample[:2000])) < MIN_LETTERS:
        return ENGLISH
    language, confidence = _model().classify(sample)
    return language if confidence >= MIN_CONFIDENCE else ENGLISH


def document_sample(texts: Iterable[str]) -> str:
    """The beginning of a document's texts, as much as `detect` reads."""
    parts, size = [], 0
    for text in texts:
        parts.append(text)
        size += len(text) + 1
        if size >= _DETECT_CHARS:
            break
    return "\n".join(parts)


def keyword_language(language: str) -> str:
    """The language whose stop words and stemmer apply: `language` when supported, else English."""
    return language if language in _RULES else ENGLISH


@cache
def stop_words(language: str) -> frozenset[str]:
    """The language's stop words, folded as the words they are compared with ("für" -> "fur")."""
    words = _RULES[keyword_language(language)][1]
    return frozenset(words) if language == ENGLISH else frozenset(fold(w) for w in words)


def question_words(language: str) -> frozenset[str]:
    """The language's question words ("cuándo", "wann"), folded; empty for English and the rest."""
    return _QUESTION_WORDS.get(language, frozenset())


@cache
def stemmer(language: str) -> Stemmer.Stemmer:
    """The language's Snowball stemmer (PyStemmer), one shared object per language as before."""
    return Stemmer.Stemmer(_RULES[keyword_language(language)][0])


@cache
def compound_lexicon(language: str) -> dict[str, int]:
    """The commonest words of a compounding language (wordfreq's lists, shipped in its wheel), folded,
    each with its rank (0: the commonest): the words a compound's parts are recognised as. ~0.5 s to
    load, once."""
    from wordfreq import top_n_list

    ranks: dict[str, int] = {}
    for rank, word in enumerate(top_n_list(_WORDFREQ_CODES.get(language, language), _LEXICON_WORDS)):
        folded = fold(word)
        if len(folded) >= 3 and folded.isalpha():
            ranks.setdefault(folded, rank)
    return ranks


def compound_prefixes(language: str) -> frozenset[str]:
    """Folded prefixes that make derived words rather than compounds ("ver|kauf"), for `language`."""
    return _PREFIXES.get(language, frozenset())
