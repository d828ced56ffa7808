"""What a question asks for: its weighted content terms and the kind of answer it expects."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from retrieval.text.languages import (
    ENGLISH,
    asked_kind,
    detect,
    keyword_language,
    kind_pattern,
    question_words,
    reading_language,
    stop_words,
    without_interrogatives,
    wordfreq_code,
)
from retrieval.text.normalize import fold
from retrieval.text.number_words import TEENS, TENS, UNITS, UP_TO_TWENTY
from retrieval.text.tokens import document_terms, is_cjk, stem, tokenize, word_tokens

# Function words carry no evidence; question words are handled by answer_kind.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    tell say said says according please give show explain describe know think mean much many does did done get
    got also any anything something thing things
    don doesn didn isn aren wasn weren wouldn shouldn couldn haven hasn hadn ll ve""".split()
)  # the last line: what is left of "don't", "isn't", "we'll" (not "won": "who won?")

# Ways of asking about a default without the word: technical docs say "default" where people say these.
# One list for both uses: they make a question a value question and add "default" to its terms.
_DEFAULT_PHRASINGS = (
    r"\bout of the box\b|\bunless (i|you|we) (change|override|set|configure)\b"
    r"|\bif (i|you|we) (don'?t|do not|never) (set|change|specify|configure)\b|\bassumed\b"
    r"|\bif (i|you|we) leave\b|\bby itself\b"
)

# An environment variable's name: capitals and figures in parts joined by underscores, a part maybe a
# placeholder ("FLASK_RUN_PORT", "ASDF_${TOOL}_VERSION"); a word in capitals alone ("FAQ") is none.
_ENV_NAME = r"[A-Z][A-Z0-9]*(?:_(?:[A-Z0-9]+|\$\{\w+\}))+(?![\w$])"

_ANSWER_KINDS = (
    (
        "amount",
        re.compile(
            r"^(how much|how many|how big|how large|how far|how fast|how heavy|how high"
            r"|what (is|was|'s) the (amount|number|price|cost|size|range|limit|maximum|minimum|max|min))\b"
            r"|\b(what|which) port\b"
            # "how long can a name be?", "how long is it allowed to be?": a length, not a time (blind trial 48:
            # the time kind's rule had refused the best unit, "... at most 3 letters ...")
            r"|^how long (can|may|must|could)\b.*\bbe\W*$|^how long\b.*\ballowed to be\W*$"
        ),
    ),
    (
        "time",
        re.compile(
            # "what time zone / date format ...?" asks for a zone or a format, not for a time.
            r"^(when|what (year|date|day|month|time)\b(?! zones?\b| formats?\b| stamps?\b))"
            r"|\bwhat year\b|\bwhich year\b"
            r"|^(on|in) (what|which) (date|day|month)\b"
            r"|\bhow (long|often|soon|quickly|frequently)\b"
        ),
    ),
    # "Who ..." asks for a person whatever else it says: "who called AGI the biggest milestone?" is no
    # question for a value (a superlative below makes one of "what is the biggest ...?").
    ("person", re.compile(r"^(who|whom|whose)\b")),
    (
        "value",
        re.compile(
            r"\bdefaults?\b|\b(largest|smallest|biggest|maximum|minimum)\b|" + _DEFAULT_PHRASINGS,
            re.IGNORECASE,
        ),
    ),
    (
        "command",
        re.compile(
            r"^how (do|can|should|would) (i|you|we|one)\b|\b(what|which) (command|flag|switch|option|cli)\b"
            r"|\bcommand( line)? (to|for)\b|\b(env(ironment)?[ -]?var(iable)?s?|envvars?)\b"
        ),
    ),
    ("place", re.compile(r"^(where|in what (city|country|place))\b|\bwhich (city|country)\b")),
)
# A number spelled out ("fourteen days", "a dozen times"): retrieval/text/number_words.py's words, and the
# counting words that stand for a number themselves.
_NUMBER_WORDS = "(" + "|".join((*UNITS, *TEENS, *TENS, "hundred", "dozen")) + ")"
_SHELL_VARIABLE = r"\$(?:\w+|\{\w+\})"  # "$HOME", "${HOME}": where a path starts, for values and places
_KIND_PATTERNS = {
    # A number alone or with its unit written on ("128MB", "2GiB", "10ms", "3x"; not "1st", "h2o").
    "amount": re.compile(
        r"[$€£¥]\s?\d|\d[\d,.]*\s*(%|percent|million|billion|thousand|times|x\b)|\b\d[\d,.]*\b"
        r"|(?<![\w.])\d[\d,.]*(?!st\b|nd\b|rd\b|th\b)[a-z]{1,3}\b|\b" + _NUMBER_WORDS + r"\b",
        re.IGNORECASE,
    ),
    "time": re.compile(
        r"\b(1[89]\d\d|20\d\d)\b|\b(january|february|march|april|may|june|july|august|september|october"
        r"|november|december)\b|\b(yesterday|today|tomorrow|tonight|morning|evening|noon|midnight)\b"
        r"|\b\d{1,2}:\d\d\b|\b(\d+|a|an|" + _NUMBER_WORDS + r")[\s-]+(business\s+|working\s+|calendar\s+)?"
        r"(seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b"
        r"|\b\d+(\.\d+)?\s?(ms|s|sec|secs|m|min|mins|h|hr|hrs|d|wk|mo|mos|yr|yrs)\b"
        r"|\b(hourly|daily|weekly|monthly|yearly|annually|once|twice)\b|\bevery\b",
        re.IGNORECASE,
    ),
    # A setting's value: a number, a switch, a quoted string, a path (home-, folder- or variable-relative
    # too: "~/.jbang/cache", "./build", "$HOME/x", "${HOME}/x") or URL.
    "value": re.compile(
        r"\b\d|\b(true|false|on|off|yes|none|null|enabled?|disabled?)\b|[\"'`][^\"'`]+[\"'`]"
        rf"|(^|\s)(~|\.{{1,2}}|{_SHELL_VARIABLE})?/\S|://|\b[A-Za-z]:\\|%\w+%",
        re.IGNORECASE,
    ),
    # A command, flag or config line: code units always count; in prose an option like --foo or -m does,
    # and an environment variable's name, the setting a "how do I ...?" or "which env var ...?" asks for.
    "command": re.compile(rf"(^|\s)--?[a-zA-Z][\w.-]*|^\s*[$%#>]\s|\b\w+\s+-{{1,2}}\w|\b{_ENV_NAME}"),
    # In documentation a "where" is often a path, a directory or a URL.
    "place": re.compile(
        r"\b(in|at|from|based in|headquartered in)\s+[A-Z][a-z]+|\b[A-Z][a-z]+-based\b"
        rf"|(^|\s)(~?/|\.{{1,2}}/|[A-Za-z]:\\|%\w+%|{_SHELL_VARIABLE}/?)\S*|https?://\S+"
    ),
    "person": re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+\b"),
}


