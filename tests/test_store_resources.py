"""A store no longer used gives back its open files: a real embedded Chroma store (with the
hashing embedder: what is tested is Chroma's files, not the vectors)."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from langchain_core.documents import Document

from index.embedders import HashingEmbedder
from index.store import ChromaStore


def _open_files(folder: Path) -> int:
    """This process's open files under ``folder`` (other tests' stores may come and go)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith(str(folder))
        except OSError:  # closed meanwhile
            continue
    return count


def _store_with_a_document(folder: Path) -> ChromaStore:
    store = ChromaStore(folder, HashingEmbedder(), {"embedder": "hashing"})  # type: ignore[arg-type]
    chunk = Document(
        page_content="De raad vergadert elke maand.",
        metadata={"source": "a.txt", "content_hash": "abc", "title": "Raad"},
    )
    with store.writing():
        store.replace_document("a.txt", [chunk])
    assert store.search("raad", 1)  # the vector index is loaded: its files are open
    return store


def test_a_closed_or_forgotten_store_leaves_no_files_open(tmp_path: Path) -> None:
    before = _open_files(tmp_path)
    for n in range(3):
        store = _store_with_a_document(tmp_path / f"closed{n}")
        assert _open_files(tmp_path) > before
        store.close()
        store.close()  # twice is harmless
    closed = _open_files(tmp_path)
    for n in range(3):
        _store_with_a_document(tmp_path / f"forgotten{n}")
        gc.collect()
    forgotten = _open_files(tmp_path)
    # Without stopping, each store kept about 20 files open (its sqlite and hnsw files);
    # the last store's database connection may stay open until its thread's next query.
    assert closed - before <= 3, (before, closed)
    assert forgotten - before <= 3, (before, forgotten)
