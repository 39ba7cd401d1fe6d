"""`rv`: the command line. Errors from the library are formatted here and nowhere else."""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TextIO

import click
import httpx

from assistant.api import (
    Answer,
    Assistant,
    Event,
    Examination,
    Filters,
    IndexBusyError,
    IndexEmptyError,
    QuestionError,
    RvError,
    Settings,
    StoreUnavailableError,
    parse_history,
    parse_today,
)


def _settings(index_dir: Path | None, **overrides: Any) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if index_dir is not None:
        values["index_dir"] = index_dir
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get("rv.chroma_url"):
        values["chroma_url"] = context.meta["rv.chroma_url"]
    return Settings(**values)


def _remember_chroma_url(context: click.Context, _: click.Parameter, value: str | None) -> None:
    if value:
        context.meta["rv.chroma_url"] = value


def index_dir_option(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--chroma-url",
        default=None,
        expose_value=False,
        callback=_remember_chroma_url,
        help="A Chroma server to keep the index in, e.g. http://127.0.0.1:8000 "
        "(default: RV_CHROMA_URL, or the embedded store in --index-dir).",
    )(command)
    return click.option(
        "--index-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder of the index (default: RV_INDEX_DIR or .rv/index); with a Chroma "
        "server, it holds the write lock only.",
    )(command)


#: What a Chroma server that stops answering raises from inside the store.
LOST_SERVER = (httpx.TransportError, ConnectionError)


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's typed errors into a one-line message and an exit code; with
    --json (or --jsonl), also a JSON object {"error": ..., "kind": ...} on standard output."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json") or kwargs.get("jsonl"))
        try:
            return command(*args, **kwargs)
        except RvError as exc:
            _fail(exc, as_json)
        except LOST_SERVER as exc:  # a Chroma server lost in the middle of a command
            url = _chroma_url()
            if not url:
                raise
            _fail(StoreUnavailableError(url, exc), as_json)

    return wrapper


def _fail(exc: RvError, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"error": str(exc), "kind": error_kind(exc)}, ensure_ascii=False))
    click.secho(f"Error: {exc}", fg="red", err=True)
    if isinstance(exc, IndexBusyError):
        sys.exit(3)  # worth trying again later, unlike 1 and 2
    sys.exit(2 if isinstance(exc, IndexEmptyError | QuestionError) else 1)


def error_kind(exc: RvError) -> str:
    """The error's kind for scripts: its class in snake case ('IndexEmptyError' ->
    'index_empty', 'StoreUnavailableError' -> 'store_unavailable'). Any unusable question
    is 'question', too long or empty alike: the kinds scripts read are kept stable."""
    return QuestionError.kind if isinstance(exc, QuestionError) else exc.kind


def _chroma_url() -> str:
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get("rv.chroma_url"):
        return str(context.meta["rv.chroma_url"])
    try:
        return Settings().chroma_url
    except Exception:  # the settings' own error was reported when they were read
        return ""


class _Commands(click.Group):
    """Built-in commands plus any registered under the ``rv.commands`` entry-point group.

    ``evals/`` registers ``rv eval`` that way, so that nothing imports it directly.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self._plugins():
            loaded = self._plugins()[cmd_name].load()
            command = loaded if isinstance(loaded, click.Command) else None
        return command

    @staticmethod
    def _plugins() -> dict[str, Any]:
        return {ep.name: ep for ep in entry_points(group="rv.commands")}


@click.group(cls=_Commands)
@click.version_option(package_name="radicale-vernieuwing-assistant")
def main() -> None:
    """The movement's assistant: answers questions about the documents of Radicale vernieuwing."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the default setup never needs a hub
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from `rv serve`


