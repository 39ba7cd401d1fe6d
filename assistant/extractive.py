"""The extractive answer: the best matching sentences, each marked with its source number."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer import Answer, Citation, Passage, refusal
from index.retrieval import Candidate
from index.text import fold, sentence_spans

_STOPWORDS = {
    "de", "het", "een", "en", "van", "is", "wat", "wie", "waar", "wanneer", "welke", "hoe",
    "waarom", "zijn", "er", "op", "voor", "met", "niet", "ik", "je", "we", "kan", "wordt",
    "bij", "aan", "ook", "dat", "die", "dit", "deze", "over", "naar", "om", "te", "in",
    "the", "a", "an", "and", "of", "what", "who", "where", "when", "which", "how", "why",
    "are", "there", "on", "for", "with", "to", "at", "that", "this", "about", "does", "do",
}  # fmt: skip
#: Candidates whose sentences may make up the answer.
_ANSWER_CANDIDATES = 4


@dataclass
class _Sentence:
    rank: int
    candidate: Candidate
    start: int
    end: int
    score: float


def terms(text: str) -> set[str]:
    """Content words, folded and cut to a crude stem so 'bijeenkomsten' meets 'bijeenkomst'."""
    words = re.findall(r"\w+", fold(text))
    return {w[:7] for w in words if w not in _STOPWORDS and (len(w) > 2 or w.isdigit())}


def passage(candidate: Candidate) -> Passage:
    meta = candidate.hit.metadata
    page = meta.get("page")
    return Passage(
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        page=int(page) if page is not None else None,
        score=candidate.score,
        text=candidate.hit.text,
    )


def compose(
    question: str,
    candidates: Sequence[Candidate],
    contexts: Sequence[str],
    language: str,
    today: dt.date | None,
    min_relevance: float,
    max_sentences: int,
) -> Answer:
    retrieved = [passage(c) for c in candidates]
    best_dense = max((c.dense for c in candidates), default=0.0)
    if best_dense < min_relevance:
        answer = refusal(language, today)
        answer.retrieved = retrieved
        return answer
    chosen = _choose_sentences(question, list(candidates[:_ANSWER_CANDIDATES]), max_sentences)
    citations: list[Citation] = []
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    statements: list[str] = []
    for sentence in chosen:
        hit = sentence.candidate.hit
        text = hit.text[sentence.start : sentence.end]
        if hit.id not in numbers:
            numbers[hit.id] = len(numbers) + 1
            quotes[hit.id] = []
        quotes[hit.id].append(text)
        statements.append(f"{text} [{numbers[hit.id]}]")
    for candidate in candidates:
        if candidate.hit.id in numbers:
            n = numbers[candidate.hit.id]
            citations.append(_citation(n, candidate, " … ".join(quotes[candidate.hit.id])))
    citations.sort(key=lambda c: c.n)
    lead = "" if language == "nl" else "The documents say (in Dutch): "
    return Answer(
        answer=lead + " ".join(statements),
        refused=False,
        citations=citations,
        language=language,
        today=today,
        retrieved=retrieved,
        context="\n\n".join(contexts),
    )


def _choose_sentences(
    question: str, candidates: list[Candidate], max_sentences: int
) -> list[_Sentence]:
    scored = _scored_sentences(question, candidates)
    scored.sort(key=lambda s: s.score, reverse=True)
    chosen: list[_Sentence] = []
    per_chunk: dict[str, int] = {}
    for sentence in scored:
        chunk_id = sentence.candidate.hit.id
        if per_chunk.get(chunk_id, 0) >= 2:
            continue
        chosen.append(sentence)
        per_chunk[chunk_id] = per_chunk.get(chunk_id, 0) + 1
        if len(chosen) == max_sentences:
            break
    # Read in document order within a source, best source first.
    chosen.sort(key=lambda s: (s.rank, s.start))
    return chosen


def _scored_sentences(question: str, candidates: list[Candidate]) -> list[_Sentence]:
    """Sentence scores from the second stage where it gave them, else from word overlap."""
    out: list[_Sentence] = []
    wanted = terms(question)
    lexical_spans = [
        (rank, c, start, end)
        for rank, c in enumerate(candidates)
        if not c.sentences
        for start, end in sentence_spans(c.hit.text)
    ]
    weights = _rarity(wanted, [terms(c.hit.text[s:e]) for _, c, s, e in lexical_spans])
    total = sum(weights.values()) or 1.0
    for rank, candidate in enumerate(candidates):
        for start, end, score in candidate.sentences:
            if not _is_heading(candidate.hit.text, start, end):
                out.append(_Sentence(rank, candidate, start, end, score - 0.02 * rank))
    for rank, candidate, start, end in lexical_spans:
        if _is_heading(candidate.hit.text, start, end):
            continue
        found = terms(candidate.hit.text[start:end])
        overlap = sum(weights[t] for t in wanted & found) / total
        out.append(_Sentence(rank, candidate, start, end, overlap + candidate.dense - 0.02 * rank))
    return out


def _is_heading(text: str, start: int, end: int) -> bool:
    """Headings and button texts (short lines standing alone) say little on their own."""
    sentence = text[start:end]
    alone = text[end : end + 2] in ("\n\n", "")
    return len(sentence) < 60 and (alone or not re.search(r"[.!?:][\"'”’)]*$", sentence))


def _rarity(wanted: set[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    """Question terms weighted by how few candidate sentences contain them."""
    count = len(sentence_terms) or 1
    return {
        t: math.log(1 + count / (1 + sum(t in found for found in sentence_terms))) for t in wanted
    }


def _citation(n: int, candidate: Candidate, quote: str) -> Citation:
    p = passage(candidate)
    url = candidate.hit.metadata.get("url")
    return Citation(
        n=n, title=p.title, source=p.source, url=str(url) if url else None, page=p.page, quote=quote
    )
