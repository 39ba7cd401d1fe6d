"""Hybrid retrieval: Dutch analysis, fusion, the second stage, small-to-big and filters."""

from __future__ import annotations

from pathlib import Path

from assistant.service import Assistant
from index.keywords import Analyzer, KeywordIndex
from index.retrieval import Filters, NoReranker, merge_runs, reciprocal_rank_fusion
from index.store import Hit


def test_compounds_are_split_against_the_corpus_vocabulary() -> None:
    analyzer = Analyzer(["eenzaamheid", "initiatieven", "jeugdzorg", "gebruik", "zorg"])
    assert analyzer.split_compound("eenzaamheidsinitiatieven") == ["eenzaamheid", "initiatieven"]
    assert analyzer.split_compound("jeugdzorggebruik") == ["jeugdzorg", "gebruik"]
    assert analyzer.split_compound("vernieuwingsbeweging") == []
    terms = analyzer.terms("Welke eenzaamheidsinitiatieven?")
    assert set(terms) >= {"eenzaam", "initiatief"}
    assert "welke" not in terms  # stop words go


def test_dutch_derivations_and_separable_verbs_meet_their_other_forms() -> None:
    analyzer = Analyzer()
    # 'Kost het geld om mee te doen?' is answered by 'Je kunt kosteloos meedoen.'
    question = set(analyzer.terms("Kost het geld om mee te doen?"))
    answer = set(analyzer.terms("Je kunt kosteloos meedoen."))
    assert {"kost", "meedoen"} <= question & answer
    assert "eind" in analyzer.terms("eindeloos")
    assert analyzer.terms("loos") == ["loos"]  # too short to be a derivation


def test_inflected_forms_share_their_dictionary_form() -> None:
    """The stemmer alone keeps these apart: 'coördinatoren' -> 'coordinatoor'."""
    analyzer = Analyzer()
    for one, other in [
        ("coördinatoren", "coördinator"),
        ("initiatieven", "initiatief"),
        ("georganiseerd", "organiseren"),
        ("besproken", "bespreken"),
    ]:
        assert set(analyzer.terms(one)) & set(analyzer.terms(other)), (one, other)


def test_words_about_the_documents_are_not_what_a_question_is_about() -> None:
    analyzer = Analyzer()
    assert analyzer.terms("Wie zijn de coördinatoren die in de documenten genoemd worden?") == [
        analyzer.terms("coördinator")[0]
    ]


def test_rare_words_weigh_more_than_words_every_chunk_has() -> None:
    index = KeywordIndex(
        ["a", "b", "c", "d"],
        [
            "De Week van de Radicale vernieuwing.",
            "Radicale vernieuwing van de zorg.",
            "Het thema van de Week: samen doorbreken we muren.",
            "Radicale vernieuwing jeugdzorg.",
        ],
    )
    assert index.idf("thema") > index.idf("week") > index.idf("vernieuw")
    assert index.idf("nergens") >= index.idf("thema")  # unseen words are the rarest


def test_keyword_index_folds_accents_and_counts_names_and_numbers() -> None:
    index = KeywordIndex(
        ["a", "b", "c"],
        [
            "De zorgcoöperatie in Austerlitz.",
            "Bijeenkomst op 9 mei 2023 bij Kanaal30 in Utrecht.",
            "Het 8ste Werk in Kampen.",
        ],
    )
    assert index.scores("zorgcooperatie").argmax() == 0
    assert index.scores("Waar is Kanaal30?").argmax() == 1
    assert index.scores("het 8ste werk").argmax() == 2


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([(["a", "b", "c"], 1.0), (["b", "d"], 0.5)], k=60)
    assert max(fused, key=lambda i: fused[i]) == "b"
    assert fused["a"] > fused["d"]


def _hit(i: str, start: int, text: str) -> Hit:
    return Hit(i, text, {"start": start, "chunk_index": 0}, 0.0)


