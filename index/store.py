"""The vector store: a persistent Chroma collection named after what its vectors depend on."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np
from langchain_core.documents import Document

from index.embedders import Embedder, Vectors
from index.errors import ConfigError
from index.events import Event, EventStore
from index.text import sentence_spans

log = logging.getLogger(__name__)

#: Metadata value types Chroma accepts; ``None`` values are dropped before writing.
Metadata = dict[str, str | int | float | bool]


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk with its similarity to the question (cosine, higher is closer)."""

    id: str
    text: str
    metadata: Metadata
    score: float


@dataclass(frozen=True)
class SentenceVector:
    """A sentence of a chunk (character span within the chunk) and its embedding."""

    chunk_id: str
    start: int
    end: int
    vector: Vectors


@dataclass
class IndexedDocument:
    """What the index holds for one source file (for the staff view and re-ingest)."""

    source: str
    content_hash: str
    title: str
    url: str | None
    chunks: int = 0
    pages: set[int] = field(default_factory=set)
    ingested_at: str = ""


class VectorStore(Protocol):
    """Where chunks live; replaced per source file so re-ingest never leaves stale chunks."""

    def count(self) -> int: ...

    def indexed_documents(self) -> dict[str, IndexedDocument]: ...

    def replace_document(self, source: str, chunks: Sequence[Document]) -> None: ...

    def remove_document(self, source: str) -> None: ...

    def replace_events(self, source: str, events: list[Event]) -> None: ...

    def events(self) -> list[Event]: ...

    def search(self, query: str, k: int, where: Metadata | None = None) -> list[Hit]: ...

    def search_vector(
        self, vector: Vectors, k: int, where: Metadata | None = None
    ) -> list[Hit]: ...

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> list[SentenceVector]: ...

    def chunk_vectors(self, chunk_ids: Sequence[str]) -> dict[str, Vectors]: ...

    def word_vectors(self, words: Sequence[str]) -> Vectors: ...

    def all_chunks(self) -> list[Hit]: ...

    def revision(self) -> str:
        """Changes whenever any chunk is added, replaced or removed (in any process)."""
        ...

    @property
    def embedder(self) -> Embedder: ...


