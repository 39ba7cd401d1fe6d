"""Which language a question is in: Dutch or English (the two the assistant answers in)."""

from __future__ import annotations

import re
from typing import Literal

#: The languages the assistant answers in.
Language = Literal["nl", "en"]

_DUTCH = {
    "de", "het", "een", "en", "van", "is", "wat", "wie", "waar", "wanneer", "welke", "hoe",
    "waarom", "hoeveel", "zijn", "er", "op", "voor", "met", "niet", "ik", "je", "jij", "we",
    "wij", "mijn", "kan", "kun", "kunnen", "moet", "wordt", "worden", "bij", "aan", "ook",
    "dat", "die", "dit", "deze", "over", "naar", "om", "te", "heeft", "hebben", "volgende",
    "bijeenkomst", "graag", "vertel", "noem", "geef", "zorg", "welk", "nog", "al", "waarover",
    "tot", "uit", "als", "maar", "dan", "mee", "meer", "ze", "zij", "hun", "ons",
}  # fmt: skip
_ENGLISH = {
    "the", "a", "an", "and", "of", "is", "what", "who", "where", "when", "which", "how",
    "why", "are", "there", "on", "for", "with", "not", "i", "you", "we", "my", "can", "could",
    "must", "does", "do", "did", "to", "at", "also", "that", "this", "these", "about", "next",
    "meeting", "please", "tell", "me", "it", "was", "were", "has", "have", "will", "would",
    "many", "much", "from", "by", "in", "their", "they", "any", "first", "last", "say",
}  # fmt: skip


def detect_language(text: str) -> Language:
    """'nl' or 'en'; Dutch wins ties because the movement and its documents are Dutch."""
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    dutch = sum(w in _DUTCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    return "en" if english > dutch else "nl"
