"""The titles staff gave documents, kept in one small JSON file beside the index.

Ingest reads it and puts a document's staff title in place of the one made from its text,
so the title is kept across re-ingests. The file is ``{"version": 1, "titles": {source:
title}}``, keyed by the document's source (its resolved path, as the index knows it).

It is written whole to a hidden temporary file, flushed to disk, then renamed over the old
one (``index.files``): a crash leaves either the previous file or the new one, never half. A title
changes the document's version (``ingest.metadata.version_hash``), so the index takes the
new title through its usual per-document commit, and an index a crash left behind still
answers with the previous title until the next ingest writes the new one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from index.errors import TitlesFileError, TitleTooLongError
from index.files import write_json_atomically
from index.text import squash_whitespace

FORMAT_VERSION = 1
#: The longest title staff may give (a title names a document; it is no summary).
MAX_STAFF_TITLE = 200

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_title(title: str) -> str:
    """A title as it is kept: one line, white space squashed; '' means none. Raises
    TitleTooLongError for a title past MAX_STAFF_TITLE characters."""
    cleaned = squash_whitespace(_CONTROL.sub(" ", title))
    if len(cleaned) > MAX_STAFF_TITLE:
        raise TitleTooLongError(len(cleaned), MAX_STAFF_TITLE)
    return cleaned


class StaffTitles:
    """The titles file at ``path`` (it need not exist: then no document has one)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, str]:
        """Every staff title by source. TitlesFileError names the file and the entry
        that is wrong (hand edits happen)."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            raise TitlesFileError(self.path, f"cannot be read ({exc})") from exc
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise TitlesFileError(
                self.path, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from exc
        return _titles_in(self.path, data)

    def set(self, source: str, title: str) -> dict[str, str]:
        """Give ``source`` the title ``title`` ('' takes staff's title away, and the one
        made from the text comes back); returns every title as now kept."""
        titles = self.read()
        cleaned = clean_title(title)
        if cleaned:
            titles[source] = cleaned
        else:
            titles.pop(source, None)
        self._write(titles)
        return titles

    def move(self, old: str, new: str) -> None:
        """A replaced document whose file changed its name keeps its staff title."""
        titles = self.read()
        if old in titles and old != new:
            titles[new] = titles.pop(old)
            self._write(titles)

    def _write(self, titles: dict[str, str]) -> None:
        data = {"version": FORMAT_VERSION, "titles": dict(sorted(titles.items()))}
        try:
            write_json_atomically(self.path, data)
        except OSError as exc:
            raise TitlesFileError(
                self.path, f"cannot be written ({exc.strerror or exc}); make its folder writable"
            ) from exc


def _titles_in(path: Path, data: object) -> dict[str, str]:
    """The titles of a parsed file, each entry checked."""
    if not isinstance(data, dict) or not isinstance(data.get("titles"), dict):
        raise TitlesFileError(path, 'must be a JSON object with a "titles" object in it')
    if data.get("version") != FORMAT_VERSION:
        raise TitlesFileError(
            path, f'"version" is {data.get("version")!r}; this version reads {FORMAT_VERSION}'
        )
    titles: dict[str, str] = {}
    for source, title in data["titles"].items():
        if not isinstance(title, str) or not title.strip():
            raise TitlesFileError(
                path, f'"titles" → {source!r}: the title must be a non-empty text'
            )
        try:
            titles[source] = clean_title(title)
        except TitleTooLongError as exc:
            raise TitlesFileError(path, f'"titles" → {source!r}: {exc}') from exc
    return titles
