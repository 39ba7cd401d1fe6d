"""`rv eval`: registered through the ``rv.commands`` entry point, so nothing imports evals/."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from assistant.api import (
    Assistant,
    RvError,
    Settings,
    langchain_baselines,
    parse_today,
    squash_whitespace,
)
from evals.questions import DEFAULT_QUESTIONS, Item, QuestionFileError, load_questions
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
@click.option(
    "--set",
    "sets",
    nargs=2,
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    metavar="CORPUS QUESTIONS",
    help="A (corpus folder, question file) pair; repeat it to score several side by side "
    "(each gets its own index, result and report, in a folder named after the set).",
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
    items = load_questions(pair.questions)
    overrides: dict[str, Any] = {"index_dir": index_dir}
    if pair.corpus is not None:
        overrides["corpus_dir"] = pair.corpus
    settings = Settings(**overrides)
    assistant = Assistant(settings)
    report = assistant.ingest()
    if not report.ok:
        raise QuestionFileError(
            f"the corpus {settings.corpus_dir} did not ingest cleanly: {report.failed}"
        )
    texts: dict[str, list[str]] = {}

    def source_text(source: str) -> list[str]:
        """The document as the index holds it (cleaned) and as the file says it (raw)."""
        if source not in texts:
            versions = [assistant.document_text(source), _file_text(source)]
            texts[source] = [squash_whitespace(v) for v in versions if v]
        return texts[source]

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


def _file_text(source: str) -> str:
    """The raw file text: baselines quote it as extracted, without cleaning."""
    path = Path(source)
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader

        return "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


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
