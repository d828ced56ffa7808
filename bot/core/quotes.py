"""How a citation's excerpt is shown beside an answer, the same on every platform.

An excerpt keeps the passage's line structure: a table row, a YAML key or a line of code stays on its
own line, with its indent, because "key: value" flattened into one line beside its parent key is
another config. Adapters decide the marks (a code block, a `>` per line, indented lines in a terminal);
what the lines are, whether an excerpt only repeats the answer, and how it is cut to a length are
decided here once.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"\[\d+\]")
_WORD = re.compile(r"\w+")
OPENING_QUOTES = "“\"‘«„'"
CLOSING_QUOTES = "”\"’»'"


def excerpt_lines(passage: str) -> str:
    """The passage's non-blank lines, spaces inside each collapsed, each line's indent kept."""
    lines = []
    for line in passage.split("\n"):
        if not line.strip():
            continue
        expanded = line.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip())
        lines.append(" " * indent + " ".join(expanded.split()))
    return "\n".join(lines)


def repeats(answer_text: str, excerpt: str) -> bool:
    """The excerpt says nothing the answer does not: the words of each of its lines, in order, are a run
    of the answer's words ([n] markers, punctuation, case and a leading "…" aside; a script's lead-in
    repeated at the top of each of its passages is said once in the answer). Such an excerpt is not
    shown beside the answer: the answer *is* that quote, and the citation still names its source and lines."""
    said = f" {_words(_MARKER.sub(' ', answer_text))} "
    lines = [_words(line) for line in excerpt.split("\n")]
    lines = [line for line in lines if line]
    return bool(lines) and all(f" {line} " in said for line in lines)


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def is_code_like(excerpt: str) -> bool:
    """Lines whose indent is part of their meaning (YAML, code): shown as a code block where there is one."""
    lines = excerpt.split("\n")
    return len(lines) > 1 and any(line[:1].isspace() for line in lines)


def quote_marks(text: str) -> tuple[str, str]:
    """The opening and closing marks to put around an excerpt: none where it already opens with a
    quotation mark (a quoted line must not read “ “...), and no closing mark then if it ends with one."""
    if text[:1] in OPENING_QUOTES:
        return "", "" if text[-1:] in CLOSING_QUOTES else "”"
    return "“", "”"


# A line that does not fit whole after the lines before it is shown cut at a word when at least this
# many characters of it fit: a long paragraph after a short one is often the cited sentence, and a lone
# "…" in its place would hide what the citation's lines name.
MIN_CUT_LINE_CHARS = 40


def cut_lines(text: str, limit: int) -> str:
    """At most `limit` characters of `text`, in whole lines ending with "…" when any is left out; the
    first line that does not fit whole is cut at a word (`cut_line`) when at least MIN_CUT_LINE_CHARS of
    it fit, else left out. One-line text is cut as before (see `cut_line`)."""
    if len(text) <= limit:
        return text
    if "\n" not in text:
        return cut_line(text, limit)
    kept: list[str] = []
    size = 0
    for line in text.split("\n"):
        if size + len(line) + 1 > limit - 2:
            room = limit - size
            if room >= MIN_CUT_LINE_CHARS and " " in line[: room - 2]:
                kept.append(cut_line(line, room))
                return "\n".join(kept)
            break
        kept.append(line)
        size += len(line) + 1
    if not kept:
        return cut_line(text.split("\n")[0], limit)
    return "\n".join(kept) + "\n…"


def cut_line(text: str, limit: int) -> str:
    """One line cut to `limit` characters at a sentence end past half of it, else at a word, with " …"."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 2, 1)]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    if end > limit // 2:
        return cut[: end + 1] + " …"
    word = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return word + " …"
