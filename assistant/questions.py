"""What a question asks for: its kind, and whether it asks the assistant to leave its role."""

from __future__ import annotations

import re
from typing import Literal

from index.lexicon import LANGUAGES, alternatives, entry, pattern, phrases
from index.text import MENTIONS_DATE, fold, mentions_count

#: What a question asks for; 'what' when nothing more specific is asked.
Kind = Literal["contact", "when", "how_many", "who", "where", "list", "why", "what"]

#: Ordered: the first pattern that matches decides the kind.
_KINDS: list[Kind] = ["contact", "when", "how_many", "who", "where", "list", "why"]
_KIND_PATTERNS = {
    kind: alternatives(f for language in LANGUAGES for f in entry("kinds", language).get(kind, []))
    for kind in _KINDS
}

#: What an answer must hold, finer than the kind: a date, a count, a person's name, a place,
#: a contact detail, or one of the things the lexicon's ``asked_things`` name.
Thing = Literal[
    "date", "count", "person", "place", "contact", "email", "phone", "price", "time", "year"
]
#: The things the lexicon tells from the question's words, in the order they are tried (an
#: e-mail address before a phone number: 'mailadres of telefoonnummer' asks for the first).
_ASKED_THINGS: list[Thing] = ["email", "phone", "price", "time", "year", "place"]
_THING_PATTERNS = {
    thing: alternatives(
        f for language in LANGUAGES for f in entry("asked_things", language).get(thing, [])
    )
    for thing in _ASKED_THINGS
}
#: What a kind asks for when the question's words name nothing finer.
_KIND_THINGS: dict[Kind, Thing] = {
    "when": "date",
    "how_many": "count",
    "who": "person",
    "where": "place",
    "contact": "contact",
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
    return _KIND_THINGS.get(kind)


def leaves_role(question: str) -> bool:
    """Asks the assistant to ignore its instructions, reveal them, or speak for itself."""
    return bool(_ROLE_LEAVING.search(fold(question)))


def is_greeting(question: str) -> bool:
    return bool(_GREETING.match(fold(question)))


def holds_what_is_asked(kind: Kind, text: str) -> bool:
    """For 'how many' a count (not a year), for 'when' a date or time; anything else holds."""
    if kind == "how_many":
        return mentions_count(text)
    if kind == "when":
        return bool(MENTIONS_DATE.search(text))
    return True


def answers_the_kind(kind: Kind, answer: object) -> bool:
    """The answer's quotes hold what the question's kind asks for."""
    quotes = " ".join(c.quote for c in getattr(answer, "citations", []))
    return holds_what_is_asked(kind, quotes)
