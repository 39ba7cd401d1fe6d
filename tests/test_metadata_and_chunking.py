"""Document metadata and chunks of the real corpus."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from conftest import CORPUS
from langchain_core.documents import Document

from index.text import split_sentences
from ingest.cleaning import clean_pages
from ingest.loaders import load_document
from ingest.metadata import content_hash
from ingest.pipeline import ChunkingOptions, prepare_document

OPTIONS = ChunkingOptions(chunk_size=1000, chunk_overlap=150)


def _chunks(name: str) -> list[Document]:
    path = CORPUS / name
    return prepare_document(path, path.read_bytes(), OPTIONS)


@pytest.mark.parametrize(
    ("name", "title", "url"),
    [
        (
            "000_5de1ae5a7503ed65.pdf",
            "Bijeenkomsten radicale vernieuwing van het (zorg en welzijns)onderwijs",
            "https://www.rvjeugdzorg.nl/bijeenkomsten/bijeenkomsten-radicale-vernieuwing-van-het-zorg-en-welzijnsonderwijs/",
        ),
        (
            "002_ca98f6bc809a9a9c.txt",
            "Wegens succes ook in 2022 week van de radicale vernieuwing",
            "https://www.rvjeugdzorg.nl/praktijkvoorbeelden/wegens-succes-ook-in-2022-week-van-de-radicale-vernieuwing/",
        ),
        (
            "003_961ecb2c01a223c3.txt",
            "Droom vernieuwingsbeweging breed herkend",
            "https://www.rvjeugdzorg.nl/nieuws/eerste-opbrengsten-verkenning-radicale-vernieuwing-jeugdzorg/",
        ),
        ("004_c470ea04556890eb.pdf", None, None),
    ],
)
def test_title_and_own_url(name: str, title: str | None, url: str | None) -> None:
    meta = _chunks(name)[0].metadata
    if title is not None:
        assert meta["title"] == title
    else:  # no heading and no address: the lead sentence, never the file name
        assert meta["title"].startswith("Tijdens de slotdag van de Week")
        assert "004_" not in meta["title"]
    assert meta.get("url") == url


def test_a_text_without_a_heading_is_titled_by_the_name_it_gives_itself() -> None:
    # 'Deze inspiratiebijeenkomst zorgonderwijs ‘Tussen dromen en doen’ op 14 september…'
    title = _chunks("001_387224a3b32bf87f.txt")[0].metadata["title"]
    assert title == "Inspiratiebijeenkomst zorgonderwijs ‘Tussen dromen en doen’"


def test_a_title_cut_from_the_lead_ends_at_a_word_within_60_characters() -> None:
    title = str(_chunks("004_c470ea04556890eb.pdf")[0].metadata["title"])
    assert title == "Tijdens de slotdag van de Week van de Radicale vernieuwing…"
    lead = "Tijdens de slotdag van de Week van de Radicale vernieuwing stond samen werken"
    assert len(title) <= 60 and lead.startswith(title.removesuffix("…"))
    assert lead[len(title) - 1] == " "  # cut between two words


def test_themes_keywords_hash_and_path() -> None:
    path = CORPUS / "001_387224a3b32bf87f.txt"
    meta = _chunks(path.name)[0].metadata
    assert meta["themes"] == "Vernieuwing onderwijs; Radicale Vernieuwing Waarde-vol Onderwijs®"
    assert meta["keywords"] == "Onderwijs; samen werken; Van regels naar relaties"
    assert meta["content_hash"] == content_hash(path.read_bytes())
    assert meta["source"] == str(path.resolve())


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.iterdir()))
def test_chunks_are_verbatim_whole_sentences_with_headings_attached(name: str) -> None:
    chunks = _chunks(name)
    loaded = load_document(CORPUS / name, (CORPUS / name).read_bytes())
    clean = clean_pages(loaded.pages)
    assert chunks
    for chunk in chunks:
        text = chunk.page_content
        assert len(text) <= OPTIONS.chunk_size
        assert clean.text[chunk.metadata["start"] : chunk.metadata["end"]] == text
        # every chunk ends at the end of a sentence or paragraph, never mid-sentence
        last = split_sentences(text)[-1]
        ends_paragraph = clean.text[chunk.metadata["end"] :][:2] in ("", "\n\n")
        assert re.search(r"[.!?:…\"”’)]$", last) or ends_paragraph, last
        # a heading never ends a chunk: it stays with the paragraph under it
        heading = chunk.metadata.get("heading")
        assert not (heading and text.endswith(heading) and text != heading)
        # every chunk carries its document's metadata
        for key in ("title", "source", "content_hash", "chunk_index"):
            assert key in chunk.metadata
        if name.endswith(".pdf"):
            assert chunk.metadata["page"] >= 1


def test_long_sections_overlap_by_whole_sentences() -> None:
    path = Path(CORPUS / "001_387224a3b32bf87f.txt")
    small = prepare_document(path, path.read_bytes(), ChunkingOptions(300, 100))
    assert len(small) > len(_chunks(path.name))
    for a, b in itertools.pairwise(small):
        if (
            a.metadata["heading"] == b.metadata["heading"]
            and b.metadata["start"] < a.metadata["end"]
        ):
            shared = a.page_content[b.metadata["start"] - a.metadata["start"] :]
            assert b.page_content.startswith(shared)
