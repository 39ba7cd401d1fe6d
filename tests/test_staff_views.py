"""The staff tab's views on hand-made passages: the search shows what matches and says how
many do; index times are read as dates in the page's language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.api import Passage
from ui.staff import search_results, spoken_moment
from ui.texts import texts


@dataclass
class _Assistant:
    """A stand-in for the assistant: retrieval's passages, and where a word matches."""

    found: list[Passage]

    def passages(self, query: str, k: int) -> list[Passage]:
        return self.found[:k]

    def matching_words(self, query: str, text: str) -> list[tuple[int, int]]:
        wanted = set(query.lower().split())
        return [m.span() for m in re.finditer(r"\w+", text) if m.group().lower() in wanted]


def _passage(text: str, score: float) -> Passage:
    return Passage(source="/docs/a.txt", title="Titel", page=None, score=score, text=text)


def test_the_search_shows_only_passages_that_hold_a_word_and_counts_them() -> None:
    found = _Assistant([
        _passage("Eenzaamheid onder ouderen neemt toe.", 8.5),
        _passage("De bijeenkomst was goed bezocht.", 4.0),
        _passage("Zorg in de wijk.", 3.9),
    ])  # fmt: skip
    shown = search_results(found, "eenzaamheid", texts("nl"))  # type: ignore[arg-type]
    assert shown.count('class="passage"') == 1
    assert "1 van de 3 best passende passages" in shown
    assert "<mark>Eenzaamheid</mark>" in shown


def test_a_search_no_passage_holds_a_word_of_shows_the_nearest_and_says_so() -> None:
    found = _Assistant([_passage("Eenzaamheid onder ouderen.", 5.0)])
    shown = search_results(found, "loneliness", texts("en"))  # type: ignore[arg-type]
    assert shown.count('class="passage"') == 1
    assert "No passage holds the words searched for" in shown


def test_index_times_are_dates_in_words_in_the_assistants_time_zone() -> None:
    said = spoken_moment("2026-12-07T03:57:56+00:00", "Europe/Amsterdam", texts("nl"))
    assert said == "7 december 2026, 04:57"
    assert spoken_moment("not a time", "Europe/Amsterdam", texts("nl")) == "not a time"


def test_every_kind_of_failed_file_is_said_in_both_languages_with_its_numbers() -> None:
    from typing import get_args

    from assistant.api import LibraryChange
    from index.errors import DocumentProblem
    from ingest.pipeline import Failure, IngestReport
    from ui.error_texts import spoken_number
    from ui.staff import change_report

    numbers = (("limit", 2000.0), ("megabytes", 60.5), ("pages", 2400.0), ("seconds", 120.0))
    for language in ("nl", "en"):
        words = texts(language)  # type: ignore[arg-type]
        for kind in get_args(DocumentProblem):
            failure = Failure("/docs/x/a.pdf", "an English problem for the log", kind, numbers)
            said = change_report("add", LibraryChange(IngestReport(failed=[failure])), words)
            spoken = {name: spoken_number(value, language) for name, value in numbers}
            reason = words(f"document_{kind}", **spoken)
            assert f"**{words('failed')}: a.pdf**: {reason}" in said, said
            assert "English problem" not in said and "/docs/x" not in said
    too_large = Failure(
        "/d/groot.pdf", "is 60.5 MB", "too_large", (("limit", 50.0), ("megabytes", 60.5))
    )
    said = change_report("add", LibraryChange(IngestReport(failed=[too_large])), texts("nl"))
    assert "60,5 MB; de grens is 50 MB" in said
