"""Does another unit ranker pick the answering unit more often than the pairwise LR?

    python benchmarks/ranker_experiment.py [--examples /tmp/ranker-examples.pkl]
        [--index-dir /tmp/ranker-eval-index] [--today 2026-11-22] [--recollect]

Collects the labelled questions of the three sets (the shipped one, ../shared/corpus-more,
../shared/corpus-train) once, as ``rv eval --cv`` does (hand-set chooser, ``--today`` for
items without their own day), and pickles them so that reruns only fit. The indexes are
copied from .rv/eval-index/<set> to --index-dir on first use, so the checkout is not written.

Rankers, all on the same unit rows (``assistant.features.UNIT_FEATURES``):

* lr-pairwise: today's ``fit_units`` (pairwise logistic regression, its strength by inner
  grouped CV, Platt-calibrated);
* lgbm-lambdarank: LightGBM ``LGBMRanker`` (lambdarank, a question is a query), its
  num_leaves x n_estimators chosen by inner grouped CV on top-1 hits;
* hgb-pointwise: scikit-learn ``HistGradientBoostingClassifier`` on the unit label;
* "+int" variants: the same with a few interaction features computed from the row
  (products / sums of existing features; none names a word).

Scored out of fold: grouped 5-fold CV over every set at once (documents as groups,
``evals.learn._grouped_folds``) and leave-one-set-out. A question counts when it is
answerable and at least one of its units answers; top-1 = its best-scored unit answers,
MRR = 1 / place of its first answering unit (ties keep the examination's order).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.features import UNIT_FEATURES  # noqa: E402
from assistant.training import (  # noqa: E402
    REGULARISATIONS,
    QuestionExample,
    _pairwise_coef,
    _standardisation,
    fit_units,
)
from evals.learn import _grouped_folds  # noqa: E402

FOLDS = 5
INNER_FOLDS = 5
LGBM_GRID = [(leaves, trees) for leaves in (7, 15) for trees in (100, 300)]
LGBM_FIXED = {"learning_rate": 0.05, "min_child_samples": 20}

Scorer = Callable[[QuestionExample], np.ndarray]
Fitter = Callable[[Sequence[QuestionExample]], Scorer]


# --------------------------------------------------------------------------- collecting


def _sets() -> list[tuple[Path | None, Path]]:
    from evals.questions import DEFAULT_QUESTIONS

    shared = ROOT.parent / "shared"
    return [
        (None, DEFAULT_QUESTIONS),
        (shared / "corpus-more" / "docs", shared / "corpus-more" / "questions.yaml"),
        (shared / "corpus-train" / "docs", shared / "corpus-train" / "questions.yaml"),
    ]


def collect_all(index_root: Path, today: dt.date) -> dict[str, list[QuestionExample]]:
    from evals.learn import collect, open_set
    from evals.run import EvalSet

    out: dict[str, list[QuestionExample]] = {}
    for corpus, questions in _sets():
        pair = EvalSet.of(corpus, questions)
        where = index_root / pair.label
        cached = ROOT / ".rv" / "eval-index" / pair.label
        if not where.exists() and cached.exists():
            shutil.copytree(cached, where)
        start = time.perf_counter()
        labelled = open_set(pair, where)
        out[pair.label] = collect(labelled, today)
        print(
            f"collected {pair.label}: {len(out[pair.label])} questions "
            f"in {time.perf_counter() - start:.0f}s",
            file=sys.stderr,
            flush=True,
        )
    return out


# --------------------------------------------------------------------------- features


def _i(name: str) -> int:
    return UNIT_FEATURES.index(name)


def interactions(x: np.ndarray) -> np.ndarray:
    """A few products / sums of the row's own features (the rows are per question already)."""
    c = {n: x[:, _i(n)] for n in UNIT_FEATURES}
    extra = [
        c["similarity"] * c["coverage"],
        c["similarity"] * c["rare_coverage"],
        c["asked_and_held"] * c["similarity"],
        c["asked_and_held"] * c["coverage"],
        c["gap_similarity"] * c["gap_coverage"],
        c["order_similarity"] + c["order_coverage"] + c["order_rare_coverage"],
        np.minimum(np.minimum(c["order_similarity"], c["order_coverage"]), c["order_chunk_dense"]),
        c["pair"] * (c["similarity"] - c["similarity_low"]),
        c["chunk_share"] * c["similarity"],
        c["asked_not_held"] * c["similarity"],
    ]
    return np.column_stack([x, *extra])


