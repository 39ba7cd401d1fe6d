"""Scoring one answer against its question, and aggregating scores into metrics.

Every metric is defined in evals/README.md; the names here are the keys of the JSON result.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.api import Answer, detect_language, fold, squash_whitespace
from evals.questions import ExpectedCitation, Item

#: Metrics where higher is better, in the order reports show them.
METRICS = [
    "pass_rate",
    "retrieval.hit@1",
    "retrieval.hit@5",
    "retrieval.mrr",
    "retrieval.context_recall",
    "answer.fact_recall",
    "answer.all_facts",
    "answer.no_forbidden",
    "citations.precision",
    "citations.recall",
    "citations.verbatim",
    "refusal.precision",
    "refusal.recall",
    "language.match",
]
#: Measured, lower is better (not floored): time to answer, and the answers' length.
LATENCY = ["latency.p50_ms", "latency.p95_ms", "answer.median_chars"]


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _matches(pattern: str, text: str) -> bool:
    """Case-insensitive, accents folded. The pattern keeps its case: lower-casing it turned
    '\\W' (not a word character) into '\\w' and '\\D' into '\\d', so a phone pattern
    '015\\W*380' never matched '015 -380'."""
    folded = fold(squash_whitespace(text))
    return re.search(_without_accents(pattern), folded, re.IGNORECASE) is not None


def fact_found(alternatives: Iterable[str], text: str) -> bool:
    return any(_matches(p, text) for p in alternatives)


@dataclass
class Score:
    """Per-question scores; ``None`` means the metric does not apply to this question."""

    id: str
    kind: str
    language: str
    answerable: bool
    expects_documents: bool = False
    passed: bool = False
    error: str | None = None
    latency_ms: float = 0.0
    answer_chars: int = 0  # the answer's length, [n] markers included
    rank: int | None = None  # 1-based rank of the first passage from an expected document
    context_recall: float | None = None
    fact_recall: float | None = None
    all_facts: float | None = None
    no_forbidden: float | None = None
    citation_precision: float | None = None
    citation_recall: float | None = None
    verbatim: float | None = None
    refused: bool = False
    #: The answer's confidence: high, low or refused.
    confidence: str | None = None
    language_match: float | None = None
    missing_facts: list[list[str]] = field(default_factory=list)
    forbidden_found: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _doc_matches(expected: ExpectedCitation, source: str, page: int | None) -> bool:
    if Path(source).name != expected.doc:
        return False
    return not expected.pages or page in expected.pages


def score_answer(
    item: Item,
    answer: Answer,
    latency_ms: float,
    source_text: Callable[[str], list[str]],
) -> Score:
    language = item.language or detect_language(item.question)
    score = Score(
        item.id, item.kind, language, item.answerable, bool(item.cite), latency_ms=latency_ms
    )
    score.refused = answer.refused
    score.confidence = answer.sureness
    score.answer_chars = len(answer.answer)
    score.language_match = float(detect_language(_answer_prose(answer)) == language)
    score.no_forbidden = 1.0
    for pattern in item.must_not_contain:
        if _matches(pattern, answer.answer):
            score.forbidden_found.append(pattern)
            score.no_forbidden = 0.0
    _score_citations(item, answer, score, source_text)
    if item.answerable:
        _score_answerable(item, answer, score)
    else:
        score.passed = answer.refused and not answer.citations and not score.forbidden_found
        if not answer.refused:
            score.problems.append("answered a question the documents cannot answer")
    if not score.language_match:
        score.problems.append(f"answer is not in the question's language ({language})")
    return score


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»|„[^”“]*[”“]")


def _answer_prose(answer: Answer) -> str:
    """The answer without [n] markers and text in quotation marks (quotes stay Dutch)."""
    text = _QUOTED.sub(" ", re.sub(r"\[\d+\]", " ", answer.answer))
    return text if re.search(r"\w{2,}", text) else answer.answer


def _score_answerable(item: Item, answer: Answer, score: Score) -> None:
    if item.cite:
        for rank, passage in enumerate(answer.retrieved, start=1):
            if any(Path(passage.source).name == e.doc for e in item.cite):
                score.rank = rank
                break
    if item.must_contain:
        found = [fact_found(fact, answer.answer) for fact in item.must_contain]
        score.fact_recall = sum(found) / len(found)
        score.all_facts = float(all(found))
        score.missing_facts = [
            list(f) for f, ok in zip(item.must_contain, found, strict=True) if not ok
        ]
        context_found = [fact_found(fact, answer.context) for fact in item.must_contain]
        score.context_recall = float(all(context_found))
    if answer.refused:
        score.problems.append("refused a question the documents answer")
    score.passed = (
        not answer.refused
        and score.all_facts in (None, 1.0)
        and not score.forbidden_found
        and score.citation_recall in (None, 1.0)
    )


def _score_citations(
    item: Item, answer: Answer, score: Score, source_text: Callable[[str], list[str]]
) -> None:
    if answer.citations:
        supported = 0
        verbatim = 0
        for citation in answer.citations:
            by_document = any(_doc_matches(e, citation.source, citation.page) for e in item.cite)
            by_fact = item.answerable and any(
                fact_found(fact, citation.quote) for fact in item.must_contain
            )
            supported += by_document or by_fact
            verbatim += _quote_is_verbatim(citation.quote, source_text(citation.source))
        score.citation_precision = supported / len(answer.citations)
        score.verbatim = verbatim / len(answer.citations)
        if verbatim < len(answer.citations):
            score.problems.append("a quote is not found verbatim in its source")
    if item.answerable and item.cite:
        cited = [
            any(_doc_matches(e, c.source, c.page) for c in answer.citations) for e in item.cite
        ]
        score.citation_recall = float(any(cited)) if item.cite_any else sum(cited) / len(cited)


def _quote_is_verbatim(quote: str, versions: list[str]) -> bool:
    """Every part of the quote (parts joined by ' … ') stands in one version of the source."""
    parts = [squash_whitespace(p) for p in quote.split(" … ")]
    return bool(parts) and any(all(p and p in version for p in parts) for version in versions)


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def aggregate(scores: list[Score]) -> dict[str, float | None]:
    ranked = [s for s in scores if s.answerable and s.expects_documents]
    refused = [s for s in scores if s.refused]
    unanswerable = [s for s in scores if not s.answerable]
    latencies = sorted(s.latency_ms for s in scores if s.error is None)
    metrics: dict[str, float | None] = {
        "questions": float(len(scores)),
        "pass_rate": _mean(float(s.passed) for s in scores),
        "retrieval.hit@1": _mean(float(s.rank == 1) for s in ranked),
        "retrieval.hit@5": _mean(float(s.rank is not None and s.rank <= 5) for s in ranked),
        "retrieval.mrr": _mean((1 / s.rank if s.rank else 0.0) for s in ranked),
        "retrieval.context_recall": _mean(s.context_recall for s in scores),
        "answer.fact_recall": _mean(s.fact_recall for s in scores),
        "answer.all_facts": _mean(s.all_facts for s in scores),
        "answer.no_forbidden": _mean(s.no_forbidden for s in scores),
        "citations.precision": _mean(s.citation_precision for s in scores),
        "citations.recall": _mean(s.citation_recall for s in scores),
        "citations.verbatim": _mean(s.verbatim for s in scores),
        "refusal.precision": (
            sum(not s.answerable for s in refused) / len(refused) if refused else None
        ),
        "refusal.recall": _mean(float(s.refused) for s in unanswerable),
        "language.match": _mean(s.language_match for s in scores),
        "latency.p50_ms": statistics.median(latencies) if latencies else None,
        "latency.p95_ms": _percentile(latencies, 0.95),
        "answer.median_chars": _median(s.answer_chars for s in scores if not s.refused),
    }
    return metrics


def _median(values: Iterable[int]) -> float | None:
    found = list(values)
    return float(statistics.median(found)) if found else None


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, round(q * len(values)) - 1))
    return values[index]


def breakdown(
    scores: list[Score], key: Callable[[Score], str]
) -> dict[str, dict[str, float | None]]:
    groups: dict[str, list[Score]] = {}
    for score in scores:
        groups.setdefault(key(score), []).append(score)
    return {name: aggregate(group) for name, group in sorted(groups.items())}
