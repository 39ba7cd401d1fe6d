"""Keyword search with Dutch analysis: folding, dictionary forms, compound splitting,
Snowball stemming, BM25.

Dense retrieval misses exact names and numbers ("Het 8ste Werk", "Kanaal30", "2017");
BM25 over Dutch-analysed tokens finds them, and compound splitting lets
"eenzaamheidsinitiatieven" meet "eenzaamheid" and "initiatief". Each word is first brought to
its dictionary form (simplemma): the stemmer alone keeps 'coördinatoren' and 'coördinator'
apart.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from index.language import detect_language
from index.lexicon import words
from index.text import fold

if TYPE_CHECKING:
    from index.bridge import TermBridge

#: Function words of both languages. The English ones include light verbs ('take', 'set') and
#: ordinals ('first', 'next': they pick among events, not say what they are about), which
#: the term bridge would otherwise match to look-alike Dutch words ('taak', 'stel'); the
#: Dutch ordinals too ('de eerste bijeenkomst' is not about 'De eerste Week'). Words
#: about the documents themselves ('die in de documenten genoemd worden') say nothing of
#: what the question is about.
_STOPWORDS = words("stopwords")
_MIN_PART = 4


def _may_carry_meaning(folded: str) -> bool:
    return len(folded) >= 3 and folded not in _STOPWORDS


@lru_cache(maxsize=4)
def _stemmer(language: str) -> object:
    import Stemmer

    return Stemmer.Stemmer(language)


#: Particles of Dutch separable verbs, written apart around 'te': 'mee te doen', 'aan te melden'.
_PARTICLES = words("particles", ("nl",))


def _derived_from(word: str) -> list[str]:
    """The noun in an adjective made with '-(e)loos': 'kosteloos' also means 'kost'."""
    if len(word) >= 7 and word.endswith("loos"):
        head = word[:-4]
        return [head[:-1] if head.endswith("e") else head]
    return []


@lru_cache(maxsize=100_000)
def _forms(written: str) -> tuple[str, str]:
    """The word folded, and its dictionary form folded: 'initiatieven' and 'initiatief',
    'georganiseerd' and 'organiseren' are one word (the stemmer alone keeps them apart)."""
    import simplemma

    return fold(written), fold(simplemma.lemmatize(written, lang="nl"))


class Analyzer:
    """Turns text into search terms; compounds are split against the corpus's own words."""

    def __init__(self, vocabulary: Iterable[str] = (), remembered: int = 16384) -> None:
        self.vocabulary = {w for w in vocabulary if len(w) >= _MIN_PART}
        self._stem = _stemmer("dutch").stemWord  # type: ignore[attr-defined]
        # Each answer reads the terms of the same retrieved chunks and sentences again, and
        # splitting compounds was a fifth of an answer's time (profile in the README): the
        # terms of the last ``remembered`` texts are kept (chunks of 500 characters: about
        # 1 kB each with their terms, so 16 MB at most by default).
        self._terms = lru_cache(maxsize=remembered)(self._terms_of)

    @staticmethod
    def words(text: str) -> list[str]:
        return re.findall(r"\w+", fold(text))

    def terms(self, text: str) -> list[str]:
        return list(self._terms(text))

    def _terms_of(self, text: str) -> tuple[str, ...]:
        out: list[str] = []
        forms = [_forms(w) for w in re.findall(r"\w+", text)]
        words = [folded for folded, _ in forms]
        for i, word in enumerate(words):
            if word in _PARTICLES and words[i + 1 : i + 2] == ["te"] and i + 2 < len(words):
                out.append(self._stem(word + words[i + 2]))  # 'mee te doen' is 'meedoen'
            if word in _STOPWORDS or (len(word) < 2 and not word.isdigit()):
                continue
            word = forms[i][1]
            for part in (word, *self.split_compound(word), *_derived_from(word)):
                out.append(self._stem(part))
        return tuple(out)

    def split_compound(self, word: str) -> list[str]:
        """Known words a compound is made of: 'jeugdzorggebruik' -> ['jeugdzorg', 'gebruik']."""
        if len(word) < 2 * _MIN_PART + 1 or word.isdigit():
            return []
        best: tuple[tuple[bool, int], list[str]] | None = None
        for i in range(_MIN_PART, len(word) - _MIN_PART + 1):
            known_head = self._known(word[:i])
            tail = word[i:]
            if known_head is None:
                continue
            head = known_head
            tail_parts = [tail] if tail in self.vocabulary else self.split_compound(tail)
            if (
                not tail_parts
                and len(head) > _MIN_PART
                and len(tail) > _MIN_PART
                and not tail.startswith("s")  # the linking s belongs to the head
            ):
                # A long known head with a long tail the corpus never writes alone:
                # 'jeugdzorg' + 'gebruik' still helps a question about 'gebruiken'.
                tail_parts = [tail]
            if not tail_parts:
                continue
            # Splits into words the corpus knows win over guessed tails; then the most even.
            rank = (tail in self.vocabulary or len(tail_parts) > 1, min(len(head), len(tail)))
            if best is None or rank > best[0]:
                best = (rank, [head, *tail_parts])
        return best[1] if best else []

    def _known(self, head: str) -> str | None:
        if head in self.vocabulary:
            return head
        for link in ("s", "en", "e"):  # Dutch linking sounds: eenzaamheid-s-initiatief
            if head.endswith(link) and head[: -len(link)] in self.vocabulary:
                return head[: -len(link)]
        return None


