"""A web page's main content and its chrome: which element holds the article, and what goes inside it.

Two rules, in this order, so that chrome removal can never take a page's content with it:

1. **The main content container is found first**, by the markup documentation generators and CMSs
   write around the article (Sphinx's `itemprop=articleBody` and `div.body`, Furo's and pydata's
   `article`, MkDocs Material's `article.md-content__inner`, Docusaurus's `.theme-doc-markdown`,
   Docsy's `.td-content`, Antora's `article.doc`, just-the-docs' `#main-content`), then the HTML
   standard's `<main>`, `role=main`, `<article>`. Everything outside it (sidebars, headers, version
   pickers, search boxes, footers) is left behind whatever its class names say.
2. **Chrome is then removed inside that container only**, by structure (nav, footer, aside, form,
   button, ARIA roles, hidden elements), by conventional class/id names (toc, breadcrumbs,
   pagination, edit links, cookie banners), heading self-links (`¶`, `#`) and link lists (the
   link-density signal of Boilerpipe and jusText). None of these may remove an element that holds
   half or more of the container's words: a wrapper that looks like chrome (`wy-nav-content`,
   `sidebar-layout`) is where the content is, not chrome.

Hand-written on lxml: readability-style libraries (readability-lxml, trafilatura) return flattened
text or their own cleaned HTML with scores we could not reason about per theme; here each rule is one
line with its reason, and the zoo test (tests/retrieval/test_docs_zoo_html.py) checks real built pages
from each generator.
"""

from __future__ import annotations

import re

# Never content: code, styles, metadata, widgets. Removed from the whole tree before anything is read.
NEVER_CONTENT = (
    "script", "style", "noscript", "template", "svg", "head", "title", "meta", "link", "object", "embed",
    "canvas", "iframe",
)  # fmt: skip
# Chrome by tag (the HTML standard's meaning for them) and by ARIA role.
_CHROME_TAGS = {"nav", "footer", "aside", "form", "button", "input", "select", "textarea"}
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "menu", "menubar"}
# Chrome by a conventional class or id name (a whole hyphen/underscore-separated part of the name).
_CHROME_NAME = re.compile(
    r"(^|[-_\s])(nav|navbar|navigation|menu|sidebar|side-bar|sphinxsidebar|footer|breadcrumbs?|share|sharing|social"
    r"|cookies?|consent|gdpr|comments?|feedback|related|related-pages|advert|ads|subscribe|newsletter"
    r"|pagination|pager|prev-next|skip-link|searchbox|search-box|site-header|masthead|toc|table-of-contents"
    r"|on-this-page|versions|version-switcher|version-selector|version-picker|rst-versions"
    r"|edit-this-page|view-this-page|edit-link|edit-page|page-meta|last-updated|source-file|footer-buttons"
    r"|visually-hidden|sr-only|screen-reader-text|headerlink|hash-link|copybtn|copy-button|clipboard"
    r"|viewcode-link|viewcode-back)"  # Sphinx viewcode's "[source]" after a signature (blind trial 55)
    r"([-_\s]|$)",
    re.IGNORECASE,
)
# Link texts that are a page's tooling, never its content ("Edit on GitHub", "View page source").
_CHROME_LINK_TEXT = re.compile(
    r"^(edit (this page|on github|on gitlab|on bitbucket|page)|view (page )?source|view this page"
    r"|suggest (an )?edit|improve this (page|doc)|report (an )?issue|create (child page|documentation issue"
    r"|project issue)|print entire section|back to top|skip to (main )?content)$",
    re.IGNORECASE,
)
# An icon-only link's name ("title", "aria-label") that says it opens the page's source or editor.
_ICON_LINK_NAME = re.compile(
    r"^(source|source code|view source|edit|edit this page|view this page)$", re.IGNORECASE
)
# A page's date line written by the theme ("Last modified April 24, 2019: Updated example (313f542)",
# "Last updated on 2023-01-05 by Jane"): short, opening with the phrase and a date.
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_LAST_MODIFIED = re.compile(
    rf"^(page )?last (modified|updated|edited|changed)( on| at)?:?\s+(\d|{_MONTH}\s+\d)(?=(\S*\s+){{0,24}}\S*$)",
    re.IGNORECASE,
)
# A heading's self-link shows a symbol ("¶", "#", "§", "🔗") or nothing; its text is no content.
_SELF_LINK_TEXT = re.compile(r"^[\W_]{0,2}$")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LINK_DENSITY = 0.8  # share of an element's text inside links above which a link list is navigation
_MIN_LINKS = 3
_MOST = 0.5  # an element holding this share of the container's words is never chrome
_MIN_MAIN_WORDS = 25  # a main container candidate must hold this many words (or the whole page's)


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# Main content containers, most specific first. The first that matches exactly one element with
# enough words wins; the generator that writes it is named for the reader. A generator's own container
# is the article however short the page; a generic one (GENERIC_CONTAINERS) may be a theme's wrapper.
GENERATOR_CONTAINERS: tuple[tuple[str, str], ...] = (
    ("Sphinx (Read the Docs theme, basic)", "//*[@itemprop='articleBody']"),
    ("MkDocs Material", f"//article[{_has_class('md-content__inner')}]"),
    ("Docusaurus", f"//*[{_has_class('theme-doc-markdown')}]"),
    ("Sphinx Furo", "//article[@id='furo-main-content']"),
    ("Sphinx pydata", f"//article[{_has_class('bd-article')}]"),
    ("Hugo Docsy", f"//main//div[{_has_class('td-content')}]"),  # the class alone also names table cells
    ("Antora", f"//main//article[{_has_class('doc')}]"),
    ("Jekyll just-the-docs", "//*[@id='main-content' and @role='main']"),
    ("Sphinx Alabaster, classic", f"//div[{_has_class('body')} and @role='main']"),
    ("VitePress", f"//*[{_has_class('vp-doc')}]"),
    ("VuePress", f"//*[{_has_class('theme-default-content')}]"),
    ("GitBook (legacy), Docsify", f"//*[{_has_class('markdown-section')}]"),
)
GENERIC_CONTAINERS: tuple[tuple[str, str], ...] = (
    ("HTML main", "//main"),
    ("ARIA main", "//*[@role='main']"),
    ("HTML article", "//article"),
    ("id main", "//*[@id='main']"),
    ("id content", "//*[@id='content']"),
    ("id main-content", "//*[@id='main-content']"),
    ("class main-content", f"//*[{_has_class('main-content')}]"),
    ("WordPress entry", f"//*[{_has_class('entry-content')}]"),
    ("blog post", f"//*[{_has_class('post-content')}]"),
)
MAIN_CONTAINERS = GENERATOR_CONTAINERS + GENERIC_CONTAINERS
_GENERIC_MAIN = frozenset(name for name, _ in GENERIC_CONTAINERS)  # each needs _MIN_MAIN_WORDS


