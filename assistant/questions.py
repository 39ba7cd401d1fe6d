"""What a question asks for: its kind, and whether it asks the assistant to leave its role."""

from __future__ import annotations

import re

from assistant.kinds import KINDS, Kind, Thing
from assistant.things import TEXT_HOLDS
from index.lexicon import LANGUAGES, alternatives, entry, pattern, phrases
from index.text import fold

__all__ = ["Kind", "Thing", "asked_thing", "kind_thing", "named_thing", "question_kind"]

#: Ordered: the first pattern that matches decides the kind.
_KINDS: list[Kind] = ["contact", "when", "how_many", "who", "where", "list", "why"]
_KIND_PATTERNS = {
    kind: alternatives(f for language in LANGUAGES for f in entry("kinds", language).get(kind, []))
    for kind in _KINDS
}

#: The things the lexicon tells from the question's words, in the order they are tried (an
#: e-mail address before a phone number: 'mailadres of telefoonnummer' asks for the first;
#: a deadline before a time: 'tot wanneer' asks for the last day, not the hour).
_ASKED_THINGS: list[Thing] = ["deadline", "email", "phone", "price", "time", "year", "place"]
_THING_PATTERNS = {
    thing: alternatives(
        f for language in LANGUAGES for f in entry("asked_things", language).get(thing, [])
    )
    for thing in _ASKED_THINGS
}

_ROLE_LEAVING = pattern("role_leaving")

_GREETING = re.compile(r"^\s*(" + "|".join(phrases("greetings")) + r")\b[!. ]*$")


def question_kind(question: str) -> Kind:
    """contact, when, how_many, who, where, list, why, or what (the default)."""
    text = fold(question)
    for kind in _KINDS:
        if _KIND_PATTERNS[kind].search(text):
            return kind
    return "what"


def asked_thing(question: str, kind: Kind) -> Thing | None:
    """What an answer to ``question`` must hold; None when no pattern can tell (what, why,
    list questions that name no such thing)."""
    text = fold(question)
    for thing in _ASKED_THINGS:
        if _THING_PATTERNS[thing].search(text):
            return thing
    return kind_thing(kind)


def kind_thing(kind: Kind) -> Thing | None:
    """What a question of ``kind`` asks for when its words name nothing finer."""
    return KINDS[kind].asks_for


def named_thing(kind: Kind, asked: Thing | None) -> Thing | None:
    """The thing a question's words name, finer than its kind and seen in text alone (a
    price, a deadline, an e-mail address...); None when only the kind asks (a pattern for
    a person or a place misses too often to decide an answer)."""
    if asked is None or asked == kind_thing(kind) or asked not in TEXT_HOLDS:
        return None
    return asked


def leaves_role(question: str) -> bool:
    """Asks the assistant to ignore its instructions, reveal them, or speak for itself."""
    return bool(_ROLE_LEAVING.search(fold(question)))


def is_greeting(question: str) -> bool:
    return bool(_GREETING.match(fold(question)))


def holds_what_is_asked(kind: Kind, text: str) -> bool:
    """The text holds what an answer of ``kind`` must hold (for 'how many' a count, not a
    year; for 'when' a date or time); a kind that must hold nothing is always held."""
    record = KINDS[kind]
    if not record.must_hold or record.asks_for is None:
        return True
    return TEXT_HOLDS[record.asks_for](text)


def answers_the_kind(kind: Kind, answer: object) -> bool:
    """The answer's quotes hold what the question's kind asks for."""
    quotes = " ".join(c.quote for c in getattr(answer, "citations", []))
    return holds_what_is_asked(kind, quotes)
