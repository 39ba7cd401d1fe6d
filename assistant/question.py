"""A question analysed once: what every answer route reads, instead of the raw string.

Each route used to fold and classify the question again (its kind, its language, whether it
leaves the assistant's role, the event it asks about). Here that happens once, into one
typed object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answer import Turn, last_said
from assistant.calendar import CalendarQuestion, calendar_question
from assistant.constraints import Period, periods_in
from assistant.questions import (
    Kind,
    Thing,
    asked_thing,
    leaves_role,
    named_roles,
    named_test,
    question_kind,
    refers_back,
)
from index.language import Language, detect_language, in_another_script


@dataclass(frozen=True)
class Question:
    """A question as asked, and what it asks for."""

    text: str
    language: Language
    kind: Kind
    #: What an answer must hold (a date, a price, a phone number...), if anything.
    asked: Thing | None
    #: The roles whose holder it asks for ('voorzitter', 'director'), if any.
    roles: frozenset[str]
    #: The conversation's previous question ('' when this one opens it).
    earlier: str
    #: A follow-up that leans on what was said before ('En waar is die?'): searched with
    #: the previous turn, and saying almost nothing of its own.
    leans_back: bool
    #: Asks the assistant to ignore its instructions, reveal them, or speak for itself.
    leaves_role: bool
    #: Written mostly in a script other than Latin: in neither Dutch nor English.
    other_script: bool
    #: The months and years it names: what the answer's passages should be from.
    periods: tuple[Period, ...]
    #: What it asks of the event records (when / next / last / where an event is), if any.
    calendar: CalendarQuestion | None
    #: The same when the question need not talk of events: it may name one ('Wanneer is de
    #: Week van ...?'), which only the event records can tell.
    calendar_if_named: CalendarQuestion | None

    def names_what_it_asks(self, with_roles: bool = True) -> Callable[[str], bool] | None:
        """The test a text must pass to answer it, when its words name what it asks for (a
        price, a deadline; with ``with_roles``, a role too); None when they name nothing
        finer than its kind."""
        return named_test(self.kind, self.asked, self.roles if with_roles else frozenset())

    @classmethod
    def analyse(cls, text: str, history: Sequence[Turn] = ()) -> Question:
        text = text.strip()
        kind = question_kind(text)
        asked = asked_thing(text, kind)
        earlier = last_said(history, "user")
        # 'Tot wanneer kan ik me aanmelden?' asks for the last day to act, which the event
        # records (meetings) do not hold: the passages answer it.
        by_records = asked != "deadline"
        return cls(
            text=text,
            language=detect_language(text),
            kind=kind,
            asked=asked,
            roles=named_roles(text, kind),
            earlier=earlier,
            leans_back=bool(earlier) and refers_back(text),
            leaves_role=leaves_role(text),
            other_script=in_another_script(text),
            periods=tuple(periods_in(text)),
            calendar=calendar_question(text, kind, earlier) if by_records else None,
            calendar_if_named=(
                calendar_question(text, kind, earlier, event_talk=False) if by_records else None
            ),
        )
