"""Running a question set through the assistant and the baselines, and the floor check."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant.api import Answer, Turn, default_corpus_dir
from evals.questions import Item, QuestionFileError
from evals.scoring import METRICS, Score, aggregate, breakdown, score_answer

RESULT_FORMAT = 1


#: Corpus folder names that say nothing of the set: the set is named after their parent.
_GENERIC_FOLDERS = frozenset({"docs", "documents", "corpus", "files"})


@dataclass(frozen=True)
class EvalSet:
    """A question set and the documents it is about; ``corpus`` None is the shipped corpus."""

    label: str
    corpus: Path | None
    questions: Path

    @classmethod
    def of(cls, corpus: Path | None, questions: Path) -> EvalSet:
        folder = corpus.resolve() if corpus is not None else None
        if folder is None or folder == default_corpus_dir().resolve():
            return cls("default", None, questions)
        name = folder.parent.name if folder.name in _GENERIC_FOLDERS else folder.name
        return cls(name or "corpus", folder, questions)


def combine(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Several sets' results in one document, by set label."""
    return {"format": RESULT_FORMAT, "sets": results}


def _by_set(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A run's results by set; a one-set run is the set 'default'."""
    runs: dict[str, dict[str, Any]] = result.get("sets", {"default": result})
    return runs


class Answerer(Protocol):
    def ask(
        self, question: str, today: dt.date | None = None, history: Sequence[Turn] = ()
    ) -> Answer: ...


class Progress(Protocol):
    def __call__(self, system: str, item: Item) -> None: ...


@dataclass
class SystemResult:
    name: str
    rows: list[dict[str, Any]]
    scores: list[Score]

    def as_dict(self) -> dict[str, Any]:
        return {
            "metrics": aggregate(self.scores),
            "by_kind": breakdown(self.scores, lambda s: s.kind),
            "by_language": breakdown(self.scores, lambda s: s.language),
            "questions": self.rows,
        }


def run_system(
    name: str,
    system: Answerer,
    items: Sequence[Item],
    default_today: dt.date | None,
    source_text: Callable[[str], list[str]],
    progress: Progress | None = None,
) -> SystemResult:
    """Ask every item; one failing question is recorded as failed and the run goes on."""
    rows: list[dict[str, Any]] = []
    scores: list[Score] = []
    for item in items:
        today = item.today or default_today
        started = time.perf_counter()
        try:
            answer = system.ask(item.question, today=today, history=item.history_turns)
            error = None
        except Exception as exc:
            answer = Answer(answer="", refused=False)
            error = f"{type(exc).__name__}: {exc}"
        latency = 1000 * (time.perf_counter() - started)
        score = score_answer(item, answer, latency, source_text)
        if error:
            score.error = error
            score.passed = False
            score.problems.insert(0, f"error: {error}")
        scores.append(score)
        rows.append(_row(item, today, answer, score))
        if progress:
            progress(name, item)
    return SystemResult(name, rows, scores)


def _row(item: Item, today: dt.date | None, answer: Answer, score: Score) -> dict[str, Any]:
    return {
        "question": item.question,
        "today": today.isoformat() if today else None,
        "history": item.history_turns,
        "answer": answer.answer,
        "citations": [c.as_dict() for c in answer.citations],
        "retrieved": [[Path(p.source).name, p.page, round(p.score, 4)] for p in answer.retrieved],
        "unsupported": answer.unsupported,
        "expected_citations": [{"doc": c.doc, "pages": list(c.pages)} for c in item.cite],
        **score.as_dict(),
    }


def result_document(
    systems: Sequence[SystemResult],
    questions_file: Path,
    today: dt.date | None,
    settings: dict[str, Any],
) -> dict[str, Any]:
    return {
        "format": RESULT_FORMAT,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "questions_file": str(questions_file),
        "today": today.isoformat() if today else None,
        "settings": settings,
        "systems": {s.name: s.as_dict() for s in systems},
    }


def load_result(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise QuestionFileError(f"{path}: not a readable eval result ({exc})") from exc
    if not isinstance(data, dict) or not ("systems" in data or "sets" in data):
        raise QuestionFileError(f"{path}: not an eval result (no 'systems')")
    return data


def check_floor(result: dict[str, Any], floor: dict[str, Any]) -> list[str]:
    """Every metric below its floor, as a sentence; empty when the run meets the floor.

    A floor is ``{system: {metric: minimum}}`` for a one-set run, or ``{"sets": {label:
    {system: {metric: minimum}}}}`` for a run of several sets."""
    if "sets" not in floor:
        return _check_set(next(iter(_by_set(result).values())), floor, "")
    runs = _by_set(result)
    failures = []
    for label, minimums in floor["sets"].items():
        if label not in runs:
            failures.append(f"{label}: this set is not in the run (add it with --set)")
            continue
        failures += _check_set(runs[label], minimums, f"{label}: ")
    return failures


def _check_set(
    result: dict[str, Any], floor: dict[str, dict[str, float]], prefix: str
) -> list[str]:
    failures = []
    for system, minimums in floor.items():
        metrics = result["systems"].get(system, {}).get("metrics")
        if metrics is None:
            failures.append(f"{prefix}{system}: not in this run")
            continue
        for metric, minimum in minimums.items():
            if metric not in METRICS:
                failures.append(f"{prefix}{system}: unknown metric {metric!r} in the floor")
                continue
            value = metrics.get(metric)
            if value is None or value < minimum - 1e-9:
                shown = "n/a" if value is None else f"{value:.3f}"
                failures.append(
                    f"{prefix}{system}: {metric} = {shown} is below the floor {minimum:.3f}"
                )
    return failures


def floor_from(result: dict[str, Any], system: str = "assistant", margin: float = 0.01) -> Any:
    """A floor just under this run's scores: truncated to two decimals, less ``margin``."""
    if "sets" in result:
        return {"sets": {k: floor_from(v, system, margin) for k, v in result["sets"].items()}}
    metrics = result["systems"][system]["metrics"]
    return {
        system: {
            m: max(0.0, round(math.floor(metrics[m] * 100) / 100 - margin, 2))
            for m in METRICS
            if metrics.get(m) is not None
        }
    }


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Metric deltas and, question by question, what improved and what regressed; for runs
    of several sets, per set and system ('corpus-more/assistant')."""
    if "sets" in old or "sets" in new:
        before, after = _by_set(old), _by_set(new)
        return {
            f"{label}/{system}": diff
            for label in before.keys() & after.keys()
            for system, diff in compare(before[label], after[label]).items()
        }
    out: dict[str, Any] = {}
    for system in sorted(set(old["systems"]) & set(new["systems"])):
        before, after = old["systems"][system], new["systems"][system]
        deltas = {
            m: (before["metrics"].get(m), after["metrics"].get(m))
            for m in METRICS
            if before["metrics"].get(m) is not None or after["metrics"].get(m) is not None
        }
        old_rows = {r["id"]: r for r in before["questions"]}
        new_rows = {r["id"]: r for r in after["questions"]}
        improved = [
            i
            for i in new_rows
            if i in old_rows and new_rows[i]["passed"] and not old_rows[i]["passed"]
        ]
        regressed = [
            i
            for i in new_rows
            if i in old_rows and old_rows[i]["passed"] and not new_rows[i]["passed"]
        ]
        out[system] = {
            "metrics": deltas,
            "improved": improved,
            "regressed": regressed,
            "added": sorted(set(new_rows) - set(old_rows)),
            "removed": sorted(set(old_rows) - set(new_rows)),
        }
    return out