def matrix(example: QuestionExample, extended: bool) -> np.ndarray:
    x = np.asarray([u.row for u in example.units], dtype=float).reshape(-1, len(UNIT_FEATURES))
    return interactions(x) if extended else x


def labels(example: QuestionExample) -> np.ndarray:
    return np.asarray([u.answers for u in example.units], dtype=int)


def counted(example: QuestionExample) -> bool:
    return example.answerable and any(u.answers for u in example.units)


def rankable(examples: Sequence[QuestionExample]) -> list[QuestionExample]:
    """Questions that teach a ranking: some unit answers and some does not."""
    return [e for e in examples if 0 < labels(e).sum() < len(e.units)]


# --------------------------------------------------------------------------- metrics


def hit_and_rr(example: QuestionExample, scores: np.ndarray) -> tuple[bool, float]:
    order = np.argsort(-scores, kind="stable")
    answers = labels(example)[order]
    first = int(np.argmax(answers))
    return bool(answers[0]), 1.0 / (first + 1)


def evaluate(examples: Sequence[QuestionExample], score: Scorer) -> dict[str, tuple[bool, float]]:
    return {f"{e.set}:{e.id}": hit_and_rr(e, score(e)) for e in examples if counted(e)}


def _top1(examples: Sequence[QuestionExample], score: Scorer) -> tuple[float, float]:
    results = list(evaluate(examples, score).values())
    if not results:
        return 0.0, 0.0
    return float(np.mean([h for h, _ in results])), float(np.mean([r for _, r in results]))


def _inner_splits(examples: Sequence[QuestionExample]) -> list[tuple[list[int], list[int]]]:
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    splits = min(INNER_FOLDS, len(set(groups)))
    return [
        (list(a), list(b)) for a, b in GroupKFold(n_splits=splits).split(examples, groups=groups)
    ]


# --------------------------------------------------------------------------- rankers


def fit_lr_today(train: Sequence[QuestionExample]) -> Scorer:
    chooser = fit_units(list(train))
    return lambda e: np.asarray(chooser.log_odds([u.row for u in e.units]))


def _lr_coef(train: Sequence[QuestionExample], extended: bool, strength: float,
             mean: np.ndarray, scale: np.ndarray) -> np.ndarray:  # fmt: skip
    class _View:  # the example as _pairwise_coef reads it, its rows extended
        def __init__(self, e: QuestionExample) -> None:
            rows = matrix(e, extended)
            self.units = [_Unit(list(r), u.answers) for r, u in zip(rows, e.units, strict=True)]

    return _pairwise_coef([_View(e) for e in train], mean, scale, strength)  # type: ignore[misc]


class _Unit:
    def __init__(self, row: list[float], answers: bool) -> None:
        self.row, self.answers = row, answers


def fit_lr_interactions(train: Sequence[QuestionExample]) -> Scorer:
    """Today's pairwise LR (same strengths, same inner selection) on the extended rows."""
    x = np.vstack([matrix(e, True) for e in train])
    mean, scale = _standardisation(x)
    hits = dict.fromkeys(REGULARISATIONS, 0.0)
    for a, b in _inner_splits(train):
        part, held = [train[i] for i in a], [train[i] for i in b]
        for strength in REGULARISATIONS:
            coef = _lr_coef(part, True, strength, mean, scale)
            hits[strength] += _top1(held, lambda e, c=coef: ((matrix(e, True) - mean) / scale) @ c)[
                0
            ]
    strength = max(REGULARISATIONS, key=lambda s: (hits[s], -s))
    coef = _lr_coef(train, True, strength, mean, scale)
    return lambda e: ((matrix(e, True) - mean) / scale) @ coef


