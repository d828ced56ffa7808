"""Unicode normalisation: one form for stored text, a folded form for matching words.

Stored text keeps what the author wrote, minus characters no reader can see (zero-width spaces,
soft hyphens) and with no-break spaces made plain. Matching folds further (NFKC, case, accents),
so "Zurich" finds "Zürich", "cafe" finds "café" and "ﬁfth" (a PDF ligature) finds "fifth".
"""

from __future__ import annotations

import re
import unicodedata

# U+00AD soft hyphen, U+200B-U+200D zero-width space/joiners, U+2060 word joiner, U+FEFF BOM/ZWNBSP.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile("[\u00a0\u2007\u202f\u2000-\u200a]")


def clean_text(text: str) -> str:
    """Stored form: NFC, invisible characters removed, exotic spaces made plain. Lengths may shrink."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))


def compatibility_text(text: str) -> str:
    """Stored form for extracted PDF text: NFKC too, so ligatures (U+FB01 "ﬁ") become letters ("fi")."""
    return unicodedata.normalize("NFKC", clean_text(text))


def fold(text: str) -> str:
    """Matching form: NFKC, invisible characters removed, case-folded, accents stripped ("Zürich" -> "zurich")."""
    if text.isascii():  # the same result, without three passes over every character
        return text.lower()
    text = unicodedata.normalize("NFKC", clean_text(text)).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
