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
from bot.core.quotes import cut_lines, is_code_like, quote_marks
from bot.core.replies import Renderers, mark_inline_code

SECTION_CHARS = 3000  # section text, and each context element
MAX_BLOCKS = 50
MESSAGE_CHARS = 40_000  # a message's `text`
HEADER_CHARS = 150  # header block plain_text
CONTEXT_ELEMENTS = 10
ID_CHARS = 255  # block_id, action_id
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
    """Any reply, as a Slack message (text + blocks), every Block Kit limit checked after all formatting."""
    return within_limits(_RENDERERS.render(reply))


def within_limits(message: SlackMessage) -> SlackMessage:
    """The message with every text, list and id inside Slack's limits (the renderers aim to stay within
    them; this is the net under them, so Slack never answers invalid_blocks or msg_too_long)."""
    blocks = [_block_within_limits(b) for b in message.blocks]
    return SlackMessage(clip_mrkdwn(message.text, MESSAGE_CHARS) or " ", _capped(blocks))


def _block_within_limits(block: dict[str, Any]) -> dict[str, Any]:
    block = dict(block)
    kind = block.get("type")
    if "block_id" in block:
        block["block_id"] = str(block["block_id"])[:ID_CHARS]
    if kind == "section" and "text" in block:
        block["text"] = _text_object(block["text"], SECTION_CHARS)
    elif kind == "header":
        block["text"] = _text_object(block["text"], HEADER_CHARS)
    elif kind == "context":
        block["elements"] = [_text_object(e, SECTION_CHARS) for e in block["elements"][:CONTEXT_ELEMENTS]]
    elif kind == "actions":
        block["elements"] = [_button_within_limits(e) for e in block["elements"][:ACTIONS_PER_BLOCK]]
    if "accessory" in block and block["accessory"].get("type") == "button":
        block["accessory"] = _button_within_limits(block["accessory"])
    return block


def _text_object(text: dict[str, Any], limit: int) -> dict[str, Any]:
    if text.get("type") == "plain_text":
        return {**text, "text": cut(text.get("text", ""), limit) or " "}
    return {**text, "text": clip_mrkdwn(text.get("text", ""), limit) or " "}


def _button_within_limits(button: dict[str, Any]) -> dict[str, Any]:
    button = {**button, "text": _text_object(button["text"], BUTTON_TEXT_CHARS)}
    button["action_id"] = str(button.get("action_id", ""))[:ID_CHARS]
    return button


def clip_mrkdwn(text: str, limit: int) -> str:
    """At most `limit` characters of mrkdwn, cut (with "…") where no mark is left open: not inside a
    ```block```, a `span`, a <link|title> or an &entity;."""
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - 1)]
    while (open_at := _open_mark(head)) is not None:  # each round cuts before one mark: it ends
        head = head[:open_at]
    return head.rstrip() + "…"


def _open_mark(head: str) -> int | None:
    """Where a mark left open in `head` starts, or None when every mark it opens is closed."""
    if head.count("```") % 2:
        return head.rfind("```")
    if head.replace("```", "").count("`") % 2:
        return head.rfind("`")
    if head.rfind("<") > head.rfind(">"):
        return head.rfind("<")
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:] and len(head) - amp <= 5:
        return amp
    return None


def with_note(message: SlackMessage, note: str) -> SlackMessage:
    """The message with a context line on top (e.g. that attachments were not read), within the limits."""
    blocks = [_context(fit(note, SECTION_CHARS)), *message.blocks]
    return within_limits(SlackMessage(_fallback([note, message.text]), blocks))


def render_answer(answer: Answer) -> SlackMessage:
    """The answer with [n] markers, a context block per citation, Show-passage and 👍/👎 buttons."""
    cited = answer.see_also if answer.abstained else answer.citations
    shown = cited[:MAX_CITATIONS]
    lead = answer.text + (f"\n{messages.ABSTAIN_SEE_ALSO}" if answer.abstained and shown else "")
    blocks = [_section(_marked_lead(lead, answer))]
    if answer.context:  # a follow-up says which earlier question of the thread it was read with
        blocks.insert(0, _context(fit(messages.follow_up_context(answer.context), SECTION_CHARS)))
    blocks += [_context(_citation_text(c, answer.excerpt_of(c))) for c in shown]
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


def _marked_lead(lead: str, answer: Answer) -> str:
    """The answer's text, escaped, with its code marked, within SECTION_CHARS *after* the marks: the text
    is cut shorter until the marked text fits (marks only wrap whole snippets, so a cut never opens one)."""
    budget = SECTION_CHARS
    while True:
        text = _with_code(fit(lead, budget), answer.code)
        text = mark_inline_code(text, [escape(s) for s in answer.inline_code], lambda s: f"`{s}`")
        if len(text) <= SECTION_CHARS:
            return text
        budget -= max(1, len(text) - SECTION_CHARS)
        if budget < SECTION_CHARS // 2:  # marks cannot cost that much honestly: show it unmarked
            return fit(lead, SECTION_CHARS)


def _citation_text(citation: Citation, excerpt: str | None = None) -> str:
    """`*[n]* <url|title>`, the excerpt (`excerpt`: what to show, "" for none; the citation's own when None)
    and where it is. A multi-line excerpt keeps its lines: indented ones (YAML, code) in a code block."""
    where = citation.location.describe()
    if citation.also_in:
        where += f" ({messages.also_in(list(citation.also_in))})"
    head = f"*[{citation.number}]* {link(citation.href, citation.title)}"
    quote = _quote(citation.excerpt if excerpt is None else excerpt)
    return f"{head}\n{quote}\n{fit(where, TITLE_CHARS)}" if quote else f"{head}\n{fit(where, TITLE_CHARS)}"


def _quote(excerpt: str) -> str:
    """An excerpt as Slack shows it, within QUOTE_CHARS after escaping and marks: a code block for
    indented lines (their indent is their meaning), else the lines between quotation marks."""
    if not excerpt.strip():
        return ""
    code = is_code_like(excerpt) and "```" not in excerpt
    opening, closing = ("```", "```") if code else quote_marks(excerpt)
    budget = QUOTE_CHARS
    while True:
        shown = escape(cut_lines(excerpt, budget)) if "\n" in excerpt else fit(excerpt, budget)
        if len(shown) <= QUOTE_CHARS or budget <= 4:
            return f"{opening}{shown}{closing}"
        budget = min(budget - 1, budget * QUOTE_CHARS // len(shown))


def _citation_plain(citation: Citation) -> str:
    url = f" ({citation.href})" if safe_url(citation.href) else ""
    return f"[{citation.number}] {_one_line(citation.title)[:TITLE_CHARS]}{url}"


def render_lookup(lookup: SourceLookup) -> SlackMessage:
    """`/source ID`: the full passage (split across sections), or a document and its passages."""
    if lookup.passage:
        view = lookup.passage
        blocks = [_section(f"*{link(view.href, view.title)}*  {_code(view.passage_id)}")]
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
        text = f"*{link(hit.href, hit.title)}*  {_code(hit.passage_id)}\n“{fit(_one_line(hit.text), QUOTE_CHARS)}”"
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
