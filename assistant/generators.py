"""The answer-generator seam: one protocol, backends picked by name in settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from assistant.answer import Answer, Citation, Passage, Turn
from index.errors import ConfigError
from index.keywords import Vocabulary
from index.retrieval import Candidate
from index.store import Hit

if TYPE_CHECKING:
    from index.settings import Settings


@dataclass
class AnswerRequest:
    """Everything a generator may use: the question and the retrieved evidence."""

    question: str  # as asked
    query: str  # as searched (with the conversation's context)
    language: str  # "nl" or "en"
    kind: str  # see assistant.questions.question_kind
    candidates: Sequence[Candidate]  # reranked, best first
    contexts: Sequence[str]  # small-to-big passages, in candidate order
    today: dt.date | None = None
    history: Sequence[Turn] = field(default_factory=tuple)
    #: The corpus's terms and their rarity; word matching without it treats all words alike.
    vocabulary: Vocabulary | None = None
    #: A document's chunks in reading order, by source: what surrounds the evidence (a list
    #: announced in one chunk may go on in the next, which was not retrieved).
    document_chunks: Callable[[str], Sequence[Hit]] = field(default=lambda source: ())


class AnswerGenerator(Protocol):
    """Turns evidence into an answer with [n] markers and citations."""

    def generate(self, request: AnswerRequest) -> Answer: ...


@runtime_checkable
class StreamingGenerator(AnswerGenerator, Protocol):
    """A generator that can hand out its text as it is produced."""

    def stream(self, request: AnswerRequest) -> Iterator[str]: ...

    def complete(self, request: AnswerRequest, text: str) -> Answer:
        """The Answer for the text that ``stream`` produced (citations attached)."""
        ...


def make_generator(settings: Settings) -> AnswerGenerator:
    from assistant.extractive import ExtractiveGenerator
    from assistant.openai_backend import OpenAIGenerator

    factories: dict[str, Callable[[Settings], AnswerGenerator]] = {
        "extractive": lambda s: ExtractiveGenerator(s.answer_sentences),
        "openai": OpenAIGenerator.from_settings,
    }
    try:
        return factories[settings.generator](settings)
    except KeyError:
        raise ConfigError(
            f"Unknown answer generator {settings.generator!r}; set RV_GENERATOR to one of: "
            + ", ".join(sorted(factories))
        ) from None


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