# A value's unit of time named apart from its figure, as settings are documented: "in seconds",
# "(milliseconds)", "timeout, seconds".
_TIME_MEASURE = re.compile(
    r"\b(in|of)\s+(milli|micro|nano)?(seconds|minutes|hours|days|weeks)\b|\((milli|micro|nano)?(seconds|minutes"
    r"|hours|days)\)|,\s*(milli|micro|nano)?(seconds|minutes|hours|days)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QuestionTerms:
    weights: dict[str, float]  # stemmed term -> idf weight
    kind: str | None  # amount | time | place | person | command | None
    repairs: tuple[str, ...] = ()  # corpus spellings of misspelt or split words ("microsoft", "openai")
    identifiers: frozenset[str] = frozenset()  # stemmed versions/model names the answer must mention
    joined: tuple[tuple[str, str, str], ...] = ()  # (joined, left, right): "openai" stands for "open ai"
    numbers: frozenset[str] = frozenset()  # numbers the question states ("3.0"): never its answer
    focus: str | None = None  # a yes/no question's last content term ("windows" in "can it run on windows?")
    unknown: frozenset[str] = frozenset()  # terms no passage of the corpus uses ("dress" asked of a handbook)
    # The language the question is read in (retrieval/text/languages.py `reading_language`): its terms are
    # stemmed, its kind read and units' kinds recognised by that language's rules.
    language: str = ENGLISH
    versions: frozenset[str] = frozenset()  # versions after a name ("Lumen 4.2"): found whole or not at all

    def search_text(self, question: str) -> str:
        """The question plus repaired spellings, so keyword search finds what a typo would miss."""
        return " ".join((question, *self.repairs))

    @property
    def total_weight(self) -> float:
        return sum(self.weights.values())

    def coverage(self, stems: set[str]) -> float:
        """Idf-weighted share of the question's terms found among `stems`.

        A question's "open ai" is weighed as the corpus's "openai"; the two halves in a text count for it.
        """
        total = self.total_weight
        if total <= 0:
            return 0.0
        stems = self.with_joined(stems)
        return sum(w for term, w in self.weights.items() if term in stems) / total

    def with_joined(self, stems: set[str] | frozenset[str]) -> set[str] | frozenset[str]:
        """`stems` plus the question's joined terms whose halves they hold: "keep alive" in a text
        answers "keepalive" in the question."""
        found = {joined for joined, left, right in self.joined if left in stems and right in stems}
        return stems | found if found else stems

    def kind_matches(self, text: str, exclude: set[str] = frozenset(), unit_kind: str = "sentence") -> bool:
        """Does text hold the kind of thing asked for? For "who", names the question itself uses don't count.

        A code block, a table row or a definition holds a command or a value by what it is. A question in
        another language is answered by what shows its kind in that language (`_kind_shown`).
        """
        if self.language != ENGLISH:
            return self._kind_shown(text)
        if self.kind == "command" and unit_kind in ("code", "definition", "table_row"):
            return True
        if self.kind in ("amount", "time", "value"):
            text = _VERSION.sub(" ", _ENUMERATOR.sub(" ", text))  # "pread (2)", "v2.55", "2.x": no amount
            text = _CITATION.sub(" ", text)  # "(Li et al., 2016)", "[12]", "[@doi:10.1/x]": no amount or date
            for number in self.numbers:  # "When was 3.0 released?" is not answered by "3.0 ships ..."
                text = re.sub(rf"(?<![\w.]){re.escape(number)}(?![\w]|\.\d)", " ", text)
        if self.kind in ("value", "time", "amount") and "default" in self.weights:
            # Asked for a default: the unit must say what the default is (a Default column or
            # definition, "defaults to 15d", "default = 1m"); a configuration example only shows
            # some value, and "80-85%" is no retention time however numeric.
            if _DEFAULT_CELL.search(text):
                return True
            if not re.search(r"\bdefaults?\b", text, re.IGNORECASE):
                return False
            if self.kind != "value" and unit_kind not in ("code", "table_row", "definition"):
                return bool(_KIND_PATTERNS[self.kind].search(text) or self._measured_in_time(text))
            return bool(_KIND_PATTERNS["value"].search(text))
        if self.kind in ("amount", "time") and unit_kind in ("code", "table_row", "definition"):
            return bool(re.search(r"\b\d", text))
        pattern = _KIND_PATTERNS.get(self.kind or "")
        if not pattern:
            return False
        if self._measured_in_time(text):
            return True
        if self.kind == "person" and exclude and not exclude.isdisjoint(stems_of(text)):
            text = _WORD.sub(lambda m: "" if _stem_word(m.group(0).lower()) in exclude else m.group(0), text)
        return bool(pattern.search(text))

    def _measured_in_time(self, text: str) -> bool:
        """Asked "how long", a setting described as a time "in seconds" with its figure apart ("time limit
        on idle keep-alive connections in seconds, or None for no limits. (Default 5)") states one."""
        return self.kind == "time" and bool(_TIME_MEASURE.search(text)) and bool(re.search(r"\b\d", text))

    def _kind_shown(self, text: str) -> bool:
        """Does `text` show the kind asked for by a question in another language ("1. Mai 1886", "500円")?"""
        pattern = kind_pattern(self.kind or "", self.language)
        if pattern is None:
            return False
        for number in self.numbers:  # a number the question states is not its answer
            text = re.sub(rf"(?<![\w.]){re.escape(number)}(?![\w]|\.\d)", " ", text)
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

    def unknown_weight(self, word: str, language: str = ENGLISH) -> float:
        """Weight of a question word the corpus never uses, graded by how common the word is in English
        (in the question's language, when keyword search has rules for it: see `zipf`).

        An everyday word ("take", "put") the documents happen not to use says little about whether
        they answer the question, so it weighs like a very common term; a rare one ("WebTransport",
        "syslog") names a topic the documents lack and keeps the full weight; in between, in
        proportion (wordfreq's Zipf scale: 3.5 rare-ish, 5.5 among the 1,000 commonest words).
        """
        share = (_EVERYDAY_ZIPF - zipf(word, language)) / (_EVERYDAY_ZIPF - _COMMON_ZIPF)
        return max(self.IDF_FLOOR, min(1.0, share)) * self._max_idf

    def __contains__(self, term: str) -> bool:
        return term in self._df

    def frequency(self, term: str) -> int:
        """Passages holding `term` (0 when the corpus never uses it)."""
        return self._df.get(term, 0)

    def closest(self, term: str, language: str = ENGLISH) -> str | None:
        """A known term one typo away, else None. Words of 3-4 letters need a closer match (one edit
        among few letters is a large change), and real words of the language are never "repaired"."""
        if len(term) < 3 or any(ch.isdigit() for ch in term) or is_common_word(term, language):
            return None
        if len(term) < 5:
            return next((word for word in self._neighbours(term) if word in self._df), None)
        transposed = next(
            (word for word in _transpositions(term) if word in self._df), None
        )  # "cheif" -> "chief"
        if transposed:
            return transposed
        # One edit for words up to 8 letters, two beyond (Levenshtein, rapidfuzz); a known word that
        # is a part of the unknown one ("transport" in "webtransport") is another word, not a typo.
        limit = 1 if len(term) <= 8 else 2
        match = process.extractOne(term, self._words, scorer=Levenshtein.distance, score_cutoff=limit)
        if match is None or match[0] in term:
            return None
        return match[0]

    def transposed(self, word: str, language: str = ENGLISH) -> str | None:
        """The corpus's term for a word typed with two letters swapped, found on the word as typed:
        "promethues" stems to "promethu", two edits from "prometheus", but is one swap from it."""
        if len(word) < 5 or any(ch.isdigit() for ch in word) or is_common_word(word, language):
            return None
        swapped = stem(list(_transpositions(word)), keyword_language(language))
        return next((term for term in swapped if term in self._df), None)

    @staticmethod
    def _neighbours(term: str):
        """Spellings one transposition or one substitution away (Damerau's commonest typos)."""
        yield from _transpositions(term)
        for i in range(len(term)):
            for letter in "abcdefghijklmnopqrstuvwxyz":
                if letter != term[i]:
                    yield term[:i] + letter + term[i + 1 :]


def _transpositions(word: str):
    """`word` with each pair of neighbouring letters swapped, left to right ("cheif" -> "ehcif", "hceif", ...)."""
    return (word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1))


