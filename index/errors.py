"""Typed errors for the whole assistant.

Every message says what went wrong *and* how to fix it; only the edges (the CLI and the
web UI) turn these into output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal


def snake_case(name: str) -> str:
    """'IndexEmpty' -> 'index_empty'."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


class RvError(Exception):
    """Base class: anything the user can act on.

    ``kind`` names the error for the edges, which say it in their own words (the web page
    in its language): the class in snake case ('IndexEmptyError' -> 'index_empty'). The
    numbers a message needs are the error's attributes, never parsed from its text.
    """

    kind: ClassVar[str] = "rv"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" not in cls.__dict__:  # a class may name its kind itself
            cls.kind = snake_case(cls.__name__.removesuffix("Error")) or "rv"


class ConfigError(RvError):
    """A setting has a value the assistant cannot use."""


class EmbedderError(RvError):
    """The embedding model could not be loaded or run."""


class IndexEmptyError(RvError):
    """A question was asked before anything was ingested."""

    def __init__(self, index_dir: Path, missing: bool = False) -> None:
        state = "does not exist" if missing else "is empty"
        super().__init__(
            f"The index at {index_dir} {state}. Build it first with `rv ingest` "
            "(the default corpus) or `rv ingest PATH...` (your own documents); "
            "use --index-dir or RV_INDEX_DIR if the index lives elsewhere."
        )
        self.index_dir = index_dir


#: What is wrong with one input file. The English ``problem`` is for the log and the CLI;
#: the staff page says each kind in its own language, with the error's numbers.
DocumentProblem = Literal[
    "empty",
    "unsupported",
    "binary",
    "not_pdf",
    "encrypted",
    "too_many_pages",
    "damaged",
    "no_text",
    "too_slow",
    "too_large",
    "unreadable",
    "missing",
    "not_indexed",
    "not_writable",
]


class DocumentError(RvError):
    """One input file cannot be read; the message names the file and the problem, and
    ``problem_kind`` with ``numbers`` (a limit, a size) say it for a page in any language."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        problem_kind: DocumentProblem = "unreadable",
        **numbers: float,
    ) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem
        self.problem_kind: DocumentProblem = problem_kind
        self.numbers = numbers


class QuestionError(RvError):
    """The question itself is unusable (empty, malformed JSON line, bad date...)."""


class QuestionTooLongError(QuestionError):
    """The question has more characters than the limit; refused before any work."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"The question is {length:,} characters long; the limit is {limit:,}. "
            "Ask it shorter (RV_MAX_QUESTION_CHARS sets the limit)."
        )
        self.length = length
        self.limit = limit


class EmptyQuestionError(QuestionError):
    """The question has no text (white space only)."""

    def __init__(self) -> None:
        super().__init__("The question is empty; ask something about the documents.")


class AnswerTimeoutError(RvError):
    """An answer took longer than its time limit and was stopped."""

    def __init__(self, limit: float) -> None:
        super().__init__(
            f"The answer took longer than {limit:g} s and was stopped. Ask a shorter or more "
            "specific question; RV_ANSWER_TIME_LIMIT sets the limit (a remote model may need "
            "more)."
        )
        self.limit = limit


class IndexBusyError(RvError):
    """Another process is writing to the index; one writer at a time."""

    def __init__(self, index_dir: Path, waited: float) -> None:
        super().__init__(
            f"Another ingest is writing to the index at {index_dir} (waited {waited:.0f} s). "
            "Run this one when it has finished, or raise RV_WRITE_LOCK_TIMEOUT to wait longer."
        )
        self.index_dir = index_dir
        self.waited = waited


class StoreUnavailableError(RvError):
    """The Chroma server holding the index stopped answering in the middle of the work."""

    def __init__(self, url: str, cause: Exception, done: str = "") -> None:
        what = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
        super().__init__(
            f"The Chroma server at {url or 'RV_CHROMA_URL'} stopped answering ({what}). "
            "Start it again (`chroma run --path DIR --host 127.0.0.1 --port 8000`) and run "
            "the command again." + (f" {done}" if done else "")
        )
        self.url = url
        self.done = done


class LoginLockedError(RvError):
    """A client address gave too many wrong passwords and is refused for a while."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"Too many wrong passwords from this address: try again in {max(1, round(seconds))} s."
        )
        self.seconds = seconds


class TitleTooLongError(RvError):
    """A title staff gave is longer than a title may be; nothing was changed."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"The title is {length:,} characters long; a title may have at most {limit:,}."
        )
        self.length = length
        self.limit = limit


class TitlesFileError(ConfigError):
    """The file of the titles staff gave cannot be read or written; the message names the
    file and, for a bad entry, the entry."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            f"{path}: {problem}. It holds the titles staff gave documents on the web page: "
            "correct it, or move it away (those documents then keep the titles made from "
            "their text), and run the command again."
        )
        self.path = str(path)
        self.problem = problem
