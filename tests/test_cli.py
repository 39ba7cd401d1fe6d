"""The command line and the evaluators' JSON contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.service import Assistant
from ui.cli import main


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_ask_json_contract(corpus_index: Assistant) -> None:
    code, out, _ = _run(
        "ask",
        "--json",
        "--index-dir",
        str(corpus_index.settings.index_dir),
        "--today",
        "2023-05-01",
        "Welke initiatieven pakken eenzaamheid aan?",
    )
    assert code == 0
    answer = json.loads(out)
    assert set(answer) >= {"answer", "refused", "citations"}
    assert isinstance(answer["answer"], str) and answer["answer"]
    assert answer["refused"] is False
    assert answer["today"] == "2023-05-01"
    for citation in answer["citations"]:
        assert set(citation) == {"n", "title", "source", "url", "page", "quote"}
        assert isinstance(citation["n"], int) and Path(citation["source"]).is_file()
        assert citation["page"] is None or isinstance(citation["page"], int)
    assert [c["n"] for c in answer["citations"]] == list(range(1, len(answer["citations"]) + 1))
    for c in answer["citations"]:
        assert f"[{c['n']}]" in answer["answer"]


def test_ask_jsonl_keeps_ids_and_survives_bad_lines(corpus_index: Assistant) -> None:
    lines = "\n".join(
        [
            json.dumps({"id": "q1", "question": "Wie is Mieke Hollander?"}),
            "{not json",
            json.dumps({"id": 7, "question": "When is the first meeting?", "today": "2023-01-01"}),
            json.dumps({"id": "q3", "question": "Wat?", "today": "gisteren"}),
        ]
    )
    code, out, _ = _run(
        "ask", "--jsonl", "--index-dir", str(corpus_index.settings.index_dir), stdin=lines
    )
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["q1", None, 7, "q3"]
    assert rows[0]["citations"] and rows[2]["today"] == "2023-01-01"
    assert "line 2" in rows[1]["error"]
    assert "YYYY-MM-DD" in rows[3]["error"]


def test_reading_an_empty_or_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    missing = tmp_path / "nergens"
    for command in (["ask", "Wat is RV?"], ["documents"], ["events"]):
        code, _, err = _run(command[0], "--index-dir", str(missing), *command[1:])
        assert code == 2, (command, err)
        assert "does not exist" in err and "rv ingest" in err
    assert not missing.exists()  # reading never creates the folder
    empty = tmp_path / "leeg"
    empty.mkdir()
    for command in (["ask", "Wat is RV?"], ["documents"], ["events"]):
        code, _, err = _run(command[0], "--index-dir", str(empty), *command[1:])
        assert code == 2, (command, err)
        assert "is empty" in err and "rv ingest" in err


def test_ingest_summary_and_exit_code(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "goed.md").write_text("# Titel\n\nEen zin over zorg in de wijk.\n", encoding="utf-8")
    (docs / "kapot.pdf").write_bytes(b"%PDF-1.4 broken")
    code, out, err = _run("ingest", str(docs), "--index-dir", str(tmp_path / "index"))
    assert code == 1
    assert "1 added, 0 updated, 0 removed, 0 skipped, 1 failed" in out
    assert "kapot.pdf" in err and "damaged PDF" in err
    code, out, _ = _run(
        "ingest", str(docs / "goed.md"), "--index-dir", str(tmp_path / "index"), "--json"
    )
    assert code == 0 and len(json.loads(out)["skipped"]) == 1


def test_installed_rv_command_runs_offline(corpus_index: Assistant) -> None:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "RV_INDEX_DIR": str(corpus_index.settings.index_dir),
    }
    rv = Path(sys.executable).with_name("rv")
    done = subprocess.run(
        [str(rv), "ask", "--json", "Which initiatives tackle loneliness?"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["citations"]


def test_serving_beyond_loopback_without_a_password_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.web

    served: list[str] = []
    monkeypatch.setattr(ui.web, "serve", lambda assistant, host, *a, **k: served.append(host))
    monkeypatch.setenv("RV_EMBEDDER", "hashing")
    args = ["serve", "--index-dir", str(tmp_path / "index"), "--port", "7999"]
    wide = CliRunner().invoke(main, [*args, "--host", "0.0.0.0"])
    assert "without a password" in wide.output and "RV_PASSWORD" in wide.output
    local = CliRunner().invoke(main, [*args, "--host", "127.0.0.1"])
    assert "without a password" not in local.output
    monkeypatch.setenv("RV_PASSWORD", "geheim")
    guarded = CliRunner().invoke(main, [*args, "--host", "0.0.0.0"])
    assert "without a password" not in guarded.output
    assert served == ["0.0.0.0", "127.0.0.1", "0.0.0.0"]  # nothing listened: serve is a fake
