"""Fitting the answer model from labelled examples (``rv train``; scikit-learn).

An example is one question: its candidate units, each with its feature row and whether it
holds the expected facts, and the question's evidence. The unit chooser is a logistic
regression over the unit rows; the answerability decision a logistic regression over the
question rows, whose "best unit" features are read through the chooser just fitted, as at
answer time. Its refusal threshold is chosen on the decision's out-of-fold probabilities
(grouped by document) as the highest one whose refusals keep ``TARGET_PRECISION``.

Fitting is deterministic: examples in the order given, lbfgs from zero, no shuffling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from assistant.features import (
    QUESTION_FEATURES,
    UNIT_FEATURES,
    QuestionFacts,
    as_table,
    question_vector,
)
from assistant.model import AnswerModel, LinearModel, probability
from assistant.routes import NO_UNIT

#: Refusals must be right this often (the issue's requirement for the decision).
TARGET_PRECISION = 0.9
#: Folds of the inner cross-validation that chooses the refusal threshold.
THRESHOLD_FOLDS = 5
#: scikit-learn's default regularisation: not tuned on any question set.
REGULARISATION = 1.0


@dataclass(frozen=True)
class UnitExample:
    row: list[float]
    #: Holds every expected fact (or, where no unit does, as many as any unit does).
    answers: bool
    coverage: float
    asked_and_held: float
    rare_coverage: float


@dataclass(frozen=True)
class QuestionExample:
    """One labelled question as the answer step saw it."""

    set: str
    id: str
    #: What cross-validation keeps together: the question's document.
    group: str
    answerable: bool
    units: list[UnitExample]
    #: The question's evidence (its best-unit fields are filled in by the chooser); None
    #: when the question is decided before the answerability decision (event records,
    #: role, language) or retrieval found nothing.
    facts: QuestionFacts | None


def fit_linear(
    rows: Sequence[list[float]], labels: Sequence[bool], features: tuple[str, ...]
) -> LinearModel:
    """A standardised logistic regression, classes weighted to balance (unanswerable
    questions are the fewer). Choosing its regularisation by inner grouped cross-validation
    was tried and left out: out-of-fold ROC AUC 0.71 against 0.73 with the default."""
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(as_table(rows, len(features)), dtype=float)
    y = np.asarray(labels, dtype=int)
    mean, scale = _standardisation(x)
    model = LogisticRegression(C=REGULARISATION, class_weight="balanced", max_iter=3000)
    model.fit((x - mean) / scale, y)
    return LinearModel(
        features,
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in model.coef_[0]),
        float(model.intercept_[0]),
    )


def fit_units(examples: Sequence[QuestionExample], strength: float | None = None) -> LinearModel:
    """The chooser: a pairwise logistic regression (an answering unit against a
    non-answering one of the same question: what matters is which of a question's units
    answers, not how high similarity runs for that question), then calibrated to a
    probability over every unit (Platt). Its regularisation is chosen by inner grouped
    cross-validation on ``examples`` (top-1 hits), from ``REGULARISATIONS``, unless given."""
    rows = [u.row for e in examples for u in e.units]
    mean, scale = _standardisation(np.asarray(as_table(rows, len(UNIT_FEATURES)), dtype=float))
    if strength is None:
        strength = _chosen_regularisation(examples, mean, scale)
    coef = _pairwise_coef(examples, mean, scale, strength)
    return _calibrated(examples, mean, scale, coef)


#: Regularisation strengths (scikit-learn's C) the inner cross-validation chooses from.
REGULARISATIONS = (0.01, 0.1, 1.0)
#: Pairs drawn per question at most (at random, seeded): a question with many units
#: would otherwise outweigh the others. Each question's pairs weigh 1 in all.
PAIRS_PER_QUESTION = 200


#: A spread below this is a constant feature seen through rounding (a std of 1e-15);
#: the model file keeps 6 decimals, so such a scale would be stored as 0.
CONSTANT_SPREAD = 1e-6


def _standardisation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = x.std(axis=0)
    scale[scale < CONSTANT_SPREAD] = 1.0  # a constant feature: no information, no division by zero
    return x.mean(axis=0), scale


def _pairwise_coef(
    examples: Sequence[QuestionExample], mean: np.ndarray, scale: np.ndarray, strength: float
) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    random = np.random.RandomState(0)
    differences: list[np.ndarray] = []
    weights: list[float] = []
    for example in examples:
        z = (np.asarray([u.row for u in example.units], dtype=float) - mean) / scale
        answers = [i for i, u in enumerate(example.units) if u.answers]
        others = [i for i, u in enumerate(example.units) if not u.answers]
        pairs = [(a, o) for a in answers for o in others]
        if not pairs:
            continue
        if len(pairs) > PAIRS_PER_QUESTION:
            picked = random.choice(len(pairs), PAIRS_PER_QUESTION, replace=False)
            pairs = [pairs[i] for i in sorted(picked)]
        differences += [z[a] - z[o] for a, o in pairs]
        weights += [1.0 / len(pairs)] * len(pairs)
    x = np.vstack([np.asarray(differences), -np.asarray(differences)])
    y = np.r_[np.ones(len(differences)), np.zeros(len(differences))]
    model = LogisticRegression(C=strength, fit_intercept=False, max_iter=5000)
    model.fit(x, y, sample_weight=np.r_[weights, weights])
    coef: np.ndarray = model.coef_[0]
    return coef


def _calibrated(
    examples: Sequence[QuestionExample], mean: np.ndarray, scale: np.ndarray, coef: np.ndarray
) -> LinearModel:
    """The ranking score turned into log-odds that a unit answers: a = slope, b = intercept
    of a one-feature logistic regression over every unit, folded into the coefficients."""
    from sklearn.linear_model import LogisticRegression

    rows = np.asarray([u.row for e in examples for u in e.units], dtype=float)
    labels = np.asarray([u.answers for e in examples for u in e.units], dtype=int)
    ranking = ((rows - mean) / scale) @ coef
    platt = LogisticRegression(C=1e6, max_iter=2000).fit(ranking.reshape(-1, 1), labels)
    slope, intercept = float(platt.coef_[0][0]), float(platt.intercept_[0])
    return LinearModel(
        UNIT_FEATURES,
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) * slope for v in coef),
        intercept,
    )


def top_hits(examples: Sequence[QuestionExample], chooser: LinearModel) -> float:
    """The share of questions with an answering unit whose best-scored unit answers."""
    hits = []
    for example in examples:
        if not any(u.answers for u in example.units):
            continue
        scores = chooser.log_odds([u.row for u in example.units])
        hits.append(example.units[int(np.argmax(scores))].answers)
    return float(np.mean(hits)) if hits else 0.0


def _chosen_regularisation(
    examples: Sequence[QuestionExample], mean: np.ndarray, scale: np.ndarray
) -> float:
    """The strength with the most top-1 hits on documents left out, inner grouped CV."""
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    splits = min(THRESHOLD_FOLDS, len(set(groups)))
    if splits < 2:
        return REGULARISATION
    hits = {strength: 0.0 for strength in REGULARISATIONS}
    for train, test in GroupKFold(n_splits=splits).split(examples, groups=groups):
        part = [examples[i] for i in train]
        held_out = [examples[i] for i in test]
        for strength in REGULARISATIONS:
            coef = _pairwise_coef(part, mean, scale, strength)
            ranking = LinearModel(UNIT_FEATURES, tuple(mean), tuple(scale), tuple(coef), 0.0)
            hits[strength] += top_hits(held_out, ranking)
    return max(REGULARISATIONS, key=lambda s: (hits[s], -s))


def with_best_units(
    facts: QuestionFacts, units: Sequence[UnitExample], chooser: LinearModel
) -> QuestionFacts:
    """The question's facts with its best and runner-up unit as ``chooser`` scores them."""
    scores = chooser.log_odds([u.row for u in units])
    order = sorted(range(len(units)), key=lambda i: scores[i], reverse=True)
    best = units[order[0]] if order else None
    holding = [i for i in order if units[i].asked_and_held]
    return replace(
        facts,
        best=scores[order[0]] if order else NO_UNIT,
        second=scores[order[1]] if len(order) > 1 else NO_UNIT,
        best_coverage=best.coverage if best else 0.0,
        best_asked_and_held=best.asked_and_held if best else 0.0,
        asked_best=max((scores[i] for i in holding), default=NO_UNIT),
        asked_coverage=max((units[i].coverage for i in holding), default=0.0),
        best_rare_coverage=best.rare_coverage if best else 0.0,
    )


