"""Feedback on answers (thumbs up/down, optional comment), kept in a local SQLite file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    settings TEXT NOT NULL,
    today TEXT
)
"""
COLUMNS = ["id", "created_at", "rating", "comment", "question", "answer", "sources", "settings",
           "today"]  # fmt: skip


class FeedbackStore:
    """One SQLite file; safe to use from the web server's worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(
        self,
        rating: str,
        question: str,
        answer: str,
        sources: list[dict[str, Any]],
        settings: dict[str, Any],
        today: str | None,
        comment: str = "",
    ) -> int:
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, rating, comment, question, answer, sources, "
                "settings, today) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    rating,
                    comment,
                    question,
                    answer,
                    json.dumps(sources, ensure_ascii=False),
                    json.dumps(settings, ensure_ascii=False, default=str),
                    today,
                ),
            )
            return int(cursor.lastrowid or 0)

    def comment(self, feedback_id: int, comment: str) -> None:
        with self._lock, self._connect() as db:
            db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment, feedback_id))

    def rows(self) -> list[dict[str, Any]]:
        with self._connect() as db:
            cursor = db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")
            return [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]

    def export(self, fmt: str) -> str:
        rows = self.rows()
        if fmt == "json":
            for row in rows:
                row["sources"] = json.loads(row["sources"])
                row["settings"] = json.loads(row["settings"])
            return json.dumps(rows, ensure_ascii=False, indent=2)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
