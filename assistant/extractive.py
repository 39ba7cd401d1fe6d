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
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer import Answer
from assistant.generators import AnswerRequest, answer_from, citation_for
from index.retrieval import Candidate
from index.text import MENTIONS_DATE, MENTIONS_NUMBER, fold, sentence_spans

_STOPWORDS = {
    "de", "het", "een", "en", "van", "is", "wat", "wie", "waar", "wanneer", "welke", "hoe",
    "waarom", "zijn", "er", "op", "voor", "met", "niet", "ik", "je", "we", "kan", "wordt",
    "bij", "aan", "ook", "dat", "die", "dit", "deze", "over", "naar", "om", "te", "in",
    "the", "a", "an", "and", "of", "what", "who", "where", "when", "which", "how", "why",
    "are", "there", "on", "for", "with", "to", "at", "that", "this", "about", "does", "do",
}  # fmt: skip
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\b0\d{2,3}(?:[ \u2013-]+\d{2,4}){1,3}\b")
# Text inside a document that addresses the assistant is data, never an instruction; it is
# also never a useful answer sentence.
_INJECTION = re.compile(
    r"\b(negeer|ignore|disregard) (alle |all |any |je |your )?(eerdere |previous |prior )?"
    r"(instructies|instructions|opdrachten|prompts?)\b|\b(system ?prompt|assistent(e)?,? "
    r"(negeer|zeg|antwoord))\b",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(r"^(dat|die|dit|deze|zij|ze|hij|het|daar|daarmee|daarom|zo)\b", re.IGNORECASE)
#: Weight of the question's (rarer) words found in a sentence, next to its meaning.
LEXICAL_WEIGHT = 0.1
#: Candidates whose sentences may make up the answer.
_ANSWER_CANDIDATES = 5


@dataclass
class _Sentence:
    rank: int
    candidate: Candidate
    start: int
    end: int
    score: float
    base: float = 0.0  # the score before the question-shaped bonuses

    @property
    def text(self) -> str:
        return self.candidate.hit.text[self.start : self.end]


def terms(text: str) -> set[str]:
    """Content words, folded and cut to a crude stem so 'bijeenkomsten' meets 'bijeenkomst'."""
    words = re.findall(r"\w+", fold(text))
    return {w[:7] for w in words if w not in _STOPWORDS and (len(w) > 2 or w.isdigit())}


def entities(question: str) -> list[str]:
    """Names and numbered names in the question: 'Mieke Hollander', 'Het 8ste Werk', 'Kanaal30'."""
    words = re.findall(r"\w[\w.-]*", question)
    found = [w for i, w in enumerate(words) if (i > 0 and w[0].isupper()) or re.search(r"\d", w)]
    return [w for w in found if fold(w) not in _STOPWORDS]


class ExtractiveGenerator:
    """Answers from the documents' own sentences; the default, offline backend."""

    def __init__(self, max_sentences: int = 3) -> None:
        self._max_sentences = max_sentences

    def generate(self, request: AnswerRequest) -> Answer:
        candidates = list(request.candidates[:_ANSWER_CANDIDATES])
        if request.kind == "contact" and (answer := self._contact(request, candidates)):
            return answer
        limit = 5 if request.kind == "list" else self._max_sentences
        chosen = _choose(request, candidates, limit)
        return _assemble(request, chosen)

    def _contact(self, request: AnswerRequest, candidates: list[Candidate]) -> Answer | None:
        """E-mail addresses and phone numbers, each with the sentence it stands in."""
        found: list[_Sentence] = []
        values: list[str] = []
        for rank, candidate in enumerate(candidates):
            for start, end in sentence_spans(candidate.hit.text):
                sentence = candidate.hit.text[start:end]
                new = [
                    v
                    for v in _EMAIL.findall(sentence) + _PHONE.findall(sentence)
                    if re.sub(r"\D", "", v) not in {re.sub(r"\D", "", x) for x in values}
                ]
                if new:
                    values.extend(new)
                    found.append(_Sentence(rank, candidate, start, end, 1.0))
            if values:
                break
        if not values:
            return None
        answer = _assemble(request, found[:2])
        joined = " / ".join(values)
        markers = " ".join(f"[{c.n}]" for c in answer.citations)
        lead = "Contact opnemen kan via" if request.language == "nl" else "You can get in touch via"
        answer.answer = f"{lead} {joined} {markers}\n\n{answer.answer}"
        return answer


def _choose(request: AnswerRequest, candidates: list[Candidate], limit: int) -> list[_Sentence]:
    scored = _scored_sentences(request, candidates)
    if not scored:
        return []
    scored.sort(key=lambda s: s.score, reverse=True)
    # Relevance decides what may be said; names and the question's kind only decide the order.
    floor = max(s.base for s in scored) - 0.05
    chosen: list[_Sentence] = []
    per_chunk: dict[str, int] = {}
    texts: set[str] = set()
    for sentence in scored:
        chunk_id = sentence.candidate.hit.id
        if sentence.base < floor or per_chunk.get(chunk_id, 0) >= 2:
            continue
        if fold(sentence.text) in texts:  # overlapping chunks repeat sentences
            continue
        chosen.append(sentence)
        texts.add(fold(sentence.text))
        per_chunk[chunk_id] = per_chunk.get(chunk_id, 0) + 1
        if len(chosen) == limit:
            break
    chosen = [_with_context(s) for s in chosen]
    chosen.sort(key=lambda s: (s.rank, s.start))  # document order within a source
    return _without_overlap(chosen)


def _scored_sentences(request: AnswerRequest, candidates: list[Candidate]) -> list[_Sentence]:
    """Second-stage sentence scores where given, else word overlap; shaped by the question."""
    wanted = terms(request.query)
    names = [fold(e) for e in entities(request.question)]
    lexical = [
        (rank, c, start, end)
        for rank, c in enumerate(candidates)
        if not c.sentences
        for start, end in sentence_spans(c.hit.text)
    ]
    weights = _rarity(
        wanted, [terms(c.hit.text[s:e]) for c in candidates for s, e in sentence_spans(c.hit.text)]
    )
    total = sum(weights.values()) or 1.0
    raw: list[_Sentence] = []
    for rank, candidate in enumerate(candidates):
        for start, end, score in candidate.sentences:
            raw.append(_Sentence(rank, candidate, start, end, score))
    for rank, candidate, start, end in lexical:
        raw.append(_Sentence(rank, candidate, start, end, candidate.dense))
    out = []
    for sentence in raw:
        text = sentence.text
        found = terms(text)
        sentence.score += LEXICAL_WEIGHT * sum(weights.get(t, 0.0) for t in wanted & found) / total
        if _is_heading(sentence.candidate.hit.text, sentence.start, sentence.end) and not (
            request.kind in ("when", "where", "how_many") and re.search(r"\d", text)
        ):
            continue
        if _INJECTION.search(text):
            continue
        sentence.base = sentence.score
        folded = fold(text)
        bonus = -0.01 * sentence.rank
        bonus += 0.04 * sum(name in folded for name in names)
        bonus += _kind_bonus(request.kind, text)
        sentence.score += bonus
        out.append(sentence)
    return out


def _kind_bonus(kind: str, text: str) -> float:
    if kind == "how_many":
        return 0.04 if MENTIONS_NUMBER.search(text) else -0.04
    if kind == "when":
        return 0.04 if MENTIONS_DATE.search(text) else -0.03
    if kind == "where":
        return 0.02 if re.search(r"\b(in|bij|aan|op) (het |de )?[A-Z]", text) else 0.0
    return 0.0


def _with_context(sentence: _Sentence) -> _Sentence:
    """A short sentence, or one starting with 'Dat'/'Die', gets its neighbour in the paragraph."""
    text = sentence.candidate.hit.text
    spans = sentence_spans(text)
    index = next((i for i, s in enumerate(spans) if s[0] == sentence.start), None)
    if index is None:
        return sentence
    start, end = sentence.start, sentence.end
    if _is_detail_line(text, start, end):
        return _detail_block(sentence, spans, index)
    if (
        _ANAPHOR.match(sentence.text)
        and index > 0
        and "\n\n" not in text[spans[index - 1][0] : start]
        and not _INJECTION.search(text[spans[index - 1][0] : spans[index - 1][1]])
    ):
        start = spans[index - 1][0]
    following = spans[index + 1] if index + 1 < len(spans) else None
    if (
        following
        and end - start < 70
        and "\n\n" not in text[end : following[1]]
        and not _INJECTION.search(text[following[0] : following[1]])
    ):
        end = following[1]
    return _Sentence(sentence.rank, sentence.candidate, start, end, sentence.score)


def _is_detail_line(text: str, start: int, end: int) -> bool:
    """A short line standing alone: a date, a time, a place in an announcement's header."""
    alone = text[end : end + 2] in ("\n\n", "") and (
        start == 0 or text[start - 2 : start] == "\n\n"
    )
    return alone and end - start <= 40


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


def _assemble(request: AnswerRequest, chosen: Sequence[_Sentence]) -> Answer:
    """Number the sources by document and page, so one page is one source."""
    numbers: dict[tuple[str, object], int] = {}
    quotes: dict[tuple[str, object], list[str]] = {}
    first: dict[tuple[str, object], Candidate] = {}
    statements: list[tuple[str, int]] = []
    for sentence in chosen:
        meta = sentence.candidate.hit.metadata
        key = (str(meta.get("source")), meta.get("page"))
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            quotes[key] = []
            first[key] = sentence.candidate
        if sentence.text not in quotes[key]:
            quotes[key].append(sentence.text)
        statements.append((sentence.text, numbers[key]))
    citations = [citation_for(n, first[k], " … ".join(quotes[k])) for k, n in numbers.items()]
    return answer_from(request, _phrase(request, statements), citations)


def _phrase(request: AnswerRequest, statements: list[tuple[str, int]]) -> str:
    flat = [" ".join(s.split()) for s, _ in statements]
    if request.language == "nl":
        if request.kind == "list" and len(statements) > 1:
            items = "\n".join(f"- {s} [{n}]" for s, (_, n) in zip(flat, statements, strict=True))
            return f"De documenten noemen:\n{items}"
        return " ".join(f"{s} [{n}]" for s, (_, n) in zip(flat, statements, strict=True))
    if request.kind == "list" and len(statements) > 1:
        items = "\n".join(
            f"- {_quoted(s)} [{n}]" for s, (_, n) in zip(flat, statements, strict=True)
        )
        return f"The documents mention (quoted in Dutch):\n{items}"
    quoted = " ".join(f"{_quoted(s)} [{n}]" for s, (_, n) in zip(flat, statements, strict=True))
    return f"According to the documents (quoted in Dutch): {quoted}"


def _quoted(sentence: str) -> str:
    """Quotation marks that don't clash with the ones inside the sentence."""
    return f"«{sentence}»" if re.search(r"[“”\"«»]", sentence) else f"“{sentence}”"


def _is_heading(text: str, start: int, end: int) -> bool:
    """A section heading or button text: says little on its own. List items are kept."""
    sentence = text[start:end]
    if len(sentence) >= 60:
        return False
    alone = text[end : end + 2] in ("\n\n", "")
    if not alone:
        return not re.search(r"[.!?:][\"'”’)]*$", sentence)
    following = text[end + 2 :].split("\n\n", 1)[0] if end < len(text) else ""
    preceding = text[:start].rstrip("\n").rsplit("\n\n", 1)[-1] if start else ""
    in_list = (following and len(following) < 60) or (not following and 0 < len(preceding) < 60)
    return not in_list


def _rarity(wanted: set[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    """Question terms weighted by how few candidate sentences contain them."""
    count = len(sentence_terms) or 1
    return {
        t: math.log(1 + count / (1 + sum(t in found for found in sentence_terms))) for t in wanted
    }
