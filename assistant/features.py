"""Named features of an answer unit and of a question's evidence: what the learned answer
chooser and the learned answerability decision read (``assistant.model``).

A feature is one small function of what the answer step already knows about a unit (a
sentence, two adjacent sentences, or an announced list block) or about a question's
evidence. None names a word of a question or a document: they measure meaning, word
coverage by rarity, whether the unit holds what the question's kind asks for, and where
the unit stands. The order of ``UNIT_FEATURES`` / ``QUESTION_FEATURES`` is the order of a
model's coefficients; a model file names the features it was trained on, and loading one
trained on another list is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.kinds import KINDS as KIND_RECORDS
from assistant.kinds import Kind, Thing
from assistant.things import TEXT_HOLDS
from index.text import mentions_count


@dataclass(frozen=True)
class UnitFacts:
    """What the answer step knows of one candidate unit, measured once."""

    kind: Kind
    #: What the question asks the answer to hold (``questions.asked_thing``), if anything.
    asked: Thing | None
    english: bool
    text: str
    #: Cosine of the question (half on its telling words) and the unit's best sentence.
    similarity: float
    #: The same for the unit's weakest sentence (a pair's second sentence may add nothing).
    similarity_low: float
    #: Cosine of the question and the unit's whole chunk.
    chunk_dense: float
    #: The chunk's retrieval score as a share of the best chunk's.
    chunk_share: float
    #: The chunk's place in retrieval's order, 0 first.
    rank: int
    sentences: int
    #: Share of the question's term weight (idf) the unit holds.
    coverage: float
    #: Share of the question's rarest terms (highest idf) the unit holds.
    rare_coverage: float
    #: How many of the question's telling names the unit holds.
    names_held: int
    #: The same two for the unit's context: its whole chunk with its heading and its
    #: document's title. The question may name the organisation or place whose page answers
    #: ('which number do I call in Woensdrecht?'), where the answering sentence says 'ons'.
    context_coverage: float
    context_names_held: int
    #: Two capitalised names in a row that the corpus writes as names: a person.
    names_person: bool
    heading: bool
    points_back: bool
    #: Where the unit starts in its chunk, as a share of the chunk's length.
    position: float


def _holds(thing: Thing, f: UnitFacts) -> bool:
    return f.names_person if thing == "person" else TEXT_HOLDS[thing](f.text)


#: Whether a unit holds each thing a question may ask for.
HOLDS: dict[Thing, Callable[[UnitFacts], bool]] = {
    thing: (lambda f, thing=thing: _holds(thing, f))  # type: ignore[misc]
    for thing in (*TEXT_HOLDS, "person")
}


def asked_and_held(f: UnitFacts) -> float:
    """The question asks for a thing (a date, a count, a person, a place, an address, a
    price...) and the unit holds one."""
    return float(f.asked is not None and HOLDS[f.asked](f))


def asked_not_held(f: UnitFacts) -> float:
    return float(f.asked is not None and not HOLDS[f.asked](f))


UNIT_FEATURE_FUNCTIONS: dict[str, Callable[[UnitFacts], float]] = {
    "similarity": lambda f: f.similarity,
    "similarity_low": lambda f: f.similarity_low,
    "chunk_dense": lambda f: f.chunk_dense,
    "chunk_share": lambda f: f.chunk_share,
    "rank": lambda f: float(f.rank),
    "coverage": lambda f: f.coverage,
    "rare_coverage": lambda f: f.rare_coverage,
    "names_held": lambda f: float(min(f.names_held, 2)),
    "context_coverage": lambda f: f.context_coverage,
    "context_names_held": lambda f: float(min(f.context_names_held, 2)),
    "pair": lambda f: float(f.sentences > 1),
    "heading": lambda f: float(f.heading),
    "points_back": lambda f: float(f.points_back),
    "asks": lambda f: float(bool(re.search(r"\?[\"'”’)]*$", f.text.strip()))),
    "announces_list": lambda f: float(f.text.rstrip().endswith(":")),
    "log_length": lambda f: math.log1p(len(f.text)),
    "position": lambda f: f.position,
    "holds_number": lambda f: float(mentions_count(f.text)),
    "holds_date": lambda f: float(TEXT_HOLDS["date"](f.text)),
    "holds_time": lambda f: float(TEXT_HOLDS["time"](f.text)),
    "holds_person": lambda f: float(f.names_person),
    "holds_place": lambda f: float(TEXT_HOLDS["place"](f.text)),
    "holds_contact": lambda f: float(TEXT_HOLDS["contact"](f.text)),
    "asked_and_held": asked_and_held,
    "asked_not_held": asked_not_held,
    "english_similarity": lambda f: f.similarity if f.english else 0.0,
    "english_coverage": lambda f: f.coverage if f.english else 0.0,
}
#: Features read against the question's other units: how far below the question's best a
#: unit is, and its place among them. Similarity and coverage run higher for some questions
#: than for others; what tells the answer is being the best of its own question's units
#: (out of fold, top-1 unit holding the facts on corpus-train: 0.66 without, 0.69 with).
RELATIVE = (
    "similarity",
    "similarity_low",
    "chunk_dense",
    "coverage",
    "rare_coverage",
    "names_held",
    "context_coverage",
    "context_names_held",
)
#: Places beyond this count as this: the tenth and the fortieth unit are both far down.
DEEPEST = 10
UNIT_FEATURES: tuple[str, ...] = (
    *UNIT_FEATURE_FUNCTIONS,
    *(f"gap_{name}" for name in RELATIVE),
    *(f"order_{name}" for name in RELATIVE),
)


def unit_rows(units: Sequence[UnitFacts]) -> list[list[float]]:
    """The feature rows of one question's units, each also read against the others."""
    own = [[function(f) for function in UNIT_FEATURE_FUNCTIONS.values()] for f in units]
    if not own:
        return []
    names = list(UNIT_FEATURE_FUNCTIONS)
    columns = [names.index(name) for name in RELATIVE]
    best = [max(r[c] for r in own) for c in columns]
    rows = []
    for row in own:
        gaps = [top - row[c] for top, c in zip(best, columns, strict=True)]
        order = [float(min(sum(r[c] > row[c] for r in own), DEEPEST)) for c in columns]
        rows.append([*row, *gaps, *order])
    return rows


