"""Ingest time and per-question latency on the default corpus (this machine: 2 cores, no GPU).

    python benchmarks/speed.py

Ingest is timed from a cold start (model load included) into an empty index; questions are
timed warm, as `rv ask --jsonl` and the web chat run them (model loaded once).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from retrieval import QUESTIONS

from assistant.service import Assistant
from index.settings import Settings


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        assistant = Assistant(Settings(index_dir=Path(tmp)))
        report = assistant.ingest()
        ingest_s = time.perf_counter() - started
        questions = [q for qs in QUESTIONS.values() for q, _ in qs]
        assistant.ask(questions[0])  # warm-up
        latencies = []
        for _ in range(3):
            for question in questions:
                started = time.perf_counter()
                assistant.ask(question)
                latencies.append(1000 * (time.perf_counter() - started))
        latencies.sort()
        p95 = latencies[int(0.95 * len(latencies)) - 1]
        print(
            f"ingest (cold, {len(report.added)} files, {assistant.store.count()} chunks): "
            f"{ingest_s:.1f} s"
        )
        print(
            f"ask, warm, {len(latencies)} questions: p50 {statistics.median(latencies):.0f} ms, "
            f"p95 {p95:.0f} ms"
        )


if __name__ == "__main__":
    main()
