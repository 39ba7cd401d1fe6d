"""Finding dated events in Dutch text, and working out the years the text leaves out.

Covers "9 mei 2023, 13:30 - 16:30, Kanaal30, Utrecht"; lists ("9 mei, 14 september en
7 december"); ranges ("7 tot en met 11 november 2022"); weekdays ("Op vrijdag 11 november":
the year whose 11 November is a Friday); times ("13:30 - 16:30", "13.30 uur"); and vague ones
("in 2024", "begin november"), which never get a precise date. A year the text leaves out is
taken from the document's own full dates, from the weekday, or from order ("een volgende
... 21 maart" after a November event is next March), and marked inferred.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from index.events import Event
from index.lexicon import phrases, words
from index.text import DUTCH_MONTHS, DUTCH_WEEKDAYS, document_date, sentence_spans, yearless_dates
from ingest.cleaning import CleanText

MONTHS = {name: number for number, name in enumerate(DUTCH_MONTHS, start=1)}
WEEKDAYS = {name: number for number, name in enumerate(DUTCH_WEEKDAYS)}
_MONTH = "|".join(MONTHS)
_WEEKDAY = "|".join(WEEKDAYS)
_DATE = re.compile(
    rf"\b(?:(?P<weekday>{_WEEKDAY})\s+)?(?P<day>\d{{1,2}})"
    rf"(?:\s*(?:tot en met|t/m|tot|[-–])\s*(?P<day2>\d{{1,2}}))?"
    rf"\s+(?P<month>{_MONTH})(?:\s+(?P<year>(?:19|20)\d\d))?\b",
    re.IGNORECASE,
)
_VAGUE_MONTH = re.compile(
    rf"\b(?P<when>begin|half|midden|eind|medio|in)\s+(?P<month>{_MONTH})\b", re.I
)
_VAGUE_YEAR = re.compile(r"\b(?:in|voor|tijdens|medio|eind|begin)\s+(?P<year>20\d\d)\b", re.I)
_TIME_RANGE = re.compile(
    r"\b(\d{1,2})[:.](\d{2})\s*(?:uur\s*)?(?:-|–|tot)\s*(\d{1,2})[:.](\d{2})\b"
)
_TIME = re.compile(r"\b(\d{1,2})[:.](\d{2})\s*uur\b|\bom\s+(\d{1,2})[:.](\d{2})\b")
_NAMED_EVENT = re.compile("|".join(phrases("named_event", ("nl",))))
_EVENT_NOUNS = "|".join([*phrases("event_nouns", ("nl",)), *phrases("named_event", ("nl",))])
_EVENT_NOUN = re.compile(rf"\b({_EVENT_NOUNS})\b", re.IGNORECASE)
_EVENT_WORDS = re.compile(
    rf"\b({_EVENT_NOUNS}|{'|'.join(phrases('event_phrases', ('nl',)))})\b", re.IGNORECASE
)
_EVENT_PARTS = words("event_parts", ("nl",))
#: 'a.s.' (aanstaande: the coming one) and 'jl.' (jongstleden: the last one) after a date.
_RELATIVE = re.compile(r"\s+(a\.\s?s|jl)\.?", re.IGNORECASE)
#: 'Geplaatst op 12 december 2019': the page's date, never an event's.
_PUBLISHED = re.compile(
    r"\b(" + "|".join(phrases("publication_markers")) + r")\s*:?\s*$", re.IGNORECASE
)
#: A year alone is an event's date only this close to an event word ("in 2024" after
#: "de afsluitende"), not when it dates a plan elsewhere in the sentence.
_YEAR_NEAR_EVENT = 60
_NEXT = re.compile(r"\b(volgende|vervolg|daarna)\b", re.I)
_QUOTED = re.compile(r"[‘“]([^’”]{3,80})[’”]")
_PLACE = re.compile(
    r"\b(?:bij|in|op locatie)\s+((?:Het |De )?[A-Z][\w-]*(?:\s+(?:\d+\w*|[A-Z][\w-]*))*"
    r"(?:\s+in\s+[A-Z][\w-]*)?)"
)
_ORGANISER = re.compile(
    r"\b(?:op initiatief van|georganiseerd door)\s+([A-Z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3})"
)
_PART = re.compile(r"\bdeel (\d)\b", re.I)
_MAX_YEAR_GAP = 6


@dataclass
class _Mention:
    start: int  # offset in the document text
    end: int
    date_text: str
    day: int | None
    day2: int | None
    month: int | None
    year: int | None
    weekday: int | None
    vague: str | None  # "year" or "month" for vague mentions


def extract_events(clean: CleanText, metadata: dict[str, object], has_pages: bool) -> list[Event]:
    text = clean.text
    context_years = _context_years(text)
    written = document_date(text)
    events: list[Event] = []
    previous: dt.date | None = None
    for start, end in _units(clean):
        unit = text[start:end]
        if not _EVENT_WORDS.search(unit) and not _is_header(clean, start):
            continue
        mentions = [m for m in _mentions(unit) if not _PUBLISHED.search(unit[: m.start])]
        for index, mention in enumerate(mentions):
            event = _event(
                mention, index, len(mentions), unit, context_years, previous, metadata, written
            )
            if event is None:
                continue
            if has_pages:
                event = _with_page(event, clean.page_at(start + mention.start))
            events.append(event)
            if event.start is not None:
                previous = event.start
    return _deduplicate(events)


def _units(clean: CleanText) -> list[tuple[int, int]]:
    """Sentences, except that a header block of short lines (date, time, place) is one unit."""
    units: list[tuple[int, int]] = []
    for paragraph in clean.paragraphs:
        block = clean.paragraph_text(paragraph)
        if units and _is_detail(block) and _is_detail(clean.text[units[-1][0] : units[-1][1]]):
            units[-1] = (units[-1][0], paragraph.end)  # join "9 mei 2023" "13:30 - 16:30" ...
            continue
        for s, e in sentence_spans(block):
            units.append((paragraph.start + s, paragraph.start + e))
    return units


def _is_detail(text: str) -> bool:
    return (len(text) <= 40 and "\n\n" not in text.strip()) or all(
        len(line) <= 40 for line in text.split("\n\n")
    )


def _is_header(clean: CleanText, offset: int) -> bool:
    """The announcement details at the top of the first page: a block of short lines."""
    if offset >= 300 or clean.page_at(offset) != 1:
        return False
    paragraph = next((p for p in clean.paragraphs if p.start <= offset < p.end + 2), None)
    return paragraph is not None and paragraph.end - paragraph.start <= 40


def _context_years(text: str) -> list[tuple[int, int]]:
    """(offset, year) of full dates, else of years written next to event words."""
    full = [(m.start(), int(m.group("year"))) for m in _DATE.finditer(text) if m.group("year")]
    if full:
        return full
    return [
        (m.start(), int(m.group("year")))
        for m in _VAGUE_YEAR.finditer(text)
        if _EVENT_WORDS.search(text[max(0, m.start() - 120) : m.end() + 120])
    ]


def _mentions(unit: str) -> list[_Mention]:
    mentions: list[_Mention] = []
    for m in _DATE.finditer(unit):
        weekday = m.group("weekday")
        mentions.append(
            _Mention(
                m.start(), m.end(), m.group(0), int(m.group("day")),
                int(m.group("day2")) if m.group("day2") else None,
                MONTHS[m.group("month").lower()],
                int(m.group("year")) if m.group("year") else None,
                WEEKDAYS[weekday.lower()] if weekday else None, None,
            )
        )  # fmt: skip
    taken = [(m.start, m.end) for m in mentions]
    for m in _VAGUE_MONTH.finditer(unit):
        year = re.match(r"\s+((?:19|20)\d\d)\b", unit[m.end() :])
        if year and not _overlaps(m.start(), m.end(), taken):  # no year written: no event
            mentions.append(
                _Mention(m.start(), m.end() + len(year.group(0)), m.group(0) + year.group(0),
                         None, None, MONTHS[m.group("month").lower()], int(year.group(1)),
                         None, "month")
            )  # fmt: skip
            taken.append((m.start(), m.end() + len(year.group(0))))
    for m in _VAGUE_YEAR.finditer(unit):
        if _overlaps(m.start(), m.end(), taken) or re.search(
            r"\b(sinds|vanaf|gebaseerd)\b", unit[max(0, m.start() - 20) : m.start()], re.I
        ):
            continue
        near = unit[max(0, m.start() - _YEAR_NEAR_EVENT) : m.end() + _YEAR_NEAR_EVENT]
        if _EVENT_NOUN.search(near):
            mentions.append(
                _Mention(m.start(), m.end(), m.group(0), None, None, None,
                         int(m.group("year")), None, "year")
            )  # fmt: skip
    return sorted(mentions, key=lambda m: m.start)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _event(
    mention: _Mention,
    index: int,
    count: int,
    unit: str,
    context_years: list[tuple[int, int]],
    previous: dt.date | None,
    metadata: dict[str, object],
    written: dt.date | None = None,
) -> Event | None:
    start = end = None
    year = mention.year
    certainty = "stated" if year else "inferred"
    precision = "day"
    if mention.vague == "year":
        precision, certainty = "year", "vague"
    elif mention.vague == "month":
        precision, certainty = "month", "vague"
    else:
        if year is None:
            year = _relative_year(mention, unit, written) or _infer_year(
                mention, unit, context_years, previous
            )
            if year is None:
                return None
        assert mention.day is not None and mention.month is not None
        try:
            start = dt.date(year, mention.month, mention.day)
            end = dt.date(year, mention.month, mention.day2) if mention.day2 else None
        except ValueError:
            return None
        if mention.weekday is not None and start.weekday() != mention.weekday:
            return None  # "vrijdag 12 november" in a year where that is no Friday: not sure
    times = _times(unit)
    header = "\n\n" in unit.strip()  # a block of short lines: the announcement's own details
    return Event(
        title=str(metadata.get("title", "")) if header else _title(unit, metadata),
        start=start,
        end=end,
        year=year,
        precision=precision,
        certainty=certainty,
        date_text=mention.date_text,
        sentence=" ".join(unit.split()),
        source=str(metadata["source"]),
        document_title=str(metadata.get("title", "")),
        url=str(metadata["url"]) if metadata.get("url") else None,
        part=_part(unit, index, count),
        start_time=times[0],
        end_time=times[1],
        place=_place(unit),
        organiser=_organiser(unit),
    )


def _relative_year(mention: _Mention, unit: str, written: dt.date | None) -> int | None:
    """The year of '5 februari a.s.' (the coming one) or '11 september jl.' (the last one),
    counted from when the page was written; None for a date without either."""
    if written is None or not _RELATIVE.match(unit[mention.end :]):
        return None
    days = yearless_dates(unit[mention.start : mention.end + 8], written)
    return days[0].year if days else None


def _infer_year(
    mention: _Mention,
    unit: str,
    context_years: list[tuple[int, int]],
    previous: dt.date | None,
) -> int | None:
    assert mention.day is not None and mention.month is not None
    if previous is not None and _NEXT.search(unit):
        # "een volgende ... 21 maart" after a November event: the March after it
        candidate = previous.year
        if (mention.month, mention.day) <= (previous.month, previous.day):
            candidate += 1
        return candidate
    if not context_years:
        return previous.year if previous else None
    nearest = min(context_years, key=lambda y: abs(y[0] - mention.start))[1]
    if mention.weekday is None:
        return nearest
    matches = [
        y
        for y in range(nearest - _MAX_YEAR_GAP, nearest + _MAX_YEAR_GAP + 1)
        if _valid(y, mention.month, mention.day)
        and dt.date(y, mention.month, mention.day).weekday() == mention.weekday
    ]
    return min(matches, key=lambda y: (abs(y - nearest), -y)) if matches else None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _times(unit: str) -> tuple[str | None, str | None]:
    if m := _TIME_RANGE.search(unit):
        return f"{int(m.group(1)):02d}:{m.group(2)}", f"{int(m.group(3)):02d}:{m.group(4)}"
    if m := _TIME.search(unit):
        hour, minute = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return f"{int(hour):02d}:{minute}", None
    return None, None


def _title(unit: str, metadata: dict[str, object]) -> str:
    """The event word of the sentence (or of the document's title), with its name if quoted."""
    document_title = str(metadata.get("title", ""))
    noun = _EVENT_NOUN.search(unit) or _EVENT_NOUN.search(document_title)
    if noun is None:
        return document_title
    word = noun.group(0)
    if word.lower().startswith("deel") or word.lower() == "afsluitende":
        word = "drieluik" if "drieluik" in unit.lower() else "bijeenkomst"
    named = _NAMED_EVENT.search(unit) or _NAMED_EVENT.search(document_title)
    if word.lower() in _EVENT_PARTS and named:
        word = f"{word} van de {named.group(0)}"
    if quoted := _QUOTED.search(unit):
        return f"{word} ‘{quoted.group(1)}’"
    return word


def _part(unit: str, index: int, count: int) -> str | None:
    if m := _PART.search(unit):
        return m.group(1)
    lowered = unit.lower()
    if count > 1 and re.search(r"drieluik|serie|reeks", lowered):
        return f"{index + 1} van {count}"
    if "afsluitende" in lowered and index == count - 1 and count > 1:
        return "afsluitend"
    if re.search(r"\bde eerste\b", lowered):
        return "1"
    return None


def _place(unit: str) -> str | None:
    header = [line.strip() for line in unit.split("\n\n")]
    if len(header) > 1:
        places = [line for line in header if "," in line and re.search(r"[A-Z]", line)]
        if places:
            return places[-1]
    m = _PLACE.search(unit)
    if m and not re.match(r"(Het|De)$", m.group(1)):
        return m.group(1).strip()
    return None


def _organiser(unit: str) -> str | None:
    m = _ORGANISER.search(unit)
    return m.group(1).strip() if m else None


def _with_page(event: Event, page: int) -> Event:
    return replace(event, page=page)


def _deduplicate(events: list[Event]) -> list[Event]:
    """One record per date per document: the most detailed mention, completed by the others."""
    groups: dict[tuple[object, ...], list[Event]] = {}
    for event in events:
        key = (event.start, event.end, event.year if event.start is None else None, event.precision)
        groups.setdefault(key, []).append(event)
    merged = []
    for group in groups.values():
        group.sort(key=lambda e: (e.start_time is None, e.place is None))
        best = group[0]
        for other in group[1:]:
            best = replace(
                best,
                part=best.part or other.part,
                place=best.place or other.place,
                organiser=best.organiser or other.organiser,
                start_time=best.start_time or other.start_time,
                end_time=best.end_time or other.end_time,
            )
        merged.append(best)
    return sorted(merged, key=Event.sort_key)
