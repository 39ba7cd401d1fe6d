"""Incremental, exact re-ingest into a real Chroma index with the real packaged embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import make_assistant, make_pdf

from index.embedders import Embedder
from index.store import ChromaStore
from ingest.pipeline import Failure


def _chunk_sources(assistant) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts: dict[str, int] = {}
    for hit in assistant.store.all_chunks():
        name = Path(str(hit.metadata["source"])).name
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_reingest_skips_unchanged_replaces_changed_and_drops_deleted(
    tmp_path: Path, corpus_copy: Path, e5: Embedder
) -> None:
    assistant = make_assistant(tmp_path / "index", e5)
    first = assistant.ingest([corpus_copy])
    assert len(first.added) == 5 and first.ok
    before = _chunk_sources(assistant)
    total = assistant.store.count()

    again = assistant.ingest([corpus_copy])
    assert len(again.skipped) == 5 and not again.added and not again.updated
    assert assistant.store.count() == total

    changed = corpus_copy / "003_961ecb2c01a223c3.txt"
    changed.write_text(
        "Nieuw artikel\n\nDe beweging opent een nieuw kantoor in Zwolle.\n", encoding="utf-8"
    )
    (corpus_copy / "002_ca98f6bc809a9a9c.txt").unlink()
    third = assistant.ingest([corpus_copy])
    assert [Path(p).name for p in third.updated] == [changed.name]
    assert [Path(p).name for p in third.removed] == ["002_ca98f6bc809a9a9c.txt"]
    assert len(third.skipped) == 3

    after = _chunk_sources(assistant)
    assert "002_ca98f6bc809a9a9c.txt" not in after
    assert after[changed.name] == 1
    texts = [
        h.text for h in assistant.store.all_chunks() if changed.name in str(h.metadata["source"])
    ]
    assert texts == ["Nieuw artikel\n\nDe beweging opent een nieuw kantoor in Zwolle."]
    for name, count in before.items():
        if name not in (changed.name, "002_ca98f6bc809a9a9c.txt"):
            assert after[name] == count  # untouched documents keep exactly their chunks
    # no duplicate ids or texts anywhere
    ids = [h.id for h in assistant.store.all_chunks()]
    assert len(ids) == len(set(ids))


def test_bad_files_are_reported_and_the_rest_is_ingested(
    tmp_path: Path, corpus_copy: Path, e5: Embedder
) -> None:
    (corpus_copy / "kapot.pdf").write_bytes(b"%PDF-1.4\n% truncated")
    (corpus_copy / "leeg.txt").write_bytes(b"")
    (corpus_copy / "foto.jpg").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    make_pdf(corpus_copy / "geheim.pdf", [["Geheim."]], encrypt_with="pw")
    assistant = make_assistant(tmp_path / "index", e5)
    report = assistant.ingest([corpus_copy])
    assert len(report.added) == 5
    problems = {Path(f.file).name: f.problem for f in report.failed}
    assert set(problems) == {"kapot.pdf", "leeg.txt", "foto.jpg", "geheim.pdf"}
    kinds = {Path(f.file).name: f.kind for f in report.failed}
    assert kinds == {"kapot.pdf": "damaged", "leeg.txt": "empty", "foto.jpg": "unsupported",
                     "geheim.pdf": "encrypted"}  # fmt: skip
    assert "encrypted" in problems["geheim.pdf"]
    assert "unsupported format" in problems["foto.jpg"]
    assert not report.ok
    assert set(_chunk_sources(assistant)) == {p.name for p in corpus_copy.glob("0*")}


def test_a_file_that_becomes_unreadable_keeps_its_indexed_chunks(
    tmp_path: Path, corpus_copy: Path, e5: Embedder
) -> None:
    assistant = make_assistant(tmp_path / "index", e5)
    assistant.ingest([corpus_copy])
    before = _chunk_sources(assistant)
    pdf = corpus_copy / "004_c470ea04556890eb.pdf"
    pdf.write_bytes(pdf.read_bytes()[:500])  # truncated: damaged
    report = assistant.ingest([corpus_copy])
    assert [Path(f.file).name for f in report.failed] == [pdf.name]
    assert _chunk_sources(assistant) == before


def test_missing_path_is_a_failure_not_a_crash(tmp_path: Path, e5: Embedder) -> None:
    assistant = make_assistant(tmp_path / "index", e5)
    report = assistant.ingest([tmp_path / "bestaat-niet"])
    assert report.failed == [
        Failure(str(tmp_path / "bestaat-niet"), "no such file or folder", "missing")
    ]


def test_changing_chunking_builds_a_new_collection(
    tmp_path: Path, corpus_copy: Path, e5: Embedder
) -> None:
    for name in list(p.name for p in corpus_copy.iterdir())[1:]:
        (corpus_copy / name).unlink()
    default = make_assistant(tmp_path / "index", e5)
    default.ingest([corpus_copy])
    smaller = make_assistant(tmp_path / "index", e5, chunk_size=400)
    assert isinstance(smaller.store, ChromaStore) and isinstance(default.store, ChromaStore)
    assert smaller.store.name != default.store.name
    assert smaller.store.count() == 0  # nothing mixed in from the other settings
    smaller.ingest([corpus_copy])
    assert smaller.store.count() > default.store.count()
    shutil.rmtree(corpus_copy)


@pytest.mark.slow
def test_a_document_of_more_chunks_than_one_chroma_call_takes_is_indexed(tmp_path: Path) -> None:
    from index.embedders import HashingEmbedder

    # Chroma takes at most ~5,461 records a call; this document has more chunks and sentences.
    big = tmp_path / "docs" / "groot.txt"
    big.parent.mkdir()
    words = ["zorg", "thuis", "wijk", "team", "buurt", "school", "jeugd", "regels"]
    filler = " ".join(words * 2)  # every line one sentence of about 190 characters: a chunk
    lines = [
        f"Zin {i} gaat over {words[i % 8]}, {filler} en {words[(i * 3) % 8]}." for i in range(5600)
    ]
    big.write_text("\n\n".join(lines), encoding="utf-8")
    assistant = make_assistant(
        tmp_path / "index", HashingEmbedder(), chunk_size=200, chunk_overlap=0
    )
    report = assistant.ingest([big.parent])
    assert report.ok and report.added == [str(big.resolve())]
    store = assistant.store
    assert store.count() == report.chunks_written > 5461
    assert "Zin 5599 gaat over" in assistant.document_text(str(big.resolve()))
