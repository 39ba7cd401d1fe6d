"""Learning the answer model from the labelled question sets, and judging it out of fold.

``rv train`` fits the model on every labelled set and writes the package's model file.
``rv eval --cv`` reports, per set, the hand-set baseline against the learned model scored
only on questions whose documents it never trained on: grouped cross-validation (the
documents are the groups) and leave-one-set-out (train on the other sets). A figure on the
questions a model was fitted on is not evidence, so none is reported as such.

Labels come from the question sets: a unit answers when it holds every expected fact
(``must_contain``), or, where no unit of the question does, as many as any unit does (a list
question's items stand in several units). A question's group is the document it cites;
an unanswerable one is grouped with the document retrieval put first, its near miss.

A set may have training-only questions: ``evals/train-extra/<set label>.yaml``, more
questions written on the same documents. They are fitted on, never scored, and follow
their documents: a fold that scores a document trains on none of its extra questions, and
leave-one-set-out leaves a set's extra questions out with it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.api import (
    AnswerModel,
    Assistant,
    Examination,
    QuestionExample,
    Settings,
    UnitExample,
    fit_answer_model,
    squash_whitespace,
)
from evals.questions import Item, QuestionFileError, load_questions
from evals.run import EvalSet, run_system
from evals.scoring import aggregate, fact_found

#: Training-only questions, one file per set label (see the module's note).
EXTRA_DIR = Path(__file__).resolve().parent / "train-extra"
#: Folds of the grouped cross-validation.
FOLDS = 5
#: Shares of the training questions the learning curve uses.
CURVE = (0.25, 0.5, 0.75, 1.0)
#: The metrics a cross-validation report shows, per set and system.
REPORTED = (
    "pass_rate",
    "answer.all_facts",
    "refusal.precision",
    "refusal.recall",
    "answer.median_chars",
)


@dataclass
class LabelledSet:
    """A question set with its indexed corpus and an assistant over it."""

    pair: EvalSet
    items: list[Item]
    assistant: Assistant
    source_text: Callable[[str], list[str]]
    examples: list[QuestionExample] = field(default_factory=list)
    #: Training-only questions on the same documents, and their examples.
    extra_items: list[Item] = field(default_factory=list)
    extra_examples: list[QuestionExample] = field(default_factory=list)

    @property
    def training(self) -> list[QuestionExample]:
        """Every example a model may fit on: the scored questions' and the extra ones'."""
        return self.examples + self.extra_examples


def extra_questions(label: str) -> Path | None:
    """The set's training-only question file, when the project has one."""
    path = EXTRA_DIR / f"{label}.yaml"
    return path if path.exists() else None


def open_set(
    pair: EvalSet,
    index_dir: Path,
    answer_chooser: str | None = "hand-set",
    with_extra: bool = False,
) -> LabelledSet:
    """Index the set's corpus (incrementally) and open an assistant over it. By default it
    answers with the hand-set baseline: collecting needs no model (units are described, not
    chosen), and a fold's model is handed in for the learned answers; None: as settings say.
    ``with_extra`` also loads the set's training-only questions."""
    overrides: dict[str, Any] = {"index_dir": index_dir}
    if answer_chooser is not None:
        overrides["answer_chooser"] = answer_chooser
    if pair.corpus is not None:
        overrides["corpus_dir"] = pair.corpus
    assistant = Assistant(Settings(**overrides))
    report = assistant.ingest()
    if not report.ok:
        raise QuestionFileError(
            f"the corpus {assistant.settings.corpus_dir} did not ingest cleanly: {report.failed}"
        )
    texts: dict[str, list[str]] = {}

    def source_text(source: str) -> list[str]:
        """The document as the index holds it (cleaned) and as the file says it (raw)."""
        if source not in texts:
            versions = [assistant.document_text(source), _file_text(source)]
            texts[source] = [squash_whitespace(v) for v in versions if v]
        return texts[source]

    extra = extra_questions(pair.label) if with_extra else None
    return LabelledSet(
        pair,
        load_questions(pair.questions),
        assistant,
        source_text,
        extra_items=load_questions(extra) if extra is not None else [],
    )


