"""The extractive answer generator (the default): works offline, never invents a word.

It composes the answer from the retrieved sentences, shaped by what the question asks:
a person and their role, a number with its context, a place, a date, contact details,
a list of items each with its source, or the explaining sentences. Each statement carries
its source number. Dutch answers are the documents' own sentences; English answers frame
them as quotations (the sentences stay in the documents' Dutch).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass, replace
from typing import Protocol

from assistant.answer import Answer, last_said
from assistant.features import UnitFacts, unit_rows
from assistant.kinds import Kind, kind_record
from assistant.model import LinearModel, probability
from assistant.questions import holds_what_is_asked
from assistant.request import AnswerRequest, answer_from, citation_for
from assistant.things import EMAIL, PHONE, TEXT_HOLDS, WEB_ADDRESS
from index.keywords import Vocabulary
from index.lexicon import LANGUAGES, entry, pattern, phrases, words
from index.retrieval import Candidate, merge_runs
from index.store import Hit
from index.text import (
    BULLET,
    MONTH_NUMBERS,
    fold,
    sentence_spans,
    spoken_date,
    yearless_dates,
)

_STOPWORDS = words("answer_stopwords")
_EMAIL, _PHONE, _WEB_ADDRESS = EMAIL, PHONE, WEB_ADDRESS
_ASKS_WEB = pattern("asks_web")
_POINTS_BACK = pattern("points_back")
# Text inside a document that addresses the assistant is data, never an instruction; it is
# also never a useful answer sentence.
_INJECTION_PARTS = {
    part: "|".join(f for language in LANGUAGES for f in entry("injection", language).get(part, []))
    for part in ("verbs", "quantifiers", "earlier", "objects", "addressing")
}
_INJECTION = re.compile(
    r"\b({verbs}) ((?:{quantifiers}) )?((?:{earlier}) )?({objects})\b|\b({addressing})\b".format(
        **_INJECTION_PARTS
    ),
    re.IGNORECASE,
)
#: A sentence that points back ('Die ...', 'Vanuit die beweging ...') needs the one before it.
_ANAPHOR = re.compile(
    r"^(" + "|".join(phrases("anaphor_openers", ("nl",))) + r")\b|"
    r"^(" + "|".join(phrases("anaphor_prepositions", ("nl",))) + r") "
    r"(" + "|".join(phrases("anaphor_demonstratives", ("nl",))) + r")\b",
    re.IGNORECASE,
)
#: Weight of the question's (rarer) words found in a sentence, next to its meaning.
LEXICAL_WEIGHT = 0.2
#: What joining a sentence to the one before it costs: the pair must say more of the question.
PAIR_COST = 0.02
#: Weight of an earlier question's words in a follow-up, next to the follow-up's own.
TOPIC_WEIGHT = 0.5
#: Coverages this close are the same words (sums of the same weights in another order).
_SAME = 1e-9
#: Candidates whose sentences may make up the answer.
ANSWER_CANDIDATES = 5


@dataclass
class Unit:
    """A sentence, or a sentence with the one before it, that may become a statement."""

    rank: int
    candidate: Candidate
    start: int
    end: int
    score: float
    base: float = 0.0  # the score before the question-shaped bonuses
    sentences: int = 1
    coverage: float = 0.0  # the share of the question's words it holds, by rarity
    #: What the learned chooser reads of it (None for units made after the choice).
    facts: UnitFacts | None = None

    @property
    def text(self) -> str:
        return self.candidate.hit.text[self.start : self.end]


_Sentence = Unit


class _PlainVocabulary:
    """Every content word counts the same: word matching without the corpus's statistics."""

    def terms(self, text: str) -> list[str]:
        words = re.findall(r"\w+", fold(text))
        return [w for w in words if w not in _STOPWORDS and (len(w) > 2 or w.isdigit())]

    def query_terms(self, text: str) -> list[str]:
        return self.terms(text)

    def idf(self, term: str) -> float:
        return _TELLING_IDF  # without statistics, every name is taken to tell

    @property
    def names(self) -> frozenset[str]:
        return frozenset()  # without the corpus, no word is known to be a name


def entities(question: str) -> list[str]:
    """Names and numbered names in the question: 'Mieke Hollander', 'Het 8ste Werk', 'Kanaal30'."""
    words = re.findall(r"\w[\w.-]*", question)
    found = [w for i, w in enumerate(words) if (i > 0 and w[0].isupper()) or re.search(r"\d", w)]
    return [w for w in found if fold(w) not in _STOPWORDS]


def holding_the_named_thing(request: AnswerRequest, scored: list[Unit]) -> list[Unit]:
    """Only the units that hold the thing the question's words name, when any does: 'Tot
    wanneer kan ik meedoen?' is answered by 'Het onderzoek loopt tot en met 31 mei', not by
    a better-scored sentence about the survey that gives no date (the answer must hold it:
    ``routes.holds_the_named_thing``). The units of the best unit's document come first.
    Where it holds none, the next document (by its best unit) that holds it may answer,
    but only if its passages name every telling name the question gives: another page's
    time of day for 'Groningen' is another event's; 'Is there a fee?' names nothing, and a
    page of the meetings that says 'kosteloos' answers it. What the kind alone asks for is
    left to the scores (``questions.named_thing``), and so is a role the question names:
    choosing only units that say 'directeur' drops the other half of 'Wie is directeur
    van ..., en voor welke regio ...?' (on the three labelled sets, 2 answers that passed
    failed and none gained); the answer is only checked for the role at the end."""
    holds = request.analysed.names_what_it_asks(with_roles=False) or _follow_up_place(request)
    if not scored or holds is None:
        return scored
    names = _telling_names(request, request.vocabulary or _PlainVocabulary())
    lead = _source(scored[0])
    for document in dict.fromkeys(_source(u) for u in scored):
        own = [u for u in scored if _source(u) == document]
        holding = [u for u in own if holds(u.text)]
        if holding and (document == lead or _names_held(_text_of(own), names) == len(names)):
            return holding
    return scored