def _lgbm(train: Sequence[QuestionExample], extended: bool, leaves: int, trees: int):  # type: ignore[no-untyped-def]
    from lightgbm import LGBMRanker

    used = rankable(train)
    x = np.vstack([matrix(e, extended) for e in used])
    y = np.concatenate([labels(e) for e in used])
    model = LGBMRanker(
        objective="lambdarank",
        n_estimators=trees,
        num_leaves=leaves,
        random_state=0,
        n_jobs=1,
        deterministic=True,
        force_row_wise=True,
        verbose=-1,
        **LGBM_FIXED,
    )
    model.fit(x, y, group=[len(e.units) for e in used])
    return model


def make_lgbm(extended: bool, chosen: list[tuple[int, int]]) -> Fitter:
    def fit(train: Sequence[QuestionExample]) -> Scorer:
        most = max(t for _, t in LGBM_GRID)
        score = dict.fromkeys(LGBM_GRID, (0.0, 0.0))
        for a, b in _inner_splits(train):
            part, held = [train[i] for i in a], [train[i] for i in b]
            for leaves in sorted({n for n, _ in LGBM_GRID}):
                model = _lgbm(part, extended, leaves, most)
                for trees in sorted({t for _, t in LGBM_GRID}):
                    top1, mrr = _top1(
                        held,
                        lambda e, m=model, t=trees: m.predict(matrix(e, extended), num_iteration=t),
                    )
                    old = score[(leaves, trees)]
                    score[(leaves, trees)] = (old[0] + top1, old[1] + mrr)
        best = max(LGBM_GRID, key=lambda g: (*score[g], -g[0], -g[1]))
        chosen.append(best)
        model = _lgbm(train, extended, *best)
        return lambda e: model.predict(matrix(e, extended))

    return fit


def make_hgb(extended: bool) -> Fitter:
    def fit(train: Sequence[QuestionExample]) -> Scorer:
        from sklearn.ensemble import HistGradientBoostingClassifier

        used = rankable(train)
        x = np.vstack([matrix(e, extended) for e in used])
        y = np.concatenate([labels(e) for e in used])
        model = HistGradientBoostingClassifier(random_state=0, early_stopping=False)
        model.fit(x, y)
        return lambda e: model.predict_proba(matrix(e, extended))[:, 1]

    return fit


# --------------------------------------------------------------------------- running


def shuffled_folds(examples: Sequence[QuestionExample], seed: int) -> list[set[str]]:
    """Another grouped 5-fold assignment (GroupKFold, groups shuffled with ``seed``)."""
    from sklearn.model_selection import GroupKFold

    groups = [e.group for e in examples]
    splitter = GroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    return [{groups[i] for i in test} for _, test in splitter.split(examples, groups=groups)]


def run(
    by_set: dict[str, list[QuestionExample]], methods: dict[str, Fitter], seed: int | None = None
) -> dict:  # type: ignore[type-arg]
    every = [e for examples in by_set.values() for e in examples]
    folds = _grouped_folds(every, FOLDS) if seed is None else shuffled_folds(every, seed)
    out: dict = {"cv": {}, "loso": {}, "seconds": {}}  # type: ignore[type-arg]
    for name, fit in methods.items():
        start = time.perf_counter()
        cv: dict[str, tuple[bool, float]] = {}
        for test_groups in folds:
            train = [e for e in every if e.group not in test_groups]
            score = fit(train)
            cv |= evaluate([e for e in every if e.group in test_groups], score)
        loso: dict[str, tuple[bool, float]] = {}
        for label, examples in by_set.items():
            score = fit([e for e in every if e.set != label])
            loso |= evaluate(examples, score)
        out["cv"][name], out["loso"][name] = cv, loso
        out["seconds"][name] = time.perf_counter() - start
        print(f"{name}: {out['seconds'][name]:.0f}s", file=sys.stderr, flush=True)
    return out


def _mean(results: dict[str, tuple[bool, float]], prefix: str, part: int) -> float:
    values = [v[part] for k, v in results.items() if k.startswith(prefix)]
    return float(np.mean(values)) if values else float("nan")


