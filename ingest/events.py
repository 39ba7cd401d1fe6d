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
from index.lexicon import entry, pattern, phrases, words
from index.text import (
    BULLET,
    DATE_HEADER_CHARS,
    DUTCH_MONTHS,
    DUTCH_WEEKDAYS,
    document_date,
    sentence_spans,
    yearless_dates,
)
from ingest.cleaning import CleanText


def _dutch(key: str) -> str:
    """The Dutch regular-expression fragments under ``key``, as alternatives."""
    return "|".join(phrases(key, ("nl",)))


MONTHS = {name: number for number, name in enumerate(DUTCH_MONTHS, start=1)}
WEEKDAYS = {name: number for number, name in enumerate(DUTCH_WEEKDAYS)}
#: A month's name or its first three letters or more ('sep', 'sept.', a cut-off 'septembe').
_MONTH_FORMS = sorted(
    {name[:n] for name in MONTHS for n in range(3, len(name) + 1)}, key=len, reverse=True
)
_MONTH = "|".join(_MONTH_FORMS)
_WEEKDAY = "|".join(WEEKDAYS)
_DAY_PART = "|".join(phrases("weekday_parts", ("nl",)))
_DATE = re.compile(
    rf"\b(?:(?P<weekday>{_WEEKDAY})(?:{_DAY_PART})?\s+)?(?P<day>\d{{1,2}})"
    rf"(?:\s*(?:{_dutch('day_range_joiners')}|[-–])\s*(?P<day2>\d{{1,2}}))?"
    # a year glued to a time ('4 juli 201616:50', a live blog's stamp) is still a year
    rf"\s+(?P<month>{_MONTH})\b\.?(?:\s+(?P<year>(?:19|20)\d\d)(?:\b|(?=\d{{1,2}}:\d\d)))?",
    re.IGNORECASE,
)
_VAGUE_MONTH = re.compile(
    rf"\b(?P<when>{_dutch('vague_month_markers')})\s+(?P<month>{_MONTH})\b", re.I
)
_VAGUE_YEAR = re.compile(rf"\b(?:{_dutch('vague_year_markers')})\s+(?P<year>20\d\d)\b", re.I)
#: Words shortly before a vague year that make it no event's date ('sinds begin 2020').
_YEAR_NOT_EVENT = re.compile(r"\b(" + _dutch("year_not_event") + r")\b", re.I)
#: A clock time ('13.30 uur', 'om 19.00') and two ('19:30 tot 21:30', '13:30 - 16:30').
_TIME_AFTER, _TIME_BEFORE = _dutch("time_after"), _dutch("time_before")
_TIME_RANGE = re.compile(
    r"\b(\d{1,2})[:.](\d{2})\s*"
    rf"(?:(?:{_TIME_AFTER})\s*)?(?:-|–|{_dutch('time_range_joiners')})"
    r"\s*(\d{1,2})[:.](\d{2})\b"
)
_TIME = re.compile(
    rf"\b(\d{{1,2}})[:.](\d{{2}})\s*(?:{_TIME_AFTER})\b"
    rf"|\b(?:{_TIME_BEFORE})\s+(\d{{1,2}})[:.](\d{{2}})\b"
)
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
_NEXT = re.compile(r"\b(" + _dutch("follows_previous") + r")\b", re.I)
_QUOTED = re.compile(r"[‘“]([^’”]{3,80})[’”]")
#: A venue's name may start with an article ('De Observant'), as written (capitals count).
_PLACE_ARTICLES = phrases("place_articles", ("nl",))
_ARTICLE = "|".join(f"{a} " for a in _PLACE_ARTICLES)  # 'Het |De '
_PLACE = re.compile(
    rf"\b(?:{_dutch('place_prepositions')})\s+((?:{_ARTICLE})?"
    r"[A-Z][\w-]*(?:\s+(?:\d+\w*|[A-Z][\w-]*))*"
    rf"(?:\s+(?:{_dutch('place_town')})\s+[A-Z][\w-]*)?)"
)
#: An article alone is no venue.
_BARE_ARTICLE = re.compile("(" + "|".join(_PLACE_ARTICLES) + ")$")
#: Words right before a date that make it a deadline ('aanmelden kan tot 7 september').
_DEADLINE = re.compile(r"\b(" + "|".join(phrases("deadline_markers")) + r")\s*$", re.IGNORECASE)
_ORGANISER = re.compile(
    rf"\b(?:{_dutch('organiser_markers')})\s+([A-Z][\w-]*(?:\s+[A-Za-z][\w-]*){{0,3}})"
)
#: A part of a series: 'deel 2'; a series ('drieluik'), whose dates are its parts; its last
#: ('de afsluitende bijeenkomst') and its first ('de eerste').
_PART_WORDS = tuple(phrases("part_words", ("nl",)))
_PART = re.compile(rf"\b(?:{'|'.join(_PART_WORDS)}) (\d)\b", re.I)
_SERIES = re.compile(_dutch("series_words"))
_CLOSING_WORDS = words("closing_words", ("nl",))
_FIRST_PART = pattern("first_part", ("nl",))
#: What a part's record is called without a name of its own: the series' word the sentence
#: uses ('drieluik'), else the generic one ('bijeenkomst'); and a part of a named event
#: ('slotdag van de Week van de Mantelzorg').
_SERIES_TITLES = phrases("series_titles", ("nl",))
_GENERIC_TITLE = str(entry("generic_event_title", "nl"))
_PART_OF_NAMED = str(entry("part_of_named_event", "nl"))
#: A part's place in its series as records store it ('2 van 3'); assistant/calendar.py reads
#: it back as its two numbers.
_PART_OF_SERIES = str(entry("part_of_series", "nl"))
#: The part of a series' closing meeting as records store it. A stored code, not a word read
#: from the text: assistant/calendar.py compares records' parts with this very value, so it
#: stays here (a lexicon edit must not break that comparison); keep the two in step.
CLOSING_PART = "afsluitend"
_MAX_YEAR_GAP = 6
_FUTURE = re.compile(r"\b(" + "|".join(phrases("future_tense")) + r")\b", re.IGNORECASE)
_PAST = re.compile(r"\b(" + "|".join(phrases("past_tense")) + r")\b", re.IGNORECASE)
_FURNITURE = re.compile(r"^\W*(" + "|".join(phrases("page_furniture")) + r")\W*$", re.IGNORECASE)
_BARE_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d\d)(?![\d/-])")
#: A web page's date in its address: '/2019/08/08/'.
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d\d)(?:/(\d\d))?/")
#: A programme's first time, at a line's start: '• 13.00: Inloop'.
_PROGRAMME_TIME = re.compile(r"^\W*(\d{1,2})[:.](\d{2})\b(?!\s*[-–]\s*\d)", re.MULTILINE)
#: The event's name in a sentence: a run of capitalised words (not the sentence's first).
_NAME = re.compile(r"(?<!^)(?<![.!?:]\s)\b([A-Z][\w()-]*(?:\s+(?:[A-Z][\w()-]*|\d{4}))+)")
_HEADING_MAX = 90
#: Marks ``_context_years`` of a text without full dates (its years are weaker evidence).
_NO_FULL_DATES = 0

