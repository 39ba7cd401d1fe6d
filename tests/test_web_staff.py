"""Staff keep the documents up to date from the page, in Chromium, with real uploads into
a real index, while a newcomer's chat goes on answering; the search view and the document
view check facts."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import CORPUS, SCREENSHOTS, STAFF_PASSWORD, needs_browser, rv_serve

from assistant.api import Assistant, Settings
from index.embedders import Embedder

pytestmark = needs_browser

#: A few documents of the default corpus: a small index that ingests in seconds.
FEW = ["001_387224a3b32bf87f.txt", "004_c470ea04556890eb.pdf"]


@contextmanager
def serving_staff(
    tmp_path: Path, e5: Embedder, documents: list[str], today: str
) -> Iterator[dict[str, object]]:
    """``rv serve`` with a staff password on an index of some of the corpus's documents,
    uploads going to a folder of its own; yields its address and the test's folder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in documents:
        shutil.copy(CORPUS / name, corpus / name)
    index_dir = tmp_path / "index"
    assert Assistant(Settings(index_dir=index_dir, corpus_dir=corpus), embedder=e5).ingest().ok
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "RV_INDEX_DIR": str(index_dir),
        "RV_CORPUS_DIR": str(corpus),
        "RV_DOCUMENTS_DIR": str(tmp_path / "documents"),
        "RV_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        "RV_STAFF_PASSWORD": STAFF_PASSWORD,
    }
    with rv_serve(env, "--today", today) as served:
        yield {"url": served.url, "tmp": tmp_path}


@pytest.fixture()
def staff_server(tmp_path: Path, e5: Embedder) -> Iterator[dict[str, object]]:
    with serving_staff(tmp_path, e5, FEW, "2026-12-01") as served:
        yield served


def _log_in(page: object) -> None:
    page.get_by_role("tab", name="Voor medewerkers").click()  # type: ignore[attr-defined]
    page.locator("#staff-password input").fill(STAFF_PASSWORD)  # type: ignore[attr-defined]
    page.locator("#staff-open").click()  # type: ignore[attr-defined]
    page.locator("#documents").wait_for(timeout=20_000)  # type: ignore[attr-defined]


def _ask(page: object, question: str, expect: str) -> str:
    rows = page.locator("#chatbot .message-row.bot-row")  # type: ignore[attr-defined]
    asked_before = rows.count()
    page.locator("#question textarea").fill(question)  # type: ignore[attr-defined]
    page.locator("#send").click()  # type: ignore[attr-defined]
    # This question's own answer: the previous one may hold ``expect`` too ('Bronnen').
    bot = rows.nth(asked_before)
    try:
        bot.get_by_text(expect).first.wait_for(timeout=60_000)
    except Exception:
        print("ANSWER", bot.inner_text())
        raise
    return str(bot.inner_text())


#: Gradio's progress texts ('processing | 0.5s', English) a person can see on the page.
PROGRESS_SHOWN = """() => [...document.querySelectorAll('.progress-text, .eta-bar, .meta-text')]
  .filter(e => /processing/.test(e.textContent)
    && e.checkVisibility({opacityProperty: true, visibilityProperty: true}))
  .map(e => e.textContent.trim())"""


def _act(page: object, button: str, action: str) -> str:
    """Click a staff button; the report once its action has finished (no two actions in
    a row are the same, so the report's heading tells this one's from the last one's).
    The upload's and the title's reports are beside their buttons, the others' under their
    row."""
    where = {"#add-documents": "#upload-report", "#save-title": "#title-report"}.get(
        button, "#staff-report"
    )
    report = page.locator(where)  # type: ignore[attr-defined]
    page.locator(button).click()  # type: ignore[attr-defined]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = str(report.inner_text())
        # While it runs: no Gradio progress text in English, the tables keep their rows.
        seen = page.evaluate(PROGRESS_SHOWN)  # type: ignore[attr-defined]
        assert not seen, seen
        assert page.locator("#documents tbody tr").count() > 0  # type: ignore[attr-defined]
        if f"{action}: klaar" in text:
            return text
        time.sleep(0.2)
    raise AssertionError(f"no report after {button}: {report.inner_text()!r}")


