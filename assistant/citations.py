"""Citation checks for every backend: markers point at real sources, quotes are verbatim,
and statements no cited passage supports are flagged instead of shown as fact."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.answer import Answer, Citation
from index.text import fold, sentence_spans, squash_whitespace

_MARKER = re.compile(r"\[(\d+)\]")
_MARKERS = re.compile(r"(?:\s*\[\d+\])+")
_WORD = re.compile(r"\w{3,}")


def quote_parts(quote: str) -> list[str]:
    return [p for p in (squash_whitespace(part) for part in quote.split(" … ")) if p]


def verbatim_in(quote: str, sources: Sequence[str]) -> str:
    """The parts of ``quote`` that stand verbatim (white space aside) in one of ``sources``."""
    haystacks = [squash_whitespace(s) for s in sources]
    kept = [p for p in quote_parts(quote) if any(p in h for h in haystacks)]
    return " … ".join(kept)


def check(
    answer: Answer, document_text: Callable[[str], str], flag_unsupported: bool = True
) -> Answer:
    """Drop quotes not found verbatim in the cited document and markers that point nowhere;
    flag statements no cited quote supports (``flag_unsupported``: for generated text; an
    answer made of the documents' sentences and event records has nothing to flag)."""
    if answer.refused:
        return answer
    citations: list[Citation] = []
    for citation in answer.citations:
        quote = verbatim_in(citation.quote, [document_text(citation.source)])
        if quote:
            citations.append(replace(citation, quote=quote))
    known = {c.n for c in citations}
    text = _MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in known else "", answer.answer)
    cited = {int(n) for n in _MARKER.findall(text)}
    citations = [c for c in citations if c.n in cited]
    unsupported = unsupported_statements(text, citations) if flag_unsupported else []
    return replace(answer, answer=text, citations=citations, unsupported=unsupported)


def unsupported_statements(text: str, citations: Sequence[Citation]) -> list[str]:
    """Statements with no [n], or whose words the quotes they cite don't share."""
    by_n = {c.n: fold(c.quote) for c in citations}
    flagged: list[str] = []
    position = 0
    for group in _MARKERS.finditer(text):
        statement = _statement(text[position : group.start()])
        position = group.end()
        markers = [int(n) for n in re.findall(r"\d+", group.group(0))]
        words = {fold(w) for w in _WORD.findall(statement)}
        if len(words) < 2:
            continue
        support = " ".join(by_n.get(n, "") for n in markers)
        if sum(w in support for w in words) / len(words) < 0.3:
            flagged.append(statement)
    for start, end in sentence_spans(text[position:]):
        statement = _statement(text[position:][start:end])
        if len(_WORD.findall(statement)) >= 2:
            flagged.append(statement)  # said without any source
    return flagged


def _statement(text: str) -> str:
    """The text a marker group closes, without a lead-in line ('De documenten noemen:')."""
    lines = [line.strip(" -") for line in text.strip().splitlines()]
    lines = [line for line in lines if line and not line.endswith(":")]
    return " ".join(lines).strip()
