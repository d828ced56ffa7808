"""Console rendering: core replies -> rich Text, built from parts so document text is never parsed as markup."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from bot import messages
from bot.core.models import (
    Answer,
    Citation,
    HelpText,
    Notice,
    PassageView,
    Reply,
    SourceList,
    SourceLookup,
)
from bot.core.quotes import cut_lines, quote_marks
from bot.core.replies import Renderers, inline_code_places

_QUOTE_CHARS = 600


def render(reply: Reply) -> Group:
    """Any reply, as rich renderables for the terminal."""
    return _RENDERERS.render(reply)


def render_answer(answer: Answer) -> Group:
    parts: list[Text] = []
    if answer.context:
        parts.append(Text(messages.follow_up_context(answer.context), style="dim"))
    if answer.abstained:
        parts.append(Text(answer.text, style="bold yellow"))
        if answer.see_also:
            parts.append(Text(messages.ABSTAIN_SEE_ALSO, style="dim"))
            parts.extend(_citation(c) for c in answer.see_also)
        return Group(*parts)
    text = Text(answer.text, style="bold")
    for snippet in answer.code:  # quoted commands and config in the terminal's code colour
        start = answer.text.find(snippet)
        if start >= 0:
            text.stylize("not bold cyan", start, start + len(snippet))
    for start, end in inline_code_places(answer.text, answer.inline_code):  # inline code too
        text.stylize("not bold cyan", start, end)
    parts.append(text)
    parts.append(Text(""))
    parts.extend(_citation(c, answer.excerpt_of(c)) for c in answer.citations)
    return Group(*parts)


def _citation(citation: Citation, excerpt: str | None = None) -> Text:
    """A citation: number, title, link, where; then its excerpt (`excerpt`: what to show of it, "" for
    none; the citation's own when None) on indented lines, a table row or YAML key per line."""
    text = Text()
    text.append(f"[{citation.number}] ", style="bold cyan")
    text.append(citation.title, style="bold")
    if citation.href:
        text.append(f"  {citation.href}", style="blue underline")
    text.append("\n    ")
    text.append(citation.location.describe(), style="dim")
    if citation.also_in:
        text.append(f" (also in {', '.join(citation.also_in)})", style="dim")
    excerpt = _shorten(citation.excerpt if excerpt is None else excerpt)
    if not excerpt:
        text.append("\n")
        return text
    opening, closing = quote_marks(excerpt)
    text.append("\n    " + opening)
    text.append(excerpt.replace("\n", "\n    "), style="italic")
    text.append(closing + "\n")
    return text


def _passage(view: PassageView) -> Text:
    text = Text()
    text.append(
        view.passage_id, style="bold cyan"
    )  # ranked best first; fusion scores mean nothing to a reader
    text.append("\n    ")
    text.append(view.title, style="bold")
    if view.href:
        text.append(f"  {view.href}", style="blue underline")
    text.append("\n    ")
    text.append(view.location.describe(), style="dim")
    text.append("\n    ")
    text.append(view.text.replace("\n", "\n    "))  # every line of the passage indented under it
    text.append("\n")
    return text


def _render_lookup(lookup: SourceLookup) -> Group:
    if lookup.passage:
        return Group(_passage(lookup.passage))
    document = lookup.document
    header = Text()
    if document:
        header.append(document.title, style="bold")
        if document.url:
            header.append(f"  {document.url}", style="blue underline")
        header.append(
            f"\n{document.source}, {messages.plural(document.passage_count, 'passage')}\n", style="dim"
        )
    return Group(header, *(_passage(p) for p in lookup.document_passages))


def _render_list(listing: SourceList) -> Group:
    if listing.query is None:
        if not listing.documents:
            return Group(Text(messages.NO_DOCUMENTS, style="yellow"))
        rows = []
        for document in listing.documents:
            row = Text()
            row.append(document.source, style="bold cyan")
            row.append(f"  {document.title}")
            row.append(f"  ({messages.plural(document.passage_count, 'passage')})", style="dim")
            rows.append(row)
        return Group(*rows)
    if not listing.hits:
        return Group(Text(messages.NO_HITS, style="yellow"))
    return Group(*(_passage(hit) for hit in listing.hits))


def _render_help(help_text: HelpText) -> Group:
    rows = [Text("Type a question, or one of:", style="bold")]
    for command in help_text.commands:
        row = Text()
        row.append(f"  {command.usage:<20}", style="cyan")
        row.append(command.summary)
        rows.append(row)
    quit_row = Text()
    quit_row.append(f"  {'/quit':<20}", style="cyan")  # the same columns as the table's commands
    quit_row.append(messages.CONSOLE_QUIT_SUMMARY)
    rows.append(quit_row)
    return Group(*rows)


def _render_notice(notice: Notice) -> Group:
    """The notice's text; its `code` spans (chat markdown) shown bold, without the backticks."""
    text = Text(style="red" if notice.is_error else "green")
    parts = notice.text.split("`") if notice.text.count("`") % 2 == 0 else [notice.text]
    for number, part in enumerate(parts):
        text.append(part, style="bold" if number % 2 else "")
    return Group(text)


def _shorten(excerpt: str) -> str:
    """At most _QUOTE_CHARS of an excerpt, in whole lines (bot/core/quotes.py cut_lines)."""
    return cut_lines(excerpt, _QUOTE_CHARS)


_RENDERERS = Renderers(render_answer, _render_lookup, _render_list, _render_help, _render_notice)
