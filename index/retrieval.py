"""Retrieval: dense and keyword candidates fused by reciprocal rank, then a second stage.

First stage: the embedder's nearest chunks and BM25's best chunks (Dutch analysis), fused
by reciprocal rank fusion. Second stage (a small seam, picked by name in settings):
``sentences`` (default) scores each candidate by its best sentence, with the sentence
embeddings stored at ingest and the keyword matches; ``cross-encoder`` runs a
sentence-transformers CrossEncoder a user configures; ``none`` keeps the fused order.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.bridge import TermBridge
from index.embedders import Vectors
from index.errors import ConfigError, EmbedderError
from index.keywords import KeywordIndex, keyword_text
from index.store import Hit, Metadata, VectorStore
from index.text import MONTH_NUMBERS, document_date, fold

if TYPE_CHECKING:
    from index.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some documents; every given field must match (case-insensitive)."""

    documents: tuple[str, ...] = ()  # file name, path or part of the title
    themes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.documents or self.themes or self.keywords)

    def allows(self, metadata: Metadata) -> bool:
        source = str(metadata.get("source", ""))
        title = fold(str(metadata.get("title", "")))
        if self.documents and not any(
            fold(d) in title or Path(source).name == d or source == d for d in self.documents
        ):
            return False
        if self.themes and not _any_listed(self.themes, metadata.get("themes")):
            return False
        return not self.keywords or _any_listed(self.keywords, metadata.get("keywords"))


def _any_listed(wanted: tuple[str, ...], listed: object) -> bool:
    values = {fold(v.strip()) for v in str(listed or "").split(";")}
    return any(fold(w) in values or any(fold(w) in v for v in values) for w in wanted)


@dataclass
class Candidate:
    """A retrieved chunk, its scores, and (after the second stage) its best sentences."""

    hit: Hit
    score: float
    dense: float = 0.0  # cosine similarity of chunk and question
    keyword: float = 0.0  # BM25 score
    sentences: list[tuple[int, int, float]] = field(default_factory=list)  # (start, end, score)


class Reranker(Protocol):
    def rerank(
        self, query: str, vector: Vectors, candidates: list[Candidate]
    ) -> list[Candidate]: ...


class NoReranker:
    def rerank(self, query: str, vector: Vectors, candidates: list[Candidate]) -> list[Candidate]:
        return candidates


