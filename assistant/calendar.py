"""Questions about time answered from the event records, for any 'today'.

"When is the next session?", "what was the last meeting?", "what is on this month?",
"when is X?", "what time does the 9 May meeting start?": the answer comes from the dated
event records made at ingest, compared with today, never from a date that merely appears
in a retrieved passage. When nothing is upcoming it says so, names the last announced event
and any announced without a date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from assistant.answer import Answer, Citation, Passage
from assistant.kinds import Kind, kind_record
from index.events import Event
from index.lexicon import Language, alternatives, entry, pattern, phrases, words
from index.text import (
    DUTCH_MONTHS,
    ENGLISH_MONTHS,
    MONTH_NUMBERS,
    fold,
    spoken_date,
)

_NEXT = pattern("calendar_next")
_LAST = pattern("calendar_last")
_FIRST = pattern("calendar_first")
_CLOSING = pattern("calendar_closing")
_INTENT_WORDS = pattern("calendar_intent_words")
_THIS_MONTH = pattern("calendar_this_month")
_GENERIC_EVENT = pattern("calendar_generic_event")
#: A question talks of events in the words ingest finds events by, and a few more.
_EVENT_TALK = alternatives([*phrases("calendar_event_talk"), *phrases("event_phrases")])
_ASKS_TIME = pattern("calendar_asks_time")
_ASKS_PLACE = pattern("calendar_asks_place")
#: 'Waar kan ik me aanmelden?' asks where the asker does something, not where an event is.
_ASKER_ACTS = pattern("calendar_asker_acts")
#: A follow-up that points back at the event of the turn before ('En waar is dat?').
_POINTS_BACK = pattern("calendar_points_back")
_STOP = words("calendar_stopwords")
#: A word is matched by its first letters: 'bijeenkomst' and 'bijeenkomsten', 'zorgonderwijs'
#: and 'zorgonderwijzers' are one subject (the records' matching as it has always been).
_STEM = 6


def _stem(word: str) -> str:
    return word[:_STEM]


def _stems(text: str) -> set[str]:
    """The stems of ``text``'s words (``text`` folded already)."""
    return {_stem(w) for w in re.findall(r"\w+", text)}


#: Words any text has ('doen', 'meer'): no sign that two records share a subject.
_EVERYDAY = {_stem(w) for w in words("stopwords")}
#: How many, who or why about an event: the passages answer, not the dates.
_NOT_DATES = pattern("calendar_not_dates")
_MONTHS_NL = DUTCH_MONTHS
_MONTHS_EN = ENGLISH_MONTHS
_DATE_IN_QUESTION = re.compile(
    r"\b(\d{1,2})\s+(" + "|".join(_MONTHS_NL + [m.lower() for m in _MONTHS_EN]) + r")"
    r"(?:\s+((?:19|20)\d\d))?\b"
)


@dataclass
class CalendarQuestion:
    intent: str  # next, last, first, closing, month, on_date, when
    #: The subject's whole words: a compound ('zorgonderwijs') is also found as its parts
    #: ('zorg- en welzijnsonderwijs').
    words: frozenset[str]
    on_date: tuple[int, int, int | None] | None = None
    asks_place: bool = False  # 'where': the answer leads with the place
    years: frozenset[int] = frozenset()  # years the question names: 'de Week van 2024'
    #: The words of a title the question quotes ('de conferentie ‘Thuis in de samenleving’'):
    #: the event's own name, which decides over the question's other words.
    named: frozenset[str] = frozenset()

    @cached_property
    def topic(self) -> set[str]:
        """The subject's words by their first letters, as event records are matched."""
        return {_stem(w) for w in self.words}