#: How a record's year was found (``Event.year_basis``), for staff.
YEAR_BASES = (
    "written",  # the date has its year
    "a.s./jl. from the page's date",
    "a year in the sentence or its heading",
    "after the event before it",
    "page's date, future tense",
    "page's date, past tense",
    "page's date, nearest",
    "other dates in the page",
    "weekday",
    "vague",
)


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
    """Every dated statement of the document as a record: its date (the year worked out
    when the text leaves it out), time, place and subject, and the sentence it stands in.

    A statement's context is its heading and the sentences before it since that heading:
    they give the subject, the time ('Ze starten om 19.00 uur') and the year ('De
    bijeenkomsten 2020 ... De data zijn: • Woensdag 22 januari') the statement leaves out.
    A line of page furniture is no heading, and the page's own date is no event."""
    text = clean.text
    context_years = _context_years(text)
    units = _dated_units(clean)
    written = _page_date(text, units) or _url_date(str(metadata.get("url") or ""))
    events: list[Event] = []
    previous: dt.date | None = None
    heading = ""
    before: list[str] = []  # the undated sentences since the heading
    for number, (start, end) in enumerate(units):
        unit = text[start:end]
        header = _is_header(clean, start)
        mentions = [m for m in _mentions(unit) if not _PUBLISHED.search(unit[: m.start])]
        if mentions and _is_page_date(unit, start, mentions):
            after = unit[mentions[0].end :].strip()
            heading = " ".join(after.split()) if _is_heading(after) else heading
            continue
        if not mentions:
            if _is_heading(unit):
                heading, before = " ".join(unit.split()), []
            elif not _FURNITURE.match(unit.strip()):
                before = [*before[-1:], " ".join(unit.split())]
            continue
        context = [heading, *before]
        event_words = bool(_EVENT_WORDS.search(unit) or header) or any(
            _EVENT_WORDS.search(c) for c in context
        )
        for index, mention in enumerate(mentions):
            event = _event(
                mention, index, len(mentions), unit, context_years, previous, metadata, written,
                context,
            )  # fmt: skip
            if event is None:
                continue
            if _is_deadline(unit, mention):
                event = replace(event, start_time=None, end_time=None, event_words=False)
            else:
                event = replace(event, event_words=event_words)
            if event.place is None and len(unit) <= _HEADING_MAX and number + 1 < len(units):
                event = replace(event, place=_place_line(text[slice(*units[number + 1])]))
            if event.event_words and number + 1 < len(units):
                event = _details_after(event, text[slice(*units[number + 1])])
            if has_pages:
                event = _with_page(event, clean.page_at(start + mention.start))
            events.append(event)
            if event.start is not None:
                previous = event.start
    return _deduplicate(_programme_time(events, text))


