"""Reads a chat message as people paste it: what it asks, and the distinctive lines of what it pastes.

A message may hold a log excerpt, a stack trace, a shell session or a long story with the error in the
middle. Searching every token of it (or embedding its first 256 word pieces) finds the timestamps and
the user's file paths; this module keeps what a person would search for: the question sentence(s) and
the error lines (exception type and message, error codes, quoted error strings), scrubbed of
timestamps, hex addresses, paths and line numbers. A plain question comes back exactly as typed.

It also splits a message asking several things ("what's X and when does Y close?", "1) ... 2) ...",
two question marks) into its parts, conservatively.

The patterns are hand-written: no library parses free text that mixes prose with tracebacks and log
lines of any program (the stdlib `traceback` module formats tracebacks, it does not read them, and log
parsers such as `logparser` need the log's format up front). Each pattern names the format it reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.text.sentences import split_sentences

WINDOW_WORDS = 150  # words searched at most: all-MiniLM-L6-v2 reads 254 word pieces (+[CLS], [SEP]),
# and technical English runs ~1.3-1.6 pieces a word (tests/retrieval/test_pasted.py measures it)
LONG_WORDS = 60  # a message longer than this is read for its question and error sentences
MOST_DISTINCTIVE = 6  # distinctive lines kept from a paste, at most
MOST_PARTS = 5  # questions answered from one message, at most

# -- what pasted material looks like, line by line ---------------------------------------------------
_FENCE = re.compile(r"^\s*(```|~~~)")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIMESTAMP = re.compile(
    r"\d{4}[-/]\d{2}[-/]\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"  # ISO 8601
    rf"|\b{_MONTH}\s+\d{{1,2}}\s+\d{{2}}:\d{{2}}:\d{{2}}"  # syslog "Jan  2 10:11:12"
    r"|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"  # a bare time
    r"|\b\d{10}(?:\.\d+)?\b"  # a Unix time
)
_LOG_START = re.compile(
    rf"^\s*\[?(?:\d{{4}}[-/]\d{{2}}[-/]\d{{2}}|{_MONTH}\s+\d{{1,2}}\s+\d{{2}}:|\d{{2}}:\d{{2}}:\d{{2}}|\d{{10}})"
    r"|^\s*\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERRO|ERR|FATAL|CRIT|CRITICAL|PANIC|SEVERE)\b"
    r"|^\s*[IWEF]\d{4} \d{2}:\d{2}"  # glog "E0102 10:11:12.123456"
)
_LOGFMT_PAIR = re.compile(r"(?<![\w.])[\w.]+=(?:\"(?:[^\"\\]|\\.)*\"|\S+)")
_FRAME = re.compile(
    r"^\s*File \".*\", line \d+"  # Python
    r"|^\s*Traceback \(most recent call last\):"
    r"|^\s*(During handling of the above exception|The above exception was the direct cause)"
    r"|^\s*at [\w$.<>/\[\]-]+ ?\(.*\)\s*$|^\s*at \S+:\d+:\d+\s*$"  # Java, JavaScript
    r"|^\s*\.\.\. \d+ (more|common frames omitted)"
    r"|^\s*goroutine \d+ \[|^\s*\S+\.go:\d+"  # Go
    r"|^\s*\d+: +0x[0-9a-f]+|^\s*\d+: [\w:<>]+$|^\s*at \S+\.rs:\d+"  # Rust
)
_SHELL = re.compile(r"^\s*(?:\$|%|>>>|\.\.\.|PS [^>]*>|[\w.-]+@[\w.-]+:\S*[$#])\s")
_JSON = re.compile(r"^\s*(?:[{\[]\s*(?:\"|$|[{\[])|\"[^\"]+\"\s*:|[}\]],?\s*$)")
# An error line: "ValueError: ...", "java.lang.IllegalStateException: ...", "Caused by: ...",
# "panic: ...", "error[E0382]: ...", "Error: ...", "fatal: ...".
_ERROR_LINE = re.compile(
    r"^\s*(?:Caused by:\s*)?(?:[\w$]+\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning|Fault|Failure)\b"
    r"(?::\s*\S.*)?\s*$"
    r"|^\s*(?:panic|fatal|error|Error|ERROR|FATAL|Fatal|E)(?:\[\w+\])?:\s+\S"
)
_ERROR_WORDS = re.compile(
    r"\b(error|errors|err|fail|failed|failure|fatal|panic|unable|cannot|can't|couldn't|denied|refused|"
    r"invalid|timeout|timed out|exception|not found|no such|unknown|unexpected|missing|forbidden)\b",
    re.IGNORECASE,
)
_LOUD_LEVEL = re.compile(
    r"\b(?:WARN|WARNING|ERROR|ERRO|ERR|FATAL|CRIT|CRITICAL|PANIC|SEVERE)\b|\blevel=(?:warn|error|fatal|crit)",
    re.IGNORECASE,
)
_CODES = re.compile(
    r"\b[A-Z]{2,}-\d{3,}\b|\bE\d{4}\b|\bE(?!RROR\b|XCEPTION\b)[A-Z]{3,}\b"  # ORA-00942, E0382, EACCES / ECONNREFUSED
    r"|\b(?:HTTP|status|code|errno)[ :=/]*\d{3}\b",  # HTTP 503, status=404, errno 13
)
_MESSAGE_KEYS = ("msg", "message", "err", "error", "reason")  # logfmt keys whose values are the error

# -- what is scrubbed from a distinctive line: what only the user's machine knows --------------------
_SCRUB = re.compile(
    _TIMESTAMP.pattern
    + r"|\b0x[0-9a-fA-F]+\b"  # addresses
    + r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"  # ids
    + r"|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"  # IPv4 addresses
    + r"|(?<![\w/])(?:[A-Za-z]:)?(?:~|\.{1,2})?[\\/](?:[\w.@+-]+[\\/])+[\w.@+-]*(?::\d+)*"  # paths (2+ parts)
    + r"|\bline \d+\b|\[\d+\]|\bpid[ =]\d+"  # line numbers, process ids
)
_LEVEL_WORD = re.compile(
    r"^\W*(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERRO|ERR|FATAL|CRIT|CRITICAL|PANIC|SEVERE)\b\W*"
)
_NOISE_KEYS = re.compile(r"\b(?:ts|time|t|caller|level|lvl|logger|component|source|file|line|pid|tid)=\S+")

# -- prose -----------------------------------------------------------------------------------------
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_QUESTION_START = re.compile(
    r"^\W*(what|what's|whats|when|where|who|whom|whose|which|why|how|is|are|was|were|do|does|did|can|could|"
    r"should|would|will|shall|may|has|have|any(one|body)? know|any idea)\b",
    re.IGNORECASE,
)
_INLINE_CODE = re.compile(r"`[^`]+`|\"[^\"]{4,}\"|'[^']{8,}'")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Message:
    """A message as read for searching: what it asks, the distinctive lines of what it pastes, and how
    much of it was read.

    `search_text` is what is embedded and keyword-searched (a plain question: the question itself, on
    one line); `words_read` is set when even that had to be cut to the encoder's window, and then
    `words` counts the words it had before the cut.
    """

    search_text: str
    question: str  # the question sentence(s), on one line
    distinctive: tuple[str, ...] = ()  # error lines, scrubbed; exception types, codes
    pasted: bool = False  # the message holds pasted material (code, log, traceback, shell, JSON)
    words: int = 0
    words_read: int | None = None

    @property
    def reduced(self) -> bool:
        """Whether the message is searched by less than all it says (its question and error lines)."""
        return self.pasted or self.words_read is not None or self.search_text != self.question


def read_message(text: str) -> Message:
    """`text` (newlines kept) read for searching. A message of a few prose lines is the same message on
    one line ("\\n" -> " "), exactly as the question was searched before pasted messages were read."""
    flat = text.replace("\n", " ")
    prose, paste = _split_lines(text)
    words = len(_WORD.findall(flat))
    amid = None if paste or words > LONG_WORDS else _question_amid_other_talk(flat)
    if not paste and words <= LONG_WORDS and amid is None:
        return Message(flat, flat, words=words)
    if amid is not None:  # cut as the decision cut it
        sentences, asking = amid
    else:
        sentences = _sentences(" ".join(prose))
        asking = [s for s in sentences if _asks(s)]
    distinctive = _distinctive(paste) if paste else ()
    if paste:
        question = " ".join(asking or sentences)
    else:  # a long message, or a question amid other talk: its questions, and the sentences that carry the error
        telling = [s for s in sentences if _tells_error(s) and s not in asking]
        question = " ".join(asking) if asking else ""
        distinctive = tuple(dict.fromkeys(f for s in telling for f in _error_fragments(s)))
        names = _names(s for s in sentences if s not in asking and s not in telling)
        if question and names:
            question = f"{question} ({' '.join(names)})"
        if not question and not distinctive:
            question = flat
    lines = [question, *distinctive] if question else list(distinctive)
    searched = "\n".join(line for line in lines if line) or flat
    total = len(_WORD.findall(searched))
    if total > WINDOW_WORDS:
        searched = _first_words(searched, WINDOW_WORDS)
        return Message(searched, question, distinctive, bool(paste), total, WINDOW_WORDS)
    return Message(searched, question, distinctive, bool(paste), total)


def question_parts(text: str) -> list[str]:
    """The separate questions a message asks, in order; `[text]` when it asks one thing (or pastes
    something: a paste belongs to its question). Split only where each part is a question of its own:
    numbered questions ("1) ... 2) ..."), several sentences ending in "?", or two clauses each opening
    with a question word and a verb ("what's X and when does Y close?"). At most MOST_PARTS."""
    if _split_lines(text)[1]:
        return [text]
    flat = " ".join(text.split())
    parts = _numbered(flat) or _question_marks(flat) or [flat]
    split = [piece for part in parts for piece in _conjoined(part)]
    if len(split) < 2 or len(split) > MOST_PARTS:
        return [text]
    return split


# -- lines ------------------------------------------------------------------------------------------
def _split_lines(text: str) -> tuple[list[str], list[str]]:
    """(prose lines, pasted lines): fenced blocks, and lines that look like a log, a stack, a shell or
    JSON, with the indented lines that follow them (a traceback's source lines)."""
    prose: list[str] = []
    paste: list[str] = []
    fenced = False
    after_paste = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            after_paste = fenced
            rest = _FENCE.sub("", line, count=1).strip()
            if rest and not re.fullmatch(r"[\w+-]+", rest):  # ```some text``` on one line
                paste.append(rest.strip("`~"))
            continue
        indented = bool(re.match(r"^(\t| {2,})\S", line))
        if fenced or _looks_pasted(line) or (after_paste and (indented or _ERROR_LINE.match(line))):
            paste.append(line)
            after_paste = True
        elif line.strip():
            prose.append(line.strip())
            after_paste = False
    return prose, paste


def _looks_pasted(line: str) -> bool:
    if not line.strip():
        return False
    if _FRAME.match(line) or _SHELL.match(line) or _ERROR_LINE.match(line) or _LOG_START.match(line):
        return True
    if _JSON.match(line):
        return True
    return len(_LOGFMT_PAIR.findall(line)) >= 3  # logfmt: ts=... level=error msg="..."


def _distinctive(paste: list[str]) -> tuple[str, ...]:
    """The lines of a paste a person would search for: error lines and loud log records, scrubbed;
    then error codes found elsewhere in it. At most MOST_DISTINCTIVE, the last error first kept."""
    found: list[str] = []
    for line in paste:
        if _FRAME.match(line) or _SHELL.match(line):
            continue
        if _ERROR_LINE.match(line):
            found.append(_scrub(re.sub(r"^\s*Caused by:\s*", "", line)))
        elif _LOG_START.match(line) or len(_LOGFMT_PAIR.findall(line)) >= 3:
            if _LOUD_LEVEL.search(line) or _ERROR_WORDS.search(_without_level(line)):
                found.append(_log_message(line))
    codes = [c for line in paste for c in _CODES.findall(line)]
    kept = list(dict.fromkeys(line for line in found if len(re.findall(r"[^\W\d_]{2,}", line)) >= 1))
    if len(kept) > MOST_DISTINCTIVE:  # a Python traceback's last line is its error: keep the last ones
        kept = kept[-MOST_DISTINCTIVE:]
    shown = " ".join(kept)
    kept += [c for c in dict.fromkeys(codes) if c not in shown][: max(0, MOST_DISTINCTIVE - len(kept))]
    return tuple(kept)


def _without_level(line: str) -> str:
    """A log record without its timestamp, level, bracketed thread/logger names and "logger - " lead."""
    line = _LEVEL_WORD.sub("", _TIMESTAMP.sub(" ", line).lstrip(" []"))
    line = re.sub(r"\[[^\]]*\]|^[^\]\s]*\]", " ", line)
    return re.sub(r"^\s*[\w.$]+\s+-\s+", "", line)


def _log_message(line: str) -> str:
    """A log record's message: logfmt's msg/err values when it has them, else the line without its
    timestamp, level and noise keys; scrubbed."""
    pairs = dict(
        (key, value.strip('"'))
        for key, value in re.findall(r"(?<![\w.])([\w.]+)=(\"(?:[^\"\\]|\\.)*\"|\S+)", line)
    )
    said = [pairs[key] for key in _MESSAGE_KEYS if key in pairs]
    if said:
        return _scrub(" ".join(said))
    return _scrub(_NOISE_KEYS.sub(" ", _without_level(line)))


def _scrub(line: str) -> str:
    """`line` without what only the user's machine knows: timestamps, addresses, paths, line numbers."""
    line = _SCRUB.sub(" ", line)
    line = re.sub(r"^[\s\[\]():,;|-]+", "", line)
    return " ".join(line.split())


# -- prose ------------------------------------------------------------------------------------------
def _sentences(prose: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(prose) if s.strip()]


def _asks(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or bool(_QUESTION_START.match(sentence))


def _question_amid_other_talk(flat: str) -> tuple[list[str], list[str]] | None:
    """(sentences, the asking ones) of a short message holding a question and sentences that ask nothing
    ("Hi team, I was reading the news ... How much did Microsoft invest?", "how long did the outage last?
    I get ConnectionRefusedError"), to be read like a long one: by its question, the error it tells and
    the names it gives, so greetings and circumstances do not weigh as the question's words. None for
    any other short message, which is searched as written."""
    # Sentences as the index cuts them (abbreviations such as "St." or "u.s." end none); the question is
    # the ones ending in "?".
    sentences = [flat[start:end].strip() for start, end in split_sentences(flat)]
    asking = [s for s in sentences if s.endswith("?")]
    if not asking or len(asking) == len(sentences):
        return None
    question = " ".join(asking)
    # A question that leans on the other sentences ("I use Docker. How do I install it?", "Microsoft
    # invested. Why?") is read whole, as before.
    if len(_WORD.findall(question)) < 4 or _POINTS_BACK.search(question):
        return None
    return sentences, asking


_POINTS_BACK = re.compile(
    r"\b(it|its|this|that|these|those|they|them|their|he|she|him|her|there)\b", re.IGNORECASE
)


def _names(sentences) -> list[str]:
    """The names the other sentences give, kept with the question ("We run Traefik 3. How do I set the
    timeout?" asks about Traefik): words capitalised inside a sentence or holding a digit, dot or
    underscore, that are not common English words (wordfreq's Zipf < 3.5: "Monday", "Hi" are common)."""
    from retrieval.answering.question import is_common_word  # wordfreq's lists: loaded only when needed

    found: list[str] = []
    for sentence in sentences:
        for position, word in enumerate(_WORD.findall(sentence)):
            word = word.strip(".,;:!?()[]\"'")
            named = (position > 0 and word[:1].isupper()) or any(c.isdigit() or c in "._" for c in word)
            if named and len(word) > 1 and not is_common_word(word.lower()) and word not in found:
                found.append(word)
    return found


def _tells_error(sentence: str) -> bool:
    """A sentence of a long message that carries the error: quoted or inline code, an exception's name,
    an error code or an error word."""
    return bool(
        _INLINE_CODE.search(sentence)
        or re.search(r"\b\w*(Error|Exception)\b", sentence)
        or _CODES.search(sentence)
        or _ERROR_WORDS.search(sentence)
    )


_EXCEPTION_IN_PROSE = re.compile(
    r"(?<![\w$.])(?:[\w$]+\.)*[A-Z]\w*(?:Error|Exception)\b(?::\s*.*?)?"
    r"(?=\s+(?:and|but|then|which|so|when|while|after|before)\b|[,;!?]|\.(?:\s|$)|$)"
)


def _error_fragments(sentence: str) -> list[str]:
    """The error a sentence of prose tells: an exception with its message ("ValueError: could not
    convert string to float"), quoted or inline-code text, error codes; else the whole sentence."""
    found = [m.group(0).strip() for m in _EXCEPTION_IN_PROSE.finditer(sentence)]
    found += [m.group(0).strip("`\"'") for m in _INLINE_CODE.finditer(sentence)]
    found += [c for c in _CODES.findall(sentence) if not any(c in f for f in found)]
    return [_scrub(f) for f in found if f.strip()] or [sentence]


def _first_words(text: str, count: int) -> str:
    """The first `count` words of `text`, its line breaks kept."""
    matches = list(_WORD.finditer(text))
    return text if len(matches) <= count else text[: matches[count - 1].end()]


# -- several questions --------------------------------------------------------------------------------
_NUMBERED = re.compile(r"(?:^|(?<=[\s?.:;]))\(?(\d)[.)]\s+")
_WH = r"(?:what|what's|whats|when|where|who|which|why|how)"
_VERBS = r"(?:is|are|was|were|do|does|did|can|could|should|would|will|has|have)"
_AUX = rf"(?:{_VERBS}|'s|’s)"
_ASKED = rf"{_WH}\b(?:\s+(?:many|much|long|often|old|big|large|tall|far|fast|high|soon|early|late))?\s*{_AUX}\b"  # "when does", "how many are", "what's"
_CONJOINED = re.compile(rf"(?:,?\s+(?:and|but|also|plus)\s+|\s*;\s*)(?={_ASKED})", re.IGNORECASE)
_OPENS_QUESTION = re.compile(rf"^\W*(?:{_WH}|{_VERBS})\b", re.IGNORECASE)


def _numbered(text: str) -> list[str] | None:
    """ "1) what is X? 2) when is Y?" -> its questions, when they are numbered 1, 2, ... in order."""
    marks = list(_NUMBERED.finditer(text))
    numbers = [int(m.group(1)) for m in marks]
    if len(marks) < 2 or numbers != list(range(1, len(marks) + 1)):
        return None
    bounds = [m.start() for m in marks] + [len(text)]
    parts = [text[marks[i].end() : bounds[i + 1]].strip() for i in range(len(marks))]
    # "1) I ran X 2) it failed, why?" numbers steps, not questions: every part must ask
    return parts if all(len(p.split()) >= 2 and _asks(p) for p in parts) else None


def _question_marks(text: str) -> list[str] | None:
    """Several sentences ending in "?": each a part, a statement before one kept with it."""
    sentences = _sentences(text)
    if sum(s.endswith("?") for s in sentences) < 2:
        return None
    parts: list[str] = []
    pending: list[str] = []
    for sentence in sentences:
        pending.append(sentence)
        if sentence.endswith("?"):
            parts.append(" ".join(pending))
            pending = []
    if pending:
        parts[-1] = " ".join([parts[-1], *pending])
    return parts if all(len(p.split()) >= 3 for p in parts) else None


def _conjoined(question: str) -> list[str]:
    """ "what's X and when does Y close?" -> ["what's X?", "when does Y close?"]: split where the
    second clause opens with a question word and a verb, the first is a question of 3+ words."""
    pieces = [p.strip(" ,;") for p in _CONJOINED.split(question) if p and p.strip(" ,;")]
    if len(pieces) < 2 or not all(_OPENS_QUESTION.match(p) and len(p.split()) >= 3 for p in pieces):
        return [question]
    return [p if p.endswith("?") else p.rstrip(" .!") + "?" for p in pieces]