class SentenceReranker:
    """Score a chunk by its best sentence: stored sentence embedding plus keyword matches."""

    def __init__(
        self,
        store: VectorStore,
        keywords: Callable[[], KeywordIndex],
        sentence_weight: float = 1.0,
        keyword_weight: float = 0.5,
    ) -> None:
        self._store = store
        self._keywords = keywords
        self._sentence_weight = sentence_weight
        self._keyword_weight = keyword_weight

    def rerank(self, query: str, vector: Vectors, candidates: list[Candidate]) -> list[Candidate]:
        if not candidates:
            return candidates
        by_chunk: dict[str, list[tuple[int, int, float]]] = {}
        for sentence in self._store.sentence_vectors([c.hit.id for c in candidates]):
            similarity = float(np.dot(sentence.vector, vector))
            by_chunk.setdefault(sentence.chunk_id, []).append(
                (sentence.start, sentence.end, similarity)
            )
        keywords = self._keywords()
        analyzer = keywords.analyzer
        wanted = set(keywords.query_terms(query))
        # Rare words weigh more: 'thema' tells more than 'vernieuwing', which every chunk has.
        weight = {t: keywords.idf(t) for t in wanted}
        total = math.fsum(weight.values())
        fused_top = max(c.score for c in candidates) or 1.0
        for candidate in candidates:
            spans = by_chunk.get(candidate.hit.id, [])
            # The answer step gets the sentences by meaning alone (word matches there picked
            # worse sentences on the eval set); the chunk's rank also counts the words found.
            candidate.sentences = sorted(spans, key=lambda s: s[2], reverse=True)
            best = 0.0
            for start, end, similarity in spans:
                found = wanted & set(analyzer.terms(candidate.hit.text[start:end]))
                overlap = math.fsum(weight[t] for t in found) / total if total else 0.0
                best = max(best, similarity + self._keyword_weight * overlap)
            candidate.score = candidate.score / fused_top + self._sentence_weight * best
        return sorted(candidates, key=lambda c: c.score, reverse=True)


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder (model name or local path) scores each chunk."""

    def __init__(self, model: str, allow_download: bool = False) -> None:
        if not model:
            raise ConfigError(
                "The cross-encoder reranker needs a model: set RV_RERANKER_MODEL to a local "
                "folder (or a model name with RV_ALLOW_MODEL_DOWNLOAD=true)."
            )
        try:
            from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(model, device="cpu", local_files_only=not allow_download)
        except Exception as exc:  # sentence-transformers raises many unrelated types
            raise EmbedderError(f"Could not load the cross-encoder {model!r}: {exc}") from exc

    def rerank(self, query: str, vector: Vectors, candidates: list[Candidate]) -> list[Candidate]:
        if not candidates:
            return candidates
        scores = self._model.predict([(query, c.hit.text) for c in candidates])
        for candidate, score in zip(candidates, scores, strict=True):
            candidate.score = float(score)
        return sorted(candidates, key=lambda c: c.score, reverse=True)


#: How much of a sentence's similarity is judged on the question's focus (``focused``): half,
#: so that the subject still counts, and no longer decides alone.
FOCUS_WEIGHT = 0.5
#: A word at least this share of the candidates holds is their shared subject, not the focus.
SHARED = 0.5

#: How often a long-running process looks whether the index changed underneath it: often
#: enough that a question never mixes two revisions for long (the look is one small read of
#: the commit records), seldom enough that one question's several reads share one look.
REVISION_CHECK_SECONDS = 1.0


def _keyword_text(chunk: Hit) -> str:
    """A chunk's words for keyword search: its text and its document's descriptors."""
    return keyword_text(chunk.text, chunk.metadata)


def question_focus(query: str, texts: Sequence[str], keywords: KeywordIndex) -> str | None:
    """The query without the words at least ``SHARED`` of ``texts`` hold, and without its
    dates; None when it has no such word, or nothing else."""
    if len(texts) < 2:
        return None
    held = [set(keywords.terms(text)) for text in texts]
    words = query.split()
    kept: list[tuple[str, set[str]]] = []
    for word in words:
        terms = set(keywords.terms(word))
        shared = bool(terms) and all(sum(t in h for h in held) >= SHARED * len(held) for t in terms)
        # A date in the question chose the documents (their own dates); in the focus it
        # would only draw the pages' date lines ('Geplaatst op 31 mei 2019').
        dated = bool(re.search(r"\d", word)) or fold(word).strip(".,?!") in MONTH_NUMBERS
        if not (shared or dated):
            kept.append((word, terms))
    if len(kept) == len(words) or not any(terms for _, terms in kept):
        return None
    return " ".join(word for word, _ in kept)


def reciprocal_rank_fusion(
    rankings: Sequence[tuple[Sequence[str], float]], k: int = 60
) -> dict[str, float]:
    """Σ weight / (k + rank) over the rankings each id appears in."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, item in enumerate(ids, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


