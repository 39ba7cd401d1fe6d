"""The page's words in two languages: the same keys, every text fillable, and the language
an Accept-Language header asks for."""

from __future__ import annotations

import string

import pytest
import yaml

from ui.texts import FOLDER, language_of, texts


def _strings(language: str) -> dict[str, object]:
    return dict(yaml.safe_load((FOLDER / f"{language}.yaml").read_text(encoding="utf-8")))


def test_both_languages_have_the_same_texts_with_the_same_blanks() -> None:
    dutch, english = _strings("nl"), _strings("en")
    assert set(dutch) == set(english)
    for key, text in dutch.items():
        if isinstance(text, str):
            blanks = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            other = {f for _, f, _, _ in string.Formatter().parse(str(english[key])) if f}
            assert blanks == other, key


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("nl", "nl"),
        ("en-US,en;q=0.9", "en"),
        ("en-GB;q=0.9", "en"),
        ("de-DE,de;q=0.9", "en"),  # as Gradio's own labels fall back: one language a page
        ("", "nl"),
        (None, "nl"),
        ("*", "nl"),
    ],
)
def test_the_language_is_the_browsers_first_choice(header: str | None, language: str) -> None:
    assert language_of(header) == language


def test_texts_are_filled_and_dates_written_in_their_language() -> None:
    import datetime as dt

    day = dt.date(2023, 9, 14)
    assert texts("nl")("no_upcoming", date=texts("nl").date(day)) == (
        "Er zijn na 14 september 2023 geen bijeenkomsten aangekondigd."
    )
    assert texts("en")("no_upcoming", date=texts("en").date(day)) == (
        "No meetings are announced after 14 September 2023."
    )


def test_the_login_page_says_the_lockout_rule_in_both_languages() -> None:
    # Gradio's login form shows nothing when a locked-out address is answered 429.
    from assistant.api import Settings
    from ui.web import _login_message

    message = _login_message(Settings(login_max_failures=3, login_lockout_seconds=600))
    assert "Na 3 verkeerde wachtwoorden kun je 10 minuten niet" in message
    assert "After 3 wrong passwords you cannot log in for 10 minutes" in message