class _Bar:
    """A progress bar on standard error for long ingests; it also keeps the files done."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._bar: Any = None
        self.total: int | None = None
        self.done: list[str] = []

    def start(self, total: int) -> None:
        self.total = total
        if self._enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="file", file=sys.stderr, leave=False)

    def advance(self, label: str) -> None:
        self.done.append(label)
        if self._bar is not None:
            self._bar.set_postfix_str(label[:40])
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@main.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@reports_errors
def ingest_command(
    paths: tuple[Path, ...], index_dir: Path | None, as_json: bool, quiet: bool
) -> None:
    """Index documents (.txt, .md, .html, .pdf); with no PATHS, the default corpus.

    Re-running is incremental: unchanged files are skipped, changed files replace their
    chunks, files deleted from an ingested folder leave the index.
    """
    assistant = Assistant(_settings(index_dir))
    bar = _Bar(enabled=not quiet and not as_json and sys.stderr.isatty())
    try:
        report = assistant.ingest(paths, progress=bar)
    except LOST_SERVER as exc:
        if not assistant.settings.chroma_url:
            raise
        raise StoreUnavailableError(assistant.settings.chroma_url, exc, _done(bar)) from None
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for found in report.repaired:
            click.secho(f"repaired: {found}", fg="yellow", err=True)
        for failure in report.failed:
            click.secho(f"failed: {failure.file}: {failure.problem}", fg="red", err=True)
        click.echo(
            f"{len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {len(report.skipped)} skipped, "
            f"{len(report.failed)} failed; {report.chunks_written} chunks written "
            f"in {report.seconds:.1f} s into {assistant.settings.index_dir}"
        )
    if not report.ok:
        sys.exit(1)


def _done(bar: _Bar) -> str:
    """What an ingest stopped midway had finished: each document is committed whole, so
    these are in the index (or were unchanged, or reported), and the rest are as before."""
    if bar.total is None:
        return "Nothing was written: the ingest stopped before its first file."
    names = ", ".join(bar.done[:20]) + (", ..." if len(bar.done) > 20 else "")
    finished = f" ({names})" if bar.done else ""
    return (
        f"Before it stopped, {len(bar.done)} of {bar.total} files were done{finished}: "
        "committed whole, unchanged or reported; the others were not written, and the index "
        "answers from their earlier versions. The next `rv ingest` skips the done ones."
    )


@main.command("ask")
@click.argument("question", required=False)
@index_dir_option
@click.option("--today", default=None, help="Freeze 'today' as YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON answer object.")
@click.option(
    "--jsonl",
    is_flag=True,
    help='Read JSON lines {"id", "question", "today", "history"} from standard input; '
    "write one answer object per line.",
)
@click.option("--top-k", type=int, default=None, help="Passages to retrieve.")
@click.option(
    "--doc", "documents", multiple=True, help="Only this document (file name or part of title)."
)
@click.option("--theme", "themes", multiple=True, help="Only documents with this theme.")
@click.option("--keyword", "keywords", multiple=True, help="Only documents with this keyword.")
@click.option(
    "--explain",
    is_flag=True,
    help="Also show the candidate units the answer was chosen from, with their features and "
    "scores, and the answerability evidence (with --json: an 'explain' object).",
)
@reports_errors
def ask_command(
    question: str | None,
    index_dir: Path | None,
    today: str | None,
    as_json: bool,
    jsonl: bool,
    top_k: int | None,
    documents: tuple[str, ...],
    themes: tuple[str, ...],
    keywords: tuple[str, ...],
    explain: bool,
) -> None:
    """Answer QUESTION from the indexed documents, with numbered sources."""
    assistant = Assistant(_settings(index_dir, top_k=top_k))
    frozen = parse_today(today)
    filters = Filters(documents, themes, keywords)
    if jsonl:
        answer_lines(assistant, sys.stdin, sys.stdout, frozen, filters)
        return
    if not question:
        raise QuestionError('Give a question, e.g. rv ask "Wanneer is de volgende bijeenkomst?"')
    answer = assistant.ask(question, today=frozen, filters=filters)
    shown = assistant.examine(question, today=frozen) if explain else None
    if as_json:
        result = answer.as_dict()
        if shown is not None:
            result["explain"] = explanation(shown)
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo(format_answer(answer))
        if shown is not None:
            click.echo("\n" + format_explanation(shown))


#: Candidate units an explanation shows: the best ones, as they are scored.
EXPLAINED_UNITS = 8


def explanation(shown: Examination) -> dict[str, Any]:
    """What the answer step saw, as JSON: the best units with features and scores."""
    return {
        "kind": shown.kind,
        "answered_by": shown.answered_by,
        "answerable": shown.answerable,
        "evidence": asdict(shown.facts) if shown.facts else None,
        "units": [
            {
                "score": u.score,
                "text": u.text,
                "source": u.source,
                "page": u.page,
                "features": {k: round(v, 4) for k, v in u.features.items()},
            }
            for u in shown.units[:EXPLAINED_UNITS]
        ],
    }


def format_explanation(shown: Examination) -> str:
    lines = [f"kind: {shown.kind}; answered by: {shown.answered_by or 'the passages'}"]
    if shown.answerable is not None:
        lines.append(f"probability that the documents answer: {shown.answerable:.3f}")
    for unit in shown.units[:EXPLAINED_UNITS]:
        score = "skipped" if unit.score is None else f"{unit.score:+.2f}"
        lines.append(f"{score}  {' '.join(unit.text.split())[:110]}")
        telling = sorted(unit.features.items(), key=lambda kv: -abs(kv[1]))[:6]
        lines.append("        " + ", ".join(f"{k}={v:.2f}" for k, v in telling))
    return "\n".join(lines)


def answer_lines(
    assistant: Assistant,
    lines: TextIO,
    out: TextIO,
    default_today: Any = None,
    filters: Filters | None = None,
) -> None:
    """The JSON-lines loop: one bad line is answered with an error, never stops the rest."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item_id: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise QuestionError(f'line {number}: expected {{"id": ..., "question": "..."}}')
            item_id = item.get("id")
            today = parse_today(item.get("today")) or default_today
            history = parse_history(item.get("history"))
            answer = assistant.ask(item["question"], today=today, history=history, filters=filters)
            result = {"id": item_id, **answer.as_dict()}
        except json.JSONDecodeError as exc:
            result = _error_line(item_id, f"line {number}: not valid JSON ({exc.msg})")
        except IndexEmptyError:
            raise
        except RvError as exc:
            result = _error_line(item_id, str(exc))
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()


