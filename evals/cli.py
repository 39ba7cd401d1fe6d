"""`rv eval`: registered through the ``rv.commands`` entry point, so nothing imports evals/."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assistant.api import (
    DEFAULT_MODEL,
    RvError,
    default_corpus_dir,
    langchain_baselines,
    parse_today,
)
from evals.learn import LabelledSet, cross_validate, cv_table, open_set, train
from evals.questions import DEFAULT_QUESTIONS, Item, QuestionFileError
from evals.report import compare_table, html_report, metrics_table, sets_table
from evals.run import (
    EvalSet,
    SystemResult,
    check_floor,
    combine,
    compare,
    floor_from,
    load_result,
    result_document,
    run_system,
)

DEFAULT_FLOOR = Path(__file__).resolve().parent / "floor.json"


def sets_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--set CORPUS QUESTIONS``, repeatable: the labelled sets a command reads."""
    return click.option(
        "--set",
        "sets",
        nargs=2,
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        metavar="CORPUS QUESTIONS",
        help=help_text,
    )


def extra_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--extra/--no-extra``: whether the sets' training-only questions are fitted on."""
    return click.option(
        "--extra/--no-extra",
        "with_extra",
        default=True,
        show_default=True,
        help="Also fit on each set's training-only questions (evals/train-extra/<set>.yaml); "
        "they are never scored.",
    )


@click.command("eval")
@click.option(
    "--questions",
    "questions_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_QUESTIONS,
    show_default="evals/questions.yaml",
    help="Question set (YAML, see evals/README.md).",
)
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Documents the questions are about (default: the shipped corpus, or RV_CORPUS_DIR).",
)
@sets_option(
    "A (corpus folder, question file) pair; repeat it to score several side by side "
    "(each gets its own index, result and report, in a folder named after the set)."
)
@click.option("--today", default=None, help="Freeze today (YYYY-MM-DD) for items without one.")
@click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".rv/eval-index"),
    show_default=True,
    help="Index the evaluation builds from the corpus (incrementally).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for result.json and report.html (default .rv/eval-runs/<time>).",
)
@click.option("--baselines/--no-baselines", default=True, help="Also score the LangChain recipe.")
@click.option(
    "--floor",
    "floor_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Fail (exit 1) when a metric is below this floor (JSON, e.g. evals/floor.json).",
)
@click.option(
    "--write-floor",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a floor just under this run's assistant scores to this file.",
)
@click.option(
    "--compare",
    "compare_files",
    nargs=2,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Compare two result.json files (OLD NEW) instead of running.",
)
@click.option(
    "--cv",
    is_flag=True,
    help="Report the learned answer model out of fold instead: grouped cross-validation "
    "(documents as groups) over every --set, leave-one-set-out, the hand-set baseline, the "
    "learning curve and the model's weights (Markdown and cv.json in --out).",
)
@extra_option()
@click.option("--json", "as_json", is_flag=True, help="Print the result (or comparison) as JSON.")
def eval_command(
    questions_file: Path,
    corpus_dir: Path | None,
    sets: tuple[tuple[Path, Path], ...],
    today: str | None,
    index_dir: Path,
    out: Path | None,
    baselines: bool,
    floor_file: Path | None,
    write_floor: Path | None,
    compare_files: tuple[Path, Path] | None,
    cv: bool,
    with_extra: bool,
    as_json: bool,
) -> None:
    """Score the assistant (and the plain LangChain recipe) on one or more question sets."""
    try:
        if compare_files:
            _compare(*compare_files, as_json=as_json)
            return
        pairs = [EvalSet.of(c, q) for c, q in sets] or [EvalSet.of(corpus_dir, questions_file)]
        folder = out or Path(".rv/eval-runs") / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        day = parse_today(today)
        if cv:
            _cross_validate(pairs, day, index_dir, folder, as_json, with_extra)
            return
        results: dict[str, dict[str, Any]] = {}
        for pair in pairs:
            where = index_dir if len(pairs) == 1 else index_dir / pair.label
            results[pair.label] = _run(pair, day, where, baselines)
            _write(results[pair.label], folder if len(pairs) == 1 else folder / pair.label)
        combined = results[pairs[0].label] if len(pairs) == 1 else combine(results)
        if len(pairs) > 1:
            _write_json(folder / "result.json", combined)
        if as_json:
            click.echo(json.dumps(combined, ensure_ascii=False))
        else:
            for label, result in results.items():
                if len(pairs) > 1:
                    click.echo(f"== {label}")
                click.echo(metrics_table(result) + "\n")
            if len(pairs) > 1:
                click.echo(sets_table(combined) + "\n")
            click.echo(f"result: {folder / 'result.json'}")
        if write_floor is not None:
            write_floor.write_text(json.dumps(floor_from(combined), indent=2) + "\n", "utf-8")
            click.echo(f"floor written: {write_floor}")
        if floor_file is not None:
            _enforce_floor(combined, floor_file)
    except RvError as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(2)


