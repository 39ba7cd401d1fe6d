"""What a question asks an answer to hold (a price, a phone number, a time...), whether a
unit holds it, and the evidence of what the first passages lack: hand-made inputs, no model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answerability import gather_evidence
from assistant.extractive import ExtractiveGenerator
from assistant.features import HOLDS, UNIT_FEATURES, unit_rows
from assistant.questions import asked_thing, question_kind
from assistant.routes import PassagesRoute
from assistant.things import PHONE
from index.keywords import KeywordIndex
from index.retrieval import Candidate
from index.store import Hit
from tests.test_answer_step import _request
from tests.test_learned_answers import _facts


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("Wat kost een scholingsdag voor de raad?", "price"),
        ("What is the registration fee for the conference?", "price"),
        ("Welk telefoonnummer bel ik buiten kantoortijden?", "phone"),
        ("Wat is het e-mailadres van de raad?", "email"),
        ("Hoe laat begint de opening?", "time"),
        ("In welk jaar is het beraad opgericht?", "year"),
        ("In welke stad is het kantoor gevestigd?", "place"),
        ("Wie is de voorzitter?", "person"),
        ("Wanneer is de volgende bijeenkomst?", "date"),
        ("How many members does the council have?", "count"),
        ("Wat is het doel van de beweging?", None),
        ("Tot wanneer kan ik meedoen aan het onderzoek?", "deadline"),
        ("Vóór welke datum moet ik me aanmelden?", "deadline"),
        ("Until when can I register?", "deadline"),
        ("Hoeveel subsidie heeft het ministerie gegeven?", "price"),
        ("How much money did the run raise?", "price"),
        ("Hoeveel mensen liepen er mee?", "count"),
        ("How long does the work-study programme take?", "duration"),
        ("Hoe lang duurt de opleiding?", "duration"),
        ("What does Wzd stand for?", "abbreviation"),
        ("Waar staat Wzd voor?", "abbreviation"),
        ("Wat betekent ggz?", "abbreviation"),
        ("Wat betekent het woord radicaal?", None),
        ("Waar staat het kantoor?", "place"),
    ],
)
def test_a_question_names_what_its_answer_must_hold(question: str, thing: str | None) -> None:
    assert asked_thing(question, question_kind(question)) == thing


@pytest.mark.parametrize(
    ("text", "is_phone"),
    [
        ("Bel 015 -380 41 11 op werkdagen.", True),
        ("Het Meldpunt: 085-4007022.", True),
        ("Buiten kantoortijd: 0592 381530.", True),
        ("Bel 14 0521 voor de gemeente.", True),
        ("Mobiel 06-55161136.", True),
        ("Op 12 maart 2020 om 19:30 uur.", False),
        ("In 2019, 2020 en 2021 telden we 1200 leden.", False),
    ],
)
def test_phone_numbers_are_told_from_dates_and_counts(text: str, is_phone: bool) -> None:
    assert bool(PHONE.search(text)) is is_phone


def test_a_unit_holds_the_asked_thing_not_just_the_kind() -> None:
    phone = replace(_facts("Mail naar info@raad.nl.", 0.8, 0.5, "contact"), asked="phone")
    row = dict(zip(UNIT_FEATURES, unit_rows([phone])[0], strict=True))
    assert row["asked_and_held"] == 0.0 and row["asked_not_held"] == 1.0  # an address, no number
    assert HOLDS["price"](replace(phone, text="Deelname is kosteloos."))
    assert HOLDS["price"](replace(phone, text="De dag kost € 25 per persoon."))
    assert not HOLDS["price"](replace(phone, text="De dag duurt 25 minuten."))
    assert HOLDS["time"](replace(phone, text="We beginnen om 19 uur."))
    assert not HOLDS["time"](replace(phone, text="We beginnen op 19 mei."))
    assert HOLDS["deadline"](replace(phone, text="Het onderzoek loopt tot en met 31 mei."))
    assert HOLDS["deadline"](replace(phone, text="Meld je aan voor 7 november."))
    assert not HOLDS["deadline"](replace(phone, text="De dag is op 7 november."))


def _candidate(text: str, n: int) -> Candidate:
    return Candidate(Hit(f"c{n}", text, {"source": f"doc{n}.txt"}, 0.85), 1.0 / (n + 1), 0.85)


def test_the_evidence_names_the_heaviest_known_term_the_passages_lack() -> None:
    texts = [
        "De raad vergadert elke maand in het stadhuis.",
        "De voorzitter van de sportclub opent het seizoen.",
        "De raad adviseert over zorg en welzijn.",
        "Een verslag van het jaar.",
    ]
    keywords = KeywordIndex([f"c{n}" for n in range(len(texts))], texts)
    first = [_candidate(texts[0], 0), _candidate(texts[2], 1)]
    lacking = gather_evidence("Wie is de voorzitter van de raad?", first, keywords)
    assert lacking.missing_first == pytest.approx(lacking.missing_top)
    assert lacking.missing_top > 0.5  # 'voorzitter': one chunk of four has it
    held = gather_evidence("Waar vergadert de raad?", first, keywords)
    assert held.missing_first == held.missing_top == 0.0
    # A word no document uses is not 'missing from the passages': it is unknown.
    unknown = gather_evidence("Waar vergadert de raad over quantumfysica?", first, keywords)
    assert unknown.missing_top == 0.0 and unknown.unknown > 0.0


TRAINING_DAYS = {
    "scholing.txt": "Cliëntenraden kunnen twee keer per jaar een scholingsdag plannen. "
    "De scholingsdagen worden verzorgd door een trainingsbureau uit Utrecht.",
}


def _passages_answer(question: str, documents: dict[str, str]) -> bool:
    """Whether the passages route answers (True) or refuses (False)."""
    request = _request(question, documents, {})
    route = PassagesRoute(ExtractiveGenerator(), lambda source: documents[source])
    answer = route.finish(request, route.generator.generate(request))
    return not answer.refused


def test_an_answer_without_the_named_thing_is_a_refusal() -> None:
    # The page is about the training days and names no price: 'what does one cost?' is
    # not answered by a sentence about them.
    assert not _passages_answer("Wat kost een scholingsdag voor een cliëntenraad?", TRAINING_DAYS)
    priced = {"scholing.txt": TRAINING_DAYS["scholing.txt"] + " Een scholingsdag is kosteloos."}
    assert _passages_answer("Wat kost een scholingsdag voor een cliëntenraad?", priced)
    # A question that names no such thing is answered from the same page.
    assert _passages_answer("Wie verzorgt de scholingsdagen van cliëntenraden?", TRAINING_DAYS)


SURVEY = {
    "onderzoek.txt": "Meedoen aan het onderzoek kan nog: het onderzoek begon op 1 maart en "
    "iedereen kan aan het onderzoek meedoen.\n\nDe vragenlijst staat open tot en met 31 mei.",
    "agenda.txt": "Kom naar de bijeenkomst over het onderzoek op 12 juni.",
}


def test_a_deadline_question_is_answered_by_the_deadline_of_its_page() -> None:
    """The sentence that shares the question's words best gives a date, but no deadline:
    the answer holds the page's deadline (with that sentence or without), and not another
    page's meeting date."""
    request = _request("Tot wanneer kan ik nog meedoen aan het onderzoek?", SURVEY, {})
    answer = ExtractiveGenerator().generate(request)
    assert "31 mei" in answer.answer and "12 juni" not in answer.answer
    assert {c.source for c in answer.citations} == {"onderzoek.txt"}


