"""Properties of cleaning and chunking that hold for any text (hypothesis): they never
raise, paragraphs and chunks are spans of the cleaned text in order, chunks respect their
size, and every word of every paragraph is in some chunk."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunking import chunk_document
from ingest.cleaning import clean_pages

# Text shaped like documents: words, punctuation, line and paragraph breaks, odd characters.
_WORD = st.text(
    alphabet=st.characters(
        categories=("Lu", "Ll", "Nd", "Po", "Pd", "Sc", "Zs", "So"), max_codepoint=0x2FFF
    ),
    min_size=1,
    max_size=12,
)
_SEPARATOR = st.sampled_from([" ", " ", " ", "\n", "\n\n", ". ", ", ", ":\n", "\t", "\r\n"])
_PAGE = st.lists(st.tuples(_WORD, _SEPARATOR), max_size=120).map(
    lambda parts: "".join(w + s for w, s in parts)
)
_PAGES = st.lists(_PAGE, min_size=1, max_size=4)
_ANY_PAGES = st.lists(st.text(max_size=400), min_size=1, max_size=3)

SIZES = st.tuples(st.integers(min_value=60, max_value=600), st.integers(min_value=0, max_value=50))
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(_ANY_PAGES, st.booleans())
def test_cleaning_any_text_never_raises_and_gives_spans_of_its_text(
    pages: list[str], blocks: bool
) -> None:
    clean = clean_pages(pages, block_paragraphs=blocks)
    previous_end = 0
    for paragraph in clean.paragraphs:
        assert previous_end <= paragraph.start < paragraph.end <= len(clean.text)
        previous_end = paragraph.end
    for start, number in clean.page_starts:
        assert 0 <= start <= len(clean.text) and 1 <= number <= len(pages)


@QUICK
@given(_PAGES, st.booleans(), SIZES)
def test_chunks_are_ordered_spans_within_their_size_that_cover_every_paragraph(
    pages: list[str], has_pages: bool, sizes: tuple[int, int]
) -> None:
    size, overlap = sizes
    clean = clean_pages(pages)
    chunks = chunk_document(clean, {"source": "x.txt"}, size, overlap, has_pages)
    starts = [int(c.metadata["start"]) for c in chunks]
    assert starts == sorted(starts)
    for chunk in chunks:
        start, end = int(chunk.metadata["start"]), int(chunk.metadata["end"])
        assert chunk.page_content == clean.text[start:end]
        assert 0 < end - start <= size
        if has_pages:
            assert 1 <= int(chunk.metadata["page"]) <= int(chunk.metadata["page_end"])
    chunked = " ".join(c.page_content for c in chunks)
    for paragraph in clean.paragraphs:
        for word in clean.text[paragraph.start : paragraph.end].split():
            assert word in chunked


@QUICK
@given(_PAGES)
def test_cleaning_is_stable_on_its_own_output(pages: list[str]) -> None:
    once = clean_pages(pages, block_paragraphs=True).text
    twice = clean_pages([once], block_paragraphs=True).text
    assert twice.split() == once.split()
