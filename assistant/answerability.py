"""Whether the documents can answer a question: one decision from the retrieval evidence.

Single-word rules ('this Dutch noun is in no document: refuse') refused questions whose
answer was ranked first ('elke', 'adres', 'voorjaar' are simply words the pages don't use)
and let through questions about things the pages never name. The decision here reads what
retrieval found instead: how close the best passages are by meaning, and how much of the
question's telling words the best passage holds. Its parameters were fitted on two corpora
at once (`python benchmarks/answerability.py`), so that none fits one question set only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.questions import thing_words
from index.keywords import KeywordIndex
from index.retrieval import Candidate

#: Passages whose word coverage is measured: the answer step reads about as many.
COVERED_CANDIDATES = 5


@dataclass(frozen=True)
class Evidence:
    """What retrieval found for a question, as the answerability decision reads it."""

    #: Cosine of the question and its nearest chunk (e5: 0.7 is unrelated, 0.85 close).
    dense: float
    #: Cosine of the question and its nearest sentence.
    sentence: float
    #: The share of the question's telling words (weighted by rarity) that the best of the
    #: first passages holds; words no document uses count as missing.
    coverage: float
    #: The share of the question's word weight (numbers aside) that no document uses.
    unknown: float
    #: Whether the question names a number or year that no document mentions.
    unknown_number: bool
    #: How many search terms other than numbers the question has ('{{7*7}}' has none).
    terms: int = 1
    #: The rarity of the question's heaviest term that some document uses but retrieval's
    #: first passage lacks, and that none of the first passages has, as a share of the
    #: rarity of a term no document uses (0: nothing missing). A near miss lacks a telling
    #: word ('chair', '2024'); a paraphrase lacks common ones.
    missing_first: float = 0.0
    missing_top: float = 0.0


@dataclass(frozen=True)
class AnswerabilityPolicy:
    """Refuse when the evidence is weak on both sides, or absent on one.

    Meaning and words are weighed together: a paraphrase shares few words but is close in
    meaning; a question about a thing the documents never name may be close in meaning
    (same movement, same words around it) but its telling words are missing.
    """

    #: Below this chunk similarity nothing is close enough, whatever the words (the values
    #: come from ``Settings``: min_relevance, min_support, coverage_weight).
    min_dense: float
    #: Below this combined score (sentence similarity + coverage_weight x coverage) the
    #: evidence is too weak.
    min_support: float
    #: How much the words count next to the meaning.
    coverage_weight: float
    #: At or above this share of the question's word weight unknown to every document,
    #: meaning alone must carry the answer, and e5 puts any short string (a keyboard mash,
    #: a template) about 0.8 from some passage. The highest share of an answerable question
    #: on both dev sets is 0.72 (an English paraphrase); of nonsense, 1.0.
    max_unknown: float = 0.95

    def support(self, evidence: Evidence) -> float:
        return evidence.sentence + self.coverage_weight * evidence.coverage

    def answerable(self, evidence: Evidence) -> bool:
        if evidence.unknown_number or evidence.dense < self.min_dense:
            return False
        if evidence.unknown >= self.max_unknown:
            return False
        return self.support(evidence) >= self.min_support


def question_weights(question: str, keywords: KeywordIndex) -> dict[str, float]:
    """The question's search terms by rarity; a word no document uses weighs as the rarest.

    English words the term bridge could not match count as missing terms of their own, so a
    question about 'the supervisory board' is not carried by its other words alone."""
    weights = {t: keywords.idf(t) for t in keywords.query_terms(question)}
    unseen = keywords.idf("\0")  # the weight of a term no chunk has
    for word in keywords.foreign_words(question):
        if not any(t in weights for t in keywords.terms(word)):
            weights.setdefault(f"\0{word}", unseen)
    return weights


def gather_evidence(
    question: str,
    candidates: Sequence[Candidate],
    keywords: KeywordIndex,
) -> Evidence:
    """The evidence for ``question`` in the reranked ``candidates``."""
    weights = question_weights(question, keywords)
    total = sum(weights.values()) or 1.0
    known = keywords.known_terms
    # Numbers are weighed apart (unknown_number): '1' or '7' is in some document, and would
    # make '<img onerror=alert(1)>' or '{{7*7}}' look known.
    words = {t: w for t, w in weights.items() if not t.isdigit()}
    # The words naming the answer's shape ('fee', 'e-mailadres') are known as 'when' is.
    shape = {t for w in thing_words(question) for t in (*keywords.terms(w), f"\0{w}")}
    unseen_words = sum(w for t, w in words.items() if t not in known and t not in shape)
    unknown = unseen_words / (sum(words.values()) or 1.0)
    coverage = 0.0
    held_by = [set(keywords.terms(c.hit.text)) for c in candidates[:COVERED_CANDIDATES]]
    for held in held_by:
        coverage = max(coverage, sum(w for t, w in weights.items() if t in held) / total)
    dense = max((c.dense for c in candidates), default=0.0)
    sentence = max((s[2] for c in candidates for s in c.sentences), default=dense)
    numbers = [w for w in keywords.unknown_words(question) if w.isdigit()]
    unseen = keywords.idf("\0") or 1.0
    first = held_by[0] if held_by else set()
    anywhere = set().union(*held_by)
    return Evidence(
        dense,
        max(sentence, dense),
        coverage,
        unknown,
        bool(numbers),
        len(words),
        missing_first=_heaviest_missing(weights, first, known) / unseen,
        missing_top=_heaviest_missing(weights, anywhere, known) / unseen,
    )


def _heaviest_missing(weights: dict[str, float], held: set[str], known: set[str]) -> float:
    """The heaviest of the question's terms that some document uses and ``held`` lacks
    (a term no document uses is counted apart, in ``unknown``)."""
    return max((w for t, w in weights.items() if t in known and t not in held), default=0.0)
