"""The answer step on small hand-written passages, with the model-free embedder that ships
beside the real ones: each test runs in milliseconds and says which behaviour it is about."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence

import numpy as np
import pytest

from assistant.answer import Answer
from assistant.extractive import ExtractiveGenerator, HandSetScorer
from assistant.question import Question
from assistant.request import AnswerRequest
from assistant.routes import Asked, Deadline, PassagesRoute, answer_by_routes
from index.embedders import HashingEmbedder
from index.errors import AnswerTimeoutError
from index.keywords import KeywordIndex
from index.retrieval import Candidate
from index.store import Hit
from index.text import document_date, sentence_spans

EMBEDDER = HashingEmbedder()


def _request(question: str, documents: dict[str, str], titles: dict[str, str]) -> AnswerRequest:
    """Every document one chunk, ranked by similarity, each sentence scored as the reranker
    scores them: what retrieval hands the answer step."""
    hits = [
        Hit(f"{source}:0", text, {"source": source, "title": titles.get(source, source),
                                  "start": 0, "end": len(text), "chunk_index": 0}, 0.0)
        for source, text in documents.items()
    ]  # fmt: skip
    query = EMBEDDER.embed_queries([question])[0]
    candidates = []
    for hit in hits:
        spans = sentence_spans(hit.text)
        vectors = EMBEDDER.embed_passages([hit.text[s:e] for s, e in spans])
        scored = [(s, e, float(np.dot(v, query))) for (s, e), v in zip(spans, vectors, strict=True)]
        best = max(score for _, _, score in scored)
        candidates.append(Candidate(hit, best, best, 0.0, sorted(scored, key=lambda x: -x[2])))
    candidates.sort(key=lambda c: c.score, reverse=True)
    asked = Question.analyse(question)
    by_source: dict[str, Sequence[Hit]] = {h.metadata["source"]: [h] for h in hits}
    return AnswerRequest(
        analysed=asked, query=question,
        candidates=candidates, contexts=[h.text for h in hits], today=dt.date(2026, 1, 1),
        vocabulary=KeywordIndex([h.id for h in hits], [h.text for h in hits]),
        document_chunks=lambda source: by_source.get(source, ()),
        document_date=lambda source: document_date(by_source[source][0].text),
    )  # fmt: skip


def test_a_who_question_puts_the_sentence_that_names_a_person_first() -> None:
    from assistant import extractive

    text = (
        "Het schoolproject wordt geleid vanuit de school in de stad.\n\n"
        "Marit van der Berg leidt het schoolproject."
    )
    request = _request("Wie leidt het schoolproject van de school?", {"a.txt": text}, {})
    scored = extractive.scored_units(request, extractive.HandSetScorer())
    best = max(scored, key=lambda s: s.score)
    assert best.text == "Marit van der Berg leidt het schoolproject."
    words_only = max(scored, key=lambda s: s.base)
    assert words_only.text.startswith("Het schoolproject")  # the bonus is what decides


def test_a_day_without_a_year_is_dated_from_the_page() -> None:
    text = (
        "Nieuws van de beweging\n\nGeplaatst op 12 december 2019\n\n"
        "Het kernteam breidt uit met vier organisaties. Op 5 februari a.s. komt het "
        "uitgebreide kernteam voor het eerst bijeen."
    )
    answer = ExtractiveGenerator().generate(
        _request("Wanneer komt het uitgebreide kernteam bijeen?", {"a.txt": text}, {})
    )
    assert "5 februari a.s." in answer.answer and "(5 februari 2020)" in answer.answer
    assert [c.quote for c in answer.citations] and all(
        quote in text for c in answer.citations for quote in c.quote.split(" … ")
    )


def test_a_short_statement_goes_on_with_the_next_sentence_of_its_paragraph() -> None:
    text = (
        "Tijdens de actiedagen is er veel besproken. Er zijn drie kernoorzaken in kaart "
        "gebracht: geld, regels en wachtlijsten.\n\nDaarna volgde een lunch."
    )
    answer = ExtractiveGenerator().generate(
        _request("Wat is er tijdens de actiedagen besproken?", {"a.txt": text}, {})
    )
    assert "kernoorzaken" in answer.answer and "lunch" not in answer.answer


def test_a_question_over_the_length_limit_gets_a_message_before_any_work(
    tmp_path: object,
) -> None:
    from pathlib import Path

    import pytest

    from assistant.service import Assistant
    from index.errors import QuestionError
    from index.settings import Settings

    settings = Settings(index_dir=Path(str(tmp_path)) / "none", max_question_chars=50)
    assistant = Assistant(settings, embedder=EMBEDDER)
    with pytest.raises(QuestionError, match=r"60 characters long; the limit is 50"):
        assistant.ask("x" * 60)
    assert not (Path(str(tmp_path)) / "none").exists()  # nothing was opened or searched


def test_a_web_page_question_gets_the_address_the_best_sentence_holds() -> None:
    documents = {
        "a.txt": (
            "De nieuwsbrief van de beweging verschijnt elke maand.\n\n"
            "Het verslag van de werkdag over zorgonderwijs staat op www.example.nl/werkdag."
        ),
        "b.txt": "Meer over de beweging lees je op https://www.example.nl/beweging/.",
    }
    question = "Op welke webpagina staat het verslag van de werkdag over zorgonderwijs?"
    answer = ExtractiveGenerator().generate(_request(question, documents, {}))
    assert answer.answer.startswith("Je vindt het op www.example.nl/werkdag [1]")
    assert [c.source for c in answer.citations] == ["a.txt"]


def test_a_webinar_question_is_no_web_address_question() -> None:
    assert Question.analyse("Wanneer is het volgende webinar?").kind == "when"
    assert Question.analyse("What is the website of the movement?").kind == "contact"


def test_a_why_answer_goes_on_with_the_next_paragraph_when_it_refers_back() -> None:
    text = (
        "Dit voorjaar zijn drie scholen gestopt met het leerproject in de regio.\n\n"
        "Voor die scholen bleek hiervoor te weinig tijd in het rooster.\n\n"
        "Het leerproject gaat volgend jaar verder met vijf andere scholen."
    )
    question = "Waarom zijn er dit voorjaar scholen gestopt met het leerproject?"
    answer = ExtractiveGenerator().generate(_request(question, {"a.txt": text}, {}))
    assert "te weinig tijd in het rooster" in answer.answer
    assert "vijf andere scholen" not in answer.answer
    # The same question without a sentence that refers back gets the statement alone.
    plain = text.replace("hiervoor ", "")
    answer = ExtractiveGenerator().generate(_request(question, {"a.txt": plain}, {}))
    assert "te weinig tijd" not in answer.answer


def test_the_focus_leaves_out_what_every_candidate_shares_and_the_dates() -> None:
    from index.retrieval import question_focus

    texts = [
        "De beweging Jeugdhulp organiseert bijeenkomsten.",
        "Tijdens de actiedagen zijn kernoorzaken in kaart gebracht door de beweging Jeugdhulp.",
        "De beweging Jeugdhulp schreef een manifest.",
    ]
    keywords = KeywordIndex(["a", "b", "c"], texts)
    focus = question_focus(
        "Wat bracht de beweging Jeugdhulp in 2022 tijdens de actiedagen in kaart?", texts, keywords
    )
    assert focus == "Wat bracht de in tijdens de actiedagen in kaart?"
    # Nothing shared, or nothing but shared words: the question is its own focus.
    assert question_focus("Wie schreef het manifest?", texts, keywords) is None
    assert question_focus("De beweging Jeugdhulp?", texts, keywords) is None


def test_a_period_in_the_question_keeps_the_passages_written_then() -> None:
    from assistant.constraints import from_periods, periods_in

    pages = {
        "mei.txt": "Update\n\nGeplaatst op 31 mei 2019\n\nEr doen 41 organisaties mee.",
        "december.txt": "Update\n\nGeplaatst op 12 december 2019\n\nEr doen 45 organisaties mee.",
    }
    request = _request("Hoeveel organisaties deden mee?", pages, {})
    dated = from_periods(periods_in("volgens de update van mei 2019"), request.candidates,
                         request.document_date)  # fmt: skip
    assert [c.hit.metadata["source"] for c in dated] == ["mei.txt"]
    assert from_periods(periods_in("in 2017"), request.candidates, request.document_date) == []
    assert from_periods([], request.candidates, request.document_date) == []


def test_a_web_address_in_another_chunk_of_a_retrieved_document_is_found() -> None:
    from dataclasses import replace

    documents = {
        "a.txt": "De publicatie over zorgonderwijs is verschenen. Iedereen kan haar lezen.",
        "b.txt": "Het nieuws van de beweging verschijnt elke maand.",
    }
    request = _request("Op welke webpagina staat de publicatie over zorgonderwijs?", documents, {})
    later = {
        source: Hit(f"{source}:1", text, {"source": source}, 0.0)
        for source, text in (
            ("a.txt", "De publicatie staat op www.example.nl/publicatie."),
            ("b.txt", "Het nieuws staat op www.example.nl/nieuws."),
        )
    }
    first = {c.hit.metadata["source"]: c.hit for c in request.candidates}
    request = replace(request, document_chunks=lambda source: [first[source], later[source]])
    answer = ExtractiveGenerator().generate(request)
    assert answer.answer.startswith("Je vindt het op www.example.nl/publicatie [1]")
    assert answer.citations[0].quote == "De publicatie staat op www.example.nl/publicatie."


def test_a_question_about_people_gets_the_listed_ones_it_names() -> None:
    from assistant.extractive import announced_list

    documents = {
        "team.txt": (
            "Het kernteam wordt nu gevormd door:\n\nAnna Bos en Piet Smit, Topaz\n\n"
            "Kees Jansen en Lies de Wit, Sensire"
        ),
        **{f"{i}.txt": f"Bericht {i} over de zorg in de wijk en het werk." for i in range(8)},
    }
    listed = announced_list(
        _request("Wie vertegenwoordigen Sensire in het kernteam?", documents, {}),
        HandSetScorer(),
    )
    assert listed is not None and "Kees Jansen en Lies de Wit, Sensire" in listed.answer
    assert "Anna Bos" not in listed.answer
    # A question about one person is no question about a group's list.
    assert announced_list(_request("Wie is Kees Jansen?", documents, {}), HandSetScorer()) is None


def _asked(question: str, deadline: float) -> Asked:
    request = _request(question, {"a.md": "De bijeenkomst is in Utrecht."}, {})
    return Asked(
        Question.analyse(question), dt.date(2026, 1, 1), (), lambda: list(request.candidates),
        lambda _asked: request, Deadline(deadline),
    )  # fmt: skip


class _SlowRoute:
    name = "slow"

    def __init__(self) -> None:
        self.tried = 0

    def applies(self, asked: Asked) -> bool:
        self.tried += 1
        time.sleep(0.05)
        return False

    def answer(self, asked: Asked) -> Answer | None:
        return None


def test_an_answer_past_its_time_limit_is_stopped_between_routes() -> None:
    slow, after, last = _SlowRoute(), _SlowRoute(), _SlowRoute()
    with pytest.raises(AnswerTimeoutError, match=r"longer than 0.01 s.*RV_ANSWER_TIME_LIMIT"):
        answer_by_routes([slow, after, last], _asked("Waar is de bijeenkomst?", 0.01))
    assert (slow.tried, after.tried) == (1, 0)  # the next route never started
    assert answer_by_routes([slow, last], _asked("Waar is de bijeenkomst?", 10)) is None


class _SlowModel:
    """A model that streams a token every 20 ms and notes when its stream is closed."""

    def __init__(self) -> None:
        self.sent = 0
        self.closed = False

    def generate(self, request: AnswerRequest) -> Answer:
        raise AssertionError("the stream is used")

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        try:
            while True:
                time.sleep(0.02)
                self.sent += 1
                yield "woord "
        finally:
            self.closed = True

    def complete(self, request: AnswerRequest, text: str) -> Answer:
        raise AssertionError("the stream never ends")


def test_a_slow_model_stream_is_stopped_at_the_time_limit_and_closed() -> None:
    model = _SlowModel()
    route = PassagesRoute(model, document_text=lambda source: "")
    with pytest.raises(AnswerTimeoutError):
        for _part in route.stream(_asked("Waar is de bijeenkomst?", 0.1)):
            pass
    assert 3 <= model.sent <= 8  # stopped near 0.1 s, not at once and not never
    assert model.closed


def test_a_heading_stands_on_its_own_line() -> None:
    from assistant.extractive import _is_heading

    text = (
        "Organisatie beweging\n\nMeer informatie over de deelnemende organisaties staat op de "
        "site van de beweging. Een update volgt op 17 december."
    )
    heading = text.index("Organisatie")
    short_after_another = text.index("Een update")
    assert _is_heading(text, heading, heading + len("Organisatie beweging"))
    assert not _is_heading(text, short_after_another, len(text))


def _unit(text: str, start: int, end: int) -> object:
    from assistant.extractive import _Sentence

    hit = Hit("a.txt:0", text, {"source": "a.txt", "start": 0, "end": len(text)}, 0.0)
    return _Sentence(0, Candidate(hit, 1.0), start, end, 1.0)


LIST_PAGE = (
    "Medezeggenschap\n\nInstellingen vragen de raad om advies over onder meer:\n\n"
    "• een fusie met andere instellingen\n\n• een verbouwing\n\n• de begroting\n\n"
    "Ook over de zorg moet de instelling met de raad overleggen, en dat is een lange zin."
)


def test_a_pair_holding_a_lists_announcement_says_the_whole_list() -> None:
    from assistant.extractive import _with_context

    start = LIST_PAGE.index("Instellingen")
    pair_end = LIST_PAGE.index("instellingen\n") + len("instellingen")
    said = _with_context(_unit(LIST_PAGE, start, pair_end)).text  # type: ignore[arg-type]
    assert said.endswith("• de begroting")


def test_bulleted_lines_are_items_though_they_are_whole_sentences() -> None:
    from assistant.extractive import _with_context

    text = (
        "We willen het volgende bespreken:\n\n• Een inventarisatie van het netwerk in de regio "
        "en van de organisaties waar uitnodigingen voor de bijeenkomsten heen kunnen gaan.\n\n"
        "• Een locatie en een datum.\n\nIndien u vragen heeft, mail ons."
    )
    said = _with_context(_unit(text, 0, text.index(":") + 1)).text  # type: ignore[arg-type]
    assert "Een locatie en een datum." in said and "Indien" not in said


def test_words_the_announcement_holds_do_not_single_out_items() -> None:
    from assistant.extractive import announced_list

    question = "Over welke besluiten moeten instellingen de raad om advies vragen?"
    page = LIST_PAGE.replace("advies over onder meer:", "advies over besluiten zoals:")
    # Other pages, so that the words' rarity tells: 'instellingen' is in one page only.
    others = ["de wijk", "het buurthuis", "wonen", "de markt", "het park", "sport", "fietsen"]
    documents = {"a.txt": page} | {f"{n}.txt": f"Over {o}." for n, o in enumerate(others)}
    listed = announced_list(_request(question, documents, {}), HandSetScorer())
    assert listed is not None
    assert all(item in listed.answer for item in ("fusie", "verbouwing", "begroting"))


def test_a_who_question_naming_a_date_takes_no_list_announced_under_that_date() -> None:
    from assistant.extractive import announced_list

    page = (
        "Loes Bierma gaf op 19 mei 2015 een presentatie over Zorgkaart.\n\n"
        "De kengetallen van mei 2015 zijn:\n\n• 6500 nieuwe waarderingen\n\n"
        "• 3 miljoen bezoeken op Zorgkaart"
    )
    others = ["de wijk", "het buurthuis", "wonen", "de markt", "het park", "sport", "fietsen"]
    documents = {"a.txt": page} | {f"{n}.txt": f"Over {o}." for n, o in enumerate(others)}
    request = _request("Wie sprak er in mei 2015 over Zorgkaart?", documents, {})
    assert announced_list(request, HandSetScorer()) is None