def calendar_question(
    question: str, kind: Kind, earlier: str = "", event_talk: bool = True
) -> CalendarQuestion | None:
    """The question's time intent, when it is a question about events; else None.

    A follow-up that asks when or where 'that' is ('En waar is dat?') is about the event
    of the ``earlier`` question: its intent and subject come from there. ``event_talk``
    False: the question need not say 'meeting' or 'event' (it may name one: see
    ``names_an_event``).
    """
    asked = fold(question)
    if _NOT_DATES.search(asked):
        return None
    asks_for = kind_record(kind).asks_for
    asks_place = (asks_for == "place" or bool(_ASKS_PLACE.search(asked))) and not (
        _ASKER_ACTS.search(asked)
    )
    asks_time = asks_for == "date" or bool(_ASKS_TIME.search(asked))
    text = asked
    if earlier and not _EVENT_TALK.search(asked) and _POINTS_BACK.search(asked):
        if not (asks_place or asks_time):
            return None  # 'Wie organiseert dat?' is no question for the calendar
        text = f"{fold(earlier)} {asked}"
    date = _DATE_IN_QUESTION.search(text)
    talks_events = bool(_EVENT_TALK.search(text)) or not event_talk
    directional = _NEXT.search(text) or _LAST.search(text) or _THIS_MONTH.search(text)
    if not talks_events or not (asks_time or asks_place or directional or date):
        return None
    if _CLOSING.search(text):
        intent = "closing"
    elif _NEXT.search(text):
        intent = "next"
    elif _LAST.search(text):
        intent = "last"
    elif _FIRST.search(text):
        intent = "first"
    elif _THIS_MONTH.search(text):
        intent = "month"
    elif date:
        intent = "on_date"
    else:
        intent = "when"
    on_date = None
    if date:
        month = _month_number(date.group(2))
        on_date = (int(date.group(1)), month, int(date.group(3)) if date.group(3) else None)
    # 'When is X 2024?' dates X; in 'the next meeting on funding for 2022' today picks the
    # event and the year says what it is about.
    years = frozenset(
        int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", asked) if intent in ("when", "on_date")
    )
    words = frozenset(_subject_of(_ASKS_PLACE.sub(" ", text)))
    named = frozenset(w for q in _QUOTED.findall(asked) for w in _topic(q))
    return CalendarQuestion(intent, words, on_date, asks_place, years, named)


#: A quoted title in a question: ‘…’, “…”, "…" or '…' around at least two words.
_QUOTED = re.compile(r"[‘“\"']([^‘’“”\"']+\s[^‘’“”\"']+)[’”\"']")


def in_named_years(question: CalendarQuestion, events: Sequence[Event]) -> list[Event]:
    """The events in the years the question names (all of them when it names none)."""
    if not question.years:
        return list(events)
    return [e for e in events if e.start is not None and e.start.year in question.years]


def _month_number(name: str) -> int:
    return MONTH_NUMBERS[fold(name)]


def _topic(text: str) -> set[str]:
    return {_stem(w) for w in _subject_of(text)}


def _subject_of(text: str) -> set[str]:
    """The words of what a question asks about: not its question, intent or event words."""
    words = re.findall(r"\w+", _INTENT_WORDS.sub(" ", _GENERIC_EVENT.sub(" ", text)))
    return {
        w
        for w in words
        if w not in _STOP
        and not _NEXT.match(w)
        and not _LAST.match(w)
        and not _FIRST.match(w)
        and not w.isdigit()
        and w not in _MONTHS_NL
        and len(w) > 2
    }


#: A question names an event when this share of its subject's words is in the event's title.
_NAMES_EVENT = 2 / 3


def names_an_event(question: CalendarQuestion, events: Sequence[Event]) -> bool:
    """The question's subject is an event's own name ('de Week van de Radicale vernieuwing'),
    as the event records title it: a question about it is one for the calendar though it
    says no 'meeting' or 'event'."""
    if len(question.topic) < 2:
        return False
    for event in events:
        title = _stems(fold(event.title))
        if len(question.topic & title) >= _NAMES_EVENT * len(question.topic):
            return True
    return False


