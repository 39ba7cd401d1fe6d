"""The answerability decision's evidence on several question sets, and its parameters fitted
across all of them at once.

    python benchmarks/answerability.py [CORPUS QUESTIONS]...   (default: both dev sets)

Prints each question's evidence (answerable or not), then the parameter grid's best points
by the sum over sets of refusal F1 and answered share (a parameter fitted on one set only is
what the two sets are there to prevent).
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.answerability import AnswerabilityPolicy, Evidence
from assistant.service import Assistant
from evals.questions import DEFAULT_QUESTIONS, load_questions
from evals.run import EvalSet
from index.settings import Settings

HERE = Path(__file__).resolve().parent.parent
DEFAULT_SETS = [
    (None, DEFAULT_QUESTIONS),
    (HERE.parent / "shared/corpus-more/docs", HERE.parent / "shared/corpus-more/questions.yaml"),
]


def evidence_of(pair: EvalSet) -> list[tuple[str, bool, Evidence]]:
    overrides: dict[str, object] = {"index_dir": Path(".rv/eval-index") / pair.label}
    if pair.corpus is not None:
        overrides["corpus_dir"] = pair.corpus
    assistant = Assistant(Settings(**overrides))  # type: ignore[arg-type]
    assistant.ingest()
    out = []
    for item in load_questions(pair.questions):
        if item.kind in ("role",):
            continue
        found = assistant.evidence(item.question, item.history_turns)
        out.append((item.id, item.answerable, found))
    return out


def score(rows: list[tuple[str, bool, Evidence]], policy: AnswerabilityPolicy) -> tuple[float, ...]:
    refused = [not policy.answerable(e) for _, _, e in rows]
    truth = [not a for _, a, _ in rows]
    tp = sum(r and t for r, t in zip(refused, truth, strict=True))
    precision = tp / sum(refused) if sum(refused) else 1.0
    recall = tp / sum(truth) if sum(truth) else 1.0
    answered = sum(not r for r, t in zip(refused, truth, strict=True) if not t) / max(
        1, sum(not t for t in truth)
    )
    return precision, recall, answered


def accuracy(rows: list[tuple[str, bool, Evidence]], policy: AnswerabilityPolicy) -> float:
    return sum(policy.answerable(e) == a for _, a, e in rows) / max(1, len(rows))


def main() -> None:
    args = sys.argv[1:]
    pairs = (
        [EvalSet.of(Path(c), Path(q)) for c, q in zip(args[::2], args[1::2], strict=True)]
        if args
        else [EvalSet.of(c, q) for c, q in DEFAULT_SETS]
    )
    sets = {pair.label: evidence_of(pair) for pair in pairs}
    for label, rows in sets.items():
        print(f"== {label}")
        for name, answerable, e in sorted(rows, key=lambda r: r[2].sentence):
            print(
                f"{'A' if answerable else '-'} dense {e.dense:.3f} sent {e.sentence:.3f} "
                f"cov {e.coverage:.2f} unk {e.unknown:.2f} num {int(e.unknown_number)}  {name}"
            )
    grid = itertools.product(
        [0.0, 0.74, 0.76, 0.78, 0.80],
        [x / 100 for x in range(80, 101)],
        [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3],
    )
    ranked = []
    for min_dense, min_support, weight in grid:
        policy = AnswerabilityPolicy(min_dense, min_support, weight)
        scores = {label: score(rows, policy) for label, rows in sets.items()}
        # Right decisions per set (a wrong refusal costs a question as a missed one does),
        # and the worse set counted twice: no set may pay for the other.
        right = [accuracy(rows, policy) for rows in sets.values()]
        total, worst = sum(right), min(right)
        ranked.append((total + worst, policy, scores))
    ranked.sort(key=lambda r: r[0], reverse=True)
    for total, policy, scores in ranked[:15]:
        shown = "  ".join(
            f"{label}: P {p:.2f} R {r:.2f} answered {a:.2f}" for label, (p, r, a) in scores.items()
        )
        print(f"{total:.3f} {policy}  {shown}")


if __name__ == "__main__":
    main()
