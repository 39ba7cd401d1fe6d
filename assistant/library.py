"""What staff do with the documents from the web page: add, replace, remove, re-index.

Uploads are kept in ``Settings.documents_dir`` and indexed from there. Nothing is ever
deleted: the version a replace or remove takes away is moved to the hidden ``.earlier``
folder beside the uploads (ingest skips hidden folders), with the time it was put there.
Every change goes through the ingest pipeline, so it holds the index's write lock and is
committed per document like any `rv ingest`: the chat keeps answering from the previous
version until the new one is complete.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.settings import Settings
from index.store import VectorStore
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.metadata import source_key
from ingest.pipeline import (
    ChunkingOptions,
    Failure,
    IngestLimits,
    IngestReport,
    Progress,
    ingest,
    remove,
)
from ingest.staff_titles import StaffTitles, clean_title

#: Where earlier versions go, inside the documents folder (hidden: never indexed).
EARLIER = ".earlier"


def chunking_options(settings: Settings) -> ChunkingOptions:
    return ChunkingOptions(settings.chunk_size, settings.chunk_overlap)


def ingest_limits(settings: Settings) -> IngestLimits:
    return IngestLimits(
        max_file_bytes=int(settings.max_file_mb * 1e6),
        max_pdf_pages=settings.max_pdf_pages,
        file_seconds=settings.file_time_limit,
    )


@dataclass
class LibraryChange:
    """What one staff action did: the ingest's report, and where earlier files were kept."""

    report: IngestReport
    kept: list[tuple[str, str]] = field(default_factory=list)  # (document, kept copy)