def analyse(question: str, vocabulary: Vocabulary) -> QuestionTerms:
    # "¿Cuándo abre la biblioteca?": "cuando" and "la" are no evidence either; "abre" is stemmed as Spanish.
    language = reading_language(question)
    # A name the question spells whole ("WebTransport") is one term; "哪一年" is no word of the topic.
    words = word_tokens(question if language == ENGLISH else without_interrogatives(question, language))
    folded = fold(question)
    asked = set(_HOW_WORD.findall(folded))  # "how long", "how often": the answer kind says it
    asked |= _frame_words(folded)  # "what role does X play in Y": the answer says what X does in Y
    if language != ENGLISH:
        asked |= stop_words(language) | question_words(language)
    content = [
        w for w in words
        if w not in STOP_WORDS and w not in asked and (len(w) > 1 or w.isdigit() or _is_letter_id(w, question))
        and not (is_cjk(w) and w not in vocabulary)  # "いつ", "すか": the bigram of a junction or a question word
    ]  # fmt: skip
    weights: dict[str, float] = {}
    repairs: list[str] = []
    unknown: set[str] = set()
    stems = stem(content, keyword_language(language))
    english = stem(content) if keyword_language(language) != ENGLISH else stems
    for word, term, as_english in zip(content, stems, english, strict=True):
        if term not in vocabulary and as_english in vocabulary:
            # The corpus knows the word only by English rules: a document too short to be recognised,
            # or an index whose vocabulary was built before its language's terms were added.
            term = as_english
        known = (
            term if term in vocabulary
            else vocabulary.closest(term, language) or vocabulary.transposed(word, language)
        )  # fmt: skip
        if known and known != term:
            repairs.append(known)
        if known:
            weights[known] = vocabulary.idf(known) * _everyday_damping(word, language)
        else:
            weights[term] = vocabulary.unknown_weight(word, language)
            unknown.add(term)
    joined = _join_split_words(words, vocabulary, language)
    for whole, left, right in joined:
        weights.pop(left, None)
        weights.pop(right, None)
        weights[whole] = vocabulary.idf(whole)
        repairs.append(whole)
    for phrase, term in _PHRASES:
        if phrase.search(question) and term in vocabulary and term not in weights:
            weights[term] = vocabulary.idf(term)
    numbers = frozenset(_NUMBER.findall(question))
    return QuestionTerms(
        weights,
        answer_kind(question, language),
        tuple(repairs),
        _identifiers(question) | _unknown_names(question, vocabulary, joined),
        tuple(joined),
        numbers,
        _focus(question, words, weights, vocabulary),
        frozenset(unknown & set(weights)),
        language,
        named_versions(question),
    )