def collection_name(identity: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return f"rv-{digest[:16]}"


def _chroma_metadata(metadata: dict[str, Any]) -> Metadata:
    return {k: v for k, v in metadata.items() if v is not None and v != ""}


def _scalars(metadata: Mapping[str, Any] | None) -> Metadata:
    return {k: v for k, v in (metadata or {}).items() if isinstance(v, str | int | float | bool)}


def _listed(values: Any) -> Any:
    """Chroma returns embeddings as an array (whose truth value is ambiguous) or None."""
    return [] if values is None else values


def _chunk_id(source: str, content_hash: str, index: int) -> str:
    source_digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return f"{source_digest}:{content_hash[:16]}:{index}"


class ChromaStore:
    """Chroma in embedded, persistent mode with an explicit embedding function.

    Passing the embedder explicitly matters: Chroma's built-in default downloads a model
    at first use, which fails offline.
    """

    def __init__(self, index_dir: Path, embedder: Embedder, identity: dict[str, Any]) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        try:
            index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"Cannot create the index folder {index_dir}: {exc}. "
                "Choose a writable folder with --index-dir or RV_INDEX_DIR."
            ) from exc
        self._embedder = embedder
        self._client = chromadb.PersistentClient(
            path=str(index_dir),
            settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
        )
        self.name = collection_name(identity)
        metadata = {"hnsw:space": "cosine", "rv_identity": json.dumps(identity, sort_keys=True)}
        function = cast(Any, _ChromaEmbeddingFunction(embedder))
        self._collection = self._client.get_or_create_collection(
            self.name, embedding_function=function, metadata=metadata
        )
        # Every sentence of every chunk, embedded once at ingest, so that answers and the
        # default reranker can score sentences without embedding them per question.
        self._sentences = self._client.get_or_create_collection(
            f"{self.name}-sentences", embedding_function=function, metadata=metadata
        )

        # Single corpus words, embedded once for the term bridge (index.bridge).
        self._words = self._client.get_or_create_collection(
            f"{self.name}-words", embedding_function=function, metadata=metadata
        )

        self._events = EventStore(index_dir / f"{self.name}-events.json")

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def replace_events(self, source: str, events: list[Event]) -> None:
        self._events.replace(source, events)

    def events(self) -> list[Event]:
        return self._events.all()

    def count(self) -> int:
        return int(self._collection.count())

    def indexed_documents(self) -> dict[str, IndexedDocument]:
        found = self._collection.get(include=["metadatas"])
        documents: dict[str, IndexedDocument] = {}
        for meta in found["metadatas"] or []:
            source = str(meta["source"])
            doc = documents.get(source)
            if doc is None:
                url = meta.get("url")
                doc = documents[source] = IndexedDocument(
                    source=source,
                    content_hash=str(meta["content_hash"]),
                    title=str(meta.get("title", "")),
                    url=str(url) if url else None,
                    ingested_at=str(meta.get("ingested_at", "")),
                )
            doc.chunks += 1
            if "page" in meta:
                doc.pages.add(int(meta["page"]))  # type: ignore[arg-type]
        return documents

    def replace_document(self, source: str, chunks: Sequence[Document]) -> None:
        """Add the new chunks first, then drop the old ones: a crash never leaves a gap."""
        old_ids = self._ids_of(self._collection, source)
        old_sentence_ids = self._ids_of(self._sentences, source)
        if chunks:
            ids = [
                _chunk_id(source, str(c.metadata["content_hash"]), i) for i, c in enumerate(chunks)
            ]
            vectors = self._embedder.embed_passages([embedding_text(c) for c in chunks])
            self._upsert(
                self._collection,
                ids,
                [c.page_content for c in chunks],
                [_chroma_metadata(c.metadata) for c in chunks],
                vectors,
            )
            sentence_ids = self._add_sentences(source, ids, chunks)
            old_ids = [i for i in old_ids if i not in set(ids)]
            old_sentence_ids = [i for i in old_sentence_ids if i not in sentence_ids]
        for batch in _batches(old_ids):
            self._collection.delete(ids=batch)
        for batch in _batches(sorted(old_sentence_ids)):
            self._sentences.delete(ids=batch)

    def _upsert(
        self,
        collection: Any,
        ids: list[str],
        documents: list[str],
        metadatas: list[Metadata],
        vectors: Vectors,
    ) -> None:
        """Records in batches Chroma accepts: one call may carry only so many ('Batch size
        of 6283 > max 5461' lost a large document's whole embedding work)."""
        size = min(_BATCH, int(self._client.get_max_batch_size()))
        for start in range(0, len(ids), size):
            end = start + size
            collection.upsert(
                ids=ids[start:end],
                documents=documents[start:end],
                metadatas=metadatas[start:end],
                embeddings=vectors[start:end],
            )

    def _add_sentences(
        self, source: str, chunk_ids: Sequence[str], chunks: Sequence[Document]
    ) -> set[str]:
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[Metadata] = []
        for chunk_id, chunk in zip(chunk_ids, chunks, strict=True):
            for i, (start, end) in enumerate(sentence_spans(chunk.page_content)):
                ids.append(f"{chunk_id}:s{i}")
                texts.append(chunk.page_content[start:end])
                metadatas.append(
                    {"source": source, "chunk_id": chunk_id, "start": start, "end": end}
                )
        if ids:
            self._upsert(
                self._sentences, ids, texts, metadatas, self._embedder.embed_passages(texts)
            )
        return set(ids)

    def remove_document(self, source: str) -> None:
        self._events.remove(source)
        for collection in (self._collection, self._sentences):
            for batch in _batches(self._ids_of(collection, source)):
                collection.delete(ids=batch)

    @staticmethod
    def _ids_of(collection: Any, source: str) -> list[str]:
        return list(collection.get(where={"source": source}, include=[])["ids"])

    def revision(self) -> str:
        ids = sorted(self._collection.get(include=[])["ids"])
        return hashlib.sha256("\n".join(ids).encode()).hexdigest()

    def chunk_vectors(self, chunk_ids: Sequence[str]) -> dict[str, Vectors]:
        if not chunk_ids:
            return {}
        found = self._collection.get(ids=list(chunk_ids), include=["embeddings"])
        return {
            i: np.asarray(v, dtype=np.float32)
            for i, v in zip(found["ids"], _listed(found["embeddings"]), strict=True)
        }

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> list[SentenceVector]:
        if not chunk_ids:
            return []
        where: Any = {"chunk_id": {"$in": list(chunk_ids)}}
        found = self._sentences.get(where=where, include=["metadatas", "embeddings"])
        sentences = []
        for meta, vector in zip(
            found["metadatas"] or [], _listed(found["embeddings"]), strict=True
        ):
            scalars = _scalars(meta)
            sentences.append(
                SentenceVector(
                    str(scalars["chunk_id"]),
                    int(scalars["start"]),
                    int(scalars["end"]),
                    np.asarray(vector, dtype=np.float32),
                )
            )
        return sentences

    def word_vectors(self, words: Sequence[str]) -> Vectors:
        """Query vectors of single words, in order; embedded on first request, then kept."""
        known: dict[str, Any] = {}
        for batch in _batches(list(words)):
            found = self._words.get(ids=batch, include=["embeddings"])
            known.update(zip(found["ids"], _listed(found["embeddings"]), strict=True))
        missing = [w for w in words if w not in known]
        for batch in _batches(missing):
            vectors = self._embedder.embed_queries(batch)
            self._words.add(ids=batch, embeddings=vectors)  # type: ignore[arg-type]
            known.update(zip(batch, vectors, strict=True))
        if not words:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([np.asarray(known[w], dtype=np.float32) for w in words])

    def search(self, query: str, k: int, where: Metadata | None = None) -> list[Hit]:
        return self.search_vector(self._embedder.embed_queries([query])[0], k, where)

    def search_vector(self, vector: Vectors, k: int, where: Metadata | None = None) -> list[Hit]:
        total = self.count()
        if total == 0:
            return []
        result = self._collection.query(
            query_embeddings=vector.reshape(1, -1),
            n_results=min(k, total),
            where=where or None,  # type: ignore[arg-type]
            include=["documents", "metadatas", "distances"],
        )
        return [
            Hit(id=i, text=text or "", metadata=_scalars(meta), score=1.0 - float(dist))
            for i, text, meta, dist in zip(
                result["ids"][0],
                (result["documents"] or [[]])[0],
                (result["metadatas"] or [[]])[0],
                (result["distances"] or [[]])[0],
                strict=True,
            )
        ]

    def all_chunks(self) -> list[Hit]:
        found = self._collection.get(include=["documents", "metadatas"])
        return [
            Hit(id=i, text=text or "", metadata=_scalars(meta), score=0.0)
            for i, text, meta in zip(
                found["ids"], found["documents"] or [], found["metadatas"] or [], strict=True
            )
        ]