def _file_text(source: str) -> str:
    """The raw file text: baselines quote it as extracted, without cleaning."""
    path = Path(source)
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader

        return "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def unit_labels(item: Item, examination: Examination) -> list[bool]:
    """Which units answer ``item``: what an answer made of the unit says (the unit and the
    context the answer step adds to it) holds all its facts, or the most any unit's does."""
    if not item.answerable or not item.must_contain:
        return [False] * len(examination.units)
    held = [sum(fact_found(f, u.said) for f in item.must_contain) for u in examination.units]
    most = max(held, default=0)
    if most == 0:
        return [False] * len(held)
    return [h == most for h in held]


def group_of(pair: EvalSet, item: Item, examination: Examination) -> str:
    """The document a question is about: its first cited one, else retrieval's first."""
    doc = item.cite[0].doc if item.cite else Path(examination.top_source or "none").name
    return f"{pair.label}:{doc}"


def example(pair: EvalSet, item: Item, examination: Examination) -> QuestionExample:
    labels = unit_labels(item, examination)
    units = [
        UnitExample(u.row, answers, u.coverage, u.asked_and_held, u.rare_coverage)
        for u, answers in zip(examination.units, labels, strict=True)
    ]
    return QuestionExample(
        set=pair.label,
        id=item.id,
        group=group_of(pair, item, examination),
        answerable=item.answerable,
        units=units,
        facts=examination.facts,
    )


def collect(labelled: LabelledSet, today: dt.date | None) -> list[QuestionExample]:
    """Every question of the set (scored and training-only) as the answer step sees it,
    labelled; returns the scored ones'."""
    labelled.examples = [_examined(labelled, item, today) for item in labelled.items]
    labelled.extra_examples = [_examined(labelled, item, today) for item in labelled.extra_items]
    return labelled.examples


def _examined(labelled: LabelledSet, item: Item, today: dt.date | None) -> QuestionExample:
    examination = labelled.assistant.examine(item.question, item.today or today, item.history_turns)
    return example(labelled.pair, item, examination)


def train(sets: Sequence[LabelledSet], today: dt.date | None) -> AnswerModel:
    """The answer model fitted on every question of ``sets``."""
    for labelled in sets:
        if not labelled.examples:
            collect(labelled, today)
    examples = [e for s in sets for e in s.training]
    trained_on = {
        "sets": {s.pair.label: len(s.items) + len(s.extra_items) for s in sets},
        "questions": len(examples),
        "units": sum(len(e.units) for e in examples),
    }
    return fit_answer_model(examples, trained_on)


def _scores_with(
    labelled: LabelledSet, model: AnswerModel | None, items: Sequence[Item], today: dt.date | None
) -> list[Any]:
    """``items`` answered with ``model`` (None: the hand-set baseline) and scored."""
    labelled.assistant.use_answer_model(model)
    result = run_system("assistant", labelled.assistant, items, today, labelled.source_text)
    return result.scores


def _grouped_folds(examples: Sequence[QuestionExample], folds: int) -> list[set[str]]:
    """The groups of each fold: GroupKFold over every set's questions at once."""
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    return [{groups[i] for i in test} for _, test in splitter.split(examples, groups=groups)]


def _subsample(
    examples: Sequence[QuestionExample], share: float, seed: int
) -> list[QuestionExample]:
    """``share`` of the training documents (whole groups), chosen with a fixed seed."""
    if share >= 1.0:
        return list(examples)
    groups = sorted({e.group for e in examples})
    kept = set(random.Random(seed).sample(groups, max(1, round(share * len(groups)))))
    return [e for e in examples if e.group in kept]


