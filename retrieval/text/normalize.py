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
    """Matching form: NFKC, invisible characters removed, case-folded, accents stripped ("Zürich" -> "zurich").

    Accents are stripped only from letters of scripts where they are optional (Latin, Greek, Cyrillic,
    Hebrew and Arabic vowel points); where a mark is part of the letter (kana's voicing marks, Hangul, Indic
    vowel signs) it stays, recomposed: "が" stays "が", not "か".
    """
    if text.isascii():  # the same result, without three passes over every character
        return text.lower()
    text = unicodedata.normalize("NFKC", clean_text(text)).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    strip = True  # whether marks on the current base letter are dropped
    recompose = False  # a letter of a script whose marks count: recompose what NFKD took apart
    for ch in decomposed:
        if not unicodedata.combining(ch):
            strip = _optional_marks(ch)
            recompose = recompose or not strip
            kept.append(ch)
        elif not strip:
            kept.append(ch)
    folded = "".join(kept)
    return unicodedata.normalize("NFC", folded) if recompose else folded


def _optional_marks(base: str) -> bool:
    """Whether accents on `base` may be dropped: Latin, Greek, Cyrillic, Hebrew, Arabic (and anything
    that is not a letter), as before; not for other scripts, where the marks change the letter."""
    point = ord(base)
    return (
        point < 0x0700  # Latin, IPA, Greek, Cyrillic, Armenian, Hebrew, Arabic
        or 0x1D00 <= point < 0x2000  # phonetic extensions, Latin and Greek extended
        or 0x2C60 <= point < 0x2C80  # Latin extended-C
        or 0xA720 <= point < 0xA800  # Latin extended-D
        or 0xAB30 <= point < 0xAB70  # Latin extended-E
        or not base.isalpha()
    )
