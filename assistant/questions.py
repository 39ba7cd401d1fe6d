"""What a question asks for: its kind, and whether it asks the assistant to leave its role."""

from __future__ import annotations

import re
from typing import Literal

from index.text import MENTIONS_DATE, fold, mentions_count

#: What a question asks for; 'what' when nothing more specific is asked.
Kind = Literal["contact", "when", "how_many", "who", "where", "list", "why", "what"]

#: Ordered: the first pattern that matches decides the kind.
_KINDS: list[tuple[Kind, str]] = [
    ("contact", r"\b(contact|e-?mail|mail|mailadres|telefoon\w*|bellen|phone|reach|adres)\b"),
    ("when", r"\b(wanneer|hoe laat|welke datum|op welke dag|when|what time|which day|what date)\b"),
    ("how_many", r"\b(hoeveel|hoe veel|hoe lang|how (many|much|long)|welk deel|what share)\b"),
    ("who", r"\b(wie|who|whose|wiens)\b"),
    ("where", r"\b(waar|in welke (plaats|stad|provincie)|where|which (place|city|town))\b"),
    ("list", r"\b(welke|which|wat zijn|what are|noem|name the|list)\b"),
    ("why", r"\b(waarom|why|hoe kan|hoe kun|how can|how do|how does|hoe)\b"),
]

_ROLE_LEAVING = re.compile(
    r"\b("
    r"negeer|vergeet (je|jouw|alle|de)|ignore (all|your|the|previous|any)|disregard|"
    r"system ?prompt|systeemprompt|jailbreak|"
    r"forget (the|your|all)|doe alsof|pretend|act as|speel de rol|"
    r"schrijf (een|me een) (gedicht|verhaal|lied|grap)|write (a|me a) (poem|story|song|joke)|"
    r"wat vind (jij|je) (zelf|persoonlijk)?|what do you (personally )?think|jouw (eigen )?mening|"
    r"your (own )?opinion"
    r")\b"
)

_GREETING = re.compile(r"^\s*(hoi|hallo|hey|hi|hello|goedemorgen|goedemiddag|dag)\b[!. ]*$")


def question_kind(question: str) -> Kind:
    """contact, when, how_many, who, where, list, why, or what (the default)."""
    text = fold(question)
    for kind, pattern in _KINDS:
        if re.search(pattern, text):
            return kind
    return "what"


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
