"""Citation links: a source's link template filled with the cited place (path, commit, lines, anchor, page).

A template is a URL with fields in braces:

| field | value | unknown when |
|---|---|---|
| `{path}` | the file's path inside its source (`docs/configuration.md`) | never |
| `{stem}` | `{path}` without its extension (`docs/configuration`) | never |
| `{commit}` | the git commit the generation read (else the branch, else `HEAD`) | not a git source |
| `{start}`, `{end}` | first and last line of the cited text (`{end}` is `{start}` for one line) | no lines (PDF, DOCX) |
| `{anchor}` | the `#fragment` of the cited section (anchors.py) | no heading with an id |
| `{page}` | the PDF page | not a paged format |
| `{url}` | the document's own URL (a website page; Markdown front matter `url:`) | none given |

How a template degrades, so no link reads `#L-L` or `None`: the part after the template's first `#` (the
fragment) is dropped whole when one of its fields is unknown; a field before it that is unknown means no
link at all (None). A cited PDF page is added as `#page=N` when the template has no `{page}` and no
fragment is left. A URL that already has a fragment gets no second one.

Defaults, when a source names no template: a git repository on GitHub or GitLab links to the cited lines
of the file at the commit read (`default_link_template`); anything else links to the document's own URL plus
the section's anchor or the PDF page (`URL_TEMPLATE`), and has no link when the document has no URL.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

FIELDS = ("path", "stem", "commit", "start", "end", "anchor", "page", "url")
URL_TEMPLATE = "{url}#{anchor}"
# `?plain=1`: GitHub and GitLab show a Markdown or reST file rendered, where line anchors do nothing;
# plain shows its source with the cited lines highlighted (other files are shown the same either way).
_GITHUB = "https://{host}/{repo}/blob/{{commit}}/{{path}}?plain=1#L{{start}}-L{{end}}"
_GITLAB = "https://{host}/{repo}/-/blob/{{commit}}/{{path}}?plain=1#L{{start}}-{{end}}"
_SCP_LIKE = re.compile(r"^[\w.-]+@([\w.-]+):(.+)$")  # git@github.com:org/repo.git
_FRAGMENT_SAFE = "-._~!$&'()*+,;=:@/?"  # characters a URL fragment may hold as they are (RFC 3986)


@dataclass(frozen=True)
class CitedPlace:
    """The cited place: the document key, the quoted lines, page and section, and the document's URL."""

    key: str
    line_start: int | None = None
    line_end: int | None = None
    page: int | None = None
    anchor: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class LinkRule:
    """How one source's citations link: `template` (None: the document's URL, see URL_TEMPLATE) and
    the `commit` that fills `{commit}` (None: unknown)."""

    template: str | None = None
    commit: str | None = None


class UnknownLinkField(ValueError):
    """A link template names a field that is not one of FIELDS."""


def check_link_template(template: str) -> None:
    """Raise UnknownLinkField (its message names the field and the known ones) for a template citebot
    cannot fill, and ValueError for one that is not a format string (an unclosed brace)."""
    for name in _field_names(template):
        if name not in FIELDS:
            raise UnknownLinkField(
                f"unknown link field {{{name}}}; known: {', '.join('{' + f + '}' for f in FIELDS)}"
            )


def default_link_template(git_url: str | None) -> str | None:
    """The template for a git repository's citations when its source names none: GitHub's or GitLab's
    file view at the commit, on the cited lines. None for a local path or another host.

    Takes https and ssh URLs (`https://github.com/o/r.git`, `git@gitlab.com:g/sub/r.git`,
    `ssh://git@host/o/r`); credentials in the URL are left out.
    """
    if not git_url:
        return None
    scp = _SCP_LIKE.match(git_url.strip())
    if scp:
        host, repo = scp.group(1), scp.group(2)
    else:
        parts = urlsplit(git_url.strip())
        if parts.scheme not in ("http", "https", "ssh", "git") or not parts.hostname:
            return None
        host, repo = parts.hostname, parts.path
        if parts.port and parts.scheme in ("http", "https"):
            host = f"{host}:{parts.port}"
    repo = repo.strip("/").removesuffix(".git").strip("/")
    if repo.count("/") < 1:
        return None
    labels = host.lower().split(".")
    if "github" in labels:
        return _GITHUB.format(host=host, repo=repo)
    if "gitlab" in labels:
        return _GITLAB.format(host=host, repo=repo)
    return None


def fill(template: str, place: CitedPlace, path: str, commit: str | None = None) -> str | None:
    """The link `template` gives the cited `place` (`path`: the file's path inside its source); None
    when a field before the fragment is unknown. See the module docstring for how it degrades."""
    values = _values(place, path, commit)
    base, hash_mark, fragment = template.partition("#")
    link = _format(base, values)
    if link is None or not link.strip():
        return None
    if hash_mark and "#" not in link:
        filled = _format(fragment, values, quote_anchor=True)
        if filled:
            return f"{link}#{filled}"
    if place.page is not None and "page" not in _field_names(template) and "#" not in link:
        return f"{link}#page={place.page}"
    return link


class Links:
    """The link of each citation, by the rule of the source its key belongs to.

    `rules` maps source names to rules; with `named` False (the `corpus:` shorthand: keys are plain
    paths) every key uses the rule named "". A key of no known source links by URL_TEMPLATE.
    """

    def __init__(self, rules: Mapping[str, LinkRule], named: bool) -> None:
        self.rules = dict(rules)
        self.named = named

    def link(self, place: CitedPlace) -> str | None:
        """The link that opens `place`, or None when there is none to give."""
        name, path = place.key.split("/", 1) if self.named and "/" in place.key else ("", place.key)
        rule = self.rules.get(name) or LinkRule()
        return fill(rule.template or URL_TEMPLATE, place, path, rule.commit)


def _field_names(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def _values(place: CitedPlace, path: str, commit: str | None) -> dict[str, str | None]:
    start = place.line_start
    end = place.line_end if place.line_end is not None else start
    stem = str(PurePosixPath(path).with_suffix("")) if PurePosixPath(path).suffix else path
    return {
        "path": quote(path, safe="/"),
        "stem": quote(stem, safe="/"),
        "commit": commit,
        "start": None if start is None else str(start),
        "end": None if start is None else str(end),
        "anchor": place.anchor or None,
        "page": None if place.page is None else str(place.page),
        "url": place.url or None,
    }


def _format(part: str, values: dict[str, str | None], quote_anchor: bool = False) -> str | None:
    """`part` with its fields filled; None when one of them is unknown (or not a field at all)."""
    out: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(part):
        out.append(literal)
        if name is None:
            continue
        value = values.get(name)
        if value is None:
            return None
        out.append(quote(value, safe=_FRAGMENT_SAFE) if quote_anchor and name == "anchor" else value)
    return "".join(out)
