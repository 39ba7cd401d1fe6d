"""The assistant's public interface: everything the front ends (``ui/``) and the evaluators
(``evals/``) use, and nothing they must reach past it for.

They import from here only (a test of the import graph holds them to it), so the layers
below can change without them: the settings, errors and data types they need are
re-exported here.
"""

from __future__ import annotations

from assistant.answer import Answer, Citation, Passage, Turn
from assistant.baseline import LangChainBaseline, langchain_baselines
from assistant.calendar import distinct_events, most_detailed
from assistant.explain import Examination, ExaminedUnit
from assistant.library import DocumentLibrary, LibraryChange
from assistant.model import DEFAULT_MODEL, AnswerModel
from assistant.quote_context import QuotePiece, quote_in_context
from assistant.service import Assistant, parse_history, parse_today
from assistant.training import QuestionExample, UnitExample, fit_answer_model
from index.errors import (
    AnswerTimeoutError,
    ConfigError,
    EmptyQuestionError,
    IndexBusyError,
    IndexEmptyError,
    LoginLockedError,
    QuestionError,
    QuestionTooLongError,
    RvError,
    StoreUnavailableError,
    TitlesFileError,
    TitleTooLongError,
)
from index.events import Event
from index.language import Language, detect_language
from index.lexicon import read_data_file
from index.retrieval import Filters
from index.settings import Settings, default_corpus_dir
from index.store import IndexedDocument
from index.text import dutch_date, fold, spoken_date, squash_whitespace
from ingest.pipeline import IngestReport
from ingest.staff_titles import MAX_STAFF_TITLE, clean_title

__all__ = [
    "DEFAULT_MODEL",
    "MAX_STAFF_TITLE",
    "Answer",
    "AnswerModel",
    "AnswerTimeoutError",
    "Assistant",
    "Citation",
    "ConfigError",
    "DocumentLibrary",
    "EmptyQuestionError",
    "Event",
    "Examination",
    "ExaminedUnit",
    "Filters",
    "IndexBusyError",
    "IndexEmptyError",
    "IndexedDocument",
    "IngestReport",
    "LangChainBaseline",
    "Language",
    "LibraryChange",
    "LoginLockedError",
    "Passage",
    "QuestionError",
    "QuestionExample",
    "QuestionTooLongError",
    "QuotePiece",
    "RvError",
    "Settings",
    "StoreUnavailableError",
    "TitleTooLongError",
    "TitlesFileError",
    "Turn",
    "UnitExample",
    "clean_title",
    "default_corpus_dir",
    "detect_language",
    "distinct_events",
    "dutch_date",
    "fit_answer_model",
    "fold",
    "langchain_baselines",
    "most_detailed",
    "parse_history",
    "parse_today",
    "quote_in_context",
    "read_data_file",
    "spoken_date",
    "squash_whitespace",
]