class DocumentLibrary:
    """Staff's changes to the documents, written through ``store`` (a writer of its own)."""

    def __init__(self, settings: Settings, store: VectorStore) -> None:
        self._settings = settings
        self._store = store
        self.folder = settings.documents_dir
        self.titles = StaffTitles(settings.titles_path())

    def add(self, files: Sequence[Path], progress: Progress | None = None) -> LibraryChange:
        """Copy uploaded files into the documents folder and index them. A file of the
        same name as an earlier upload replaces it (the earlier one is kept)."""
        refused, accepted = self._checked(files)
        change = LibraryChange(IngestReport())
        targets = []
        for file in accepted:
            target = self.folder / safe_name(file.name)
            if problem := self._place(file, target, target, change):
                refused.append(Failure(file.name, problem, "not_writable"))
            else:
                targets.append(target)
        if targets:
            change.report = self._ingest(targets, progress)
            self._take_back_failed(change)
        change.report.failed[:0] = refused
        return change

    def _take_back_failed(self, change: LibraryChange) -> None:
        """An upload that could not be indexed leaves the documents folder (it would fail
        every re-index), and the version it displaced comes back: the index still answers
        from that one."""
        kept = dict(change.kept)
        for failure in change.report.failed:
            target = Path(failure.file)
            if target.parent.resolve() != self.folder.resolve():
                continue
            if earlier := kept.pop(str(target), None):
                shutil.copy2(earlier, target)
            else:
                target.unlink(missing_ok=True)
        change.kept = list(kept.items())

    def replace(self, source: str, file: Path, progress: Progress | None = None) -> LibraryChange:
        """Put ``file`` in the place of the indexed document ``source``: same folder and
        name (the new file's extension). The version it replaces is kept."""
        refused, _ = self._checked([file])
        if not refused and source not in self._store.indexed_documents():
            refused = [
                Failure(
                    source, "is not in the index; add the file as a new document", "not_indexed"
                )
            ]
        change = LibraryChange(IngestReport(failed=refused))
        if refused:
            return change
        old = Path(source)
        target = old.with_suffix(file.suffix.lower())
        if problem := self._place(file, target, old, change):
            change.report.failed.append(Failure(file.name, problem, "not_writable"))
            return change
        if source_key(target) != source:
            self.titles.move(source, source_key(target))
        change.report = self._ingest([target], progress)
        if source_key(target) != source:
            change.report.removed.extend(remove([source], self._store).removed)
        return change

    def _place(self, file: Path, target: Path, earlier: Path, change: LibraryChange) -> str:
        """Keep the earlier version, then write ``file`` at ``target``; a problem, or ''."""
        try:
            if earlier.exists():
                kept = self._keep(earlier, move=earlier != target)
                change.kept.append((str(earlier), str(kept)))
            _copy_atomically(file, target)
        except OSError as exc:
            return (
                f"cannot be written to {target.parent} ({exc.strerror or exc}); make the "
                "folder writable, or set RV_DOCUMENTS_DIR to one that is"
            )
        return ""

    def set_title(self, source: str, title: str, progress: Progress | None = None) -> LibraryChange:
        """Give the indexed document ``source`` the title ``title`` ('' gives back the title
        made from its text). The title is kept in the titles file (every later ingest reads
        it) and the document is indexed again with it. TitleTooLongError before anything
        changes; a document not in the index is reported."""
        cleaned = clean_title(title)
        if source not in self._store.indexed_documents():
            return LibraryChange(
                IngestReport(failed=[Failure(source, "is not in the index", "not_indexed")])
            )
        # Under the write lock: an ingest running now reads the titles before or after
        # this change, never while it is written.
        with self._store.writing():
            self.titles.set(source, cleaned)
        # A crash from here on leaves the previous version answering; the next ingest sees
        # the new title (a new version) and writes it.
        return LibraryChange(self._ingest([Path(source)], progress))

    def remove(self, source: str) -> LibraryChange:
        """Take a document out of the index; its file is moved to the kept versions, so
        that a later re-index does not bring it back, and nothing is lost."""
        kept = []
        path = Path(source)
        if path.exists():
            kept.append((source, str(self._keep(path, move=True))))
        return LibraryChange(remove([source], self._store), kept)

    def reindex(self, progress: Progress | None = None) -> LibraryChange:
        """Read every indexed document's file again, and the folders staff and the default
        corpus keep documents in: new files are added, changed ones replaced, and
        documents whose file is gone are removed."""
        return LibraryChange(self._ingest(self.reindex_paths(), progress, prune_missing=True))

    def reindex_paths(self) -> list[Path]:
        """The documents folder, the default corpus if anything of it is indexed, and each
        other indexed file: a re-index never pulls in a folder nobody ingested."""
        indexed = [Path(s) for s in self._store.indexed_documents()]
        folders = [self.folder.resolve()]
        corpus = self._settings.corpus_dir.resolve()
        if any(corpus in p.parents for p in indexed):
            folders.append(corpus)
        others = [p for p in indexed if p.exists() and not any(f in p.parents for f in folders)]
        return [f for f in folders if f.is_dir()] + sorted(others)

    def _ingest(
        self, paths: Sequence[Path], progress: Progress | None, prune_missing: bool = False
    ) -> IngestReport:
        return ingest(
            paths,
            self._store,
            chunking_options(self._settings),
            progress,
            ingest_limits(self._settings),
            prune_missing=prune_missing,
            titles=self.titles,
        )

    def _checked(self, files: Sequence[Path]) -> tuple[list[Failure], list[Path]]:
        """Refuse what could never be indexed before anything is copied."""
        refused: list[Failure] = []
        accepted: list[Path] = []
        limit = ingest_limits(self._settings).max_file_bytes
        allowed = ", ".join(sorted(SUPPORTED_SUFFIXES))
        for file in files:
            suffix = file.suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                refused.append(
                    Failure(
                        file.name,
                        f"is a {suffix or 'extension-less'} file; upload one of {allowed}",
                        "unsupported",
                    )
                )
            elif limit is not None and (size := file.stat().st_size) > limit:
                refused.append(
                    Failure(
                        file.name,
                        f"is larger than {limit / 1e6:,.0f} MB (RV_MAX_FILE_MB); split it",
                        "too_large",
                        (("limit", round(limit / 1e6, 1)), ("megabytes", round(size / 1e6, 1))),
                    )
                )
            else:
                accepted.append(file)
        return refused, accepted

    def _keep(self, path: Path, move: bool) -> Path:
        """Put a copy of ``path`` (or the file itself) among the earlier versions."""
        earlier = self.folder / EARLIER
        earlier.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        kept = earlier / f"{stamp}-{path.name}"
        if move:
            shutil.move(path, kept)
        else:
            shutil.copy2(path, kept)
        return kept


_UNSAFE = re.compile(r"[^\w.\- ]+")


def safe_name(name: str) -> str:
    """An uploaded file's own name, made safe to write: no folders, no hidden dot-files
    (ingest would skip them), nothing but letters, digits, spaces, dots and dashes."""
    base = _UNSAFE.sub("_", Path(name).name).strip(" .") or "document"
    return base[:120]


def _copy_atomically(source: Path, target: Path) -> None:
    """A crash while copying leaves no half file where ingest reads (a hidden partial)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
