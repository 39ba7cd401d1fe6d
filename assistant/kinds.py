"""Each question kind as one record: what its answer must hold, how the answer is shaped,
and which routes take it.

What a kind means used to be spread over string switches in four modules ('if kind ==
"who"' in the list route, the generator, the calendar...). Here each kind says it once;
the modules read the record. The words that tell a question's kind are in the lexicons
(``kinds``); the hand-set baseline scorer keeps its own bonuses, frozen as the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: What a question asks for; 'what' when nothing more specific is asked.
Kind = Literal["contact", "when", "how_many", "who", "where", "list", "why", "what"]

#: What an answer must hold, finer than the kind: a date, a count, a person's name, a place,
#: a contact detail, or one of the things the lexicon's ``asked_things`` name.
Thing = Literal[
    "date",
    "count",
    "person",
    "place",
    "contact",
    "email",
    "phone",
    "price",
    "duration",
    "time",
    "year",
    "deadline",
    "abbreviation",
]

#: How a chosen statement is widened before it is said: 'reason' goes on with the sentence
#: or paragraph that gives the reason ('hierdoor ...'); 'paragraph' says the whole paragraph
#: of a statement that names the question's names.
Expander = Literal["reason", "paragraph"]


@dataclass(frozen=True)
class KindRecord:
    """What one kind of question asks of its answer."""

    #: The thing its answer holds when the question's words name nothing finer (None:
    #: nothing a pattern can see).
    asks_for: Thing | None = None
    #: An answer whose quotes lack ``asks_for`` is a refusal: a number question answered
    #: without a number, a date question without a date.
    must_hold: bool = False
    #: It asks for one thing, which one source can say: only the lead document's
    #: statements are said (another document's sentence on the subject adds a citation,
    #: not an answer).
    one_thing: bool = False
    #: At most this many sentences are said (None: the generator's own limit).
    sentences: int | None = None
    #: Several statements are shown as a list of items.
    listed: bool = False
    #: The list a retrieved document announces for what is asked answers it.
    announced_list: bool = False
    #: It asks for people: their list may stand in any retrieved page (not only the lead
    #: one), and must name the others the question asks about.
    people: bool = False
    #: E-mail addresses and phone numbers lead the answer.
    contact_values: bool = False
    expanders: tuple[Expander, ...] = ()


KINDS: dict[Kind, KindRecord] = {
    "contact": KindRecord(asks_for="contact", contact_values=True),
    "when": KindRecord(asks_for="date", must_hold=True, one_thing=True),
    "how_many": KindRecord(asks_for="count", must_hold=True, one_thing=True),
    "who": KindRecord(asks_for="person", announced_list=True, people=True),
    "where": KindRecord(asks_for="place", one_thing=True),
    "list": KindRecord(sentences=5, listed=True, announced_list=True),
    "why": KindRecord(one_thing=True, expanders=("reason",)),
    "what": KindRecord(one_thing=True, expanders=("paragraph",)),
}


def kind_record(kind: Kind) -> KindRecord:
    return KINDS[kind]