def _follow_up_place(request: AnswerRequest) -> Callable[[str], bool] | None:
    """'En waar is die?' after an answer about a meeting: a follow-up says almost nothing
    of its own, so the scores cannot tell the sentence that says where from the ones about
    the subject (searched with the previous turn); the answer is chosen among those naming
    a place. A 'where' question with words of its own is left to the scores: choosing so
    for every one lost a passing answer on the three labelled sets ('bij zorgorganisatie
    Beweging 3.0' is a place the pattern does not see) and gained none."""
    if request.analysed.leans_back and kind_record(request.kind).asks_for == "place":
        return TEXT_HOLDS["place"]
    return None


def _text_of(units: list[Unit]) -> str:
    return " ".join(dict.fromkeys(u.candidate.hit.text for u in units))


class ExtractiveGenerator:
    """Answers from the documents' own sentences; the default, offline backend."""

    def __init__(self, max_sentences: int = 3, scorer: UnitScorer | None = None) -> None:
        self._max_sentences = max_sentences
        self.scorer: UnitScorer = scorer or HandSetScorer()

    def generate(self, request: AnswerRequest) -> Answer:
        candidates = list(request.candidates[:ANSWER_CANDIDATES])
        scored = scored_units(request, self.scorer)
        record = kind_record(request.kind)
        if record.contact_values and (answer := self._contact(request, candidates, scored)):
            return answer
        scored = holding_the_named_thing(request, scored)
        relevant = self.scorer.relevant(request, scored)
        limit = record.sentences or self._max_sentences
        chosen = _choose(request, scored, relevant, limit, self.scorer)
        answer = _assemble(request, chosen)
        if scored and self.scorer.unsure(scored[0]):
            answer.answer = f"{entry('unsure', request.language)}\n\n{answer.answer}"
            answer.confidence = "low"
        return answer

    def _contact(
        self, request: AnswerRequest, candidates: list[Candidate], scored: list[_Sentence]
    ) -> Answer | None:
        """E-mail addresses and phone numbers, each with the sentence it stands in; for a
        question about a web page, the web address in the sentence that best answers it."""
        if _ASKS_WEB.search(fold(request.question)):
            return _web_address(request, scored)
        # The best-scored statement that holds an address or number: which one the question
        # asks for is what the words around it say, not which passage came first.
        found: list[_Sentence] = []
        values: list[str] = []
        learned = self.scorer.name == "learned"
        in_order = [_sentences_of(rank, c) for rank, c in enumerate(candidates)]
        for group in [scored] if learned else in_order:
            for unit in group:
                if new := _contact_values(unit.text, values):
                    values.extend(new)
                    found.append(unit)
                    if learned:
                        break
            if values:
                break
        if not values:
            return None
        return _led(request, _assemble(request, found[:2]), "contact_lead", " / ".join(values))


def _contact_values(text: str, known: list[str]) -> list[str]:
    """The e-mail addresses and phone numbers in ``text`` not among ``known`` (by digits)."""
    digits = {re.sub(r"\D", "", x) for x in known}
    return [
        v for v in _EMAIL.findall(text) + _PHONE.findall(text) if re.sub(r"\D", "", v) not in digits
    ]


def _sentences_of(rank: int, candidate: Candidate) -> list[_Sentence]:
    """A candidate's sentences in reading order (the hand-set baseline's contact search:
    the first passage with an address wins, with each of its sentences that holds one)."""
    return [
        _Sentence(rank, candidate, start, end, 1.0)
        for start, end in sentence_spans(candidate.hit.text)
    ]


def _web_address(request: AnswerRequest, scored: list[_Sentence]) -> Answer | None:
    """The best-scoring sentence that holds a web address: which page a question asks for
    is what the sentence around an address says, not the first address in the documents.
    """
    for unit in scored:
        if found := _WEB_ADDRESS.search(unit.text):
            return _led(request, _assemble(request, [unit]), "web_lead", found[0])
    return _web_address_elsewhere(request)


def _web_address_elsewhere(request: AnswerRequest) -> Answer | None:
    """When no retrieved passage holds an address: the sentence with one, in the retrieved
    documents' other chunks, that holds most of the question's words. A page's links often
    stand in a paragraph of their own ('zie www...'), which the question's words did not
    retrieve, under the text that did."""
    vocabulary = request.vocabulary or _PlainVocabulary()
    weights = _question_weights(request, vocabulary)
    total = math.fsum(weights.values()) or 1.0
    best: tuple[float, _Sentence, str] | None = None
    candidates = request.candidates[:ANSWER_CANDIDATES]
    sources = list(dict.fromkeys(str(c.hit.metadata.get("source")) for c in candidates))
    for rank, source in enumerate(sources):
        for hit in request.document_chunks(source):
            for start, end in sentence_spans(hit.text):
                sentence = hit.text[start:end]
                found = _WEB_ADDRESS.search(sentence)
                if not found or _INJECTION.search(sentence):
                    continue
                terms = set(vocabulary.terms(sentence))
                share = math.fsum(weights[t] for t in weights.keys() & terms) / total
                unit = _Sentence(rank, Candidate(hit, 0.0), start, end, share, coverage=share)
                if best is None or share > best[0]:  # a tie keeps the better-ranked page's
                    best = (share, unit, found[0])
    if best is None or best[0] <= 0:
        return None
    return _led(request, _assemble(request, [best[1]]), "web_lead", best[2])


def _led(request: AnswerRequest, answer: Answer, lead: str, value: str) -> Answer:
    """The answer opened by the value asked for ('Contact opnemen kan via ...') and the
    markers of its sources, before the sentences it stands in."""
    markers = " ".join(f"[{c.n}]" for c in answer.citations)
    opening = entry(lead, request.language)
    answer.answer = f"{opening} {value} {markers}\n\n{answer.answer}"
    return answer


