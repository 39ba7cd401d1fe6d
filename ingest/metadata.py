"""Document metadata: title, own URL, themes, keywords, content hash, path."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from index.text import split_sentences
from ingest.cleaning import CleanText, looks_like_heading, most_cited_link
from ingest.loaders import LoadedDocument

#: A title cut from a document's first sentence is at most this long, with its '…'.
_MAX_TITLE = 80


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_metadata(
    loaded: LoadedDocument, clean: CleanText, digest: str, source: str
) -> dict[str, Any]:
    url = loaded.url or most_cited_link(clean.links)
    return {
        "source": source,
        "file_name": loaded.path.name,
        "title": choose_title(loaded, clean, url),
        "url": url,
        "themes": "; ".join(clean.themes),
        "keywords": "; ".join(clean.keywords),
        "content_hash": digest,
        "kind": loaded.kind,
        "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def choose_title(loaded: LoadedDocument, clean: CleanText, url: str | None) -> str:
    """The document's own heading; failing that its address's slug; failing that its lead."""
    if loaded.title:
        return loaded.title
    if clean.paragraphs:
        first = clean.paragraph_text(clean.paragraphs[0])
        if looks_like_heading(first):
            return first
    if url and (slug := title_from_url(url)):
        return slug
    return title_from_lead(clean.text) or loaded.path.stem


def title_from_url(url: str) -> str | None:
    segment = unquote(urlparse(url).path.rstrip("/").rsplit("/", 1)[-1])
    segment = re.sub(r"\.\w{2,5}$", "", segment)
    words = [w for w in re.split(r"[-_]+", segment) if w]
    if len(words) < 2:
        return None
    text = " ".join(words)
    return text[0].upper() + text[1:]


def title_from_lead(text: str) -> str | None:
    sentences = split_sentences(text[:1000])
    if not sentences:
        return None
    first = sentences[0].rstrip(".")
    if len(first) <= _MAX_TITLE:
        return first
    cut = first[: _MAX_TITLE - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def source_key(path: Path) -> str:
    """How a file is known in the index: its absolute, resolved path."""
    return str(path.resolve())
