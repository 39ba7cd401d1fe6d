"""Questions answered side by side: the same answers as one at a time, and a short run of
the load benchmark against a real `rv serve` (its figures are the README's, not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant.service import Assistant

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "Wanneer is de volgende bijeenkomst?",
    "Welke initiatieven pakken eenzaamheid aan?",
    "Wie is Mieke Hollander?",
    "Where did the care education inspiration meeting in September take place?",
    "Hoeveel gezinnen kregen in 2021 jeugdzorg?",
    "Wat kost een kop koffie in Parijs?",
]


def test_answers_in_parallel_threads_equal_answers_one_at_a_time(
    corpus_index: Assistant,
) -> None:
    def answer(question: str) -> dict[str, object]:
        return corpus_index.ask(question).as_dict()

    serial = [answer(q) for q in QUESTIONS]
    with ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(3):
            parallel = list(pool.map(answer, QUESTIONS * 2))
            assert parallel == serial * 2


def test_a_short_load_run_has_no_errors_and_stable_answers(corpus_index: Assistant) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks/load.py"), "--users", "6", "--seconds", "20",
         "--think", "0.2", "--index-dir", str(corpus_index.settings.index_dir)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["requests"] > 20
    assert result["errors"] == 0, result["first_errors"]
    assert result["same_answer_every_time"]
    assert result["server_rss_mb"]["peak"] < 1024
