"""Staff's changes to the documents (add, replace, remove, re-index) on a real Chroma store
with the model-free hashing embedder: what reaches the index, and that nothing is lost."""

from __future__ import annotations

from pathlib import Path

from conftest import make_assistant

from assistant.api import Assistant
from index.embedders import HashingEmbedder
from ingest.pipeline import Failure


def _assistant(tmp_path: Path) -> Assistant:
    return make_assistant(
        tmp_path / "index",
        HashingEmbedder(),
        documents_dir=tmp_path / "documents",
        corpus_dir=tmp_path / "corpus",
        term_bridge=False,
    )


def _file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _sources(assistant: Assistant) -> set[str]:
    return {Path(d.source).name for d in assistant.documents()}


def test_uploads_are_kept_in_the_documents_folder_and_indexed(tmp_path: Path) -> None:
    assistant = _assistant(tmp_path)
    uploads = tmp_path / "browser-cache"
    good = _file(uploads, "Nieuwsbrief mei.txt", "De bijeenkomst over zorgonderwijs is in Utrecht.")
    bad = _file(uploads, "notulen.docx", "niet te lezen")
    change = assistant.library().add([good, bad])
    assert [Path(a).name for a in change.report.added] == ["Nieuwsbrief mei.txt"]
    allowed = ".htm, .html, .markdown, .md, .pdf, .text, .txt"
    assert change.report.failed == [
        Failure("notulen.docx", f"is a .docx file; upload one of {allowed}", "unsupported")
    ]
    assert (tmp_path / "documents" / "Nieuwsbrief mei.txt").read_text() == good.read_text()
    assert _sources(assistant) == {"Nieuwsbrief mei.txt"}
    found = assistant.ask("Waar is de bijeenkomst over zorgonderwijs?").retrieved
    assert found and found[0].source.endswith("Nieuwsbrief mei.txt")


def test_a_hidden_or_pathlike_upload_name_is_made_safe(tmp_path: Path) -> None:
    assistant = _assistant(tmp_path)
    sneaky = _file(tmp_path / "up", ".env.md", "Geheim is dit niet: een gewone tekst over zorg.")
    change = assistant.library().add([sneaky])
    assert [Path(a).name for a in change.report.added] == ["env.md"]


def test_replace_keeps_the_earlier_version_and_answers_from_the_new(tmp_path: Path) -> None:
    assistant = _assistant(tmp_path)
    library = assistant.library()
    first = _file(tmp_path / "up1", "agenda.txt", "De bijeenkomst is op 3 maart in Zwolle.")
    library.add([first])
    source = next(iter(d.source for d in assistant.documents()))
    newer = _file(tmp_path / "up2", "agenda-v2.md", "# Agenda\n\nDe bijeenkomst is in Deventer.")
    change = library.replace(source, newer)
    assert change.report.ok and [Path(r).name for r in change.report.removed] == ["agenda.txt"]
    assert _sources(assistant) == {"agenda.md"}  # the old name, the new file's extension
    (kept,) = change.kept
    assert Path(kept[1]).read_text() == "De bijeenkomst is op 3 maart in Zwolle."
    assert ".earlier" in kept[1]
    found = assistant.ask("Welke plaats noemt de agenda?").retrieved
    assert [p.text for p in found] == ["Agenda\n\nDe bijeenkomst is in Deventer."]


def test_replacing_what_is_not_indexed_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    assistant = _assistant(tmp_path)
    newer = _file(tmp_path / "up", "x.txt", "Een tekst.")
    change = assistant.library().replace(str(tmp_path / "nope.txt"), newer)
    assert change.report.failed and "not in the index" in change.report.failed[0].problem
    assert not (tmp_path / "nope.txt").exists()


def test_remove_moves_the_file_away_so_a_reindex_does_not_bring_it_back(tmp_path: Path) -> None:
    assistant = _assistant(tmp_path)
    library = assistant.library()
    keep = _file(tmp_path / "up", "blijft.txt", "Dit document blijft in de index staan.")
    drop = _file(tmp_path / "up", "weg.txt", "Dit document gaat uit de index.")
    library.add([keep, drop])
    source = str((tmp_path / "documents" / "weg.txt").resolve())
    change = library.remove(source)
    assert [Path(r).name for r in change.report.removed] == ["weg.txt"]
    assert Path(change.kept[0][1]).read_text() == "Dit document gaat uit de index."
    assert _sources(assistant) == {"blijft.txt"}
    again = library.reindex()
    assert not again.report.added and _sources(assistant) == {"blijft.txt"}


def test_reindex_reads_changed_files_and_drops_vanished_ones(tmp_path: Path) -> None:
    assistant = _assistant(tmp_path)
    elsewhere = _file(tmp_path / "eigen", "los.txt", "Een los bestand buiten de mappen.")
    _file(tmp_path / "eigen", "buur.txt", "Een buurbestand dat niemand indexeerde.")
    corpus_doc = _file(tmp_path / "corpus", "stuk.txt", "Het standaardstuk over ggz.")
    assistant.ingest([elsewhere, corpus_doc])
    library = assistant.library()
    upload = _file(tmp_path / "up", "nieuw.txt", "Een upload over verpleeghuiszorg.")
    library.add([upload])
    corpus_doc.write_text("Het standaardstuk over ggz, herzien.", encoding="utf-8")
    _file(tmp_path / "corpus", "erbij.txt", "Een nieuw stuk in de standaardmap.")
    elsewhere.unlink()
    change = library.reindex()
    assert {Path(a).name for a in change.report.added} == {"erbij.txt"}
    assert {Path(u).name for u in change.report.updated} == {"stuk.txt"}
    assert {Path(r).name for r in change.report.removed} == {"los.txt"}
    assert _sources(assistant) == {"stuk.txt", "erbij.txt", "nieuw.txt"}  # never 'buur.txt'


def test_an_upload_that_fails_leaves_the_folder_and_brings_back_the_earlier(
    tmp_path: Path,
) -> None:
    assistant = _assistant(tmp_path)
    library = assistant.library()
    library.add([_file(tmp_path / "up1", "brief.txt", "De eerste, goede versie.")])
    broken = library.add([_file(tmp_path / "up2", "brief.txt", "  \n")])
    assert broken.report.failed and "empty" in broken.report.failed[0].problem
    assert (tmp_path / "documents" / "brief.txt").read_text() == "De eerste, goede versie."
    lone = library.add([_file(tmp_path / "up3", "leeg.txt", "")])
    assert lone.report.failed and not (tmp_path / "documents" / "leeg.txt").exists()
    assert not library.reindex().report.failed
