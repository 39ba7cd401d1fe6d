"""Which event records are one meeting: the calendar's answers and the events panel both
list each meeting once, and keep two meetings of one day apart."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from assistant.api import Event, distinct_events, most_detailed
from ui.texts import texts
from ui.web import upcoming_panel

DAY = dt.date(2023, 9, 14)


def _event(title: str, source: str, context: str = "", **details: object) -> Event:
    values: dict[str, object] = {
        "title": title, "start": DAY, "end": None, "year": 2023, "precision": "day",
        "certainty": "stated", "date_text": "14 september", "sentence": f"{title} op 14 september.",
        "source": source, "document_title": source, "context": context,
    }  # fmt: skip
    values.update(details)
    return Event(**values)  # type: ignore[arg-type]


SERIES = _event("drieluik", "/docs/programma.pdf", "Tussen dromen en doen!", page=2)
REPORT = _event("inspiratiebijeenkomst ‘Tussen dromen en doen’", "/docs/verslag.txt")
AMERSFOORT = _event(
    "regiobijeenkomst", "/docs/regio.md", "Regiobijeenkomst jeugdzorg in Amersfoort",
    start_time="19:30", end_time="21:30", place="De Observant in Amersfoort",
)  # fmt: skip


def test_one_meeting_named_two_ways_is_one_and_another_that_day_stays_apart() -> None:
    groups = distinct_events([SERIES, REPORT, AMERSFOORT])
    assert [[e.source for e in g] for g in groups] == [
        ["/docs/programma.pdf", "/docs/verslag.txt"],
        ["/docs/regio.md"],
    ]
    assert most_detailed(groups[0]) is REPORT  # a name of its own over a bare 'drieluik'


def test_a_bare_meeting_is_the_only_one_of_its_day_but_not_one_of_two() -> None:
    bare = _event("bijeenkomst", "/docs/verslag.txt", "Meer informatie")
    assert len(distinct_events([SERIES, bare])) == 1
    assert len(distinct_events([SERIES, AMERSFOORT, bare])) == 3


def test_records_that_give_other_places_or_hours_are_two_meetings() -> None:
    placed = replace(SERIES, source="/docs/b.txt", place="Kanaal30")
    assert len(distinct_events([SERIES, placed])) == 1  # one gives no place: no conflict
    assert len(distinct_events([placed, replace(placed, source="/x", place="Zwolle")])) == 2
    morning = replace(AMERSFOORT, source="/y", start_time="10:00", place=None)
    assert len(distinct_events([AMERSFOORT, morning])) == 2


def test_the_panel_lists_each_meeting_once_with_hours_place_and_each_source() -> None:
    deadline = _event(
        "Regiobijeenkomst", "/docs/regio.md", start=dt.date(2023, 9, 7), event_words=False
    )
    panel = upcoming_panel([deadline, SERIES, REPORT, AMERSFOORT], dt.date(2023, 6, 1), texts("nl"))
    lines = [line for line in panel.splitlines() if line.startswith("- ")]
    assert len(lines) == 2, panel  # the deadline is no meeting; the series once
    assert "14 september 2023" in lines[0] and "Tussen dromen en doen" in lines[0]
    assert len(re.findall(r'class="event-source"', lines[0])) == 2  # both sources linked
    assert "19:30–21:30" in lines[1] and "Amersfoort" in lines[1]


def test_a_quoted_title_in_the_question_names_its_event_over_its_other_words() -> None:
    """'Wanneer is de conferentie ‘Thuis in de samenleving’ over wonen en zorg?': another
    event's name has 'Wonen' and 'Zorg'; the quoted title is only in the conference's."""
    from assistant.calendar import calendar_question, relevant_events

    conference = _event(
        "Conferentie", "/docs/a.txt", document_title="Conferentie thuis in de samenleving"
    )
    congress = _event("ZorgWonen Congres over wonen en zorg", "/docs/b.txt")
    question = calendar_question(
        "Wanneer is de conferentie ‘Thuis in de samenleving’ over wonen en zorg voor ouderen?",
        "when",
    )
    assert question is not None and question.named == {"thuis", "samenl"}
    found = relevant_events([conference, congress], question, ["/docs/b.txt"], lambda _: "")
    assert found == [conference]


def test_a_part_of_a_series_is_said_once_when_the_documents_agree_and_each_when_not() -> None:
    from assistant.calendar import answer_calendar, calendar_question

    question = calendar_question("Wanneer is de volgende bijeenkomst?", "when")
    assert question is not None
    today = dt.date(2023, 6, 1)
    second = replace(SERIES, part="2 van 3")

    def line(*events: Event, language: str = "nl") -> str:
        found = answer_calendar(question, list(events), today, language)  # type: ignore[arg-type]
        assert found is not None
        return found[0].splitlines()[1]

    # One document says which part; the other says nothing of it: no disagreement.
    assert line(second, REPORT).endswith("(deel 2 van 3) [1][2]")
    # The report calls it the first of three: each part with its own source.
    first = replace(REPORT, part="1")
    assert "(deel 2 van 3 [1], deel 1 [2]) [1][2]" in line(second, first)
    assert "(part 2 of 3 [1], part 1 [2])" in line(second, first, language="en")
    assert line(second, replace(REPORT, part="2 van 3")).endswith("(deel 2 van 3) [1][2]")


def test_a_compound_in_the_question_finds_the_events_that_name_its_parts() -> None:
    """'zorgonderwijs' is also written 'zorg- en welzijnsonderwijs': both events are about it."""
    from assistant.calendar import calendar_question, relevant_events

    spelled_out = _event("Bijeenkomst over (zorg en welzijns)onderwijs", "/docs/a.pdf")
    compound = _event("inspiratiebijeenkomst zorgonderwijs", "/docs/b.txt")
    other = _event("regiobijeenkomst jeugdzorg", "/docs/c.txt")
    question = calendar_question("Wanneer zijn de bijeenkomsten over zorgonderwijs?", "when")
    assert question is not None
    parts = {"zorgonderwijs": ["zorg", "onderwijs"]}
    found = relevant_events(
        [spelled_out, compound, other], question, [], lambda _: "", lambda w: parts.get(w, [])
    )
    assert found == [spelled_out, compound]
