"""Recognising questions about other subjects than the documents (a semantic router).

Similarity scores alone don't separate on- from off-topic questions here: multilingual e5
puts every question at 0.75-0.90 from some passage. What does separate them is whether a
question is closer to a broad everyday subject than to any sentence of the documents.
"""

from __future__ import annotations

import numpy as np

from index.embedders import Embedder, Vectors
from index.lexicon import phrases

#: Broad subjects a document assistant for a care movement is asked about but can't answer.
OFF_TOPIC_SUBJECTS = phrases("off_topic_subjects")
#: How much closer to an everyday subject than to the documents a question must be.
MARGIN = 0.03


class OffTopicDetector:
    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._subjects: Vectors | None = None

    def nearest_subject(self, question_vector: Vectors) -> tuple[str, float]:
        if self._subjects is None:
            self._subjects = self._embedder.embed_queries(OFF_TOPIC_SUBJECTS)
        similarities = self._subjects @ question_vector
        best = int(np.argmax(similarities))
        return OFF_TOPIC_SUBJECTS[best], float(similarities[best])

    def is_off_topic(self, question_vector: Vectors, best_document_similarity: float) -> bool:
        _, similarity = self.nearest_subject(question_vector)
        return similarity > best_document_similarity + MARGIN