_CAPITALISED = re.compile(r"(?<![\w'’.-])[A-Z][a-z][\w-]*")
_NOUNS_CAPITALISED = frozenset({"de"})  # German capitalises every noun: a capital says nothing of a name


def _unknown_names(question: str, vocabulary: Vocabulary, joined) -> frozenset[str]:
    """Names the question capitalises that the corpus never uses ("Who is the CEO of Google?" asked of
    documents about Microsoft): like a version the passage lacks, the answer cannot be about them.

    Not the question's first word, not a word a typo repair or a join maps to a corpus term, and not in
    a question written in title case or in German (where capitals say nothing).
    """
    if detect(question) in _NOUNS_CAPITALISED:  # "Wann wurde die Brücke eröffnet?"
        return frozenset()
    question = question.lstrip().lstrip("¿¡")  # Spanish opens a question with "¿": "¿Cuánto ...?"
    words = _CAPITALISED.findall(question)
    tokens = question.split()
    if len(words) * 2 > len(tokens):  # "How Do I Install It?"
        return frozenset()
    first = tokens[0] if tokens else ""
    halves = {part for _, left, right in joined for part in (left, right)}
    names = set()
    for word in words:
        if question.lstrip().startswith(word) and first.startswith(word):
            continue
        if all(term in vocabulary for term in stem(word_tokens(word))):
            continue  # the name as written is the corpus's, whatever its parts: "HighRES" of "HIGHRES"
        for term in stem(tokenize(word)):
            if term in STOP_WORDS or term in vocabulary or term in halves:
                continue
            if vocabulary.closest(term) or vocabulary.transposed(word):
                continue
            names.add(term)
    return frozenset(names)