def _matches(
    event: Event,
    question: CalendarQuestion,
    describe: Callable[[str], str],
    parts: Callable[[str], Sequence[str]],
) -> float:
    """Topic words in the event's own text count fully, in its heading and the sentence
    before it and its document's descriptors half. A compound counts where all its
    ``parts`` stand ('zorgonderwijs' in 'zorg- en welzijnsonderwijs')."""
    own = fold(" ".join([event.title, event.sentence, event.place or ""]))
    document = fold(f"{event.document_title} {event.context} {describe(event.source)}")
    own_words = _stems(own)
    document_words = _stems(document) - own_words
    own_found = _found(question, own_words, parts)
    document_found = _found(question, own_words | document_words, parts) - own_found
    return len(own_found) + 0.5 * len(document_found)


def _found(
    question: CalendarQuestion, words: set[str], parts: Callable[[str], Sequence[str]]
) -> set[str]:
    """The question's topic words that ``words`` hold, whole or as all their parts."""
    found = question.topic & words
    for word in question.words:
        split = [_stem(p) for p in parts(word)]
        if len(split) > 1 and all(p in words for p in split):
            found.add(_stem(word))
    return found


def _titled(
    events: Sequence[Event], named: frozenset[str], describe: Callable[[str], str]
) -> list[Event]:
    """The events whose name, heading or document holds every word of the quoted title."""
    found = []
    for event in events:
        text = fold(
            f"{event.title} {event.context} {event.document_title} {describe(event.source)}"
        )
        if named <= _stems(text):
            found.append(event)
    return found


def relevant_events(
    events: Sequence[Event],
    question: CalendarQuestion,
    retrieved_sources: Sequence[str],
    describe: Callable[[str], str],
    parts: Callable[[str], Sequence[str]] = lambda word: (),
) -> list[Event]:
    """Events about the question's subject.

    A 'when is X' question names its event: the best word match decides. 'First', 'last' and
    'next' questions with a subject also take the events of the two best retrieved documents
    (English questions share few words with the Dutch documents; retrieval bridges that).
    """
    if not question.topic:
        return [e for e in events if e.event_words]  # 'the next meeting': meetings only
    if question.named and (titled := _titled(events, question.named, describe)):
        return titled
    scored = [(_matches(e, question, describe, parts), e) for e in events]
    best = max((s for s, _ in scored), default=0.0)
    strong = [e for s, e in scored if s == best and best >= len(question.topic) / 2]
    if strong and (question.intent in ("when", "on_date") or best >= 2):
        return strong  # the question names its event ("de Week van de Radicale vernieuwing")
    wanted = set(retrieved_sources[:2])
    return [e for e in events if e in strong or (e.source in wanted and e.event_words)]


def answer_calendar(
    question: CalendarQuestion,
    events: Sequence[Event],
    today: dt.date,
    language: Language,
    every_event: Sequence[Event] = (),
) -> tuple[str, list[Event]] | None:
    """The answer text (with [n] markers in order of the returned events), or None.

    A 'where' question is answered from the same events, led by their place; when none of
    them has a place the calendar has no answer (the passages may still have one).
    """
    found = _answer_dates(question, events, today, every_event)
    if found is None:
        return None
    intent, named = found
    say = _Phrases(language)
    if intent.startswith("nothing"):  # nothing comes, so it is nowhere either
        last, undated = named
        return say.nothing_upcoming(
            today, last, undated, this_month=intent.endswith("month"), named=bool(question.topic)
        )
    if not question.asks_place:
        return say.listing(named[0], today, intent)
    if not all(shown.place for _, shown in _by_date(named[0])):
        return None  # a place for some of them would answer a question not asked
    return say.places(named[0], today, intent)


_Found = tuple[str, tuple[Sequence[Event], ...]]


