"""Dates and events: Dutch date parsing, year inference, the golden events of the corpus,
answers for any today, and a new announcement ingested incrementally."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from conftest import CORPUS, make_assistant

from assistant.service import Assistant
from index.embedders import Embedder
from ingest.cleaning import clean_pages
from ingest.events import extract_events
from ingest.pipeline import ChunkingOptions, prepare

GOLDEN = Path(__file__).parent / "golden" / "events.json"


def _events(text: str, title: str = "Test") -> list:  # type: ignore[type-arg]
    return extract_events(clean_pages([text]), {"source": "/t.txt", "title": title}, False)


def test_the_corpus_events_match_the_golden_file() -> None:
    """The golden file was reviewed by hand against the five documents."""
    rows = []
    for path in sorted(CORPUS.iterdir()):
        _, events = prepare(path, path.read_bytes(), ChunkingOptions(500, 80))
        for event in events:
            row = event.as_dict()
            row["source"] = path.name
            row.pop("document_title")
            row.pop("url")
            rows.append(row)
    assert rows == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_full_date_time_and_place_from_an_announcement_header() -> None:
    (event,) = _events(
        "9 mei 2023\n\n13:30 - 16:30\n\nKanaal30, Utrecht\n\nWe gaan met deze vraag aan de slag."
    )
    assert event.start == dt.date(2023, 5, 9) and event.certainty == "stated"
    assert (event.start_time, event.end_time, event.place) == (
        "13:30",
        "16:30",
        "Kanaal30, Utrecht",
    )


def test_a_list_of_dates_is_a_series_with_the_year_of_the_documents_full_date() -> None:
    events = _events(
        "De bijeenkomst is op 9 mei 2023 om 13.30 uur. Verder: 9 mei, 14 september en "
        "7 december organiseren we een drieluik."
    )
    assert [e.start for e in events] == [
        dt.date(2023, 5, 9),
        dt.date(2023, 9, 14),
        dt.date(2023, 12, 7),
    ]
    assert [e.part for e in events] == ["1 van 3", "2 van 3", "3 van 3"]
    assert events[0].start_time == "13:30"
    assert [e.certainty for e in events] == ["stated", "inferred", "inferred"]


def test_range_weekday_and_order_decide_the_year() -> None:
    events = _events(
        "De Week van de Radicale vernieuwing is van 7 tot en met 11 november 2022. Op vrijdag "
        "11 november kwamen de bewegingen bij elkaar. Een volgende dialoogbijeenkomst wordt "
        "gepland bij Het 8ste Werk in Kampen – 21 maart."
    )
    week = next(e for e in events if e.end)
    assert (week.start, week.end) == (dt.date(2022, 11, 7), dt.date(2022, 11, 11))
    march = next(e for e in events if e.start and e.start.month == 3)
    assert march.start == dt.date(2023, 3, 21) and march.certainty == "inferred"
    assert march.place == "Het 8ste Werk in Kampen"


def test_weekday_picks_the_only_nearby_year_with_that_weekday() -> None:
    (event,) = _events("Voor 2023 is iets in de maak. Op vrijdag 11 november was de slotdag.")
    assert event.start == dt.date(2022, 11, 11)  # 11 November was a Friday in 2022, not 2023


def test_vague_dates_never_become_precise() -> None:
    events = _events(
        "De volgende bijeenkomst vindt plaats op 7 december 2023 en de afsluitende op een nader "
        "te bepalen tijdstip in 2024. De eerste Week werd begin november georganiseerd."
    )
    vague = [e for e in events if e.start is None]
    assert [(e.year, e.precision, e.part) for e in vague] == [(2024, "year", "afsluitend")]
    # 'begin november' with no year written is not recorded: no year is guessed for it
    assert all(e.date_text != "begin november" for e in events)


def test_dates_that_are_not_events_are_ignored() -> None:
    assert (
        _events("Het gebruik groeide tot 1 op de 8 gezinnen in 2021. Sinds 2017 werken we.") == []
    )


@pytest.mark.parametrize(
    ("today", "question", "expected", "absent"),
    [
        ("2023-01-15", "Wanneer is de volgende bijeenkomst?", "21 maart 2023", None),
        ("2023-05-01", "Wanneer is de volgende bijeenkomst?", "9 mei 2023", None),
        ("2023-06-01", "Wanneer is de volgende bijeenkomst?", "14 september 2023", "9 mei"),
        ("2023-10-01", "When is the next meeting?", "7 December 2023", "14 September"),
        ("2026-11-22", "Wanneer is de volgende bijeenkomst?", "geen volgende bijeenkomst", None),
        (
            "2022-10-01",
            "Wanneer is de volgende Week van de Radicale vernieuwing?",
            "7 tot en met 11 november 2022",
            None,
        ),
        ("2023-11-01", "What was the last meeting that took place?", "14 September 2023", None),
    ],
)
def test_next_and_last_depend_on_today(
    corpus_index: Assistant, today: str, question: str, expected: str, absent: str | None
) -> None:
    answer = corpus_index.ask(question, today=dt.date.fromisoformat(today))
    assert expected in answer.answer, answer.answer
    if absent:
        assert absent not in answer.answer
    assert answer.citations and all(c.quote for c in answer.citations)


def test_nothing_upcoming_names_the_last_and_the_undated(corpus_index: Assistant) -> None:
    answer = corpus_index.ask("Wanneer is de volgende bijeenkomst?", today=dt.date(2024, 3, 1))
    assert "geen volgende bijeenkomst" in answer.answer
    assert "7 december 2023" in answer.answer
    assert "in 2024, datum nog niet bekend" in answer.answer
    assert "in 2023, datum nog niet bekend" not in answer.answer, "2023 is over by then"
    later = corpus_index.ask("Wanneer is de volgende bijeenkomst?", today=dt.date(2026, 11, 22))
    assert "datum nog niet bekend" not in later.answer


@pytest.mark.parametrize(
    ("question", "today", "place", "absent"),
    [
        ("Waar was de eerste bijeenkomst over zorgonderwijs?", "2026-11-22", "Kanaal30", None),
        ("Where is the next meeting?", "2023-05-01", "Kanaal30", None),
        ("Waar is de volgende bijeenkomst?", "2023-01-15", "Het 8ste Werk", "Kanaal30"),
    ],
)
def test_where_questions_about_events_lead_with_the_place(
    corpus_index: Assistant, question: str, today: str, place: str, absent: str | None
) -> None:
    answer = corpus_index.ask(question, today=dt.date.fromisoformat(today))
    first = answer.answer.splitlines()[0]
    assert place in first and re.search(r"\d{4}", first), answer.answer
    if absent:
        assert absent not in answer.answer
    assert answer.citations and all(c.quote for c in answer.citations)


def test_where_the_asker_does_something_is_no_question_about_the_event_place(
    corpus_index: Assistant,
) -> None:
    answer = corpus_index.ask(
        "Waar kan ik me aanmelden voor de bijeenkomst op 9 mei?", today=dt.date(2023, 1, 10)
    )
    assert not answer.answer.startswith("Bijeenkomsten"), answer.answer


def test_a_where_question_the_event_records_cannot_place_goes_to_the_passages(
    corpus_index: Assistant,
) -> None:
    """The September meeting's record has no place; its report names the canal."""
    answer = corpus_index.ask(
        "Where did the care education inspiration meeting in September take place?"
    )
    assert "Amsterdam-Rijnkanaal" in answer.answer
    assert "Kanaal30" not in answer.answer


