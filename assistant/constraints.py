"""Constraints a question puts on its answer, beyond its words: the period it asks about.

'Hoeveel organisaties deden in november 2018 mee?' asks about November 2018: the monthly
updates all count participants, and only the one written then answers. Documents say when
they were written (a page's date in its header), so a period in the question picks among
passages that are otherwise alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.retrieval import Candidate
from index.text import MONTH_NUMBERS, fold

_MONTHS = MONTH_NUMBERS
_PERIOD = re.compile(
    rf"\b(?:({'|'.join(_MONTHS)})\s+)?((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_MONTH = re.compile(rf"\b({'|'.join(_MONTHS)})\b(?!\s+(?:19|20)\d\d)")


def _nearest_year(month: int, written: dt.date) -> int:
    """The year of the ``month`` nearest to ``written``."""
    return min(
        (written.year - 1, written.year, written.year + 1),
        key=lambda year: abs((dt.date(year, month, 15) - written).days),
    )


#: A page written this long after a month still reports on it (an update's 'afgelopen maand').
REPORTING_DAYS = 45


@dataclass(frozen=True)
class Period:
    """A year, or a month of a year."""

    year: int
    month: int | None = None

    def holds(self, day: dt.date) -> bool:
        if self.month is None:
            return day.year == self.year
        first = dt.date(self.year, self.month, 1)
        following = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return first <= day < following + dt.timedelta(days=REPORTING_DAYS)

    def written_in(self, text: str, written: dt.date | None = None) -> bool:
        """The text names the period itself ('november 2018', or the year of a year), or,
        written on ``written``, names its month without a year ('medio september' in a page
        of November 2018 is September 2018: the nearest September to when it was written)."""
        folded = fold(text)
        for match in _PERIOD.finditer(folded):
            month = _MONTHS.get(match.group(1) or "")
            if int(match.group(2)) == self.year and (self.month is None or month == self.month):
                return True
        if written is None or self.month is None:
            return False
        for match in _MONTH.finditer(folded):
            if _MONTHS[match.group(1)] == self.month and _nearest_year(self.month, written) == (
                self.year
            ):
                return True
        return False


def periods_in(question: str) -> list[Period]:
    """The months and years a question names."""
    found = []
    for match in _PERIOD.finditer(fold(question)):
        found.append(Period(int(match.group(2)), _MONTHS.get(match.group(1) or "")))
    return list(dict.fromkeys(found))


def within_periods(
    periods: Sequence[Period],
    candidates: Sequence[Candidate],
    document_date: Callable[[str], dt.date | None],
) -> list[Candidate]:
    """The candidates from ``periods`` (the ones a question names) first, in their order,
    then the rest: a page written then, or a passage that names the period itself.
    Unchanged when there is no period or no candidate is from one."""
    inside = from_periods(periods, candidates, document_date)
    return inside + [c for c in candidates if c not in inside]


def from_periods(
    periods: Sequence[Period],
    candidates: Sequence[Candidate],
    document_date: Callable[[str], dt.date | None],
) -> list[Candidate]:
    """The candidates from ``periods``, in their order; empty when there is no period or no
    candidate is from one."""
    if not periods:
        return []

    def fits(candidate: Candidate) -> bool:
        written = document_date(str(candidate.hit.metadata.get("source", "")))
        return any(
            (written is not None and p.holds(written)) or p.written_in(candidate.hit.text, written)
            for p in periods
        )

    return [c for c in candidates if fits(c)]
