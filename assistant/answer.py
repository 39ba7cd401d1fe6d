"""The answer and its citations: the shape every front end and the evaluators rely on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from index.lexicon import LANGUAGES, Language, entry


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


#: How sure the assistant is: 'high' (a short answer), 'low' (the closest passage, said to
#: be unsure), 'refused' (the documents don't say).
Confidence = Literal["high", "low", "refused"]


@dataclass
class Answer:
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    language: Language = "nl"
    today: dt.date | None = None
    #: Not part of the JSON contract: what retrieval returned and what the answer step saw.
    retrieved: list[Passage] = field(default_factory=list)
    context: str = ""
    #: Statements no cited passage supports (generated answers); shown flagged, not as fact.
    unsupported: list[str] = field(default_factory=list)
    #: None until a route sets it; a refusal is 'refused' whatever it says.
    confidence: Confidence | None = None

    @property
    def sureness(self) -> Confidence:
        if self.refused:
            return "refused"
        return self.confidence or "high"

    def as_dict(self) -> dict[str, Any]:
        """The evaluators' contract: answer, refused, citations (plus language and today)."""
        return {
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.as_dict() for c in self.citations],
            "language": self.language,
            "today": self.today.isoformat() if self.today else None,
            "unsupported": self.unsupported,
            "confidence": self.sureness,
        }


REFUSALS: dict[Language, str] = {lang: entry("refusal", lang) for lang in LANGUAGES}
OUT_OF_ROLE: dict[Language, str] = {lang: entry("out_of_role", lang) for lang in LANGUAGES}
COVERS: dict[Language, str] = {lang: entry("covers", lang) for lang in LANGUAGES}
#: To a question in neither language: which languages are answered, said in both.
OTHER_LANGUAGE = " / ".join(entry("other_language", lang) for lang in ("en", "nl"))


def refusal(
    language: Language,
    today: dt.date | None,
    topics: list[str] | None = None,
    out_of_role: bool = False,
) -> Answer:
    """'The documents don't say', with what they do cover when that helps."""
    text = (OUT_OF_ROLE if out_of_role else REFUSALS)[language]
    if topics:
        quoted = ", ".join(f"“{t}”" for t in topics)
        text = f"{text} {COVERS[language].format(topics=quoted)}"
    return Answer(text, refused=True, language=language, today=today)


Turn = dict[str, str]  # {"role": "user" | "assistant", "content": "..."}


def last_said(history: Sequence[Turn], role: str) -> str:
    """The latest turn of ``role`` ('user' or 'assistant'), or '' when there is none."""
    said = [t.get("content", "") for t in history if t.get("role") == role]
    return said[-1] if said else ""