def test_staff_add_replace_remove_and_reindex_while_the_chat_answers(
    staff_server: dict, browser: object
) -> None:
    tmp = Path(str(staff_server["tmp"]))
    new = tmp / "upload" / "ledendag.md"
    new.parent.mkdir()
    new.write_text(
        "# Ledendag zorgonderwijs\n\nDe ledendag over zorgonderwijs, een bijeenkomst voor alle "
        "leden, is op 12 maart 2027 in Zwolle. Iedereen uit de beweging is welkom.\n",
        encoding="utf-8",
    )
    empty = tmp / "upload" / "leeg.txt"
    empty.write_text("   \n", encoding="utf-8")
    staff = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    chat = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    staff.goto(str(staff_server["url"]))
    chat.goto(str(staff_server["url"]))
    _log_in(staff)
    assert "ledendag" not in staff.locator("#documents").inner_text()

    staff.locator("#upload input[type=file]").set_input_files([str(new), str(empty)])
    staff.locator("#upload td.filename[aria-label='leeg.txt']").wait_for(timeout=20_000)
    chat.locator("#question textarea").fill("Welke initiatieven pakken eenzaamheid aan?")
    chat.locator("#send").click()
    text = _act(staff, "#add-documents", "Toevoegen")
    # The chat answered while the staff's ingest ran.
    chat.locator("#chatbot .message-row.bot-row").first.get_by_text("Bronnen").wait_for()
    assert "Toegevoegd: ledendag.md" in text
    assert "Mislukt: leeg.txt: het bestand is leeg." in text  # the file that failed, and why
    staff.locator("#documents").get_by_text("ledendag.md").first.wait_for(timeout=20_000)
    assert (tmp / "documents" / "ledendag.md").exists()
    # A page opened now welcomes with the new document and lists its meeting.
    fresh = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    fresh.goto(str(staff_server["url"]))
    fresh.locator("#upcoming").get_by_text("12 maart 2027").wait_for(timeout=20_000)
    assert "12 maart 2027" in fresh.locator("#welcome").inner_text()  # 'met data tot en met'
    fresh.close()

    answer = _ask(chat, "Waar is de ledendag over zorgonderwijs?", "Zwolle")
    assert "ledendag.md" not in answer  # newcomers see no file names
    link = chat.locator("#chatbot .message-row.bot-row").last.locator("a.source-link").first
    href = link.get_attribute("href") or ""
    assert href.startswith("document?source=")
    with chat.context.expect_page() as opened:
        link.click()
    view = opened.value
    quoted = view.locator("#document-view mark#quoted")
    quoted.wait_for(timeout=20_000)
    # The quote may be the heading and the sentence under it, marked as two parts.
    assert "Zwolle" in " ".join(view.locator("#document-view mark").all_inner_texts())
    view.close()

    newer = tmp / "upload" / "ledendag-nieuw.md"
    newer.write_text(
        "# Ledendag zorgonderwijs\n\nDe ledendag over zorgonderwijs is op 12 maart 2027 in "
        "Deventer, niet in Zwolle zoals eerst gemeld.\n",
        encoding="utf-8",
    )
    staff.locator("#document-choice input").click()
    staff.get_by_role("option", name="ledendag.md").first.click()
    staff.locator("#replacement input[type=file]").set_input_files(str(newer))
    staff.locator("#replacement td.filename[aria-label='ledendag-nieuw.md']").wait_for(
        timeout=20_000
    )
    text = _act(staff, "#replace-document", "Vervangen")
    assert "Bijgewerkt: ledendag.md" in text and "vorige versie" in text
    where = _ask(chat, "In welke plaats is de ledendag over zorgonderwijs?", "Deventer")
    assert "Iedereen uit de beweging" not in where  # the replaced version's sentence
    kept = list((tmp / "documents" / ".earlier").iterdir())
    assert [k.read_text(encoding="utf-8").count("Zwolle") for k in kept] == [1]  # nothing lost

    staff.locator("#document-choice input").click()
    staff.get_by_role("option", name="ledendag.md").first.click()
    # The first click asks; the document is still indexed until the second.
    staff.locator("#remove-document").click()
    staff.locator("#staff-report").get_by_text("Weet je het zeker?").wait_for(timeout=20_000)
    assert "ledendag.md" in staff.locator("#documents").inner_text()
    removed = _act(staff, "#remove-document", "Uit de index halen")
    assert "Uit de index gehaald: ledendag.md" in removed
    assert "bewaard als" in removed and str(tmp) not in removed  # the copy by name, no path
    gone = _ask(chat, "Waar is de ledendag over zorgonderwijs in Deventer?", "")
    assert "Deventer" not in gone.split("Bronnen")[-1]

    (tmp / "corpus" / FEW[0]).unlink()
    text = _act(staff, "#reindex", "Opnieuw indexeren")
    assert f"Uit de index gehaald: {FEW[0]}" in text
    assert FEW[0] not in staff.locator("#documents").inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    staff.screenshot(path=str(SCREENSHOTS / "staff-desktop.png"), full_page=True)
    staff.close()
    chat.close()