def announced_list(request: AnswerRequest, scorer: UnitScorer) -> Answer | None:
    """The list the leading document announces for the kind of thing a list question asks
    for, item by item with its source; None when it announces none."""
    candidates = list(request.candidates[:ANSWER_CANDIDATES])
    relevant = scorer.relevant(request, scored_units(request, scorer))
    if not relevant:
        return None
    sources = [_source(scorer.lead(relevant))]
    if kind_record(request.kind).people:
        # People are listed in whichever retrieved page names the group; not always the one
        # whose sentence holds most of the question ('Het kernteam (Topaz, Sensire, ...)').
        sources += [c.hit.metadata.get("source") for c in candidates]
    for source in dict.fromkeys(sources):
        if listed := _announced_list(request, source):
            return _assemble(request, listed, announced=True)
    return None


def _relevant(request: AnswerRequest, scored: list[_Sentence]) -> list[_Sentence]:
    """The sentences and pairs relevant enough to be said, best first.

    Relevance decides what may be said; names and the question's kind only decide the order.
    A number or date question is measured against the best sentence that holds one and
    shares a word with the question (a date on its own is no answer to 'when was X born').
    """
    if not scored:
        return []
    fitting = [s.base for s in scored if s.coverage and holds_what_is_asked(request.kind, s.text)]
    floor = max(fitting or [s.base for s in scored]) - 0.05
    return [s for s in scored if s.base >= floor]


def _lead(relevant: list[_Sentence]) -> _Sentence:
    """The statement holding most of the question: its document leads the answer."""
    return max(relevant, key=lambda s: (s.coverage, s.score))


def _choose(
    request: AnswerRequest,
    scored: list[_Sentence],
    relevant: list[_Sentence],
    limit: int,
    scorer: UnitScorer,
) -> list[_Sentence]:
    """The best-scoring sentences (and sentence pairs), at most ``limit`` sentences in all;
    ``scored`` and ``relevant`` (the ones above the floor) are best first."""
    chosen: list[_Sentence] = []
    per_chunk: dict[str, int] = {}
    said: set[str] = set()
    budget = limit
    for unit in relevant:
        chunk_id = unit.candidate.hit.id
        if per_chunk.get(chunk_id, 0) >= 2 or unit.sentences > budget:
            continue
        parts = _parts(unit)
        if said & parts:  # overlapping chunks repeat sentences; pairs overlap single ones
            continue
        chosen.append(unit)
        said |= parts
        per_chunk[chunk_id] = per_chunk.get(chunk_id, 0) + 1
        budget -= unit.sentences
        if budget == 0:
            break
    # When no chosen statement holds enough, they all stand: a second source beats no answer.
    record = kind_record(request.kind)
    lead = scorer.lead(relevant) if relevant else None
    chosen = _covering_most(chosen, relevant, lead, record.one_thing) or chosen
    chosen = [expanded(request, s) for s in chosen]
    if "reason" in record.expanders:
        chosen = [_with_reason(request, s) for s in chosen]
    if "paragraph" in record.expanders:
        names = _telling_names(request, request.vocabulary or _PlainVocabulary())
        chosen = [_with_paragraph(s) if _names_held(s.text, names) else s for s in chosen]
    chosen.sort(key=lambda s: (s.rank, s.start))  # document order within a source
    return _without_overlap(chosen)


def _covering_most(
    chosen: list[_Sentence], relevant: list[_Sentence], lead: _Sentence | None, one_thing: bool
) -> list[_Sentence]:
    """Statements from the document that holds most of the question, and from others only
    where the question may ask for several things.

    'Most' is measured over every relevant sentence and pair, chosen or not (a pair can hold
    more than the single sentence chosen from it). A question that asks for one thing (what,
    why, how many, where, when) keeps only that document's statements: another document's
    sentence that shares the subject ('de Week van de Radicale vernieuwing'), or even every
    word ('... om de gemeenschappelijke droom te verwezenlijken' beside 'De droom van
    Radicale vernieuwing jeugdzorg is ...'), adds a citation, not an answer. People and
    lists may stand in several documents: there another document's statement stays when it
    holds as much of the question.
    """
    if lead is None:
        return chosen
    if one_thing:
        return [s for s in chosen if _source(s) == _source(lead)]
    return [s for s in chosen if s.coverage >= lead.coverage - _SAME or _source(s) == _source(lead)]


def _source(unit: _Sentence) -> object:
    return unit.candidate.hit.metadata.get("source")


def _parts(unit: _Sentence) -> set[str]:
    text = unit.text
    return {fold(" ".join(text[s:e].split())) for s, e in sentence_spans(text)}


def scored_units(request: AnswerRequest, scorer: UnitScorer) -> list[_Sentence]:
    """The request's candidate units scored by ``scorer``, best first; made once per request
    and scorer (the answerability decision, the list route and the generator all read them)."""
    key = f"units:{scorer.name}"
    if key not in request.memo:
        units = _units(request, list(request.candidates[:ANSWER_CANDIDATES]))
        scored = scorer.score(request, units)
        request.memo[key] = sorted(scored, key=lambda s: s.score, reverse=True)
    found: list[_Sentence] = request.memo[key]  # type: ignore[assignment]
    return found


def candidate_units(request: AnswerRequest) -> list[Unit]:
    """Every unit the answer step may choose from, unscored, in document order."""
    return _units(request, list(request.candidates[:ANSWER_CANDIDATES]))


