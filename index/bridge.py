"""A bridge from a question's words that no document uses to the document words that mean the same.

English questions share almost no words with the Dutch documents ('loneliness' /
'eenzaamheid'), so keyword search and word matching did nothing for them. The embedder knows
both languages: every corpus word is embedded once (the vectors are kept in the index), and a
question word the corpus lacks is matched to its nearest corpus word by meaning.

Single-word similarities crowd together: short, common words ('met', 'ste') are 0.9 similar
to almost anything. So a match is scored by cross-domain similarity local scaling (CSLS:
twice the similarity, minus how crowded each word's own neighbourhood is) and must stand
out from the runner-up; 'renewal' or 'care', with no clear counterpart, stay unmatched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from index.embedders import Vectors

#: How many nearest words define how crowded a word's neighbourhood is.
NEIGHBOURS = 10
#: How far a match must stand out from the crowd (CSLS score)...
MIN_SCORE = 0.01
#: ...and from the best word that is not a form of it.
MIN_MARGIN = 0.01


class TermBridge:
    """Nearest corpus word by meaning, for words the corpus does not use itself."""

    def __init__(
        self,
        words: Sequence[str],
        vectors: Vectors,
        embed: Callable[[Sequence[str]], Vectors],
        stem: Callable[[str], str] = lambda word: word,
    ) -> None:
        """``embed`` embeds words as ``vectors`` were; ``stem`` tells word forms apart."""
        self.words = list(words)
        self._vectors = vectors
        self._embed = embed
        self._stem = stem
        self._crowding = _vocabulary_crowding(vectors)
        self._known: dict[str, str | None] = {}

    def counterparts(self, words: Sequence[str]) -> dict[str, str]:
        """Each of ``words`` that has a clear counterpart among the corpus words, with it."""
        new = [w for w in dict.fromkeys(words) if w not in self._known]
        if new and self.words:
            self._known.update(zip(new, self._match(new), strict=True))
        return {w: found for w in words if (found := self._known.get(w)) is not None}

    def _match(self, words: list[str]) -> list[str | None]:
        similarity = self._embed(words) @ self._vectors.T
        crowding = _crowding(similarity)
        matches: list[str | None] = []
        for row in range(len(words)):
            scores = 2 * similarity[row] - self._crowding - crowding[row]
            best, runner_up = self._two_best(scores)
            clear = scores[best] >= MIN_SCORE and (
                runner_up is None or scores[best] - scores[runner_up] >= MIN_MARGIN
            )
            matches.append(self.words[best] if clear else None)
        return matches

    def _two_best(self, scores: npt.NDArray[np.float32]) -> tuple[int, int | None]:
        """The best word, and the best that is not a form of it ('themas' is one of 'thema')."""
        order = np.argsort(-scores)
        best = int(order[0])
        stem = self._stem(self.words[best])
        for i in order[1 : NEIGHBOURS * 5]:
            if self._stem(self.words[int(i)]) != stem:
                return best, int(i)
        return best, None


def _crowding(similarity: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Per row, the mean similarity to its nearest corpus words."""
    k = min(NEIGHBOURS, similarity.shape[1])
    if k == 0:
        return np.zeros(similarity.shape[0], dtype=np.float32)
    nearest: npt.NDArray[np.float32] = np.partition(similarity, -k, axis=1)[:, -k:]
    mean: npt.NDArray[np.float32] = nearest.mean(axis=1, dtype=np.float32)
    return mean


def _vocabulary_crowding(vectors: Vectors, block: int = 1024) -> npt.NDArray[np.float32]:
    """Each corpus word's crowding among the others, a block of rows at a time (a corpus of
    50,000 words would need a 10 GB similarity matrix at once)."""
    out = np.zeros(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), block):
        similarity = vectors[start : start + block] @ vectors.T
        rows = np.arange(similarity.shape[0])
        similarity[rows, rows + start] = -1.0  # a word is not its own neighbour
        out[start : start + block] = _crowding(similarity)
    return out