_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
# A yes/no question ("Does X support Y?", "Can it run on Windows?") starts with an auxiliary verb.
_YES_NO = re.compile(
    r"^(is|are|was|were|do|does|did|can|could|will|would|should|has|have|had|may|might|must)\b", re.IGNORECASE
)


def _focus(question: str, words: list[str], weights: dict[str, float], vocabulary: Vocabulary) -> str | None:
    """The term a yes/no question asks about: its last content word, when the corpus knows it or it is
    a rare English word. "Can h2o run on windows?" is not answered by a passage that never says Windows;
    an everyday word the corpus lacks ("dark") decides nothing on its own."""
    if not _YES_NO.search(question.strip()):
        return None
    for word in reversed(words):
        term = stem([word])[0]
        if term in weights:
            return term if term in vocabulary or not is_common_word(word) else None
    return None


_PHRASES = ((re.compile(_DEFAULT_PHRASINGS, re.IGNORECASE), "default"),)


_VERSIONED = re.compile(r"\b(?=\w*\d)[A-Za-z]*\d[\w.]*\b")  # X300, v2, 3.1, 2019
# An option or an environment variable and the number given to it: "--workers 4", "-n 4", "FOO_BAR=4".
# A setting written as a config line ("workers = 1", "timeout=30") and the number given it, too.
_OPTION_ARGUMENT = re.compile(
    rf"((?:(?<!\S)--?[A-Za-z][\w.-]*|\b{_ENV_NAME})(?:=|\s+)|\b[a-z][\w.-]*\s*=\s*)\d+(?![\w.])"
)
# A number with its unit ("5 minutes", "32 bits", "100 MB", "0%") or a port ("port 25"): an amount or a value
# the asker supposes, no name the answer must repeat (blind trial 52: "can i raise the timeout to 5
# minutes?" and "does it do STARTTLS on port 25?" were refused though the best unit answered them).
_SUPPOSED_AMOUNT = re.compile(
    r"(?<![\w.])\d+(?:[.,]\d+)?\s*(?:%|percent\b|(?:milli|micro|nano)?seconds?\b|secs?\b|ms\b|minutes?\b|mins?\b"
    r"|hours?\b|days?\b|weeks?\b|months?\b|bits?\b|bytes?\b|[kmgt]i?b\b)"
    r"|\bports?\s+\d+\b",
    re.IGNORECASE,
)
# A number passed in a call the asker writes ("wrapped the loop in eventlet.Timeout(5)"): a value the asker
# supposes, as an option's argument is, no name the answer must repeat (blind trial 62: refused by the
# identifier rule though the best unit answered). Measured and not kept: a figure before a plural noun
# ("6 partitions", "3 attempts") as such a value (+1 on the trial that asked it, -1 docs-trial-7, -1 clapnq:
# the uncovered "... say 3 attempts?" and "age of war 2 hands ..." had been refused for their figure).
_CALL_ARGUMENT = re.compile(r"(\b[A-Za-z_][\w.]*)\(\s*\d+(?:\.\d+)?\s*\)")


_LETTER_ID = re.compile(r"(?<=[A-Za-z] )([B-HJ-Z])\b")  # "Form B", "Plan C" (not the words "I" and "A")


def _is_letter_id(word: str, question: str) -> bool:
    return word.upper() in _LETTER_ID.findall(question)


