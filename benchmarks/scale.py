"""Ingest time and retrieval latency at 1x, 10x and 100x the default corpus (synthetic).

    python benchmarks/scale.py 1 10 100

Copy i of a document is its text with " [i]" added to every line, so every chunk and
sentence is new to the embedder (nothing is served from the de-duplication). Ingest is
timed from a cold start: a fresh process loads the model and builds the index. Retrieval
and whole answers are timed warm over the golden set's questions.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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


def measure(factor: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
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
        )
        ingest_s = time.perf_counter() - started
        assistant = Assistant(Settings(index_dir=index))
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
            f"| {factor}x | {files} | {chunks} | {ingest_s:.1f} | "
            f"{statistics.median(retrieval):.0f} / {percentile(retrieval, 0.95):.0f} | "
            f"{statistics.median(answers):.0f} / {percentile(answers, 0.95):.0f} | {rss:.0f} |"
        )


def main() -> None:
    factors = [int(a) for a in sys.argv[1:]] or [1, 10]
    print(
        "| corpus | files | chunks | ingest s (cold) | retrieval p50 / p95 ms | "
        "answer p50 / p95 ms | peak RSS MB (asking) |"
    )
    print("|---|---|---|---|---|---|---|")
    for factor in factors:
        print(measure(factor), flush=True)


if __name__ == "__main__":
    main()
