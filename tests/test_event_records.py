"""`rv events --json` on small hand-written pages, with a fake embedder (no model): a date in
running text, a page's own date, a past and a future tense, two events on one day, and page
furniture."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import make_assistant

import ui.cli
from index.text import BULLET

PAGES = {
    "verslag.txt": (
        "Nieuws woensdag 11 september 2019\n\n"
        "Terugblik op de ontmoetingsdag\n\n"
        "Op 2 september kwamen dertig leden bijeen in Zwolle. Op 19 januari volgt een "
        "vervolg, en op 30 januari gaan we verder.\n\n"
        "top of page\n"
    ),
    "aankondiging.txt": (
        "Geplaatst op 20 november 2018\n\n"
        "Congres Zorg dichtbij\n\n"
        "Het congres ‘Zorg dichtbij’ zal plaatsvinden op 10 december om 13.30 uur in "
        "De Reehorst, Ede. Meld je aan via de website.\n\n"
        "Dialoogbijeenkomst\n\n"
        "Op 10 december is er ook een dialoogbijeenkomst in Amersfoort van 19.00 tot "
        "21.00 uur.\n"
    ),
}


class FakeEmbedder:
    """Words hashed into 64 dimensions: stable, fast, no model."""

    identity = "fake-hash-64"

    def _embed(self, texts: Sequence[str]) -> Any:
        rows = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                rows[i, hashlib.md5(word.encode()).digest()[0] % 64] += 1.0
            rows[i] /= max(float(np.linalg.norm(rows[i])), 1e-9)
        return rows

    def embed_passages(self, texts: Sequence[str]) -> Any:
        return self._embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> Any:
        return self._embed(texts)


@pytest.fixture()
def listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    index = tmp_path / "index"
    make_assistant(index, FakeEmbedder()).ingest([folder])  # type: ignore[arg-type]
    monkeypatch.setattr(
        ui.cli,
        "Assistant",
        lambda settings: make_assistant(index, FakeEmbedder()),  # type: ignore[arg-type]
    )
    result = CliRunner().invoke(
        ui.cli.main, ["events", "--json", "--today", "2018-12-01", "--index-dir", str(index)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return [*data["upcoming"], *data["past"], *data["undated"]]


def _on(listing: list[dict[str, Any]], day: str) -> list[dict[str, Any]]:
    return [row for row in listing if row["date"] == day]


def test_each_record_lists_what_newcomers_and_staff_need(
    listing: list[dict[str, Any]],
) -> None:
    keys = {"date", "time", "place", "subject", "year_basis", "source", "quote"}
    assert listing and all(keys <= set(row) for row in listing)


def test_dates_in_running_text_are_records_dated_by_the_page_and_its_tense(
    listing: list[dict[str, Any]],
) -> None:
    (past,) = _on(listing, "2019-09-02")  # 'kwamen ... bijeen': before the page's date
    assert past["year_basis"] == "page's date, past tense"
    assert "Zwolle" in (past["place"] or "")
    assert _on(listing, "2020-01-19") and _on(listing, "2020-01-30")  # running text


def test_the_pages_own_date_and_its_furniture_are_no_events(
    listing: list[dict[str, Any]],
) -> None:
    assert not _on(listing, "2019-09-11") and not _on(listing, "2018-11-20")
    assert not any("top of page" in row["subject"] for row in listing)


def test_two_events_on_one_day_stay_two_with_their_own_time_and_place(
    listing: list[dict[str, Any]],
) -> None:
    congress, dialogue = sorted(_on(listing, "2018-12-10"), key=lambda r: r["time"])
    assert congress["year_basis"] == "page's date, future tense"
    assert (congress["time"], "Reehorst" in congress["place"]) == ("13:30", True)
    assert "Zorg dichtbij" in congress["subject"]
    assert (dialogue["time"], dialogue["place"]) == ("19:00", "Amersfoort")
    assert "ialoog" in dialogue["subject"]


def test_a_name_the_sentence_cuts_short_is_taken_whole_from_its_heading(tmp_path: Path) -> None:
    """A sentence's run of capitals stops at 'en': the heading holds the name whole."""
    from ingest.pipeline import ChunkingOptions, prepare

    page = tmp_path / "dialoog.md"
    page.write_text(
        "# Dialoogbijeenkomst Zorg en welzijn\n\nOp donderdag 14 september 2023 is de "
        "Dialoogbijeenkomst Zorg in Amersfoort, van 13:00 tot 16:00 uur. Meld je aan.\n",
        encoding="utf-8",
    )
    _, events = prepare(page, page.read_bytes(), ChunkingOptions(500, 100))
    assert [(e.title, e.place, e.start_time, e.end_time) for e in events] == [
        ("Dialoogbijeenkomst Zorg en welzijn", "Amersfoort", "13:00", "16:00")
    ]


def test_a_list_item_before_a_dated_sentence_is_not_its_subject(tmp_path: Path) -> None:
    """A bulleted line is a statement of a list, not a heading the statements after it are
    about."""
    from ingest.pipeline import ChunkingOptions, prepare

    page = tmp_path / "deelnemers.md"
    page.write_text(
        "Geplaatst op 20 november 2019\n\nOrganisaties\n\nIn totaal doen 38 huizen mee. "
        "Van deze 38 huizen:\n\n"
        "• willen 23 verpleeghuizen doorgaan\n"
        "• zien 15 verpleeghuizen af van verdere inzet\n\n"
        "Een update hiervan verzorgen we op 17 december 2019.\n",
        encoding="utf-8",
    )
    _, events = prepare(page, page.read_bytes(), ChunkingOptions(500, 100))
    ((day, subject),) = [(str(e.start), e.title) for e in events]
    assert day == "2019-12-17" and not BULLET.match(subject), subject
