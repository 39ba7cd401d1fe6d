"""The assistant as the front ends see it: ingest, ask, list what is indexed.

``ui/`` and ``evals/`` call only this module; it wires the components named in settings.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

from assistant.answer import Answer
from assistant.extractive import compose
from assistant.language import detect_language
from index.embedders import Embedder, make_embedder
from index.errors import IndexEmptyError, QuestionError
from index.settings import Settings
from index.store import ChromaStore, IndexedDocument, VectorStore
from ingest.pipeline import ChunkingOptions, IngestReport, Progress, ingest


class Assistant:
    """Loads the embedder and opens the index once; then answers any number of questions."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        store: VectorStore | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._store = store

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            identity = self.settings.collection_identity(self.embedder.identity)
            self._store = ChromaStore(self.settings.index_dir, self.embedder, identity)
        return self._store

    def ingest(self, paths: Sequence[Path] = (), progress: Progress | None = None) -> IngestReport:
        """Index ``paths`` (files or folders); no paths means the default corpus."""
        options = ChunkingOptions(self.settings.chunk_size, self.settings.chunk_overlap)
        return ingest(list(paths) or [self.settings.corpus_dir], self.store, options, progress)

    def documents(self) -> list[IndexedDocument]:
        return sorted(self.store.indexed_documents().values(), key=lambda d: d.source)

    def today(self, override: dt.date | None = None) -> dt.date:
        if override is not None:
            return override
        if self.settings.today is not None:
            return self.settings.today
        return dt.datetime.now(zoneinfo.ZoneInfo(self.settings.timezone)).date()

    def ask(self, question: str, today: dt.date | None = None) -> Answer:
        question = question.strip()
        if not question:
            raise QuestionError("The question is empty; ask something about the documents.")
        store = self.store
        if store.count() == 0:
            raise IndexEmptyError(self.settings.index_dir)
        hits = store.search(question, self.settings.top_k)
        return compose(
            question,
            hits,
            language=detect_language(question),
            today=self.today(today),
            min_relevance=self.settings.min_relevance,
            max_sentences=self.settings.answer_sentences,
        )


def parse_today(value: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` or nothing; anything else is a QuestionError that says the format."""
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise QuestionError(f"today must be a date written YYYY-MM-DD, got {value!r}") from None
