"""The answer-generator seam: one protocol, backends picked by name in settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from assistant.answer import Answer
from assistant.extractive import ExtractiveGenerator, UnitScorer
from assistant.openai_backend import OpenAIGenerator
from assistant.request import AnswerRequest
from index.errors import ConfigError

if TYPE_CHECKING:
    from index.settings import Settings


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


def make_generator(settings: Settings, scorer: UnitScorer | None = None) -> AnswerGenerator:
    """The generator settings name; the extractive one chooses its units with ``scorer``."""
    factories: dict[str, Callable[[Settings], AnswerGenerator]] = {
        "extractive": lambda s: ExtractiveGenerator(s.answer_sentences, scorer),
        "openai": OpenAIGenerator.from_settings,
    }
    try:
        return factories[settings.generator](settings)
    except KeyError:
        raise ConfigError(
            f"Unknown answer generator {settings.generator!r}; set RV_GENERATOR to one of: "
            + ", ".join(sorted(factories))
        ) from None
