"""The page's own words in the browser's language: ``ui/texts/<language>.yaml``.

Static labels go to Gradio's i18n (``I18N(key)``), which picks them in the browser by its
language, as it does for Gradio's own labels. Words the server writes (the welcome, status
messages, the staff reports) are picked by the request's Accept-Language header, the same
preference the browser reports to the page, so one page speaks one language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

import gradio as gr

from assistant.api import ConfigError, Language, read_data_file, spoken_date

FOLDER = Path(__file__).resolve().parent / "texts"
#: Without a preference (an API client, a script) the page speaks Dutch, the documents'
#: language.
DEFAULT_LANGUAGE: Language = "nl"


@lru_cache(maxsize=4)
def _strings(language: Language) -> dict[str, Any]:
    return read_data_file(FOLDER / f"{language}.yaml", "the page's texts")


@dataclass(frozen=True)
class Texts:
    """One language's words: ``texts("key", name=value)`` fills the key's {name}s."""

    language: Language

    def __call__(self, key: str, **values: object) -> str:
        text = _strings(self.language).get(key)
        if not isinstance(text, str):
            raise ConfigError(f"{FOLDER / self.language}.yaml has no text {key!r}; add it")
        return text.format(**values) if values else text

    def list(self, key: str) -> list[str]:
        found = _strings(self.language).get(key)
        if not isinstance(found, list):
            raise ConfigError(f"{FOLDER / self.language}.yaml has no list {key!r}; add it")
        return [str(item) for item in found]

    def option(self, key: str, option: str) -> str | None:
        """One entry of a mapping of texts (``year_bases``), or None when it has none."""
        found = _strings(self.language).get(key)
        if not isinstance(found, dict):
            raise ConfigError(f"{FOLDER / self.language}.yaml has no mapping {key!r}; add it")
        text = found.get(option)
        return str(text) if text is not None else None

    def date(self, day: dt.date) -> str:
        """'9 mei 2023' or '9 May 2023'."""
        return spoken_date(day, self.language)


def texts(language: Language = DEFAULT_LANGUAGE) -> Texts:
    return Texts(language)


def language_of(accept_language: str | None) -> Language:
    """The page's language for an Accept-Language header: as the browser's first choice
    (which Gradio also reads), Dutch for Dutch or no choice, English for any other."""
    first = (accept_language or "").split(",")[0].split(";")[0].strip().lower()
    if not first or first == "*":
        return DEFAULT_LANGUAGE
    primary = first.split("-")[0]
    return primary if primary in get_args(Language) else "en"  # type: ignore[return-value]


def texts_for(request: gr.Request | None) -> Texts:
    """The words for the browser that sent ``request``."""
    headers = getattr(request, "headers", None)
    return texts(language_of(headers.get("accept-language") if headers else None))


def i18n() -> gr.I18n:
    """The static labels for Gradio's i18n, in both languages."""
    return gr.I18n(**{language: _labels(language) for language in get_args(Language)})


def _labels(language: Language) -> dict[str, str]:
    strings = _strings(language)
    labels = {k: v for k, v in strings.items() if isinstance(v, str)}
    return {**labels, **(strings.get("gradio") or {})}


#: A static label, translated in the browser.
I18N = i18n()
