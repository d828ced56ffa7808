"""Slack rendering: core replies -> Block Kit blocks plus an escaped plain-text fallback, within Slack's limits.

Pure functions, no SDK imports. Every piece of document or user text goes through `escape`, so nothing a
document says can become a link, a mention (<!channel>, <@U…>, <#C…>, <!subteam…>) or break our markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot import messages
from bot.core.models import (
    Answer,
    Citation,
    DocumentView,
    HelpText,
    Notice,
    PassageView,
    Reply,
    SourceList,
    SourceLookup,
)
from bot.core.replies import Renderers

SECTION_CHARS = 3000  # section text, and each context element
MAX_BLOCKS = 50
BUTTON_VALUE_CHARS = 2000
BUTTON_TEXT_CHARS = 75
ACTIONS_PER_BLOCK = 25
FALLBACK_CHARS = 3000  # Slack accepts more, but notifications show a few lines
QUOTE_CHARS = 300
TITLE_CHARS = 200
URL_CHARS = 1500
SNIPPET_CHARS = 140
MAX_CITATIONS = 20
MAX_HITS = 20

ACTION_SHOW_PASSAGE = "citebot_show_passage"  # + "_<n>": ids are unique within a message
ACTION_VOTE_UP = "citebot_vote_up"
ACTION_VOTE_DOWN = "citebot_vote_down"
SHOW_PASSAGE_ACTION = re.compile(rf"^{ACTION_SHOW_PASSAGE}(_\d+)?$")
VOTE_ACTION = re.compile(r"^citebot_vote_(up|down)$")

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SlackMessage:
    """What chat.postMessage and respond() take: blocks, and the fallback `text` for notifications."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


# -- text ------------------------------------------------------------------------------------------
def escape(text: str) -> str:
    """Slack's three control characters as entities: the only escaping mrkdwn needs, and all it takes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack sends user text with & < > escaped; the command table wants what the user typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit to sit inside <url|title>, or None (then the title is shown alone)."""
    if not url or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    if len(url) > URL_CHARS:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return escape(url).replace("|", "%7C")


def link(url: str | None, title: str) -> str:
    """`<url|title>`, or the escaped title alone when there is no usable URL."""
    label = fit(title, TITLE_CHARS) or "untitled"
    target = safe_url(url)
    return f"<{target}|{label}>" if target else label


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, ending at a sentence boundary when one is near, else a word, with '…'."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit < 4:
        return "…" if limit > 0 else ""
    end = _boundary(text, limit - 2, ellipsis=True)
    return text[:end].rstrip() + " …"


def fit(text: str, limit: int) -> str:
    """`cut` then `escape`, so that the escaped text (which grows) still fits `limit`."""
    budget = limit
    while True:
        escaped = escape(cut(text, budget))
        if len(escaped) <= limit:
            return escaped
        budget = min(budget - 1, budget * limit // len(escaped))


def split(text: str, limit: int) -> list[str]:
    """The whole text as escaped pieces of at most `limit` characters, broken at sentences where possible."""
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        budget = limit
        while True:
            end = _boundary(rest, budget, ellipsis=False)
            piece = escape(rest[:end].strip())
            if len(piece) <= limit:
                break
            budget = min(budget - 1, budget * limit // len(piece))
        pieces.append(piece)
        rest = rest[end:].strip()
    return pieces


def _boundary(text: str, budget: int, ellipsis: bool) -> int:
    """Where to end text[:index] (index <= budget): after a sentence, else at a space, else at budget."""
    if len(text) <= budget:
        return len(text)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, budget + 1)]
    if ends and ends[-1] >= budget // 3:
        return ends[-1]
    space = text.rfind(" ", 0, budget + (0 if ellipsis else 1))
    if space >= budget // 3:
        return space
    return max(1, budget)


def excerpt(passage: str, quote: str = "") -> str:
    """The passage on one line, starting at the sentence the answer quoted when that lies further in."""
    text = _one_line(passage)
    start = text.find(_one_line(quote)[:40]) if quote.strip() else -1
    if start > QUOTE_CHARS // 2:
        return "… " + text[start:]
    return text


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# -- blocks ----------------------------------------------------------------------------------------
def _with_code(escaped: str, code: tuple[str, ...]) -> str:
    """Quoted commands and config shown as code blocks (mrkdwn ```), each kept whole or not marked."""
    for snippet in code:
        inner = escape(snippet)
        if inner in escaped and "```" not in inner:
            escaped = escaped.replace(inner, f"```{inner}```", 1)
    return escaped