def test_small_to_big_merges_overlapping_and_touching_chunks() -> None:
    document = "Eerste alinea.\n\nTweede alinea loopt door.\n\nDerde alinea."
    one = _hit("1", 0, document[0:14])
    two = _hit("2", 16, document[16:41])
    overlap = _hit("3", 30, document[30:41])
    far = _hit("4", 43, document[43:])
    assert merge_runs([one, two, overlap]) == [document[0:41]]
    assert merge_runs([one, far]) == [document[0:14], document[43:]]


def test_exact_names_and_numbers_are_found(corpus_index: Assistant) -> None:
    retriever = corpus_index.retriever
    for question, expected in [
        ("Kanaal30", "000_5de1ae5a7503ed65.pdf"),
        ("Jeugdsprong", "003_961ecb2c01a223c3.txt"),
        ("030 284 3200", "002_ca98f6bc809a9a9c.txt"),
        ("eenzaamheidsinitiatieven", "004_c470ea04556890eb.pdf"),
    ]:
        top = retriever.retrieve(question, 3)
        assert Path(str(top[0].hit.metadata["source"])).name == expected, question


def test_english_question_finds_the_dutch_passage(corpus_index: Assistant) -> None:
    top = corpus_index.retriever.retrieve("Where is the 9 May 2023 meeting held?", 5)
    assert any("Kanaal30" in c.hit.text for c in top)


def test_second_stage_scores_sentences_and_changes_the_order(corpus_index: Assistant) -> None:
    retriever = corpus_index.retriever
    question = "Wat was de aanleiding voor Het 8ste Werk?"
    reranked = retriever.retrieve(question, 5)
    assert reranked[0].sentences, "the sentence reranker annotates its best sentences"
    start, end, _ = reranked[0].sentences[0]
    assert "eenzaamheid" in reranked[0].hit.text[start:end] or "8ste Werk" in reranked[0].hit.text
    original = retriever.reranker
    try:
        retriever.reranker = NoReranker()
        fused = retriever.retrieve(question, 5)
    finally:
        retriever.reranker = original
    assert not fused[0].sentences


def test_filters_restrict_documents_themes_and_keywords(corpus_index: Assistant) -> None:
    retriever = corpus_index.retriever
    only = retriever.retrieve("bijeenkomst", 8, Filters(documents=("001_387224a3b32bf87f.txt",)))
    assert {Path(str(c.hit.metadata["source"])).name for c in only} == {"001_387224a3b32bf87f.txt"}
    themed = retriever.retrieve("bijeenkomst", 8, Filters(themes=("Doe je mee?",)))
    assert {Path(str(c.hit.metadata["source"])).name for c in themed} == {
        "000_5de1ae5a7503ed65.pdf",
        "004_c470ea04556890eb.pdf",
    }
    keyword = retriever.retrieve("jeugdzorg", 8, Filters(keywords=("prestatiedruk",)))
    assert {Path(str(c.hit.metadata["source"])).name for c in keyword} == {
        "000_5de1ae5a7503ed65.pdf"
    }
    assert retriever.retrieve("jeugdzorg", 8, Filters(documents=("bestaat niet",))) == []


def test_context_covers_the_neighbouring_text(corpus_index: Assistant) -> None:
    answer = corpus_index.ask("Wat was de aanleiding voor Het 8ste Werk?")
    assert "In het Overijsselse Kampen was eenzaamheid de aanleiding." in answer.context
    assert "Een succesvol initiatief om samen te eten" in answer.context


def test_a_chunk_only_the_keyword_side_finds_still_reaches_the_second_stage(
    corpus_index: Assistant,
) -> None:
    """The chunk naming 'het thema' is 23rd by meaning; fused ranks once cut it off."""
    question = "Wat was het thema van de Week van de Radicale vernieuwing?"
    retriever = corpus_index.retriever
    dense = retriever.store.search_vector(retriever.store.embedder.embed_queries([question])[0], 20)
    assert not any("doorbreken we muren" in h.text for h in dense), "premise: dense misses it"
    candidates = retriever.retrieve(question, 10)
    assert any("doorbreken we muren" in c.hit.text for c in candidates)