class HybridRetriever:
    """Dense + keyword candidates, fused, then reranked; also builds the answer's context."""

    def __init__(
        self,
        store: VectorStore,
        mode: str = "hybrid",
        candidates: int = 20,
        rrf_k: int = 60,
        keyword_weight: float = 1.0,
        reranker: Reranker | None = None,
        term_bridge: bool = False,
    ) -> None:
        if mode not in ("hybrid", "dense", "keyword"):
            raise ConfigError(f"Unknown retrieval mode {mode!r}; use hybrid, dense or keyword.")
        self.store = store
        self.mode = mode
        self._candidates = candidates
        self._rrf_k = rrf_k
        self._keyword_weight = keyword_weight
        self._term_bridge = term_bridge
        self.reranker: Reranker = reranker or NoReranker()
        self._chunks: list[Hit] = []
        self._keyword_index: KeywordIndex | None = None
        self._signature: str | None = None
        self._checked = 0.0
        self._by_source: dict[str, list[Hit]] = {}
        # Questions are answered in several threads at once; one rebuilds the view.
        self._refresh_lock = threading.Lock()

    def chunks(self) -> list[Hit]:
        self._refresh()
        return self._chunks

    def chunks_of(self, source: str) -> list[Hit]:
        """One document's chunks in reading order."""
        self._refresh()
        return self._by_source.get(source, [])

    def document_date(self, source: str) -> dt.date | None:
        """When a document was written: the first full date in its header, or None."""
        chunks = self.chunks_of(source)
        return document_date(chunks[0].text) if chunks else None

    def document_text(self, source: str) -> str:
        """One document's cleaned text, rebuilt from its chunks with their overlaps merged."""
        return "\n\n".join(merge_runs(self.chunks_of(source)))

    def keyword_index(self) -> KeywordIndex:
        self._refresh()
        assert self._keyword_index is not None
        return self._keyword_index

    def revision(self) -> str:
        """The store's revision this view shows (the store is asked again every
        REVISION_CHECK_SECONDS)."""
        return self._refresh()

    def invalidate(self) -> None:
        """The store was just written to: look again at the next question."""
        self._signature = None

    def _refresh(self) -> str:
        """Rebuild the in-memory keyword index when the store's content has changed; the
        revision it shows.

        Another process (an `rv ingest` beside a running `rv serve`) may change the store, so
        its revision is checked again every second, not on every question.
        """
        now = time.monotonic()
        seen = self._signature
        if seen is not None and now - self._checked < REVISION_CHECK_SECONDS:
            return seen
        with self._refresh_lock:
            seen = self._signature
            if seen is not None and now - self._checked < REVISION_CHECK_SECONDS:
                return seen  # another thread looked meanwhile
            signature = self.store.revision()
            if signature != seen:
                self._rebuild()
                self._signature = signature
            self._checked = now
            return signature

    def _rebuild(self) -> None:
        """The in-memory view of the store: its chunks by document and the keyword index,
        built aside and then put in place, so that a thread reading it never sees half."""
        chunks = self.store.all_chunks()
        by_source: dict[str, list[Hit]] = {}
        for chunk in sorted(chunks, key=lambda c: int(c.metadata.get("start", 0))):
            by_source.setdefault(str(chunk.metadata.get("source")), []).append(chunk)
        keyword_index = KeywordIndex([c.id for c in chunks], [_keyword_text(c) for c in chunks])
        if self._term_bridge:
            keyword_index.bridge = self._bridge(keyword_index)
        self._chunks, self._by_source, self._keyword_index = chunks, by_source, keyword_index

    def _bridge(self, keywords: KeywordIndex) -> TermBridge:
        words = keywords.content_words()
        embed = self.store.embedder.embed_queries
        return TermBridge(
            words, self.store.word_vectors(words), embed, lambda w: " ".join(keywords.terms(w))
        )

    def focused(self, query: str, candidates: Sequence[Candidate]) -> list[Candidate]:
        """The candidates with each sentence's similarity judged half on the question without
        the words every candidate shares.

        Those words (the movement's name, the subject the question and all its candidates are
        about) chose the candidates, but they cannot tell their sentences apart, and in the
        small e5 model they outweigh the rest: 'Wat is er tijdens de actiedagen van Radicale
        vernieuwing jeugdzorg in kaart gebracht?' is nearer a sentence naming the movement
        than to 'Tijdens de actiedagen zijn een aantal kernoorzaken in kaart gebracht'.
        New candidates are returned; the given ones are not changed.
        """
        focus = question_focus(query, [c.hit.text for c in candidates], self.keyword_index())
        if focus is None:
            return list(candidates)
        vector = self.store.embedder.embed_queries([focus])[0]
        # The store keeps the sentence vectors the second stage read: no second read.
        similarity = {
            (s.chunk_id, s.start, s.end): float(np.dot(s.vector, vector))
            for s in self.store.sentence_vectors([c.hit.id for c in candidates])
        }
        out = []
        for candidate in candidates:
            sentences = [
                (
                    start,
                    end,
                    (1 - FOCUS_WEIGHT) * score
                    + FOCUS_WEIGHT * similarity.get((candidate.hit.id, start, end), score),
                )
                for start, end, score in candidate.sentences
            ]
            sentences.sort(key=lambda s: s[2], reverse=True)
            out.append(replace(candidate, sentences=sentences))
        return out

    def query_vector(self, text: str) -> Vectors:
        """The question's embedding (the embedder remembers recent ones: the off-topic check
        after retrieval asks for it again)."""
        vector: Vectors = self.store.embedder.embed_queries([text])[0]
        return vector

    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[Candidate]:
        """The ``k`` best chunks for ``query``. Should another process commit a new version
        between this process's look at the revision and its search (the old version's
        vectors are then gone), the search runs once more on the new revision."""
        try:
            return self._retrieve(query, k, filters)
        except Exception as exc:  # Chroma's errors for vanished records are not typed
            log.info("retrieval retried on the index's new revision (%s)", exc)
            self.invalidate()
            return self._retrieve(query, k, filters)

    def _retrieve(self, query: str, k: int, filters: Filters | None) -> list[Candidate]:
        chunks = self.chunks()
        allowed = [c for c in chunks if not filters or filters.allows(c.metadata)]
        if not allowed:
            return []
        allowed_ids = {c.id for c in allowed}
        vector = self.query_vector(query)
        rankings: list[tuple[Sequence[str], float]] = []
        dense_scores: dict[str, float] = {}
        if self.mode in ("hybrid", "dense"):
            where: Metadata | None = None
            if filters:
                sources = sorted({str(c.metadata["source"]) for c in allowed})
                where = {"source": {"$in": sources}}  # type: ignore[dict-item]
            dense = self.store.search_vector(vector, self._candidates, where)
            dense_scores = {h.id: h.score for h in dense}
            rankings.append(([h.id for h in dense], 1.0))
        keyword_scores = self._keyword_scores(query, allowed_ids)
        if self.mode in ("hybrid", "keyword"):
            ranked = sorted(keyword_scores, key=lambda i: keyword_scores[i], reverse=True)
            rankings.append(
                (
                    [i for i in ranked if keyword_scores[i] > 0][: self._candidates],
                    self._keyword_weight,
                )
            )
        fused = reciprocal_rank_fusion(rankings, self._rrf_k)
        by_id = {c.id: c for c in allowed}
        missing = [i for i in fused if i not in dense_scores]
        if missing:
            dense_scores.update(self._cosines(vector, [by_id[i] for i in missing]))
        # Every candidate of either list goes to the second stage: a chunk that only the
        # keyword side found (the one naming 'het thema') would lose any cut by fused score.
        candidates = [
            Candidate(by_id[i], score, dense_scores.get(i, 0.0), keyword_scores.get(i, 0.0))
            for i, score in sorted(fused.items(), key=lambda kv: kv[1], reverse=True)
        ]
        return self.reranker.rerank(query, vector, candidates)[:k]

    def _keyword_scores(self, query: str, allowed: set[str]) -> dict[str, float]:
        index = self.keyword_index()
        scores = index.scores(query)
        return {i: float(s) for i, s in zip(index.ids, scores, strict=True) if i in allowed}

    def _cosines(self, vector: Vectors, hits: list[Hit]) -> dict[str, float]:
        """Cosine of chunks only the keyword side found, so every candidate has one."""
        vectors = self.store.chunk_vectors([h.id for h in hits])
        return {i: float(np.dot(v, vector)) for i, v in vectors.items()}

    def contexts(self, candidates: Sequence[Candidate], window: int = 1) -> list[str]:
        """Small-to-big: each hit with its neighbouring chunks, merged per document.

        Hits from one document whose neighbourhoods touch become one passage, so the answer
        step never sees a thought cut off at a chunk edge, nor the same text twice.
        """
        wanted: dict[str, set[int]] = {}
        order: list[str] = []
        for candidate in candidates:
            source = str(candidate.hit.metadata.get("source"))
            index = int(candidate.hit.metadata.get("chunk_index", 0))
            if source not in wanted:
                order.append(source)
            wanted.setdefault(source, set()).update(range(index - window, index + window + 1))
        passages: list[str] = []
        for source in order:
            chunks = [  # chunks_of keeps reading order
                c
                for c in self.chunks_of(source)
                if int(c.metadata.get("chunk_index", 0)) in wanted[source]
            ]
            passages.extend(merge_runs(chunks))
        return passages


