"""Document metadata: title, own URL, themes, keywords, content hash, path."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ingest.cleaning import CleanText, looks_like_heading, most_cited_link
from ingest.loaders import LoadedDocument
from ingest.titles import cut_title, quoted_title, self_name


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def version_hash(data: bytes, staff_title: str | None = None) -> str:
    """What a document's indexed version is: its file's bytes, and the title staff gave it.
    Without a staff title it is the file's content hash, so indexes made before staff
    titles existed stay current; a new or changed title makes a new version, which the
    index writes and commits like a changed file (and a serving process follows)."""
    if not staff_title:
        return content_hash(data)
    return hashlib.sha256(data + b"\0rv-staff-title\0" + staff_title.encode()).hexdigest()


def document_metadata(
    loaded: LoadedDocument,
    clean: CleanText,
    digest: str,
    source: str,
    staff_title: str | None = None,
) -> dict[str, Any]:
    url = loaded.url or most_cited_link(clean.links)
    return {
        "source": source,
        "file_name": loaded.path.name,
        "title": staff_title or choose_title(loaded, clean, url),
        "url": url,
        "themes": "; ".join(clean.themes),
        "keywords": "; ".join(clean.keywords),
        "content_hash": digest,
        "kind": loaded.kind,
        "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def choose_title(loaded: LoadedDocument, clean: CleanText, url: str | None) -> str:
    """The document's own heading; failing that its address's slug; failing that a quoted
    title or a name the text gives itself; failing that its first sentence, cut short."""
    if loaded.title:
        return loaded.title
    if clean.paragraphs:
        first = clean.paragraph_text(clean.paragraphs[0])
        if looks_like_heading(first):
            return first
    if url and (slug := title_from_url(url)):
        return slug
    named = quoted_title(clean.text) or self_name(clean.text)
    return named or cut_title(clean.text) or loaded.path.stem


def title_from_url(url: str) -> str | None:
    segment = unquote(urlparse(url).path.rstrip("/").rsplit("/", 1)[-1])
    segment = re.sub(r"\.\w{2,5}$", "", segment)
    words = [w for w in re.split(r"[-_]+", segment) if w]
    if len(words) < 2:
        return None
    text = " ".join(words)
    return text[0].upper() + text[1:]


def source_key(path: Path) -> str:
    """How a file is known in the index: its absolute, resolved path."""
    return str(path.resolve())
