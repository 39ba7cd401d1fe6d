"""The web chat in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SCREENSHOTS, STAFF_PASSWORD, needs_browser, rv_serve

from assistant.service import Assistant

pytestmark = needs_browser


@pytest.fixture(scope="module")
def server(
    corpus_index: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, object]]:
    feedback = tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "RV_INDEX_DIR": str(corpus_index.settings.index_dir),
        "RV_FEEDBACK_DB": str(feedback),
        "RV_STAFF_PASSWORD": STAFF_PASSWORD,
    }
    with rv_serve(env, "--today", "2023-06-01") as served:
        yield {"url": served.url, "feedback": feedback, "port": served.port}


def _last_answer(page: object, contains: str) -> str:
    bot = page.locator("#chatbot .message-row.bot-row").last  # type: ignore[attr-defined]
    bot.locator(f"text={contains}").first.wait_for(timeout=60_000)
    return str(bot.inner_text())


def test_asking_streams_an_answer_with_linked_sources(server: dict, browser: object) -> None:
    page = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page.goto(str(server["url"]))
    page.locator("#welcome").get_by_text("Welkom").wait_for()
    assert "14 september" in page.locator("#upcoming").inner_text()  # today is 2023-06-01
    page.locator("#question textarea").fill("Welke initiatieven pakken eenzaamheid aan?")
    page.locator("#send").click()
    text = _last_answer(page, "Bronnen")
    assert "8ste Werk" in text
    assert "(PDF, p. 2)" in text  # where the source is, as a newcomer reads it
    assert not re.search(r"\d{3}_[0-9a-f]{16}", text), "a file name is shown to newcomers"
    bot = page.locator("#chatbot .message-row.bot-row").last
    # The PDF's title opens the document view at the passage, marked; '(PDF, p. 2)' opens
    # the file itself at that page.
    original = bot.locator("a.original-link").first
    href = original.get_attribute("href") or ""
    assert "004_c470ea04556890eb.pdf" in href and "#page=2" in href
    assert original.inner_text() == "PDF, p. 2"
    link = bot.locator("a.source-link").first
    assert (link.get_attribute("href") or "").startswith("document?source=")
    with page.context.expect_page() as opened:
        link.click()
    view = opened.value
    view.locator("#document-view mark#quoted").wait_for(timeout=20_000)
    assert "8ste Werk" in view.locator("#document-view").inner_text()
    view.close()
    # The unfolded quote adds the sentences around the quoted part, which is marked.
    bot = page.locator("#chatbot .message-row.bot-row").last
    bot.locator("summary").first.click()
    quote = bot.locator("blockquote").first
    marked = " ".join(quote.locator("mark").all_inner_texts())
    assert marked and len(quote.inner_text()) > len(marked) + 20
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "web-chat.png"), full_page=True)
    page.close()


def _box(page: object, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()  # type: ignore[attr-defined]
    assert box is not None, f"{selector} is not shown"
    return dict(box)


def _on_screen(box: dict[str, float], width: int, height: int) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width
        and (box["y"] + box["height"] <= height)
    )


#: The phone the tests hold the page to (width, height in CSS pixels).
PHONE = (390, 844)


def _phone_page(browser: object, server: dict, locale: str) -> object:
    """The chat page opened on a phone-sized screen in ``locale``."""
    width, height = PHONE
    page = browser.new_page(locale=locale, viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    page.goto(str(server["url"]))
    return page


def test_on_a_phone_the_question_box_answer_and_feedback_fit_the_screen(
    server: dict, browser: object
) -> None:
    width, height = PHONE
    page = _phone_page(browser, server, "nl-NL")
    page.locator("#welcome").get_by_text("Welkom").wait_for()
    page.wait_for_timeout(500)  # the events panel folds on load
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-start.png"))
    # The question box and its button on the first screen, no scrolling.
    assert _on_screen(_box(page, "#question textarea"), width, height)
    assert _on_screen(_box(page, "#send"), width, height)
    # The events panel above the chat, folded; no floating label over the conversation.
    assert _box(page, "#upcoming-panel")["y"] < _box(page, "#chatbot")["y"]
    assert not page.locator("#upcoming").is_visible()
    assert page.locator("#chatbot [data-testid='block-label']").count() == 0
    # No comment box before an answer is rated.
    assert not page.locator("#comment").is_visible()

    page.get_by_text("Wanneer is de volgende bijeenkomst?").first.click()
    text = _last_answer(page, "Bronnen")
    assert "14 september 2023" in text
    page.wait_for_timeout(300)
    first_line = page.locator("#chatbot .message-row.bot-row").last
    top = _box(page, "#chatbot .message-row.bot-row >> nth=-1")["y"]
    assert 0 <= top < height, "the answer's first line is not in view"
    assert first_line.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "phone-answer.png"))

    page.locator("#chatbot").get_by_label("Vind ik niet leuk").last.click()
    page.locator("#status").get_by_text("Dank je").wait_for(timeout=20_000)
    assert page.locator("#comment").is_visible()
    page.locator("#comment textarea").fill("Graag ook de plaats noemen.")
    page.locator("#send-comment").click()
    page.locator("#status").get_by_text("opmerking is opgeslagen").wait_for(timeout=20_000)
    status = _box(page, "#status")
    assert abs(status["y"] - _box(page, "#comment")["y"]) < 120  # beside the box, not far below
    page.screenshot(path=str(SCREENSHOTS / "web-chat-phone.png"), full_page=True)
    with sqlite3.connect(str(server["feedback"])) as db:
        rows = db.execute("SELECT rating, question, comment, sources FROM feedback").fetchall()
    assert rows[-1][:3] == (
        "down",
        "Wanneer is de volgende bijeenkomst?",
        "Graag ook de plaats noemen.",
    )
    assert "000_5de1ae5a7503ed65.pdf" in rows[-1][3]

    # The next answer clears the status and folds the comment box away again.
    page.locator("#question textarea").fill("Wie is Mieke Hollander?")
    page.locator("#send").click()
    page.locator("#chatbot .message-row.bot-row").nth(1).wait_for(timeout=60_000)
    assert "Mieke" in _last_answer(page, "Bronnen")  # the whole answer, not a streamed part
    page.locator("#comment").wait_for(state="hidden", timeout=20_000)
    assert not page.locator("#status").is_visible()
    page.locator("#chatbot").get_by_label("Vind ik leuk", exact=True).last.click()  # the new answer
    page.locator("#status").get_by_text("Dank je").wait_for(timeout=20_000)
    assert "opmerking is opgeslagen" not in page.locator("#status").inner_text()  # old status gone
    assert page.locator("#comment textarea").input_value() == ""
    page.close()


def test_a_three_turn_conversation_understands_its_follow_up(server: dict, browser: object) -> None:
    page = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page.goto(str(server["url"]))
    page.locator("#welcome").get_by_text("Welkom").wait_for()
    turns = [
        ("Wanneer was de eerste bijeenkomst over zorgonderwijs?", "9 mei 2023"),
        ("En waar is dat?", "was in Kanaal30, Utrecht"),  # 'dat' is the meeting of turn 1
        ("Wat kost het om mee te doen?", "kosteloos"),  # a new subject, not the last answer
    ]
    for number, (question, expected) in enumerate(turns, start=1):
        page.locator("#question textarea").fill(question)
        page.locator("#send").click()
        rows = page.locator("#chatbot .message-row.bot-row")
        rows.nth(number - 1).wait_for(timeout=60_000)
        text = _last_answer(page, "Bronnen")
        assert expected in text, (question, text)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "conversation-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "conversation-phone.png"))
    page.close()


#: The newcomers' conversations of issue 25, each turn with a word its answer must hold.
NEWCOMERS = [
    (
        "nl-NL",
        [
            ("Wanneer is de volgende bijeenkomst?", "14 september"),
            ("En waar is die?", "Amsterdam-Rijnkanaal"),  # the place of that meeting
        ],
    ),
    ("nl-NL", [("Wie is de voorzitter van LOC?", "staat niet in de documenten")]),
    ("en-GB", [("Is there a fee?", "kosteloos")]),
    (
        "en-GB",
        [
            ("When are the meetings on care education?", "14 September"),
            ("Who organises it?", "organiseren de bijeenkomsten"),  # those meetings' organisers
        ],
    ),
    ("en-GB", [("What is the movement trying to change in youth care?", "jeugdzorg")]),
]


@pytest.mark.parametrize(("locale", "turns"), NEWCOMERS)
def test_a_newcomers_conversation_is_answered_from_the_documents(
    server: dict, browser: object, locale: str, turns: list[tuple[str, str]]
) -> None:
    page = browser.new_page(locale=locale, viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page.goto(str(server["url"]))
    page.locator("#welcome").wait_for()
    for number, (question, expected) in enumerate(turns, start=1):
        page.locator("#question textarea").fill(question)
        page.locator("#send").click()
        page.locator("#chatbot .message-row.bot-row").nth(number - 1).wait_for(timeout=60_000)
        if number < len(turns):  # the whole answer, its sources last, before the next turn
            _last_answer(page, "Bronnen" if locale.startswith("nl") else "Sources")
        text = _last_answer(page, expected)
        assert expected in text, (question, text)
    page.close()


def test_links_images_and_html_in_text_are_shown_as_text(server: dict, browser: object) -> None:
    page = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page.goto(str(server["url"]))
    page.locator("#welcome").get_by_text("Welkom").wait_for()
    hostile = (
        "Wat is [klik hier](https://phish.example/login) en ![x](http://127.0.0.1:9/t.png) "
        "<img src=http://127.0.0.1:9/u.png> of https://phish.example/bare?"
    )
    page.locator("#question textarea").fill(hostile)
    page.locator("#send").click()
    page.locator("#chatbot .message-row.bot-row").first.wait_for(timeout=60_000)
    chat = page.locator("#chatbot")
    chat.get_by_text("klik hier").first.wait_for()
    assert chat.locator("a[href*='phish.example']").count() == 0
    assert chat.locator("img[src*='127.0.0.1:9']").count() == 0
    assert "[klik hier](https" in chat.inner_text()  # shown as the text it is
    page.close()


def test_the_api_answers_like_the_cli(server: dict) -> None:
    from gradio_client import Client

    client = Client(str(server["url"]), verbose=False)
    answer = client.predict("Wie is Mieke Hollander?", "", api_name="/ask")
    assert set(answer) >= {"answer", "refused", "citations"}
    assert "Mieke Hollander" in answer["answer"]


def test_an_api_error_says_what_is_wrong_and_how_to_fix_it(server: dict) -> None:
    from gradio_client import Client

    client = Client(str(server["url"]), verbose=False)
    with pytest.raises(Exception, match=r"YYYY-MM-DD") as caught:
        client.predict("Wie is Mieke Hollander?", "gisteren", api_name="/ask")
    assert "verbose error reporting" not in str(caught.value)  # not Gradio's opaque AppError


def test_the_server_refuses_files_outside_the_documents(server: dict) -> None:
    import httpx

    base = str(server["url"]).rstrip("/")
    assert httpx.get(f"{base}/gradio_api/file=/etc/passwd").status_code in (403, 404)


def test_the_staff_page_shows_documents_only_after_its_password(
    server: dict, browser: object
) -> None:
    page = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page.goto(str(server["url"]))
    page.get_by_role("tab", name="Voor medewerkers").click()
    assert page.locator("#documents").count() == 0 or not page.locator("#documents").is_visible()
    page.locator("#staff-password input").fill("raden")
    page.locator("#staff-open").click()
    page.locator("#staff-status").get_by_text("klopt niet").wait_for(timeout=10_000)
    assert not page.locator("#documents").is_visible()
    page.locator("#staff-password input").fill(STAFF_PASSWORD)
    page.locator("#staff-open").click()
    page.locator("#documents").get_by_text("001_387224a3b32bf87f.txt").first.wait_for(
        timeout=10_000
    )
    assert "7 december 2023" in page.locator("#events").inner_text() or (
        "2023-12-07" in page.locator("#events").inner_text()
    )
    page.close()


def test_without_a_staff_password_there_is_no_staff_page(corpus_index: Assistant) -> None:
    from ui.feedback import FeedbackStore
    from ui.web import build_app

    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(corpus_index, FeedbackStore(Path(tmp) / "f.sqlite3"))
        ids = {c.get("props", {}).get("elem_id") for c in app.config["components"]}
    assert "chatbot" in ids
    assert not ids & {"staff-password", "documents", "events"}


def test_the_staff_events_table_lists_a_meeting_once_per_document_in_dutch() -> None:
    import datetime as dt

    from index.events import Event
    from ui.staff import events_table

    def event(title: str, source: str, certainty: str = "stated") -> Event:
        return Event(title, dt.date(2023, 12, 7), None, None, "day", certainty,
                     "7 december", "Deel 3 op 7 december.", source, "Programma")  # fmt: skip

    class Records:
        def events(self) -> list[Event]:
            return [event("drieluik", "/d/a.pdf"), event("bijeenkomst", "/d/a.pdf"),
                    event("bijeenkomst", "/d/b.txt", "inferred")]  # fmt: skip

    rows = events_table(Records(), dt.date(2023, 6, 1))  # type: ignore[arg-type]
    assert [(r[2], r[4], r[5], r[6]) for r in rows] == [
        ("drieluik", "komend", "genoemd", "a.pdf"),
        ("bijeenkomst", "komend", "afgeleid", "b.txt"),
    ]


def test_the_staff_events_table_shows_the_whole_name_its_hours_and_place() -> None:
    import datetime as dt

    from index.events import Event
    from ui.staff import events_table

    meeting = Event("Dialoogbijeenkomst Zorg en welzijn", dt.date(2023, 9, 14), None, 2023,
                    "day", "stated", "14 september 2023", "Op 14 september 2023 ...",
                    "/d/dialoog.md", "Dialoog", start_time="13:00", end_time="16:00",
                    place="Amersfoort")  # fmt: skip

    class Records:
        def events(self) -> list[Event]:
            return [meeting]

    ((when, hours, name, place, *_),) = events_table(Records(), dt.date(2023, 6, 1))  # type: ignore[arg-type]
    assert (when, hours, name, place) == (
        "2023-09-14",
        "13:00–16:00",
        "Dialoogbijeenkomst Zorg en welzijn",
        "Amersfoort",
    )


@pytest.mark.parametrize(
    ("locale", "expected", "not_expected"),
    [
        ("nl-NL", ["Welkom", "Vraag", "Komende bijeenkomsten", "14 september 2023",
                   "Bronnen", "Citaat", "Vind ik leuk", "Bericht kopiëren", "Voor medewerkers"],
         ["Welcome", "Copy", "Like", "Sources", "Upcoming"]),
        ("en-US", ["Welcome", "Ask", "Upcoming meetings", "14 September 2023", "Sources",
                   "Quote", "Like", "Copy message", "For staff"],
         ["Welkom", "Vraag", "Bronnen", "Komende", "Voor medewerkers"]),
    ],
)  # fmt: skip
def test_the_page_speaks_the_browsers_language_gradios_own_labels_included(
    server: dict, browser: object, locale: str, expected: list[str], not_expected: list[str]
) -> None:
    page = browser.new_page(locale=locale, viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page.goto(str(server["url"]))
    page.locator("#welcome h3").wait_for()
    page.locator("#question textarea").fill(
        "Wie is Mieke Hollander?" if locale == "nl-NL" else "Who is Mieke Hollander?"
    )
    page.locator("#send").click()
    answer = _last_answer(page, expected[4])
    assert "Mieke" in answer
    page.locator("#chatbot .message-row.bot-row").last.locator("summary").first.wait_for()
    labels = page.eval_on_selector_all(
        "button[aria-label], summary, button, [role=tab], h3, #upcoming-panel",
        "els => els.map(e => (e.getAttribute('aria-label') || '') + ' ' + e.innerText)",
    )
    shown = " | ".join([*labels, answer])
    for text in expected:
        assert text in shown, (text, shown)
    for text in not_expected:
        assert text not in shown, (text, shown)
    page.close()


def test_a_too_long_and_an_empty_question_get_a_dutch_hint_and_the_text_stays(
    server: dict, browser: object
) -> None:
    """Issue 27, point 5: on a Dutch page, a question of 3,000 characters and an empty one
    each get a hint in Dutch that names no setting; the long text stays in the box."""
    from index.errors import QuestionTooLongError
    from ui.error_texts import error_text
    from ui.texts import texts

    page = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page.goto(str(server["url"]))
    page.locator("#welcome h3").wait_for()
    box, hint = page.locator("#question textarea"), page.locator("#question-hint")
    long_question = ("Welke initiatieven pakken eenzaamheid aan in de wijk? " * 60)[:3000]
    box.fill(long_question)
    page.locator("#send").click()
    hint.get_by_text("3.000 tekens").wait_for(timeout=20_000)
    dutch = texts("nl")
    assert " ".join(hint.inner_text().split()) == error_text(
        QuestionTooLongError(3000, 2000), dutch
    )
    assert box.input_value() == long_question  # the text is kept, to be shortened
    shown = hint.bounding_box()
    assert shown and shown["y"] >= 0 and shown["y"] + shown["height"] <= 1000  # on screen
    box.fill("")
    page.locator("#send").click()
    hint.get_by_text(dutch("error_empty_question")).wait_for(timeout=20_000)
    assert page.locator("#chatbot .message-row").count() == 0  # nothing was asked
    assert "RV_" not in str(page.locator("body").inner_text())
    page.close()


def test_on_a_phone_the_welcome_unfolds_and_nothing_covers_the_answer(
    server: dict, browser: object
) -> None:
    width, height = PHONE
    page = _phone_page(browser, server, "en-GB")
    welcome = page.locator("#welcome p").first
    welcome.wait_for()
    page.wait_for_timeout(500)
    cut = "el => el.scrollHeight > el.clientHeight + 1"
    assert welcome.evaluate(cut), "the phone's welcome is not cut to three lines"
    page.locator("#welcome").click()  # a tap unfolds it: every line can be read
    page.wait_for_timeout(200)
    assert not welcome.evaluate(cut)
    assert "Dutch" in str(page.locator("#welcome").inner_text())
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-welcome.png"))
    page.locator("#welcome").click()
    page.locator("#question textarea").fill("What is the theme of the Week of Radical Renewal?")
    page.locator("#send").click()
    text = _last_answer(page, "Sources")
    assert text
    page.wait_for_timeout(500)
    # Every visible point of the answer's text is the answer's own: no button floats over it.
    covered = page.locator("#chatbot .message-row.bot-row").last.evaluate(
        """row => {
          const box = row.getBoundingClientRect();
          const chat = document.querySelector('#chatbot').getBoundingClientRect();
          const top = Math.max(box.top, chat.top) + 4;
          const bottom = Math.min(box.bottom, chat.bottom) - 4;
          const bad = [];
          for (let y = top; y < bottom; y += 12) {
            for (let x = box.left + 8; x < box.right - 8; x += 24) {
              const hit = document.elementFromPoint(x, y);
              if (hit && !row.contains(hit)) { bad.push(hit.className || hit.tagName); }
            }
          }
          return bad;
        }"""
    )
    assert covered == [], covered
    chat = _box(page, "#chatbot")
    assert chat["height"] >= 0.45 * height  # the conversation uses the screen
    assert _on_screen(_box(page, "#send"), width, height)
    page.screenshot(path=str(SCREENSHOTS / "phone-conversation.png"))
    page.close()