def test_a_deadline_is_asked_of_the_passages_not_the_meeting_records() -> None:
    from assistant.question import Question

    assert Question.analyse("Wanneer is de volgende bijeenkomst?").calendar is not None
    deadline = Question.analyse("Tot wanneer kan ik me aanmelden voor de bijeenkomst?")
    assert deadline.asked == "deadline" and deadline.calendar is None
    assert deadline.calendar_if_named is None


@pytest.mark.parametrize(
    ("question", "roles"),
    [
        ("Wie is de voorzitter van de cliëntenraad?", {"chair"}),
        ("Who chairs the supervisory board?", {"chair"}),
        ("Wie is de dagvoorzitter van het congres?", {"chair"}),
        ("What is the name of the interim chair of the council?", {"chair"}),
        ("Who is the alderman for care?", {"alderman"}),
        ("Who has been director of the federation since 2017?", {"director"}),
        # The role is the source, not what is asked: 'how many' asks for a count.
        ("Hoeveel leden heeft de vereniging volgens haar directeur?", set()),
        ("Wie organiseert de bijeenkomst?", set()),
    ],
)
def test_a_who_question_names_the_role_it_asks_about(question: str, roles: set[str]) -> None:
    from assistant.question import Question

    assert Question.analyse(question).roles == roles


