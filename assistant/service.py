"""The assistant as the front ends see it: ingest, ask, list what is indexed.

``ui/`` and ``evals/`` call only this module; it wires the components named in settings.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant.answer import Answer, Passage, Turn, last_said
from assistant.answerability import AnswerabilityPolicy, Evidence, gather_evidence
from assistant.constraints import from_periods, within_periods
from assistant.explain import Examination, examined_unit
from assistant.extractive import (
    HandSetScorer,
    LearnedScorer,
    Unit,
    UnitScorer,
    candidate_units,
    expanded,
    scored_units,
)
from assistant.features import question_vector, unit_rows
from assistant.generators import AnswerGenerator, make_generator
from assistant.library import DocumentLibrary, chunking_options, ingest_limits
from assistant.model import DEFAULT_MODEL, AnswerModel, probability
from assistant.offtopic import OffTopicDetector
from assistant.question import Question
from assistant.questions import refers_back
from assistant.request import AnswerRequest, passage
from assistant.routes import (
    AnswerabilityDecision,
    AnswerRoute,
    Asked,
    Deadline,
    HandSetDecision,
    LearnedDecision,
    PassagesRoute,
    UnanswerableRoute,
    answer_by_routes,
    make_routes,
    question_facts,
)
from index.embedders import Embedder, make_embedder, remembering
from index.errors import (
    EmptyQuestionError,
    IndexEmptyError,
    QuestionError,
    QuestionTooLongError,
)
from index.events import Event
from index.retrieval import Candidate, Filters, HybridRetriever, make_retriever
from index.settings import Settings
from index.store import ChromaStore, IndexedDocument, VectorStore
from ingest.pipeline import IngestReport, Progress, ingest
from ingest.staff_titles import StaffTitles

#: How much deeper retrieval searches when the question names a period (then filtered by the
#: documents' dates): the passage written then may rank below others' on the words alone.
PERIOD_DEPTH = 3


class Assistant:
    """Loads the embedder and opens the index once; then answers any number of questions."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        store: VectorStore | None = None,
    ) -> None:
        self.settings = settings
        self._given_embedder = embedder
        self._embedder: Embedder | None = None
        self._store = store
        self._retriever: HybridRetriever | None = None
        self._generator: AnswerGenerator | None = None
        self._routes: list[AnswerRoute] | None = None
        self._answer_model: AnswerModel | None = None
        self._scorer: UnitScorer | None = None
        self._off_topic_detector: OffTopicDetector | None = None
        self._chooser = settings.answer_chooser

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = remembering(
                self._given_embedder or make_embedder(self.settings),
                self.settings.remembered_queries,
            )
        return self._embedder

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            self._store = self._open_store()
        return self._store

    def _open_store(self) -> VectorStore:
        identity = self.settings.collection_identity(self.embedder.identity)
        return ChromaStore(
            self.settings.index_dir,
            self.embedder,
            identity,
            lock_timeout=self.settings.write_lock_timeout,
            url=self.settings.chroma_url,
        )

    def library(self) -> DocumentLibrary:
        """Staff's changes to the documents. They are written through a store of their own,
        as another process's ingest would be: this assistant's readers keep answering from
        the committed versions and follow the new revision when it is complete."""
        return DocumentLibrary(self.settings, self._open_store())

    @property
    def retriever(self) -> HybridRetriever:
        if self._retriever is None:
            self._retriever = make_retriever(self.settings, self.store)
        return self._retriever

    def ingest(self, paths: Sequence[Path] = (), progress: Progress | None = None) -> IngestReport:
        """Index ``paths`` (files or folders); no paths means the default corpus."""
        report = ingest(
            list(paths) or [self.settings.corpus_dir],
            self.store,
            chunking_options(self.settings),
            progress,
            ingest_limits(self.settings),
            titles=StaffTitles(self.settings.titles_path()),
        )
        # The ingest's words were embedded and stored under its write lock; the keyword index
        # is rebuilt (read only) at the next question, so nothing runs after the lock.
        self.retriever.invalidate()
        return report

    def require_index(self) -> None:
        """Raise IndexEmptyError, saying how to build one, when there is no index or it holds
        nothing; a folder that does not exist is not created by asking."""
        local = not self.settings.chroma_url
        if local and self._store is None and not self.settings.index_dir.exists():
            raise IndexEmptyError(self.settings.index_dir, missing=True)
        if not self.retriever.chunks():
            raise IndexEmptyError(self.settings.index_dir)

    def revision(self) -> str:
        """Changes whenever a document is added, replaced or removed (by any process); the
        revision the answers read, looked at again every second or so, not per question."""
        return self.retriever.revision()

    def documents(self) -> list[IndexedDocument]:
        return sorted(self.store.indexed_documents().values(), key=lambda d: d.source)

    def today(self, override: dt.date | None = None) -> dt.date:
        if override is not None:
            return override
        if self.settings.today is not None:
            return self.settings.today
        return dt.datetime.now(zoneinfo.ZoneInfo(self.settings.timezone)).date()

    @property
    def answer_model(self) -> AnswerModel:
        """The learned chooser's and answerability decision's model (the packaged file
        unless settings or ``use_answer_model`` name another)."""
        if self._answer_model is None:
            self._answer_model = AnswerModel.load(self.settings.answer_model or DEFAULT_MODEL)
        return self._answer_model

    def use_answer_model(self, model: AnswerModel | None) -> None:
        """Answer with the learned ``model`` from now on (None: as settings say again):
        what the out-of-fold evaluation swaps between folds."""
        self._answer_model = model
        self._chooser = "learned" if model is not None else self.settings.answer_chooser
        self._scorer = None
        self._generator = None
        self._routes = None

    @property
    def scorer(self) -> UnitScorer:
        """What scores the candidate units: the learned chooser or the hand-set baseline."""
        if self._scorer is None:
            learned = self._chooser == "learned"
            self._scorer = LearnedScorer(self.answer_model.units) if learned else HandSetScorer()
        return self._scorer

    @property
    def generator(self) -> AnswerGenerator:
        if self._generator is None:
            self._generator = make_generator(self.settings, self.scorer)
        return self._generator

    def _decision(self) -> AnswerabilityDecision:
        off_topic = self._off_topic()
        if self._chooser == "learned":
            return LearnedDecision(
                self.answer_model, self.scorer, off_topic, self.retriever.query_vector
            )
        policy = AnswerabilityPolicy(
            min_dense=self.settings.min_relevance,
            min_support=self.settings.min_support,
            coverage_weight=self.settings.coverage_weight,
        )
        return HandSetDecision(policy, off_topic, self.retriever.query_vector)

    @property
    def routes(self) -> list[AnswerRoute]:
        """The answer routes, in the order they are tried (``assistant.routes.make_routes``)."""
        if self._routes is None:
            self._routes = make_routes(
                generator=self.generator,
                extractive=self.settings.generator == "extractive",
                events=self.events,
                describe=self._describe,
                document_text=self.document_text,
                keywords=self.retriever.keyword_index,
                decision=self._decision(),
                scorer=self.scorer,
                max_unknown=AnswerabilityPolicy.max_unknown,
            )
        return self._routes

    def ask(
        self,
        question: str,
        today: dt.date | None = None,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> Answer:
        """Answer ``question``; ``history`` holds the earlier turns of the conversation."""
        asked = self._asked(question, today, history, filters)
        answered = answer_by_routes(self.routes, asked)
        if answered is not None:
            return answered
        last = self.routes[-1].answer(asked)
        assert last is not None  # the passages always answer (or refuse)
        return last

    def ask_stream(
        self,
        question: str,
        today: dt.date | None = None,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> Iterator[str | Answer]:
        """The answer's text as it is produced, then the checked Answer itself."""
        asked = self._asked(question, today, history, filters)
        answered = answer_by_routes(self.routes, asked)
        last = self.routes[-1]
        if answered is not None:
            yield answered
        elif isinstance(last, PassagesRoute):
            yield from last.stream(asked)
        else:
            yield self.ask(question, today, history, filters)

    def check_question(self, question: str) -> None:
        """Refuse, before any work, a question over the length limit
        (QuestionTooLongError) or one without text (EmptyQuestionError)."""
        if len(question) > self.settings.max_question_chars:
            raise QuestionTooLongError(len(question), self.settings.max_question_chars)
        if not question.strip():
            raise EmptyQuestionError()

    def _asked(
        self,
        question: str,
        today: dt.date | None,
        history: Sequence[Turn],
        filters: Filters | None,
    ) -> Asked:
        """The question analysed, with its retrieval to come when a route needs it."""
        self.check_question(question)
        analysed = Question.analyse(question, history)
        if not analysed.leaves_role:
            self.require_index()
        query = with_context(analysed.text, history)

        def retrieve() -> list[Candidate]:
            k = self.settings.top_k
            # A period works as a filter on the documents' dates: searched deeper first, so
            # that the passage written then is there to be put first.
            depth = k * PERIOD_DEPTH if analysed.periods else k
            found = self.retriever.retrieve(query, depth, filters)
            return within_periods(analysed.periods, found, self.retriever.document_date)[:k]

        deadline = Deadline(self.settings.answer_time_limit)
        return Asked(analysed, self.today(today), tuple(history), retrieve, self._request, deadline)

    def _request(self, asked: Asked) -> AnswerRequest:
        """What the answer generator is handed."""
        # A period the question names ('according to the May 2019 update') holds the answer
        # to the passages from then, when there are any: another year's update counts too.
        dated = from_periods(asked.question.periods, asked.candidates, self.retriever.document_date)
        candidates = self.retriever.focused(asked.question.text, dated or asked.candidates)
        return AnswerRequest(
            analysed=asked.question,
            query=with_context(asked.question.text, asked.history),
            candidates=candidates,
            contexts=self.retriever.contexts(candidates, self.settings.context_window),
            today=asked.today,
            history=asked.history,
            vocabulary=self.retriever.keyword_index(),
            document_chunks=self.retriever.chunks_of,
            document_date=self.retriever.document_date,
        )

    def examine(
        self, question: str, today: dt.date | None = None, history: Sequence[Turn] = ()
    ) -> Examination:
        """What the answer step sees of ``question``: its candidate units with their features
        and the current chooser's scores (best first), and the answerability evidence."""
        asked = self._asked(question, today, history, None)
        answered_by = None
        for route in self.routes:
            if isinstance(route, UnanswerableRoute):
                break
            if route.applies(asked) and route.answer(asked) is not None:
                answered_by = route.name
                break
        analysed = asked.question
        if not asked.candidates:
            return Examination(analysed.text, analysed.kind, analysed.language, answered_by,
                               None, [], None, None)  # fmt: skip
        request = asked.request
        scored = scored_units(request, self.scorer)
        scores = {_place(u): u.score for u in scored}
        every = candidate_units(request)
        rows = unit_rows([u.facts for u in every if u.facts is not None])
        units = [
            examined_unit(u, row, expanded(request, u).text, scores.get(_place(u)))
            for u, row in zip(every, rows, strict=True)
        ]
        units.sort(key=lambda u: -math.inf if u.score is None else u.score, reverse=True)
        evidence = gather_evidence(analysed.text, asked.candidates, self.retriever.keyword_index())
        facts = None
        answerable = None
        if answered_by is None:
            facts = question_facts(
                asked, evidence, scored, self._off_topic(), self.retriever.query_vector
            )
            if isinstance(self.scorer, LearnedScorer):
                row = question_vector(facts)
                answerable = probability(self.answer_model.answerable.log_odds([row])[0])
        top = str(asked.candidates[0].hit.metadata.get("source", ""))
        return Examination(analysed.text, analysed.kind, analysed.language, answered_by, top,
                           units, facts, answerable)  # fmt: skip

    def _off_topic(self) -> OffTopicDetector:
        if self._off_topic_detector is None:
            self._off_topic_detector = OffTopicDetector(self.embedder)
        return self._off_topic_detector

    def evidence(self, question: str, history: Sequence[Turn] = ()) -> Evidence:
        """What retrieval finds for ``question``: what the answerability decision reads, from
        the same candidates an answer gets (the question's periods first)."""
        asked = self._asked(question, None, history, None)
        keywords = self.retriever.keyword_index()
        return gather_evidence(asked.question.text, asked.candidates, keywords)

    def passages(self, query: str, k: int = 10) -> list[Passage]:
        """The ``k`` passages retrieval ranks best for ``query``, best first: what staff
        check facts with, and what an answer would be made from."""
        if not query.strip():
            raise QuestionError("The search is empty; type some words to look for.")
        self.require_index()
        return [passage(c) for c in self.retriever.retrieve(query, k)]

    def matching_words(self, query: str, text: str) -> list[tuple[int, int]]:
        """Where ``text`` has a word the search for ``query`` matches (the same stem or
        compound part), as (start, end) spans: what a search view highlights."""
        keywords = self.retriever.keyword_index()
        wanted = set(keywords.query_terms(query))
        return [
            m.span()
            for m in re.finditer(r"\w+", text)
            if wanted.intersection(keywords.terms(m.group()))
        ]

    def document_text(self, source: str) -> str:
        """One indexed document's cleaned text: what quotes are checked against."""
        return self.retriever.document_text(source)

    def _describe(self, source: str) -> str:
        """A document's title, themes and keywords: what a question's subject is matched to."""
        chunks = self.retriever.chunks_of(source)
        if not chunks:
            return ""
        meta = chunks[0].metadata
        return " ".join(str(meta.get(k, "")) for k in ("title", "themes", "keywords"))

    def events(self) -> list[Event]:
        return self.store.events()


def _place(unit: Unit) -> tuple[str, int, int]:
    return (unit.candidate.hit.id, unit.start, unit.end)


def with_context(question: str, history: Sequence[Turn]) -> str:
    """A follow-up question searched together with the previous turn (question and answer);
    a question that stands on its own is searched alone, whatever came before it."""
    earlier = last_said(history, "user")
    if not earlier or not refers_back(question):
        return question
    answered = last_said(history, "assistant")
    if answered and not _lists_several(answered):
        earlier += " " + re.sub(r"\[\d+\]", "", answered)[:300]
    return f"{earlier} {question}"


def _lists_several(answer: str) -> bool:
    """An answer that lists several items (meetings, initiatives): 'Who organises it?'
    after it is about what the question asked for, all of them, and the first items' words
    would pull the search to one of them ('slotdag' for 'the meetings on care education').
    After an answer about one thing ('De volgende bijeenkomst: 14 september ...') 'En waar
    is die?' is about that thing, and its words lead the search."""
    return sum(line.lstrip().startswith("- ") for line in answer.splitlines()) > 1


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
