"""Files a documentation build writes beside its pages that are not pages: not read, and said so.

A Sphinx HTML build folder (`sphinx-build -b html`, as published or copied from `_build/html`) holds
its pages and, beside them, `_sources/` (each page's reStructuredText again, as `.txt`), `_static/`
(theme files, a web font's licence), `_modules/` (highlighted source code), the general index
(`genindex.html`), the search page, the module index and often a 404 page. Indexed, they were cited
in place of the pages: "What licence is itsdangerous under?" was answered from the web font's licence,
and a page's raw `:meth:` markup from its `_sources` copy outranked the page itself.

A folder is a Sphinx build when it holds `objects.inv` (the inventory intersphinx reads) and
`searchindex.js`, both written by every HTML build.
"""

from __future__ import annotations

from pathlib import Path

SPHINX_BUILD_MARKERS = ("objects.inv", "searchindex.js")
SPHINX_GENERATED_FOLDERS = {"_sources", "_static", "_modules", "_downloads", "_images"}
SPHINX_GENERATED_PAGES = {"genindex.html", "search.html", "py-modindex.html", "np-modindex.html", "404.html"}
GENERATED_REASON = (
    "not read: written by the Sphinx build (page source copies, static files, index and search pages)"
)
_MAX_DEPTH = 6  # how many folders up a page may sit below its build's root (_static/css/fonts/x)


def generated_reason(path: Path, top: Path, builds: dict[Path, bool] | None = None) -> str | None:
    """Why the file at `path` (inside the corpus folder `top`) is not read: GENERATED_REASON when a
    Sphinx HTML build wrote it beside its pages (in one of SPHINX_GENERATED_FOLDERS of the build's
    root, or one of SPHINX_GENERATED_PAGES there); None for a page or any other file. `builds` caches
    which folders are build roots over one listing of a corpus."""
    builds = {} if builds is None else builds
    folder = path.parent
    for _ in range(_MAX_DEPTH):
        if folder not in builds:
            builds[folder] = all((folder / marker).is_file() for marker in SPHINX_BUILD_MARKERS)
        if builds[folder]:
            relative = path.relative_to(folder).parts
            if relative[0] in SPHINX_GENERATED_FOLDERS or (
                len(relative) == 1 and path.name in SPHINX_GENERATED_PAGES
            ):
                return GENERATED_REASON
            return None
        if folder == top or folder.parent == folder or not folder.is_relative_to(top):
            return None
        folder = folder.parent
    return None