def _error_line(item_id: Any, message: str) -> dict[str, Any]:
    return {"id": item_id, "answer": "", "refused": False, "citations": [], "error": message}


def format_answer(answer: Answer) -> str:
    lines = [answer.answer]
    if answer.citations:
        lines.append("")
        lines.append("Bronnen:" if answer.language == "nl" else "Sources:")
    for c in answer.citations:
        where = c.url or c.source
        page = f", p. {c.page}" if c.page is not None else ""
        lines.append(f"[{c.n}] {c.title}{page}")
        lines.append(f"    {where}")
        lines.append(f'    "{c.quote}"')
    return "\n".join(lines)


@main.command("events")
@index_dir_option
@click.option("--today", default=None, help="Freeze today (YYYY-MM-DD); default: the real date.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@reports_errors
def events_command(index_dir: Path | None, today: str | None, as_json: bool) -> None:
    """The dated events in the documents: upcoming first, then past, then undated."""
    assistant = Assistant(_settings(index_dir))
    assistant.require_index()
    day = assistant.today(parse_today(today))
    upcoming, past, undated = split_events(assistant.events(), day)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "today": day.isoformat(),
                    "upcoming": [e.listing() for e in upcoming],
                    "past": [e.listing() for e in past],
                    "undated": [e.listing() for e in undated],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for label, events in (("Komend", upcoming), ("Geweest", past), ("Zonder datum", undated)):
        click.echo(f"{label} (vandaag {day.isoformat()}):" if label == "Komend" else f"{label}:")
        for event in events:
            click.echo(f"  {event_line(event)}")
        if not events:
            click.echo("  (geen)")


def split_events(events: list[Event], day: Any) -> tuple[list[Event], list[Event], list[Event]]:
    dated = [e for e in events if e.start is not None]
    upcoming = [e for e in dated if (e.last_day or day) >= day]
    past = sorted((e for e in dated if (e.last_day or day) < day), key=Event.sort_key, reverse=True)
    return upcoming, past, [e for e in events if e.start is None]


def event_line(event: Event) -> str:
    when = event.start.isoformat() if event.start else f"{event.year} (datum onbekend)"
    if event.end:
        when += f" t/m {event.end.isoformat()}"
    if event.start_time:
        when += f" {event.start_time}" + (f"-{event.end_time}" if event.end_time else "")
    inferred = f" [{event.year_basis}]" if event.year_basis not in (None, "written") else ""
    place = f", {event.place}" if event.place else ""
    page = f", p. {event.page}" if event.page else ""
    return f"{when}{inferred}: {event.title}{place} — {Path(event.source).name}{page}"


@main.command("chat")
@index_dir_option
@click.option("--today", default=None, help="Freeze today (YYYY-MM-DD).")
@reports_errors
def chat_command(index_dir: Path | None, today: str | None) -> None:
    """Talk with the assistant in the terminal; follow-up questions keep the thread."""
    assistant = Assistant(_settings(index_dir))
    assistant.require_index()
    frozen = parse_today(today)
    history: list[dict[str, str]] = []
    click.echo("Stel je vraag over de documenten (leeg of Ctrl-D om te stoppen).")
    while True:
        try:
            question = input("> ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            answer = assistant.ask(question, today=frozen, history=history)
        except QuestionError as exc:
            click.secho(str(exc), fg="red")
            continue
        click.echo(format_answer(answer) + "\n")
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.answer},
        ]
        history = history[-8:]