def _is_deadline(unit: str, mention: _Mention) -> bool:
    """'Aanmelden kan tot 7 september': the day something must be done by, not a meeting.
    It takes no time from the sentences before it (those are the meeting's hours)."""
    return bool(_DEADLINE.search(unit[: mention.start]))


def _details_after(event: Event, following: str) -> Event:
    """The hours and place an announcement gives in the sentence after its date ('Op 14
    september houden we een bijeenkomst. Die is van 19:30 tot 21:30 uur in De Observant in
    Amersfoort.'): taken when that sentence has no date of its own and speaks of a meeting."""
    if (event.start_time and event.place) or _mentions(following):
        return event
    if _is_heading(following) or not _EVENT_WORDS.search(following):
        return event
    times = _times(following)
    if times == (None, None):
        # Without hours it is no sentence of practical details: an 'in Sociaal Werk' there is
        # a topic, not a venue (seen on a corpus-train page; the only change on 67 pages).
        return event
    if event.start_time is None:
        event = replace(event, start_time=times[0], end_time=times[1])
    if event.place is None and (place := _place(following)):
        event = replace(event, place=place)
    return event


def _page_date(text: str, units: list[tuple[int, int]]) -> dt.date | None:
    """When the page was written: its date line near the top ('Nieuws woensdag 11 september
    2019'). The first full date of running text is not it: in an announcement ('Op 14
    september 2023 houden we ...') that is the event's, and a later 'aanmelden kan tot 7
    september' would be put a year after it."""
    for start, end in units:
        if start >= DATE_HEADER_CHARS:
            return None
        unit = text[start:end]
        mentions = _mentions(unit)
        posted = [m for m in mentions if _PUBLISHED.search(unit[: m.start])]  # 'Geplaatst op'
        if posted or (mentions and _is_page_date(unit, start, mentions)):
            return document_date(unit[(posted or mentions)[0].start :])
    return None


