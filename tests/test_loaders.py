"""Loaders for .txt, .md, .html and .pdf, and clear errors for files they cannot read."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_pdf

from index.errors import DocumentError
from ingest.loaders import load_document
from ingest.pipeline import ChunkingOptions, prepare_document

OPTIONS = ChunkingOptions(chunk_size=1000, chunk_overlap=150)


def test_pdf_made_in_the_test_is_cleaned_and_keeps_its_pages(tmp_path: Path) -> None:
    pdf = make_pdf(
        tmp_path / "verslag.pdf",
        [
            [
                "Dialoog in Kampen",
                "Een volgende dialoogbijeenkomst wordt op moment van schrijven gepland bij Het",
                "8ste Werk in Kampen. Er is slechts plek voor een beperkt gezelschap, dus we",
                "kijken naar mogelijkheden om meer mensen gelegenheid te geven.",
                "Lees verder onder de foto",
                "https://www.rvjeugdzorg.nl/nieuws/dialoog-in-kampen/",
            ],
            [
                "Tweede pagina",
                "Op de tweede pagina staat een zin over eenzaamheid in het dorp en wat",
                "bewoners daar samen aan doen.",
                "https://www.rvjeugdzorg.nl/nieuws/dialoog-in-kampen/",
            ],
        ],
    )
    chunks = prepare_document(pdf, pdf.read_bytes(), OPTIONS)
    text = " ".join(c.page_content for c in chunks)
    assert "gepland bij Het 8ste Werk in Kampen." in text
    assert "Lees verder" not in text and "https://" not in text
    meta = chunks[0].metadata
    assert meta["title"] == "Dialoog in Kampen"
    assert meta["url"] == "https://www.rvjeugdzorg.nl/nieuws/dialoog-in-kampen/"
    assert meta["kind"] == "pdf"
    pages = {c.metadata["page"] for c in chunks}
    second = next(c for c in chunks if "eenzaamheid" in c.page_content)
    assert second.metadata["page_end"] == 2 and 1 in pages


def test_markdown_headings_and_paragraphs(tmp_path: Path) -> None:
    md = tmp_path / "notitie.md"
    md.write_text(
        "# Zorg in de wijk\n\nDe buurt en de zorg worden verbonden.\nDat vraagt lef.\n\n"
        "## Vervolg\n\nIn maart volgt een bijeenkomst.\n",
        encoding="utf-8",
    )
    chunks = prepare_document(md, md.read_bytes(), OPTIONS)
    assert chunks[0].metadata["title"] == "Zorg in de wijk"
    assert "De buurt en de zorg worden verbonden. Dat vraagt lef." in chunks[0].page_content
    assert chunks[0].metadata.get("page") is None


def test_html_title_canonical_url_and_no_scripts(tmp_path: Path) -> None:
    page = tmp_path / "artikel.html"
    page.write_text(
        "<html><head><title>Site</title>"
        '<link rel="canonical" href="https://www.rvjeugdzorg.nl/nieuws/artikel/"></head>'
        "<body><nav>Menu Home</nav><h1>Het 8ste Werk</h1><p>In Kampen eten mensen samen"
        " &amp; ontmoeten elkaar.</p><script>alert('x')</script></body></html>",
        encoding="utf-8",
    )
    chunks = prepare_document(page, page.read_bytes(), OPTIONS)
    assert chunks[0].metadata["title"] == "Het 8ste Werk"
    assert chunks[0].metadata["url"] == "https://www.rvjeugdzorg.nl/nieuws/artikel/"
    text = chunks[0].page_content
    assert "In Kampen eten mensen samen & ontmoeten elkaar." in text
    assert "alert" not in text and "Menu" not in text


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("leeg.txt", b"", "empty"),
        ("leeg.pdf", b"   \n", "empty"),
        ("kapot.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "damaged PDF"),
        ("nep.pdf", b"this is no pdf at all", "not a PDF"),
        ("binair.txt", b"\x00\x01\x02\x03binary", "binary"),
        ("tabel.xlsx", b"PK\x03\x04 something", "unsupported format"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(name: str, content: bytes, problem: str) -> None:
    with pytest.raises(DocumentError) as caught:
        load_document(Path("/docs") / name, content)
    assert name in str(caught.value)
    assert problem in str(caught.value)


def test_encrypted_pdf_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "geheim.pdf", [["Vertrouwelijk verslag."]], encrypt_with="s3cret")
    with pytest.raises(DocumentError, match=r"geheim\.pdf: is encrypted"):
        load_document(pdf, pdf.read_bytes())


def test_pdf_without_text_asks_for_ocr(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "scan.pdf", [[]])
    with pytest.raises(DocumentError, match="no extractable text"):
        load_document(pdf, pdf.read_bytes())


def _aes_pdf(path: Path, user_password: str) -> Path:
    from pypdf import PdfWriter

    source = make_pdf(path.with_suffix(".plain.pdf"), [["Een verslag van de slotdag."]])
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=user_password, owner_password="eigenaar", algorithm="AES-256")
    with path.open("wb") as out:
        writer.write(out)
    source.unlink()
    return path


def test_an_aes_encrypted_pdf_is_read_without_a_password_and_refused_with_one(
    tmp_path: Path,
) -> None:
    open_one = _aes_pdf(tmp_path / "aes.pdf", "")
    loaded = load_document(open_one, open_one.read_bytes())
    assert "slotdag" in loaded.pages[0]
    locked = _aes_pdf(tmp_path / "aes-slot.pdf", "geheim")
    with pytest.raises(DocumentError, match=r"aes-slot\.pdf: is encrypted"):
        load_document(locked, locked.read_bytes())


def test_whatever_a_parser_raises_is_that_files_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.pipeline as pipeline

    def nested_too_deep(path: Path, data: bytes, max_pages: int | None = None) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(pipeline, "load_document", nested_too_deep)
    path = tmp_path / "diep.html"
    path.write_text("<div>" * 10 + "tekst", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"diep\.html: could not be read \(RecursionError"):
        pipeline.prepare(path, path.read_bytes(), pipeline.ChunkingOptions(500, 80))


def test_a_stray_nul_byte_deep_in_a_text_file_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "lang.txt"
    data = ("Een gewone zin over zorg. " * 400).encode() + b"\x00" + b"Nog een zin."
    loaded = load_document(path, data)
    assert "\x00" not in loaded.pages[0] and "zorg. Nog een zin." in loaded.pages[0]


def test_text_that_is_not_utf8_is_read_as_windows_1252() -> None:
    data = "Café – “vernieuwing” voor €5".encode("cp1252")
    loaded = load_document(Path("/docs/oud.txt"), data)
    assert loaded.pages == ["Café – “vernieuwing” voor €5"]
    # 0x81 is undefined in Windows-1252: Latin-1 reads it, one odd character in a text.
    undefined = b"Caf\xe9 " * 20 + b"\x81"
    assert load_document(Path("/docs/oud.txt"), undefined).pages == ["Café " * 20 + "\x81"]
