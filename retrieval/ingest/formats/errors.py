"""The error a reader raises for a file of its suffix whose content it does not read."""

from __future__ import annotations


class NoReaderError(ValueError):
    """The file's suffix has a reader, but not for this content: a YAML or JSON file that is no OpenAPI
    document. The file is reported as not read ("no reader for .yaml: ..."), like a suffix without a
    reader, rather than skipped with a warning as a damaged file is."""
