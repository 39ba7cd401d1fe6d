"""The calendar in Chromium (issue 26): on the programme and the report of the movement's
meetings, with staff uploading another meeting's announcement for the same day, the events
panel shows each meeting once with its hours and place, and the chat lists both meetings,
each with its own place and source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SCREENSHOTS, needs_browser
from test_web_staff import _act, _ask, _log_in, serving_staff

from index.embedders import Embedder

#: Skipped with the reason (no playwright package, no Chromium) before any server starts.
pytestmark = needs_browser

#: The programme of the three meetings (a PDF) and the report of the first one.
SERIES = ["000_5de1ae5a7503ed65.pdf", "001_387224a3b32bf87f.txt"]

ANNOUNCEMENT = """# Regiobijeenkomst jeugdzorg in Amersfoort

Op donderdag 14 september 2023 houden we een regiobijeenkomst over jeugdzorg in de wijk. \
De bijeenkomst is van 19:30 tot 21:30 uur in De Observant in Amersfoort.

Jongeren, ouders en professionals vertellen wat er in hun buurt beter kan. \
Aanmelden kan tot 7 september.
"""


@pytest.fixture()
def events_server(tmp_path: Path, e5: Embedder) -> Iterator[dict[str, object]]:
    with serving_staff(tmp_path, e5, SERIES, "2023-06-01") as served:
        yield served


def test_two_meetings_on_one_day_each_once_with_their_own_place_and_source(
    events_server: dict, browser: object
) -> None:
    upload = Path(str(events_server["tmp"])) / "upload" / "regiobijeenkomst.md"
    upload.parent.mkdir()
    upload.write_text(ANNOUNCEMENT, encoding="utf-8")
    staff = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    staff.goto(str(events_server["url"]))
    _log_in(staff)
    staff.locator("#upload input[type=file]").set_input_files([str(upload)])
    staff.locator("#upload td.filename[aria-label='regiobijeenkomst.md']").wait_for(timeout=20_000)
    assert "Toegevoegd: regiobijeenkomst.md" in _act(staff, "#add-documents", "Toevoegen")
    staff.close()

    page = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page.goto(str(events_server["url"]))
    panel = page.locator("#upcoming")
    panel.get_by_text("Amersfoort").wait_for(timeout=20_000)
    lines = [line for line in str(panel.inner_text()).splitlines() if line.strip()]
    # The series' meeting of 14 September (named by the programme and by the report) once,
    # the Amersfoort one once, with its hours and place; 7 December once; no deadline.
    assert sum("14 september 2023" in line for line in lines) == 2, lines
    assert sum("7 december 2023" in line for line in lines) == 1, lines
    assert not any("7 september" in line for line in lines), lines
    amersfoort = next(line for line in lines if "Amersfoort" in line)
    assert "19:30" in amersfoort and "21:30" in amersfoort
    series = next(line for line in lines if "14 september" in line and line != amersfoort)
    assert "Tussen dromen en doen" in series
    assert panel.locator("a.event-source").count() >= 4  # each meeting's sources, linked
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "events-panel.png"), full_page=True)

    answer = _ask(page, "Wanneer is de volgende bijeenkomst?", "Bronnen")
    listed = [line for line in answer.splitlines() if "14 september 2023" in line]
    assert len(listed) == 2, answer  # both meetings of that day, one line each
    assert any("Amersfoort" in line for line in listed)
    assert any("Tussen dromen en doen" in line for line in listed)
    sources = page.locator("#chatbot .message-row.bot-row").last.locator("a.source-link")
    assert sources.count() >= 2  # each meeting has its own source

    where = _ask(page, "En waar is die?", "Bronnen")
    assert "Amersfoort" in where.split("Bronnen")[0], where
    assert not re.search(r"\d{3}_[0-9a-f]{16}", where)  # no file names for newcomers
    page.close()
