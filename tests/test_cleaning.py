"""Cleaning printed web pages: wraps, hyphens, link lines, navigation, icons, topics, pages."""

from __future__ import annotations

import re
from collections import Counter

from conftest import CLOSING_DAY_PDF, CORPUS, PROGRAMME_PDF

from ingest.cleaning import clean_pages, is_navigation, most_cited_link
from ingest.loaders import load_document


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_lines_broken_mid_sentence_are_joined() -> None:
    page = (
        "Een succesvol initiatief om samen te eten is de basis geworden voor Het 8ste Werk, waar\n"
        "mensen wonen en elkaar op het erf ontmoeten. Op vrijdag 11\n"
        "november\n"
        "kwamen de bewegingen bij elkaar.\n"
    )
    clean = clean_pages([page])
    assert clean.text == (
        "Een succesvol initiatief om samen te eten is de basis geworden voor Het 8ste Werk, "
        "waar mensen wonen en elkaar op het erf ontmoeten. Op vrijdag 11 november kwamen de "
        "bewegingen bij elkaar."
    )


def test_headings_and_list_items_stay_separate() -> None:
    page = (
        "Dit is een gewone zin die laat zien hoe de volle breedte van de pagina eruit ziet.\n"
        "Gezien en gehoord\n"
        "De dag startte met een korte terugblik op de Week van de Radicale vernieuwing vandaag.\n"
        "Hoe je zorg en de buurt meer met elkaar kunt verbinden en wat daarvoor nodig is\n"
        "Hoe mensen met dementie of Huntington een waardevol leven kunnen leiden, ook thuis\n"
    )
    clean = clean_pages([page])
    texts = [clean.paragraph_text(p) for p in clean.paragraphs]
    assert "Gezien en gehoord" in texts
    assert [p.is_heading for p in clean.paragraphs][1] is True
    assert texts[-2].startswith("Hoe je zorg") and texts[-1].startswith("Hoe mensen")


def test_line_end_hyphen_kept_unless_document_writes_the_word_whole() -> None:
    page = (
        "Mieke Hollander is de bedenker van het onderwijsconcept Radicale vernieuwing Waarde-\n"
        "vol onderwijs en werkt aan co-\n"
        "creatie en aan zorg-\n"
        "onderwijs. Het zorgonderwijs verandert.\n"
        "Thema's: Radicale Vernieuwing Waarde-vol Onderwijs\n"
    )
    clean = clean_pages([page])
    assert "Waarde-vol onderwijs" in clean.text
    assert "co-creatie" in clean.text
    assert "aan zorgonderwijs." in clean.text


def test_link_lines_navigation_and_icons_are_removed_and_links_kept() -> None:
    page = (
        "\ue0a1 9 mei 2023\n"
        "Tijdens drie bijeenkomsten gaan we met deze vraag aan de slag.\n"
        "Lees verder onder de foto\n"
        "https://www.rvjeugdzorg.nl/bijeenkomsten/bijeenkomsten-radicale-vernieuwing-van-het-zorg-en-welzijnso\n"
        "nderwijs/\n"
        "https://forms.gle/RTLpnwpM7378mbB46\n"
        "Je bent van harte welkom!\n"
    )
    clean = clean_pages([page])
    assert "\ue0a1" not in clean.text and "http" not in clean.text
    assert "Lees verder" not in clean.text
    assert "Je bent van harte welkom!" in clean.text
    assert clean.links[0].endswith("zorg-en-welzijnsonderwijs/")
    assert most_cited_link(clean.links) == clean.links[0]


def test_navigation_patterns() -> None:
    assert is_navigation("Lees verder onder de video")
    assert is_navigation("Lees verder onde de video")  # the corpus has this typo
    assert is_navigation("Meer artikelen over de thema's met trefwoorden:")
    assert not is_navigation("Lees verder over de droom van de beweging in dit artikel.")


def test_themes_and_keywords_are_lifted_out_of_the_text() -> None:
    page = (
        "Het plan is gepresenteerd.\n"
        "Meer artikelen over de thema's met trefwoorden:\n"
        "Thema's: Mensen en initiatieven, Opstarten beweging\n"
        "Trefwoorden: bestuurders, burgerinitiatieven, cocreatie, van regels naar relaties, vws-\n"
        "ministerie, zorgonderwijs\n"
    )
    clean = clean_pages([page])
    assert clean.themes == ["Mensen en initiatieven", "Opstarten beweging"]
    assert clean.keywords[-2:] == ["vws-ministerie", "zorgonderwijs"]
    assert clean.text == "Het plan is gepresenteerd."


def test_pages_are_tracked_across_a_sentence_that_spans_a_page_break() -> None:
    clean = clean_pages(
        ["Eerste pagina met een zin die doorloopt naar de volgende pagina en daar eindigt met"],
    )
    assert clean.page_at(0) == 1
    two = clean_pages(["Een zin die eindigt op de volgende", "pagina. Tweede zin op pagina twee."])
    assert len(two.paragraphs) == 1
    assert two.page_at(0) == 1
    assert two.page_at(two.text.index("Tweede")) == 2


def test_corpus_pdf_loses_no_sentence() -> None:
    """Every word of the article survives; link lines and buttons go, topics go to metadata."""
    for name in (PROGRAMME_PDF, CLOSING_DAY_PDF):
        path = CORPUS / name
        loaded = load_document(path, path.read_bytes())
        clean = clean_pages(loaded.pages)
        kept_lines = [
            line.strip()
            for page in loaded.pages
            for line in page.splitlines()
            if line.strip()
            and not line.strip().startswith(("http", "mailto"))
            and not is_navigation(line.strip())
        ]
        expected = Counter(_words(" ".join(kept_lines)))
        actual = Counter(
            _words(" ".join([clean.text, "Thema's Trefwoorden", *clean.themes, *clean.keywords]))
        )
        missing = expected - actual
        # the only words not kept are the tails of URLs that wrapped onto a line of their own
        assert set(missing) <= {"nderwijs", "erwijs"}, missing


def test_corpus_pdf_keeps_pages() -> None:
    path = CORPUS / CLOSING_DAY_PDF
    loaded = load_document(path, path.read_bytes())
    clean = clean_pages(loaded.pages)
    assert clean.page_at(clean.text.index("In het Overijsselse Kampen")) == 2
    assert clean.page_at(clean.text.index("Een volgende dialoogbijeenkomst")) == 3
    assert "Op vrijdag 11 november kwamen" in clean.text
