"""A source's `include` / `exclude` globs, matched against POSIX paths inside the source.

wcmatch (facelessuser/wcmatch: pure Python, maintained, one small dependency) gives shell glob semantics
with `**` (GLOBSTAR), `{a,b}` (BRACE) and gitignore-like base-name matching for patterns without a slash
(MATCHBASE: `*.pdf` is every PDF at any depth), which fnmatch lacks (its `*` crosses `/`) and which
pathlib's `full_match` only has from Python 3.13. A pattern also matches everything under a folder it
names: `drafts` and `drafts/` are `drafts/**`.
"""

from __future__ import annotations

from collections.abc import Sequence

from wcmatch import glob

_FLAGS = glob.GLOBSTAR | glob.BRACE | glob.MATCHBASE | glob.DOTGLOB


class PathFilter:
    """Which paths a source reads: those some `include` pattern matches (every path when there are
    none) and no `exclude` pattern matches."""

    def __init__(self, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> None:
        self.include = _expanded(include)
        self.exclude = _expanded(exclude)

    def __call__(self, path: str) -> bool:
        """True when the POSIX path `path` (relative to the source) is read."""
        if self.include and not glob.globmatch(path, self.include, flags=_FLAGS):
            return False
        return not (self.exclude and glob.globmatch(path, self.exclude, flags=_FLAGS))

    @property
    def filters(self) -> bool:
        """Whether any pattern was given (without any, every path is read)."""
        return bool(self.include or self.exclude)


def _expanded(patterns: Sequence[str]) -> list[str]:
    """Each pattern, and the same pattern as a folder (`docs` -> also `docs/**`)."""
    expanded: list[str] = []
    for pattern in patterns:
        stripped = pattern.strip().lstrip("/").removeprefix("./")
        if not stripped:
            continue
        folder = stripped.rstrip("/")
        expanded += [folder, f"{folder}/**"] if not folder.endswith("**") else [folder]
    return expanded