# A version after a name or the word version/release ("Lumen 4.2", "Python 3.6", "release 4.2"). As terms
# "4.2" is the digits 4 and 2, found in "Release 4.1 (November 18, 2024)" and "2.6 and 3.3": the passage
# must say the version whole. (A number after a lower-case word, "of 2.5", is an amount, not a version.)
_NAMED_VERSION = re.compile(r"(?:\b[A-Z][\w-]*|\b(?:version|release|v))\s+v?(\d+(?:\.\d+)+)(?!\.?\d)")


def named_versions(question: str) -> frozenset[str]:
    """The versions the question names after a name or "version"/"release" ("Lumen 4.2" -> "4.2")."""
    return frozenset(_NAMED_VERSION.findall(question))


def says_version(text: str, version: str) -> bool:
    """Does `text` say `version` whole ("4.2" in "Release 4.2 (March 3, 2025)"; not in "4.21", "14.2")?"""
    return re.search(rf"(?<![\d.]){re.escape(version)}(?!\.?\d)", text) is not None


# A small number a question writes in figures ("3 little birds", "a 4 way stop") a text may spell out
# ("Three Little Birds", "four-way"): each is the same identifier (stemmed as the index stems them).
_FIGURE_FORMS = {
    str(figure): frozenset({str(figure), word}) for figure, word in enumerate(stem(list(UP_TO_TWENTY)))
}


def identifier_forms(identifier: str) -> frozenset[str]:
    """The stemmed forms a text may give an identifier of the question in: a number up to twenty also
    spelled out ("3" or "three"); a plural after a figure also without its "s" (blind trial 51: "mp3s" is
    what a text calls "MP3"); anything else as written."""
    if identifier in _FIGURE_FORMS:
        return _FIGURE_FORMS[identifier]
    if len(identifier) > 2 and identifier.endswith("s") and identifier[-2].isdigit():
        return frozenset({identifier, identifier[:-1]})
    return frozenset({identifier})


# An escape sequence the asker quotes as what they see ("full of \u00e9 style escapes"): an example of
# a value, no name a passage must repeat (blind trial 49: the answer sentence writes "\uXXXX").
_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2})")


def _identifiers(question: str) -> frozenset[str]:
    """Versions, model numbers and lettered names in the question, stemmed as the index stems them.
    A number given to an option or a variable ("--workers 4", "-n 4", "UVICORN_WORKERS=4") is a value the
    asker supposes, no name the answer must repeat (blind trial 46: "can i use --reload and --workers 4
    at the same time?" was refused though the best unit says the two are mutually exclusive)."""
    question = _SUPPOSED_AMOUNT.sub(" ", _ESCAPE.sub(" ", _OPTION_ARGUMENT.sub(r"\1", question)))
    question = _CALL_ARGUMENT.sub(r"\1( )", question)
    found = [m.group(0) for m in _VERSIONED.finditer(question)] + _LETTER_ID.findall(question)
    tokens = [t for value in found for t in tokenize(value) if t not in STOP_WORDS or t.isdigit()]
    return frozenset(stem(tokens))


# A digit alone in parentheses: a manual section ("sendfile (2)") or an enumerator ("(1)").
_ENUMERATOR = re.compile(r"\(\d\)")
# A reference to other work, in the forms articles cite by: authors and year in parentheses ("(Li et al.,
# 2016; Feng, 2018a)": a name, "et al." or a comma before the year, no figure and no month in the name, so
# "(March 3, 2025)" stays a date), a year after the authors named in the sentence ("Papernot and McDaniel
# (2018)"), numbers in brackets ("[12]", "[3, 5-7]"), Pandoc/Manubot keys ("[@doi:10.1629/uksg.233]"), a
# DOI or a URL. Its year or number is where the work was published, never an amount or a date the sentence
# states (a long article cites in most sentences: every one had held "a number" for "how many ...?").
_CITED_YEAR = r"(?:19|20)\d\d[a-z]?"
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|spring\b|summer\b|autumn\b|fall\b|winter\b"
)
_CITATION = re.compile(
    r"\[@[^\]]*\]|\[\d+(?:\s*[,–-]\s*\d+)*\]"
    rf"|\((?:e\.g\.,?\s*|see\s+)?(?!(?i:{_MONTH}))[A-Z][^()\d]{{0,80}}?(?:,|\bet al\.?)\s{_CITED_YEAR}"
    rf"(?:\s*[;,]\s*[^()]{{0,80}}?{_CITED_YEAR})*\)"
    rf"|(?<=[a-z.])\s\({_CITED_YEAR}\)(?=[\s,.;:]|$)"
    r"|\bdoi:\S+|\bhttps?://\S+"
)
# A version: "v2.55", "0.16.0", "2.x", "Prometheus 3" is left alone (it may be a count).
_VERSION = re.compile(r"\bv\d[\w.]*|\b\d+\.\d+\.\d+[\w.-]*|\b\d+\.x\b", re.IGNORECASE)
# "Default: 180s" (a table row matched with its column names, or a definition), not "Default: -"; and
# prose's "defaults to 15d", not "defaults to including timeouts" (a verb after it says what happens by
# default, not the value: trial 36's "what's the default timeout?" quoted that sentence over "after 5 seconds").
_DEFAULT_CELL = re.compile(
    r"\bdefault( value)?(:|\s*=)\s*(?![;\-–—]|\"\"|''|$)\S|\bdefaults to\s+(?![a-z]+ing\b)\S", re.IGNORECASE
)  # also a config reference's "default = 1m" and prose's "defaults to 15d"
_HOW_WORD = re.compile(
    r"\bhow (long|often|soon|quickly|frequently|far|big|large|many|much|fast|high|heavy)\b"
)


