"""The assistant's typed errors in the page's words: each kind in Dutch and English, with
the numbers the error carries, and never a setting's or a file's name (issue 27, point 2).
Fast: no model, no index, no browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.service import Assistant
from index.embedders import HashingEmbedder
from index.errors import (
    AnswerTimeoutError,
    ConfigError,
    EmptyQuestionError,
    IndexBusyError,
    IndexEmptyError,
    QuestionError,
    QuestionTooLongError,
    RvError,
    StoreUnavailableError,
)
from index.settings import Settings
from ui.cli import error_kind
from ui.error_texts import KINDS, error_text, page_kind, spoken_number
from ui.texts import texts
from ui.web import WebChat

INDEX = Path("/srv/rv/.rv/index")

#: Each kind the page words, an error of it, and what its message must say in each language.
CASES: list[tuple[str, BaseException, dict[str, list[str]]]] = [
    ("question_too_long", QuestionTooLongError(3000, 2000),
     {"nl": ["3.000 tekens", "2.000", "vraagvak"], "en": ["3,000 characters", "2,000", "box"]}),
    ("empty_question", EmptyQuestionError(),
     {"nl": ["Typ eerst een vraag"], "en": ["First type a question"]}),
    ("answer_timeout", AnswerTimeoutError(60.0),
     {"nl": ["60 seconden"], "en": ["60 seconds"]}),
    ("index_busy", IndexBusyError(INDEX, 600),
     {"nl": ["bijgewerkt"], "en": ["being updated"]}),
    ("index_empty", IndexEmptyError(INDEX, missing=True),
     {"nl": ["nog geen documenten"], "en": ["No documents"]}),
    ("store_unavailable", StoreUnavailableError("http://10.0.0.7:8000", OSError("refused")),
     {"nl": ["niet bereikbaar"], "en": ["can't be reached"]}),
    ("question", QuestionError("today must be a date written YYYY-MM-DD, got 'x'"),
     {"nl": ["kan ik niet beantwoorden"], "en": ["can't answer"]}),
    ("other", ConfigError("RV_TOP_K must be a whole number, got 'x'"),
     {"nl": ["ging iets mis"], "en": ["went wrong"]}),
    ("other", ValueError("/srv/rv/secret.txt: bad"),
     {"nl": ["ging iets mis"], "en": ["went wrong"]}),
]  # fmt: skip

#: What a newcomer never reads: a setting, a path, an address, a command, the English text.
INTERNAL = ("RV_", "/srv", ".rv", "10.0.0.7", "rv ingest", "chroma", "Error")


def test_every_kind_the_page_words_has_a_case() -> None:
    assert {kind for kind, _, _ in CASES} == set(KINDS)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(("kind", "error", "says"), CASES)
def test_each_error_kind_is_said_in_the_pages_language(
    language: str, kind: str, error: BaseException, says: dict[str, list[str]]
) -> None:
    assert page_kind(error) == kind
    message = error_text(error, texts(language))  # type: ignore[arg-type]
    for part in says[language]:
        assert part in message
    other = "en" if language == "nl" else "nl"
    assert message != error_text(error, texts(other))  # type: ignore[arg-type]
    assert not any(word in message for word in INTERNAL), message
    assert str(error) not in message


def test_the_numbers_are_fields_of_the_error_not_parsed_from_its_text() -> None:
    error = QuestionTooLongError(3000, 2000)
    assert (error.length, error.limit, error.kind) == (3000, 2000, "question_too_long")
    assert IndexBusyError(INDEX, 12.0).waited == 12.0
    assert EmptyQuestionError().kind == "empty_question"
    assert AnswerTimeoutError(1.0).kind == "answer_timeout"
    assert RvError("x").kind == "rv"


@pytest.mark.parametrize(
    ("value", "dutch", "english"),
    [(3000, "3.000", "3,000"), (60.0, "60", "60"), (2.5, "2,5", "2.5"),
     (12345678, "12.345.678", "12,345,678")],
)  # fmt: skip
def test_numbers_are_written_as_each_language_writes_them(
    value: float, dutch: str, english: str
) -> None:
    assert (spoken_number(value, "nl"), spoken_number(value, "en")) == (dutch, english)


def test_scripts_keep_reading_one_kind_for_any_unusable_question() -> None:
    assert error_kind(QuestionTooLongError(3000, 2000)) == "question"
    assert error_kind(EmptyQuestionError()) == "question"
    assert error_kind(AnswerTimeoutError(60)) == "answer_timeout"


def test_the_assistant_refuses_a_long_or_empty_question_by_its_type(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "none", max_question_chars=50)
    assistant = Assistant(settings, embedder=HashingEmbedder())
    with pytest.raises(QuestionTooLongError) as refused:
        assistant.ask("x" * 60)
    assert (refused.value.length, refused.value.limit) == (60, 50)
    for empty in ("", "  \n\t"):
        with pytest.raises(EmptyQuestionError):
            assistant.ask(empty)
    assert not (tmp_path / "none").exists()  # refused before anything was opened


class _Request:
    """What the chat reads of a browser's request: its language."""

    def __init__(self, language: str) -> None:
        self.headers = {"accept-language": language}