def _units(request: AnswerRequest, candidates: list[Candidate]) -> list[_Sentence]:
    """Each sentence, and each sentence with the one before it, with what is known of it.

    A pair competes with its sentences: 'De publicatie is overhandigd aan de minister' only
    answers together with the sentence before it that names the publication. The unscored
    ``score`` is the pair's or sentence's meaning (second-stage similarity, else the
    chunk's); a scorer sets the score the choice is made on.
    """
    vocabulary = request.vocabulary or _PlainVocabulary()
    weights = _question_weights(request, vocabulary)
    total = math.fsum(weights.values()) or 1.0
    top_idf = max(weights.values(), default=0.0)
    rarest = {t for t, w in weights.items() if w >= top_idf - _SAME}
    names = _telling_names(request, vocabulary)
    top_score = max((c.score for c in candidates), default=0.0) or 1.0
    english = request.language != "nl"

    def coverage(terms: set[str]) -> float:
        return math.fsum(weights[t] for t in weights.keys() & terms) / total

    #: By the candidate's rank, its context's terms and telling names: read once per chunk,
    #: not once per unit.
    contexts: dict[int, tuple[set[str], int]] = {}

    def facts(
        rank: int,
        candidate: Candidate,
        start: int,
        end: int,
        sims: tuple[float, ...],
        terms: set[str],
    ) -> UnitFacts:
        text = candidate.hit.text
        unit = text[start:end]
        if rank not in contexts:
            context = _context_of(candidate)
            contexts[rank] = (set(vocabulary.terms(context)), _names_held(context, names))
        context_terms, context_names = contexts[rank]
        return UnitFacts(
            kind=request.kind,
            asked=request.asked,
            english=english,
            text=unit,
            similarity=max(sims),
            similarity_low=min(sims),
            chunk_dense=candidate.dense,
            chunk_share=candidate.score / top_score,
            rank=rank,
            sentences=len(sims),
            coverage=coverage(terms),
            rare_coverage=len(rarest & terms) / len(rarest) if rarest else 0.0,
            names_held=_names_held(unit, names),
            context_coverage=coverage(context_terms),
            context_names_held=context_names,
            names_person=_names_person(unit, vocabulary.names),
            heading=_is_heading(text, start, end),
            points_back=bool(_ANAPHOR.match(unit)),
            position=start / max(len(text), 1),
        )

    out: list[_Sentence] = []
    for rank, candidate in enumerate(candidates):
        text = candidate.hit.text
        spans = candidate.sentences or [(s, e, candidate.dense) for s, e in sentence_spans(text)]
        previous: tuple[int, int, float, set[str]] | None = None
        for start, end, similarity in sorted(spans):
            if _INJECTION.search(text[start:end]):
                previous = None
                continue
            terms = set(vocabulary.terms(text[start:end]))
            known = facts(rank, candidate, start, end, (similarity,), terms)
            out.append(
                _Sentence(rank, candidate, start, end, similarity, 0.0, 1, known.coverage, known)
            )
            if previous and not _is_heading(text, previous[0], previous[1]):
                pair = facts(
                    rank,
                    candidate,
                    previous[0],
                    end,
                    (previous[2], similarity),
                    previous[3] | terms,
                )
                out.append(
                    _Sentence(
                        rank,
                        candidate,
                        previous[0],
                        end,
                        pair.similarity,
                        0.0,
                        2,
                        pair.coverage,
                        pair,
                    )
                )
            previous = (start, end, similarity, terms)
    return out


class UnitScorer(Protocol):
    """Scores the candidate units of a request and says which are relevant enough to say."""

    name: str

    def score(self, request: AnswerRequest, units: list[_Sentence]) -> list[_Sentence]: ...

    def relevant(self, request: AnswerRequest, scored: list[_Sentence]) -> list[_Sentence]: ...

    def lead(self, relevant: list[_Sentence]) -> _Sentence: ...

    def unsure(self, best: _Sentence) -> bool:
        """Whether even the best unit is unlikely to answer: the answer then says so."""
        ...


#: A unit is said beside the best one when the model finds it at least this share as likely
#: to hold the answer: the statements of an answer are about as likely as each other. Out
#: of fold (grouped CV; default / corpus-more / corpus-train pass, median characters):
#: 'more likely than not' (p >= 0.5) 0.83 / 0.68 / 0.54, 238-276 characters; every unit
#: within the sentence budget 0.89 / 0.79 / 0.64, 403-470 characters (over the 350 an
#: answer may have); half as likely 0.88 / 0.77 / 0.60, 278-348 characters.
AS_LIKELY = 0.5


class LearnedScorer:
    """The learned chooser: a unit's score is the model's log-odds that it holds the answer;
    the best unit is said, with those about as likely (``AS_LIKELY``)."""

    name = "learned"

    def __init__(self, model: LinearModel) -> None:
        self.model = model

    def score(self, request: AnswerRequest, units: list[_Sentence]) -> list[_Sentence]:
        rows = unit_rows([u.facts for u in units if u.facts is not None])
        for unit, log_odds in zip(units, self.model.log_odds(rows), strict=True):
            unit.score = unit.base = log_odds
        return units

    def relevant(self, request: AnswerRequest, scored: list[_Sentence]) -> list[_Sentence]:
        top = probability(scored[0].score) if scored else 0.0
        return [s for s in scored if probability(s.score) >= AS_LIKELY * top]

    def lead(self, relevant: list[_Sentence]) -> _Sentence:
        return relevant[0]

    def unsure(self, best: _Sentence) -> bool:
        """The best unit is less likely than not to hold the answer."""
        return best.score < 0.0