def _mcnemar(
    a: dict[str, tuple[bool, float]], b: dict[str, tuple[bool, float]], prefix: str
) -> str:
    """Questions only ``b`` gets right / only ``a`` does, and the exact two-sided p."""
    from scipy.stats import binomtest

    keys = [k for k in a if k.startswith(prefix)]
    b_only = sum(b[k][0] and not a[k][0] for k in keys)
    a_only = sum(a[k][0] and not b[k][0] for k in keys)
    p = binomtest(b_only, b_only + a_only).pvalue if b_only + a_only else 1.0
    return f"+{b_only}/-{a_only} (p {p:.2f})"


def table(by_set: dict[str, list[QuestionExample]], out: dict) -> str:  # type: ignore[type-arg]
    base = "lr-pairwise"
    lines = [
        "| set | method | n | CV top-1 | CV MRR | LOSO top-1 | LOSO MRR | CV vs LR | LOSO vs LR |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label in [*by_set, "all"]:
        prefix = "" if label == "all" else f"{label}:"
        for name in out["cv"]:
            cv, loso = out["cv"][name], out["loso"][name]
            n = sum(k.startswith(prefix) for k in cv)
            versus = ("", "") if name == base else (
                _mcnemar(out["cv"][base], cv, prefix), _mcnemar(out["loso"][base], loso, prefix)
            )  # fmt: skip
            lines.append(
                f"| {label} | {name} | {n}"
                f" | {_mean(cv, prefix, 0):.3f} | {_mean(cv, prefix, 1):.3f}"
                f" | {_mean(loso, prefix, 0):.3f} | {_mean(loso, prefix, 1):.3f}"
                f" | {versus[0]} | {versus[1]} |"
            )
    lines.append("")
    lines.append(
        "Fit time (5 grouped folds + 3 leave-one-set-out fits): "
        + ", ".join(f"{k} {v:.0f}s" for k, v in out["seconds"].items())
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=Path, default=Path("/tmp/ranker-examples.pkl"))
    parser.add_argument("--index-dir", type=Path, default=Path("/tmp/ranker-eval-index"))
    parser.add_argument("--today", default="2026-11-22")
    parser.add_argument("--recollect", action="store_true")
    parser.add_argument("--methods", default="", help="comma-separated subset of the methods")
    parser.add_argument(
        "--seed", type=int, default=None, help="shuffle the grouped folds (robustness check)"
    )
    args = parser.parse_args()
    if args.examples.exists() and not args.recollect:
        by_set = pickle.loads(args.examples.read_bytes())
    else:
        start = time.perf_counter()
        by_set = collect_all(args.index_dir, dt.date.fromisoformat(args.today))
        args.examples.write_bytes(pickle.dumps(by_set))
        print(f"collection: {time.perf_counter() - start:.0f}s", file=sys.stderr)
    for label, examples in by_set.items():
        units = [len(e.units) for e in examples]
        print(
            f"{label}: {len(examples)} questions, {sum(map(counted, examples))} counted, "
            f"{len(rankable(examples))} rankable, units/question median {np.median(units):.0f} "
            f"max {max(units)}, groups {len({e.group for e in examples})}",
            file=sys.stderr,
        )
    chosen: dict[str, list[tuple[int, int]]] = {"lgbm-lambdarank": [], "lgbm-lambdarank+int": []}
    methods: dict[str, Fitter] = {
        "lr-pairwise": fit_lr_today,
        "lgbm-lambdarank": make_lgbm(False, chosen["lgbm-lambdarank"]),
        "hgb-pointwise": make_hgb(False),
        "lr-pairwise+int": fit_lr_interactions,
        "lgbm-lambdarank+int": make_lgbm(True, chosen["lgbm-lambdarank+int"]),
        "hgb-pointwise+int": make_hgb(True),
    }
    if args.methods:
        methods = {k: v for k, v in methods.items() if k in args.methods.split(",")}
    out = run(by_set, methods, args.seed)
    print(table(by_set, out))
    for name, grid in chosen.items():
        if grid:
            print(f"{name} (num_leaves, n_estimators) chosen per fit: {grid}")


if __name__ == "__main__":
    main()
