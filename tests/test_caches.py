"""What is kept in memory between answers: query vectors, stored sentence vectors, the
terms of a text. Each must give exactly what a fresh computation gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import CountingEmbedder
from langchain_core.documents import Document

from index.embedders import HashingEmbedder, RememberedQueries, remembering
from index.keywords import Analyzer
from index.store import ChromaStore


def test_a_query_asked_again_is_not_embedded_again() -> None:
    counting = CountingEmbedder(HashingEmbedder())
    remembered = RememberedQueries(counting, size=8)
    first = remembered.embed_queries(["wanneer is de bijeenkomst", "wie organiseert het"])
    again = remembered.embed_queries(["wie organiseert het", "wanneer is de bijeenkomst"])
    assert counting.embedded == ["wanneer is de bijeenkomst", "wie organiseert het"]
    assert np.array_equal(first[::-1], again)
    assert np.array_equal(again, HashingEmbedder().embed_queries(list(reversed(counting.embedded))))


def test_remembered_queries_forget_the_least_recent_beyond_their_size() -> None:
    counting = CountingEmbedder(HashingEmbedder())
    remembered = RememberedQueries(counting, size=2)
    for text in ["a", "b", "a", "c", "a", "b"]:
        remembered.embed_queries([text])
    # 'b' was forgotten when 'c' came (the least recently asked); 'a' never was.
    assert counting.embedded == ["a", "b", "c", "b"]


def test_a_caller_cannot_change_a_remembered_vector() -> None:
    remembered = RememberedQueries(HashingEmbedder(), size=4)
    vectors = remembered.embed_queries(["eenzaamheid"])
    vectors[0, :] = 0.0
    assert np.linalg.norm(remembered.embed_queries(["eenzaamheid"])[0]) == pytest.approx(1.0)


def test_passages_and_identity_are_the_inner_embedders() -> None:
    counting = CountingEmbedder(HashingEmbedder())
    remembered = remembering(counting, 4)
    remembered.embed_passages(["zorg"])
    remembered.embed_passages(["zorg"])
    assert counting.embedded == ["zorg", "zorg"]  # ingest embeds each text once anyway
    assert remembered.identity == counting.identity
    assert remembering(counting, 0) is counting
    assert remembered.embed_queries([]).shape[0] == 0


def test_the_terms_of_a_text_are_the_same_when_remembered() -> None:
    analyzer = Analyzer(["eenzaamheid", "initiatief"], remembered=2)
    fresh = Analyzer(["eenzaamheid", "initiatief"], remembered=0)
    texts = ["Eenzaamheidsinitiatieven in Kampen", "mee te doen", "Eenzaamheidsinitiatieven"]
    for text in texts + texts:
        assert analyzer.terms(text) == fresh.terms(text)
    analyzer.terms(texts[0]).append("changed")
    assert analyzer.terms(texts[0]) == fresh.terms(texts[0])


def test_stored_sentence_vectors_are_read_once_and_equal_a_fresh_read(tmp_path: Path) -> None:
    store = ChromaStore(tmp_path, HashingEmbedder(), {"test": "sentences"})
    text = "Eerste zin over zorg. Tweede zin over jeugd. Derde zin over wonen."
    metadata = {"source": "a.txt", "content_hash": "hash-a", "chunk_index": 0, "start": 0}
    store.replace_document("a.txt", [Document(page_content=text, metadata=metadata)])
    ids = [hit.id for hit in store.all_chunks()]
    reads: list[list[str]] = []
    read = store._read_sentence_vectors

    def counted(chunk_ids: list[str]) -> object:
        reads.append(list(chunk_ids))
        return read(chunk_ids)

    store._read_sentence_vectors = counted  # type: ignore[method-assign]
    first = store.sentence_vectors(ids)
    again = store.sentence_vectors(ids + ids)
    assert reads == [ids]
    assert len(first) == 3
    assert [(s.start, s.end) for s in again] == [(s.start, s.end) for s in first]
    fresh = read(ids)
    assert all(np.array_equal(a.vector, b.vector) for a, b in zip(again, fresh, strict=True))


def test_a_chunk_without_stored_sentences_is_asked_again(tmp_path: Path) -> None:
    store = ChromaStore(tmp_path, HashingEmbedder(), {"test": "unknown"})
    assert store.sentence_vectors(["no-such-chunk"]) == []
    assert "no-such-chunk" not in store._kept_sentences