@dataclass(frozen=True)
class QuestionFacts:
    """What the answerability decision reads of a question and its evidence."""

    kind: Kind
    english: bool
    #: Cosine of the question and its nearest chunk, and its nearest sentence.
    dense: float
    sentence: float
    #: Share of the question's term weight the best of the first passages holds.
    coverage: float
    #: Share of the question's word weight no document uses.
    unknown: float
    unknown_number: bool
    terms: int
    #: Similarity to the nearest everyday subject less that to the nearest sentence.
    off_topic: float
    #: The chooser's scores (log-odds) of the best and second-best unit.
    best: float
    second: float
    best_coverage: float
    best_asked_and_held: float
    #: Of the units that hold what the question's kind asks for (a date, a count, a person,
    #: a place, an address): the best score and the most coverage; NO_UNIT / 0 when the kind
    #: asks for nothing such, or no unit holds it. A near miss ('who chairs the council?'
    #: on a page about the council that names nobody) has close units, none holding it.
    asked_best: float
    asked_coverage: float
    #: Share of the question's rarest terms the best unit holds.
    best_rare_coverage: float
    #: Whether dense and keyword retrieval put the same chunk first.
    agree: bool
    follow_up: bool
    #: The question asks for a thing a pattern can see (a date, a price, a phone number...),
    #: and whether none of its units holds one: 'what does a training day cost?' on a page
    #: about the training days that names no price.
    asks_thing: bool = False
    asked_missing: bool = False
    #: The question names a year or month, and whether no retrieved passage is from then
    #: or names it: the 2024 run asked about, only the 2023 one written up.
    names_period: bool = False
    period_missing: bool = False
    #: The heaviest question term the first passage lacks, and all first passages lack
    #: (``answerability.Evidence``).
    missing_first: float = 0.0
    missing_top: float = 0.0


#: Question kinds as one-hot features, in this order.
KINDS: tuple[Kind, ...] = tuple(KIND_RECORDS)

QUESTION_FEATURE_FUNCTIONS: dict[str, Callable[[QuestionFacts], float]] = {
    "dense": lambda q: q.dense,
    "sentence": lambda q: q.sentence,
    "coverage": lambda q: q.coverage,
    "unknown": lambda q: q.unknown,
    "unknown_number": lambda q: float(q.unknown_number),
    "log_terms": lambda q: math.log1p(q.terms),
    "off_topic": lambda q: q.off_topic,
    "best": lambda q: q.best,
    "margin": lambda q: q.best - q.second,
    "best_coverage": lambda q: q.best_coverage,
    "best_asked_and_held": lambda q: q.best_asked_and_held,
    "asked_best": lambda q: q.asked_best,
    "asked_coverage": lambda q: q.asked_coverage,
    "best_rare_coverage": lambda q: q.best_rare_coverage,
    "agree": lambda q: float(q.agree),
    "follow_up": lambda q: float(q.follow_up),
    "asks_thing": lambda q: float(q.asks_thing),
    "asked_missing": lambda q: float(q.asked_missing),
    "names_period": lambda q: float(q.names_period),
    "period_missing": lambda q: float(q.period_missing),
    "missing_first": lambda q: q.missing_first,
    "missing_top": lambda q: q.missing_top,
    "english": lambda q: float(q.english),
    **{f"kind_{k}": (lambda q, k=k: float(q.kind == k)) for k in KINDS},  # type: ignore[misc]
}
QUESTION_FEATURES: tuple[str, ...] = tuple(QUESTION_FEATURE_FUNCTIONS)


def question_vector(facts: QuestionFacts) -> list[float]:
    return [QUESTION_FEATURE_FUNCTIONS[name](facts) for name in QUESTION_FEATURES]


def as_table(rows: Sequence[list[float]], width: int) -> list[list[float]]:
    """Rows checked for width: a feature list that changed under a model is a bug."""
    for row in rows:
        if len(row) != width:
            raise ValueError(f"a feature row has {len(row)} values, the model reads {width}")
    return [list(row) for row in rows]
