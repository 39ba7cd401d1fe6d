"""Ingest: files in, cleaned chunks into the index; incremental and exact.

Unchanged files are skipped by content hash, changed files replace their chunks, files that
disappeared from an ingested folder leave the index. A file that cannot be read is reported
and keeps whatever the index already had for it. One ingest writes to an index at a time,
and each starts by repairing what an interrupted one left (``VectorStore.repair``).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NamedTuple, Protocol

from langchain_core.documents import Document

from index.errors import DocumentError, DocumentProblem, RvError
from index.events import Event
from index.settings import Settings
from index.store import IndexedDocument, VectorStore
from ingest.chunking import chunk_document
from ingest.cleaning import clean_pages
from ingest.events import extract_events
from ingest.loaders import load_document
from ingest.metadata import document_metadata, source_key, version_hash
from ingest.staff_titles import StaffTitles


class Failure(NamedTuple):
    """A file that was not indexed: its name, the problem in English (for the log and the
    CLI), and the problem's kind and numbers, which the staff page says in its language."""

    file: str
    problem: str
    kind: DocumentProblem = "unreadable"
    numbers: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, file: str, error: RvError) -> Failure:
        if isinstance(error, DocumentError):
            numbers = tuple(sorted(error.numbers.items()))
            return cls(file, error.problem, error.problem_kind, numbers)
        return cls(file, str(error))

    def error(self) -> DocumentError:
        """The DocumentError this failure records."""
        return DocumentError(self.file, self.problem, self.kind, **dict(self.numbers))


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    #: What an interrupted earlier write had left behind, and was removed.
    repaired: list[str] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "skipped": self.skipped,
            "failed": [{"file": f.file, "problem": f.problem, "kind": f.kind} for f in self.failed],
            "repaired": self.repaired,
            "chunks_written": self.chunks_written,
            "seconds": round(self.seconds, 2),
        }


class Progress(Protocol):
    """Told about each file as it is handled; the CLI draws a progress bar with it."""

    def start(self, total: int) -> None: ...

    def advance(self, label: str) -> None: ...


@dataclass(frozen=True)
class ChunkingOptions:
    chunk_size: int
    chunk_overlap: int


@dataclass(frozen=True)
class IngestLimits:
    """What one file may be, checked before any parsing or embedding work, and how long its
    reading, cleaning and chunking may take (None: no limit)."""

    max_file_bytes: int | None = None
    max_pdf_pages: int | None = None
    #: Settings.file_time_limit (RV_FILE_TIME_LIMIT): past it the file's work is stopped.
    file_seconds: float | None = Settings.model_fields["file_time_limit"].default


def prepare(
    path: Path,
    data: bytes,
    options: ChunkingOptions,
    limits: IngestLimits = IngestLimits(),
    staff_title: str | None = None,
) -> tuple[list[Document], list[Event]]:
    """Load, clean and chunk one file, and find its dated events (no index involved);
    ``staff_title``, when staff gave the document one, is its title.

    Whatever a parser raises on a hostile or broken file (pypdf's ``DependencyError`` for
    an AES-encrypted PDF, a ``RecursionError`` for deeply nested markup) is that file's
    problem, reported with its name: the ingest goes on with the next file."""
    try:
        loaded = load_document(path, data, limits.max_pdf_pages)
    except DocumentError:
        raise
    except Exception as exc:  # a third-party parser's own error types are open-ended
        raise DocumentError(path, f"could not be read ({type(exc).__name__}: {exc})") from exc
    clean = clean_pages(loaded.pages, block_paragraphs=loaded.kind in ("html", "markdown"))
    if not clean.text.strip():
        raise DocumentError(path, "no text is left after cleaning", "no_text")
    metadata = document_metadata(
        loaded, clean, version_hash(data, staff_title), source_key(path), staff_title
    )
    chunks = chunk_document(
        clean, metadata, options.chunk_size, options.chunk_overlap, loaded.has_pages
    )
    return chunks, extract_events(clean, metadata, loaded.has_pages)


def prepare_bounded(
    path: Path,
    data: bytes,
    options: ChunkingOptions,
    limits: IngestLimits = IngestLimits(),
    staff_title: str | None = None,
) -> tuple[list[Document], list[Event]]:
    """``prepare`` within ``limits.file_seconds``: in a child process, stopped when it takes
    longer (a thread cannot be stopped, and a parser caught in a regex would go on holding
    a core and the index's write lock). DocumentError names the file when it does."""
    if limits.file_seconds is None:
        return prepare(path, data, options, limits, staff_title)
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the parsers once; each file's child is forked from it, so a
    # file costs a fork, not a fresh interpreter.
    context.set_forkserver_preload([__name__])
    receiving, sending = context.Pipe(duplex=False)
    worker = context.Process(
        target=_prepare_and_send,
        args=(sending, path, data, options, limits, staff_title),
        daemon=True,
    )
    worker.start()
    sending.close()
    try:
        if not receiving.poll(limits.file_seconds):
            raise DocumentError(
                path,
                f"took longer than {limits.file_seconds:g} s to read, clean and chunk; it was "
                "skipped (RV_FILE_TIME_LIMIT)",
                "too_slow",
                seconds=limits.file_seconds or 0.0,
            )
        outcome: tuple[list[Document], list[Event]] | Failure = receiving.recv()
    except EOFError:
        worker.join()
        raise DocumentError(
            path, f"its reading process ended without a result (exit code {worker.exitcode})"
        ) from None
    finally:
        receiving.close()
        if worker.is_alive():
            worker.kill()
        worker.join()
    if isinstance(outcome, Failure):
        raise outcome.error()
    return outcome


