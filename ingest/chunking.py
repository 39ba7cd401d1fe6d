"""Chunking that keeps sentences whole and headings with their paragraphs.

A document is first cut into sections (a heading and the paragraphs under it). Sections that
fit stay whole and small neighbours are packed together; a section that is too long is split
by LangChain's recursive splitter at paragraph, then sentence boundaries. Every chunk is a
verbatim slice of the cleaned text, so quotes taken from chunks are quotes from the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.cleaning import CleanText

_SENTENCE_BREAK = r"(?<=[.!?…])[\"'”’)»\]]*\s+"


@dataclass
class _Piece:
    start: int
    end: int
    heading: str
    whole_section: bool


def make_splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=min(chunk_overlap, chunk_size // 2),
        separators=[r"\n\n", r"\n", _SENTENCE_BREAK, r"; ", r", ", r" "],
        is_separator_regex=True,
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )


def chunk_document(
    clean: CleanText,
    metadata: dict[str, Any],
    chunk_size: int,
    chunk_overlap: int,
    has_pages: bool,
) -> list[Document]:
    splitter = make_splitter(chunk_size, chunk_overlap)
    pieces: list[_Piece] = []
    for start, end, heading in _sections(clean):
        if end - start <= chunk_size:
            pieces.append(_Piece(start, end, heading, True))
            continue
        for part in splitter.create_documents([clean.text[start:end]]):
            part_start = start + int(part.metadata["start_index"])
            pieces.append(_Piece(part_start, part_start + len(part.page_content), heading, False))
    chunks = []
    for i, piece in enumerate(_pack(pieces, chunk_size)):
        chunk_metadata = {
            **metadata,
            "chunk_index": i,
            "heading": piece.heading,
            "start": piece.start,
            "end": piece.end,
        }
        if has_pages:
            chunk_metadata["page"] = clean.page_at(piece.start)
            chunk_metadata["page_end"] = clean.page_at(max(piece.end - 1, piece.start))
        chunks.append(
            Document(page_content=clean.text[piece.start : piece.end], metadata=chunk_metadata)
        )
    return chunks


def _sections(clean: CleanText) -> list[tuple[int, int, str]]:
    """(start, end, heading) of each run of paragraphs that starts at a heading."""
    sections: list[tuple[int, int, str]] = []
    for paragraph in clean.paragraphs:
        if paragraph.is_heading or not sections:
            heading = clean.paragraph_text(paragraph) if paragraph.is_heading else ""
            sections.append((paragraph.start, paragraph.end, heading))
        else:
            start, _, heading = sections[-1]
            sections[-1] = (start, paragraph.end, heading)
    return sections


def _pack(pieces: list[_Piece], chunk_size: int) -> list[_Piece]:
    """Join neighbouring whole sections while they fit; split parts stay as they are."""
    packed: list[_Piece] = []
    for piece in pieces:
        last = packed[-1] if packed else None
        if (
            last is not None
            and last.whole_section
            and piece.whole_section
            and piece.end - last.start <= chunk_size
        ):
            packed[-1] = _Piece(last.start, piece.end, last.heading or piece.heading, True)
        else:
            packed.append(piece)
    return packed
