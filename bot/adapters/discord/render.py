"""Core replies as Discord messages: content chunks, embed dicts and vote buttons, within Discord's limits.

Pure functions with no discord.py import, so every limit is unit-testable. Document text is escaped
(shown literally) and `@everyone`/`@here` are defused everywhere; sending also sets AllowedMentions.none().
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot import messages
from bot.adapters.discord.markdown import defuse_mentions, escape, one_line, split_message, truncate
from bot.core.models import (
    Answer,
    Citation,
    DocumentView,
    HelpText,
    Location,
    Notice,
    PassageView,
    Reply,
    SourceList,
    SourceLookup,
)
from bot.core.quotes import cut_lines, is_code_like
from bot.core.replies import Renderers, mark_inline_code

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_PER_EMBED = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
CUSTOM_ID_LIMIT = 100
VOTE_PREFIX = "citebot:vote"
COLOUR = 0x5865F2
PASSAGE_PART = 1900  # a long passage is shown as several embeds of this size, three to a message
LIST_EXCERPT = 300
LINK_TITLE = 200
MAX_DOCUMENT_PASSAGES = 25
MAX_LISTED_DOCUMENTS = 200
_URL_LIMIT = 512

Embed = dict[str, Any]


@dataclass(frozen=True)
class Outgoing:
    """One Discord message: content (≤ 2000), up to 10 embeds (≤ 6000 together), maybe 👍/👎 buttons."""

    content: str | None = None
    embeds: tuple[Embed, ...] = ()
    vote_answer_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"content": self.content, "embeds": list(self.embeds), "vote_answer_id": self.vote_answer_id}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Outgoing:
        return cls(value.get("content"), tuple(value.get("embeds") or ()), value.get("vote_answer_id"))


def render(reply: Reply) -> list[Outgoing]:
    """Every reply as one or more messages, in the order they are to be sent."""
    return _RENDERERS.render(reply)


def render_notice(notice: Notice) -> list[Outgoing]:
    return _as_messages(_content(notice.text), [])


def vote_custom_id(vote: str, answer_id: str) -> str:
    """The persistent custom_id a 👍/👎 button carries back: survives restarts, no state kept."""
    return f"{VOTE_PREFIX}:{vote}:{answer_id}"


def embed_length(embed: Embed) -> int:
    """Characters Discord counts towards the 6000 limit of an embed (and of a message's embeds)."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len(embed.get("footer", {}).get("text", "")) + len(embed.get("author", {}).get("name", ""))
    return size + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", ()))


# -- answers --------------------------------------------------------------------------------------------
def render_answer(answer: Answer) -> list[Outgoing]:
    """The answer text, then its citations (or, when abstaining, the places to look) as embed fields."""
    text, cited, title = answer.text, answer.citations, messages.DISCORD_SOURCES_TITLE
    if answer.abstained:
        cited, title = answer.see_also, messages.DISCORD_SEE_ALSO_TITLE
        if cited:
            text = f"{text}\n{messages.ABSTAIN_SEE_ALSO}"
    if answer.context:  # a follow-up says, in small print, which earlier question it was read with
        context = truncate(escape(one_line(messages.follow_up_context(answer.context))), CONTENT_LIMIT // 4)
        text = f"-# {context}\n{text}"
    fields = [citation_field(c, answer.excerpt_of(c)) for c in cited]
    embeds = _field_embeds(fields, {"title": title}) if fields else []
    outgoing = _as_messages(_content(text, answer.code, answer.inline_code), embeds)
    if answer.answer_id and len(vote_custom_id("down", answer.answer_id)) <= CUSTOM_ID_LIMIT:
        outgoing[-1] = replace(outgoing[-1], vote_answer_id=answer.answer_id)
    return outgoing


def citation_field(citation: Citation, excerpt: str | None = None) -> Embed:
    """`[n] [title](<link>)` (the exact place, else the document's URL), the quoted passage (`excerpt`:
    what to show of it, "" for nothing; the citation's own when None), and where it is (the field name)."""
    return _passage_field(
        citation.number,
        citation.title,
        citation.href,
        citation.excerpt if excerpt is None else excerpt,
        citation.location,
        also_in=citation.also_in,
    )


def _passage_field(
    number: int,
    title: str,
    url: str | None,
    text: str,
    location: Location,
    *,
    also_in: tuple[str, ...] = (),
) -> Embed:
    header = f"[{number}] {link(title, url)}"
    also = "\n" + escape(messages.also_in(list(also_in))) if also_in else ""
    also = truncate(also, FIELD_VALUE_LIMIT // 4)
    budget = FIELD_VALUE_LIMIT - len(header) - len(also) - len("\n> ")
    quote = _quote(text, budget)
    value = f"{header}\n{quote}{also}" if quote else f"{header}{also}"
    name = truncate(escape(one_line(location.describe())), FIELD_NAME_LIMIT) or "\u200b"  # never empty
    return {"name": name, "value": value, "inline": False}


def _quote(text: str, budget: int) -> str:
    """An excerpt as a quote of at most `budget` characters: one line after `> `; several lines each
    after its own `> ` (a table row, a paragraph per line), or in a code block when indented (YAML, code)."""
    if not text.strip():
        return ""
    if "\n" not in text:
        return "> " + truncate(escape(one_line(text)), budget)
    code = is_code_like(text) and "```" not in text
    room = budget
    while True:
        lines = cut_lines(text, room).split("\n")
        if code:
            shown = "```\n" + defuse_mentions("\n".join(lines)) + "\n```"
        else:
            shown = "\n".join("> " + escape(line.strip()) for line in lines)
        if len(shown) <= budget + len("> ") or room <= 8:
            return (
                shown if len(shown) <= budget + len("> ") else "> " + truncate(escape(one_line(text)), budget)
            )
        room = min(room - 1, room * budget // len(shown))


def link(title: str, url: str | None) -> str:
    """`[title](<url>)`, the angle brackets keeping Discord from unfurling it; the title alone without a URL."""
    text = truncate(escape(one_line(title)), LINK_TITLE) or "\u200b"
    safe = _safe_url(url)
    return f"[{text}](<{safe}>)" if safe else text


def _safe_url(url: str | None) -> str | None:
    if not url or not url.startswith(("https://", "http://")) or len(url) > _URL_LIMIT:
        return None
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace("\n", "")


# -- source look-ups and lists --------------------------------------------------------------------------
def render_lookup(lookup: SourceLookup) -> list[Outgoing]:
    if lookup.passage is not None:
        return _as_messages([], passage_embeds(lookup.passage))
    if lookup.document is not None:
        return _as_messages([], document_embeds(lookup.document, lookup.document_passages))
    return _as_messages(_content(messages.unknown_source(lookup.query, [])), [])


def passage_embeds(passage: PassageView) -> list[Embed]:
    """The whole passage, literally, in as many embeds as it takes; where it is in the footer."""
    parts = split_message(escape(passage.text), PASSAGE_PART) or ["\u200b"]
    footer = f"{passage.passage_id} · {passage.location.describe()}"
    if passage.also_in:
        footer += " · " + messages.also_in(list(passage.also_in))
    embeds = [_embed(description=part) for part in parts]
    embeds[0].update(_titled(passage.title, passage.href))
    embeds[-1]["footer"] = {"text": truncate(defuse_mentions(one_line(footer)), FOOTER_LIMIT)}
    return embeds


def document_embeds(document: DocumentView, passages: tuple[PassageView, ...]) -> list[Embed]:
    """A document's summary, then its first passages as fields (ids to open with /source)."""
    summary = f"`{_code(document.source)}` · {messages.discord_passage_count(document.passage_count)}"
    if document.date:
        summary += f" · {escape(document.date)}"
    fields = [
        {
            "name": truncate(escape(p.passage_id), FIELD_NAME_LIMIT),
            "value": "> " + truncate(escape(one_line(p.text)), LIST_EXCERPT),
            "inline": False,
        }
        for p in passages[:MAX_DOCUMENT_PASSAGES]
    ]
    more = len(passages) - MAX_DOCUMENT_PASSAGES
    head = {**_titled(document.title, document.url), "description": truncate(summary, DESCRIPTION_LIMIT)}
    return _field_embeds(fields, head, footer=messages.discord_more_passages(more) if more > 0 else None)


def render_list(listing: SourceList) -> list[Outgoing]:
    if listing.query is None:
        if not listing.documents:
            return _as_messages(_content(messages.NO_DOCUMENTS), [])
        return _as_messages([], document_list_embeds(listing.documents))
    if not listing.hits:
        return _as_messages(_content(messages.NO_HITS), [])
    fields = [
        _passage_field(n, hit.title, hit.href, one_line(hit.text), hit.location, also_in=hit.also_in)
        for n, hit in enumerate(listing.hits, 1)
    ]
    title = messages.discord_matches_title(one_line(listing.query))
    return _as_messages([], _field_embeds(fields, {"title": truncate(defuse_mentions(title), TITLE_LIMIT)}))


def document_list_embeds(documents: tuple[DocumentView, ...]) -> list[Embed]:
    """One line per document (file name, title, passages), as many embeds as the list needs."""
    lines = [
        truncate(
            f"`{_code(d.source)}` {escape(one_line(d.title))} · {messages.discord_passage_count(d.passage_count)}",
            LIST_EXCERPT,
        )
        for d in documents[:MAX_LISTED_DOCUMENTS]
    ]
    if len(documents) > MAX_LISTED_DOCUMENTS:
        lines.append(messages.discord_more_documents(len(documents) - MAX_LISTED_DOCUMENTS))
    embeds = [_embed(description=part) for part in _pack_lines(lines, DESCRIPTION_LIMIT)]
    embeds[0]["title"] = messages.discord_documents_title(len(documents))
    return embeds


def _pack_lines(lines: list[str], limit: int) -> list[str]:
    parts: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return parts + [current]


# -- help and notices -----------------------------------------------------------------------------------
def render_help(help_text: HelpText) -> list[Outgoing]:
    lines = [messages.DISCORD_HELP_TITLE]
    lines += [f"`{_code(c.usage)}` — {c.summary}" for c in help_text.commands]
    lines.append(messages.DISCORD_HELP_MENTION)
    return _as_messages(_content("\n".join(lines)), [])


# -- building blocks ------------------------------------------------------------------------------------
def _content(text: str, code: tuple[str, ...] = (), inline: tuple[str, ...] = ()) -> list[str]:
    """Message contents: mentions defused, quoted code in ``` blocks (never split across messages),
    inline code in backticks."""
    shown = defuse_mentions(text)
    for snippet in code:
        inner = defuse_mentions(snippet)
        if inner in shown and "```" not in inner:
            shown = shown.replace(inner, f"```\n{inner}\n```", 1)
    shown = mark_inline_code(shown, [defuse_mentions(s) for s in inline], lambda s: f"`{s}`")
    return split_message(shown, CONTENT_LIMIT)


def _code(text: str) -> str:
    """Text for inside `inline code`: a backtick in it would end the span early."""
    return defuse_mentions(one_line(text).replace("`", "ˋ"))


def _embed(**values: Any) -> Embed:
    return {"color": COLOUR, **values}


def _titled(title: str, url: str | None) -> Embed:
    titled: Embed = {"title": truncate(defuse_mentions(one_line(title)), TITLE_LIMIT) or "\u200b"}
    safe = _safe_url(url)
    if safe:
        titled["url"] = safe
    return titled


def _field_embeds(fields: list[Embed], head: Embed, *, footer: str | None = None) -> list[Embed]:
    """`head` (title, url, description) then the fields, over embeds of at most 25 fields and 6000
    characters each; the footer goes on the last."""
    footer_text = truncate(defuse_mentions(footer), FOOTER_LIMIT) if footer else ""
    embeds = [_embed(**head)]
    for field in fields:
        current = embeds[-1]
        size = len(field["name"]) + len(field["value"])
        full = len(current.get("fields", ())) >= FIELDS_PER_EMBED
        if full or embed_length(current) + size + len(footer_text) > EMBED_TOTAL_LIMIT:
            current = _embed()
            embeds.append(current)
        current.setdefault("fields", []).append(field)
    if footer_text:
        embeds[-1]["footer"] = {"text": footer_text}
    return embeds


def _as_messages(chunks: list[str], embeds: list[Embed]) -> list[Outgoing]:
    """Content chunks first; the embeds ride on the last chunk, ten (and 6000 characters) a message."""
    groups = _group(embeds)
    if not chunks and not groups:
        chunks = ["\u200b"]
    outgoing = [Outgoing(content=chunk) for chunk in chunks]
    if groups and outgoing:
        outgoing[-1] = replace(outgoing[-1], embeds=tuple(groups.pop(0)))
    outgoing += [Outgoing(embeds=tuple(group)) for group in groups]
    return outgoing


def _group(embeds: list[Embed]) -> list[list[Embed]]:
    groups: list[list[Embed]] = []
    size = 0
    for embed in embeds:
        length = embed_length(embed)
        if not groups or len(groups[-1]) >= EMBEDS_PER_MESSAGE or size + length > EMBED_TOTAL_LIMIT:
            groups.append([])
            size = 0
        groups[-1].append(embed)
        size += length
    return groups


_RENDERERS = Renderers(render_answer, render_lookup, render_list, render_help, render_notice)


# -- after formatting: notes, plain text, and the limits once more --------------------------------------
def add_note(outgoing: list[Outgoing], note: str, *, small: bool = True) -> list[Outgoing]:
    """`note` above the reply (as `-#` small print unless `small` is False): in the first message's content
    when it still fits in 2000 characters, else as a message of its own before it."""
    line = defuse_mentions(one_line(note))
    line = truncate(f"-# {line}" if small else line, CONTENT_LIMIT)
    first, *rest = outgoing or [Outgoing()]
    content = (first.content or "").replace("\u200b", "")
    if len(line) + 1 + len(content) <= CONTENT_LIMIT:
        return [replace(first, content=f"{line}\n{content}" if content else line), *rest]
    return [Outgoing(content=line), first, *rest]


def plain_text(outgoing: Outgoing) -> Outgoing:
    """The message as content alone (embeds folded into text, no buttons), for when Discord refuses the rich one."""
    lines = [outgoing.content or ""]
    for embed in outgoing.embeds:
        lines += [embed.get("title", ""), embed.get("description", "")]
        for field in embed.get("fields", ()):
            lines += [field["name"], field["value"]]
        lines.append(embed.get("footer", {}).get("text", ""))
    text = "\n".join(line for line in lines if line and line != "\u200b")
    return Outgoing(content=truncate(text, CONTENT_LIMIT) or "\u200b")


def fit(outgoing: Outgoing) -> Outgoing:
    """The message cut to every Discord limit: a last guard applied to whatever is sent (notes included).

    Render already keeps within the limits, so this normally returns the message unchanged; what it has
    to cut is cut at the end (trailing fields, then embeds), never in the middle of the answer's text.
    """
    content = truncate(outgoing.content, CONTENT_LIMIT) if outgoing.content else outgoing.content
    embeds: list[Embed] = []
    total = 0
    for embed in outgoing.embeds[:EMBEDS_PER_MESSAGE]:
        trimmed = _fit_embed(embed, EMBED_TOTAL_LIMIT - total)
        if trimmed is None:
            break
        embeds.append(trimmed)
        total += embed_length(trimmed)
    if not content and not embeds:
        content = "\u200b"
    return replace(outgoing, content=content, embeds=tuple(embeds))


def _fit_embed(embed: Embed, budget: int) -> Embed | None:
    fitted = dict(embed)
    for key, limit in (("title", TITLE_LIMIT), ("description", DESCRIPTION_LIMIT)):
        if key in fitted:
            fitted[key] = truncate(fitted[key], limit)
    if "footer" in fitted:
        fitted["footer"] = {
            **fitted["footer"],
            "text": truncate(fitted["footer"].get("text", ""), FOOTER_LIMIT),
        }
    if "author" in fitted:
        fitted["author"] = {
            **fitted["author"],
            "name": truncate(fitted["author"].get("name", ""), TITLE_LIMIT),
        }
    fields = [
        {
            **f,
            "name": truncate(f["name"], FIELD_NAME_LIMIT) or "\u200b",
            "value": truncate(f["value"], FIELD_VALUE_LIMIT) or "\u200b",
        }
        for f in embed.get("fields", ())
    ][:FIELDS_PER_EMBED]
    if "fields" in fitted:
        fitted["fields"] = fields
    while embed_length(fitted) > budget and fitted.get("fields"):
        fitted["fields"] = fitted["fields"][:-1]
    if embed_length(fitted) > budget and "description" in fitted:
        room = budget - (embed_length(fitted) - len(fitted["description"]))
        fitted["description"] = truncate(fitted["description"], max(room, 0))
    if embed_length(fitted) > budget or not any(
        fitted.get(k) for k in ("title", "description", "fields", "footer")
    ):
        return None
    return fitted
