"""The assistant's errors in the page's words: each by its kind, from ``ui/texts/*.yaml``
(``error_<kind>``), filled with the numbers the error carries (a limit, a length).

The library's own messages are English and written for whoever runs it (they name
settings, paths and commands); a newcomer never sees them. What went wrong in detail goes
to the server's log.
"""

from __future__ import annotations

import logging

from assistant.api import QuestionError, RvError
from ui.texts import Texts

#: The kinds the page has words of its own for; any other unusable question is
#: 'question', anything else 'other'.
KINDS = (
    "question_too_long",
    "empty_question",
    "answer_timeout",
    "index_busy",
    "index_empty",
    "store_unavailable",
    "question",
    "other",
)

_log = logging.getLogger(__name__)


def page_kind(error: BaseException) -> str:
    """The kind the page words ``error`` by: its own when the page knows it."""
    kind = error.kind if isinstance(error, RvError) else "other"
    if kind in KINDS:
        return kind
    return "question" if isinstance(error, QuestionError) else "other"


def error_text(error: BaseException, words: Texts) -> str:
    """The message a newcomer reads for ``error``, in the page's language."""
    kind = page_kind(error)
    if kind == "other":
        _log.error("answering failed", exc_info=error)
    return words(f"error_{kind}", **error_numbers(error, words.language))


def error_numbers(error: BaseException, language: str) -> dict[str, str]:
    """The error's numbers (``limit``, ``length``, ...) written in ``language``; its
    other attributes (a path, an address) are never shown."""
    return {
        name: spoken_number(value, language)
        for name, value in vars(error).items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def spoken_number(value: float, language: str) -> str:
    """3000 -> '3.000' in Dutch, '3,000' in English; 2.5 -> '2,5' or '2.5'."""
    written = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return written.translate(str.maketrans(",.", ".,")) if language == "nl" else written