def test_a_role_is_held_in_either_language() -> None:
    from assistant.questions import holds_a_role

    assert holds_a_role("Rita Warmerdam is benoemd tot onafhankelijk voorzitter.", {"chair"})
    assert holds_a_role("Frank treedt op als dagvoorzitter.", {"chair"})
    assert holds_a_role("Ingrid Rebel (coördinator jeugdzorg)", {"coordinator"})
    assert not holds_a_role("Marthijn Laterveer, coördinator van LOC", {"chair"})


BOARD = {
    "raad.txt": "De cliëntenraad van Utrecht vergadert elke maand in het stadskantoor. "
    "Marthijn Laterveer, coördinator van de raad, opent elke vergadering."
}


def test_a_who_question_about_a_role_no_passage_says_is_a_refusal() -> None:
    # The page names the council's coordinator, not its chair: naming him would answer a
    # question that was not asked.
    assert not _passages_answer("Wie is de voorzitter van de cliëntenraad van Utrecht?", BOARD)
    assert _passages_answer("Wie is de coördinator van de cliëntenraad van Utrecht?", BOARD)
    chaired = {"raad.txt": BOARD["raad.txt"] + " Voorzitter van de raad is Rita Warmerdam."}
    assert _passages_answer("Wie is de voorzitter van de cliëntenraad van Utrecht?", chaired)


def test_the_words_that_name_the_answers_shape_are_not_unknown_words() -> None:
    texts = ["Je kunt kosteloos meedoen aan de bijeenkomsten.", "De raad vergadert elke maand."]
    keywords = KeywordIndex(["c0", "c1"], texts)
    candidates = [_candidate(texts[0], 0)]
    # 'fee' is in no document, and says only that the answer is a price, as 'when' says a date.
    assert gather_evidence("Is there a fee?", candidates, keywords).unknown == 0.0
    assert gather_evidence("Is there a quorum?", candidates, keywords).unknown == 1.0


MEETINGS = {
    "visie.txt": "Wat moet er gebeuren? De zorg moet anders, zegt de beweging over het onderwijs.",
    "bijeenkomsten.txt": "De bijeenkomsten over het onderwijs zijn in Utrecht. "
    "Je kunt kosteloos meedoen aan de bijeenkomsten.",
    "groningen.txt": "De raad in Groningen vergadert elke maand over het onderwijs.",
    # Pages on other things, so that 'Groningen', on one page, is a telling name.
    **{f"ander{n}.txt": f"Een verslag van de {n}e avond over zorg." for n in range(6)},
}


def test_another_page_holding_the_named_thing_answers_when_the_first_holds_none() -> None:
    """The best-scored page names no price, another does: it answers. A question naming a
    place ('Groningen') is not answered from a page that does not name it."""
    from assistant.extractive import holding_the_named_thing, scored_units

    request = _request("Is there a fee for the meetings on education?", MEETINGS, {})
    units = scored_units(request, ExtractiveGenerator().scorer)
    chosen = holding_the_named_thing(request, units)
    assert chosen and all("kosteloos" in u.text for u in chosen)
    named = _request("Wat kost de vergadering van de raad in Groningen?", MEETINGS, {})
    named_units = scored_units(named, ExtractiveGenerator().scorer)
    assert holding_the_named_thing(named, named_units) == named_units


def test_a_follow_up_is_searched_with_one_answered_thing_not_with_a_list() -> None:
    from assistant.service import with_context

    one = [
        {"role": "user", "content": "Wanneer is de volgende bijeenkomst?"},
        {"role": "assistant", "content": "De volgende bijeenkomst:\n- 14 september: drieluik"},
    ]
    assert "drieluik" in with_context("En waar is die?", one)
    listed = [
        {"role": "user", "content": "When are the meetings on care education?"},
        {"role": "assistant", "content": "- 11 November: slotdag\n- 9 May: drieluik"},
    ]
    searched = with_context("Who organises it?", listed)
    assert "care education" in searched and "slotdag" not in searched
    # A question with words of its own is searched alone.
    assert with_context("Wat kost het om mee te doen aan de bijeenkomsten?", one) == (
        "Wat kost het om mee te doen aan de bijeenkomsten?"
    )


