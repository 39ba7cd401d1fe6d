"""Loaders: a file in, its raw text per page out, or a DocumentError naming the problem."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from index.errors import DocumentError

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES


@dataclass
class LoadedDocument:
    """Raw text as the file gives it. ``pages`` has one entry per PDF page, else one entry."""

    path: Path
    kind: str  # "pdf", "text", "markdown" or "html"
    pages: list[str]
    has_pages: bool
    title: str | None = None
    url: str | None = None
    links: list[str] = field(default_factory=list)


def load_document(path: Path, data: bytes, max_pages: int | None = None) -> LoadedDocument:
    """Parse ``data`` (the bytes of ``path``) according to the file's suffix; a PDF of more
    than ``max_pages`` pages is refused before any page is read."""
    suffix = path.suffix.lower()
    if not data.strip():
        raise DocumentError(path, "the file is empty", "empty")
    if suffix in PDF_SUFFIXES:
        return _load_pdf(path, data, max_pages)
    if suffix in TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES:
        text = _decode_text(path, data)
        if suffix in HTML_SUFFIXES:
            return _load_html(path, text)
        kind = "markdown" if suffix in MARKDOWN_SUFFIXES else "text"
        return LoadedDocument(path=path, kind=kind, pages=[text], has_pages=False)
    raise DocumentError(
        path,
        f"unsupported format {suffix or '(no extension)'!r}; "
        f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}",
        "unsupported",
    )


def _decode_text(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise DocumentError(
            path, "looks like a binary file, not text (it contains NUL bytes)", "binary"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _legacy_text(path, data)
    # A stray NUL past the binary check would end up in quotes: it is no text.
    return text.replace("\x00", "")


def _legacy_text(path: Path, data: bytes) -> str:
    """Text that is not UTF-8: older Dutch files are Windows-1252 (Latin-1 with its quotes
    and euro sign); a file with one of the five bytes that code leaves undefined is read as
    Latin-1. Bytes that read as no text in either are refused."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise DocumentError(
            path, "looks like a binary file, not text (neither UTF-8 nor text)", "binary"
        )
    return text


#: Text has next to no control characters; compressed or binary data, read as Latin-1,
#: about one in eight.
_MAX_CONTROL_SHARE = 0.02


def _control_share(text: str) -> float:
    sample = text[:8192]
    control = sum(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f" for c in sample)
    return control / max(1, len(sample))


def _load_pdf(path: Path, data: bytes, max_pages: int | None = None) -> LoadedDocument:
    import io

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise DocumentError(
            path, "is not a PDF (no %PDF header); the file may be damaged", "not_pdf"
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(
                path, "is encrypted with a password; save an unprotected copy", "encrypted"
            )
        if max_pages is not None and len(reader.pages) > max_pages:
            raise DocumentError(
                path,
                f"has {len(reader.pages):,} pages; the limit is {max_pages:,} "
                "(RV_MAX_PDF_PAGES); split it, or raise the limit",
                "too_many_pages",
                pages=len(reader.pages),
                limit=max_pages,
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError as exc:
        raise DocumentError(
            path, "is encrypted with a password; save an unprotected copy", "encrypted"
        ) from exc
    except DependencyError as exc:
        raise DocumentError(
            path, f"is encrypted in a way this install cannot read ({exc}); "
            "pip install 'pypdf[crypto]', or save an unprotected copy", "encrypted"
        ) from exc  # fmt: skip
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(
            path, f"is a damaged PDF that cannot be read ({exc})", "damaged"
        ) from exc
    if not any(p.strip() for p in pages):
        raise DocumentError(
            path,
            "has no extractable text (a scanned PDF needs OCR before it can be ingested)",
            "no_text",
        )
    title = _pdf_title(reader)
    return LoadedDocument(path=path, kind="pdf", pages=pages, has_pages=True, title=title)


def _pdf_title(reader: object) -> str | None:
    meta = getattr(reader, "metadata", None)
    title = getattr(meta, "title", None) if meta else None
    if isinstance(title, str) and title.strip() and not title.lower().endswith((".pdf", ".docx")):
        return title.strip()
    return None


_BLOCK_TAGS = {
    "p", "div", "section", "article", "li", "ul", "ol", "br", "tr", "table", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "main", "figure", "figcaption", "pre",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "nav", "footer", "noscript", "template", "svg", "form", "head"}


class _HtmlText(HTMLParser):
    """Block-aware text extraction: headings become lines of their own, scripts vanish."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.in_title = False
        self.in_h1 = False
        self.title = ""
        self.h1 = ""
        self.url: str | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        if tag == "title":
            self.in_title = True
        if tag == "h1":
            self.in_h1 = True
        if tag == "link" and (attributes.get("rel") or "").lower() == "canonical":
            self.url = attributes.get("href") or self.url
        if tag == "meta" and attributes.get("property") == "og:url" and not self.url:
            self.url = attributes.get("content")
        if tag == "a" and (href := attributes.get("href")) and href.startswith("http"):
            self.links.append(href)
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self.skip_depth:
            self.skip_depth -= 1
        if tag == "title":
            self.in_title = False
        if tag == "h1":
            self.in_h1 = False
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
            return
        if self.skip_depth:
            return
        if self.in_h1:
            self.h1 += data
        self.parts.append(re.sub(r"\s+", " ", data))


def _load_html(path: Path, text: str) -> LoadedDocument:
    parser = _HtmlText()
    parser.feed(text)
    body = re.sub(r"\n[ \t]+", "\n", "".join(parser.parts))
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    if not body:
        raise DocumentError(path, "the HTML page has no visible text", "no_text")
    title = html.unescape((parser.h1 or parser.title).strip()) or None
    return LoadedDocument(
        path=path,
        kind="html",
        pages=[body],
        has_pages=False,
        title=title,
        url=parser.url,
        links=parser.links,
    )
