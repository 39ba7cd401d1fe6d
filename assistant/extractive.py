"""The extractive answer: the best matching sentences, each marked with its source number."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from assistant.answer import Answer, Citation, Passage, refusal
from index.store import Hit
from index.text import fold, sentence_spans

_STOPWORDS = {
    "de", "het", "een", "en", "van", "is", "wat", "wie", "waar", "wanneer", "welke", "hoe",
    "waarom", "zijn", "er", "op", "voor", "met", "niet", "ik", "je", "we", "kan", "wordt",
    "bij", "aan", "ook", "dat", "die", "dit", "deze", "over", "naar", "om", "te", "in",
    "the", "a", "an", "and", "of", "what", "who", "where", "when", "which", "how", "why",
    "are", "there", "on", "for", "with", "to", "at", "that", "this", "about", "does", "do",
}  # fmt: skip


@dataclass
class _Candidate:
    hit_rank: int
    hit: Hit
    start: int
    end: int
    score: float


def terms(text: str) -> set[str]:
    """Content words, folded and cut to a crude stem so 'bijeenkomsten' meets 'bijeenkomst'."""
    words = re.findall(r"\w+", fold(text))
    return {w[:7] for w in words if w not in _STOPWORDS and (len(w) > 2 or w.isdigit())}


def compose(
    question: str,
    hits: list[Hit],
    language: str,
    today: dt.date | None,
    min_relevance: float,
    max_sentences: int,
) -> Answer:
    retrieved = [_passage(h) for h in hits]
    if not hits or hits[0].score < min_relevance:
        answer = refusal(language, today)
        answer.retrieved = retrieved
        return answer
    best = hits[0].score
    relevant = [h for h in hits if h.score >= max(min_relevance, best - 0.06)]
    chosen = _choose_sentences(question, relevant, max_sentences)
    citations: list[Citation] = []
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    statements: list[str] = []
    for candidate in chosen:
        hit = candidate.hit
        sentence = hit.text[candidate.start : candidate.end]
        if hit.id not in numbers:
            numbers[hit.id] = len(numbers) + 1
            quotes[hit.id] = []
        quotes[hit.id].append(sentence)
        statements.append(f"{sentence} [{numbers[hit.id]}]")
    for hit_id, n in numbers.items():
        hit = next(h for h in relevant if h.id == hit_id)
        citations.append(_citation(n, hit, " … ".join(quotes[hit_id])))
    lead = "" if language == "nl" else "The documents say (in Dutch): "
    return Answer(
        answer=lead + " ".join(statements),
        refused=False,
        citations=citations,
        language=language,
        today=today,
        retrieved=retrieved,
        context="\n\n".join(h.text for h in relevant),
    )


def _passage(hit: Hit) -> Passage:
    page = hit.metadata.get("page")
    return Passage(
        source=str(hit.metadata.get("source", "")),
        title=str(hit.metadata.get("title", "")),
        page=int(page) if page is not None else None,
        score=hit.score,
        text=hit.text,
    )


def _choose_sentences(question: str, hits: list[Hit], max_sentences: int) -> list[_Candidate]:
    wanted = terms(question)
    spans = [
        (rank, hit, position, start, end)
        for rank, hit in enumerate(hits)
        for position, (start, end) in enumerate(sentence_spans(hit.text))
        if not _is_heading(hit.text, start, end)
    ]
    sentence_terms = [terms(hit.text[start:end]) for _, hit, _, start, end in spans]
    weights = _rarity(wanted, sentence_terms)
    total = sum(weights.values()) or 1.0
    candidates: list[_Candidate] = []
    for (rank, hit, position, start, end), found in zip(spans, sentence_terms, strict=True):
        overlap = sum(weights[t] for t in wanted & found) / total
        score = overlap + hit.score - 0.02 * rank - 0.003 * position
        candidates.append(_Candidate(rank, hit, start, end, score))
    candidates.sort(key=lambda c: c.score, reverse=True)
    chosen: list[_Candidate] = []
    per_hit: dict[str, int] = {}
    for candidate in candidates:
        if per_hit.get(candidate.hit.id, 0) >= 2:
            continue
        chosen.append(candidate)
        per_hit[candidate.hit.id] = per_hit.get(candidate.hit.id, 0) + 1
        if len(chosen) == max_sentences:
            break
    # Read in document order within a source, best source first.
    chosen.sort(key=lambda c: (c.hit_rank, c.start))
    return chosen


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


def _citation(n: int, hit: Hit, quote: str) -> Citation:
    meta = hit.metadata
    page = meta.get("page")
    url = meta.get("url")
    return Citation(
        n=n,
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        url=str(url) if url else None,
        page=int(page) if page is not None else None,
        quote=quote,
    )