class HandSetScorer:
    """Today's hand-set sentence scoring, kept as the named baseline every report shows:
    meaning plus LEXICAL_WEIGHT x word coverage, less PAIR_COST for a pair, then bonuses
    for the retrieval rank, the question's names, the kind and a person's name."""

    name = "hand-set"

    def score(self, request: AnswerRequest, units: list[_Sentence]) -> list[_Sentence]:
        kept = []
        for unit in units:
            facts = unit.facts
            assert facts is not None
            if facts.heading and not (
                request.kind in ("when", "where", "how_many") and re.search(r"\d", unit.text)
            ):
                continue
            unit.base = facts.similarity + LEXICAL_WEIGHT * facts.coverage
            unit.base -= PAIR_COST if unit.sentences > 1 else 0.0
            unit.score = unit.base - 0.01 * unit.rank + 0.04 * facts.names_held
            unit.score += _kind_bonus(request.kind, unit.text)
            if request.kind == "who" and facts.names_person:
                unit.score += PERSON_BONUS
            kept.append(unit)
        return kept

    def relevant(self, request: AnswerRequest, scored: list[_Sentence]) -> list[_Sentence]:
        return _relevant(request, scored)

    def lead(self, relevant: list[_Sentence]) -> _Sentence:
        return _lead(relevant)

    def unsure(self, best: _Sentence) -> bool:
        return False  # the hand-set scores are no probability


def _question_weights(request: AnswerRequest, vocabulary: Vocabulary) -> dict[str, float]:
    """The question's words by rarity; a follow-up adds the earlier question's words at
    half weight ('Who is the coordinator there?' after a question about youth care)."""
    weights = {t: vocabulary.idf(t) for t in vocabulary.query_terms(request.question)}
    if earlier := last_said(request.history, "user"):
        for term in vocabulary.query_terms(earlier):
            weights.setdefault(term, TOPIC_WEIGHT * vocabulary.idf(term))
    return weights


#: A name tells which sentence answers only when few chunks have it: idf log(1 + 81/12) ≈ 2
#: means at most one chunk in seven ('Austerlitz' does; 'Radicale', in every chunk, doesn't).
_TELLING_IDF = 2.0


def _telling(name: str, vocabulary: Vocabulary) -> bool:
    return any(vocabulary.idf(t) >= _TELLING_IDF for t in vocabulary.terms(name))


def _telling_names(request: AnswerRequest, vocabulary: Vocabulary) -> list[str]:
    """The question's names (folded) that few chunks have: 'austerlitz', not 'radicale'."""
    return [fold(e) for e in entities(request.question) if _telling(e, vocabulary)]


#: What naming a person adds to a sentence for a 'who' question: enough to pass sentences
#: that only share the question's words ('Wat vind je van het project ...?'). Measured 0 /
#: 0.03 / 0.05 / 0.06 / 0.08 / 0.12: corpus-more pass 0.72 / 0.72 / 0.74 / 0.75 / 0.75 /
#: 0.75, default 0.99 throughout.
PERSON_BONUS = 0.06
_PARTICLE = r"(?:(?:" + "|".join(phrases("name_particles")) + r")\s+)*"


def _names_person(text: str, names: Set[str]) -> bool:
    """Two names in a row ('Mariët van de Scheur-Wiltink'): a person, as the documents write
    only names with capitals."""
    pairs = re.finditer(rf"(?=\b([^\W\d_][\w-]*)\s+{_PARTICLE}([^\W\d_][\w-]*))", text)
    return any(
        first[0].isupper()
        and last[0].isupper()
        and fold(first) in names
        and fold(last.split("-")[0]) in names
        for first, last in (m.groups() for m in pairs)
    )


def _kind_bonus(kind: Kind, text: str) -> float:
    if kind in ("how_many", "when"):
        if holds_what_is_asked(kind, text):
            return 0.04
        return -0.04 if kind == "how_many" else -0.03
    if kind == "where":
        return 0.02 if re.search(r"\b(in|bij|aan|op) (het |de )?[A-Z]", text) else 0.0
    return 0.0


def expanded(request: AnswerRequest, unit: Unit) -> Unit:
    """What is said of a chosen unit: read on into the next chunk where it ends its chunk,
    then with the context a short statement, a document's question or a list needs."""
    return _with_context(_with_next_chunk(request, unit))


def _with_next_chunk(request: AnswerRequest, sentence: _Sentence) -> _Sentence:
    """A statement that ends its chunk, read on in the next chunk of the document: a
    document's question at a chunk's end is answered at the next one's start."""
    if sentence.candidate.hit.text[sentence.end :].strip():
        return sentence
    return _joined_with_next_chunk(request, sentence) or sentence


def _joined_with_next_chunk(
    request: AnswerRequest, sentence: _Sentence, ahead: int = 1
) -> _Sentence | None:
    """The statement in its chunk joined to the document's next ``ahead`` chunks, as the
    document's text is rebuilt from them (``merge_runs``); None past the document's end."""
    hit = sentence.candidate.hit
    chunks = list(request.document_chunks(str(hit.metadata.get("source"))))
    position = next((i for i, c in enumerate(chunks) if c.id == hit.id), None)
    if position is None or position + ahead >= len(chunks):
        return None
    merged = merge_runs([hit, *chunks[position + 1 : position + 1 + ahead]])
    if len(merged) != 1:
        return None  # not next to each other in the document: nothing to join
    joined = Hit(hit.id, merged[0], hit.metadata, hit.score)
    candidate = replace(sentence.candidate, hit=joined)
    return replace(sentence, candidate=candidate)


def _with_reason(request: AnswerRequest, sentence: _Sentence) -> _Sentence:
    """A 'why' statement goes on with the next paragraph's first sentence when that one
    refers back to it ('... organisaties afgevallen ...' / 'Voor een aantal organisaties
    blijkt hiervoor onvoldoende draagvlak'): the reason is said there. The next paragraph
    may start in the next chunk (chunks end at paragraphs)."""
    for ahead in range(_REASON_CHUNKS + 1):
        read = _joined_with_next_chunk(request, sentence, ahead) if ahead else sentence
        if read is None:
            break
        text = read.candidate.hit.text
        paragraph_end = text.find("\n\n", sentence.end)
        following = next((s for s in sentence_spans(text) if s[0] > paragraph_end), None)
        if paragraph_end >= 0 and following:
            refers_back = _POINTS_BACK.search(fold(text[following[0] : following[1]]))
            return replace(read, end=following[1]) if refers_back else sentence
    return sentence