# Question frames whose words name the asking, not the topic: "what role will X play in Y" is
# answered by "X will be Y's partner", which says neither "role" nor "play".
_FRAMES = (
    (
        re.compile(r"\bwhat (role|part)\b.*\bplay(s|ed|ing)?\b"),
        ("role", "part", "play", "plays", "played", "playing"),
    ),
    (re.compile(r"\bwhat (does|do|did|will|would)\b.*\blooks? like\b"), ("look", "looks", "like")),
    (
        re.compile(r"\bwhat (is|was|'s|are|were) the (purpose|point|goal|aim) of\b"),
        ("purpose", "point", "goal", "aim"),
    ),
    # "when was X announced?": the date of the piece that announced X, its dateline, answers; the
    # announcing piece rarely says "announced" of itself.
    (
        re.compile(
            r"^(when|((on|in) )?(what|which) (date|day|year))\b.*"
            r"\b(announce|publish|unveil|reveal|make public|made public)(d|ed)?\b"
        ),
        (
            "announce",
            "announced",
            "publish",
            "published",
            "unveil",
            "unveiled",
            "reveal",
            "revealed",
            "make",
            "made",
            "public",
        ),  # fmt: skip
    ),
)


def _frame_words(question: str) -> set[str]:
    """Words of the question's frame (see _FRAMES), lowercased as word_tokens gives them."""
    found: set[str] = set()
    text = _LEADING_LINKS.sub("", question.strip().lower())  # "and when was that announced?" as its kind is
    for pattern, words in _FRAMES:
        match = pattern.search(text)
        if match:
            found |= {w for w in words if re.search(rf"\b{w}\b", match.group(0))}
    return found


def _everyday_damping(word: str, language: str = ENGLISH) -> float:
    """An everyday word ("often", "try", "look") that the documents use rarely gets a rare word's idf,
    yet says little about the topic: its weight shrinks with its frequency, to half at Zipf 6."""
    return max(0.5, min(1.0, 1.0 - (zipf(word, language) - _COMMON_ZIPF - 1.0) / 3.0))


def zipf(word: str, language: str = ENGLISH) -> float:
    """wordfreq's Zipf frequency of a word: log10 of its count per billion words (0 if unseen), in
    English, or in `language` when keyword search has rules for it ("kostet" is everyday German, unseen
    in English). Chinese, Japanese and Korean words are looked up in English as before (wordfreq needs
    a dictionary segmenter for them).

    The "small" list (words at Zipf >= 3) gives the same values as the default large one wherever our
    thresholds (3.5, 5.5) look, checked over 8,572 English words, and takes 4 MiB of memory instead of 33.
    """
    from wordfreq import zipf_frequency

    return zipf_frequency(word, wordfreq_code(keyword_language(language)), wordlist="small")


def is_common_word(word: str, language: str = ENGLISH) -> bool:
    """A common word (Zipf >= 3.5: "take", "leads"), which a typo repair must not rewrite."""
    return zipf(word, language) >= _COMMON_ZIPF


_COMMON_ZIPF = 3.5  # about once per 300,000 words; wordfreq's docs call Zipf 3-4 "uncommon but known"
_EVERYDAY_ZIPF = 5.5  # about once per 3,000 words: "take", "put", "make"


