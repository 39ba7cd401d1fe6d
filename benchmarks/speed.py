"""Ingest time and per-question latency on the default corpus (this machine: 2 cores, no GPU).

    python benchmarks/speed.py

Ingest is timed from a cold start (model load included) into an empty index; questions are
timed warm, as `rv ask --jsonl` and the web chat run them (model loaded once), with the
learned answer chooser (the default) and the hand-set baseline side by side.
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
        print(
            f"ingest (cold, {len(report.added)} files, {assistant.store.count()} chunks): "
            f"{ingest_s:.1f} s"
        )
        # The learned chooser beside the hand-set baseline, over the same index, each
        # question asked of both in turn (so that both meet the same machine load).
        baseline = Assistant(Settings(index_dir=Path(tmp), answer_chooser="hand-set"))
        systems = {"learned": assistant, "hand-set": baseline}
        for system in systems.values():
            system.ask(questions[0])  # warm-up
        latencies: dict[str, list[float]] = {name: [] for name in systems}
        # Each question once: a question asked again finds its vector and its chunks'
        # sentences kept, and is no new question.
        for question in questions:
            for name, system in systems.items():
                started = time.perf_counter()
                system.ask(question)
                latencies[name].append(1000 * (time.perf_counter() - started))
        for name, found in latencies.items():
            found.sort()
            p95 = found[int(0.95 * len(found)) - 1]
            print(
                f"ask, warm, new questions, {name} chooser, {len(found)}: "
                f"p50 {statistics.median(found):.0f} ms, p95 {p95:.0f} ms"
            )


if __name__ == "__main__":
    main()