def _answer_dates(
    question: CalendarQuestion,
    events: Sequence[Event],
    today: dt.date,
    every_event: Sequence[Event],
) -> _Found | None:
    """What the answer says (a listing's intent, or 'nothing') and the events it names:
    the listed ones, or for 'nothing' the last ones and those announced without a date."""
    dated = sorted((e for e in events if e.start is not None), key=Event.sort_key)
    undated = [e for e in events if e.start is None]
    upcoming = [e for e in dated if (e.last_day or today) >= today]
    past = sorted((e for e in dated if (e.last_day or today) < today), key=_ended)
    if question.intent == "closing":
        closing = [e for e in events if e.part == "afsluitend"]
        closing = closing or [e for e in every_event if e.part == "afsluitend"]
        return ("closing", (closing,)) if closing else None
    if question.intent == "on_date" and question.on_date:
        day, month, year = question.on_date
        same = [
            e for e in dated
            if e.start and e.start.day == day and e.start.month == month
            and (year is None or e.start.year == year)
        ]  # fmt: skip
        return ("when", (same,)) if same else None
    if question.intent == "first":
        return ("first", (_same_day(dated),)) if dated else None
    if question.intent == "last":
        return ("last", (_last_ones(past),)) if past else None
    if question.intent == "month":
        this_month = [
            e
            for e in dated
            if e.start and (e.start.year, e.start.month) == (today.year, today.month)
        ]
        if this_month:
            return ("month", (this_month,))
        return ("nothing_this_month", (_last_ones(past), _open(undated, today)))
    if question.intent == "next" or (question.intent == "when" and not question.topic):
        if upcoming:
            return ("next", (_same_day(upcoming),))
        return ("nothing", (_last_ones(past), _open(undated, today)))
    if not dated and not undated:
        return None
    return ("when", (dated + undated,))


def _ended(event: Event) -> tuple[dt.date, str]:
    return event.last_day or dt.date.min, event.end_time or event.start_time or ""


def _last_ones(past: Sequence[Event]) -> list[Event]:
    """The events that ended last (a week and its closing day end on the same day)."""
    if not past:
        return []
    final = past[-1].last_day
    return [e for e in reversed(past) if e.last_day == final]


def _same_day(events: Sequence[Event]) -> list[Event]:
    """The first event and every other record of the same date (several sources)."""
    if not events:
        return []
    first = events[0].start
    return [e for e in events if e.start == first]


def _open(undated: Sequence[Event], today: dt.date) -> list[Event]:
    """Announced without a date for this year or later: those may still come.

    One announced 'in 2023' is no news in 2026, and its date is not 'not yet known' then.
    """
    return [e for e in undated if e.year is None or e.year >= today.year]


def _by_date(events: Sequence[Event]) -> list[tuple[list[int], Event]]:
    """The distinct events among ``events``: each one's [n] numbers and the most detailed
    of its records, which speaks for all of them."""
    groups = distinct_events(events)
    number = {id(e): n for n, e in enumerate(events, start=1)}
    return [([number[id(e)] for e in group], most_detailed(group)) for group in groups]


def _by_date_with_parts(
    events: Sequence[Event],
) -> list[tuple[list[int], Event, list[tuple[str, list[int]]]]]:
    """As ``_by_date``, with each part of a series the event's records give and the [n]
    numbers of the records that give it."""
    number = {id(e): n for n, e in enumerate(events, start=1)}
    found = []
    for group in distinct_events(events):
        parts: dict[str, list[int]] = {}
        for event in group:
            if event.part:
                parts.setdefault(event.part, []).append(number[id(event)])
        found.append(([number[id(e)] for e in group], most_detailed(group), list(parts.items())))
    return found


def most_detailed(group: Sequence[Event]) -> Event:
    """The record that speaks for an event's records: the one that says the most."""
    return max(group, key=_detail)