def test_staff_search_highlights_words_and_opens_the_passage(
    staff_server: dict, browser: object
) -> None:
    page = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(str(staff_server["url"]))
    _log_in(page)
    page.locator("#staff-query input, #staff-query textarea").first.fill("eenzaamheid Kampen")
    page.locator("#staff-search").click()
    results = page.locator("#staff-results")
    results.locator(".passage").first.wait_for(timeout=30_000)
    first = results.locator(".passage").first
    assert "004_c470ea04556890eb.pdf, p. 2" in first.inner_text()
    assert "score" in first.inner_text()
    marks = [m.lower() for m in first.locator("mark").all_inner_texts()]
    assert "eenzaamheid" in marks and "kampen" in marks
    # Only passages that hold a word looked for, and how many of the best ones do.
    assert "best passende passages bevatten een gezocht woord" in results.inner_text()
    passages = results.locator(".passage")
    assert all(passages.nth(i).locator("mark").count() for i in range(passages.count()))
    SCREENSHOTS.mkdir(exist_ok=True)
    results.screenshot(path=str(SCREENSHOTS / "staff-search.png"))
    with page.context.expect_page() as opened:
        first.locator("a.document-link").click()
    view = opened.value
    quoted = view.locator("#document-view mark#quoted")
    quoted.wait_for(timeout=20_000)
    assert "Kampen" in quoted.inner_text()
    box = quoted.bounding_box()
    assert box is not None and 0 <= box["y"] < 900  # opened at the passage, on screen
    SCREENSHOTS.mkdir(exist_ok=True)
    view.screenshot(path=str(SCREENSHOTS / "document-view.png"))
    view.close()

    # Staff give the document without a heading a title of their own; a re-index keeps it.
    page.locator("#document-choice input").click()
    page.get_by_role("option", name=FEW[0]).first.click()
    title = page.locator("#document-title textarea, #document-title input").first
    page.wait_for_function(  # the title it has now, to correct in place
        "() => document.querySelector('#document-title textarea, #document-title input')"
        ".value.startsWith('Inspiratiebijeenkomst zorgonderwijs')"
    )
    title.fill("Werkdag zorgonderwijs aan het kanaal")
    assert f"Bijgewerkt: {FEW[0]}" in _act(page, "#save-title", "Titel opslaan")
    documents = page.locator("#documents")
    documents.get_by_text("Werkdag zorgonderwijs aan het kanaal").wait_for(timeout=20_000)
    _act(page, "#reindex", "Opnieuw indexeren")
    assert "Werkdag zorgonderwijs aan het kanaal" in documents.inner_text()
    tmp = Path(str(staff_server["tmp"]))
    kept = json.loads((tmp / "index" / "titles.json").read_text(encoding="utf-8"))
    assert list(kept["titles"].values()) == ["Werkdag zorgonderwijs aan het kanaal"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "staff-phone.png"), full_page=True)
    page.close()
