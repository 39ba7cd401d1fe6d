"""A real `rv serve` on loopback, used as a chat user would misuse it: no storing files,
no fetching anything but the indexed documents, no fast password guessing, and the staff
actions answer a call without a login with the login message."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import CORPUS, STAFF_PASSWORD, Served, rv_serve

from assistant.api import Assistant, Settings

pytestmark = pytest.mark.slow

CHAT_PASSWORD = "chat-geheim-3"
FEW = ["001_387224a3b32bf87f.txt", "004_c470ea04556890eb.pdf"]
LOCKOUT = 3.0
DELAY = 0.2


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("guard")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in FEW:
        shutil.copy(CORPUS / name, corpus / name)
    (corpus / "not-indexed.txt").write_text("Een concept dat niemand indexeerde.\n")
    index_dir = tmp / "index"
    settings = Settings(index_dir=index_dir, embedder="hashing")
    report = Assistant(settings).ingest([corpus / name for name in FEW])
    assert report.ok, report.failed
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "GRADIO_TEMP_DIR": str(tmp / "gradio"),
        "RV_EMBEDDER": "hashing",
        "RV_INDEX_DIR": str(index_dir),
        "RV_DOCUMENTS_DIR": str(tmp / "documents"),
        "RV_FEEDBACK_DB": str(tmp / "feedback" / "feedback.sqlite3"),
        "RV_PASSWORD": CHAT_PASSWORD,
        "RV_STAFF_PASSWORD": STAFF_PASSWORD,
        "RV_LOGIN_MAX_FAILURES": "5",
        "RV_LOGIN_LOCKOUT_SECONDS": str(LOCKOUT),
        "RV_LOGIN_DELAY": str(DELAY),
    }
    with rv_serve(env) as server:
        yield {"server": server, "tmp": tmp, "corpus": corpus}


@contextmanager
def _chat_user(server: Served) -> Iterator[httpx.Client]:
    """A client logged in with the chat's password (only that)."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        login = client.post("/login", data={"username": "nieuw", "password": CHAT_PASSWORD})
        assert login.status_code == 200, login.text
        yield client


def test_a_chat_user_can_neither_store_files_nor_fetch_them(served: dict[str, Any]) -> None:
    server: Served = served["server"]
    tmp: Path = served["tmp"]
    with _chat_user(server) as client:
        upload = client.post(
            "/gradio_api/upload",
            files={"files": ("evil.html", b"<script>alert(1)</script>", "text/html")},
        )
        assert upload.status_code == 403, upload.text
        if upload.status_code == 200:  # the old behaviour: it was also served back
            stored = upload.json()[0]
            assert client.get(f"/gradio_api/file={stored}").status_code == 403
        # A forged staff cookie opens nothing.
        client.cookies.set("rv-staff", "made-up")
        assert (
            client.post("/gradio_api/upload", files={"files": ("x.txt", b"x")}).status_code == 403
        )
        # A file in Gradio's upload folder (as an earlier staff upload leaves it) is not
        # served back, nor is a file beside the indexed documents.
        earlier = tmp / "gradio" / "0123abcd" / "evil.html"
        earlier.parent.mkdir(parents=True, exist_ok=True)
        earlier.write_text("<script>alert(1)</script>")
        for path in (earlier, served["corpus"] / "not-indexed.txt"):
            for route in ("/gradio_api/file=", "/gradio_api/file/"):
                fetched = client.get(f"{route}{path}")
                assert fetched.status_code == 403, (route, path, fetched.status_code)
        # The indexed documents are served.
        pdf = client.get(f"/gradio_api/file={served['corpus'] / FEW[1]}")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Without a login at all, nothing either.
    anonymous = httpx.post(f"{server.url}gradio_api/upload", files={"files": ("x.txt", b"x")})
    assert anonymous.status_code in (401, 403)


def _log_in(server: Served, password: str) -> int:
    reply = httpx.post(
        f"{server.url}login", data={"username": "nieuw", "password": password}, timeout=60
    )
    return reply.status_code


