"""Icons in a page's prose: an icon with an accessible name reads as that name; one without goes cleanly.

MkDocs Material writes `:fontawesome-brands-twitter:` as `<span class="twemoji"><svg>…</svg></span>`,
Font Awesome themes write `<i class="fa fa-github">`, and links may hold only an icon with an
`aria-label` or `title`. SVG is never text (html_main.NEVER_CONTENT), so without this step an icon
that stands for a word leaves its sentence's punctuation behind: "channels, e.g. , or , which". The
accessible name (aria-label, title, the SVG's <title>, alt; the HTML-AAM order) is the icon's text
when it has one; otherwise the icon is marked, and the list of nameless icons it stands in is cut
out of the sentence with its lead-in ("e.g.") and separators.

Hand-written on lxml: accessibility-tree libraries compute names for a browser DOM, not lxml trees,
and the rule needed here is a few lines.
"""

from __future__ import annotations

import re

from lxml import etree

_MARK = "data-citebot-icon"
_NAMELESS = "\u2063"  # INVISIBLE SEPARATOR: where a nameless icon stood, until the text is tidied
_ICON_CLASS = re.compile(r"(^|\s)(twemoji|emoji|icon|fa|fas|far|fab|material-icons|octicon|bi)(\s|$|-)")
_LABELLED = ("a", "button", "abbr", "span")
# A run of nameless icons with what joined them: "e.g. ⁣, ⁣ or ⁣".
_ICON_RUN = re.compile(
    rf"(?:\b(?:e\.g\.|i\.e\.|such as|like|including)\s*)?{_NAMELESS}(?:\s*(?:,|\bor\b|\band\b|/|&)?\s*{_NAMELESS})*"
)


def mark_icons(root) -> None:
    """Replace each icon (an <svg>, an <i>/<span> icon class, holding no text) by an empty marker span
    carrying its accessible name ("" when it has none). Runs before SVG is dropped as never content."""
    for icon in list(root.iter("svg", "i", "span")):
        if icon.getparent() is None or not _is_icon(icon):
            continue
        if any(isinstance(a.tag, str) and a.get(_MARK) is not None for a in icon.iterancestors()):
            continue
        marker = etree.Element("span", {_MARK: _accessible_name(icon)})
        marker.tail = icon.tail
        if icon.sourceline is not None:
            marker.sourceline = icon.sourceline  # citations count lines from each element's start
        icon.getparent().replace(icon, marker)


def name_icons(container) -> None:
    """Each icon marker becomes its name as text, or the nameless mark that drop_nameless_icons tidies."""
    for marker in list(container.iter("span")):
        name = marker.get(_MARK)
        if name is None or marker.getparent() is None:
            continue
        del marker.attrib[_MARK]
        marker.text = name if name else _NAMELESS


def drop_nameless_icons(text: str) -> str:
    """Text with the runs of nameless icons cut out and the punctuation they left tidied."""
    if _NAMELESS not in text:
        return text
    text = _ICON_RUN.sub("", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(\s*[,;:])+", r"\1", text)
    text = re.sub(r"^\s*[,;:·–-]\s*", "", text)
    return " ".join(text.split())


def _is_icon(element) -> bool:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if tag == "svg":
        return True
    if not _ICON_CLASS.search(element.get("class", "")):
        return False
    text = "".join(t for node in element.iter() if not _in_svg(node, element) for t in [node.text or ""])
    return not text.strip()


def _in_svg(node, top) -> bool:
    current = node
    while current is not None and current is not top:
        if isinstance(current.tag, str) and current.tag.lower() == "svg":
            return True
        current = current.getparent()
    return isinstance(node.tag, str) and node.tag.lower() == "svg"


def _accessible_name(icon) -> str:
    """aria-label, title, the SVG's <title>; else that of a link or button holding nothing but it."""
    name = _own_name(icon)
    parent = icon.getparent()
    if not name and parent is not None and isinstance(parent.tag, str) and parent.tag.lower() in _LABELLED:
        others = (parent.text or "") + "".join((c.tail or "") for c in parent)
        if not others.strip() and len(parent) == 1:
            name = _own_name(parent)
    return " ".join(name.split())


def _own_name(element) -> str:
    if element.get("aria-hidden") == "true":
        return ""
    for attribute in ("aria-label", "title", "alt"):
        if element.get(attribute, "").strip():
            return element.get(attribute)
    for title in element.iter("title"):
        if (title.text or "").strip():
            return title.text
    return ""