class Vocabulary(Protocol):
    """Search terms of a text and how telling each is: what word matching is based on."""

    def terms(self, text: str) -> list[str]: ...

    def query_terms(self, text: str) -> list[str]:
        """A question's terms, which may differ from a document text's (see KeywordIndex)."""
        ...

    def idf(self, term: str) -> float: ...

    @property
    def names(self) -> Set[str]:
        """Words the documents only write with a capital: names, not common words."""
        ...


def _names(texts: Iterable[str]) -> set[str]:
    """The (folded) words written only with a capital letter, never at a sentence's start
    alone: a word seen in lower case anywhere is a common word."""
    capital: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        for word in re.findall(r"[^\W\d_]+", text):
            (capital if word[0].isupper() else lower).add(fold(word))
    return capital - lower


def keyword_text(text: str, metadata: Mapping[str, object]) -> str:
    """A chunk's words for keyword search: its text and its document's descriptors."""
    descriptors = " ".join(str(metadata.get(k, "")) for k in ("title", "themes", "keywords"))
    return f"{text}\n{descriptors}"


def content_words(texts: Sequence[str]) -> list[str]:
    """The words of ``texts`` that can carry meaning, as ``KeywordIndex.content_words`` finds
    them. Over one document's keyword texts they include every word of it that is a content
    word of the whole corpus (a word some document writes in lower case is no name)."""
    return _meaningful({w for text in texts for w in Analyzer.words(text)}, _names(texts))


def _meaningful(vocabulary: Set[str], names: Set[str]) -> list[str]:
    return sorted(w for w in vocabulary if w.isalpha() and _may_carry_meaning(w) and w not in names)


class KeywordIndex:
    """BM25 (bm25s) over the analysed text of every chunk; also the corpus's Vocabulary."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        import bm25s

        vocabulary = {w for text in texts for w in Analyzer.words(text)}
        self._words = vocabulary
        #: Words the documents only ever write with a capital: names ('Caroline', 'Topaz'),
        #: which an English word never means (the bridge matched 'care' to 'caroline').
        self.names = _names(texts)
        self.analyzer = Analyzer(vocabulary)
        self.ids = list(ids)
        self._bm25 = bm25s.BM25()
        corpus = [self.analyzer.terms(text) or [""] for text in texts]
        #: Every search term the documents use: what a question's words are checked against.
        frequency: dict[str, int] = {}
        for chunk_terms in corpus:
            for term in set(chunk_terms):
                frequency[term] = frequency.get(term, 0) + 1
        self.known_terms = set(frequency)
        self._idf = {t: math.log(1 + len(corpus) / n) for t, n in frequency.items()}
        self._unseen_idf = math.log(1 + len(corpus))
        self._sorted_terms: list[str] | None = None
        #: Set by the retriever when English questions' words should meet Dutch ones.
        self.bridge: TermBridge | None = None
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def scores(self, query: str) -> npt.NDArray[np.float64]:
        terms = self.query_terms(query)
        if not self.ids or not terms:
            return np.zeros(len(self.ids))
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float64)

    def terms(self, text: str) -> list[str]:
        return self.analyzer.terms(text)

    def compound_parts(self, word: str) -> list[str]:
        """The corpus's words a compound is made of ('zorgonderwijs': 'zorg', 'onderwijs');
        empty for a word that is none."""
        return self.analyzer.split_compound(fold(word))

    def query_terms(self, text: str) -> list[str]:
        """A question's terms. In an English question, a word no document uses stands for
        its counterpart in the documents ('loneliness' -> 'eenzaamheid') when the bridge
        finds a clear one, and is left out when not: no document could match it anyway."""
        terms = self.analyzer.terms(text)
        if self.bridge is None or detect_language(text) != "en":
            return terms
        foreign = self.foreign_words(text)
        if not foreign:
            return terms
        unmatchable = {t for word in foreign for t in self.analyzer.terms(word)}
        counterparts = self.bridge.counterparts(foreign).values()
        return [t for t in terms if t not in unmatchable] + [
            t for word in counterparts for t in self.analyzer.terms(word)
        ]

    def foreign_words(self, text: str) -> list[str]:
        """The words of ``text`` (folded, letters only) of which no document uses any term."""
        return list(dict.fromkeys(f for _, f in self._unused_words(text) if f.isalpha()))

    def content_words(self) -> list[str]:
        """The documents' own words that can carry meaning: what the bridge matches to."""
        return _meaningful(self._words, self.names)

    def idf(self, term: str) -> float:
        """How rare a term is among the chunks: rare words say what a question is about."""
        return self._idf.get(term, self._unseen_idf)

    def unknown_words(self, text: str) -> list[str]:
        """Words of ``text`` (as written) that no document uses, alone or in a compound."""
        # Inflections the dictionary and the stemmer both miss: a known term sharing all but
        # the word's last three letters counts as known.
        return [
            word
            for word, folded in self._unused_words(text)
            if not self._has_prefix(folded[: max(5, len(folded) - 3)])
        ]

    def _unused_words(self, text: str) -> list[tuple[str, str]]:
        """Words of ``text`` (as written, folded) of which no document uses any term."""
        unused = []
        for word in re.findall(r"\w+", text):
            folded = fold(word)
            if not _may_carry_meaning(folded):
                continue
            terms = self.analyzer.terms(word)
            if terms and not any(t in self.known_terms for t in terms):
                unused.append((word, folded))
        return unused

    def _has_prefix(self, prefix: str) -> bool:
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self.known_terms)
        i = bisect.bisect_left(self._sorted_terms, prefix)
        return i < len(self._sorted_terms) and self._sorted_terms[i].startswith(prefix)