def test_new_announcement_becomes_the_next_session(
    tmp_path: Path, corpus_copy: Path, e5: Embedder
) -> None:
    assistant = make_assistant(tmp_path / "index", e5)
    assistant.ingest([corpus_copy])
    today = dt.date(2026, 11, 22)
    before = assistant.ask("Wanneer is de volgende bijeenkomst?", today=today)
    assert "geen volgende bijeenkomst" in before.answer
    (corpus_copy / "aankondiging.md").write_text(
        "# Nieuwe bijeenkomst zorgonderwijs\n\nDe volgende bijeenkomst vindt plaats op "
        "12 maart 2027 van 13:30 - 16:00 bij Het 8ste Werk in Kampen.\n",
        encoding="utf-8",
    )
    report = assistant.ingest([corpus_copy])
    assert [Path(p).name for p in report.added] == ["aankondiging.md"] and len(report.skipped) == 5
    after = assistant.ask("Wanneer is de volgende bijeenkomst?", today=today)
    assert "12 maart 2027" in after.answer and "13:30" in after.answer
    assert Path(after.citations[0].source).name == "aankondiging.md"
    (corpus_copy / "aankondiging.md").unlink()
    assistant.ingest([corpus_copy])
    assert not any(e.source.endswith("aankondiging.md") for e in assistant.events())


