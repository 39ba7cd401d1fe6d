"""What the answer step saw of a question: its candidate units with their named features
and scores, and the evidence the answerability decision reads. ``rv ask --explain`` shows
it; ``rv train`` learns from it (the labels come from the question sets, in ``evals/``).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.extractive import Unit
from assistant.features import UNIT_FEATURES, QuestionFacts, asked_and_held
from assistant.kinds import Kind
from index.language import Language


@dataclass(frozen=True)
class ExaminedUnit:
    """One candidate unit: a sentence or two adjacent ones of a retrieved chunk."""

    text: str
    #: What an answer made from it says: the unit with the context the answer step adds
    #: (the rest of a short paragraph, a list after a colon, the next chunk's start).
    said: str
    source: str
    page: int | None
    row: list[float]
    #: The current chooser's score (log-odds for the learned one); None where it does not
    #: consider the unit (the hand-set baseline passes over headings).
    score: float | None
    coverage: float
    asked_and_held: float
    rare_coverage: float

    @property
    def features(self) -> dict[str, float]:
        return dict(zip(UNIT_FEATURES, self.row, strict=True))


@dataclass(frozen=True)
class Examination:
    question: str
    kind: Kind
    language: Language
    #: The route that answers before the answerability decision (event records, a
    #: question in another script or outside the role), or None.
    answered_by: str | None
    #: The document of the best retrieved passage, or None when retrieval found nothing.
    top_source: str | None
    units: list[ExaminedUnit]
    #: The evidence the decision reads, its best-unit fields as the current chooser scores
    #: them; None where the decision is not reached.
    facts: QuestionFacts | None
    #: The learned decision's probability that the documents answer (None: hand-set).
    answerable: float | None


def examined_unit(unit: Unit, row: list[float], said: str, score: float | None) -> ExaminedUnit:
    """An answer unit as the examination shows it."""
    assert unit.facts is not None
    meta = unit.candidate.hit.metadata
    page = meta.get("page")
    return ExaminedUnit(
        text=unit.text,
        said=said,
        source=str(meta.get("source", "")),
        page=int(page) if page is not None else None,
        row=row,
        score=score,
        coverage=unit.coverage,
        asked_and_held=asked_and_held(unit.facts),
        rare_coverage=unit.facts.rare_coverage,
    )
