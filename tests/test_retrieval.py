"""Retrieval and cited answers on Dutch and English questions, with the real models."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CLOSING_DAY_PDF, CORPUS, PROGRAMME_PDF, CountingEmbedder, make_assistant

from assistant.service import Assistant
from index.embedders import Embedder

QUESTIONS = [
    ("Welke initiatieven pakken eenzaamheid aan?", CLOSING_DAY_PDF),
    ("Wanneer is de eerste bijeenkomst over zorgonderwijs?", PROGRAMME_PDF),
    ("Hoeveel gezinnen gebruiken jeugdzorg?", PROGRAMME_PDF),
    ("Wie is Mieke Hollander?", "001_387224a3b32bf87f.txt"),
    ("Wanneer is de volgende Week van de Radicale vernieuwing?", "002_ca98f6bc809a9a9c.txt"),
    (
        "Met wie gaat de beweging in gesprek over geweld in de jeugdzorg?",
        "003_961ecb2c01a223c3.txt",
    ),
    ("When is the first meeting about care education?", PROGRAMME_PDF),
    ("Which initiatives tackle loneliness?", CLOSING_DAY_PDF),
    ("Who is Mieke Hollander?", "001_387224a3b32bf87f.txt"),
]


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_default_embedder_cites_the_right_document(
    corpus_index: Assistant, question: str, expected: str
) -> None:
    answer = corpus_index.ask(question)
    assert not answer.refused
    cited = [Path(c.source).name for c in answer.citations]
    assert expected in cited, (answer.answer, cited)
    assert answer.citations[0].source == str((CORPUS / expected).resolve()) or expected in cited


def test_quotes_are_verbatim_from_the_document(corpus_index: Assistant) -> None:
    from index.text import squash_whitespace

    chunks = {h.id: h.text for h in corpus_index.store.all_chunks()}
    corpus_text = squash_whitespace(" ".join(chunks.values()))
    for question, _ in QUESTIONS:
        for citation in corpus_index.ask(question).citations:
            for part in citation.quote.split(" … "):
                assert squash_whitespace(part) in corpus_text


def test_pdf_citations_carry_their_page(corpus_index: Assistant) -> None:
    answer = corpus_index.ask("Welke initiatieven pakken eenzaamheid aan?")
    kampen = next(c for c in answer.citations if "Kampen" in c.quote)
    assert kampen.page == 2
    assert kampen.url is None  # this printed page does not name its own address


def test_question_far_from_every_document_is_refused(corpus_index: Assistant) -> None:
    answer = corpus_index.ask("Wat is de hoofdstad van Frankrijk?")
    assert answer.refused and not answer.citations
    assert answer.answer.startswith("Dat staat niet in de documenten van de beweging.")


def test_sentence_transformers_backend_with_packaged_minilm(
    tmp_path: Path, minilm: Embedder
) -> None:
    assert minilm.identity.startswith("sentence-transformers:all-MiniLM-L6-v2")
    assistant = make_assistant(tmp_path / "index", minilm, corpus_dir=CORPUS, min_relevance=0.0)
    assert assistant.ingest().ok
    hits = assistant.store.search("Het 8ste Werk in Kampen eenzaamheid", 3)
    assert Path(str(hits[0].metadata["source"])).name == CLOSING_DAY_PDF


def test_a_question_is_embedded_once_per_ask(corpus_index: Assistant, e5: Embedder) -> None:
    """Retrieval and the off-topic check share the question's vector."""
    counting = CountingEmbedder(e5)
    assistant = make_assistant(corpus_index.settings.index_dir, counting)  # type: ignore[arg-type]
    question = "Welke initiatieven tegen eenzaamheid worden in Kampen genoemd?"
    answer = assistant.ask(question)
    assert not answer.refused
    assert counting.embedded.count(question) == 1
