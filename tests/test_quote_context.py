"""The unfolded quote under a source: the sentence before and after the quoted part, the
quoted part marked and verbatim. Hand-made texts, no model."""

from __future__ import annotations

from assistant.api import Answer, Citation, QuotePiece, quote_in_context, squash_whitespace
from ui.web import quote_html, render_answer

DOCUMENT = (
    "Heft in eigen hand\n\n"
    "In de ochtend spraken we met initiatiefnemers. In het Overijsselse Kampen was "
    "eenzaamheid de\naanleiding. Een initiatief om samen te eten werd Het 8ste Werk. "
    "Daar wonen mensen.\n\n"
    "Elkaar helpen\n\nIn de middag ging het over dilemma’s."
)
QUOTE = "In het Overijsselse Kampen was eenzaamheid de aanleiding."


def _shown(stretches: list[list[QuotePiece]]) -> list[str]:
    """Each stretch as text with the quoted parts in [[...]]."""
    return ["".join(f"[[{p.text}]]" if p.quoted else p.text for p in s) for s in stretches]


def test_the_sentence_before_and_after_come_with_the_quote_marked() -> None:
    assert _shown(quote_in_context(DOCUMENT, QUOTE)) == [
        "In de ochtend spraken we met initiatiefnemers. [[In het Overijsselse Kampen was "
        "eenzaamheid de aanleiding.]] Een initiatief om samen te eten werd Het 8ste Werk."
    ]


def test_the_quoted_part_is_the_documents_own_text() -> None:
    (stretch,) = quote_in_context(DOCUMENT, QUOTE)
    (quoted,) = [p.text for p in stretch if p.quoted]
    assert quoted == QUOTE and quoted in squash_whitespace(DOCUMENT)


def test_a_sentence_the_answer_already_says_is_not_repeated() -> None:
    said = "Een initiatief om samen te eten werd Het 8ste Werk. [1]"
    assert _shown(quote_in_context(DOCUMENT, QUOTE, said)) == [
        "In de ochtend spraken we met initiatiefnemers. [[In het Overijsselse Kampen was "
        "eenzaamheid de aanleiding.]]"
    ]


def test_the_first_sentence_has_only_what_follows_and_a_heading_may_come_before() -> None:
    assert _shown(quote_in_context(DOCUMENT, "Heft in eigen hand")) == [
        "[[Heft in eigen hand]] In de ochtend spraken we met initiatiefnemers."
    ]
    assert _shown(quote_in_context(DOCUMENT, "In de middag ging het over dilemma’s.")) == [
        "Elkaar helpen [[In de middag ging het over dilemma’s.]]"
    ]


def test_a_quote_from_the_middle_of_a_sentence_keeps_its_sentence_around_it() -> None:
    assert _shown(quote_in_context(DOCUMENT, "samen te eten")) == [
        "In het Overijsselse Kampen was eenzaamheid de aanleiding. Een initiatief om "
        "[[samen te eten]] werd Het 8ste Werk. Daar wonen mensen."
    ]


def test_parts_that_meet_are_one_stretch_and_distant_parts_two() -> None:
    near = f"{QUOTE} … Een initiatief om samen te eten werd Het 8ste Werk."
    assert _shown(quote_in_context(DOCUMENT, near)) == [
        "In de ochtend spraken we met initiatiefnemers. [[In het Overijsselse Kampen was "
        "eenzaamheid de aanleiding.]] [[Een initiatief om samen te eten werd Het 8ste Werk.]] "
        "Daar wonen mensen."
    ]
    far = "In de ochtend spraken we met initiatiefnemers. … In de middag ging het over dilemma’s."
    assert len(quote_in_context(DOCUMENT, far)) == 2
    # Two stretches whose sentences follow one another read as one, without a '…'.
    touching = "Heft in eigen hand … Elkaar helpen"
    assert _shown(quote_in_context(DOCUMENT, touching, "")) == [
        "[[Heft in eigen hand]] In de ochtend spraken we met initiatiefnemers.",
        "Daar wonen mensen. [[Elkaar helpen]] In de middag ging het over dilemma’s.",
    ]
    meeting = "Heft in eigen hand … Een initiatief om samen te eten werd Het 8ste Werk."
    (one,) = quote_in_context(DOCUMENT, meeting)
    assert [p.text for p in one if p.quoted] == meeting.split(" … ")


def test_a_quote_not_in_the_document_gives_nothing_to_add() -> None:
    assert quote_in_context(DOCUMENT, "Dit staat er niet.") == []
    assert quote_in_context(DOCUMENT, f"{QUOTE} … Dit staat er niet.") == []


def _answer(quote: str) -> Answer:
    answer = Answer(f"{QUOTE} [1]", refused=False, language="nl")
    answer.citations = [Citation(1, "Verslag", "/d/a.txt", None, None, quote)]
    return answer


def test_the_page_marks_the_quote_and_escapes_the_documents_text() -> None:
    document = "Zie <b>dit</b> [link](x). " + DOCUMENT
    shown = render_answer(_answer(QUOTE), lambda source: document)
    assert (
        "<blockquote>In de ochtend spraken we met initiatiefnemers. <mark>In het Overijsselse "
        "Kampen was eenzaamheid de aanleiding.</mark> Een initiatief om samen te eten werd Het "
        "8ste Werk.</blockquote>"
    ) in shown
    tricky = Citation(1, "V", "/d/a.txt", None, None, "dilemma’s.")
    around = quote_html(tricky, "", lambda source: "Zie <b>dit</b>. Over dilemma’s.")
    assert around == "Zie &lt;b&gt;dit&lt;/b&gt;. Over <mark>dilemma’s.</mark>"


def test_without_the_document_the_quote_is_shown_as_it_is() -> None:
    assert "<blockquote>" + QUOTE + "</blockquote>" in render_answer(_answer(QUOTE))
    event = _answer("donderdag 14 september 2023: drieluik")  # an event record's quote
    shown = render_answer(event, lambda source: DOCUMENT)
    assert "<blockquote>donderdag 14 september 2023: drieluik</blockquote>" in shown