def distinct_events(events: Sequence[Event]) -> list[list[Event]]:
    """The records grouped into events, in their order: two records are one event when they
    are of one date, no place or start time they give differs, and their subjects match.
    Two events on one day stay two; a meeting that two documents name differently
    ('drieluik', 'inspiratiebijeenkomst Tussen dromen en doen') is one when the words of
    its name and heading meet."""
    subjects = [_subject_words(e) for e in events]
    groups: list[list[int]] = []
    for i, event in enumerate(events):
        same_day = [g for g in groups if _one_day(events[g[0]], event)]
        joined = next(
            (g for g in same_day if all(_may_be_one(events[j], event) for j in g)
             and _subjects_meet(subjects, g, i, len(same_day))),
            None,
        )  # fmt: skip
        if joined is None:
            groups.append([i])
        else:
            joined.append(i)
    return [[events[i] for i in g] for g in groups]


def _one_day(a: Event, b: Event) -> bool:
    return (a.start, a.end, a.year if a.start is None else None) == (
        b.start,
        b.end,
        b.year if b.start is None else None,
    )


def _may_be_one(a: Event, b: Event) -> bool:
    """Nothing the two records give is in conflict: a place or start time of each differs."""
    if a.place and b.place and fold(a.place) != fold(b.place):
        return False
    return not (a.start_time and b.start_time and a.start_time != b.start_time)


def _subjects_meet(subjects: Sequence[set[str]], group: Sequence[int], i: int, groups: int) -> bool:
    """The record's subject shares a word with the group's; a record with no subject of its
    own ('de volgende bijeenkomst') can only mean the one event known for that day."""
    own = subjects[i]
    if not own or all(not subjects[j] for j in group):
        return groups == 1
    return any(own & subjects[j] for j in group)


def _subject_words(event: Event) -> set[str]:
    """What a record is about: its name and the line just before its statement (a heading
    or the sentence that introduces it). The context's earlier sentences are left out: they
    share everyday words ('mensen', 'zorg') with any other announcement."""
    own = _topic(fold(event.title)) - _EVERYDAY
    if not own:
        return set()  # a bare 'bijeenkomst': the line before may be a link's 'Meer informatie'
    nearest = re.split(r"(?<=[.!?])\s+", event.context.strip())[-1] if event.context else ""
    return own | (_topic(fold(nearest)) - _EVERYDAY)


def _detail(event: Event) -> tuple[bool, bool, int, bool]:
    """More detail first: a time, a place, a name of its own (over a bare 'bijeenkomst'),
    then a written year."""
    return (
        event.start_time is not None,
        event.place is not None,
        len(_topic(fold(event.title)) - _EVERYDAY),
        event.certainty == "stated",
    )


