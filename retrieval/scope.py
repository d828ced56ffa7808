"""Which sources a request may see: a scope is a set of source names, or None for everything.

A document from a named source has the key "<source name>/<path inside the source>" (the issue 18
contract), so a passage's or document's source name is the key up to its first "/". Scope None is the
`corpus:` shorthand, and any caller that sees everything: nothing is filtered.
"""

from __future__ import annotations

Scope = frozenset[str] | None  # source names a request may see; None: all of them


def source_name(key: str) -> str:
    """The source a document key or passage id belongs to ("handbook/docs/a.md#3" -> "handbook")."""
    return key.split("/", 1)[0]


def in_scope(key: str, scope: Scope) -> bool:
    """Whether a document key or passage id belongs to a source `scope` allows (always, for None)."""
    return scope is None or source_name(key) in scope
