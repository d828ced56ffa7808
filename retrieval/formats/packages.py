"""What the zip-packaged formats (.pptx, .xlsx, .odt, .epub) share: a damaged package is a ValueError.

A damaged zip shows up as whatever the layer that trips over it raises, when it reads the part:
zipfile (BadZipFile, NotImplementedError for an unknown zip version, EOFError), zlib (zlib.error),
the XML parser (lxml errors), or the format library (KeyError for a missing part, its own exception
types). Readers turn all of these into the ValueError the indexer reports as a skipped file, so one
damaged file never stops a build.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from zipfile import BadZipFile

from lxml import etree

DAMAGED_PACKAGE: tuple[type[BaseException], ...] = (
    BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, KeyError, ValueError, TypeError,
    AttributeError, IndexError, etree.LxmlError,
)  # fmt: skip


@contextmanager
def unreadable_as_value_error(suffix: str, *library_errors: type[BaseException]) -> Iterator[None]:
    """Inside the block, a damaged package (see DAMAGED_PACKAGE, plus the library's own errors)
    becomes ValueError("unreadable <suffix> (<error type>)")."""
    try:
        yield
    except (*DAMAGED_PACKAGE, *library_errors) as error:
        raise ValueError(f"unreadable {suffix} ({error.__class__.__name__})") from None