class _Phrases:
    """The answer's sentences, from the language's ``calendar_phrases`` templates."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.say: dict[str, Any] = entry("calendar_phrases", language)

    def date(self, event: Event) -> str:
        if event.start is None:
            if event.precision == "month" and event.date_text:
                return event.date_text
            return str(self.say["date_unknown"].format(year=event.year or ""))
        months: list[str] = entry("months", self.language)
        days: list[str] = entry("weekdays", self.language)
        start = event.start
        if event.end and event.end != start:
            text = self.say["span"].format(
                start=start.day, end=event.end.day, month=months[event.end.month - 1],
                year=event.end.year,
            )  # fmt: skip
        else:
            text = f"{days[start.weekday()]} {start.day} {months[start.month - 1]} {start.year}"
        if event.start_time:
            text += f", {event.start_time}" + (f"–{event.end_time}" if event.end_time else "")
        if event.place:
            text += f", {event.place}"
        return str(text)

    def describe(self, event: Event, parts: Sequence[tuple[str, list[int]]] = ()) -> str:
        """The event's name, with the part of a series it is. ``parts``: each part the
        records of the event give, with their sources' numbers; when they disagree ('deel 2
        van 3' in one document, 'de eerste' in another), each is said with its sources."""
        title = self.say["title"].format(title=event.title)
        if event.part == "afsluitend":
            return str(self.say["closing"].format(title=title))
        said = [(part, numbers) for part, numbers in parts if part != "afsluitend"]
        if len(said) > 1:
            each = [f"{self._part(part)} {_markers(numbers)}" for part, numbers in said]
            return f"{title} ({', '.join(each)})"
        part = said[0][0] if said else event.part
        return f"{title} ({self._part(part)})" if part else str(title)

    def _part(self, part: str) -> str:
        """'2 van 3' (as ingest records it) or '1', in the answer's language."""
        if of := re.fullmatch(r"(\d+)\D+(\d+)", part):
            return str(self.say["part_of"].format(number=of.group(1), total=of.group(2)))
        return str(self.say["part"].format(part=part))

    def lead(self, intent: str) -> str:
        return str(self.say["leads"][intent])

    def listing(
        self, events: Sequence[Event], today: dt.date, intent: str
    ) -> tuple[str, list[Event]]:
        lines = []
        for numbers, first, parts in _by_date_with_parts(events):
            what = self.describe(first, parts)
            state = ""
            if (
                first.start
                and (first.last_day or first.start) < today
                and intent in ("when", "first")
            ):
                state = self.say["past"]
            lines.append(f"- {self.date(first)}{state}: {what} {_markers(numbers)}")
        return self.lead(intent) + "\n" + "\n".join(lines), list(events)

    def places(
        self, events: Sequence[Event], today: dt.date, intent: str
    ) -> tuple[str, list[Event]]:
        """Each event with its place, then its date: '… is in Kanaal30, Utrecht, op 9 mei'."""
        lines = []
        for numbers, event, parts in _by_date_with_parts(events):
            past = event.start is not None and (event.last_day or event.start) < today
            template = self.say["was_at_place" if past else "at_place"]
            lines.append(
                template.format(
                    what=self.describe(event, parts),
                    place=event.place,
                    date=self.date(replace(event, place=None)),
                    markers=_markers(numbers),
                )
            )
        if len(lines) == 1:
            return lines[0][0].upper() + lines[0][1:] + ".", list(events)
        return self.lead(intent) + "\n" + "\n".join(f"- {line}" for line in lines), list(events)

    def nothing_upcoming(
        self,
        today: dt.date,
        last: Sequence[Event],
        undated: Sequence[Event],
        this_month: bool = False,
        named: bool = False,
    ) -> tuple[str, list[Event]]:
        """Nothing comes: said, with the last one. A question that names its event (the
        next X) gets the last X by name and source, not by a date that is over."""
        day = spoken_date(today, self.language)
        text = self.say["nothing_this_month" if this_month else "nothing_upcoming"].format(day=day)
        cited: list[Event] = []
        if last:
            cited.extend(last)
            markers = _markers(range(1, len(last) + 1))
            shown = max(last, key=lambda e: (e.end is not None, e.certainty == "stated"))
            if named:
                text += self.say["last_named"].format(name=self.describe(shown), markers=markers)
            else:
                text += self.say["last_announced"].format(
                    date=self.date(shown), what=self.describe(shown), markers=markers
                )
        for event in undated[:2]:
            cited.append(event)
            text += self.say["undated"].format(
                what=self.describe(event), date=self.date(event), n=len(cited)
            )
        return str(text), cited


def _markers(numbers: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def calendar_answer(
    text: str, events: Sequence[Event], language: Language, today: dt.date
) -> Answer:
    citations = [
        Citation(
            n=n, title=e.document_title, source=e.source, url=e.url, page=e.page, quote=e.sentence
        )
        for n, e in enumerate(events, start=1)
    ]
    return Answer(
        answer=text,
        refused=False,
        citations=citations,
        language=language,
        today=today,
        retrieved=[Passage(e.source, e.document_title, e.page, 1.0, e.sentence) for e in events],
        context="\n\n".join(e.sentence for e in events),
    )
