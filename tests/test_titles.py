"""Titles made from a document's text, on hand-made texts (no model, no index): its heading;
else a quoted title or a name the text gives itself; else a short cut at a word boundary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import TitlesFileError, TitleTooLongError
from ingest.cleaning import clean_pages
from ingest.loaders import LoadedDocument
from ingest.metadata import choose_title, content_hash, version_hash
from ingest.staff_titles import MAX_STAFF_TITLE, StaffTitles, clean_title
from ingest.titles import CUT_TITLE, cut_title, quoted_title, self_name, short_cut


def _title(text: str, url: str | None = None, kind: str = "text") -> str:
    loaded = LoadedDocument(path=Path("/d/stuk.txt"), kind=kind, pages=[text], has_pages=False)
    return choose_title(loaded, clean_pages([text]), url)


LONG_LEAD = (
    "Op een mooie plek aan het water verzamelde zich half september een groep vernieuwers "
    "uit zorg, welzijn en onderwijs. Doel: een vrijplaats creëren."
)


def test_a_heading_is_the_title() -> None:
    assert _title("Droom breed herkend\n\nDe beweging groeit in het hele land.") == (
        "Droom breed herkend"
    )


def test_a_name_the_text_gives_itself_beats_its_cut_first_sentence() -> None:
    named = "Deze werkdag zorgonderwijs ‘Tussen wens en daad’ was de eerste."
    text = f"{LONG_LEAD}\n\nMeer informatie\n{named}"
    assert _title(text) == "Werkdag zorgonderwijs ‘Tussen wens en daad’"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Het congres heeft als thema ‘Samen sterker’ en duurt twee dagen.", "Samen sterker"),
        ("We schreven een boek met de titel “Anders kijken”.", "Anders kijken"),
        ('The report, entitled "Care at home", came out in May.', "Care at home"),
    ],
)
def test_a_quoted_title_the_text_introduces(text: str, title: str) -> None:
    assert quoted_title(text) == title


@pytest.mark.parametrize(
    "text",
    [
        "“Het gaat om de mens”, zegt een deelnemer.",  # a remark, no title
        "Dit is ‘een begin’ van iets groters.",  # 'dit is' names nothing
        "Kijk op deze site onder ‘Reglementen’.",  # a menu of the site, not the text
        "Deze dag ‘was mooi. Echt waar’ vonden velen.",  # a sentence inside: no name
    ],
)
def test_quoted_remarks_and_menus_are_no_name(text: str) -> None:
    assert self_name(text) is None and quoted_title(text) is None


def test_this_meeting_named_in_english() -> None:
    assert self_name("We met in Utrecht. This workshop “Care that fits” was the first.") == (
        "Workshop “Care that fits”"
    )


def test_an_apostrophe_inside_a_quoted_name_does_not_end_it() -> None:
    assert self_name("Deze middag ‘Dilemma’s in de zorg’ liep uit.") == (
        "Middag ‘Dilemma’s in de zorg’"
    )


def test_without_a_name_the_first_sentence_is_cut_at_a_word_boundary() -> None:
    title = _title(LONG_LEAD)
    assert title == "Op een mooie plek aan het water verzamelde zich half…"
    assert len(title) <= CUT_TITLE
    words = LONG_LEAD.split()
    assert all(w in words for w in title.rstrip("…").split())  # no word cut inside


def test_a_cut_does_not_end_on_a_function_word_or_a_comma() -> None:
    assert short_cut("Het verslag van de dag over zorg en welzijn in de regio", 30) == (
        "Het verslag van de dag over…"
    )
    assert short_cut("Zorg, welzijn, onderwijs, wonen en nog veel meer", 26) == (
        "Zorg, welzijn, onderwijs…"
    )


def test_a_first_word_longer_than_the_cut_is_kept_whole() -> None:
    word = "Zorg" + "vernieuwings" * 8
    assert short_cut(f"{word} en meer", 20) == f"{word}…"


def test_a_short_first_sentence_is_the_title_whole() -> None:
    assert cut_title("De dag was een succes. Iedereen kwam.") == "De dag was een succes"


def test_a_web_pages_slug_comes_before_the_text() -> None:
    text = "eerst een zin zonder hoofdletter die geen kop is en maar doorgaat, en nog verder gaat."
    assert _title(text, url="https://loc.nl/nieuws/over-ons/") == "Over ons"


def test_a_staff_title_is_a_new_version_of_the_document() -> None:
    data = b"Een tekst."
    assert version_hash(data) == content_hash(data)  # indexes made before stay current
    assert version_hash(data, "Titel") != content_hash(data)
    assert version_hash(data, "Titel") != version_hash(data, "Andere titel")


def test_staff_titles_are_kept_cleaned_and_taken_away(tmp_path: Path) -> None:
    titles = StaffTitles(tmp_path / "index" / "titles.json")
    assert titles.read() == {}  # no file: no staff titles
    titles.set("/d/a.txt", "  Verslag\n van de  dag ")
    titles.set("/d/b.txt", "Programma")
    kept = {"/d/a.txt": "Verslag van de dag", "/d/b.txt": "Programma"}
    assert StaffTitles(titles.path).read() == kept
    titles.set("/d/a.txt", "   ")  # empty: the title made from the text comes back
    assert titles.read() == {"/d/b.txt": "Programma"}
    titles.move("/d/b.txt", "/d/b.md")
    assert titles.read() == {"/d/b.md": "Programma"}
    assert not list(titles.path.parent.glob(".*partial"))  # nothing left beside it


def test_a_too_long_staff_title_is_refused_with_its_numbers(tmp_path: Path) -> None:
    with pytest.raises(TitleTooLongError) as raised:
        clean_title("x" * (MAX_STAFF_TITLE + 1))
    assert (raised.value.length, raised.value.limit) == (MAX_STAFF_TITLE + 1, MAX_STAFF_TITLE)
    titles = StaffTitles(tmp_path / "titles.json")
    with pytest.raises(TitleTooLongError):
        titles.set("/d/a.txt", "x" * 500)
    assert not titles.path.exists()  # nothing was written


def test_a_crash_while_writing_leaves_the_previous_titles(tmp_path: Path) -> None:
    titles = StaffTitles(tmp_path / "titles.json")
    titles.set("/d/a.txt", "Verslag")
    # What a crash in the middle of the next write leaves: a half partial file beside it.
    (tmp_path / ".titles.json.partial").write_text('{"version": 1, "titles": {"/d/a.txt": "Ha')
    assert titles.read() == {"/d/a.txt": "Verslag"}
    titles.set("/d/a.txt", "Verslag van de dag")  # the next write replaces the partial
    assert titles.read() == {"/d/a.txt": "Verslag van de dag"}


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"version": 1, "titles": {"/d/a.txt": "Ver', "is not valid JSON (line 1"),
        ('["/d/a.txt"]', 'must be a JSON object with a "titles" object'),
        ('{"version": 2, "titles": {}}', '"version" is 2'),
        ('{"version": 1, "titles": {"/d/a.txt": 7}}', "'/d/a.txt': the title must be"),
        ('{"version": 1, "titles": {"/d/a.txt": ""}}', "'/d/a.txt': the title must be"),
    ],
)
def test_a_broken_titles_file_is_named_with_what_is_wrong(
    tmp_path: Path, content: str, said: str
) -> None:
    path = tmp_path / "titles.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TitlesFileError) as raised:
        StaffTitles(path).read()
    assert str(path) in str(raised.value) and said in str(raised.value)
    assert raised.value.kind == "titles_file"


def test_the_titles_file_is_plain_json_a_person_can_read(tmp_path: Path) -> None:
    titles = StaffTitles(tmp_path / "titles.json")
    titles.set("/d/é.txt", "Één titel")
    assert json.loads(titles.path.read_text(encoding="utf-8")) == {
        "version": 1,
        "titles": {"/d/é.txt": "Één titel"},
    }
