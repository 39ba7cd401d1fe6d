"""Event records (dated meetings found in the documents) and where they are kept.

They are stored beside the vectors, in the index folder, one JSON file per collection,
replaced per source file exactly like its chunks, so re-ingest never leaves stale events.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from index.files import write_json_atomically


@dataclass(frozen=True)
class Event:
    """One dated (or announced-but-undated) event, with the sentence it came from."""

    title: str  # what it is: "drieluik ‘Tussen dromen en doen’", "dialoogbijeenkomst"
    start: dt.date | None  # None: announced without a date ("in 2024")
    end: dt.date | None  # last day of a range ("7 tot en met 11 november 2022")
    year: int | None  # for vague ones: the year it was announced for
    precision: str  # "day", "month" ("begin november") or "year" ("in 2024")
    certainty: str  # "stated" (year written), "inferred" (year worked out) or "vague"
    date_text: str  # the date as the document writes it
    sentence: str  # verbatim, the sentence (or header block) it came from
    source: str
    document_title: str
    url: str | None = None
    page: int | None = None
    part: str | None = None  # "1 van 3", "afsluitend"
    start_time: str | None = None
    end_time: str | None = None
    place: str | None = None
    organiser: str | None = None
    #: How the year was found, for staff: "written", "page date, future tense", ...
    #: (``ingest.events.YEAR_BASES``); None for records made before it was kept.
    year_basis: str | None = None
    #: The heading and the sentence before the statement: what it is about, for matching.
    context: str = ""
    #: The statement or its heading speaks of a meeting ('bijeenkomst', 'congres'): only
    #: such records answer a question that names no event ('when is the next meeting?').
    event_words: bool = True

    def listing(self) -> dict[str, Any]:
        """What ``rv events --json`` shows of the record."""
        return {
            "date": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "year": self.year,
            "time": self.start_time,
            "end_time": self.end_time,
            "place": self.place,
            "subject": self.title,
            "year_basis": self.year_basis or self.certainty,
            "source": self.source,
            "page": self.page,
            "quote": self.sentence,
        }

    @property
    def last_day(self) -> dt.date | None:
        return self.end or self.start

    def sort_key(self) -> tuple[dt.date, str]:
        if self.start is not None:
            return self.start, self.start_time or ""
        return dt.date(self.year or 9999, 12, 31), ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("start", "end"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("start", "end"):
            if values.get(key):
                values[key] = dt.date.fromisoformat(values[key])
        return cls(**values)


class EventStore:
    """Events per source file in a JSON file, written atomically (``index.files``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, list[dict[str, Any]]]:
        if not self.path.exists():
            return {}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict[str, list[dict[str, Any]]]) -> None:
        write_json_atomically(self.path, data)

    def replace(self, source: str, events: list[Event]) -> None:
        data = self._load()
        if events:
            data[source] = [e.as_dict() for e in events]
        else:
            data.pop(source, None)
        self._save(data)

    def remove(self, source: str) -> None:
        data = self._load()
        if data.pop(source, None) is not None:
            self._save(data)

    def all(self) -> list[Event]:
        events = [Event.from_dict(e) for items in self._load().values() for e in items]
        return sorted(events, key=Event.sort_key)
