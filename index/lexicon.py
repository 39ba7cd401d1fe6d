"""The language data: word lists and phrases per language, in ``index/lexicon/<language>.yaml``.

Code says what is done with a kind of word ('stop words say nothing of a subject'); the
data files say which words those are in Dutch and in English, so a list is corrected, or a
language added, without touching the code. The documents are Dutch and questions come in
either language, so most lists are used as the union of both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from index.errors import ConfigError

#: The languages the assistant answers in.
Language = Literal["nl", "en"]

FOLDER = Path(__file__).resolve().parent / "lexicon"
LANGUAGES: tuple[Language, ...] = get_args(Language)


def read_data_file(path: Path, what: str) -> dict[str, Any]:
    """A YAML file of the package's data (``what`` it holds, for the error): a mapping."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: {what} cannot be read ({exc}); reinstall the "
                          "package or restore the file") from exc  # fmt: skip
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: {what} must be a mapping of names to entries")
    return data


@lru_cache(maxsize=len(LANGUAGES))
def lexicon(language: Language) -> dict[str, Any]:
    """One language's data file, read once."""
    return read_data_file(FOLDER / f"{language}.yaml", "the language data")


def entry(key: str, language: Language) -> Any:
    """One entry of one language's data (a list, a mapping or a phrase); [] when absent."""
    return lexicon(language).get(key, [])


@lru_cache(maxsize=256)
def words(key: str, languages: tuple[Language, ...] = LANGUAGES) -> frozenset[str]:
    """The words listed under ``key``, over ``languages``."""
    return frozenset(w for language in languages for w in entry(key, language))


def phrases(key: str, languages: tuple[Language, ...] = LANGUAGES) -> list[str]:
    """The phrases listed under ``key``, in file order, over ``languages``."""
    return [p for language in languages for p in entry(key, language)]


def alternatives(fragments: Iterable[str]) -> re.Pattern[str]:
    """Any of the regular-expression ``fragments``, as whole words."""
    return re.compile(r"\b(" + "|".join(fragments) + r")\b")


def pattern(key: str, languages: tuple[Language, ...] = LANGUAGES) -> re.Pattern[str]:
    """Any of the phrases under ``key``, as whole words (matched on folded text)."""
    return alternatives(phrases(key, languages))