#: How many chunks after its own a 'why' statement's next paragraph is looked for in: its
#: paragraph may run on into the next chunk, and chunks end at paragraphs.
_REASON_CHUNKS = 2


def _with_context(sentence: _Sentence) -> _Sentence:
    """A short statement goes on with the next sentences of its paragraph, a document's own
    question with its answer; one starting with 'Dat'/'Die' gets the sentence before."""
    text = sentence.candidate.hit.text
    spans = sentence_spans(text)
    index = next((i for i, s in enumerate(spans) if s[0] == sentence.start), None)
    if index is None:
        return sentence
    end = sentence.end
    if _is_detail_line(text, sentence.start, end):
        return _detail_block(sentence, spans, index)
    start = _with_antecedent(text, spans, index)
    for following in (s for s in spans if s[0] >= end):
        if (
            ("\n\n" in text[end : following[1]] and not _asks(text[start:end]))
            or _INJECTION.search(text[following[0] : following[1]])
            or not (
                end - start < SHORT_STATEMENT
                or _asks(text[start:end])
                or _announces_list(text[following[0] : following[1]])
            )
        ):
            break
        end = following[1]
    announcement = _announcement_in(text, spans, start, end)
    if announcement is not None:
        # Along with a statement go short items only (names, topics, bulleted lines) and
        # only in its chunk. A pair of sentences may hold the announcement and the first
        # item ('... onder meer: • een fusie ...'): the list goes on after it.
        items = _items_after([sentence.candidate.hit], 0, announcement, whole_sentences=False)
        end = max(end, items[-1].end) if items else end
    return _Sentence(sentence.rank, sentence.candidate, start, end, sentence.score)


def _announcement_in(text: str, spans: list[tuple[int, int]], start: int, end: int) -> int | None:
    """Where the last sentence of ``text[start:end]`` that announces a list ends, or None."""
    ends = [e for s, e in spans if start <= s and e <= end and _announces_list(text[s:e])]
    if _announces_list(text[start:end]):
        ends.append(end)
    return max(ends, default=None)


#: A statement shorter than this goes on with the next sentences of its paragraph: the
#: sentence that shares the question's words often introduces what answers it. About two
#: sentences; measured 70 / 150 / 220 / 300: corpus-more pass 0.66 / 0.68 / 0.71 / 0.71,
#: default 0.99 throughout, median answer 307 characters at 220 and 398 at 300.
SHORT_STATEMENT = 220


def _asks(sentence: str) -> bool:
    """The sentence is a question: a document's own question is answered after it."""
    return bool(re.search(r"\?[\"'”’)]*$", sentence.strip()))


#: A paragraph this short, opened by the sentence naming what is asked about, is about it.
_SHORT_PARAGRAPH = 350


def _context_of(candidate: Candidate) -> str:
    """A unit's context: its document's title, its chunk's heading and the chunk itself."""
    metadata = candidate.hit.metadata
    return " ".join(
        [str(metadata.get("title") or ""), str(metadata.get("heading") or ""), candidate.hit.text]
    )


def _names_held(text: str, names: list[str]) -> int:
    """How many of the (folded) ``names`` the text holds."""
    folded = fold(text)
    return sum(name in folded for name in names)


def _with_paragraph(sentence: _Sentence) -> _Sentence:
    """A sentence that opens a short paragraph, with the rest of it: 'What was set up in
    Austerlitz?' is answered by 'In het Utrechtse Austerlitz moesten mensen ... het dorp
    verlaten.' only together with 'Er is nu een zorgcoöperatie ...' after it."""
    text = sentence.candidate.hit.text
    start = sentence.start
    if not _opens_paragraph(text, start):
        return sentence
    paragraph_end = text.find("\n\n", start)
    paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
    if paragraph_end - start > _SHORT_PARAGRAPH:
        return sentence
    end = sentence.end
    for following_start, following_end in sentence_spans(text[:paragraph_end]):
        if following_start < end:
            continue
        if _INJECTION.search(text[following_start:following_end]):
            break  # a document's instructions are never said, nor what comes after them
        end = following_end
    return _Sentence(sentence.rank, sentence.candidate, start, end, sentence.score)


def _with_antecedent(
    text: str, spans: list[tuple[int, int]], index: int, shorter_than: int = 0
) -> int:
    """Where the sentence at ``index`` starts, or the one before it when it points back
    ('Die initiatieven ...') or is shorter than ``shorter_than`` ('Bijvoorbeeld over:'),
    within its paragraph."""
    start, end = spans[index]
    if (
        (_ANAPHOR.match(text[start:end]) or end - start < shorter_than)
        and index > 0
        and "\n\n" not in text[spans[index - 1][0] : start]
        and not _INJECTION.search(text[spans[index - 1][0] : spans[index - 1][1]])
    ):
        return spans[index - 1][0]
    return start


def _announces_list(text: str) -> bool:
    """'Met:' or '... de volgende initiatieven:': what follows belongs to the statement."""
    return text.rstrip().endswith(":")


#: A list after a colon is taken along up to this many items.
_LIST_ITEMS = 12


#: 'Welke burgerinitiatieven ...', 'Which initiatives ...', 'Noem de ...': the kind of thing a
#: list question asks for.
_ASKED_KIND = re.compile(
    r"\b(welke|welk|which|wat zijn|what are|noem|name|list)\s+((de|het|the|alle|all)\s+)?"
    # An English plural possessive ("citizens' initiatives"); "dilemma's" is a Dutch plural.
    r"([^\W\d_][\w-]*s['’]\s+)?"
    r"[^\W\d_][\w-]*",
    re.IGNORECASE,
)
#: A shorter term inside a longer one names its kind only when it is a word of its own size.
_MIN_HEAD = 5
#: An announcement this short ('Met:', 'Bijvoorbeeld over:') is read with the sentence before.
_SHORT_ANNOUNCEMENT = 30


