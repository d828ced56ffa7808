"""include / exclude globs of a source, on paths inside it."""

from __future__ import annotations

import pytest

from retrieval.sources.globs import PathFilter


@pytest.mark.parametrize(
    ("include", "exclude", "path", "read"),
    [
        ((), (), "anything/at/all.md", True),
        (("docs/**",), (), "docs/guide/install.md", True),
        (("docs/**",), (), "docs/index.md", True),
        (("docs/**",), (), "docsite/index.md", False),
        (("docs/*.md",), (), "docs/guide/install.md", False),  # * stays inside one folder
        (("**/*.md",), (), "README.md", True),  # ** also matches no folder at all
        (("*.md",), (), "deep/down/notes.md", True),  # no slash: the file name, at any depth
        (("{docs,guides}/**",), (), "guides/a.md", True),
        ((), ("drafts",), "drafts/secret.md", False),  # a folder's name: everything under it
        ((), ("drafts/",), "docs/drafts.md", True),
        (("docs/**",), ("docs/internal/**",), "docs/internal/keys.md", False),
        (("docs/**",), ("*.pdf",), "docs/manual.pdf", False),
    ],
)
def test_a_path_is_read_when_included_and_not_excluded(include, exclude, path, read):
    assert PathFilter(include, exclude)(path) is read
