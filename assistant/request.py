"""What an answer generator is handed: the question, analysed, and the retrieved evidence.

It has a module of its own so that the generators and the generator seam
(``assistant.generators``) all import it, and none of them imports another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.answer import Answer, Citation, Passage, Turn
from assistant.kinds import Kind, Thing
from assistant.question import Question
from index.keywords import Vocabulary
from index.language import Language
from index.retrieval import Candidate
from index.store import Hit


@dataclass
class AnswerRequest:
    """Everything a generator may use: the question, analysed once (its language, kind and
    what its answer must hold), and the retrieved evidence."""

    analysed: Question
    query: str  # as searched (with the conversation's context)
    candidates: Sequence[Candidate]  # reranked, best first
    contexts: Sequence[str]  # small-to-big passages, in candidate order
    today: dt.date | None = None
    history: Sequence[Turn] = field(default_factory=tuple)
    #: The corpus's terms and their rarity; word matching without it treats all words alike.
    vocabulary: Vocabulary | None = None
    #: A document's chunks in reading order, by source: what surrounds the evidence (a list
    #: announced in one chunk may go on in the next, which was not retrieved).
    document_chunks: Callable[[str], Sequence[Hit]] = field(default=lambda source: ())
    #: When a document was written, by source (the date in its header), or None.
    document_date: Callable[[str], dt.date | None] = field(default=lambda source: None)
    #: What the answer step works out once per request and several routes read (the scored
    #: candidate units), by name.
    memo: dict[str, object] = field(default_factory=dict)

    @property
    def question(self) -> str:
        """The question as asked."""
        return self.analysed.text

    @property
    def language(self) -> Language:
        return self.analysed.language

    @property
    def kind(self) -> Kind:
        return self.analysed.kind

    @property
    def asked(self) -> Thing | None:
        """What the answer must hold, finer than ``kind`` (``questions.asked_thing``)."""
        return self.analysed.asked


def passage(candidate: Candidate) -> Passage:
    meta = candidate.hit.metadata
    page = meta.get("page")
    return Passage(
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        page=int(page) if page is not None else None,
        score=candidate.score,
        text=candidate.hit.text,
    )


def citation_for(n: int, candidate: Candidate, quote: str) -> Citation:
    p = passage(candidate)
    url = candidate.hit.metadata.get("url")
    return Citation(
        n=n, title=p.title, source=p.source, url=str(url) if url else None, page=p.page, quote=quote
    )


def answer_from(request: AnswerRequest, text: str, citations: list[Citation]) -> Answer:
    """An answer to ``request`` with the evidence it was made from attached."""
    return Answer(
        answer=text,
        refused=False,
        citations=citations,
        language=request.language,
        today=request.today,
        retrieved=[passage(c) for c in request.candidates],
        context="\n\n".join(request.contexts),
    )