def _announced_list(request: AnswerRequest, lead_source: object) -> list[_Sentence]:
    """A list question answered with the list the lead document announces for that kind of
    thing: 'Welke burgerinitiatieven werden op de slotdag besproken?' -> 'Die initiatieven
    sluiten aan bij een lokale vraag, die overal weer anders is:' and the paragraphs it
    introduces, also where they run on into a chunk that was not retrieved.

    Items that hold the question's other words ('Welke initiatieven pakken eenzaamheid aan?')
    are the answer; when none does, the whole list is. Nothing found: the usual route answers.
    """
    vocabulary = request.vocabulary or _PlainVocabulary()
    kinds = _listed_kinds(request, vocabulary)
    if not kinds:
        return []
    chunks = list(request.document_chunks(str(lead_source)))
    for position, hit in enumerate(chunks):
        spans = sentence_spans(hit.text)
        for index, (start, end) in enumerate(spans):
            if not _announces_list(hit.text[start:end]):
                continue
            start = _with_antecedent(hit.text, spans, index, _SHORT_ANNOUNCEMENT)
            announced = hit.text[start:end]
            terms = vocabulary.terms(announced)
            kind = next((k for k in kinds if _names_kind(terms, k)), None)
            if _INJECTION.search(announced) or kind is None:
                continue
            items = _items_after(chunks, position, end)
            if not items:
                continue
            # The question's words the announcement already holds ('Zorginstellingen moeten
            # ... advies vragen ... over onder meer:') do not single out items; for people
            # they do (the group's members are named around it).
            said = set() if kind_record(request.kind).people else set(terms)
            chosen = _items_asked_for(request, vocabulary, kind, items, said)
            if kind_record(request.kind).people and not chosen:
                continue  # no item names the others the question asks about: not its people
            announcement = _Sentence(0, Candidate(hit, 0.0), start, end, 0.0)
            return [announcement, *(chosen or items)]  # none singled out: the whole list
    return []


def _listed_kinds(request: AnswerRequest, vocabulary: Vocabulary) -> list[str]:
    """What a list that answers the question announces: the kind of thing a list question
    asks for ('Welke initiatieven ...'), or for a question about people ('Wie vertegenwoordigen
    Sensire in het kernteam?') any telling word of it: the group they are listed under."""
    if asked := _ASKED_KIND.search(request.question):
        # The last term is the noun's head: 'citizens' initiatives', 'eenzaamheid|initiatief'.
        return vocabulary.query_terms(asked.group(0))[-1:]
    if kind_record(request.kind).people:
        # Not a name: 'Wie is Mieke Hollander?' asks about one person, not a group.
        words = re.findall(r"\w+", request.question)
        names = {t for w in words if fold(w) in vocabulary.names for t in vocabulary.terms(w)}
        terms = vocabulary.query_terms(request.question)
        # Nor a date: 'Wie sprak er in mei 2015 ...?' asks no group listed under '2015'.
        return [
            t
            for t in terms
            if vocabulary.idf(t) >= _TELLING_IDF
            and t not in names
            and not t.isdigit()
            and t not in MONTH_NUMBERS
        ]
    return []


def _names_kind(terms: Iterable[str], kind: str) -> bool:
    """'initiatieven' and 'burgerinitiatieven' name one kind of thing: a Dutch compound ends
    in what it is."""
    return any(
        term == kind
        or (min(len(term), len(kind)) >= _MIN_HEAD and (kind.endswith(term) or term.endswith(kind)))
        for term in terms
    )


def _items_after(
    chunks: Sequence[Hit], position: int, end: int, whole_sentences: bool | None = None
) -> list[_Sentence]:
    """The lines after a list's colon while they have one form (short names or topics, or
    whole sentences), in the chunk and the following chunks of the same section. A year
    alone ('2022') or a line of another form ends the list. ``whole_sentences``: the form
    asked for; None lets the first item set it."""
    items: list[_Sentence] = []
    hit, offset = chunks[position], end
    while True:
        for match in re.finditer(r"[^\n]*\S[^\n]*", hit.text[offset:]):
            line = match.group(0).strip()
            # A bulleted line is an item whatever its form or length; a line of another
            # form ends the list.
            bulleted = whole_sentences is False and bool(BULLET.match(line))
            whole = bool(re.search(r"[.!?][\"'”’)]*$", line)) and not bulleted
            if whole_sentences is None:
                whole_sentences = whole
            if (
                whole != whole_sentences
                or (not whole and not bulleted and len(line) > 100)
                or not re.search(r"[^\W\d_]{2}", line)
                or _INJECTION.search(line)
                or len(items) == _LIST_ITEMS
            ):
                return items
            start = offset + match.start() + len(match.group(0)) - len(match.group(0).lstrip())
            items.append(_Sentence(0, Candidate(hit, 0.0), start, start + len(line), 0.0))
        position += 1
        if position == len(chunks) or chunks[position].metadata.get("heading") != hit.metadata.get(
            "heading"
        ):
            return items
        following = chunks[position]
        overlap = int(hit.metadata.get("end", 0)) - int(following.metadata.get("start", 0))
        hit, offset = following, max(0, overlap)


def _items_asked_for(
    request: AnswerRequest,
    vocabulary: Vocabulary,
    kind: str,
    items: list[_Sentence],
    said: Set[str] = frozenset(),
) -> list[_Sentence]:
    """The items holding most of the question's telling words besides the kind's and those
    ``said`` before the list ('Kampen', 'eenzaamheid'; not 'mensen', which any item may
    hold); none when no item holds any."""
    weights = {
        term: weight
        for term, weight in _question_weights(request, vocabulary).items()
        if vocabulary.idf(term) >= _TELLING_IDF
        and not _names_kind([term], kind)
        and term not in said
    }
    held = [
        math.fsum(weights[t] for t in weights.keys() & set(vocabulary.terms(i.text))) for i in items
    ]
    best = max(held, default=0.0)
    if best <= 0:
        return []
    return [item for item, share in zip(items, held, strict=True) if share >= best - _SAME]


