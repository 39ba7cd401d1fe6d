"""Which language a question is in: Dutch or English (the two the assistant answers in)."""

from __future__ import annotations

import re

from index.lexicon import Language, words

__all__ = ["Language", "detect_language", "in_another_script"]

#: Latin letters, with their accented and extended forms, end here in Unicode.
_LATIN_END = 0x024F


def detect_language(text: str) -> Language:
    """'nl' or 'en'; Dutch wins ties because the movement and its documents are Dutch."""
    found = re.findall(r"[a-zà-ÿ']+", text.lower())
    dutch = sum(w in words("detection", ("nl",)) for w in found)
    english = sum(w in words("detection", ("en",)) for w in found)
    return "en" if english > dutch else "nl"


def in_another_script(text: str) -> bool:
    """Written mostly in letters that are not Latin (Chinese, Cyrillic, Arabic ...): in
    neither language the assistant answers in, whatever its words."""
    letters = [c for c in text if c.isalpha()]
    latin = sum(ord(c) <= _LATIN_END for c in letters)
    return bool(letters) and latin < len(letters) / 2
