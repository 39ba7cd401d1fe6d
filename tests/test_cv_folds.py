"""Out-of-fold bookkeeping of ``rv eval --cv`` with training-only questions: a fold never
fits on a question (scored or training-only) about a document it scores, and the folds are
the same with or without training-only questions. The fitting and the answering are faked:
what is tested is which examples each model saw and which items each one scored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import evals.learn as learn
from assistant.training import QuestionExample
from evals.learn import LabelledSet, cross_validate
from evals.questions import Item
from evals.run import EvalSet


def _example(label: str, doc: str, n: int) -> QuestionExample:
    return QuestionExample(label, f"{doc}-{n}", f"{label}:{doc}", True, [], None)


def _set(label: str, docs: int, extra_docs: int = 0) -> LabelledSet:
    items = [Item(f"{label}-d{d}-{n}", "q", "fact", 1) for d in range(docs) for n in range(2)]
    labelled = LabelledSet(EvalSet(label, None, Path("q.yaml")), items, _Assistant(), lambda s: [])  # type: ignore[arg-type]
    labelled.examples = [_example(label, f"d{d}", n) for d in range(docs) for n in range(2)]
    labelled.extra_items = [Item(f"x{d}", "q", "fact", 1) for d in range(extra_docs)]
    labelled.extra_examples = [_example(label, f"d{d}", 9) for d in range(extra_docs)]
    return labelled


class _Assistant:
    def use_answer_model(self, model: Any) -> None:
        pass


class _Model:
    def __init__(self, trained: list[QuestionExample]) -> None:
        self.trained = trained


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], list[str]]]:
    """(groups a model was fitted on, ids it scored) per scoring call."""
    calls: list[tuple[list[str], list[str]]] = []

    def fit(examples: list[QuestionExample], trained_on: Any = None) -> Any:
        model = _Model(list(examples))
        model.refuse_below = 0.5  # type: ignore[attr-defined]
        model.units = model.answerable = type("W", (), {"weights": lambda self: {}})()  # type: ignore[attr-defined]
        return model

    def score(labelled: LabelledSet, model: Any, items: list[Item], today: Any) -> list[Any]:
        if model is not None:
            calls.append(([e.group for e in model.trained], [i.id for i in items]))
        return []

    monkeypatch.setattr(learn, "fit_answer_model", fit)
    monkeypatch.setattr(learn, "_scores_with", score)
    monkeypatch.setattr(learn, "aggregate", lambda scores: {"pass_rate": None})
    return calls


def _scored_group(item_id: str) -> str:
    label, doc, _ = item_id.split("-")
    return f"{label}:{doc}"


def test_no_fold_fits_on_a_question_about_a_document_it_scores(recorded: list[Any]) -> None:
    sets = [_set("a", 6, extra_docs=8), _set("b", 5, extra_docs=2)]
    cross_validate(sets, None, folds=3, curve=False)
    assert recorded
    for trained, scored in recorded:
        assert not {_scored_group(i) for i in scored} & set(trained)


def test_training_only_questions_are_fitted_on_and_leave_with_their_set(
    recorded: list[Any],
) -> None:
    sets = [_set("a", 6, extra_docs=8), _set("b", 5, extra_docs=2)]
    cross_validate(sets, None, folds=3, curve=False)
    leave_one_out = recorded[-2:]
    a_scored = next(t for t, ids in leave_one_out if ids[0].startswith("a-"))
    assert not any(g.startswith("a:") for g in a_scored)
    # Documents d6 and d7 of set a have only training-only questions: every fold fits on them.
    for trained, _scored in recorded[:-2]:
        assert trained.count("a:d6") == 1 and trained.count("a:d7") == 1


def test_the_folds_are_the_same_with_or_without_training_only_questions(
    recorded: list[Any],
) -> None:
    cross_validate([_set("a", 6), _set("b", 5)], None, folds=3, curve=False)
    without = [sorted(ids) for _, ids in recorded]
    recorded.clear()
    cross_validate([_set("a", 6, extra_docs=6), _set("b", 5, extra_docs=5)], None, 3, False)
    assert [sorted(ids) for _, ids in recorded] == without
