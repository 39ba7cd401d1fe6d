"""The assistant as the front ends see it: ingest, ask, list what is indexed.

``ui/`` and ``evals/`` call only this module; it wires the components named in settings.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant.answer import Answer, Turn, last_said, refusal
from assistant.answerability import AnswerabilityPolicy, Evidence, gather_evidence
from assistant.calendar import (
    answer_calendar,
    calendar_answer,
    calendar_question,
    in_named_years,
    relevant_events,
)
from assistant.citations import check
from assistant.constraints import within_periods
from assistant.generators import (
    AnswerGenerator,
    AnswerRequest,
    StreamingGenerator,
    make_generator,
    passage,
)
from assistant.offtopic import OffTopicDetector
from assistant.questions import answers_the_kind, leaves_role, question_kind
from index.embedders import Embedder, make_embedder
from index.errors import IndexEmptyError, QuestionError
from index.events import Event
from index.language import detect_language
from index.retrieval import Candidate, Filters, HybridRetriever, make_retriever
from index.settings import Settings
from index.store import ChromaStore, IndexedDocument, VectorStore
from index.text import document_date
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
        self._generator: AnswerGenerator | None = None
        self._off_topic: OffTopicDetector | None = None

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
        report = ingest(list(paths) or [self.settings.corpus_dir], self.store, options, progress)
        self.retriever.invalidate()
        if report.changed and self.settings.term_bridge:
            self.retriever.keyword_index()  # embeds the new words now, not at the first question
        return report

    def documents(self) -> list[IndexedDocument]:
        return sorted(self.store.indexed_documents().values(), key=lambda d: d.source)

    def today(self, override: dt.date | None = None) -> dt.date:
        if override is not None:
            return override
        if self.settings.today is not None:
            return self.settings.today
        return dt.datetime.now(zoneinfo.ZoneInfo(self.settings.timezone)).date()

    @property
    def generator(self) -> AnswerGenerator:
        if self._generator is None:
            self._generator = make_generator(self.settings)
        return self._generator

    def ask(
        self,
        question: str,
        today: dt.date | None = None,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> Answer:
        """Answer ``question``; ``history`` holds the earlier turns of the conversation."""
        prepared = self._prepare(question, today, history, filters)
        if isinstance(prepared, Answer):
            return prepared
        return self._finish(prepared, self.generator.generate(prepared))

    def ask_stream(
        self,
        question: str,
        today: dt.date | None = None,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> Iterator[str | Answer]:
        """The answer's text as it is produced, then the checked Answer itself."""
        prepared = self._prepare(question, today, history, filters)
        if isinstance(prepared, Answer):
            yield prepared
            return
        if not isinstance(self.generator, StreamingGenerator):
            yield self._finish(prepared, self.generator.generate(prepared))
            return
        parts: list[str] = []
        for part in self.generator.stream(prepared):
            parts.append(part)
            yield part
        yield self._finish(prepared, self.generator.complete(prepared, "".join(parts)))

    def _prepare(
        self,
        question: str,
        today: dt.date | None,
        history: Sequence[Turn],
        filters: Filters | None,
    ) -> AnswerRequest | Answer:
        """Retrieve the evidence, or decide the documents can't answer (a refusal)."""
        question = question.strip()
        if not question:
            raise QuestionError("The question is empty; ask something about the documents.")
        language = detect_language(question)
        day = self.today(today)
        if leaves_role(question):
            return refusal(language, day, out_of_role=True)
        store = self.store
        if store.count() == 0:
            raise IndexEmptyError(self.settings.index_dir)
        query = with_context(question, history)
        candidates = self.retriever.retrieve(query, self.settings.top_k, filters)
        candidates = within_periods(question, candidates, self._document_date)
        kind = question_kind(question)
        earlier = last_said(history, "user")
        if (
            dated := self._calendar(question, earlier, kind, language, day, candidates)
        ) is not None:
            return dated
        if self._unanswerable(question, candidates):
            answer = refusal(language, day, self._topics(candidates))
            answer.retrieved = [passage(c) for c in candidates]
            return answer
        return AnswerRequest(
            question=question,
            query=query,
            language=language,
            kind=kind,
            candidates=candidates,
            contexts=self.retriever.contexts(candidates, self.settings.context_window),
            today=day,
            history=tuple(history),
            vocabulary=self.retriever.keyword_index(),
            document_chunks=self.retriever.chunks_of,
        )

    def evidence(self, question: str, history: Sequence[Turn] = ()) -> Evidence:
        """What retrieval finds for ``question``: what the answerability decision reads."""
        query = with_context(question, history)
        candidates = self.retriever.retrieve(query, self.settings.top_k)
        return gather_evidence(question, candidates, self.retriever.keyword_index())

    def _unanswerable(self, question: str, candidates: Sequence[Candidate]) -> bool:
        """The evidence is too weak, or the question is closer to an everyday subject."""
        if not candidates:
            return True
        evidence = gather_evidence(question, candidates, self.retriever.keyword_index())
        if not self._policy.answerable(evidence):
            return True
        if self._off_topic is None:
            self._off_topic = OffTopicDetector(self.embedder)
        return self._off_topic.is_off_topic(
            self.retriever.query_vector(question), evidence.sentence
        )

    @property
    def _policy(self) -> AnswerabilityPolicy:
        return AnswerabilityPolicy(
            min_dense=self.settings.min_relevance,
            min_support=self.settings.min_support,
            coverage_weight=self.settings.coverage_weight,
        )

    def document_text(self, source: str) -> str:
        """One indexed document's cleaned text: what quotes are checked against."""
        return self.retriever.document_text(source)

    def _document_date(self, source: str) -> dt.date | None:
        """When a document was written, by the date in its header."""
        chunks = self.retriever.chunks_of(source)
        return document_date(chunks[0].text) if chunks else None

    def _describe(self, source: str) -> str:
        """A document's title, themes and keywords: what a question's subject is matched to."""
        chunks = self.retriever.chunks_of(source)
        if not chunks:
            return ""
        meta = chunks[0].metadata
        return " ".join(str(meta.get(k, "")) for k in ("title", "themes", "keywords"))

    def events(self) -> list[Event]:
        return self.store.events()

    def _calendar(
        self,
        question: str,
        earlier: str,
        kind: str,
        language: str,
        day: dt.date,
        candidates: Sequence[Candidate],
    ) -> Answer | None:
        """Questions about when and where events happen are answered from the event records."""
        asked = calendar_question(question, kind, earlier)
        if asked is None:
            return None
        sources = _best_documents(candidates)
        every_event = self.events()
        about = relevant_events(every_event, asked, sources, self._describe)
        events = in_named_years(asked, about)
        if about and not events:
            # The documents date this event, only not in the year asked for.
            return refusal(language, day, self._topics(candidates))
        found = answer_calendar(asked, events, day, language, every_event)
        if found is None:
            return None
        text, cited = found
        return check(calendar_answer(text, cited, language, day), self.document_text)

    def _finish(self, request: AnswerRequest, answer: Answer) -> Answer:
        checked = check(answer, self.document_text)
        if not checked.citations or not answers_the_kind(request.kind, checked):
            refused = refusal(request.language, request.today, self._topics(request.candidates))
            refused.retrieved = checked.retrieved
            return refused
        return checked

    def _topics(self, candidates: Sequence[Candidate]) -> list[str]:
        titles = [str(c.hit.metadata.get("title", "")) for c in candidates]
        return [t for t in dict.fromkeys(titles) if t][:3]


def _best_documents(candidates: Sequence[Candidate]) -> list[str]:
    """Sources by the summed score of their retrieved chunks: a document many good chunks
    come from is more about the question than one with a single lucky chunk."""
    total: dict[str, float] = {}
    for candidate in candidates:
        source = str(candidate.hit.metadata.get("source"))
        total[source] = total.get(source, 0.0) + candidate.score
    return sorted(total, key=lambda s: total[s], reverse=True)


def with_context(question: str, history: Sequence[Turn]) -> str:
    """A follow-up question searched together with the previous turn (question and answer)."""
    earlier = last_said(history, "user")
    if not earlier:
        return question
    if answered := last_said(history, "assistant"):
        earlier += " " + re.sub(r"\[\d+\]", "", answered)[:300]
    return f"{earlier} {question}"


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
