"""The error a reader raises for a file of its suffix whose content it does not read."""

from __future__ import annotations

from pathlib import PurePosixPath


class NoReaderError(ValueError):
    """The file's suffix has a reader, but not for this content: a YAML or JSON file that is no OpenAPI
    document. The file is reported as not read ("no reader for .yaml: ..."), like a suffix without a
    reader, rather than skipped with a warning as a damaged file is."""


def not_read(source: str, why: str) -> NoReaderError:
    """The error for a file of `source`'s suffix that its reader declines: "no reader for .html (a page
    template: ...)", by the suffix as the index report groups unread files ("this file" without one)."""
    suffix = PurePosixPath(source).suffix.lower()
    return NoReaderError(f"no reader for {suffix or 'this file'} ({why})")