def _opens_paragraph(text: str, start: int) -> bool:
    return start == 0 or text[start - 2 : start] == "\n\n"


def _is_detail_line(text: str, start: int, end: int) -> bool:
    """A short line standing alone: a date, a time, a place in an announcement's header."""
    alone = text[end : end + 2] in ("\n\n", "") and _opens_paragraph(text, start)
    # A short line ending in a colon announces what follows ('We bespreken:'): a list.
    return alone and end - start <= 40 and not _announces_list(text[start:end])


def _detail_block(sentence: _Sentence, spans: list[tuple[int, int]], index: int) -> _Sentence:
    """The run of short standalone lines around ``sentence`` ('9 mei 2023', '13:30 - 16:30')."""
    text = sentence.candidate.hit.text
    first = last = index
    while first > 0 and _is_detail_line(text, *spans[first - 1]):
        first -= 1
    while last + 1 < len(spans) and _is_detail_line(text, *spans[last + 1]):
        last += 1
    return _Sentence(
        sentence.rank, sentence.candidate, spans[first][0], spans[last][1], sentence.score
    )


def _without_overlap(sentences: list[_Sentence]) -> list[_Sentence]:
    out: list[_Sentence] = []
    for sentence in sentences:
        if (
            out
            and out[-1].candidate.hit.id == sentence.candidate.hit.id
            and sentence.start < out[-1].end
        ):
            last = out[-1]
            out[-1] = _Sentence(
                last.rank, last.candidate, last.start, max(last.end, sentence.end), last.score
            )
        else:
            out.append(sentence)
    return out


def _assemble(
    request: AnswerRequest, chosen: Sequence[_Sentence], announced: bool = False
) -> Answer:
    """Number the sources by document and page, so one page is one source. ``announced``:
    the first statement announces a list whose items the others are."""
    numbers: dict[tuple[str, object], int] = {}
    quotes: dict[tuple[str, object], list[str]] = {}
    first: dict[tuple[str, object], Candidate] = {}
    statements: list[tuple[str, int, str]] = []
    for sentence in chosen:
        meta = sentence.candidate.hit.metadata
        key = (str(meta.get("source")), meta.get("page"))
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            quotes[key] = []
            first[key] = sentence.candidate
        if sentence.text not in quotes[key]:
            quotes[key].append(sentence.text)
        statements.append((sentence.text, numbers[key], _dated(request, sentence)))
    citations = [citation_for(n, first[k], " … ".join(quotes[k])) for k, n in numbers.items()]
    return answer_from(request, _phrase(request, statements, announced), citations)


def _dated(request: AnswerRequest, sentence: _Sentence) -> str:
    """The full dates of the days a statement gives without a year ('9 juli jl.'), read
    from when its document was written; '' when it gives none or the document has no date."""
    written = request.document_date(str(_source(sentence)))
    if written is None:
        return ""
    days = yearless_dates(sentence.text, written)
    return ", ".join(spoken_date(day, request.language) for day in days)


def _phrase(request: AnswerRequest, statements: list[tuple[str, int, str]], announced: bool) -> str:
    english = request.language != "nl"
    rendered = [
        f"{_layout(s, english)}{f' ({dated})' if dated else ''} [{n}]" for s, n, dated in statements
    ]
    if announced:
        lead = "According to the documents (quoted in Dutch): " if english else ""
        return "\n".join([lead + rendered[0], *(f"- {r}" for r in rendered[1:])])
    if kind_record(request.kind).listed and len(statements) > 1:
        items = "\n".join(f"- {r}" for r in rendered)
        lead = "The documents mention (quoted in Dutch):" if english else "De documenten noemen:"
        return f"{lead}\n{items}"
    # A statement that ends in a list of items is followed by a new line, not glued on.
    text = "".join(r + ("\n" if "\n" in r else " ") for r in rendered).strip()
    return f"According to the documents (quoted in Dutch): {text}" if english else text


def _layout(statement: str, quoted: bool) -> str:
    """One line; a list announced by a colon ('Met:') keeps one indented line per item."""
    lines = [" ".join(line.split()) for line in statement.splitlines() if line.strip()]
    colon = next((i for i, line in enumerate(lines) if line.endswith(":")), len(lines))
    lead, items = " ".join(lines[: colon + 1]), lines[colon + 1 :]
    if quoted:
        lead, items = _quoted(lead), [_quoted(item) for item in items]
    return "\n".join([lead, *(f"  - {item}" for item in items)])


def _quoted(sentence: str) -> str:
    """Quotation marks that don't clash with the ones inside the sentence."""
    return f"«{sentence}»" if re.search(r"[“”\"«»]", sentence) else f"“{sentence}”"


def _is_heading(text: str, start: int, end: int) -> bool:
    """A section heading or button text: says little on its own. List items are kept."""
    sentence = text[start:end]
    if len(sentence) >= 60:
        return False
    # A heading stands on its own line: a short sentence after another one on its line
    # ('... deelnemers. Een update hiervan verzorgen we op 17 december 2019.') is text.
    before = text[:start].rstrip(" \t")
    if before and not before.endswith("\n"):
        return False
    alone = text[end : end + 2] in ("\n\n", "")
    if not alone:
        return not re.search(r"[.!?:][\"'”’)]*$", sentence)
    following = text[end + 2 :].split("\n\n", 1)[0] if end < len(text) else ""
    preceding = text[:start].rstrip("\n").rsplit("\n\n", 1)[-1] if start else ""
    in_list = (following and len(following) < 60) or (not following and 0 < len(preceding) < 60)
    return not in_list
