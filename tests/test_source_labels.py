"""Where a source is, as a newcomer reads it: a site, a PDF's page, or 'document'."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.api import Citation
from ui.web import source_label


def _cited(source: str, url: str | None, page: int | None) -> Citation:
    return Citation(1, "Titel", source, url, page, "Een zin.")


def test_a_web_page_is_named_by_its_site_without_a_page_number() -> None:
    # A PDF printed from a web page links to the page, where 'p. 2' means nothing.
    assert source_label(_cited("/d/a.pdf", "https://www.rvjeugdzorg.nl/x/", 2)) == "rvjeugdzorg.nl"
    assert source_label(_cited("/d/a.txt", "https://loc.nl/nieuws", None)) == "loc.nl"


def test_a_pdf_says_its_page_and_a_file_is_a_document() -> None:
    assert source_label(_cited("/d/a.pdf", None, 2)) == "PDF, p. 2"
    assert source_label(_cited("/d/a.txt", None, None)) == "document"


def test_a_document_cited_twice_is_listed_once_with_both_numbers_and_quotes() -> None:
    from assistant.api import Answer
    from ui.web import render_answer

    answer = Answer("Eerst dit [1], dan dat [2], en zo [3].", refused=False, language="nl")
    answer.citations = [
        Citation(1, "Verslag", "/d/a.txt", None, None, "Eerste zin."),
        Citation(2, "Programma", "/d/b.pdf", None, 2, "Tweede zin."),
        Citation(3, "Verslag", "/d/a.txt", None, None, "Derde zin."),
    ]
    shown = render_answer(answer)
    assert shown.count(">Verslag</a>") == 1 and "1, 3\\. <a" in shown
    assert "Eerste zin." in shown and "Derde zin." in shown
    assert "\n\n2\\. <a" in shown and 'class="original-link">PDF, p. 2</a>)' in shown


def test_a_pdf_opens_in_the_document_view_at_the_passage_and_as_a_file_at_its_page() -> None:
    from ui.web import original_link, source_link

    pdf = _cited("/d/programma.pdf", None, 2)
    assert source_link(pdf).startswith("document?source=%2Fd%2Fprogramma.pdf&q=Een+zin.")
    assert original_link(pdf) == "/gradio_api/file=/d/programma.pdf#page=2"
    # A web page's own link is the original; a text file has no other form.
    assert original_link(_cited("/d/a.pdf", "https://www.rvjeugdzorg.nl/x/", 2)) is None
    assert original_link(_cited("/d/a.txt", None, None)) is None


@dataclass
class _Listed:
    source: str
    title: str


@dataclass
class _Library:
    """The assistant as the document view reads it: one document's text and the list."""

    text: str
    listed: _Listed

    def document_text(self, source: str) -> str:
        return self.text

    def documents(self) -> list[_Listed]:
        return [self.listed]


def test_the_document_view_is_headed_by_the_title_never_the_file_name() -> None:
    from ui.document_page import render_document

    source = "/d/001_387224a3b32bf87f.txt"
    library = _Library("Op een inspirerende plek verzamelde zich de beweging.",
                       _Listed(source, "Slotdag aan het kanaal"))  # fmt: skip
    shown = render_document(library, [source], source, "plek")  # type: ignore[arg-type]
    assert "<h2>Slotdag aan het kanaal</h2>" in shown
    assert "387224a3b32bf87f" not in shown


def test_a_document_without_a_title_is_headed_untitled_not_by_its_file_name() -> None:
    from ui.document_page import render_document
    from ui.texts import texts

    source = "/d/002_aa.txt"
    shown = render_document(_Library("Tekst.", _Listed(source, "")), [source], source, "")  # type: ignore[arg-type]
    assert f"<h2>{texts()('untitled_document')}</h2>" in shown and "002_aa" not in shown
