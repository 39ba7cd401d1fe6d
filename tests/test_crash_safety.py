"""Crash safety and one writer at a time, with real `rv ingest` processes killed mid-write.

Each trial kills an ingest (SIGKILL, at a random moment of its run) that updates one
document, adds two and removes one. Right after the kill the index must answer from
complete document versions only; after the next ingest it must equal a clean ingest of the
same files: the same chunks, sentences and events per document, no orphans, no stray files.

The embedder is the model-free hashing one: what is tested is the store's writes, and a
real model would only make each trial slower.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import chromadb
import pytest
from conftest import CORPUS, rv_serve

from assistant.service import Assistant
from index.settings import Settings

RV = Path(sys.executable).with_name("rv")
TRIALS = int(os.environ.get("RV_CRASH_TRIALS", "20"))
NEW_EVENT = (
    "\n\nDe volgende bijeenkomst over zorgonderwijs vindt plaats op 14 januari 2027 in "
    "Kanaal30 in Utrecht. Iedereen die wil meedenken is welkom.\n"
)

#: Real ingests killed and rerun in subprocesses: minutes, the whole-system check.
pytestmark = pytest.mark.slow


def _env(index_dir: Path, url: str = "") -> dict[str, str]:
    return {
        **os.environ,
        "RV_EMBEDDER": "hashing",
        "RV_INDEX_DIR": str(index_dir),
        "RV_TERM_BRIDGE": "false",
        "RV_CHROMA_URL": url,
    }


def _settings(index_dir: Path, corpus: Path, url: str = "") -> Settings:
    return Settings(
        index_dir=index_dir,
        corpus_dir=corpus,
        embedder="hashing",
        term_bridge=False,  # type: ignore[call-arg]
        chroma_url=url,
    )


def _first_version(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in (
        "001_387224a3b32bf87f.txt",
        "002_ca98f6bc809a9a9c.txt",
        "000_5de1ae5a7503ed65.pdf",
    ):
        shutil.copy(CORPUS / name, folder / name)
    return folder


def _second_version(folder: Path) -> None:
    """One document changed (with a new event), two added, one removed."""
    changed = folder / "001_387224a3b32bf87f.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + NEW_EVENT, encoding="utf-8")
    shutil.copy(CORPUS / "003_961ecb2c01a223c3.txt", folder / "003_961ecb2c01a223c3.txt")
    shutil.copy(CORPUS / "004_c470ea04556890eb.pdf", folder / "004_c470ea04556890eb.pdf")
    (folder / "002_ca98f6bc809a9a9c.txt").unlink()


def _ingest(index_dir: Path, corpus: Path, url: str = "") -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(RV), "ingest", str(corpus), "--json"],
        env=_env(index_dir, url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _name(source: object) -> str:
    """A source without its folder: the reference and the trials ingest different folders."""
    return Path(str(source)).name


def _raw_counts(index_dir: Path, url: str = "") -> dict[str, Any]:
    """What the index holds, read past the store: records per collection and source."""
    client = (
        chromadb.HttpClient(host="127.0.0.1", port=int(url.rsplit(":", 1)[1]))
        if url
        else chromadb.PersistentClient(path=str(index_dir))
    )
    counts: dict[str, Any] = {}
    for collection in client.list_collections():
        if collection.name.endswith("-words"):
            # The term bridge's word vectors: one per word, whichever document brought it,
            # kept when a document goes (a killed ingest's words are the rerun's words too).
            continue
        found = collection.get(include=["metadatas"])
        per_source = Counter(_name((m or {}).get("source")) for m in found["metadatas"] or [])
        counts[collection.name.split("-", 2)[-1] if "-" in collection.name[3:] else "chunks"] = (
            dict(per_source)
        )
    return counts


def _state(index_dir: Path, corpus: Path, url: str = "") -> dict[str, Any]:
    """Per document: chunks, sentences and events as readers see them, plus raw totals."""
    assistant = Assistant(_settings(index_dir, corpus, url))
    store = assistant.store
    documents = store.indexed_documents()
    events = Counter(e.source for e in store.events())
    chunks = store.all_chunks()
    sentences = Counter(
        sv.chunk_id.split(":")[0] for sv in store.sentence_vectors([c.id for c in chunks])
    )
    return {
        "documents": {_name(s): d.chunks for s, d in documents.items()},
        "events": {_name(s): n for s, n in events.items()},
        "sentences": sum(sentences.values()),
        "raw": _raw_counts(index_dir, url),
        "stray": sorted(p.name for p in index_dir.glob("*.tmp")),
    }


def _assert_answers_from_complete_versions(index_dir: Path, corpus: Path, url: str = "") -> None:
    assistant = Assistant(_settings(index_dir, corpus, url))
    store = assistant.store
    documents = store.indexed_documents()
    chunk_ids = {c.id for c in store.all_chunks()}
    by_document = Counter(str(c.metadata["source"]) for c in store.all_chunks())
    for source, document in documents.items():
        assert by_document[source] == document.chunks, source
    assert len({sv.chunk_id for sv in store.sentence_vectors(sorted(chunk_ids))}) == len(
        chunk_ids
    ), "a visible chunk has no sentence vectors"
    answer = assistant.ask("Wanneer is de volgende bijeenkomst over zorgonderwijs?")
    for citation in answer.citations:
        assert citation.source in documents


def clean_reference(base: Path) -> tuple[dict[str, Any], float]:
    """A clean ingest of the second version, and how long an ingest of it takes."""
    corpus = _first_version(base / "corpus")
    _second_version(corpus)
    started = time.monotonic()
    done = _ingest(base / "index", corpus)
    assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""
    seconds = time.monotonic() - started
    return _state(base / "index", corpus), seconds


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], float]:
    return clean_reference(tmp_path_factory.mktemp("reference"))


def kill_trials(
    tmp_path: Path,
    reference: tuple[dict[str, Any], float],
    trials: int,
    server: Callable[[Path], AbstractContextManager[str]] | None = None,
) -> None:
    """``trials`` times: ingest the first version, kill the ingest of the second at a random
    moment, check the answers, ingest again and compare with the clean reference. With
    ``server``, each trial's index lives in a fresh Chroma server (its URL)."""
    expected, seconds = reference
    assert expected["documents"] and expected["events"]
    rng = random.Random(20261202)
    killed_while_running = 0
    for trial in range(trials):
        folder = tmp_path / f"trial{trial}"
        folder.mkdir()
        with server(folder / "server") if server else nullcontext("") as url:
            corpus = _first_version(folder / "corpus")
            index_dir = folder / "index"
            first = Assistant(_settings(index_dir, corpus, url)).ingest()
            assert first.ok, first.failed
            _second_version(corpus)
            process = _ingest(index_dir, corpus, url)
            time.sleep(rng.uniform(0.2, 1.0) * seconds)
            if process.poll() is None:
                killed_while_running += 1
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)

            _assert_answers_from_complete_versions(index_dir, corpus, url)
            again = _ingest(index_dir, corpus, url)
            assert again.wait(timeout=300) == 0, again.stderr.read() if again.stderr else ""
            assert _state(index_dir, corpus, url) == expected, f"trial {trial}"
    assert killed_while_running >= trials // 2, "too few kills landed during an ingest"


