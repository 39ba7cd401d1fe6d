"""The things a question may ask an answer to hold (a date, a count, a place, an address,
a price, a time of day...), and one test per thing of whether a text holds it: what the
learned chooser's features, the answerability decision and the final check of an answer
all read, so that each thing is recognised one way only."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.kinds import Thing
from index.lexicon import LANGUAGES, entry, pattern, phrases
from index.text import MENTIONS_DATE, fold, mentions_count

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: A Dutch phone number: ten digits from a 0 (or +31), in groups ('015 -380 41 11',
#: '085-4007022'), or a municipality's short number ('14 0521').
PHONE = re.compile(r"(?:\+31[\s-]?|\b0)\d(?:[\s\u2013-]{0,3}\d){8}\b|\b14[\s-]?0\d{2,3}\b")
WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)[^\s)\]>,;]*[\w/]")
#: 'in Utrecht', 'bij de Stadskantoor', 'aan het Plein': a preposition before a capitalised
#: name is how a place is written in Dutch (and English) running text.
PLACE = re.compile(r"\b(in|bij|aan|op|at|te)\s+(het |de |the )?[A-Z][\w-]+")
#: A time of day ('13:30', '9.00 uur', '19 uur').
TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2} uur\b")
#: An amount of money ('€ 25', '25 euro', '25,-').
MONEY = re.compile(r"€|\beuro\b|\beur\b|\b\d+,-")
#: That something costs nothing ('gratis', 'free of charge'): a price too.
PRICE_WORDS = pattern("price_words")
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
#: A length of time: a number (in digits or words) before a unit of time ('3,5 jaar',
#: 'twee dagen', 'anderhalf uur', 'six weeks').
_UNITS = "|".join(u for language in LANGUAGES for u in entry("duration_units", language))
_AMOUNTS = "|".join(a for language in LANGUAGES for a in entry("number_words", language))
DURATION = re.compile(rf"(?:\d+(?:[.,]\d+)?|\b(?:{_AMOUNTS}))\s+(?:{_UNITS})\b", re.IGNORECASE)
_MONTHS = "|".join(m for language in LANGUAGES for m in entry("months", language))
#: The day something must be done by: a deadline word right before a day and month ('tot
#: en met 31 mei', 'uiterlijk 7 november', 'until 31 May'), the words ingest reads
#: deadlines by (``deadline_markers``).
DEADLINE = re.compile(
    r"\b(?:" + "|".join(phrases("deadline_markers")) + r")\s+(?:\w+dag\s+)?\d{1,2}\s+"
    rf"(?:{_MONTHS})\b",
    re.IGNORECASE,
)


#: An abbreviation written out: a name with its short form in brackets ('de Wet zorg en dwang
#: (Wzd)'), or a short form with its name in brackets ('Wzd (Wet zorg en dwang)'). A short
#: form is two to six letters, with a capital ('Wzd', 'CIV') or all small ('ggz').
_SHORT = r"(?:[A-Z][A-Za-z]{1,5}|[a-z]{2,5})"
ABBREVIATION = re.compile(rf"\b[^\W\d_][\w-]*\s+\({_SHORT}\)|\b{_SHORT}\s+\([\w-]+(?:\s+[\w-]+)+\)")


def _holds_contact(text: str) -> bool:
    return bool(EMAIL.search(text) or PHONE.search(text) or WEB_ADDRESS.search(text))


def _holds_count(text: str) -> bool:
    """A number that counts something (``mentions_count``: not a year, a date or a clock
    time), nor the digits of a phone number, an e-mail or a web address: 'bel 015 -380 41
    11' says no number of working days."""
    for address in (PHONE, EMAIL, WEB_ADDRESS):
        text = address.sub(" ", text)
    return mentions_count(text)


def _holds_price(text: str) -> bool:
    return bool(MONEY.search(text) or PRICE_WORDS.search(fold(text)))


#: Whether a text holds each thing a pattern can see in text alone (a person's name needs
#: the corpus's names: ``HOLDS``).
TEXT_HOLDS: dict[Thing, Callable[[str], bool]] = {
    "date": lambda text: bool(MENTIONS_DATE.search(text)),
    "count": _holds_count,
    "place": lambda text: bool(PLACE.search(text)),
    "contact": _holds_contact,
    "email": lambda text: bool(EMAIL.search(text)),
    "phone": lambda text: bool(PHONE.search(text)),
    "price": _holds_price,
    "time": lambda text: bool(TIME.search(text)),
    "duration": lambda text: bool(DURATION.search(text)),
    "year": lambda text: bool(YEAR.search(text)),
    "deadline": lambda text: bool(DEADLINE.search(text)),
    "abbreviation": lambda text: bool(ABBREVIATION.search(text)),
}
