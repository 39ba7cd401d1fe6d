"""Ingest time and retrieval latency at 1x, 10x and 100x the default corpus (synthetic).

    python benchmarks/scale.py [--server] 1 10 100

With --server the index lives in a Chroma server (`chroma run` on loopback, started here),
otherwise in the embedded store.

Copy i of a document is its text with " [i]" added to every line, so every chunk and
sentence is new to the embedder (nothing is served from the de-duplication). Ingest is
timed from a cold start: a fresh process loads the model and builds the index. Retrieval
and whole answers are timed warm over the golden set's questions.
"""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.service import Assistant
from evals.questions import DEFAULT_QUESTIONS, load_questions
from index.settings import Settings, default_corpus_dir


def synthetic_corpus(folder: Path, factor: int) -> int:
    from pypdf import PdfReader

    count = 0
    for path in sorted(default_corpus_dir().iterdir()):
        if path.suffix == ".pdf":
            text = "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)
        else:
            text = path.read_text(encoding="utf-8")
        for i in range(factor):
            lines = [f"{line} [{i}]" if line.strip() and i else line for line in text.splitlines()]
            (folder / f"{path.stem}-{i:03d}.txt").write_text("\n".join(lines), encoding="utf-8")
            count += 1
    return count


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * len(values)) - 1))]


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    chroma = Path(sys.executable).with_name("chroma")
    command = [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure(factor: int, server: bool) -> str:
    with (
        tempfile.TemporaryDirectory() as tmp,
        chroma_server(Path(tmp) / "server") if server else nullcontext("") as url,
    ):
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        files = synthetic_corpus(corpus, factor)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ui.cli",
                "ingest",
                str(corpus),
                "--index-dir",
                str(index),
                "--quiet",
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "RV_CHROMA_URL": url},
        )
        ingest_s = time.perf_counter() - started
        assistant = Assistant(Settings(index_dir=index, chroma_url=url))
        questions = [i.question for i in load_questions(DEFAULT_QUESTIONS)]
        assistant.ask(questions[0])  # warm-up: model, keyword index
        retrieval, answers = [], []
        for question in questions:
            started = time.perf_counter()
            assistant.retriever.retrieve(question, assistant.settings.top_k)
            retrieval.append(1000 * (time.perf_counter() - started))
            started = time.perf_counter()
            assistant.ask(question)
            answers.append(1000 * (time.perf_counter() - started))
        chunks = assistant.store.count()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return (
            f"| {'server' if server else 'embedded'} | {factor}x | {files} | {chunks} | "
            f"{ingest_s:.1f} | "
            f"{statistics.median(retrieval):.0f} / {percentile(retrieval, 0.95):.0f} | "
            f"{statistics.median(answers):.0f} / {percentile(answers, 0.95):.0f} | {rss:.0f} |"
        )


def main() -> None:
    server = "--server" in sys.argv[1:]
    factors = [int(a) for a in sys.argv[1:] if a != "--server"] or [1, 10]
    print(
        "| store | corpus | files | chunks | ingest s (cold) | retrieval p50 / p95 ms | "
        "answer p50 / p95 ms | peak RSS MB (asking) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for factor in factors:
        print(measure(factor, server), flush=True)


if __name__ == "__main__":
    main()