def test_a_killed_ingest_leaves_an_answerable_index_that_the_next_ingest_repairs(
    tmp_path: Path, reference: tuple[dict[str, Any], float]
) -> None:
    kill_trials(tmp_path, reference, TRIALS)


def test_a_second_ingest_into_the_same_index_waits_for_the_first_or_says_it_is_busy(
    tmp_path: Path,
) -> None:
    corpus = _first_version(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    store = Assistant(_settings(index_dir, corpus)).store
    with store.writing():
        env = {**_env(index_dir), "RV_WRITE_LOCK_TIMEOUT": "1"}
        busy = subprocess.run(
            [str(RV), "ingest", str(corpus)], env=env, capture_output=True, text=True, timeout=120
        )
    assert busy.returncode == 3
    assert "Another ingest is writing to the index" in busy.stderr
    assert "RV_WRITE_LOCK_TIMEOUT" in busy.stderr
    assert not Assistant(_settings(index_dir, corpus)).store.indexed_documents()
    # Released, the same command goes through.
    done = subprocess.run(
        [str(RV), "ingest", str(corpus)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_two_ingests_at_once_end_as_one_clean_ingest(
    tmp_path: Path, reference: tuple[dict[str, Any], float]
) -> None:
    expected, _ = reference
    corpus = _first_version(tmp_path / "corpus")
    _second_version(corpus)
    index_dir = tmp_path / "index"
    runs = [_ingest(index_dir, corpus) for _ in range(3)]
    assert [r.wait(timeout=300) for r in runs] == [0, 0, 0]
    assert _state(index_dir, corpus) == expected


def test_a_running_server_answers_from_each_new_revision_without_errors(tmp_path: Path) -> None:
    """Ten rounds of: ingest a new document beside `rv serve`, then ask about it, while
    another client keeps asking throughout. No request may fail, and each new document
    must be answered from within a few seconds, without a restart."""
    import threading

    from gradio_client import Client

    corpus = _first_version(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    assert Assistant(_settings(index_dir, corpus)).ingest().ok
    env = {**_env(index_dir), "RV_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3")}
    errors: list[str] = []
    stop = threading.Event()
    with rv_serve(env) as served:
        url = served.url

        def keep_asking() -> None:
            client = Client(url, verbose=False)
            while not stop.is_set():
                try:
                    client.predict("Wie is Mieke Hollander?", "", api_name="/ask")
                except Exception as exc:  # any failure of the server counts
                    errors.append(repr(exc))

        background = threading.Thread(target=keep_asking, daemon=True)
        background.start()
        client = Client(url, verbose=False)
        names = "Zonnebloem Klaproos Korenbloem Madelief Lavendel Goudsbloem Vergeetmeniet".split()
        names += ["Boterbloem", "Pinksterbloem", "Duizendblad"]
        for round_, name in enumerate(names):
            (corpus / f"nieuw_{round_}.txt").write_text(
                f"Het project {name}\n\nHet project {name} brengt sinds dit voorjaar "
                f"bewoners en zorgverleners samen in wijk {round_ + 1}.\n",
                encoding="utf-8",
            )
            done = subprocess.run(
                [str(RV), "ingest", str(corpus)], env=env, capture_output=True, timeout=300
            )
            assert done.returncode == 0, done.stderr
            deadline = time.time() + 10
            while True:
                answer = client.predict(f"Wat doet het project {name}?", "", api_name="/ask")
                if name in answer["answer"]:
                    break
                assert time.time() < deadline, f"round {round_}: {answer['answer']}"
                time.sleep(0.5)
        stop.set()
        background.join(timeout=60)  # its last request ends before the server does
    assert errors == []


def test_a_version_that_failed_before_its_commit_stays_invisible_and_is_repaired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one process: the new version's chunks and sentences are written, then the write
    stops before its commit record. Readers keep the old version; repair removes the rest."""
    from index.store import ChromaStore
    from ingest.pipeline import ChunkingOptions, prepare

    corpus = _first_version(tmp_path / "corpus")
    assistant = Assistant(_settings(tmp_path / "index", corpus))
    assert assistant.ingest().ok
    store = assistant.store
    path = corpus / "001_387224a3b32bf87f.txt"
    before = store.indexed_documents()[str(path.resolve())]
    path.write_text(path.read_text(encoding="utf-8") + NEW_EVENT, encoding="utf-8")
    chunks, events = prepare(path, path.read_bytes(), ChunkingOptions(1000, 150))

    def crash(self: ChromaStore, source: str, record: object) -> None:
        raise KeyboardInterrupt("killed before the commit")

    monkeypatch.setattr(ChromaStore, "_commit", crash)
    with pytest.raises(KeyboardInterrupt):
        store.replace_document(str(path.resolve()), chunks, events)
    monkeypatch.undo()

    after = store.indexed_documents()[str(path.resolve())]
    assert (after.content_hash, after.chunks) == (before.content_hash, before.chunks)
    visible = [c for c in store.all_chunks() if c.metadata["source"] == str(path.resolve())]
    assert {c.metadata["content_hash"] for c in visible} == {before.content_hash}
    found = store.repair()
    assert any("chunks of no complete document version" in f for f in found)
    assert any("sentences of no complete document version" in f for f in found)
    assert store.repair() == []


def test_the_file_route_serves_the_indexed_documents_only_and_follows_ingests(
    tmp_path: Path,
) -> None:
    """Beside an indexed document lie a .env with a key and an un-ingested draft; outside
    lies the target of a symlink. Only indexed documents are served, also those a later
    ingest adds."""
    import httpx
    from gradio_client import Client

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "001_387224a3b32bf87f.txt", corpus / "bericht.txt")
    (corpus / ".env").write_text("RV_OPENAI_API_KEY=sk-secret\n")
    (corpus / "concept.docx").write_bytes(b"PK\x03\x04 draft")
    outside = tmp_path / "outside.txt"
    outside.write_text("Niet voor het publiek.\n")
    (corpus / "link.md").symlink_to(outside)
    index_dir = tmp_path / "index"
    ingest = [str(RV), "ingest", str(corpus / "bericht.txt")]
    # The feedback file's folder is never served: it is kept apart from the documents.
    feedback = tmp_path / "feedback" / "feedback.sqlite3"
    env = {**_env(index_dir), "RV_FEEDBACK_DB": str(feedback)}
    assert subprocess.run(ingest, env=env, capture_output=True).returncode == 0
    with rv_serve(env) as served:
        base = served.url.rstrip("/")

        def status(path: Path) -> int:
            return httpx.get(f"{base}/gradio_api/file={path}", timeout=10).status_code

        assert status(corpus / "bericht.txt") == 200
        for refused in (corpus / ".env", corpus / "concept.docx", corpus / "link.md", outside):
            assert status(refused) in (403, 404), refused
        shutil.copy(CORPUS / "002_ca98f6bc809a9a9c.txt", corpus / "tweede.txt")
        later = [str(RV), "ingest", str(corpus / "tweede.txt")]
        assert subprocess.run(later, env=env, capture_output=True).returncode == 0
        Client(f"{base}/", verbose=False).predict("Wie is Mieke Hollander?", "", api_name="/ask")
        assert status(corpus / "tweede.txt") == 200
        assert status(corpus / ".env") in (403, 404)