def merge_runs(chunks: list[Hit]) -> list[str]:
    """Join chunks that overlap or touch (by their offsets in the document) into passages."""
    passages: list[str] = []
    run_start, run = 0, ""
    for chunk in chunks:
        start = int(chunk.metadata.get("start", 0))
        end = start + len(chunk.text)
        run_end = run_start + len(run)
        if run and start <= run_end + 2:  # overlapping, or only a paragraph break between
            if end > run_end:
                run += (
                    chunk.text[run_end - start :]
                    if start <= run_end
                    else "\n" * (start - run_end) + chunk.text
                )
            continue
        if run:
            passages.append(run)
        run_start, run = start, chunk.text
    if run:
        passages.append(run)
    return passages


def make_reranker(settings: Settings, retriever: HybridRetriever) -> Reranker:
    name = settings.reranker
    if name == "none":
        return NoReranker()
    if name == "sentences":
        return SentenceReranker(
            retriever.store,
            retriever.keyword_index,
            settings.sentence_weight,
            settings.sentence_keyword_weight,
        )
    if name == "cross-encoder":
        return CrossEncoderReranker(settings.reranker_model, settings.allow_model_download)
    raise ConfigError(
        f"Unknown reranker {name!r}; set RV_RERANKER to sentences, cross-encoder or none."
    )


def make_retriever(settings: Settings, store: VectorStore) -> HybridRetriever:
    retriever = HybridRetriever(
        store,
        mode=settings.retrieval_mode,
        candidates=settings.candidates,
        keyword_weight=settings.keyword_weight,
        term_bridge=settings.term_bridge,
    )
    retriever.reranker = make_reranker(settings, retriever)
    return retriever
