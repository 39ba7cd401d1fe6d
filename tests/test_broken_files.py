"""A corpus of broken and hostile files beside good ones, through a real `rv ingest`: each
bad file gets its own clear message, the good ones are indexed, memory stays bounded.

The embedder is the model-free hashing one: what is tested is reading and refusing files."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import CLOSING_DAY_PDF, CORPUS, PROGRAMME_PDF, make_pdf

from assistant.service import Assistant
from index.embedders import HashingEmbedder
from index.settings import Settings
from index.store import ChromaStore
from ingest.pipeline import ChunkingOptions, IngestLimits, ingest

#: Real ingests of a 20 MB file in a subprocess: minutes, the whole-system check.
pytestmark = pytest.mark.slow

RV = Path(sys.executable).with_name("rv")

#: file name -> what its message must say (None: the file is read and indexed)
EXPECTED: dict[str, str | None] = {
    "goed.txt": None,
    "programma.pdf": None,
    "latin1.txt": None,  # read as Windows-1252
    "nul-diep.txt": None,  # the NUL past the binary check is dropped
    "diep.html": None,  # 10,000 nested elements: the parser does not recurse
    "afgekapt.pdf": "damaged PDF",
    "kapot.pdf": "damaged PDF",
    "versleuteld.pdf": "encrypted with a password",
    "leeg-2000.pdf": "has 2,000 pages; the limit is 1,000",
    "leeg.txt": "the file is empty",
    "binair.txt": "binary file",
    "gecomprimeerd.txt": "binary file",
    "groot.txt": "the limit is 20.0 MB",
    "bijna-grens.txt": None,  # 19.9 MB of text without a sentence end: one paragraph
    "lus.md": "symbolic link that leads nowhere",
    "tabel.xlsx": "unsupported format",
}


def near_limit_text(size: int) -> bytes:
    """``size`` bytes of lower-case words in printed lines of 78, without a sentence end:
    cleaning joins them into one paragraph (which once took time in the square of its size)."""
    words = [w.strip(".!?;:,“”") for w in (CORPUS / "001_387224a3b32bf87f.txt").read_text(
        encoding="utf-8").lower().split()]  # fmt: skip
    body = " ".join(words * (size // len(" ".join(words)) + 1))
    data = "\n".join(textwrap.wrap(body, 78)).encode()[:size]
    return data.decode("utf-8", "ignore").encode()


def _broken_corpus(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(CORPUS / "003_961ecb2c01a223c3.txt", folder / "goed.txt")
    shutil.copy(CORPUS / PROGRAMME_PDF, folder / "programma.pdf")
    (folder / "latin1.txt").write_bytes(
        "Café De Zorg organiseert een ‘dialoog’ over vernieuwing in de wijk.".encode("cp1252")
    )
    deep = ("Een zin over zorg en welzijn in de regio. " * 300).encode()
    (folder / "nul-diep.txt").write_bytes(deep + b"\x00" + b"Het slot van de tekst.")
    (folder / "diep.html").write_text(
        "<html><body>" + "<div>" * 10_000 + "<p>Diep verstopt staat een zin over zorg.</p>"
        + "</div>" * 10_000 + "</body></html>", encoding="utf-8",
    )  # fmt: skip
    whole = (CORPUS / CLOSING_DAY_PDF).read_bytes()
    (folder / "afgekapt.pdf").write_bytes(whole[: len(whole) // 2])
    (folder / "kapot.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    make_pdf(folder / "versleuteld.pdf", [["Geheime tekst over zorg."]], encrypt_with="geheim")
    make_pdf(folder / "leeg-2000.pdf", [[] for _ in range(2000)])
    (folder / "leeg.txt").write_bytes(b"")
    rng = random.Random(7)
    (folder / "binair.txt").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    # Binary data without a NUL byte (compressed data often has none) is no text either.
    (folder / "gecomprimeerd.txt").write_bytes(bytes(rng.randrange(1, 256) for _ in range(4096)))
    with (folder / "groot.txt").open("w", encoding="utf-8") as out:
        line = "Een regel tekst over radicale vernieuwing in de zorg. " * 20 + "\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            out.write(line)
    (folder / "bijna-grens.txt").write_bytes(near_limit_text(19_900_000))
    os.symlink("lus.md", folder / "lus.md")  # a link to itself: a loop
    (folder / "tabel.xlsx").write_bytes(b"PK\x03\x04 a spreadsheet")
    return folder


def test_each_broken_file_gets_its_message_and_the_good_ones_are_indexed(tmp_path: Path) -> None:
    corpus = _broken_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    env = {**os.environ, "RV_EMBEDDER": "hashing", "RV_INDEX_DIR": str(index_dir)}
    # A parent of its own, so that its children's peak memory is the ingest's alone.
    measure = (
        "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
        "sys.exit(done.returncode)"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", measure, str(RV), "ingest", str(corpus), "--json"],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    seconds = time.monotonic() - started
    assert done.returncode == 1, done.stderr  # some files failed; the run finished
    report = json.loads(done.stdout)
    peak_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
    failed = {Path(f["file"]).name: f["problem"] for f in report["failed"]}
    added = {Path(s).name for s in report["added"]}
    for name, problem in EXPECTED.items():
        if problem is None:
            assert name in added, (name, failed.get(name))
        else:
            assert problem in failed.get(name, ""), (name, failed.get(name))
    assert set(failed) | added == set(EXPECTED)
    print(f"ingest of the broken corpus took {seconds:.0f} s and peaked at {peak_mb:.0f} MB")
    # 1,129 MB measured: the 19.9 MB text is 47,000 chunks (219 MB without it).
    assert peak_mb < 1536, f"ingest peaked at {peak_mb:.0f} MB"

    store = Assistant(
        Settings(index_dir=index_dir, corpus_dir=corpus, embedder="hashing")  # type: ignore[call-arg]
    ).store
    chunks = store.all_chunks()
    assert not any("\x00" in c.text for c in chunks)
    assert any("Café De Zorg" in c.text for c in chunks)
    assert any("Diep verstopt" in c.text for c in chunks)


def test_a_file_past_the_time_limit_is_reported_by_name_and_the_rest_goes_on(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(CORPUS / "003_961ecb2c01a223c3.txt", folder / "a-goed.txt")
    (folder / "b-traag.txt").write_bytes(near_limit_text(8_000_000))  # some 5 s of work
    shutil.copy(CORPUS / "002_ca98f6bc809a9a9c.txt", folder / "c-goed.txt")
    store = ChromaStore(tmp_path / "index", HashingEmbedder(), {"embedder": "hashing"})
    limits = IngestLimits(file_seconds=1.0)
    report = ingest([folder], store, ChunkingOptions(1000, 150), limits=limits)
    assert [(Path(f.file).name, f.problem, f.kind) for f in report.failed] == [
        ("b-traag.txt", "took longer than 1 s to read, clean and chunk; it was skipped "
         "(RV_FILE_TIME_LIMIT)", "too_slow")
    ]  # fmt: skip
    assert sorted(Path(s).name for s in report.added) == ["a-goed.txt", "c-goed.txt"]
