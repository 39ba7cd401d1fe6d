"""The vector store: a persistent Chroma collection named after what its vectors depend on."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

import numpy as np
from cachetools import LRUCache
from langchain_core.documents import Document

from index.embedders import Embedder, Vectors
from index.errors import ConfigError, IndexBusyError
from index.events import Event
from index.keywords import content_words, keyword_text
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

    def replace_document(
        self, source: str, chunks: Sequence[Document], events: Sequence[Event] = ()
    ) -> None:
        """The document's new chunks, sentence vectors and events, all at once or not at all."""
        ...

    def remove_document(self, source: str) -> None: ...

    def repair(self) -> list[str]:
        """Remove what an interrupted write left behind; say what was found."""
        ...

    def writing(self) -> AbstractContextManager[None]:
        """Held while writing: one writer at a time per index."""
        ...

    def events(self) -> list[Event]: ...

    def search(self, query: str, k: int, where: Metadata | None = None) -> list[Hit]: ...

    def search_vector(
        self, vector: Vectors, k: int, where: Metadata | None = None
    ) -> list[Hit]: ...

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> list[SentenceVector]: ...

    def chunk_vectors(self, chunk_ids: Sequence[str]) -> dict[str, Vectors]: ...

    def word_vectors(self, words: Sequence[str]) -> Vectors:
        """Query vectors of single words, in order: read from the index, or embedded in
        memory when it has none (a reader never writes)."""
        ...

    def all_chunks(self) -> list[Hit]: ...

    def revision(self) -> str:
        """Changes whenever a document is added, replaced or removed (in any process)."""
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

    Each document's version is committed in one record of the ``-documents`` collection
    (its content hash, how many chunks and sentences it has, its events), written after its
    chunks and sentences and before the old version's are deleted. Readers see only
    committed versions, so a crash at any moment leaves the previous version answerable, and
    the next ingest (``repair``) removes what the crash left half-written.
    """

    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder,
        identity: dict[str, Any],
        lock_timeout: float = 600.0,
        url: str = "",
        bridge_words: bool = True,
    ) -> None:
        """``bridge_words``: each written document's words are embedded for the term bridge
        (index.bridge) before it is committed; off when nothing reads them."""
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"Cannot create the index folder {index_dir}: {exc}. "
                "Choose a writable folder with --index-dir or RV_INDEX_DIR."
            ) from exc
        self._index_dir = index_dir
        self._url = url
        self._embedder = embedder
        self._lock_timeout = lock_timeout
        self._bridge_words = bridge_words
        self.name = collection_name(identity)
        self._metadata = {
            "hnsw:space": "cosine",
            "rv_identity": json.dumps(identity, sort_keys=True),
        }
        self._seen_revision: str | None = None
        # A chunk's id names its document's content hash, so its sentences never change:
        # they are read from Chroma once (a third of a warm answer's time went to reading
        # them again), for the last 4,096 chunks asked about (a few kB each).
        self._kept_sentences: LRUCache[str, list[SentenceVector]] = LRUCache(maxsize=4096)
        self._kept_lock = threading.Lock()
        # Chroma systems of earlier views, with when they were replaced: stopped once no
        # call can still be using them (see _retire).
        self._system: Any = None
        self._retired: list[tuple[float, Any]] = []
        # Every Chroma system this store has not stopped yet: stopped with the store, so
        # that a store no longer used does not keep its vector index files open (a test
        # session opening hundreds of stores ran past 1,024 open files).
        self._running: list[Any] = []
        self._finalizer = weakref.finalize(self, _stop_every, self._running)
        self._open()

    def close(self) -> None:
        """Stop this store's Chroma systems, freeing their memory and open files; the store
        is not used afterwards. Also done when the store is garbage-collected."""
        self._finalizer()

    def _open(self) -> None:
        """Connect to the index folder and its collections, as they are on disk now.

        Embedded Chroma keeps each collection's vector index in memory and never sees
        vectors another process (an `rv ingest` beside `rv serve`) or another store object
        wrote: its queries then fail with 'Error finding id'. A Chroma server has one
        view for every client; reconnecting to it costs one connection.
        """
        previous = self._system
        self._client = _client(self._index_dir, self._url)
        # The client finds its system by the folder's name, so it is taken now, before a
        # later view of the same folder replaces it.
        self._system = self._client._system
        self._running.append(self._system)
        function = cast(Any, _ChromaEmbeddingFunction(self._embedder))

        def collection(suffix: str) -> Any:
            return self._client.get_or_create_collection(
                self.name + suffix, embedding_function=function, metadata=self._metadata
            )

        self._collection = collection("")
        # Every sentence of every chunk, embedded once at ingest, so that answers and the
        # default reranker can score sentences without embedding them per question.
        self._sentences = collection("-sentences")
        # Single corpus words, embedded once for the term bridge (index.bridge).
        self._words = collection("-words")
        # One record per document: the commit of its current version.
        self._documents = collection("-documents")
        # The revision this view shows: a writer that commits before this store's first
        # look at the revision must still make it read the index again.
        self._seen_revision = self._digest()
        if previous is not None:
            self._retire(previous)

    def _retire(self, system: Any) -> None:
        """Stop the systems of views replaced more than RETIRED_SECONDS ago.

        Nothing else frees them: a serving process kept every earlier view's vector indexes,
        growing by the index's size at each revision it followed. A call that began on an
        earlier view (each store call reads its collections once, at its start) is given
        RETIRED_SECONDS to finish before that view is stopped."""
        now = time.monotonic()
        self._retired.append((now, system))
        while self._retired and now - self._retired[0][0] > RETIRED_SECONDS:
            _, old = self._retired.pop(0)
            old.stop()
            self._running.remove(old)

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    # -- the commit records ------------------------------------------------------------

    def _commits(self) -> dict[str, Metadata]:
        """Each committed document's record, by source."""
        found = _get_all(self._documents, include=["metadatas"])
        return {str(m["source"]): _scalars(m) for m in found["metadatas"] or []}

    def _commit(self, source: str, record: Metadata) -> None:
        self._documents.upsert(
            ids=[_source_id(source)], metadatas=[record], embeddings=[_RECORD_VECTOR]
        )

    def _visible(self, commits: Mapping[str, Metadata]) -> dict[str, Any]:
        """A filter for the chunks of the committed versions only."""
        hashes = sorted({str(r["content_hash"]) for r in commits.values()})
        return {"content_hash": {"$in": hashes}}

    @staticmethod
    def _committed(meta: Mapping[str, Any], commits: Mapping[str, Metadata]) -> bool:
        record = commits.get(str(meta.get("source")))
        return record is not None and record["content_hash"] == meta.get("content_hash")

    # -- writing -----------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index's write lock: a second writer waits for the first, then gives up
        with IndexBusyError after ``lock_timeout`` seconds. The lock is the kernel's, so a
        killed writer never leaves it held."""
        path = self._index_dir / f".{self.name}.lock"
        with path.open("a") as handle:
            started = time.monotonic()
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    waited = time.monotonic() - started
                    if waited >= self._lock_timeout:
                        raise IndexBusyError(self._index_dir, waited) from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def replace_document(
        self, source: str, chunks: Sequence[Document], events: Sequence[Event] = ()
    ) -> None:
        """Write the new version beside the old one, commit it, then delete the old one."""
        if not chunks:
            self.remove_document(source)
            return
        content_hash = str(chunks[0].metadata["content_hash"])
        ids = [_chunk_id(source, content_hash, i) for i in range(len(chunks))]
        self._upsert(
            self._collection,
            ids,
            [c.page_content for c in chunks],
            [_chroma_metadata(c.metadata) for c in chunks],
            [embedding_text(c) for c in chunks],
        )
        sentences = self._add_sentences(source, content_hash, ids, chunks)
        if self._bridge_words:
            self._add_words(chunks)
        self._commit(
            source,
            {
                "source": source,
                "content_hash": content_hash,
                "chunks": len(ids),
                "sentences": sentences,
                "events": json.dumps([e.as_dict() for e in events], ensure_ascii=False),
                "committed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
        )
        self._seen_revision = None
        self._delete_other_versions(source, content_hash)

    def _delete_other_versions(self, source: str, keep: str | None) -> None:
        for collection in (self._collection, self._sentences):
            found = _get_all(collection, where={"source": source}, include=["metadatas"])
            stale = [
                i
                for i, m in zip(found["ids"], found["metadatas"] or [], strict=True)
                if keep is None or (m or {}).get("content_hash") != keep
            ]
            for batch in _batches(stale):
                collection.delete(ids=batch)

    def _upsert(
        self,
        collection: Any,
        ids: list[str],
        documents: list[str],
        metadatas: list[Metadata],
        embedded: list[str],
    ) -> None:
        """Records in batches Chroma accepts: one call may carry only so many ('Batch size
        of 6283 > max 5461' lost a large document's whole embedding work). Each batch's
        texts (``embedded``) are embedded with it, not all at once: a 19.9 MB text has
        47,000 chunks and as many sentences."""
        size = min(_BATCH, int(self._client.get_max_batch_size()))
        for start in range(0, len(ids), size):
            end = start + size
            collection.upsert(
                ids=ids[start:end],
                documents=documents[start:end],
                metadatas=metadatas[start:end],
                embeddings=self._embedder.embed_passages(embedded[start:end]),
            )

    def _add_sentences(
        self, source: str, content_hash: str, chunk_ids: Sequence[str], chunks: Sequence[Document]
    ) -> int:
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[Metadata] = []
        for chunk_id, chunk in zip(chunk_ids, chunks, strict=True):
            for i, (start, end) in enumerate(sentence_spans(chunk.page_content)):
                ids.append(f"{chunk_id}:s{i}")
                texts.append(chunk.page_content[start:end])
                metadatas.append(
                    {
                        "source": source,
                        "content_hash": content_hash,
                        "chunk_id": chunk_id,
                        "start": start,
                        "end": end,
                    }
                )
        if ids:
            self._upsert(self._sentences, ids, texts, metadatas, texts)
        return len(ids)

    def _add_words(self, chunks: Sequence[Document]) -> None:
        """Embed the document's words the index does not hold yet, before its commit: a
        reader that sees the new version finds its words' vectors, and only the writer,
        holding the write lock, ever writes them (two processes writing one embedded store
        at once fail with 'Error finding id')."""
        words = content_words([keyword_text(c.page_content, c.metadata) for c in chunks])
        missing = [w for w in words if w not in self._stored_words(words)]
        for batch in _batches(missing):
            self._words.upsert(ids=batch, embeddings=self._embedder.embed_queries(batch))  # type: ignore[arg-type]

    def _stored_words(self, words: Sequence[str]) -> dict[str, Any]:
        known: dict[str, Any] = {}
        for batch in _batches(list(words)):
            found = self._words.get(ids=batch, include=["embeddings"])
            known.update(zip(found["ids"], _listed(found["embeddings"]), strict=True))
        return known

    def remove_document(self, source: str) -> None:
        """Uncommit first: from then on readers no longer see the document."""
        self._documents.delete(ids=[_source_id(source)])
        self._seen_revision = None
        self._delete_other_versions(source, None)

    def repair(self) -> list[str]:
        """Find and remove what an interrupted write left: chunks and sentences of no
        committed version, committed versions missing chunks or sentences (uncommitted, so
        the ingest writes them again), and temporary files. Call it holding ``writing``."""
        found: list[str] = []
        commits = self._commits()
        counts: dict[str, dict[str, int]] = {}
        for label, collection in (("chunks", self._collection), ("sentences", self._sentences)):
            got = _get_all(collection, include=["metadatas"])
            orphans = []
            for i, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                if self._committed(meta or {}, commits):
                    per = counts.setdefault(str((meta or {})["source"]), {})
                    per[label] = per.get(label, 0) + 1
                else:
                    orphans.append(i)
            if orphans:
                found.append(f"{len(orphans)} {label} of no complete document version")
                for batch in _batches(orphans):
                    collection.delete(ids=batch)
        for source, record in commits.items():
            have = counts.get(source, {})
            if any(have.get(k, 0) != record.get(k) for k in ("chunks", "sentences")):
                found.append(f"{source}: its stored version is incomplete; it is read again")
                self.remove_document(source)
        for stray in self._index_dir.glob("*.tmp"):
            stray.unlink(missing_ok=True)
            found.append(f"{stray.name}: a temporary file of an interrupted write")
        if found:
            self._seen_revision = None
        return found

    # -- reading -----------------------------------------------------------------------

    def events(self) -> list[Event]:
        events = [
            Event.from_dict(e)
            for record in self._commits().values()
            for e in json.loads(str(record.get("events", "[]")))
        ]
        return sorted(events, key=Event.sort_key)

    def count(self) -> int:
        return sum(int(r.get("chunks", 0)) for r in self._commits().values())

    def indexed_documents(self) -> dict[str, IndexedDocument]:
        commits = self._commits()
        if not commits:
            return {}
        found = _get_all(self._collection, where=self._visible(commits), include=["metadatas"])
        documents: dict[str, IndexedDocument] = {}
        for meta in found["metadatas"] or []:
            if not self._committed(meta, commits):
                continue
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

    def _digest(self) -> str:
        commits = self._commits()
        versions = sorted(f"{s}\0{r['content_hash']}" for s, r in commits.items())
        return hashlib.sha256("\n".join(versions).encode()).hexdigest()

    def revision(self) -> str:
        """A digest of the committed versions. When another process changed them, this
        process's view of the index is read from disk again."""
        revision = self._digest()
        if self._seen_revision is not None and revision != self._seen_revision and not self._url:
            self._open()  # another writer changed it: read it from disk again
        self._seen_revision = revision
        return revision

    def chunk_vectors(self, chunk_ids: Sequence[str]) -> dict[str, Vectors]:
        if not chunk_ids:
            return {}
        found = self._collection.get(ids=list(chunk_ids), include=["embeddings"])
        return {
            i: np.asarray(v, dtype=np.float32)
            for i, v in zip(found["ids"], _listed(found["embeddings"]), strict=True)
        }

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> list[SentenceVector]:
        wanted = list(dict.fromkeys(chunk_ids))
        with self._kept_lock:
            kept = {i: self._kept_sentences[i] for i in wanted if i in self._kept_sentences}
        unread = [i for i in wanted if i not in kept]
        if unread:
            read: dict[str, list[SentenceVector]] = {i: [] for i in unread}
            for sentence in self._read_sentence_vectors(unread):
                read[sentence.chunk_id].append(sentence)
            with self._kept_lock:
                for chunk_id, sentences in read.items():
                    # None read may mean a version being written or just removed: ask again.
                    if sentences:
                        self._kept_sentences[chunk_id] = sentences
            kept.update(read)
        return [sentence for i in wanted for sentence in kept[i]]

    def _read_sentence_vectors(self, chunk_ids: Sequence[str]) -> list[SentenceVector]:
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
        """Query vectors of single words, in order: those the ingest stored (each document's
        words, written with it), the rest embedded here and not kept. Reading writes
        nothing: a serving process beside an ingest would be a second writer."""
        known = self._stored_words(words)
        missing = [w for w in words if w not in known]
        for batch in _batches(missing):
            known.update(zip(batch, self._embedder.embed_queries(batch), strict=True))
        if not words:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([np.asarray(known[w], dtype=np.float32) for w in words])

    def search(self, query: str, k: int, where: Metadata | None = None) -> list[Hit]:
        return self.search_vector(self._embedder.embed_queries([query])[0], k, where)

    def search_vector(self, vector: Vectors, k: int, where: Metadata | None = None) -> list[Hit]:
        """The ``k`` chunks of committed versions nearest to ``vector``.

        Filtering on the committed versions makes Chroma's search slower (12.6 against
        3.2 ms at 10x the default corpus), and almost always every stored chunk is
        committed: the search runs unfiltered first, and again with the filter only when
        it met a chunk of a version still being written or left by a crash."""
        commits = self._commits()
        total = sum(int(r.get("chunks", 0)) for r in commits.values())
        if total == 0:
            return []
        hits = self._nearest(vector, min(k, total), dict(where) if where else None)
        if all(self._committed(h.metadata, commits) for h in hits):
            return hits
        visible = self._visible(commits)
        condition: Any = {"$and": [visible, dict(where)]} if where else visible
        hits = self._nearest(vector, min(k, total), condition)
        return [h for h in hits if self._committed(h.metadata, commits)]

    def _nearest(self, vector: Vectors, n: int, where: Any) -> list[Hit]:
        result = self._collection.query(
            query_embeddings=vector.reshape(1, -1),
            n_results=n,
            where=where,
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
        commits = self._commits()
        if not commits:
            return []
        found = _get_all(
            self._collection, where=self._visible(commits), include=["documents", "metadatas"]
        )
        return [
            Hit(id=i, text=text or "", metadata=_scalars(meta), score=0.0)
            for i, text, meta in zip(
                found["ids"], found["documents"] or [], found["metadatas"] or [], strict=True
            )
            if self._committed(meta or {}, commits)
        ]


#: How long a replaced view of an embedded index stays open for calls that began on it.
RETIRED_SECONDS = 15.0

#: Records per read at most: Chroma reads the records a query found with one SQL statement
#: naming each, and SQLite refuses more than 32,766 ('too many SQL variables': a 19.9 MB
#: text's 57,000 chunks could be written but not read back or replaced).
_READ_PAGE = 10_000


def _get_all(collection: Any, **query: Any) -> dict[str, Any]:
    """``collection.get(**query)``, read a page at a time: ids, metadatas, documents and
    embeddings (those asked for) of every page, in one result."""
    merged: dict[str, list[Any]] = {"ids": []}
    fields = ["metadatas", *[f for f in ("documents", "embeddings") if f in query["include"]]]
    for name in fields:
        merged[name] = []
    offset = 0
    while True:
        page = collection.get(**query, limit=_READ_PAGE, offset=offset)
        merged["ids"].extend(page["ids"])
        for name in fields:
            merged[name].extend(_listed(page[name]) if page[name] is not None else [])
        if len(page["ids"]) < _READ_PAGE:
            return merged
        offset += _READ_PAGE


def _client(index_dir: Path, url: str) -> Any:
    """A Chroma server's client when ``url`` is set, else the embedded store in the folder.

    Embedded Chroma shares one in-memory system per folder within a process; the cached one
    is forgotten first (it stays alive for any client still using it), so that each store
    reads the folder afresh."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlsplit(url if "://" in url else f"http://{url}")
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigError(
                f"The Chroma server address {url!r} is not an http(s) URL; set RV_CHROMA_URL "
                "(or --chroma-url) to one such as http://127.0.0.1:8000."
            )
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=settings,
            )
        except Exception as exc:  # connection errors come in several types
            raise ConfigError(
                f"No Chroma server answers at {url} ({type(exc).__name__}: {exc}). Start one "
                "with `chroma run --path DIR --host 127.0.0.1 --port 8000`, or unset "
                "RV_CHROMA_URL to use the embedded store."
            ) from exc
    SharedSystemClient._identifier_to_system.pop(str(index_dir), None)
    SharedSystemClient._identifier_to_refcount.pop(str(index_dir), None)
    with _creating(index_dir):
        return chromadb.PersistentClient(path=str(index_dir), settings=settings)


@contextmanager
def _creating(index_dir: Path) -> Iterator[None]:
    """Open the embedded database one process at a time: two processes opening a new
    folder at once both run Chroma's schema migrations, and one fails with "table
    collections already exists". A folder that can't hold the lock file (read-only) can't
    be migrated by anyone, so it opens without one."""
    try:
        handle = (index_dir / ".rv-open.lock").open("a")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


#: The commit records carry no meaning to search by; Chroma still wants a vector for each.
_RECORD_VECTOR = [1.0]


def _source_id(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


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


def _stop_every(systems: list[Any]) -> None:
    """Stop each Chroma system of ``systems`` (a store's, at its end)."""
    while systems:
        system = systems.pop()
        try:
            system.stop()
        except Exception:  # a system half-stopped already; at the end nothing else matters
            logging.getLogger(__name__).debug("stopping a Chroma system failed", exc_info=True)
