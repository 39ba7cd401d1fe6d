"""A citation's quote in its place in the document: the sentence before it and the one
after, with the quoted part itself marked.

An extractive answer is made of the quoted sentences, so the quote alone repeats the answer
word for word; the sentences around it are what the reader does not have yet. The quoted
part is the document's own text (white space squashed, as every quote is), never edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import sentence_spans, squash_whitespace

#: Between the parts of a quote that stand apart in the document (as in Citation.quote).
GAP = " … "


@dataclass(frozen=True)
class QuotePiece:
    """A stretch of the document's text; ``quoted``: part of the citation's quote."""

    text: str
    quoted: bool


def quote_in_context(document: str, quote: str, said: str = "") -> list[list[QuotePiece]]:
    """Each stretch of ``document`` around ``quote`` (its parts, as found in order): the
    sentence before, the quoted part(s) marked, the sentence after. A sentence around it
    that ``said`` (the answer) already holds is left out. Stretches that meet are one.
    [] when a part of the quote is not in the document: then there is nothing to add."""
    marks = _find_parts(document, quote)
    if not marks:
        return []
    sentences = sentence_spans(document)
    already = squash_whitespace(said)
    windows: list[tuple[int, int, list[tuple[int, int]]]] = []
    for start, end in marks:
        begin = _context_start(document, sentences, start, already)
        finish = _context_end(document, sentences, end, already)
        # Stretches that overlap, or meet with only white space between, are one.
        if windows and (begin <= windows[-1][1] or not document[windows[-1][1] : begin].strip()):
            last_begin, last_finish, last_marks = windows[-1]
            windows[-1] = (last_begin, max(last_finish, finish), [*last_marks, (start, end)])
        else:
            windows.append((begin, finish, [(start, end)]))
    return [_pieces(document, begin, finish, spans) for begin, finish, spans in windows]


def _find_parts(document: str, quote: str) -> list[tuple[int, int]]:
    """Where each part of ``quote`` stands, in order, with any white space between its
    words (quotes are squashed, documents are not); [] when one is missing."""
    marks: list[tuple[int, int]] = []
    at = 0
    for part in quote.split(GAP):
        words = part.split()
        if not words:
            continue
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
        found = pattern.search(document, at) or pattern.search(document)
        if found is None:
            return []
        marks.append(found.span())
        at = found.end()
    return sorted(marks)


def _context_start(
    document: str, sentences: list[tuple[int, int]], start: int, already: str
) -> int:
    """Where the context before ``start`` begins: the sentence before the one the quote
    starts in, unless the answer says it already."""
    holding = next((i for i, (_, end) in enumerate(sentences) if end > start), len(sentences))
    own_start = min(start, sentences[holding][0]) if holding < len(sentences) else start
    if holding == 0:
        return own_start
    before_start, before_end = sentences[holding - 1]
    if _said(document[before_start:before_end], already):
        return own_start
    return before_start


def _context_end(document: str, sentences: list[tuple[int, int]], end: int, already: str) -> int:
    """Where the context after ``end`` stops: the end of the sentence after the one the
    quote ends in, unless the answer says it already."""
    last = max((i for i, (begin, _) in enumerate(sentences) if begin < end), default=-1)
    own_end = max(end, sentences[last][1]) if last >= 0 else end
    if last + 1 >= len(sentences):
        return own_end
    after_start, after_end = sentences[last + 1]
    if _said(document[after_start:after_end], already):
        return own_end
    return after_end


def _said(sentence: str, already: str) -> bool:
    return bool(already) and squash_whitespace(sentence) in already


def _pieces(
    document: str, begin: int, finish: int, marks: list[tuple[int, int]]
) -> list[QuotePiece]:
    """The stretch as pieces, white space squashed, the marked ones quoted."""
    pieces: list[QuotePiece] = []
    at = begin
    for start, end in sorted(marks):
        if start < at:
            continue  # a part found twice over: marked once
        _add(pieces, document[at:start], quoted=False)
        _add(pieces, document[start:end], quoted=True)
        at = end
    _add(pieces, document[at:finish], quoted=False)
    return _trimmed(pieces)


def _add(pieces: list[QuotePiece], text: str, quoted: bool) -> None:
    """A piece with its white space squashed to single spaces, kept at its edges: 'Zin.
    ' and 'Citaat.' read as 'Zin. Citaat.'."""
    squashed = re.sub(r"\s+", " ", text)
    if squashed:
        pieces.append(QuotePiece(squashed, quoted))


def _trimmed(pieces: list[QuotePiece]) -> list[QuotePiece]:
    """No white space at the stretch's two ends."""
    if pieces:
        pieces[0] = QuotePiece(pieces[0].text.lstrip(), pieces[0].quoted)
        pieces[-1] = QuotePiece(pieces[-1].text.rstrip(), pieces[-1].quoted)
    return [p for p in pieces if p.text]