def _prepare_and_send(
    sending: Connection,
    path: Path,
    data: bytes,
    options: ChunkingOptions,
    limits: IngestLimits,
    staff_title: str | None,
) -> None:
    """In the child: the chunks and events, or the DocumentError as a Failure (exceptions
    of our own kind do not survive pickling with their fields)."""
    try:
        outcome: tuple[list[Document], list[Event]] | Failure = prepare(
            path, data, options, limits, staff_title
        )
    except DocumentError as exc:
        outcome = Failure.of(str(path), exc)
    sending.send(outcome)
    sending.close()


def prepare_document(path: Path, data: bytes, options: ChunkingOptions) -> list[Document]:
    """The chunks of one file."""
    return prepare(path, data, options)[0]


_BROKEN_LINK = "is a symbolic link that leads nowhere (a loop, or its target is gone)"


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Failure]]:
    """Files to ingest under ``paths`` (folders recursively), and paths that don't exist."""
    files: list[Path] = []
    missing: list[Failure] = []
    for path in paths:
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if any(part.startswith(".") for part in p.relative_to(path).parts):
                    continue
                if p.is_file():
                    files.append(p)
                elif p.is_symlink() and not p.exists():
                    missing.append(Failure(str(p), _BROKEN_LINK, "missing"))
        elif path.is_file():
            files.append(path)
        elif path.is_symlink():
            missing.append(Failure(str(path), _BROKEN_LINK, "missing"))
        else:
            missing.append(Failure(str(path), "no such file or folder", "missing"))
    return list(dict.fromkeys(files)), missing


def _under(source: str, roots: Iterable[Path]) -> bool:
    source_path = Path(source)
    return any(source_path == root or root in source_path.parents for root in roots)


def ingest(
    paths: Sequence[Path],
    store: VectorStore,
    options: ChunkingOptions,
    progress: Progress | None = None,
    limits: IngestLimits = IngestLimits(),
    prune_missing: bool = False,
    titles: StaffTitles | None = None,
) -> IngestReport:
    """Index ``paths``. ``prune_missing`` also removes every indexed document whose file is
    gone, wherever it was (a re-index of everything); otherwise only those under ``paths``.
    ``titles``: the titles staff gave, read under the write lock, so that an ingest never
    writes a title older than one a writer before it wrote."""
    with store.writing():
        staff = titles.read() if titles is not None else {}
        return _ingest_locked(paths, store, options, progress, limits, prune_missing, staff)


def remove(sources: Sequence[str], store: VectorStore) -> IngestReport:
    """Take documents out of the index (their files are left alone), holding the lock."""
    started = time.perf_counter()
    report = IngestReport()
    with store.writing():
        report.repaired.extend(store.repair())
        indexed = store.indexed_documents()
        for source in sources:
            if source not in indexed:
                report.failed.append(
                    Failure(source, "is not in the index (nothing was removed)", "not_indexed")
                )
                continue
            store.remove_document(source)
            report.removed.append(source)
    report.seconds = time.perf_counter() - started
    return report


def _ingest_locked(
    paths: Sequence[Path],
    store: VectorStore,
    options: ChunkingOptions,
    progress: Progress | None,
    limits: IngestLimits,
    prune_missing: bool,
    staff_titles: Mapping[str, str],
) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    report.repaired.extend(store.repair())
    files, missing = discover(paths)
    report.failed.extend(missing)
    indexed = store.indexed_documents()
    if progress:
        progress.start(len(files))
    seen: set[str] = set()
    for path in files:
        source = source_key(path)
        seen.add(source)
        try:
            _ingest_file(
                path, source, store, options, limits, indexed, report, staff_titles.get(source)
            )
        except RvError as exc:
            report.failed.append(Failure.of(str(path), exc))
        if progress:
            progress.advance(path.name)
    roots = [p.resolve() for p in paths if p.exists()]
    for source in indexed:
        gone = source not in seen and not Path(source).exists()
        if gone and (prune_missing or _under(source, roots)):
            store.remove_document(source)
            report.removed.append(source)
    report.seconds = time.perf_counter() - started
    return report


def _ingest_file(
    path: Path,
    source: str,
    store: VectorStore,
    options: ChunkingOptions,
    limits: IngestLimits,
    indexed: dict[str, IndexedDocument],
    report: IngestReport,
    staff_title: str | None = None,
) -> None:
    try:
        size = path.stat().st_size
        if limits.max_file_bytes is not None and size > limits.max_file_bytes:
            raise DocumentError(
                path,
                f"is {size / 1e6:,.1f} MB; the limit is {limits.max_file_bytes / 1e6:,.1f} MB "
                "(RV_MAX_FILE_MB); split it, or raise the limit",
                "too_large",
                megabytes=round(size / 1e6, 1),
                limit=round(limits.max_file_bytes / 1e6, 1),
            )
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(path, f"cannot be read ({exc.strerror or exc})", "unreadable") from exc
    previous = indexed.get(source)
    # A new or changed staff title is a new version too (version_hash).
    if previous is not None and previous.content_hash == version_hash(data, staff_title):
        report.skipped.append(source)
        return
    chunks, events = prepare_bounded(path, data, options, limits, staff_title)
    store.replace_document(source, chunks, events)
    report.chunks_written += len(chunks)
    (report.updated if previous is not None else report.added).append(source)