def words(element) -> int:
    """Number of whitespace-separated words in an element's text."""
    return len(element.text_content().split())


def drop_never_content(root) -> None:
    """Remove scripts, styles, SVG and the like everywhere (their tail text stays with the parent)."""
    for element in list(root.iter(*NEVER_CONTENT)):
        if element.getparent() is not None:
            remove(element)


def find_main(root):
    """The element holding the page's article: the first of MAIN_CONTAINERS that matches one element
    outside nav/aside/footer with enough words (a generator's own container: any; a generic one,
    GENERIC_CONTAINERS: at least 25, or all of the page's), else <body> (else the root)."""
    body = root.find("body")
    body = body if body is not None else root
    needed = min(_MIN_MAIN_WORDS, words(body))
    for generator, xpath in MAIN_CONTAINERS:
        found = [candidate for candidate in root.xpath(xpath) if not _in_chrome_region(candidate)]
        # A generator's own article container is the article however short the page ("GitHub Actions",
        # one sentence: asdf's VitePress site); a generic <main> or #content may be a theme's wrapper.
        enough = needed if generator in _GENERIC_MAIN else min(needed, 1)
        if len(found) == 1 and words(found[0]) >= enough and needed > 0:
            return found[0]
    return body


def drop_chrome(container, guard: bool = True, article: bool = False, page_name: str = "") -> None:
    """Remove chrome inside `container` (never the container itself).

    guard: an element holding half or more of the container's words is never removed (a wrapper
    whose class looks like chrome holds the content). Off only for HTML fragments inside another
    format, which keep their earlier behaviour.
    article: the container is the page's identified article (find_main found one). Its <header>
    is the article's (title, byline), and a list of links in it is the author's (a section index, a
    toctree, "See also") unless it is the page's own table of contents: links to anchors of the
    page itself (`#hosts`, `base_directives.html#hosts` in base_directives.html, `page_name`).
    Elsewhere (a whole <body>, a fragment) every list of links is navigation.
    """
    total = words(container)

    def removable(element) -> bool:
        return not guard or words(element) < _MOST * total or total == 0

    for element in list(container.iterdescendants()):
        if not isinstance(element.tag, str) or _detached(element, container):
            continue
        if is_chrome(element, article) and removable(element):
            remove(element)
    for element in list(container.iterdescendants("ul", "ol", "table", "div", "p", "section", "dl")):
        if _detached(element, container) or not is_link_list(element) or not removable(element):
            continue
        if not article or is_local_toc(element, page_name):
            remove(element)


