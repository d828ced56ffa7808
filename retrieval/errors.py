"""Errors whose message is safe to show a user as-is."""


class RetrievalError(Exception):
    """Base for errors a user can act on; the message says what to do."""


class CorpusError(RetrievalError):
    """The corpus folder is missing or holds nothing readable."""


class IndexMissingError(RetrievalError):
    """No index at the given path."""


class IndexIncompatibleError(RetrievalError):
    """The index was built differently (model, dimension, format) or is corrupt."""
