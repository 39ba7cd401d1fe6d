"""Faults explained: `rv ask --json` and `rv ingest --json` print a JSON error object on
standard output with their exit code, and a Chroma server lost in the middle of an ingest
gets one clear line and what was committed, not a traceback."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, free_port

from assistant.api import IndexBusyError, IndexEmptyError, StoreUnavailableError
from ui import cli
from ui.cli import error_kind, main

CHROMA = Path(sys.executable).with_name("chroma")


def test_error_kinds_for_scripts() -> None:
    assert error_kind(IndexEmptyError(Path("x"))) == "index_empty"
    assert error_kind(IndexBusyError(Path("x"), 1)) == "index_busy"
    assert error_kind(StoreUnavailableError("http://h", OSError("gone"))) == "store_unavailable"


def test_ask_json_on_an_empty_index_prints_an_error_object(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["ask", "--json", "--index-dir", str(tmp_path / "none"), "Wie?"],
        env={"RV_EMBEDDER": "hashing"},
    )  # fmt: skip
    assert result.exit_code == 2
    error = json.loads(result.stdout)
    assert error["kind"] == "index_empty" and "rv ingest" in error["error"]
    assert "Error:" in result.stderr  # people still read it there


def test_ask_json_with_no_question_prints_an_error_object(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ask", "--json", "--index-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["kind"] == "question"


def test_ingest_json_into_a_busy_index_prints_an_error_object(tmp_path: Path) -> None:
    from assistant.api import Assistant, Settings

    settings = Settings(index_dir=tmp_path / "index", embedder="hashing", write_lock_timeout=0)
    with Assistant(settings).store.writing():  # another ingest holds the lock
        result = CliRunner().invoke(
            main, ["ingest", "--json", str(CORPUS / "001_387224a3b32bf87f.txt")],
            env={"RV_EMBEDDER": "hashing", "RV_INDEX_DIR": str(tmp_path / "index"),
                 "RV_WRITE_LOCK_TIMEOUT": "0"},
        )  # fmt: skip
    assert result.exit_code == 3
    assert json.loads(result.stdout)["kind"] == "index_busy"


@pytest.mark.slow
def test_a_chroma_server_lost_during_ingest_is_one_line_and_a_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    files = sorted(p.name for p in corpus.iterdir())
    port = free_port()
    server = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "chroma"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert server.poll() is None and time.time() < deadline, "chroma run"
                time.sleep(0.2)
        advance = cli._Bar.advance

        def advance_then_kill(bar: cli._Bar, label: str) -> None:
            advance(bar, label)
            if len(bar.done) == 2:  # the server dies after the second file
                server.send_signal(signal.SIGKILL)
                server.wait(timeout=10)

        monkeypatch.setattr(cli._Bar, "advance", advance_then_kill)
        env = {"RV_EMBEDDER": "hashing", "RV_INDEX_DIR": str(tmp_path / "lock"),
               "RV_CHROMA_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
        for as_json in (True, False):
            if not as_json:  # the same again, without --json, into a server that is gone
                monkeypatch.setattr(cli._Bar, "advance", advance)
            args = ["ingest", str(corpus), "--quiet", *(["--json"] if as_json else [])]
            result = CliRunner().invoke(main, args, env=env)
            assert result.exit_code == 1, result.output
            assert result.exception is None or isinstance(result.exception, SystemExit)
            assert "Traceback" not in result.output
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            assert len(lines) == 1, result.stderr  # one line
            assert "chroma run" in lines[0]
            if as_json:
                error = json.loads(result.stdout)
                assert error["kind"] == "store_unavailable"
                assert "stopped answering" in error["error"]
                assert (
                    f"2 of {len(files)} files were done ({files[0]}, {files[1]})"
                    in (error["error"])
                )
            else:  # the server was gone from the start: named as at `rv ask`
                assert "No Chroma server answers" in lines[0]
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(timeout=10)
