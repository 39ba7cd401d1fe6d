"""Ingests into the index a running `rv serve` answers from: every ingest ends well, and no
user sees an error.

The term bridge is on: its word vectors were written by the ingest after it let go of the
write lock and by the server when it followed a new revision, two writers of one embedded
Chroma store at once ('Error finding id', issue 28). The embedder is the model-free one:
what is tested is who writes the store, not what the vectors mean."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import subprocess
import threading
import time
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from conftest import CORPUS, RV, rv_serve

REPO = Path(__file__).resolve().parents[1]
INGESTS = 10
USERS = 3
QUESTIONS = [
    "Wie is Mieke Hollander?",
    "Welke initiatieven pakken eenzaamheid aan?",
    "Which initiatives tackle loneliness?",
    "Wanneer is de volgende bijeenkomst?",
]
#: New words for each round, so that each ingest has word vectors to write.
PLANTS = (
    "zonnebloem klaproos korenbloem madelief lavendel goudsbloem vergeetmeniet boterbloem "
    "pinksterbloem duizendblad"
).split()


def _load_driver() -> ModuleType:
    """The load benchmark's `ask`: one question through Gradio's plain HTTP API."""
    spec = importlib.util.spec_from_file_location("load", REPO / "benchmarks" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _change(folder: Path, round_: int) -> None:
    """A small change per round: a new document, one grown, and every third round one gone."""
    plant = PLANTS[round_ % len(PLANTS)]
    (folder / f"nieuw_{round_}.txt").write_text(
        f"Het project {plant.capitalize()}\n\nIn ronde {round_} brengt de {plant}groep "
        f"bewoners en {plant}verzorgers samen; de {plant}tuin opent in wijk {round_ + 1}.\n",
        encoding="utf-8",
    )
    grown = folder / "002_ca98f6bc809a9a9c.txt"
    grown.write_text(
        grown.read_text(encoding="utf-8") + f"\n\nAanvulling {round_}: de {plant}dag.\n",
        encoding="utf-8",
    )
    if round_ % 3 == 2:
        (folder / f"nieuw_{round_ - 1}.txt").unlink()


@pytest.mark.slow
def test_ingests_beside_a_serving_index_all_end_well_and_users_see_no_errors(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for path in sorted(CORPUS.glob("*.txt")):
        shutil.copy(path, folder / path.name)
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "GRADIO_TEMP_DIR": str(tmp_path / "gradio"),
        "RV_EMBEDDER": "hashing",
        "RV_INDEX_DIR": str(tmp_path / "index"),
        "RV_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        # The learned answer chooser's model is being trained elsewhere; this test is
        # about the store, not about which sentence answers.
        "RV_ANSWER_CHOOSER": "hand-set",
    }
    first = subprocess.run([str(RV), "ingest", str(folder)], env=env, capture_output=True)
    assert first.returncode == 0, first.stderr.decode()[-2000:]
    driver = _load_driver()
    answers = 0
    errors: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()
    exits: list[int] = []
    failures: list[str] = []
    with rv_serve(env, "--today", "2026-11-22") as served:

        def user(seed: int) -> None:
            nonlocal answers
            rng = random.Random(seed)
            with httpx.Client(base_url=served.url, timeout=120) as client:
                while not stop.is_set():
                    try:
                        driver.ask(client, rng.choice(QUESTIONS))
                        with lock:
                            answers += 1
                    except Exception as exc:  # any failure counts as a user's error
                        with lock:
                            errors.append(f"{type(exc).__name__}: {exc}")
                    time.sleep(rng.uniform(0.1, 0.5))  # a bounded load: users think

        users = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(USERS)]
        for thread in users:
            thread.start()
        started = time.monotonic()
        for round_ in range(INGESTS):
            _change(folder, round_)
            done = subprocess.run(
                [str(RV), "ingest", str(folder)], env=env, capture_output=True, timeout=600
            )
            exits.append(done.returncode)
            if done.returncode:
                failures.append(done.stderr.decode()[-1500:])
            time.sleep(1.5)  # the server follows the new revision (it looks once a second)
        seconds = time.monotonic() - started
        stop.set()
        for thread in users:
            thread.join(timeout=120)
    print(json.dumps({"ingests": INGESTS, "exit_codes": exits, "users": USERS,
                      "answers": answers, "user_errors": len(errors),
                      "seconds": round(seconds, 1)}))  # fmt: skip
    assert exits == [0] * INGESTS, failures
    assert errors == [], errors[:3]
    assert answers > INGESTS