def test_a_where_follow_up_is_answered_by_a_sentence_that_names_a_place() -> None:
    from assistant.answer import Turn
    from assistant.question import Question

    history: list[Turn] = [{"role": "user", "content": "Wanneer is de inspiratiebijeenkomst?"}]
    documents = {
        "verslag.txt": "Op een mooie plek aan het Amsterdam-Rijnkanaal kwamen vernieuwers "
        "samen.\n\nZe spraken over het onderwijs van morgen en over de praktijk.\n\n"
        "De inspiratiebijeenkomst op 14 september was de eerste van drie."
    }
    request = _request("Wanneer is de inspiratiebijeenkomst? En waar is die?", documents, {})
    request = replace(request, analysed=Question.analyse("En waar is die?", history))
    from assistant.extractive import LearnedScorer
    from assistant.model import AnswerModel

    scorer = LearnedScorer(AnswerModel.load().units)  # the shipped chooser, as served
    answer = ExtractiveGenerator(scorer=scorer).generate(request)
    assert "Amsterdam-Rijnkanaal" in answer.answer


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("Het team neemt binnen 5 werkdagen contact op.", True),
        ("Contact opnemen kan via 015 -380 41 11.", False),
        ("Bel 14 0521 of mail info2@gemeente.nl.", False),
        ("Van deze 38 verpleeghuizen doen er 23 mee.", True),
    ],
)
def test_the_digits_of_an_address_are_no_count(text: str, counts: bool) -> None:
    from assistant.things import TEXT_HOLDS

    assert TEXT_HOLDS["count"](text) is counts


def test_a_question_word_for_the_answers_form_comes_before_a_contact_word() -> None:
    asked = "Binnen hoeveel werkdagen neemt het Maatschappelijk Team contact op?"
    assert question_kind(asked) == "how_many"
    assert question_kind("Welk telefoonnummer moet ik bellen?") == "contact"
    assert question_kind("Hoe kan ik contact opnemen?") == "contact"


def test_a_question_word_inside_a_clause_is_not_what_is_asked() -> None:
    assert question_kind("Who was the interim director when it was founded?") == "who"
    assert question_kind("Welke thema's stonden op welke dag centraal?") == "list"
    assert question_kind("When was it founded, and who led it?") == "when"


RUN = {
    "run.txt": "Tijdens de 2023 editie van de Blue Monday Run deden ruim 800 mensen mee en zij "
    "haalden ruim 92.000 euro op voor het fonds.",
}


def test_an_answer_about_another_year_than_the_one_asked_is_a_refusal() -> None:
    assert not _passages_answer("Hoeveel geld haalde de Blue Monday Run van 2024 op?", RUN)
    assert _passages_answer("Hoeveel geld haalde de Blue Monday Run van 2023 op?", RUN)
    assert _passages_answer("Hoeveel geld haalde de Blue Monday Run op?", RUN)


def test_a_length_of_time_is_a_number_before_a_unit_of_time() -> None:
    from assistant.things import TEXT_HOLDS

    assert TEXT_HOLDS["duration"]("De opleiding duurt 3,5 jaar.")
    assert TEXT_HOLDS["duration"]("Het traject duurt twee dagen.")
    assert not TEXT_HOLDS["duration"]("Sinds augustus 2021 doen 21 studenten mee.")


def test_an_abbreviation_is_written_out_beside_its_short_form() -> None:
    from assistant.things import TEXT_HOLDS

    holds = TEXT_HOLDS["abbreviation"]
    assert holds("Landelijke overleggen over de Wet zorg en dwang (Wzd)")
    assert holds("Het Centrum voor Innovatief Vakmanschap Welzijn & Zorg (CIV) is penvoerder.")
    assert holds("De Wmo (Wet maatschappelijke ondersteuning) regelt dat.")
    assert not holds("Stuurgroep Wzd: dit is de landelijke stuurgroep.")
    assert not holds("Bel 14 0521 (KCC) of kom langs op 12 mei (dinsdag).")