def _decided(examples: Sequence[QuestionExample]) -> list[QuestionExample]:
    return [e for e in examples if e.facts is not None]


def _question_rows(examples: Sequence[QuestionExample], chooser: LinearModel) -> list[list[float]]:
    return [
        question_vector(with_best_units(e.facts, e.units, chooser))
        for e in examples
        if e.facts is not None
    ]


def _fit_decision(decided: Sequence[QuestionExample], chooser: LinearModel) -> LinearModel:
    rows = _question_rows(decided, chooser)
    labels = [e.answerable for e in decided]
    return fit_linear(rows, labels, QUESTION_FEATURES)


def refusal_threshold(probabilities: Sequence[float], answerable: Sequence[bool]) -> float:
    """The highest threshold whose refusals (probability below it) are right at least
    ``TARGET_PRECISION`` of the time; 0 (refuse nothing) when none is."""
    best = 0.0
    for threshold in sorted(set(probabilities)):
        refused = [a for p, a in zip(probabilities, answerable, strict=True) if p < threshold]
        if refused and sum(not a for a in refused) / len(refused) >= TARGET_PRECISION:
            best = threshold
    return best


def out_of_fold_answerable(
    examples: Sequence[QuestionExample], chooser: LinearModel, folds: int = THRESHOLD_FOLDS
) -> list[float]:
    """Each decided question's probability of being answerable from a decision fitted
    without its document (the units scored by ``chooser``, fitted on them all: refitting it
    per fold would cost five fits of the chooser for a small difference)."""
    from sklearn.model_selection import GroupKFold

    decided = _decided(examples)
    groups = [e.group for e in decided]
    splits = min(folds, len(set(groups)))
    out = [0.0] * len(decided)
    for train, test in GroupKFold(n_splits=splits).split(decided, groups=groups):
        part = [decided[i] for i in train]
        decision = _fit_decision(part, chooser)
        for i in test:
            row = _question_rows([decided[i]], chooser)
            out[i] = probability(decision.log_odds(row)[0])
    return out


def fit_answer_model(
    examples: Sequence[QuestionExample], trained_on: dict[str, Any] | None = None
) -> AnswerModel:
    """The chooser, the decision and its threshold, from ``examples``."""
    chooser = fit_units(examples)
    decided = _decided(examples)
    decision = _fit_decision(decided, chooser)
    threshold = refusal_threshold(
        out_of_fold_answerable(examples, chooser), [e.answerable for e in decided]
    )
    return AnswerModel(chooser, decision, threshold, trained_on or {})
