"""The staff tab says how each event's year was found, in the page's language."""

from __future__ import annotations

import pytest

from ingest.events import YEAR_BASES
from ui.texts import texts


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_way_a_year_is_found_is_said_in_each_language(language: str) -> None:
    words = texts(language)  # type: ignore[arg-type]
    said = [words.option("year_bases", basis) for basis in YEAR_BASES]
    assert all(said), dict(zip(YEAR_BASES, said, strict=True))
    assert len(set(said)) == len(YEAR_BASES)  # no two ways read the same
