"""A serving process that follows new index revisions keeps its memory level: a short run of
`benchmarks/revisions.py` (its figures, with corpus-more and corpus-train, are the README's;
here made-up documents and the model-free embedder, and a looser bound)."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_rss_levels_off_over_20_revisions(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("revisions", REPO / "benchmarks/revisions.py")
    assert spec is not None and spec.loader is not None
    revisions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revisions)
    # The learned answer chooser's model is being trained elsewhere; memory is what counts.
    monkeypatch.setitem(os.environ, "RV_ANSWER_CHOOSER", "hand-set")
    result = revisions.measure(20, 3, "hashing", use_shared=False)
    print(json.dumps(result))
    # Each revision once kept its Chroma view (15-25 MB here): the last 10 of 20 grew the
    # server by 120 MB (the benchmark's run); since, 49-52 MB, levelling off.
    assert result["growth_mb_last_half"] < 100, result["rss_mb_after_each"]
