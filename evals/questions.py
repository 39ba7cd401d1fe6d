"""The question-set file: loading and validation with messages that name file, line and problem."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.api import RvError

KINDS = {
    "fact", "number", "person", "place", "list", "contact", "event", "followup",
    "unanswerable", "offtopic", "role",
}  # fmt: skip
DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "questions.yaml"
_FIELDS = {
    "id", "question", "kind", "language", "today", "history", "must_contain",
    "must_not_contain", "cite", "cite_any", "answerable",
}  # fmt: skip


class QuestionFileError(RvError):
    """The question file is malformed; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class ExpectedCitation:
    doc: str  # file name of the document
    pages: tuple[int, ...] = ()  # for PDFs: any of these pages is right


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    kind: str
    line: int
    language: str | None = None
    today: dt.date | None = None
    history: tuple[tuple[str, str], ...] = ()
    must_contain: tuple[tuple[str, ...], ...] = ()  # each fact: alternative patterns
    must_not_contain: tuple[str, ...] = ()
    cite: tuple[ExpectedCitation, ...] = ()
    cite_any: bool = False
    answerable: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def history_turns(self) -> list[dict[str, str]]:
        return [{"role": r, "content": c} for r, c in self.history]


def load_questions(path: Path) -> list[Item]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"{path}: cannot be read ({exc})") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise QuestionFileError(f"{path}{where}: not valid YAML ({exc})") from exc
    if root is None:
        raise QuestionFileError(f"{path}: the file has no questions")
    if not isinstance(root, yaml.SequenceNode):
        raise QuestionFileError(
            f"{path}, line {root.start_mark.line + 1}: expected a list of questions"
        )
    items: list[Item] = []
    seen: dict[str, int] = {}
    for node in root.value:
        line = node.start_mark.line + 1
        raw = yaml.safe_load(yaml.serialize(node))
        try:
            item = _item(raw, line)
        except (ValueError, TypeError) as exc:
            raise QuestionFileError(f"{path}, line {line}: {exc}") from exc
        if item.id in seen:
            raise QuestionFileError(
                f"{path}, line {line}: id {item.id!r} is already used on line {seen[item.id]}"
            )
        seen[item.id] = line
        items.append(item)
    return items


def _item(raw: Any, line: int) -> Item:
    if not isinstance(raw, dict):
        raise ValueError("each question must be a mapping with at least 'id' and 'question'")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}; allowed: {sorted(_FIELDS)}")
    for required in ("id", "question", "kind"):
        if not raw.get(required):
            raise ValueError(f"missing field {required!r}")
    item_id = str(raw["id"])
    kind = str(raw["kind"])
    if kind not in KINDS:
        raise ValueError(f"{item_id}: kind {kind!r} is not one of {sorted(KINDS)}")
    language = raw.get("language")
    if language not in (None, "nl", "en"):
        raise ValueError(f"{item_id}: language must be 'nl' or 'en'")
    answerable = raw.get("answerable", True)
    if not isinstance(answerable, bool):
        raise ValueError(f"{item_id}: answerable must be true or false")
    return Item(
        id=item_id,
        question=str(raw["question"]),
        kind=kind,
        line=line,
        language=language,
        today=_date(item_id, raw.get("today")),
        history=_history(item_id, raw.get("history")),
        must_contain=tuple(_facts(item_id, raw.get("must_contain"))),
        must_not_contain=tuple(_patterns(item_id, "must_not_contain", raw.get("must_not_contain"))),
        cite=tuple(_citations(item_id, raw.get("cite"))),
        cite_any=bool(raw.get("cite_any", False)),
        answerable=answerable,
    )


def _date(item_id: str, value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{item_id}: today must be YYYY-MM-DD, got {value!r}") from None


def _history(item_id: str, value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(t, dict) and t.get("role") in ("user", "assistant") and "content" in t
        for t in value
    ):
        raise ValueError(f"{item_id}: history must be a list of {{role: user|assistant, content}}")
    return tuple((t["role"], str(t["content"])) for t in value)


def _patterns(item_id: str, name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValueError(f"{item_id}: {name} must be a list of patterns")
    for pattern in value:
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise ValueError(
                f"{item_id}: {name} pattern {pattern!r} is not a regex ({exc})"
            ) from exc
    return [str(p) for p in value]


def _facts(item_id: str, value: Any) -> list[tuple[str, ...]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{item_id}: must_contain must be a list of facts")
    return [tuple(_patterns(item_id, "must_contain", fact)) for fact in value]


def _citations(item_id: str, value: Any) -> list[ExpectedCitation]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{item_id}: cite must be a list of {{doc: FILE, pages: [N]}}")
    out = []
    for entry in value:
        if isinstance(entry, str):
            entry = {"doc": entry}
        if not isinstance(entry, dict) or "doc" not in entry:
            raise ValueError(f"{item_id}: each cite entry needs a 'doc' (the file name)")
        pages = entry.get("pages") or []
        if not isinstance(pages, list) or not all(isinstance(p, int) for p in pages):
            raise ValueError(f"{item_id}: pages must be a list of page numbers")
        out.append(ExpectedCitation(str(entry["doc"]), tuple(pages)))
    return out