#: Records per Chroma call at most (Chroma's own limit may be lower: the store asks it).
_BATCH = 1000


def _batches(items: list[str], size: int = _BATCH) -> Iterator[list[str]]:
    """Chroma limits how many records one call may carry."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def embedding_text(chunk: Document) -> str:
    """What gets embedded: the chunk with its document title, which names its subject."""
    title = str(chunk.metadata.get("title") or "")
    if title and not chunk.page_content.startswith(title):
        return f"{title}\n{chunk.page_content}"
    return chunk.page_content


class _ChromaEmbeddingFunction:
    """Adapter so the collection carries our embedder instead of Chroma's downloading default."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Sequence[str]) -> list[Any]:  # noqa: A002 - Chroma's name
        return list(self._embedder.embed_passages(list(input)))

    def embed_query(self, input: Sequence[str]) -> list[Any]:  # noqa: A002
        return list(self._embedder.embed_queries(list(input)))

    @staticmethod
    def name() -> str:
        return "rv-embedder"

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"identity": self._embedder.identity}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> Any:
        # Chroma rebuilds the function when it opens a collection; rv always passes its own
        # embedder explicitly, so the rebuilt one is never used.
        return _UnboundEmbeddingFunction()


class _UnboundEmbeddingFunction(_ChromaEmbeddingFunction):
    def __init__(self) -> None:
        pass

    def __call__(self, input: Sequence[str]) -> list[Any]:  # noqa: A002
        raise ConfigError("Open the index through rv so that its embedder is attached.")