def test_thirty_parallel_wrong_chat_passwords_lock_the_address_out_for_a_while(
    served: dict[str, Any],
) -> None:
    server: Served = served["server"]
    started = time.perf_counter()
    with ThreadPoolExecutor(30) as pool:
        codes = list(pool.map(lambda _: _log_in(server, "geraden"), range(30)))
    took = time.perf_counter() - started
    # Five wrong tries checked one after another (DELAY each), then the address is out.
    assert sorted(codes) == [400] * 5 + [429] * 25, codes
    assert took >= 5 * DELAY * 0.9
    locked_at = time.perf_counter()
    assert _log_in(server, CHAT_PASSWORD) == 429  # even the right one, while locked out
    time.sleep(max(0.0, LOCKOUT - (time.perf_counter() - locked_at)) + 0.3)
    assert _log_in(server, CHAT_PASSWORD) == 200
    print(f"30 parallel wrong tries: {took:.2f} s; lockout {LOCKOUT:g} s")


def test_the_login_page_says_when_an_address_is_locked_out(served: dict[str, Any]) -> None:
    # Gradio's form shows nothing on a 429, so the page says the rule before anyone tries.
    with httpx.Client(base_url=served["server"].url, timeout=30) as client:
        page = client.get("/").text
    assert "Na 5 verkeerde wachtwoorden kun je 3 seconden niet inloggen" in page
    assert "After 5 wrong passwords you cannot log in for 3 seconds" in page


def _event(client: httpx.Client, elem_id: str, values: dict[str, Any]) -> list[Any] | str:
    """Call the event a button (or box) of the page triggers, as the page would over
    Gradio's queue; its outputs, or the error Gradio gave instead."""
    config = client.get("/config").json()
    components = {c["id"]: c for c in config["components"]}
    target = next(i for i, c in components.items() if c.get("props", {}).get("elem_id") == elem_id)
    dependency = next(
        d for d in config["dependencies"] if any(t[0] == target for t in d["targets"])
    )
    data = [
        values.get(components[i].get("props", {}).get("elem_id") or "")
        for i in dependency["inputs"]
    ]
    session = uuid.uuid4().hex
    joined = client.post(
        "/gradio_api/queue/join",
        json={"data": data, "fn_index": dependency["id"], "session_hash": session,
              "event_data": None, "trigger_id": target},
    )  # fmt: skip
    assert joined.status_code == 200, joined.text
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as s:
        for line in s.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    output = message["output"]
                    return output["data"] if message["success"] else str(output.get("error"))
    raise AssertionError("no answer from the queue")


def test_staff_removal_without_a_login_gets_the_login_message(served: dict[str, Any]) -> None:
    server: Served = served["server"]
    with _chat_user(server) as client:
        source = str(served["corpus"] / FEW[0])
        outputs = _event(client, "remove-document", {"document-choice": source})
        assert isinstance(outputs, list), outputs  # not Gradio's error
        assert "Log eerst in" in str(outputs[0])
        assert (served["corpus"] / FEW[0]).exists()
    assert "Traceback" not in _output_so_far(server)


def test_the_staff_password_is_throttled_too(served: dict[str, Any]) -> None:
    server: Served = served["server"]
    with _chat_user(server) as client:
        # The chat's login from this address must not be locked out by the test before.
        time.sleep(LOCKOUT)
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            replies = list(
                pool.map(
                    lambda _: _event(client, "staff-open", {"staff-password": "geraden"}),
                    range(8),
                )
            )
        took = time.perf_counter() - started
        statuses = [str(r[5]) for r in replies if isinstance(r, list)]
        assert len(statuses) == 8, replies
        assert sum("klopt niet" in s for s in statuses) == 5
        assert sum("Te veel verkeerde wachtwoorden" in s for s in statuses) == 3
        assert took >= 5 * DELAY * 0.9
        time.sleep(LOCKOUT + 0.3)
        right = _event(client, "staff-open", {"staff-password": STAFF_PASSWORD})
        assert isinstance(right, list) and right[1]["visible"] is True  # the staff view
        assert right[7]  # the session's token, for the upload route's cookie
        client.cookies.set("rv-staff", str(right[7]))
        upload = client.post("/gradio_api/upload", files={"files": ("nieuw.txt", b"Nieuw.")})
        assert upload.status_code == 200, upload.text


def _output_so_far(server: Served) -> str:
    """What the server has printed until now (without waiting for more)."""
    import selectors

    assert server.process.stdout is not None
    out = []
    # A selector, not select.select: after a long test session the pipe's
    # descriptor can be above 1024, which select() cannot watch.
    with selectors.DefaultSelector() as selector:
        selector.register(server.process.stdout, selectors.EVENT_READ)
        while selector.select(timeout=0.2):
            line = server.process.stdout.readline()
            if not line:
                break
            out.append(line)
    return "".join(out)
