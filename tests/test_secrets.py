"""An API key set in the environment never appears in any output: the command line's
messages and JSON, the server's log, its page and API, the settings' repr, exports.

The answer endpoint is a small loopback server that answers 401 and echoes the key it was
sent, as real endpoints do ('Incorrect API key provided: sk-...'): the worst case."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import CORPUS, RV, rv_serve

from assistant.service import Assistant
from index.settings import Settings

#: Real commands in subprocesses: seconds each, the whole-system check.
pytestmark = pytest.mark.slow

KEY = "sk-rv-test-4f1d2c9e8b7a6"


class _EchoingEndpoint(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"error": f"Incorrect API key provided: {self.headers['Authorization']}"})
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def endpoint() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoingEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_the_api_key_appears_in_no_output(tmp_path: Path, endpoint: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "001_387224a3b32bf87f.txt", corpus)
    index_dir = tmp_path / "index"
    base = {"index_dir": index_dir, "corpus_dir": corpus, "embedder": "hashing"}
    assert Assistant(Settings(**base)).ingest().ok  # type: ignore[arg-type]
    env = {
        **os.environ,
        "RV_INDEX_DIR": str(index_dir),
        "RV_EMBEDDER": "hashing",
        "RV_GENERATOR": "openai",
        "RV_OPENAI_MODEL": "test",
        "RV_OPENAI_BASE_URL": endpoint,
        "RV_OPENAI_API_KEY": KEY,
        "RV_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        # The hashing embedder's evidence is weak: let every question reach the endpoint.
        "RV_MIN_RELEVANCE": "0",
        "RV_MIN_SUPPORT": "0",
    }
    outputs: list[str] = []
    for args in (["ask", "Wie is Mieke Hollander?"], ["ask", "Wie is Mieke Hollander?", "--json"]):
        done = subprocess.run([str(RV), *args], env=env, capture_output=True, text=True)
        assert done.returncode != 0  # the endpoint refused: the command says so
        outputs += [done.stdout, done.stderr]
    assert any("401" in o for o in outputs), outputs  # the endpoint's reply is reported

    with rv_serve(env) as served:
        url = served.url
        page = httpx.get(url, timeout=5)
        outputs += [page.text, httpx.get(url + "config", timeout=5).text]
        from gradio_client import Client

        try:
            outputs.append(repr(Client(url, verbose=False).predict("Wie?", "", api_name="/ask")))
        except Exception as exc:  # the endpoint refuses, so the API reports an error
            outputs.append(repr(exc))
    log = served.process.stdout.read() if served.process.stdout else ""
    assert log, "the server's log is read"
    outputs.append(log)
    export = subprocess.run(
        [str(RV), "feedback", "--format", "json"], env=env, capture_output=True, text=True
    )
    outputs += [export.stdout, export.stderr]
    settings = Settings(**base, openai_api_key=KEY)  # type: ignore[arg-type]
    outputs += [repr(settings), str(settings), settings.model_dump_json()]

    assert settings.openai_api_key.get_secret_value() == KEY  # it is set, and used
    leaks = [o for o in outputs if KEY in o or KEY[6:] in o]
    assert leaks == []