class _Assistant:
    """An assistant that refuses long or empty questions and fails every other one."""

    def __init__(self, failure: Exception) -> None:
        self.failure = failure
        self.settings = Settings(max_question_chars=2000)

    def check_question(self, question: str) -> None:
        Assistant.check_question(self, question)  # type: ignore[arg-type]

    def revision(self) -> str:
        return "1"

    def documents(self) -> list[object]:
        return []

    def today(self, frozen: object) -> object:
        return frozen

    def ask_stream(self, question: str, **_: Any) -> Iterator[str]:
        raise self.failure
        yield ""


def _chat(failure: Exception | None = None) -> WebChat:
    failure = failure or AnswerTimeoutError(60)
    return WebChat(_Assistant(failure), feedback=None, today=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["nl-NL,nl;q=0.9", "en-GB,en;q=0.8"])
def test_a_too_long_question_stays_in_the_box_with_a_hint(language: str) -> None:
    question = "Wanneer is de volgende bijeenkomst? " * 100
    replies = list(_chat().respond(question, [], [], _Request(language)))  # type: ignore[arg-type]
    assert len(replies) == 1
    history, answers, box, hint = replies[0]
    assert (history, answers, box) == ([], [], question)  # nothing asked, nothing lost
    words = texts("nl" if language.startswith("nl") else "en")
    assert hint == error_text(QuestionTooLongError(len(question), 2000), words)


def test_an_empty_question_gets_a_hint_not_nothing() -> None:
    replies = list(_chat().respond("   ", [], [], _Request("nl")))  # type: ignore[arg-type]
    assert replies == [([], [], "   ", texts("nl")("error_empty_question"))]


@pytest.mark.parametrize(
    "failure",
    [AnswerTimeoutError(60), IndexBusyError(INDEX, 600), StoreUnavailableError("", OSError())],
)
def test_a_failed_answer_is_said_in_the_pages_language(failure: RvError) -> None:
    replies = list(_chat(failure).respond("Wie is Mieke Hollander?", [], [], _Request("nl")))  # type: ignore[arg-type]
    history, answers, box, hint = replies[-1]
    assert history[-1] == {"role": "assistant", "content": error_text(failure, texts("nl"))}
    assert (answers, box, hint) == ([{}], "", "")
    assert "RV_" not in history[-1]["content"]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_welcome_of_an_empty_index_names_no_command(language: str) -> None:
    """A newcomer cannot run `rv ingest`; the operator is told so by `rv serve`."""
    said = texts(language)("no_documents")  # type: ignore[arg-type]
    assert said and not any(word in said for word in INTERNAL), said
