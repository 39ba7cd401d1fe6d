"""The index in a real Chroma server (`chroma run`, shipped with the chromadb package) on
loopback: ingest, incremental re-ingest, crash recovery and answers as in embedded mode."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port, make_assistant
from test_crash_safety import clean_reference, kill_trials

from assistant.service import Assistant
from index.embedders import Embedder, HashingEmbedder
from index.errors import ConfigError
from index.store import ChromaStore

#: A real Chroma server and ingests killed in subprocesses: the whole-system check.
pytestmark = pytest.mark.slow

CHROMA = Path(sys.executable).with_name("chroma")
QUESTIONS = [
    "Wanneer is de volgende bijeenkomst?",
    "Welke initiatieven pakken eenzaamheid aan?",
    "Wie is Mieke Hollander?",
    "Where did the care education inspiration meeting in September take place?",
    "Wat kost een kop koffie in Parijs?",
]


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """A `chroma run` on loopback keeping its data in ``path``; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert process.poll() is None, "chroma run exited"
                assert time.time() < deadline, "chroma run did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(assistant: Assistant) -> list[dict[str, Any]]:
    out = []
    for question in QUESTIONS:
        answer = assistant.ask(question).as_dict()
        out.append({k: answer[k] for k in ("answer", "refused")} | {
            "citations": [(c["source"], c["quote"]) for c in answer["citations"]]
        })  # fmt: skip
    return out


def _documents(assistant: Assistant) -> dict[str, tuple[str, int]]:
    return {d.source: (d.content_hash, d.chunks) for d in assistant.documents()}


def test_the_server_index_ingests_and_answers_as_the_embedded_one(
    tmp_path: Path, corpus_copy: Path, e5: Embedder
) -> None:
    embedded = make_assistant(tmp_path / "embedded", e5, corpus_dir=corpus_copy)
    with chroma_server(tmp_path / "server") as url:
        served = make_assistant(tmp_path / "lock", e5, corpus_dir=corpus_copy, chroma_url=url)
        for assistant in (embedded, served):
            report = assistant.ingest()
            assert report.ok and len(report.added) == 5, report.as_dict()
        assert _documents(served) == _documents(embedded)
        assert len(served.events()) == len(embedded.events()) > 0
        assert _answers(served) == _answers(embedded)

        changed = corpus_copy / "001_387224a3b32bf87f.txt"
        changed.write_text(changed.read_text(encoding="utf-8") + "\n\nEen nieuwe alinea.\n")
        (corpus_copy / "002_ca98f6bc809a9a9c.txt").unlink()
        reports = [a.ingest().as_dict() for a in (embedded, served)]
        for report in reports:
            assert (len(report["updated"]), len(report["removed"]), len(report["skipped"])) == (
                1, 1, 3,
            )  # fmt: skip
        assert _documents(served) == _documents(embedded)
        assert _answers(served) == _answers(embedded)
        # A second client (another process would be one) sees the same index.
        other = make_assistant(tmp_path / "lock2", e5, corpus_dir=corpus_copy, chroma_url=url)
        assert _documents(other) == _documents(served)


def test_a_killed_ingest_into_the_server_is_repaired_by_the_next(tmp_path: Path) -> None:
    """Five kills at random moments, each trial in a fresh server; compared with a clean
    embedded ingest (the index must not depend on where it is kept)."""
    kill_trials(tmp_path, clean_reference(tmp_path / "reference"), trials=5, server=chroma_server)


def test_an_unreachable_server_is_named_with_how_to_start_one(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(ConfigError, match="chroma run"):
        ChromaStore(tmp_path, HashingEmbedder(), {"x": 1}, url=f"http://127.0.0.1:{port}")
    with pytest.raises(ConfigError, match="not an http"):
        ChromaStore(tmp_path, HashingEmbedder(), {"x": 1}, url="ftp://example")
