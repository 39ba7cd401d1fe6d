"""The term bridge: English question words meet the Dutch words that mean the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from langchain_core.documents import Document

from assistant.routes import best_documents as _best_documents
from assistant.service import Assistant
from index.embedders import Embedder, HashingEmbedder
from index.retrieval import Candidate
from index.store import ChromaStore, Hit
from tests.conftest import CORPUS, CountingEmbedder, make_assistant

LONELINESS = "Which initiatives tackle loneliness?"
KAMPEN = "In het Overijsselse Kampen was eenzaamheid de aanleiding."


def test_english_words_find_their_dutch_counterparts(corpus_index: Assistant) -> None:
    bridge = corpus_index.retriever.keyword_index().bridge
    assert bridge is not None
    found = bridge.counterparts(["loneliness", "theme", "mayor", "system", "care"])
    assert found["loneliness"] == "eenzaamheid"
    assert found["theme"] == "thema"
    assert found["mayor"] == "burgemeester"
    assert found["system"] == "systeem"
    # 'care' is about as close to 'zorg' as to 'graag' or 'geval': no clear counterpart.
    assert "care" not in found


def test_only_english_questions_are_bridged(corpus_index: Assistant) -> None:
    keywords = corpus_index.retriever.keyword_index()
    english = keywords.query_terms(LONELINESS)
    assert set(keywords.terms("eenzaamheid initiatief")) <= set(english)
    assert not {"loneliness", "lonelines"} & set(english)
    # A Dutch question's unknown words stay as they are (Dutch-to-Dutch matches by meaning
    # were look-alikes: 'documenten' -> 'docenten').
    dutch = "Welke documenten noemen de burgemeester?"
    assert keywords.query_terms(dutch) == keywords.terms(dutch)
    # Light verbs match Dutch look-alikes ('take' -> 'taak', 'set' -> 'stel'): never bridged.
    assert keywords.query_terms("What was set up in Austerlitz?") == ["austerlitz"]


def test_the_bridge_brings_an_english_question_its_dutch_answer(
    tmp_path: Path, corpus_index: Assistant, e5: Embedder
) -> None:
    today = dt.date(2026, 11, 22)
    without = make_assistant(tmp_path / "no-bridge", e5, corpus_dir=CORPUS, term_bridge=False)
    without.ingest()
    # Premise: by meaning alone, the Kampen passage is not among the top candidates.
    assert not any(KAMPEN in c.hit.text for c in without.retriever.retrieve(LONELINESS, 8))
    assert "8ste Werk" not in without.ask(LONELINESS, today).answer

    assert any(KAMPEN in c.hit.text for c in corpus_index.retriever.retrieve(LONELINESS, 8))
    answer = corpus_index.ask(LONELINESS, today)
    assert "8ste Werk" in answer.answer
    assert not answer.refused


def test_word_vectors_are_written_by_the_writer_and_only_read_by_readers(
    tmp_path: Path,
) -> None:
    counting = CountingEmbedder(HashingEmbedder())  # type: ignore[arg-type]
    writer = ChromaStore(tmp_path, counting, {"embedder": "hashing"})  # type: ignore[arg-type]
    chunk = Document(
        page_content="Het thema van de week.",
        metadata={"source": "a.txt", "content_hash": "abc", "title": "Muren"},
    )
    with writer.writing():
        writer.replace_document("a.txt", [chunk])
    assert {"thema", "week"} <= set(counting.embedded)  # stored with the document
    assert "muren" not in counting.embedded  # written only with a capital: a name

    counting.embedded.clear()
    reader = ChromaStore(tmp_path, counting, {"embedder": "hashing"})  # type: ignore[arg-type]
    vectors = reader.word_vectors(["week", "thema", "eenzaamheid"])
    assert counting.embedded == ["eenzaamheid"]  # only the word the index lacks...
    expected = HashingEmbedder().embed_queries(["week", "thema", "eenzaamheid"])
    assert np.allclose(vectors, expected, atol=1e-5)
    counting.embedded.clear()
    reader.word_vectors(["eenzaamheid"])
    assert counting.embedded == ["eenzaamheid"]  # ...and it was not written: embedded again


def test_ingest_embeds_the_words_so_the_first_question_does_not(
    tmp_path: Path, e5: Embedder
) -> None:
    counting = CountingEmbedder(e5)
    assistant = make_assistant(tmp_path, counting, corpus_dir=CORPUS)  # type: ignore[arg-type]
    assistant.ingest()
    assert "eenzaamheid" in counting.embedded

    counting.embedded.clear()
    fresh = make_assistant(tmp_path, counting, corpus_dir=CORPUS)  # type: ignore[arg-type]
    fresh.ask("Which initiatives tackle loneliness?", dt.date(2026, 11, 22))
    assert "eenzaamheid" not in counting.embedded
    assert "loneliness" in counting.embedded  # the question's own word, once


def _candidate(source: str, score: float) -> Candidate:
    hit = Hit(id=f"{source}-{score}", text="", metadata={"source": source}, score=score)
    return Candidate(hit, score)


def test_calendar_takes_the_documents_with_most_evidence_not_one_lucky_chunk() -> None:
    candidates = [
        _candidate("a.txt", 5.6),
        _candidate("b.txt", 5.3),  # one chunk that happens to share a word
        _candidate("c.pdf", 5.2),
        _candidate("a.txt", 5.0),
        _candidate("c.pdf", 4.9),
    ]
    assert _best_documents(candidates) == ["a.txt", "c.pdf", "b.txt"]


def test_words_the_documents_only_write_with_a_capital_are_names_never_bridged() -> None:
    from index.keywords import KeywordIndex

    index = KeywordIndex(
        ["a", "b"],
        [
            "Caroline en Topaz gaan in gesprek over de zorg.",
            "De zorg van Topaz. Gesprek over zorg.",
        ],
    )
    assert index.names == {"caroline", "topaz"}
    assert "caroline" not in index.content_words() and "gesprek" in index.content_words()