def _url_date(text: str) -> dt.date | None:
    """A web page's date as its address gives it ('/2019/08/08/'), or None."""
    m = _URL_DATE.search(text)
    if m is None:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None


def _dated_units(clean: CleanText) -> list[tuple[int, int]]:
    """The units, a block of short lines with several dates split into its lines: each line
    of a list of dates ('Provincie Utrecht 2 september') is its own statement."""
    units: list[tuple[int, int]] = []
    for start, end in _units(clean):
        unit = clean.text[start:end]
        lines = [m for m in re.finditer(r"[^\n]+", unit) if m.group(0).strip()]
        days = {(d.group("day"), d.group("month")[:3].lower()) for d in _DATE.finditer(unit)}
        if len(lines) > 1 and len(days) > 1:
            units.extend((start + m.start(), start + m.end()) for m in lines)
        else:
            units.append((start, end))
    return units


def _is_heading(unit: str) -> bool:
    """A short line that ends in no sentence mark, and no list item: a bullet ('• zien 15
    verpleeghuizen af') is a statement of a list, not the subject of what follows."""
    line = " ".join(unit.split())
    return (
        0 < len(line) <= _HEADING_MAX
        and not BULLET.match(line)
        and "\n\n" not in unit.strip()
        and not line.endswith((".", "?", "!", ":", ";", ","))
        and not _FURNITURE.match(line)
        and not re.match(r"https?://", line)
    )


def _is_page_date(unit: str, start: int, mentions: list[_Mention]) -> bool:
    """A line near the top that holds only a date (and a word or two, 'Nieuws woensdag 11
    september 2019', perhaps then the page's title), without a time: the page's own date,
    not an event's."""
    if start >= DATE_HEADER_CHARS or len(mentions) != 1 or mentions[0].year is None:
        return False
    line_start = unit.rfind("\n", 0, mentions[0].start) + 1
    line_end = unit.find("\n", mentions[0].end)
    line_end = len(unit) if line_end < 0 else line_end
    before, after = unit[line_start : mentions[0].start], unit[mentions[0].end : line_end]
    dateline = len(before.split()) <= 2 and (len(after.split()) <= 2 or _is_heading(after))
    return dateline and _times(unit) == (None, None)


def _programme_time(events: list[Event], text: str) -> list[Event]:
    """A document about one day whose statement gives no time: the time its programme
    starts with ('• 13.00: Inloop'), when it has one."""
    days = {e.start for e in events if e.start is not None and e.event_words}
    m = _PROGRAMME_TIME.search(text)
    if len(days) != 1 or m is None:
        return events
    first = f"{int(m.group(1)):02d}:{m.group(2)}"
    return [
        replace(e, start_time=first) if e.start in days and e.start_time is None else e
        for e in events
    ]


def _units(clean: CleanText) -> list[tuple[int, int]]:
    """Sentences, except that a header block of short lines (date, time, place) is one unit."""
    units: list[tuple[int, int]] = []
    for paragraph in clean.paragraphs:
        block = clean.paragraph_text(paragraph)
        if units and _is_detail(block) and _is_detail(clean.text[units[-1][0] : units[-1][1]]):
            units[-1] = (units[-1][0], paragraph.end)  # join "9 mei 2023" "13:30 - 16:30" ...
            continue
        for s, e in sentence_spans(block):
            units.extend(
                (paragraph.start + a, paragraph.start + b) for a, b in _bounded(block, s, e)
            )
    return units


