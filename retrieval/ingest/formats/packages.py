"""What the office formats share: a damaged zip package is a ValueError; a file name as a title.

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
from pathlib import PurePosixPath
from zipfile import BadZipFile

from lxml import etree

DAMAGED_PACKAGE: tuple[type[BaseException], ...] = (
    BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, KeyError, ValueError, TypeError,
    AttributeError, IndexError, etree.LxmlError,
)  # fmt: skip


class UnreadablePackage(ValueError):
    """A package a reader refuses for a reason of its own (encrypted chapters), named in the message."""

    def __init__(self, suffix: str, reason: str) -> None:
        super().__init__(f"unreadable {suffix} ({reason})")


@contextmanager
def unreadable_as_value_error(suffix: str, *library_errors: type[BaseException]) -> Iterator[None]:
    """Inside the block, a damaged package (see DAMAGED_PACKAGE, plus the library's own errors)
    becomes ValueError("unreadable <suffix> (<error type>)")."""
    try:
        yield
    except UnreadablePackage:
        raise
    except (*DAMAGED_PACKAGE, *library_errors) as error:
        raise UnreadablePackage(suffix, error.__class__.__name__) from None


def title_from_file_name(source: str) -> str:
    """For a file that names no title (a table, a deck of untitled slides): "price_list.csv" -> "price list"."""
    return PurePosixPath(source).stem.replace("_", " ").replace("-", " ")