def is_chrome(element, in_article: bool = False) -> bool:
    """Navigation, page tooling or hidden: by tag, role, visibility, class/id name or link text.

    in_article: the element is inside the page's identified article, where a <header> is the
    article's own and an <aside> is the author's (Sphinx's HTML5 footnotes and topics are <aside>);
    elsewhere a <header> outside <article>/<main> is the site's banner and an <aside> a sidebar.
    """
    tag = element.tag.lower()
    if tag in _CHROME_TAGS and not (in_article and tag == "aside"):
        return True
    if tag == "header" and not in_article and not element.xpath("ancestor::article or ancestor::main"):
        return True
    if element.get("role", "").lower() in _CHROME_ROLES:
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if re.search(r"display\s*:\s*none", element.get("style", ""), re.IGNORECASE):
        return True
    if tag == "a" and (_is_self_link(element) or _CHROME_LINK_TEXT.match(_text(element))):
        return True
    # an icon linking to the page's source: PyMdown's "Source" atop 16 pages (blind trial 64)
    if tag == "a" and not _text(element):
        if _ICON_LINK_NAME.match(element.get("title") or element.get("aria-label") or ""):
            return True
    if tag in ("body", "html", "main", "article"):
        return False
    if tag in _HEADINGS:  # a heading's id is its slug; its class names a widget's title ("feedback--title")
        return bool(_CHROME_NAME.search(element.get("class", "")))
    if tag in ("div", "p", "span", "small", "time") and _LAST_MODIFIED.match(_text(element)):
        return True
    if tag in ("span", "div", "p", "small") and _is_code_language_label(element):
        return True
    if tag in ("td", "div") and _LINE_NUMBER_GUTTER.search(element.get("class", "")):
        return True  # a highlighted table's gutter of line numbers (Pygments' `td.linenos`)
    return bool(_CHROME_NAME.search(f"{_own_id(element)} {element.get('class', '')}"))


_LINE_NUMBER_GUTTER = re.compile(r"(?:^|\s)(?:linenos|linenodiv)(?:\s|$)")
# A code block's wrapper naming its language in its class ("language-shell", "highlight-python").
_LANGUAGE_CLASS = re.compile(r"(?:^|\s)(?:language|lang|highlight)-([\w+#.-]+)", re.IGNORECASE)


def _is_code_language_label(element) -> bool:
    """The label beside a code block that names its language (VitePress `<div class="language-shell">
    <span class="lang">shell</span><pre>`): the wrapper holds the code and names the language too. Read
    as text it opened every command's lead with "shell" (trial 43)."""
    parent = element.getparent()
    if parent is None or element.xpath(".//pre") or not parent.xpath("./pre"):
        return False
    named = _LANGUAGE_CLASS.search(parent.get("class", ""))
    return named is not None and _text(element).strip().lower() == named.group(1).lower()


def is_link_list(element) -> bool:
    """At least three links and 80% of the element's text inside links."""
    links = element.xpath(".//a")
    if len(links) < _MIN_LINKS:
        return False
    total = len(_text(element))
    linked = sum(len(_text(a)) for a in links)
    return total > 0 and linked / total >= _LINK_DENSITY


def is_local_toc(element, page_name: str) -> bool:
    """A list whose links (80% or more) go to anchors of this very page: its table of contents."""
    links = element.xpath(".//a[@href]")
    local = 0
    for link in links:
        path, hash_mark, _anchor = link.get("href", "").partition("#")
        if hash_mark and (not path or path.rsplit("/", 1)[-1] == page_name):
            local += 1
    return bool(links) and local >= _LINK_DENSITY * len(links)


def remove(element) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _in_chrome_region(element) -> bool:
    """Inside a nav, aside or footer (by tag or ARIA role): a teaser <article> in a sidebar."""
    for ancestor in element.iterancestors():
        if not isinstance(ancestor.tag, str):
            continue
        if ancestor.tag.lower() in ("nav", "aside", "footer") or ancestor.get("role", "").lower() in (
            "navigation", "complementary", "contentinfo",
        ):  # fmt: skip
            return True
    return False


def _own_id(element) -> str:
    """The id when it names the element; a section's id is the slug of its heading ("navigation",
    "setting-up-the-footer") and says nothing about chrome."""
    if any(isinstance(child.tag, str) and child.tag.lower() in _HEADINGS for child in element):
        return ""
    return element.get("id", "")


def _is_self_link(link) -> bool:
    """A link to an anchor in the page whose text is a lone symbol: a heading's permalink."""
    href = link.get("href", "")
    return href.startswith("#") and bool(_SELF_LINK_TEXT.match(_text(link).replace("\u200b", "")))


def _detached(element, container) -> bool:
    """True when an earlier removal already took the element out of the container."""
    return not any(ancestor is container for ancestor in element.iterancestors())


def _text(element) -> str:
    return " ".join(element.text_content().split())