def test_a_year_in_a_when_question_dates_the_event_not_a_next_question() -> None:
    from assistant.calendar import calendar_question, in_named_years, names_an_event
    from index.events import Event

    def week(year: int) -> Event:
        day = dt.date(year, 11, 8)
        title = "Week van de Radicale vernieuwing"
        return Event(title, day, None, None, "day", "stated", "8 november", "...", "a", "A")

    events = [week(2021), week(2022)]
    asked = calendar_question(
        "Wanneer is de Week van de Radicale vernieuwing 2024?", "when", "", False
    )
    assert asked is not None and asked.years == {2024}
    assert in_named_years(asked, events) == []
    asked_2022 = calendar_question(
        "Wanneer is de Week van de Radicale vernieuwing 2022?", "when", "", False
    )
    assert asked_2022 is not None and in_named_years(asked_2022, events) == [events[1]]
    upcoming = calendar_question("Wanneer is de volgende bijeenkomst over 2022?", "when")
    assert upcoming is not None and upcoming.years == frozenset()
    assert names_an_event(asked, events) and not names_an_event(upcoming, events)


def test_a_pages_own_date_is_no_event_and_a_s_and_jl_date_from_it() -> None:
    text = (
        "Wetenswaardigheden #7\n\nGeplaatst op 12 december 2019\n\nHet kernteam breidt uit. "
        "Op 5 februari a.s. is de eerste bijeenkomst in deze samenstelling. Op 11 juli jl. "
        "vond de bijeenkomst over regels plaats. De voortgangsbijeenkomst is in maart 2021."
    )
    clean = clean_pages([text], block_paragraphs=True)
    events = extract_events(clean, {"source": "a.txt", "title": "Wetenswaardigheden #7"}, False)
    days = [(e.start, e.precision) for e in events if e.start]
    assert dt.date(2019, 12, 12) not in [d for d, _ in days]
    assert (dt.date(2020, 2, 5), "day") in days and (dt.date(2019, 7, 11), "day") in days
    assert any(e.year == 2021 and e.precision == "month" for e in events)


def test_an_announcements_first_date_is_the_events_not_the_pages() -> None:
    """A page without a date line: its first full date is the meeting's, so a deadline
    written after it without a year falls before it, in the same year, and is no meeting."""
    text = (
        "# Regiobijeenkomst jeugdzorg\n\n"
        "Op donderdag 14 september 2023 houden we een regiobijeenkomst over jeugdzorg.\n\n"
        "Aanmelden kan tot 7 september.\n"
    )
    meeting, deadline = sorted(_events(text), key=lambda e: e.start, reverse=True)
    assert meeting.start == dt.date(2023, 9, 14) and meeting.event_words
    assert deadline.start == dt.date(2023, 9, 7) and not deadline.event_words


def test_hours_and_place_in_the_sentence_after_the_date_belong_to_the_meeting() -> None:
    text = (
        "Op donderdag 14 september 2023 houden we een regiobijeenkomst over jeugdzorg. "
        "De bijeenkomst is van 19:30 tot 21:30 uur in De Observant in Amersfoort. "
        "Aanmelden kan tot 7 september."
    )
    meeting = next(e for e in _events(text) if e.start == dt.date(2023, 9, 14))
    assert (meeting.start_time, meeting.end_time) == ("19:30", "21:30")
    assert meeting.place == "De Observant in Amersfoort"
    deadline = next(e for e in _events(text) if e.start == dt.date(2023, 9, 7))
    assert deadline.start_time is None  # the meeting's hours are not the deadline's


def test_a_following_sentence_without_hours_gives_no_place() -> None:
    text = (
        "Op 14 november 2019 is de bijeenkomst over de agenda. "
        "De bijeenkomst gaat over de toekomst van het vak in Sociaal Werk Nederland."
    )
    (meeting,) = _events(text)
    assert meeting.place is None
