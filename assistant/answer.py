"""The answer and its citations: the shape every front end and the evaluators rely on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    n: int
    title: str
    source: str  # the document's file path
    url: str | None
    page: int | None
    quote: str  # verbatim from the document (modulo white space)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "page": self.page,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Passage:
    """A retrieved passage, in retrieval order: what the evaluators score retrieval on."""

    source: str
    title: str
    page: int | None
    score: float
    text: str


@dataclass
class Answer:
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    language: str = "nl"
    today: dt.date | None = None
    #: Not part of the JSON contract: what retrieval returned and what the answer step saw.
    retrieved: list[Passage] = field(default_factory=list)
    context: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The evaluators' contract: answer, refused, citations (plus language and today)."""
        return {
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.as_dict() for c in self.citations],
            "language": self.language,
            "today": self.today.isoformat() if self.today else None,
        }


REFUSALS = {
    "nl": "Dat staat niet in de documenten van de beweging.",
    "en": "The movement's documents don't say.",
}


def refusal(language: str, today: dt.date | None) -> Answer:
    return Answer(REFUSALS[language], refused=True, language=language, today=today)


Turn = dict[str, str]  # {"role": "user" | "assistant", "content": "..."}
