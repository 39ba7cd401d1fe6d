"""The learned answer model: which unit answers, and whether any does.

Two logistic regressions, trained by ``rv train`` on the labelled question sets
(``assistant.training``) and shipped as a small JSON file inside the package
(``assistant/models/answer-model.json``): coefficients over the named features of
``assistant.features``, the standardisation they were fitted with, and the refusal
threshold chosen on out-of-fold predictions. Applying it needs only numpy; the file is
written with rounded numbers and sorted keys, so the same training data gives the same file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.features import QUESTION_FEATURES, UNIT_FEATURES
from index.errors import ConfigError

#: Bumped when the file's layout changes; a file of another version is refused.
MODEL_FORMAT = 1
DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "answer-model.json"


@dataclass(frozen=True)
class LinearModel:
    """A standardised logistic regression: log-odds = ((x - mean) / scale) . coef + intercept."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def log_odds(self, rows: Sequence[Sequence[float]]) -> list[float]:
        if not rows:
            return []
        x = np.asarray(rows, dtype=float)
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return [float(v) for v in z @ np.asarray(self.coef) + self.intercept]

    def weights(self) -> dict[str, float]:
        """Each feature's coefficient on the standardised scale: comparable importances."""
        return dict(zip(self.features, self.coef, strict=True))

    def as_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "coef": [round(v, 6) for v in self.coef],
            "intercept": round(self.intercept, 6),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], expected: tuple[str, ...], path: Path) -> LinearModel:
        features = tuple(data["features"])
        if features != expected:
            raise ConfigError(
                f"{path}: the model was trained on other features than this version computes; "
                "retrain it with `rv train`."
            )
        return cls(
            features,
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["coef"]),
            float(data["intercept"]),
        )


def probability(log_odds: float) -> float:
    return 1.0 / (1.0 + math.exp(-log_odds))


@dataclass(frozen=True)
class AnswerModel:
    """The unit chooser, the answerability decision and its threshold."""

    units: LinearModel
    answerable: LinearModel
    #: Below this probability of being answerable the question is refused: the lowest that
    #: kept refusal precision at its target on out-of-fold predictions (see ``training``).
    refuse_below: float
    #: What it was trained on (sets, questions, units), for the README and staff.
    trained_on: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "units": self.units.as_dict(),
            "answerable": self.answerable.as_dict(),
            "refuse_below": round(self.refuse_below, 6),
            "trained_on": self.trained_on,
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.as_dict(), indent=1, sort_keys=True, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> AnswerModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(
                f"{path}: not a readable answer model ({exc}); `rv train` writes one."
            ) from exc
        found = data.get("format") if isinstance(data, dict) else None
        if found != MODEL_FORMAT:
            raise ConfigError(
                f"{path}: answer model format {found}, this version reads {MODEL_FORMAT}; "
                "retrain it with `rv train`."
            )
        try:
            return cls(
                LinearModel.from_dict(data["units"], UNIT_FEATURES, path),
                LinearModel.from_dict(data["answerable"], QUESTION_FEATURES, path),
                float(data["refuse_below"]),
                dict(data.get("trained_on", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: a malformed answer model ({exc}); retrain it.") from exc