def _section(text: str, accessory: dict[str, Any] | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}
    if accessory:
        block["accessory"] = accessory
    return block


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text or " "}]}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any] | None:
    """A button, or None when its value would not fit (Slack would reject the whole message)."""
    if not value or len(value) > BUTTON_VALUE_CHARS:
        return None
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": cut(label, BUTTON_TEXT_CHARS), "emoji": True},
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _actions(block_id: str, buttons: Iterable[dict[str, Any] | None]) -> list[dict[str, Any]]:
    elements = [b for b in buttons if b][:ACTIONS_PER_BLOCK]
    return [{"type": "actions", "block_id": block_id, "elements": elements}] if elements else []


def _capped(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most MAX_BLOCKS, the last one saying how many were left out."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    kept = blocks[: MAX_BLOCKS - 1]
    return kept + [_context(escape(messages.slack_omitted(len(blocks) - len(kept))))]


def _packed(lines: Sequence[str], limit: int = SECTION_CHARS) -> list[str]:
    """Escaped lines joined into as few texts of at most `limit` characters as will hold them."""
    texts: list[str] = []
    current = ""
    for line in lines:
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        if current and len(current) + 1 + len(line) > limit:
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        texts.append(current)
    return texts


def _fallback(parts: Iterable[str]) -> str:
    """The plain `text` shown in notifications and by clients without blocks; escaped, never empty."""
    text = "\n".join(p for p in parts if p)
    return fit(text, FALLBACK_CHARS) or " "


# -- replies ---------------------------------------------------------------------------------------
def render(reply: Reply) -> SlackMessage:
    """Any reply, as a Slack message (text + blocks)."""
    return _RENDERERS.render(reply)


def render_answer(answer: Answer) -> SlackMessage:
    """The answer with [n] markers, a context block per citation, Show-passage and 👍/👎 buttons."""
    cited = answer.see_also if answer.abstained else answer.citations
    shown = cited[:MAX_CITATIONS]
    lead = answer.text + (f"\n{messages.ABSTAIN_SEE_ALSO}" if answer.abstained and shown else "")
    blocks = [_section(_with_code(fit(lead, SECTION_CHARS), answer.code))]
    if answer.context:  # a follow-up says which earlier question of the thread it was read with
        blocks.insert(0, _context(fit(messages.follow_up_context(answer.context), SECTION_CHARS)))
    blocks += [_context(_citation_text(c)) for c in shown]
    if len(cited) > len(shown):
        blocks.append(_context(escape(messages.slack_omitted(len(cited) - len(shown)))))
    blocks += _actions(
        "citebot_passages",
        (
            _button(messages.slack_show_passage(c.number), f"{ACTION_SHOW_PASSAGE}_{c.number}", c.passage_id)
            for c in shown
        ),
    )
    if answer.answer_id:
        blocks += _actions(
            "citebot_feedback",
            (
                _button(messages.SLACK_VOTE_UP, ACTION_VOTE_UP, answer.answer_id),
                _button(messages.SLACK_VOTE_DOWN, ACTION_VOTE_DOWN, answer.answer_id),
            ),
        )
    heading = messages.ABSTAIN_SEE_ALSO if answer.abstained else messages.SLACK_SOURCES_HEADER
    references = [_citation_plain(c) for c in shown]
    return SlackMessage(_fallback([answer.text, heading if references else "", *references]), _capped(blocks))


def _citation_text(citation: Citation) -> str:
    quote = fit(excerpt(citation.passage, citation.quote), QUOTE_CHARS)
    where = citation.location.describe()
    if citation.also_in:
        where += f" ({messages.also_in(list(citation.also_in))})"
    return f"*[{citation.number}]* {link(citation.url, citation.title)}\n“{quote}”\n{fit(where, TITLE_CHARS)}"


def _citation_plain(citation: Citation) -> str:
    url = f" ({citation.url})" if safe_url(citation.url) else ""
    return f"[{citation.number}] {_one_line(citation.title)[:TITLE_CHARS]}{url}"


def render_lookup(lookup: SourceLookup) -> SlackMessage:
    """`/source ID`: the full passage (split across sections), or a document and its passages."""
    if lookup.passage:
        view = lookup.passage
        blocks = [_section(f"*{link(view.url, view.title)}*  {_code(view.passage_id)}")]
        blocks += [_section(piece) for piece in split(view.text, SECTION_CHARS)]
        blocks.append(_context(fit(_where(view), SECTION_CHARS)))
        return SlackMessage(_fallback([view.title, view.text]), _capped(blocks))
    if lookup.document:
        document = lookup.document
        blocks = [_section(_document_line(document))]
        lines = [
            f"{_code(p.passage_id)} {fit(_one_line(p.text), SNIPPET_CHARS)}" for p in lookup.document_passages
        ]
        blocks += [_section(text) for text in _packed(lines)]
        return SlackMessage(_fallback([document.title, document.source]), _capped(blocks))
    return render_notice(Notice(messages.unknown_source(lookup.query, [])))


def render_list(listing: SourceList) -> SlackMessage:
    """`/sources`: every document, or the best passages for the words given."""
    if listing.query is None:
        if not listing.documents:
            return render_notice(Notice(messages.NO_DOCUMENTS, is_error=False))
        header = messages.slack_documents(len(listing.documents))
        lines = [f"• {_document_line(d)}" for d in listing.documents]
        blocks = [_section(escape(header))] + [_section(text) for text in _packed(lines)]
        plain = [header] + [f"• {d.title} ({d.source})" for d in listing.documents]
        return SlackMessage(_fallback(plain), _capped(blocks))
    if not listing.hits:
        return render_notice(Notice(messages.NO_HITS, is_error=False))
    header = messages.slack_best_passages(listing.query)
    blocks = [_section(fit(header, SECTION_CHARS))]
    hits = listing.hits[:MAX_HITS]
    for number, hit in enumerate(hits, 1):
        button = _button(
            messages.slack_show_passage(number), f"{ACTION_SHOW_PASSAGE}_{number}", hit.passage_id
        )
        text = f"*{link(hit.url, hit.title)}*  {_code(hit.passage_id)}\n“{fit(_one_line(hit.text), QUOTE_CHARS)}”"
        blocks.append(_section(text, button))
        blocks.append(_context(fit(_where(hit), SECTION_CHARS)))
    plain = [header] + [f"• {h.passage_id}: {_one_line(h.text)[:SNIPPET_CHARS]}" for h in hits]
    return SlackMessage(_fallback(plain), _capped(blocks))


def _document_line(document: DocumentView) -> str:
    summary = messages.slack_document_summary(document.source, document.passage_count, document.date)
    return f"*{link(document.url, document.title)}*  {fit(summary, TITLE_CHARS)}"


def _where(view: PassageView) -> str:
    where = view.location.describe()  # hits come best first; a fusion score would mean nothing to a reader
    if view.also_in:
        where += f" ({messages.also_in(list(view.also_in))})"
    return where


def _code(text: str) -> str:
    """An id as a code span; a backtick inside would end the span early."""
    plain = _one_line(text).replace("`", "'")
    return f"`{fit(plain, TITLE_CHARS)}`"


def render_help(help_text: HelpText) -> SlackMessage:
    """The commands, less /help: in Slack that name belongs to Slack itself."""
    lines = [f"`{escape(c.usage)}`  {escape(c.summary)}" for c in help_text.commands if c.name != "help"]
    blocks = [_section(text) for text in _packed([escape(messages.SLACK_HELP_INTRO), *lines])]
    plain = [messages.SLACK_HELP_INTRO] + [c.usage for c in help_text.commands if c.name != "help"]
    return SlackMessage(_fallback(plain), _capped(blocks))


def render_notice(notice: Notice) -> SlackMessage:
    text = fit(notice.text, SECTION_CHARS - 10)
    shown = f":warning: {text}" if notice.is_error else text
    return SlackMessage(_fallback([notice.text]), [_section(shown)])


_RENDERERS = Renderers(render_answer, render_lookup, render_list, render_help, render_notice)
