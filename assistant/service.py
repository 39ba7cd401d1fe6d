"""The assistant as the front ends see it: ingest, ask, list what is indexed.

``ui/`` and ``evals/`` call only this module; it wires the components named in settings.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

from assistant.answer import Answer, Turn
from assistant.extractive import compose
from assistant.language import detect_language
from index.embedders import Embedder, make_embedder
from index.errors import IndexEmptyError, QuestionError
from index.retrieval import Filters, HybridRetriever, make_retriever
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
        self._retriever: HybridRetriever | None = None

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

    @property
    def retriever(self) -> HybridRetriever:
        if self._retriever is None:
            self._retriever = make_retriever(self.settings, self.store)
        return self._retriever

    def ingest(self, paths: Sequence[Path] = (), progress: Progress | None = None) -> IngestReport:
        """Index ``paths`` (files or folders); no paths means the default corpus."""
        options = ChunkingOptions(self.settings.chunk_size, self.settings.chunk_overlap)
        return ingest(list(paths) or [self.settings.corpus_dir], self.store, options, progress)

    def documents(self) -> list[IndexedDocument]:
        return sorted(self.store.indexed_documents().values(), key=lambda d: d.source)

    def source_text(self, source: str) -> str:
        """The cleaned text of one indexed document, rebuilt from its chunks (overlaps merged)."""
        chunks = sorted(
            (h for h in self.store.all_chunks() if h.metadata.get("source") == source),
            key=lambda h: int(h.metadata.get("start", 0)),
        )
        text = ""
        for chunk in chunks:
            start = int(chunk.metadata.get("start", len(text)))
            text = text.ljust(start, "\n")[:start] + chunk.text
        return text

    def today(self, override: dt.date | None = None) -> dt.date:
        if override is not None:
            return override
        if self.settings.today is not None:
            return self.settings.today
        return dt.datetime.now(zoneinfo.ZoneInfo(self.settings.timezone)).date()

    def ask(
        self,
        question: str,
        today: dt.date | None = None,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> Answer:
        """Answer ``question``; ``history`` holds the earlier turns of the conversation."""
        question = question.strip()
        if not question:
            raise QuestionError("The question is empty; ask something about the documents.")
        store = self.store
        if store.count() == 0:
            raise IndexEmptyError(self.settings.index_dir)
        query = with_context(question, history)
        candidates = self.retriever.retrieve(query, self.settings.top_k, filters)
        contexts = self.retriever.contexts(candidates, self.settings.context_window)
        return compose(
            query,
            candidates,
            contexts,
            language=detect_language(question),
            today=self.today(today),
            min_relevance=self.settings.min_relevance,
            max_sentences=self.settings.answer_sentences,
        )


def with_context(question: str, history: Sequence[Turn]) -> str:
    """A follow-up question searched together with the user's previous question."""
    earlier = [t.get("content", "") for t in history if t.get("role") == "user"]
    return f"{earlier[-1]} {question}" if earlier else question


def parse_history(value: object) -> list[Turn]:
    """Validate a ``history`` list from JSON input."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(t, dict)
        and t.get("role") in ("user", "assistant")
        and isinstance(t.get("content"), str)
        for t in value
    ):
        raise QuestionError(
            'history must be a list of {"role": "user"|"assistant", "content": "..."} objects'
        )
    return [{"role": t["role"], "content": t["content"]} for t in value]


def parse_today(value: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` or nothing; anything else is a QuestionError that says the format."""
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise QuestionError(f"today must be a date written YYYY-MM-DD, got {value!r}") from None
