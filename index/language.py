"""Which language a question is in: Dutch or English (the two the assistant answers in)."""

from __future__ import annotations

import re

from index.lexicon import Language, words

__all__ = ["Language", "detect_language"]


def detect_language(text: str) -> Language:
    """'nl' or 'en'; Dutch wins ties because the movement and its documents are Dutch."""
    found = re.findall(r"[a-zà-ÿ']+", text.lower())
    dutch = sum(w in words("detection", ("nl",)) for w in found)
    english = sum(w in words("detection", ("en",)) for w in found)
    return "en" if english > dutch else "nl"