#: A unit's longest length. Each date in a unit is read against the whole unit, so a text
#: without sentence ends (one 20 MB 'sentence') took time in the square of its size. The
#: corpora's longest sentence has 459 characters.
_MAX_UNIT = 1000


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut into pieces of at most ``_MAX_UNIT`` characters, at spaces if any."""
    pieces: list[tuple[int, int]] = []
    while end - start > _MAX_UNIT:
        cut = text.rfind(" ", start + 1, start + _MAX_UNIT)
        cut = cut if cut > start else start + _MAX_UNIT
        pieces.append((start, cut))
        start = cut + 1 if text[cut] == " " else cut
    pieces.append((start, end))
    return pieces


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
    # Without full dates: a marker first, so the page's date and tense come before these.
    near_events = [
        (m.start(), int(m.group("year")))
        for m in _VAGUE_YEAR.finditer(text)
        if _EVENT_WORDS.search(text[max(0, m.start() - 120) : m.end() + 120])
    ]
    others = near_events or [(m.start(), int(m.group(1))) for m in _BARE_YEAR.finditer(text)]
    return [(-1, _NO_FULL_DATES), *others]


def _mentions(unit: str) -> list[_Mention]:
    mentions: list[_Mention] = []
    for m in _DATE.finditer(unit):
        weekday = m.group("weekday")
        # the dot of an abbreviation ('sept.') is the date's, a full name's ends the sentence
        full_stop = m.group(0).endswith(".") and m.group("month").lower() in MONTHS
        end = m.end() - full_stop
        mentions.append(
            _Mention(
                m.start(), end, unit[m.start() : end], int(m.group("day")),
                int(m.group("day2")) if m.group("day2") else None,
                _month_of(m.group("month")),
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
                         None, None, _month_of(m.group("month")), int(year.group(1)),
                         None, "month")
            )  # fmt: skip
            taken.append((m.start(), m.end() + len(year.group(0))))
    for m in _VAGUE_YEAR.finditer(unit):
        if _overlaps(m.start(), m.end(), taken) or _YEAR_NOT_EVENT.search(
            unit[max(0, m.start() - 20) : m.start()]
        ):
            continue
        near = unit[max(0, m.start() - _YEAR_NEAR_EVENT) : m.end() + _YEAR_NEAR_EVENT]
        if _EVENT_NOUN.search(near):
            mentions.append(
                _Mention(m.start(), m.end(), m.group(0), None, None, None,
                         int(m.group("year")), None, "year")
            )  # fmt: skip
    return sorted(mentions, key=lambda m: m.start)


def _month_of(name: str) -> int:
    """The month a name or its abbreviation ('sept') stands for."""
    name = name.lower()
    return next(number for full, number in MONTHS.items() if full.startswith(name))


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
    context: list[str] | None = None,
) -> Event | None:
    context = [c for c in context or [] if c]
    start = end = None
    year = mention.year
    basis = "written" if year else None
    certainty = "stated" if year else "inferred"
    precision = "day"
    if mention.vague == "year":
        precision, certainty, basis = "year", "vague", "vague"
    elif mention.vague == "month":
        precision, certainty, basis = "month", "vague", "vague"
    else:
        if year is None:
            year, basis = _year(mention, unit, context, context_years, previous, written)
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
    if times == (None, None):
        times = next((t for t in map(_times, reversed(context)) if t != (None, None)), times)
    header = "\n\n" in unit.strip()  # a block of short lines: the announcement's own details
    title = str(metadata.get("title", "")) if header else _title(unit, metadata, context, mention)
    return Event(
        title=title,
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
        year_basis=basis,
        context=" ".join(context),
    )


def _year(
    mention: _Mention,
    unit: str,
    context: list[str],
    context_years: list[tuple[int, int]],
    previous: dt.date | None,
    written: dt.date | None,
) -> tuple[int | None, str | None]:
    """The year of a day written without one, and how it was found (``YEAR_BASES``)."""
    if year := _relative_year(mention, unit, written):
        return year, "a.s./jl. from the page's date"
    in_text = "a year in the sentence or its heading"
    if year := _bare_year(mention, [unit]):
        return year, in_text
    if previous is not None and _NEXT.search(unit):
        return _infer_year(mention, unit, context_years, previous), "after the event before it"
    tense = _tense_year(mention, unit, written) if written is not None else (None, "")
    if tense[0] is not None and not tense[1].endswith("nearest") and _fits(tense[0], mention):
        return tense  # the sentence says whether it is still to come
    if context_years and context_years[0][1] != _NO_FULL_DATES:
        year = _infer_year(mention, unit, context_years, previous)
        return year, "weekday" if mention.weekday is not None else "other dates in the page"
    if year := _bare_year(mention, context[::-1]):
        return year, in_text
    if tense[0] is not None and _fits(tense[0], mention):
        return tense
    year = _infer_year(mention, unit, context_years[1:], previous)
    return year, "weekday" if mention.weekday is not None else "other dates in the page"


def _bare_year(mention: _Mention, texts: list[str]) -> int | None:
    for text in texts:
        for found in _BARE_YEAR.findall(text):
            if _fits(int(found), mention):
                return int(found)
    return None


def _fits(year: int, mention: _Mention) -> bool:
    """The day exists in the year, on the weekday the text gives."""
    assert mention.day is not None and mention.month is not None
    if not _valid(year, mention.month, mention.day):
        return False
    day = dt.date(year, mention.month, mention.day)
    return mention.weekday is None or day.weekday() == mention.weekday


def _tense_year(mention: _Mention, unit: str, written: dt.date) -> tuple[int | None, str]:
    """From the page's date: the first such day after it when the sentence speaks of what
    is to come (or calls to register), the last before it when of what is over, else the
    nearest."""
    assert mention.day is not None and mention.month is not None
    days = [
        dt.date(y, mention.month, mention.day)
        for y in (written.year - 1, written.year, written.year + 1)
        if _valid(y, mention.month, mention.day)
    ]
    if not days:
        return None, ""
    future, past = bool(_FUTURE.search(unit)), bool(_PAST.search(unit))
    if future and not past:
        after = [d for d in days if d >= written]
        return (after[0].year if after else None), "page's date, future tense"
    if past and not future:
        earlier = [d for d in days if d <= written]
        return (earlier[-1].year if earlier else None), "page's date, past tense"
    nearest = min(days, key=lambda d: abs((d - written).days))
    return nearest.year, "page's date, nearest"


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
    found = [
        f"{int(m.group(1) or m.group(3)):02d}:{m.group(2) or m.group(4)}"
        for m in _TIME.finditer(unit)
    ]
    if found:  # 'Ze starten om 19.00 uur en eindigen om 21.00 uur'
        return found[0], found[1] if len(found) > 1 and found[1] > found[0] else None
    return None, None


def _title(
    unit: str,
    metadata: dict[str, object],
    context: list[str] | None = None,
    mention: _Mention | None = None,
) -> str:
    """What the statement is about: the event word of the sentence with its quoted name, or
    the name the sentence gives it, or else its line's words beside the date (a list of
    dates: 'Provincie Utrecht 2 september'), its heading's, or the document's title."""
    document_title = str(metadata.get("title", ""))
    context = context or []
    noun = _EVENT_NOUN.search(unit)
    quoted = _QUOTED.search(unit)
    if noun is None and mention is not None:
        rest = " ".join((unit[: mention.start] + " " + unit[mention.end :]).split()).strip(" •-–:,")
        if _is_heading(rest) and "|" not in rest and _times(rest) == (None, None):
            about = next((n for c in reversed(context) if (n := _EVENT_NOUN.search(c))), None)
            return f"{about.group(0)}: {rest}" if about else rest
    if noun is None and quoted is None and (name := _name(unit)):
        return _whole_name(name, context, document_title)
    if noun is None:
        for text in context[:1] + context[:0:-1]:  # the heading, then the nearest sentence
            if (found := _NAME.search(text)) or (found := _EVENT_NOUN.search(text)):
                unit, noun = text, found
                break
    noun = noun or _EVENT_NOUN.search(document_title)
    if noun is None:
        return context[0] if context and context[0] else document_title
    word = noun.group(0)
    if word.lower().startswith(_PART_WORDS) or word.lower() in _CLOSING_WORDS:
        word = next((w for w in _SERIES_TITLES if w in unit.lower()), _GENERIC_TITLE)
    named = _NAMED_EVENT.search(unit) or _NAMED_EVENT.search(document_title)
    if word.lower() in _EVENT_PARTS and named:
        word = _PART_OF_NAMED.format(part=word, event=named.group(0))
    if quoted := quoted or _QUOTED.search(unit):
        return f"{word} ‘{quoted.group(1)}’"
    if (name := _name(unit)) and word.lower() in name.lower():
        return _whole_name(name, context, document_title)
    return word


def _whole_name(name: str, context: list[str], document_title: str) -> str:
    """The name as the heading writes it, when the heading starts with it: a sentence's run
    of capitals stops at the first word without one ('Dialoogbijeenkomst Zorg' of the
    heading 'Dialoogbijeenkomst Zorg en welzijn'); the heading is the name whole."""
    for heading in (context[0] if context else "", document_title):
        line = " ".join(heading.split())
        whole = not line.endswith("…")  # a title cut from the first sentence is no heading
        if whole and len(line) > len(name) and line.startswith(name) and _is_heading(line):
            return line
    return name


def _name(text: str) -> str | None:
    """The longest run of capitalised words in the text that is not its start."""
    names = [m.group(1) for m in _NAME.finditer(text.strip())]
    names = [n for n in names if not _FURNITURE.match(n)]
    return max(names, key=len) if names else None


def _part(unit: str, index: int, count: int) -> str | None:
    if m := _PART.search(unit):
        return m.group(1)
    lowered = unit.lower()
    if count > 1 and _SERIES.search(lowered):
        return _PART_OF_SERIES.format(number=index + 1, total=count)
    if any(w in lowered for w in _CLOSING_WORDS) and index == count - 1 and count > 1:
        return CLOSING_PART
    if _FIRST_PART.search(lowered):
        return "1"
    return None


def _place(unit: str) -> str | None:
    header = [line.strip() for line in unit.split("\n\n")]
    if len(header) > 1:
        places = [line for line in header if "," in line and re.search(r"[A-Z]", line)]
        if places:
            return places[-1]
    m = _PLACE.search(unit)
    if m and not _BARE_ARTICLE.match(m.group(1)):
        return m.group(1).strip()
    return None


def _place_line(line: str) -> str | None:
    """The line under a date line, when it names a place: 'Raadszaal Stadshuis Nieuwegein
    (Stadsplein 1, Nieuwegein)' (short, capitalised, with a comma, no sentence)."""
    line = " ".join(line.split())
    if _is_heading(line) and "," in line and re.match(r"[A-Z]", line) and not _DATE.search(line):
        return line
    return None


def _organiser(unit: str) -> str | None:
    m = _ORGANISER.search(unit)
    return m.group(1).strip() if m else None


def _with_page(event: Event, page: int) -> Event:
    return replace(event, page=page)


def _apart(one: Event, other: Event) -> bool:
    """Two records of one day that are two events: they give other times or places."""
    times = one.start_time and other.start_time and one.start_time != other.start_time
    places = one.place and other.place and one.place != other.place
    return bool(times or places)


def _deduplicate(events: list[Event]) -> list[Event]:
    """One record per event of a date in a document: the most detailed mention, completed by
    the others."""
    groups: dict[tuple[object, ...], list[Event]] = {}
    for event in events:
        key = (event.start, event.end, event.year if event.start is None else None, event.precision)
        for n in range(len(events)):
            # two events of one day at other times or places stay two
            same = groups.get((*key, n))
            if same is None or not any(_apart(event, other) for other in same):
                groups.setdefault((*key, n), []).append(event)
                break
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
