"""Text helpers shared by ingest and the assistant: sentence spans and normalised comparison."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from index.lexicon import Language, entry

# Dutch and English abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "bijv", "bv", "o.a", "d.w.z", "dhr", "mevr", "dr", "drs", "ir", "ing", "mr", "prof",
    "ca", "etc", "enz", "nr", "vs", "e.d", "m.b.t", "t.a.v", "i.p.v", "a.s", "jl", "incl",
    "excl", "st", "ong", "zgn", "resp", "e.g", "i.e", "mrs", "ms", "no", "tel", "z.s.m",
}  # fmt: skip
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)»\]]*\s+(?=[\"'“‘(«\[]?[A-ZÀ-Ý0-9])|\n\s*\n")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?…]*[\"'”’)»\]]*\s*$")


DUTCH_MONTHS: list[str] = entry("months", "nl")
DUTCH_WEEKDAYS: list[str] = entry("weekdays", "nl")
# Not 'een': mostly the article ('een programma'); 'één' with its accents is the number.
_NUMBER_WORDS = "|".join(entry("number_words", "nl"))
#: A number, in digits or Dutch words ("1 op de 8", "achttien", "een kwart").
MENTIONS_NUMBER = re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE)


#: A Dutch date, year, clock time or weekday.
MENTIONS_DATE = re.compile(
    rf"\b\d{{1,2}} ({'|'.join(DUTCH_MONTHS)})\b|\b(19|20)\d\d\b|\b\d{{1,2}}[:.]\d\d\b|"
    rf"\b({'|'.join(DUTCH_WEEKDAYS)})\b",
    re.IGNORECASE,
)


#: Days of one month written together: '7 tot en met 11 november', '9, 14 en 16 mei'.
_DAY_JOINERS = "|".join([*entry("day_list_joiners", "nl"), *entry("day_range_joiners", "nl")])
_DAY_RUN = re.compile(
    rf"\b\d{{1,2}}(?:\s*(?:,|{_DAY_JOINERS}|-|\u2013)\s*\d{{1,2}})+ "
    rf"({'|'.join(DUTCH_MONTHS)})\b",
    re.IGNORECASE,
)


#: A list item's marker at a line's start: a bullet, a dash or a number ('1.', '2)').
BULLET = re.compile(r"^(?:[-*•▪–]\s+|\d{1,2}[.)]\s+)")


def mentions_count(text: str) -> bool:
    """A number that counts something: not a year, a date or a clock time ('sinds 2017')."""
    return bool(MENTIONS_NUMBER.search(MENTIONS_DATE.sub(" ", _DAY_RUN.sub(" ", text))))


_FULL_DATE = re.compile(
    rf"\b(\d{{1,2}}) ({'|'.join(DUTCH_MONTHS)}) ((?:19|20)\d\d)\b", re.IGNORECASE
)
#: A day and month with no year after it, and what may follow: 'jl.' (last), 'a.s.' (coming).
_YEARLESS_DATE = re.compile(
    rf"\b(\d{{1,2}}) ({'|'.join(DUTCH_MONTHS)})\b(?!\s+(?:19|20)\d\d)(\s+(?:jl|a\.\s?s)\.?)?",
    re.IGNORECASE,
)
#: A page's own date stands in its header: a full date this near the top is when it was written.
DATE_HEADER_CHARS = 400


def document_date(text: str) -> dt.date | None:
    """When a document was written: the first full date in its header ('Geplaatst op 12
    december 2019'), or None."""
    match = _FULL_DATE.search(text[:DATE_HEADER_CHARS])
    if not match:
        return None
    day, month, year = (
        int(match.group(1)),
        MONTH_NUMBERS[fold(match.group(2))],
        int(match.group(3)),
    )
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def yearless_dates(text: str, written: dt.date) -> list[dt.date]:
    """The days and months ``text`` gives without a year, dated from when it was written:
    '11 september jl.' is the last 11 September before, '5 februari a.s.' the next 5 February
    after; a plain '9 juli' the nearest one."""
    found: list[dt.date] = []
    for match in _YEARLESS_DATE.finditer(text):
        day, month = int(match.group(1)), MONTH_NUMBERS[fold(match.group(2))]
        options = []
        for year in (written.year - 1, written.year, written.year + 1):
            try:
                options.append(dt.date(year, month, day))
            except ValueError:
                continue
        relative = fold(match.group(3) or "").replace(" ", "")
        if relative.startswith("jl"):
            options = [d for d in options if d <= written]
        elif relative.startswith("a.s"):
            options = [d for d in options if d >= written]
        if options:
            found.append(min(options, key=lambda d: abs((d - written).days)))
    return list(dict.fromkeys(found))


ENGLISH_MONTHS: list[str] = entry("months", "en")


def english_date(day: dt.date) -> str:
    """'9 May 2023'."""
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def dutch_date(day: dt.date) -> str:
    """'9 mei 2023'."""
    return f"{day.day} {DUTCH_MONTHS[day.month - 1]} {day.year}"


def spoken_date(day: dt.date, language: Language) -> str:
    """'9 mei 2023' in Dutch, '9 May 2023' in English."""
    return dutch_date(day) if language == "nl" else english_date(day)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; paragraph breaks always end a sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        paragraph_break = not match.group(0).strip()
        if not paragraph_break and (
            _ends_with_abbreviation(text[start : match.start() + 1])
            or _inside_quotation(text[start : match.end()])
        ):
            continue
        end = match.end()
        _add_span(text, start, end, spans)
        start = end
    _add_span(text, start, len(text), spans)
    return spans


def _inside_quotation(fragment: str) -> bool:
    """A full stop inside ‘a quoted title. Like this’ does not end the sentence around it."""
    if len(fragment) > 400:
        return False
    opened = fragment.count("‘") + fragment.count("“")
    closed = fragment.count("”") + len(re.findall(r"’(?!\w)", fragment))
    return opened > closed


def _ends_with_abbreviation(fragment: str) -> bool:
    m = _WORD_BEFORE.search(fragment)
    if not m:
        return False
    word = m.group(1).rstrip(".").lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((start + lead, start + lead + len(stripped)))


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def squash_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """Lower-case and strip accents, for matching that ignores 'é' versus 'e'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: A month's number by its name, Dutch or English, folded: 'maart' and 'march' are 3.
MONTH_NUMBERS = {
    fold(name): i % 12 + 1 for i, name in enumerate([*DUTCH_MONTHS, *entry("months", "en")])
}
