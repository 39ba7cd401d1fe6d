"""Load on `rv serve`: simulated users asking the eval sets' questions through the API.

    python benchmarks/load.py [--users 20] [--seconds 120] [--think 2.0] [--index-dir DIR]

Starts `rv serve` on loopback (the index in --index-dir, default the eval index of the
default corpus), then runs ``users`` threads for ``seconds`` (bounded): each asks a random
question of the default and corpus-more sets through Gradio's `ask` endpoint (its plain
HTTP API, as curl would use it: the users share the server's 2 cores, and gradio_client
spent 136 ms of CPU per request against the server's 42), waits for the answer, thinks for
a random 0-2x ``think`` seconds (0: asks again at once), and asks again.
Reports requests, errors, latency p50/p95/max, the server's RSS at the start, its peak and
at the end, and whether every question got one and the same answer throughout (the answers
under load against each other, not against a single user's run).

Prints one JSON object; the README's figures come from it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent.parent
QUESTION_FILES = [HERE / "evals/questions.yaml", HERE.parent / "shared/corpus-more/questions.yaml"]


def questions() -> list[str]:
    import yaml

    found: list[str] = []
    for path in QUESTION_FILES:
        if path.exists():
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            items = data["questions"] if isinstance(data, dict) else data
            found += [str(q["question"]) for q in items if not q.get("history")]
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak, in MB (Linux /proc)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def start_server(index_dir: Path, feedback: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "RV_INDEX_DIR": str(index_dir),
           "RV_FEEDBACK_DB": str(feedback)}  # fmt: skip
    rv = Path(sys.executable).with_name("rv")
    process = subprocess.Popen(
        [str(rv), "serve", "--port", str(port), "--today", "2026-11-22"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.time() + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError("rv serve did not start") from None
            time.sleep(0.3)
    return process, f"http://127.0.0.1:{port}/"


class AskError(Exception):
    """The server answered the request with an error event."""


def ask(client: httpx.Client, question: str) -> dict[str, Any]:
    """One question through Gradio's HTTP API: post it, then read the event stream to its
    end (https://www.gradio.app/guides/querying-gradio-apps-with-curl)."""
    posted = client.post("gradio_api/call/ask", json={"data": [question, ""]})
    posted.raise_for_status()
    event_id = posted.json()["event_id"]
    event = ""
    with client.stream("GET", f"gradio_api/call/ask/{event_id}") as stream:
        stream.raise_for_status()
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:") and event == "complete":
                return dict(json.loads(line.removeprefix("data:"))[0])
            elif line.startswith("data:") and event == "error":
                raise AskError(line.removeprefix("data:").strip())
    raise AskError(f"the event stream ended without an answer (last event {event!r})")


def run(url: str, pid: int, users: int, seconds: float, think: float) -> dict[str, Any]:
    pool = questions()
    with httpx.Client(base_url=url, timeout=120) as warm:
        ask(warm, pool[0])  # first-use loads
    latencies: list[float] = []
    errors: list[str] = []
    answers: dict[str, set[str]] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    rss_start, _ = _rss_mb(pid)
    samples: list[float] = []

    def user(seed: int) -> None:
        rng = random.Random(seed)
        client = httpx.Client(base_url=url, timeout=120)
        while time.monotonic() < stop_at:
            question = rng.choice(pool)
            started = time.perf_counter()
            try:
                answer = ask(client, question)
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    answers.setdefault(question, set()).add(str(answer["answer"]))
            except Exception as exc:  # any failure counts as an error
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
            if think:
                time.sleep(rng.uniform(0, 2 * think))
        client.close()

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        samples.append(_rss_mb(pid)[0])
        time.sleep(1.0)
        if time.monotonic() > stop_at + 60:
            break  # bounded: a request stuck a minute past the end is not waited for
    rss_end, rss_peak = _rss_mb(pid)
    ordered = sorted(latencies)

    def percentile(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    return {
        "users": users,
        "seconds": seconds,
        "think_seconds": think,
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "first_errors": errors[:3],
        "latency_ms": {
            "p50": round(1000 * statistics.median(ordered), 1) if ordered else None,
            "p95": round(1000 * percentile(0.95), 1),
            "max": round(1000 * (ordered[-1] if ordered else 0.0), 1),
        },
        "server_rss_mb": {
            "start": round(rss_start),
            "peak": round(rss_peak),
            "end": round(rss_end),
            "last_quarter_max": round(max(samples[-max(1, len(samples) // 4) :] or [0])),
        },
        "questions_asked": len(answers),
        "same_answer_every_time": all(len(a) == 1 for a in answers.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--index-dir", type=Path, default=HERE / ".rv/eval-index/default")
    args = parser.parse_args()
    feedback = Path(os.environ.get("TMPDIR", "/tmp")) / f"rv-load-{os.getpid()}.sqlite3"
    process, url = start_server(args.index_dir, feedback)
    try:
        result = run(url, process.pid, args.users, min(args.seconds, 600.0), args.think)
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