def _write(result: dict[str, Any], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / "result.json", result)
    (folder / "report.html").write_text(html_report(result), encoding="utf-8")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _run(pair: EvalSet, today: dt.date | None, index_dir: Path, baselines: bool) -> dict[str, Any]:
    labelled = open_set(pair, index_dir, answer_chooser=None)
    items, assistant, source_text = labelled.items, labelled.assistant, labelled.source_text
    settings = assistant.settings
    systems: list[tuple[str, Any]] = [("assistant", assistant)]
    if baselines:
        systems.extend(langchain_baselines(settings.corpus_dir))
    results: list[SystemResult] = []
    with _progress(len(items) * len(systems)) as advance:
        for name, system in systems:
            results.append(run_system(name, system, items, today, source_text, advance))
    return result_document(
        results,
        pair.questions,
        today,
        {
            "corpus": str(settings.corpus_dir),
            "embedder": assistant.embedder.identity,
            "chunk_size": settings.chunk_size,
            "chunk_overlap": settings.chunk_overlap,
            "top_k": settings.top_k,
            "min_relevance": settings.min_relevance,
        },
    )


class _progress:
    """A progress bar on standard error while the questions run."""

    def __init__(self, total: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, unit="q", file=sys.stderr, disable=not sys.stderr.isatty())

    def __enter__(self) -> Any:
        def advance(system: str, item: Item) -> None:
            self._bar.set_postfix_str(f"{system}: {item.id}"[:50])
            self._bar.update(1)

        return advance

    def __exit__(self, *exc: object) -> None:
        self._bar.close()


def _enforce_floor(result: dict[str, Any], floor_file: Path) -> None:
    try:
        floor = json.loads(floor_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise QuestionFileError(f"{floor_file}: not a readable floor file ({exc})") from exc
    failures = check_floor(result, floor)
    if failures:
        click.secho("Below the quality floor:", fg="red", err=True)
        for failure in failures:
            click.secho(f"  {failure}", fg="red", err=True)
        sys.exit(1)
    click.echo(f"quality floor met ({floor_file})")


def _compare(old: Path, new: Path, as_json: bool) -> None:
    comparison = compare(load_result(old), load_result(new))
    if as_json:
        click.echo(json.dumps(comparison, ensure_ascii=False, indent=1))
    else:
        click.echo(compare_table(comparison))


def _open_sets(pairs: list[EvalSet], index_dir: Path, with_extra: bool) -> list[LabelledSet]:
    return [
        open_set(p, index_dir if len(pairs) == 1 else index_dir / p.label, with_extra=with_extra)
        for p in pairs
    ]


def _cross_validate(
    pairs: list[EvalSet],
    today: dt.date | None,
    index_dir: Path,
    folder: Path,
    as_json: bool,
    with_extra: bool,
) -> None:
    results = cross_validate(_open_sets(pairs, index_dir, with_extra), today)
    _write_json(folder / "cv.json", results)
    table = cv_table(results)
    (folder / "cv.md").write_text(table + "\n", encoding="utf-8")
    click.echo(json.dumps(results, ensure_ascii=False) if as_json else table)


def _known_sets() -> list[tuple[Path, Path]]:
    """The labelled sets ``rv train`` uses by default: the shipped one, and those of
    ../shared beside the checkout when they are there."""
    found = [(default_corpus_dir(), DEFAULT_QUESTIONS)]
    shared = Path(__file__).resolve().parents[2] / "shared"
    for name in ("corpus-more", "corpus-train"):
        if (shared / name / "questions.yaml").exists():
            found.append((shared / name / "docs", shared / name / "questions.yaml"))
    return found


@click.command("train")
@sets_option(
    "A labelled (corpus folder, question file) pair to train on; repeatable (default: "
    "the shipped set, and ../shared/corpus-more and ../shared/corpus-train where present)."
)
@click.option("--today", default=None, help="Freeze today (YYYY-MM-DD) for items without one.")
@click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".rv/eval-index"),
    show_default=True,
    help="Where each set's index is built (incrementally), one folder per set.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_MODEL,
    show_default="the package's assistant/models/answer-model.json",
    help="The model file to write.",
)
@extra_option()
def train_command(
    sets: tuple[tuple[Path, Path], ...],
    today: str | None,
    index_dir: Path,
    out: Path,
    with_extra: bool,
) -> None:
    """Fit the answer model (chooser and answerability decision) on labelled question sets."""
    try:
        pairs = [EvalSet.of(c, q) for c, q in (sets or _known_sets())]
        model = train(_open_sets(pairs, index_dir, with_extra), parse_today(today))
        model.save(out)
        trained = model.trained_on
        click.echo(
            f"trained on {trained['questions']} questions ({trained['units']} units) of "
            + ", ".join(f"{k} ({v})" for k, v in trained["sets"].items())
            + f"; refusal below {model.refuse_below:.3f}; written to {out}"
        )
    except RvError as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(2)
