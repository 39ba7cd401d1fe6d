"""What a question asks for: its kind, and whether it asks the assistant to leave its role."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.kinds import KINDS, Kind, Thing
from assistant.things import TEXT_HOLDS
from index.lexicon import LANGUAGES, alternatives, entry, pattern, phrases, words
from index.text import fold

__all__ = [
    "Kind",
    "Thing",
    "asked_thing",
    "kind_thing",
    "named_roles",
    "named_test",
    "named_thing",
    "question_kind",
    "thing_words",
]

#: Ordered: the first pattern that matches decides the kind.
#: The order kinds are tried in. A question word that says the answer's form ('wanneer',
#: 'hoeveel', 'wie') comes before the words of a contact question, which may be its topic
#: ('Binnen hoeveel werkdagen neemt het team contact op?' asks a number); 'waar', 'welke'
#: and 'hoe' come after them ('Welk telefoonnummer ...?' asks a contact).
_KINDS: list[Kind] = ["when", "how_many", "who", "contact", "where", "list", "why"]
_KIND_PATTERNS = {
    kind: alternatives(f for language in LANGUAGES for f in entry("kinds", language).get(kind, []))
    for kind in _KINDS
}

#: The things the lexicon tells from the question's words, in the order they are tried (an
#: e-mail address before a phone number: 'mailadres of telefoonnummer' asks for the first;
#: a deadline before a time: 'tot wanneer' asks for the last day, not the hour).
_ASKED_THINGS: list[Thing] = [
    "abbreviation",
    "deadline",
    "email",
    "phone",
    "price",
    "duration",
    "time",
    "year",
    "place",
]
_THING_PATTERNS = {
    thing: alternatives(
        f for language in LANGUAGES for f in entry("asked_things", language).get(thing, [])
    )
    for thing in _ASKED_THINGS
}

#: The roles a 'who' question may name, each with its words in every language.
_ROLES: dict[str, re.Pattern[str]] = {
    role: alternatives(f for language in LANGUAGES for f in entry("roles", language).get(role, []))
    for role in dict.fromkeys(r for language in LANGUAGES for r in entry("roles", language))
}
#: The kinds whose answer is the person in a named role ('Wie is de voorzitter ...?', 'What
#: is the name of the chair ...?'); in 'how many members, says its director' the role is
#: only the source. 'Welke ...' questions (kind list) were left out: with them, 'Welke rol
#: heeft X, en wat is de functie van de projectleider?' (answered 'programmamanager') was
#: refused, and no refusal was gained, on the three labelled sets.
_ROLE_KINDS: frozenset[Kind] = frozenset({"who", "what"})

_ROLE_LEAVING = pattern("role_leaving")
_REFERS_BACK = pattern("refers_back")
_STOPWORDS = words("stopwords")

_GREETING = re.compile(r"^\s*(" + "|".join(phrases("greetings")) + r")\b[!. ]*$")


def question_kind(question: str) -> Kind:
    """contact, when, how_many, who, where, list, why, or what (the default)."""
    text = fold(question)
    found = {kind: _KIND_PATTERNS[kind].search(text) for kind in _KINDS}
    first = min((m.start() for m in found.values() if m), default=0)
    for kind in _KINDS:
        match = found[kind]
        # 'wanneer', 'hoeveel' or 'wie' after the question's own question word is part of
        # a clause ('Who was the director when it was founded?'), not what is asked.
        if match and not (kind in _FORM_KINDS and match.start() > first):
            return kind
    return "what"


#: The kinds named by a question word that says the answer's form.
_FORM_KINDS: frozenset[Kind] = frozenset({"when", "how_many", "who"})


def asked_thing(question: str, kind: Kind) -> Thing | None:
    """What an answer to ``question`` must hold; None when no pattern can tell (what, why,
    list questions that name no such thing)."""
    found = _named_in(question)
    return found[0] if found else kind_thing(kind)


def thing_words(question: str) -> frozenset[str]:
    """The words with which ``question`` names what its answer must hold ('fee' in 'Is
    there a fee?', 'e-mailadres'): they say what shape the answer has, like 'when' does,
    so a document need not use them for the question to be known (``Evidence.unknown``)."""
    found = _named_in(question)
    return frozenset(re.findall(r"\w+", found[1].group(0))) if found else frozenset()


def _named_in(question: str) -> tuple[Thing, re.Match[str]] | None:
    """The first thing (in ``_ASKED_THINGS`` order) the question's words name, and where."""
    text = fold(question)
    for thing in _ASKED_THINGS:
        if found := _THING_PATTERNS[thing].search(text):
            return thing, found
    return None


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


def named_roles(question: str, kind: Kind) -> frozenset[str]:
    """The roles (``roles`` in the lexicons) whose holder ``question`` asks for."""
    if kind not in _ROLE_KINDS:
        return frozenset()
    text = fold(question)
    return frozenset(role for role, words in _ROLES.items() if words.search(text))


def holds_a_role(text: str, roles: frozenset[str]) -> bool:
    """The text says one of ``roles``, in any language ('voorzitter' for 'chair')."""
    folded = fold(text)
    return any(_ROLES[role].search(folded) for role in roles)


def named_test(
    kind: Kind, asked: Thing | None, roles: frozenset[str]
) -> Callable[[str], bool] | None:
    """What a text must hold to answer a question that names what it asks for: the thing
    its words name (``named_thing``) and one of the roles it names; None when it names
    neither (what its kind asks is checked by ``answers_the_kind``)."""
    thing = named_thing(kind, asked)
    if thing is None and not roles:
        return None

    def holds(text: str) -> bool:
        return (thing is None or TEXT_HOLDS[thing](text)) and (
            not roles or holds_a_role(text, roles)
        )

    return holds


def refers_back(question: str) -> bool:
    """Whether a question leans on what was said before: it points back ('En waar is
    dat?'), or says too little of its own to be searched alone (one content word at most)."""
    folded = fold(question)
    own = [w for w in re.findall(r"\w+", folded) if w not in _STOPWORDS]
    return bool(_REFERS_BACK.search(folded)) or len(own) <= 1


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