@main.command("serve")
@index_dir_option
@click.option("--host", default=None, help="Address to listen on (default RV_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default RV_PORT or 7860).")
@click.option("--today", default=None, help="Freeze today (YYYY-MM-DD) for the chat.")
@reports_errors
def serve_command(
    index_dir: Path | None, host: str | None, port: int | None, today: str | None
) -> None:
    """Start the web chat (Gradio) on the indexed documents."""
    from ui.web import serve

    settings = _settings(index_dir, host=host, port=port)
    assistant = Assistant(settings)
    if assistant.store.count() == 0:
        click.secho(
            f"The index at {settings.index_dir} is empty: build it with `rv ingest` (or add "
            "documents from the page's staff tab); until then the page says it has none.",
            fg="yellow",
            err=True,
        )
    if not _is_loopback(settings.host) and not settings.password.get_secret_value():
        click.secho(
            f"Warning: the chat listens on {settings.host}, beyond this machine, without a "
            "password: anyone who can reach it can use it. Set RV_PASSWORD, or listen on "
            "127.0.0.1 (the default) behind a proxy that asks for one.",
            fg="yellow",
            err=True,
        )
    click.echo(f"Web chat on http://{settings.host}:{settings.port} (Ctrl-C stops it)")
    serve(assistant, settings.host, settings.port, settings.feedback_db, parse_today(today))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


@main.command("feedback")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Feedback file (default RV_FEEDBACK_DB or .rv/feedback.sqlite3).",
)  # fmt: skip
@reports_errors
def feedback_command(fmt: str, db: Path | None) -> None:
    """Export the web chat's feedback (question, answer, sources, rating, comment)."""
    from ui.feedback import FeedbackStore

    path = db or Settings().feedback_db
    click.echo(FeedbackStore(path).export(fmt), nl=False)


@main.command("documents")
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@reports_errors
def documents_command(index_dir: Path | None, as_json: bool) -> None:
    """List the indexed documents (title, URL, pages, chunks)."""
    assistant = Assistant(_settings(index_dir))
    assistant.require_index()
    docs = assistant.documents()
    if as_json:
        rows = [
            {
                "title": d.title,
                "source": d.source,
                "url": d.url,
                "pages": sorted(d.pages),
                "chunks": d.chunks,
                "ingested_at": d.ingested_at,
            }
            for d in docs
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for d in docs:
        pages = f", {len(d.pages)} pages" if d.pages else ""
        click.echo(f"{d.title}\n    {d.url or d.source}\n    {d.chunks} chunks{pages}")


if __name__ == "__main__":
    main()
