"""E-mail messages (.eml, RFC 5322 / MIME) into blocks, with the standard library's email package.

(Named eml, not email, so that it does not shadow the standard library's package.) `email` with
`policy.default` decodes MIME parts, RFC 2047 headers and charsets; nothing else is needed. The Subject is
the title and first heading; From, To, Cc and Date are definitions ("From: Ann <ann@example.com>"); the
body is the text/plain part, else the text/html one read by formats/html.py. In a plain body, quoted
reply lines ("> ...") and the line introducing them ("On Mon, 3 Jun 2024, Bob wrote:"), or an Outlook
"-----Original Message-----" and all below it, are quote blocks, so that an answer can tell the message
from what it replies to; a signature (below a "-- " line) is dropped. Attachments are listed by name.
Lines are the file's where the text stands in it as is (headers, a body not base64 or quoted-printable).
"""

from __future__ import annotations

import re
from dataclasses import replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from retrieval.ingest.formats import html
from retrieval.ingest.formats.base import LineMap, Parsed, block, decode
from retrieval.models import Block

_HEADERS = ("From", "To", "Cc", "Date")
_QUOTED = re.compile(r"^\s*>")
_QUOTE_MARKS = re.compile(r"^(\s*>)+ ?")
_ATTRIBUTION_START = re.compile(r"^On\s.{4,}", re.IGNORECASE)  # "On Mon, 3 Jun 2024 at 10:02, Bob wrote:"
_ATTRIBUTION_END = re.compile(r"\bwrote:\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(r"^\s*(-{3,}\s*Original Message\s*-{3,}|_{20,})\s*$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^-- ?$")
_OWN, _ATTRIBUTION, _QUOTED_TEXT, _ORIGINAL_TEXT = range(4)  # a body line's role (see _line_roles)
_BULLET = re.compile(r"^\s*([-*+•]|\d{1,3}[.)])\s+(?=\S)")
_VERBATIM_ENCODINGS = ("7bit", "8bit", "binary")  # transfer encodings that leave the text as written


def parse(raw: bytes, source: str) -> Parsed:
    """Blocks of one message: subject heading, header definitions, body, attachment names.

    Raises ValueError for binary data (as every text reader does).
    """
    text, note = decode(raw)
    lines = LineMap(text)
    message = BytesParser(policy=policy.default).parsebytes(raw)
    subject = " ".join(str(message.get("Subject", "")).split()) or None
    blocks: list[Block] = []
    header_lines = _header_lines(lines)
    if subject:
        blocks.extend(_made("heading", subject, lines, header_lines.get("subject"), level=1))
    for name in _HEADERS:
        value = _as_written(message, name)
        if value:
            blocks.extend(_made("definition", f"{name}: {value}", lines, header_lines.get(name.lower())))
    blocks.extend(_body_blocks(message, text, lines, source))
    attachments = _attachment_names(message)
    if attachments:
        blocks.extend(_made("definition", f"Attachments: {', '.join(attachments)}", None, None))
    parsed = Parsed(blocks, subject, date=_date(message))
    if note:
        parsed.notes.append(note)
    return parsed


def _made(kind: str, text: str, lines: LineMap | None, where: tuple[int, int] | None, **extra) -> list[Block]:
    where = where if lines is not None else None  # no lines where the text is not the file's
    made = block(kind, text, lines if where else None, *(where or (None, None)), **extra)
    return [made] if made else []


def _header_lines(lines: LineMap) -> dict[str, tuple[int, int]]:
    """(first, last) file line of each header, by lower-case name, folded continuation lines included."""
    found: dict[str, tuple[int, int]] = {}
    current = None
    for number in range(1, len(lines.starts) + 1):
        value = lines.line(number)
        if not value.strip():
            break  # the blank line that ends the headers
        if value[0] in " \t" and current:
            found[current] = (found[current][0], number)
            continue
        name = value.split(":", 1)[0].strip().lower() if ":" in value else None
        current = name if name and name not in found else None
        if current:
            found[current] = (number, number)
    return found


def _as_written(message: EmailMessage, name: str) -> str:
    """A header's value as the file writes it (folding undone), so that a quote of it is the file's text:
    `policy.default` re-renders structured headers (a Date's weekday recomputed, an address's quotes
    normalised). Decoded only where the file encodes it (RFC 2047 "=?utf-8?q?…?=" words) or it is not
    ASCII; "" when absent."""
    raw = next((str(v) for n, v in message.raw_items() if n.lower() == name.lower()), None)
    if raw is None:
        return ""
    if "=?" in raw or not raw.isascii():
        return " ".join(str(message.get(name, "")).split())
    return " ".join(raw.split())


def _date(message: EmailMessage) -> str | None:
    header = message.get("Date")
    moment = getattr(header, "datetime", None)
    return moment.date().isoformat() if moment is not None else None


def _body_blocks(message: EmailMessage, text: str, lines: LineMap, source: str) -> list[Block]:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return []
    try:
        content = body.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken encoding: no body to read
        return []
    if body.get_content_subtype() == "html":
        parsed = html.parse(content.encode("utf-8"), source)
        return [replace(b, line_start=None, line_end=None, start=None, end=None) for b in parsed.blocks]
    shift = _line_shift(body, content, text)
    return _plain_blocks(content, lines if shift is not None else None, shift or 0)


def _line_shift(part: EmailMessage, content: str, text: str) -> int | None:
    """Lines before the body in the file, when the body stands there as written; else None."""
    if (part.get("Content-Transfer-Encoding") or "7bit").strip().lower() not in _VERBATIM_ENCODINGS:
        return None
    body = content.replace("\r\n", "\n").strip("\n")
    flat = text.replace("\r\n", "\n")
    position = flat.find(body) if body else -1
    return flat.count("\n", 0, position) if position >= 0 else None


def _plain_blocks(content: str, lines: LineMap | None, shift: int) -> list[Block]:
    """Paragraphs, list items and quote blocks of a plain-text body; the signature is dropped."""
    numbered = list(enumerate(content.replace("\r\n", "\n").strip("\n").split("\n"), start=1 + shift))
    signature = next((i for i, (_, value) in enumerate(numbered) if _SIGNATURE.match(value)), None)
    numbered = numbered[:signature]
    roles = _line_roles(numbered)
    blocks: list[Block] = []
    run: list[tuple[int, str]] = []
    run_role = _OWN
    for position, (number, value) in enumerate([*numbered, (0, "")]):
        role = roles[position] if position < len(numbered) else _OWN
        text = _QUOTE_MARKS.sub("", value) if role == _QUOTED_TEXT else value
        text = "" if _ORIGINAL.match(value) else text  # the separator line itself is no text
        if text.strip() and (not run or role == run_role):
            run.append((number, text))
            run_role = role
            continue
        blocks.extend(_run_blocks(run, run_role != _OWN, lines, group=len(blocks) + 1))
        run = [(number, text)] if text.strip() else []
        run_role = role
    return blocks


def _line_roles(numbered: list[tuple[int, str]]) -> list[int]:
    """Each line's role: the writer's own text, an attribution ("On ... wrote:", on one line or two),
    or quoted text ("> " lines, and all below an Outlook "-----Original Message-----")."""
    roles = [_QUOTED_TEXT if _QUOTED.match(value) else _OWN for _, value in numbered]
    for index, (_, value) in enumerate(numbered):
        if _ORIGINAL.match(value):
            return roles[:index] + [_ATTRIBUTION] + [_ORIGINAL_TEXT] * (len(numbered) - index - 1)
        if roles[index] == _OWN and _ATTRIBUTION_START.match(value):
            for end in (index, index + 1):  # the attribution may wrap onto a second line
                if end < len(numbered) and _ATTRIBUTION_END.search(numbered[end][1]):
                    roles[index : end + 1] = [_ATTRIBUTION] * (end + 1 - index)
                    break
    return roles


def _run_blocks(
    run: list[tuple[int, str]], is_quoted: bool, lines: LineMap | None, group: int
) -> list[Block]:
    """One paragraph (or quote) per run of lines; in unquoted text, bulleted lines are list items, of
    list `group`."""
    if not run:
        return []
    if is_quoted or not any(_BULLET.match(value) for _, value in run):
        kind = "quote" if is_quoted else "paragraph"
        return _made(kind, " ".join(v for _, v in run), lines, (run[0][0], run[-1][0]))
    blocks: list[Block] = []
    item: list[tuple[int, str]] = []
    for number, value in [*run, (0, "- end")]:  # the sentinel bullet closes the last item
        if _BULLET.match(value) and item:
            extra = {"group": group} if _BULLET.match(item[0][1]) else {}
            text = _BULLET.sub("", item[0][1], count=1) + " " + " ".join(v for _, v in item[1:])
            kind = "list_item" if extra else "paragraph"
            blocks.extend(_made(kind, text, lines, (item[0][0], item[-1][0]), **extra))
            item = []
        item.append((number, value))
    return blocks


def _attachment_names(message: EmailMessage) -> list[str]:
    """File names of the attachments, in order (inline images of an HTML body included when named)."""
    names = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if name and (part.is_attachment() or part.get_content_disposition() == "inline"):
            names.append(" ".join(name.split()))
    return list(dict.fromkeys(names))
