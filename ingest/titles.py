"""A document's title, made from its text when staff gave it none.

After the document's heading (``ingest.cleaning.looks_like_heading``) and its web
address's last part: a quoted title the text introduces as one ('met de titel ‘…’'); a
name the text gives itself ('Deze inspiratiebijeenkomst ‘Tussen dromen en doen’'); its
first sentence, cut short at a word boundary. The rules are about kinds of words (a
demonstrative, a word for 'title'), never about one document's words.
"""

from __future__ import annotations

import re

from index.lexicon import phrases, words
from index.text import split_sentences, squash_whitespace
from ingest.cleaning import FUNCTION_WORDS

#: A first sentence this long or shorter is the title whole.
MAX_SENTENCE_TITLE = 80
#: A longer first sentence is cut to at most this many characters, with its '…'.
CUT_TITLE = 60

# A quoted phrase: ‘…’, “…”, "…", '…' or «…». A closing ’ followed by a letter is an
# apostrophe (dilemma’s), not the end of the quote.
_QUOTED = (
    r"(?:‘(?P<a>[^‘\n]{2,80}?)’(?!\w)|“(?P<b>[^“\n]{2,80}?)”|\"(?P<c>[^\"\n]{2,80}?)\""
    r"|(?<!\w)'(?P<d>[^'\n]{2,80}?)'(?!\w)|«(?P<e>[^«\n]{2,80}?)»)"
)
# Words that introduce a title ('met de titel', 'getiteld', 'called'): the lexicons'
# ``title_cues``.
_TITLE_CUE = re.compile(
    r"\b(?:" + "|".join(phrases("title_cues")) + r")\s*:?\s*" + _QUOTED, re.IGNORECASE
)
# The text naming itself: a demonstrative, one to three words (what it is), then a quoted
# name: 'Deze inspiratiebijeenkomst zorgonderwijs ‘Tussen dromen en doen’', 'this
# workshop “…”'. The words must not be a verb ('dit is ‘…’', 'this was “…”') or a
# preposition ('op deze site onder ‘Reglementen’' names a menu, not the text).
_SELF_NAME = re.compile(
    r"\b(?:" + "|".join(phrases("title_demonstratives")) + r")\s+"
    r"(?P<what>(?:[\w\-]+\s+){0,2}[\w\-]+)\s+" + _QUOTED,
    re.IGNORECASE,
)
_NOT_A_NAME = words("title_not_a_name")


def quoted_title(text: str) -> str | None:
    """A quoted phrase the text introduces as a title ('met de titel ‘…’')."""
    for found in _TITLE_CUE.finditer(text):
        name = _quoted_part(found)
        if _title_like(name):
            return _capitalised(name)
    return None


def self_name(text: str) -> str | None:
    """What the text calls itself: 'Deze inspiratiebijeenkomst zorgonderwijs ‘Tussen
    dromen en doen’' gives 'Inspiratiebijeenkomst zorgonderwijs ‘Tussen dromen en doen’'."""
    for found in _SELF_NAME.finditer(text):
        what = found.group("what")
        if any(w.lower() in _NOT_A_NAME or w.lower() in FUNCTION_WORDS for w in what.split()):
            continue
        if not _title_like(_quoted_part(found)):
            continue
        named = squash_whitespace(text[found.start("what") : found.end()])
        return _capitalised(named)
    return None


def cut_title(text: str) -> str | None:
    """The first sentence; a long one cut at a word boundary to at most CUT_TITLE
    characters, without a dangling 'de' or 'van' at its end, and marked with '…'."""
    sentences = split_sentences(text[:1000])
    if not sentences:
        return None
    first = squash_whitespace(sentences[0]).rstrip(".")
    if len(first) <= MAX_SENTENCE_TITLE:
        return first
    return short_cut(first, CUT_TITLE)


def short_cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters (with its '…') between two words; a
    first word longer than that is kept whole rather than cut inside."""
    words = text.split()
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word])) + 1 > limit:
            break
        kept.append(word)
    if not kept:
        kept = words[:1]
    while len(kept) > 1 and _dangling(kept[-1]):
        kept.pop()
    return " ".join(kept).rstrip(",;:–-") + "…"


def _dangling(word: str) -> bool:
    """A word a title cannot end on: a function word ('de', 'van', 'and')."""
    return word.strip(",;:").lower() in FUNCTION_WORDS


def _quoted_part(found: re.Match[str]) -> str:
    return next((g for g in found.group("a", "b", "c", "d", "e") if g), "")


def _title_like(name: str) -> bool:
    """A name, not a quoted remark: at most ten words, no sentence inside it."""
    name = name.strip()
    words = name.split()
    return 0 < len(words) <= 10 and not re.search(r"[.!?]\s", name) and not name.endswith(",")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
