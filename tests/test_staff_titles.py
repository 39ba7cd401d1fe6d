"""Staff give a document a title; it is kept across re-ingests, a crash leaves the previous
index answering, and a broken titles file is named. A real Chroma store with the
model-free hashing embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.api import Assistant, TitlesFileError, TitleTooLongError
from ingest.pipeline import Failure
from ingest.staff_titles import StaffTitles
from tests.test_library import _assistant

TEXT = (
    "Op een mooie plek aan het water verzamelde zich half september een groep vernieuwers "
    "uit zorg, welzijn en onderwijs. De volgende bijeenkomst is in Zwolle."
)
QUESTION = "Wie verzamelden zich aan het water?"
MADE = "Op een mooie plek aan het water verzamelde zich half…"


def _indexed(tmp_path: Path) -> tuple[Assistant, str]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "verslag.txt").write_text(TEXT, encoding="utf-8")
    assistant = _assistant(tmp_path)
    assert assistant.ingest().ok
    return assistant, str((corpus / "verslag.txt").resolve())


def _titles(assistant: Assistant) -> list[str]:
    return [d.title for d in assistant.documents()]


def test_a_staff_title_is_indexed_and_kept_across_re_ingests(tmp_path: Path) -> None:
    assistant, source = _indexed(tmp_path)
    assert _titles(assistant) == [MADE]
    change = assistant.library().set_title(source, "Werkdag aan het water")
    assert change.report.ok and [Path(u).name for u in change.report.updated] == ["verslag.txt"]
    assert _titles(assistant) == ["Werkdag aan het water"]
    # A process that reads the index (a serving one) sees the new version, titled.
    passage = _assistant(tmp_path).ask(QUESTION).retrieved[0]
    assert passage.title == "Werkdag aan het water"
    # `rv ingest` and the staff re-index read the titles: nothing changes, nothing is lost.
    assert assistant.ingest().skipped == [source]
    assert assistant.library().reindex().report.skipped == [source]
    assert _titles(_assistant(tmp_path)) == ["Werkdag aan het water"]
    # An empty title gives back the one made from the text.
    assert assistant.library().set_title(source, "").report.updated == [source]
    assert _titles(assistant) == [MADE]


def test_a_crash_after_the_title_is_kept_leaves_the_index_answering(tmp_path: Path) -> None:
    assistant, source = _indexed(tmp_path)
    # What a crash between keeping the title and indexing leaves: the file, not the index.
    StaffTitles(assistant.settings.titles_path()).set(source, "Werkdag aan het water")
    assert _titles(assistant) == [MADE]
    assert assistant.ask(QUESTION).citations
    report = assistant.ingest()  # the next ingest sees a new version and writes it
    assert report.updated == [source] and _titles(assistant) == ["Werkdag aan het water"]


def test_a_broken_titles_file_stops_the_ingest_with_its_name(tmp_path: Path) -> None:
    assistant, source = _indexed(tmp_path)
    path = assistant.settings.titles_path()
    path.write_text(json.dumps({"version": 1, "titles": {source: 12}}), encoding="utf-8")
    with pytest.raises(TitlesFileError) as raised:
        assistant.ingest()
    assert str(path) in str(raised.value) and "the title must be a non-empty text" in str(
        raised.value
    )
    assert _titles(assistant) == [MADE]  # the index is as it was


def test_a_title_for_no_indexed_document_or_too_long_changes_nothing(tmp_path: Path) -> None:
    assistant, source = _indexed(tmp_path)
    library = assistant.library()
    change = library.set_title(str(tmp_path / "nope.txt"), "Titel")
    assert change.report.failed == [
        Failure(str(tmp_path / "nope.txt"), "is not in the index", "not_indexed")
    ]
    with pytest.raises(TitleTooLongError):
        library.set_title(source, "x" * 201)
    assert not assistant.settings.titles_path().exists() and _titles(assistant) == [MADE]


def test_a_replaced_document_keeps_its_staff_title(tmp_path: Path) -> None:
    assistant = _assistant(tmp_path)
    library = assistant.library()
    upload = tmp_path / "up" / "agenda.txt"
    upload.parent.mkdir()
    upload.write_text(TEXT, encoding="utf-8")
    library.add([upload])
    (source,) = [d.source for d in assistant.documents()]
    library.set_title(source, "Agenda van de werkdag")
    newer = tmp_path / "up2" / "agenda.md"
    newer.parent.mkdir()
    newer.write_text("De werkdag is verplaatst naar Deventer.", encoding="utf-8")
    assert library.replace(source, newer).report.ok
    assert [(Path(d.source).name, d.title) for d in assistant.documents()] == [
        ("agenda.md", "Agenda van de werkdag")
    ]