def _join_split_words(
    words: list[str], vocabulary: Vocabulary, language: str = ENGLISH
) -> list[tuple[str, str, str]]:
    """'open ai' means 'openai' when the corpus spells it that way more often than it uses the halves.

    ("reverse proxies" stays two words in a corpus that says "reverse proxy" often and "reverseProxy" once.)
    """
    found = []
    stemming = keyword_language(language)
    stops = STOP_WORDS if language == ENGLISH else STOP_WORDS | stop_words(language)  # "de la" is no "dela"
    for left, right in zip(words, words[1:], strict=False):
        joined = stem([left + right], stemming)[0]
        if joined in vocabulary and left not in stops and right not in stops:
            halves = stem([left, right], stemming)
            if vocabulary.frequency(joined) >= min(vocabulary.frequency(h) for h in halves):
                found.append((joined, halves[0], halves[1]))
    return found


# A clause set before the question ("when forces act between objects, what law ...?", "if the lookup
# fails, how often ...?"): the question asks what its own interrogative asks, not what "when" would.
_LEADING_CLAUSE = re.compile(
    r"^(when|where|if|after|before|while|once|since)\b[^,?]*,\s*(?=(what|which|who|whom|whose|how|where|when)\b)"
)


def answer_kind(question: str, language: str = ENGLISH) -> str | None:
    """The kind of answer `question` asks for (see _ANSWER_KINDS), read by its language's interrogatives
    when it is not English (retrieval/text/languages.py `asked_kind`)."""
    if language != ENGLISH:
        return asked_kind(question, language)
    text = _LEADING_LINKS.sub("", question.strip().lower())
    text = _LEADING_CLAUSE.sub("", text, count=1)
    for kind, pattern in _ANSWER_KINDS:
        if pattern.search(text):
            return kind
    return None


_WORD = re.compile(r"\w+")
# Chat openers that say nothing about the question ("ok, and ...", "thanks! what about ...") and the words
# a follow-up links itself to the last turn with ("and when ...?"); retrieval/answering/followup.py reads
# follow-ups by the same lists.
OPENER_WORDS = r"ok|okay|thanks|thank you|great|cool|nice|right|alright|hmm+|i see"
LINK_WORDS = r"and|but|also|or|so|then|plus"
# What a question opens with before its interrogative: "and when was that announced?" asks for a time as
# "when was that announced?" does.
_LEADING_LINKS = re.compile(rf"^(({OPENER_WORDS}|{LINK_WORDS})\b[\s,.!;:-]*)+")


@lru_cache(maxsize=16384)
def _stem_word(word: str) -> str:
    """The Snowball stem of one lower-cased word (cached: the composer asks for the same words at every question)."""
    return stem([word])[0]


@lru_cache(maxsize=8192)
def stems_of(text: str, language: str = ENGLISH) -> frozenset[str]:
    """The stemmed terms of a text, and the words naming the kinds of value it shows (see _VALUE_TYPES).

    For a question in a language keyword search has rules for, the text's words are also stemmed by that
    language's rules, compounds' parts included ("Brückenturm" holds "turm"), as a question in it is.
    Cached: the composer asks for the same passage's terms once per candidate unit, and the same
    passages come back question after question (a warm answer spent most of its time here).
    """
    terms = set(stem(tokenize(text)))
    if keyword_language(language) != ENGLISH:
        terms.update(document_terms([text], language)[0])
    for pattern, names in _VALUE_TYPES:
        if pattern.search(text):
            terms.update(names)
    return frozenset(terms)


# A question names the kind of value it wants ("where is the configuration FILE?", "which DIRECTORY?",
# "the health check URL?"); documentation shows the value ("/etc/tidewater/config.toml") without the
# word. A text showing such a value holds the word for matching (stemmed as the question's words).
_VALUE_TYPES = (
    (re.compile(r"[\w-]\.(toml|ya?ml|json|conf|cfg|ini|txt|log|xml|env|properties|sh|py|crt|key|pem|sock|db)\b",
                re.IGNORECASE), ("file",)),
    (re.compile(r"(^|[\s(\"'`])(~?/[\w.-]+/|\.{1,2}/[\w.-]|[A-Za-z]:\\\w|%\w+%\\)"),
     ("path", "directori", "folder")),
    (re.compile(r"\bhttps?://\S"), ("url", "link", "address")),
    (re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"), ("email", "address")),
    # a command-line flag ("--sql", "-g", "-DWITH_MRUBY=ON") answers "which flag / option / switch?"
    (re.compile(r"(^|[\s(\"'`\[])--?[A-Za-z][\w-]*"), ("flag", "option", "switch")),
    # an environment variable's name ("FLASK_RUN_PORT", "JBANG_DIR") answers "which env var?"
    (re.compile(rf"(?<![\w-]){_ENV_NAME}"), ("env", "var", "environ", "envvar")),
)  # fmt: skip
