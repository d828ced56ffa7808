"""Follow-up questions in a conversation: is a question elliptical, and what earlier context completes it.

Pure functions over text (and, optionally, the corpus vocabulary): no model, no I/O. A question that
leans on an earlier turn ("and when was that announced?", "and on Windows?", "does it need root?")
gets the subject of that turn carried over as extra search words; a self-contained question is left
exactly as asked, so a change of topic is never polluted by the conversation before it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from retrieval.answering.question import LINK_WORDS, OPENER_WORDS, STOP_WORDS, is_common_word
from retrieval.text.tokens import stem, tokenize

# Pronouns that always point outside the question in a chat follow-up.
_PRONOUNS = frozenset(
    "it its itself they them their theirs themselves he him his himself she her hers herself".split()
)
_DEMONSTRATIVES = frozenset("that this these those".split())
# After "that", these start a clause ("says that the ...", "make sure that we ..."): not a reference.
_CLAUSE_STARTERS = frozenset(
    "the a an i we you he she it they there my our your his her their its this these those".split()
)
# Phrases referring back to earlier entities as a group or one of a group.
_REFERRING_PHRASES = re.compile(
    r"\b(the other( one)?|the two|the same|the former|the latter|both of them|either of them|one of them"
    r"|(which|that|this|the first|the second|the last) one)\b"
)
# A question that opens like this continues the previous one.
_CONTINUATIONS = re.compile(rf"^({LINK_WORDS}|what about|how about|same for|what if)\b")
# Chat openers that say nothing about the question: "ok, and ...", "thanks! what about ...".
_OPENERS = re.compile(rf"^(({OPENER_WORDS})\b[\s,.!;:-]*)+")
_OPENERS_ANY_CASE = re.compile(_OPENERS.pattern, re.IGNORECASE)
# "is it possible to ...", "is there a ...": an empty "it" / "there" that refers to nothing.
_DUMMY_IT = re.compile(
    r"\bit(?: is|'s| was)? (possible|true|safe|necessary|ok|okay|worth|recommended|allowed|better|best|"
    r"normal|required)\b|\b(is|was|will|would) it (possible|true|safe|necessary|ok|okay|worth|"
    r"recommended|allowed|better|best|normal|required)\b"
)
_EXISTENTIAL_THERE = re.compile(r"\b(is|are|was|were|will|would|could) there\b|\bthere (is|are|was|were)\b")
# "what is AGI?", "who is Satya Nadella?", "what does ECMP stand for?": a question asking what a named thing is
# (capitalised, an acronym, or holding a digit) names its subject itself, however common the name is in the
# corpus (in a small corpus about one deal, "Azure" is in most passages). "what's the default?", "what is
# better?", "what is an alternative?" ask about whatever was just discussed: those still lean on context.
_ASKS_WHAT_IT_IS = re.compile(
    r"^(?i:what|who)(?i:'s|'re| is| are| was| were) (?=[\w'-]*[A-Z0-9])\w"
    r"|^(?i:what (?:does|do)) (?=[\w'-]*[A-Z0-9])[\w'-]+(?: [\w'-]+)? (?i:mean|stand for)\b"
)
# Words that frame a question rather than name its subject: never carried to the next turn.
_FRAME_WORDS = frozenset(
    """use used uses using need needs needed happen happens happened set come comes go goes going back way work
    works want wants make makes made get gets run runs instead new kind type one two stated according article
    articles document documents role play plays able possible still ever really exactly actually""".split()
)
_AUXILIARIES = frozenset("is are was were can will does do has have should would could may must".split())
_WORD = re.compile(r"[\w'’-]+")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+\b")

CARRIED_LIMIT = 10  # words carried over from the conversation, at most
_COMMON_SHARE = 0.05  # a term in more than this share of passages names nothing specific


@dataclass(frozen=True)
class Turn:
    """One earlier question of a conversation, with what was answered and the words it was about."""

    question: str
    answer: str = ""
    abstained: bool = False
    sources: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()  # the turn's own content words
    anchor: tuple[
        str, ...
    ] = ()  # for a follow-up: the subject it carried (the thread's first question's words)


@dataclass(frozen=True)
class FollowUp:
    """A question read in its conversation: the earlier turn it leans on and the words carried from it."""

    question: str
    context: Turn | None = None
    carried: tuple[str, ...] = ()

    @property
    def is_follow_up(self) -> bool:
        return self.context is not None

    @property
    def search_text(self) -> str:
        """The question with the carried words appended: what retrieval searches for."""
        return " ".join((self.question, *self.carried)) if self.carried else self.question


def contextualise(
    question: str, history: Sequence[Turn], shares: Mapping[str, float] | None = None
) -> FollowUp:
    """Read `question` after the earlier turns `history` (oldest first).

    `shares` maps a stemmed corpus term to the share of passages holding it (None: not known).
    Elliptical questions (a pronoun or demonstrative pointing back, an opening "and"/"what about",
    or no specific content word of their own) take the subject of the earlier turn they most
    overlap with (the latest by default); any other question is returned unchanged.
    """
    if not history or not is_elliptical(question, shares):
        return FollowUp(question)
    own = set(stem(content_words(question)))
    context = _pick_context(own, history)
    names = _names_in(context) if _refers_to_people(question) else []
    carried = [w for w in (*names, *context.anchor, *context.topic) if stem([w])[0] not in own]
    return FollowUp(question, context, tuple(_dedupe(carried))[:CARRIED_LIMIT])


def is_elliptical(question: str, shares: Mapping[str, float] | None = None) -> bool:
    """Does the question lean on something said before (and so need the conversation to be understood)?

    Yes with a pronoun or demonstrative pointing back, an opening "and"/"what about", or no content word
    specific in the corpus (`shares`); no for a question asking what a named thing is ("What is AGI?").
    """
    text = _OPENERS.sub("", question.strip().lower().replace("’", "'"))
    if _CONTINUATIONS.search(text) or _REFERRING_PHRASES.search(text):
        return True
    words = _WORD.findall(text)
    if _has_reference(words, text):
        return True
    if _ASKS_WHAT_IT_IS.search(_OPENERS_ANY_CASE.sub("", question.strip().replace("’", "'"))):
        return False
    return not _names_something(question, shares)


def remember(
    follow_up: FollowUp,
    answer: str = "",
    abstained: bool = False,
    sources: Sequence[str] = (),
    asked: str | None = None,
) -> Turn:
    """The turn to store after answering: its own words, and (for a follow-up) the subject it carried.
    `asked`: the question as the user wrote it, kept as the turn's question (default: the follow-up's)."""
    topic = tuple(_dedupe(content_words(follow_up.question)))[:CARRIED_LIMIT]
    anchor: tuple[str, ...] = ()
    context = follow_up.context
    if context is not None:
        names = [w for w in follow_up.carried if w in _names_in(context)]
        anchor = tuple(_dedupe([*names, *(context.anchor or context.topic)]))[:CARRIED_LIMIT]
    question = follow_up.question if asked is None else asked
    return Turn(question, answer, abstained, tuple(sources), topic, anchor)


def remember_parts(question: str, turns: Sequence[Turn]) -> Turn:
    """The one turn to store for a message that asked several things, from its parts' turns (in order):
    the answered parts' answers and sources, every part's words, the first part's carried subject; the
    first part's turn under the whole question when no part was answered. ValueError for no turns."""
    if not turns:
        raise ValueError("a message of parts has at least one part")
    first, answered = turns[0], [t for t in turns if not t.abstained]
    if not answered:
        return replace(first, question=question)
    return Turn(
        question,
        "\n\n".join(t.answer for t in answered),
        False,
        tuple(dict.fromkeys(s for t in answered for s in t.sources)),
        tuple(dict.fromkeys(w for t in turns for w in t.topic)),
        first.anchor,
    )