def cross_validate(
    sets: Sequence[LabelledSet], today: dt.date | None, folds: int = FOLDS, curve: bool = True
) -> dict[str, Any]:
    """Out-of-fold figures per set: hand-set baseline, grouped CV, leave-one-set-out, and
    the learning curve (share of training documents against grouped-CV pass rate)."""
    for labelled in sets:
        if not labelled.examples:
            collect(labelled, today)
    # The folds split the scored questions only, so that they are the same with or without
    # training-only questions; those follow their documents' groups into the folds.
    fold_groups = _grouped_folds([e for s in sets for e in s.examples], folds)
    every = [e for s in sets for e in s.training]
    results: dict[str, Any] = {
        "sets": {},
        "curve": {},
        "folds": folds,
        "training_only": {s.pair.label: len(s.extra_items) for s in sets if s.extra_items},
    }
    systems: dict[str, dict[str, list[Any]]] = {s.pair.label: {} for s in sets}
    for labelled in sets:
        systems[labelled.pair.label]["hand-set"] = _scores_with(
            labelled, None, labelled.items, today
        )
    shares = CURVE if curve else (1.0,)
    for share in shares:
        per_set: dict[str, list[Any]] = {s.pair.label: [] for s in sets}
        for number, test_groups in enumerate(fold_groups):
            training = _subsample([e for e in every if e.group not in test_groups], share, number)
            model = fit_answer_model(training)
            for labelled in sets:
                items = [
                    i
                    for i, e in zip(labelled.items, labelled.examples, strict=True)
                    if e.group in test_groups
                ]
                if items:
                    per_set[labelled.pair.label] += _scores_with(labelled, model, items, today)
        for label, scores in per_set.items():
            results["curve"].setdefault(label, {})[str(share)] = aggregate(scores)["pass_rate"]
            if share == 1.0:
                systems[label]["learned, grouped CV"] = scores
    if len(sets) > 1:
        for labelled in sets:
            others = [e for s in sets if s is not labelled for e in s.training]
            model = fit_answer_model(others)
            scores = _scores_with(labelled, model, labelled.items, today)
            systems[labelled.pair.label]["learned, leave-one-set-out"] = scores
    for labelled in sets:
        labelled.assistant.use_answer_model(None)
    for label, by_system in systems.items():
        results["sets"][label] = {
            name: _reported(scores) | _confidence(scores) for name, scores in by_system.items()
        }
        # Which questions passed, per system: what two reports differ by.
        results.setdefault("passed", {})[label] = {
            name: {score.id: score.passed for score in scores} for name, scores in by_system.items()
        }
    full = fit_answer_model(every)
    results["weights"] = {"units": full.units.weights(), "answerable": full.answerable.weights()}
    results["refuse_below"] = full.refuse_below
    return results


def _reported(scores: Sequence[Any]) -> dict[str, float | None]:
    metrics = aggregate(list(scores))
    return {m: metrics.get(m) for m in REPORTED}


def _confidence(scores: Sequence[Any]) -> dict[str, float | None]:
    """The share of answers of each confidence (high / low / refused)."""
    counts: dict[str, int] = {}
    for score in scores:
        counts[score.confidence or "none"] = counts.get(score.confidence or "none", 0) + 1
    total = max(len(scores), 1)
    return {f"confidence.{k}": v / total for k, v in sorted(counts.items())}


def cv_table(results: dict[str, Any]) -> str:
    """The report as Markdown: a table per set, the learning curve, the weights."""
    lines: list[str] = []
    for label, systems in results["sets"].items():
        lines.append(f"**{label}**\n")
        names = list(systems)
        lines.append("| metric | " + " | ".join(names) + " |")
        lines.append("|---|" + "---|" * len(names))
        metrics = sorted({m for s in systems.values() for m in s}, key=_metric_order)
        for metric in metrics:
            cells = [_cell(systems[n].get(metric), metric) for n in names]
            lines.append(f"| {metric} | " + " | ".join(cells) + " |")
        lines.append("")
    if results["curve"]:
        shares = sorted({s for c in results["curve"].values() for s in c}, key=float)
        lines.append("**Learning curve** (share of the training documents; grouped-CV pass)\n")
        lines.append("| set | " + " | ".join(f"{float(s):.0%}" for s in shares) + " |")
        lines.append("|---|" + "---|" * len(shares))
        for label, curve in results["curve"].items():
            lines.append(f"| {label} | " + " | ".join(_cell(curve.get(s)) for s in shares) + " |")
        lines.append("")
    for part, weights in results["weights"].items():
        ranked = sorted(weights.items(), key=lambda kv: abs(kv[1]), reverse=True)
        shown = ", ".join(f"{name} {value:+.2f}" for name, value in ranked)
        lines.append(f"**Weights, {part}** (standardised): {shown}\n")
    lines.append(f"Refusal threshold (all sets): {results['refuse_below']:.3f}")
    extra = results.get("training_only") or {}
    if extra:
        shown = ", ".join(f"{label} {n}" for label, n in extra.items())
        lines.append(f"\nTraining-only questions (fitted on, never scored): {shown}")
    return "\n".join(lines)


def _metric_order(metric: str) -> tuple[int, str]:
    order = [*REPORTED]
    return (order.index(metric) if metric in order else len(order), metric)


def _cell(value: Any, metric: str = "") -> str:
    if value is None:
        return "n/a"
    if metric.endswith("chars"):
        return f"{value:.0f}"
    return f"{value:.2f}"