def content_words(text: str) -> list[str]:
    """The question's words that name something (stop words and question-framing words out), in order."""
    return [
        w
        for w in tokenize(text)
        if len(w) > 1 and w not in STOP_WORDS and w not in _FRAME_WORDS and (not w.isdigit() or _is_year(w))
    ]


def _has_reference(words: list[str], text: str) -> bool:
    for position, word in enumerate(words):
        following = words[position + 1] if position + 1 < len(words) else ""
        if word in _PRONOUNS:
            if word == "it" and _DUMMY_IT.search(text):
                continue
            return True
        if word == "there" and not _EXISTENTIAL_THERE.search(text):
            return True
        if word in _DEMONSTRATIVES:
            if word == "that" and following in _CLAUSE_STARTERS:
                continue  # "says that the ..."
            if word == "that" and _is_relative(words, position):
                continue  # "the middleware that compresses responses": a relative clause
            return True
    return False


def _is_relative(words: list[str], position: int) -> bool:
    """ "that" after a noun, opening a clause with a verb: "the middleware that compresses responses"."""
    previous = words[position - 1] if position else ""
    rest = words[position + 1 :]
    if not previous or previous in STOP_WORDS or not rest:
        return False
    if rest[0] in _AUXILIARIES:
        return True
    return rest[0] not in STOP_WORDS and len(rest) >= 2 and rest[1] not in STOP_WORDS


def _names_something(question: str, shares: Mapping[str, float] | None) -> bool:
    """Has the question a content word specific enough to stand on its own?"""
    words = content_words(question)
    terms = stem(words)
    if not terms:
        return False
    if shares is None:
        return True
    # A word the corpus lacks still names something ("windows", "dress code"), unless it is the question's
    # only word and an everyday one ("what was the date?", "and the price?"): that asks about whatever
    # was just discussed.
    unknown = [w for w, t in zip(words, terms, strict=True) if t not in shares]
    if unknown and not (len(terms) == 1 and is_common_word(unknown[0])):
        return True
    return any(shares[t] <= _COMMON_SHARE for t in terms if t in shares) or len(terms) >= 3


def _pick_context(own: set[str], history: Sequence[Turn]) -> Turn:
    """The latest turn, unless an earlier one shares more of the question's words ("back to X: ...")."""
    best, best_overlap = history[-1], _overlap(own, history[-1])
    for turn in reversed(history[:-1]):
        overlap = _overlap(own, turn)
        if overlap > best_overlap:
            best, best_overlap = turn, overlap
    return best


def _overlap(own: set[str], turn: Turn) -> int:
    return len(own & set(stem(list(turn.topic))))


def _refers_to_people(question: str) -> bool:
    """ "he", "her", "the other one", "which of the two": the people an earlier answer named."""
    text = question.lower()
    return bool({"he", "him", "his", "she", "her", "hers"} & set(_WORD.findall(text))) or bool(
        _REFERRING_PHRASES.search(text)
    )


def _names_in(turn: Turn) -> list[str]:
    """People named in an earlier answer that its question did not name ("Who is X's CEO?" -> the name)."""
    if turn.abstained or not turn.answer:
        return []
    asked = set(tokenize(turn.question))
    names = []
    for match in _NAME.finditer(turn.answer):
        words = tokenize(match.group(0))
        if not set(words) <= asked:
            names.extend(words)
    return _dedupe(names)[:4]


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and word[:2] in ("19", "20")


def _dedupe(words: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for word in words:
        key = stem([word])[0]
        if key not in seen:
            seen.add(key)
            kept.append(word)
    return kept
